"""Store benchmark: writing a corpus's extractions to a SQLite catalog, reading them back, the file's size.

Each figure is the median of --repeat runs, against a baseline measured in the same run: the same
extractions through another checkout's store (a git worktree of an older commit, default main at
dc3a5bd, the store before evidence became offsets), in a child process with that tree first on
sys.path. Runs alternate between the two engines, one each a round, so a busy spell of a shared
machine weighs on both alike. The corpus is extracted once (this engine) and handed to the child
pickled: the records (catalog/records.py) are the same in both trees, and extraction is not measured.

    python bench/make_corpus.py                          # bench/out/corpus, 1,000 policies
    git worktree add --detach /tmp/store-base dc3a5bd     # the baseline's checkout
    python bench/bench_store.py [--limit 100] [--repeat 3] [--baseline /tmp/store-base] [--extractions x.pickle]

"store" is one write_extractions of every version into a fresh file (what `ropa build DIR` does);
"read back" is read_extractions of the whole catalog from a new engine; "size" is the file on disk,
against the UTF-8 bytes of the versions' stored (normalised) text.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__" and "--child" not in sys.argv:
    sys.path.insert(0, str(ROOT))
CORPUS = ROOT / "bench" / "out" / "corpus"
BASELINE = Path("/tmp/store-base")
BASELINE_COMMIT = "dc3a5bd"
MB = 1_000_000


def one_run(extractions: list, db: Path) -> dict[str, float]:
    """Seconds to store the extractions in a fresh SQLite file and to read them all back; its size."""
    import catalog

    try:
        from catalog.store.engine import make_engine
        from catalog.store.read import read_extractions
        from catalog.store.write import write_extractions
    except ModuleNotFoundError:  # a checkout from before the stage packages (issue 16): one module
        from catalog.store import make_engine, read_extractions, write_extractions  # type: ignore[no-redef]

    db.unlink(missing_ok=True)
    engine = make_engine(str(db))  # the schema is made before the clock starts
    t = time.perf_counter()
    write_extractions(engine, extractions)
    store = time.perf_counter() - t
    engine.dispose()
    engine = make_engine(str(db))
    t = time.perf_counter()
    back = read_extractions(engine)
    read = time.perf_counter() - t
    engine.dispose()
    assert len(back) == len(extractions), (len(back), len(extractions))
    size = db.stat().st_size
    db.unlink()
    return {"store": store, "read": read, "size": size, "engine": str(Path(catalog.__file__).parent.parent)}


def child(pickled: Path, db: Path) -> None:
    """One run of the engine this process imports (the baseline's checkout, first on sys.path)."""
    with pickled.open("rb") as f:
        extractions = pickle.load(f)
    print(json.dumps(one_run(extractions, db)))


def baseline_run(checkout: Path, pickled: Path, db: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve())}
    out = subprocess.run([sys.executable, __file__, "--child", str(pickled), str(db)], env=env, cwd=checkout,
                         capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"error: the baseline at {checkout} failed:\n{out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def extractions_of(corpus: Path, limit: int | None) -> list:
    from catalog.pipeline.build import extract_all
    from catalog.ingest.documents import read_policy, with_unique_ids
    from catalog.ingest.files import policy_files

    files = policy_files(corpus)[:limit] if limit else policy_files(corpus)
    return list(extract_all(with_unique_ids([d for f in files for d in read_policy(f)])))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="a directory of policies (default bench/out/corpus)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N policy files")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--baseline", type=Path, default=BASELINE,
                    help=f"another checkout of this repository (default {BASELINE}, main at {BASELINE_COMMIT})")
    ap.add_argument("--extractions", type=Path, default=None,
                    help="a pickle of the corpus's extractions: read when it exists, else written (skips extracting)")
    ap.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return
    if not a.corpus.is_dir():
        raise SystemExit(f"error: no corpus at {a.corpus}: run `python bench/make_corpus.py` first")
    if not (a.baseline / "catalog" / "store.py").exists():
        raise SystemExit(f"error: no baseline checkout at {a.baseline}: "
                         f"`git worktree add --detach {a.baseline} {BASELINE_COMMIT}`")
    t = time.perf_counter()
    how = f"read from {a.extractions}" if a.extractions and a.extractions.exists() else "extracted"
    if a.extractions and a.extractions.exists():
        with a.extractions.open("rb") as f:
            xs = pickle.load(f)[:a.limit] if a.limit else pickle.load(f)
    else:
        xs = extractions_of(a.corpus, a.limit)
        if a.extractions:
            with a.extractions.open("wb") as f:
                pickle.dump(xs, f, protocol=pickle.HIGHEST_PROTOCOL)
    text = sum(len(x.policy.text.encode("utf-8")) for x in xs)
    rows = sum(len(x.facts) + len(x.links) for x in xs)
    evidence = sum(len(i.evidence) for x in xs for i in (*x.facts, *x.links))
    print(f"corpus: {a.corpus}, {len(xs)} versions, {text / MB:.1f} MB of stored text, {rows:,} facts and links, "
          f"{evidence:,} evidence ({how} in {time.perf_counter() - t:.0f} s, not measured)")
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "out") as tmp:
        pickled = Path(tmp) / "extractions.pickle"
        with pickled.open("wb") as f:
            pickle.dump(xs, f, protocol=pickle.HIGHEST_PROTOCOL)
        rounds = []
        for _ in range(a.repeat):
            rounds.append((one_run(xs, Path(tmp) / "this.db"), baseline_run(a.baseline, pickled, Path(tmp) / "base.db")))
    this = {k: statistics.median(r[0][k] for r in rounds) for k in ("store", "read", "size")}
    base = {k: statistics.median(r[1][k] for r in rounds) for k in ("store", "read", "size")}
    ratio = {k: statistics.median(r[1][k] / r[0][k] for r in rounds) for k in ("store", "read", "size")}
    print(f"this engine: {rounds[0][0]['engine']}; baseline: {rounds[0][1]['engine']} (same run, alternating, "
          f"medians of {a.repeat})")
    print(f"{'':<22}{'this':>14}{'baseline':>14}{'baseline/this':>15}")
    print(f"{'store (SQLite file)':<22}{this['store']:>12.2f} s{base['store']:>12.2f} s{ratio['store']:>14.2f}x")
    print(f"{'read back (all)':<22}{this['read']:>12.2f} s{base['read']:>12.2f} s{ratio['read']:>14.2f}x")
    print(f"{'catalog size':<22}{this['size'] / MB:>11.1f} MB{base['size'] / MB:>11.1f} MB{ratio['size']:>14.2f}x")
    print(f"{'size / text':<22}{this['size'] / text:>13.2f}x{base['size'] / text:>13.2f}x")


if __name__ == "__main__":
    main()
