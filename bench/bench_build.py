"""Benchmark of the engine on one core: the seed end to end, and throughput over ../shared/corpus.

Prints medians of repeated runs, and ratios against baselines measured in the same run:
- the floor: what any reader of these policies pays, with nothing of this product in it: decode the
  bytes, NFKC-normalise, split into sentences with one regular expression;
- with --baseline, the same corpus through another checkout of the engine (a git worktree of an older
  commit), so "not slower than before" is a ratio of two figures taken side by side on the same busy
  machine; the runs alternate between the two engines, one run each a round.
Times are this process's CPU time (the machine is shared: waiting for a core is not the engine's
cost; with the cyclic garbage collector off during extraction, nothing else runs in the process).
Every run of the extractor starts with its per-text memo caches empty (catalog.extract.clear_text_caches)
and its word-stem cache empty: the figures are for text the engine has not seen, not for the repetitions
of the benchmark. The corpus is every policy under ../shared/corpus (Markdown, and the dev-set JSON turned
into Markdown beforehand); SOURCES.md and README.md files are not policies and are left out.

    python bench/bench_build.py [--repeat 7] [--baseline ../old-checkout]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import catalog.extract
from catalog.extract import extract
try:
    from catalog.ingest.documents import read_policy, to_documents
    from catalog.store.engine import make_engine
    from catalog.store.write import write_extractions
except ImportError:  # a --baseline engine from before the layout of issue 16 (one module per stage)
    from catalog.ingest import read_policy, to_documents
    from catalog.store import make_engine, write_extractions

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _cold() -> None:
    """Empty the extractor's per-text memo caches (an older engine may have none) and its word-stem
    cache (both engines have one), so that every run reads text it has not seen."""
    getattr(catalog.extract, "clear_text_caches", lambda: None)()
    stems = getattr(sys.modules.get("catalog.extract.mentions"), "_STEMS", None)
    if isinstance(stems, dict):
        stems.clear()


def _median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        _cold()
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


#: files under the corpus that describe it rather than being policies
NOT_POLICIES = frozenset({"SOURCES.md", "README.md"})
#: the floor's sentence split: one regular expression, no structure
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")


def corpus_files() -> list[tuple[str, bytes, str]]:
    """(source, UTF-8 bytes, format) of every policy in ../shared/corpus (dev-set JSON turned into text)."""
    out = []
    for p in sorted((SHARED / "corpus").rglob("*")):
        if p.name in NOT_POLICIES:
            continue
        if p.suffix == ".md":
            out.append((str(p), p.read_bytes(), "markdown"))
        elif p.suffix == ".json":
            try:
                from catalog.evaluation.devset import to_text
            except ImportError:  # an engine from before issue 16's layout
                from catalog.devset import to_text

            out.append((str(p), to_text(json.loads(p.read_text(encoding="utf-8"))).encode("utf-8"), "markdown"))
    return out


def corpus_texts() -> list[tuple[str, str, str]]:
    """(source, text, format) of every policy in ../shared/corpus."""
    return [(s, b.decode("utf-8"), f) for s, b, f in corpus_files()]


def floor(files: list[tuple[str, bytes, str]]) -> int:
    """Decode, normalise and split every file into sentences: the least any reader of them does."""
    return sum(len(_SENTENCES.split(unicodedata.normalize("NFKC", b.decode("utf-8")))) for _, b, _ in files)


def corpus_figures(repeat: int) -> dict[str, float]:
    """Seconds for the floor, for the product's ingest (decode, normalise, chrome, segment) and for
    extraction, medians of `repeat` runs."""
    files = corpus_files()
    parsed = [d for s, b, f in files for d in to_documents(b.decode("utf-8"), s, f)]
    extract(parsed[0])  # warm the vocabulary caches (loaded once per process)
    return {
        "engine": str(Path(catalog.extract.__file__).parents[1]),
        "bytes": sum(len(b) for _, b, _ in files),
        "files": len(files),
        "versions": len(parsed),
        "floor": _median_time(lambda: floor(files), repeat),
        "ingest": _median_time(lambda: [to_documents(b.decode("utf-8"), s, f) for s, b, f in files], repeat),
        "extract": _median_time(lambda: [extract(d) for d in parsed], repeat),
    }


def baseline_figures(checkout: Path, repeat: int) -> dict[str, float]:
    """corpus_figures of another checkout's engine, run by this script in a child process."""
    env = {**os.environ, "PYTHONPATH": str(checkout.resolve())}
    out = subprocess.run([sys.executable, __file__, "--corpus-json", "--repeat", str(repeat)], env=env,
                         capture_output=True, text=True, check=True, cwd=checkout)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--baseline", type=Path, help="another checkout of this repository, measured in the same run")
    ap.add_argument("--corpus-json", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.corpus_json:
        print(json.dumps(corpus_figures(args.repeat)))
        return
    seed = SHARED / "seed" / "000_1847cb862053c11f.txt"
    seed_bytes = seed.stat().st_size
    extract(read_policy(seed)[0])  # warm the vocabulary caches (loaded once per process)

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(str(Path(tmp) / "bench.db"))
        docs = read_policy(seed)
        xs = [extract(d) for d in docs]
        write_extractions(engine, xs)
        t_read = _median_time(lambda: read_policy(seed), args.repeat)
        t_extract = _median_time(lambda: [extract(d) for d in docs], args.repeat)
        t_store = _median_time(lambda: write_extractions(engine, xs), args.repeat)
        t_total = _median_time(lambda: write_extractions(engine, [extract(d) for d in read_policy(seed)]), args.repeat)
        engine.dispose()

    rounds = max(3, args.repeat // 2)
    stages = ("floor", "ingest", "extract")
    if args.baseline:
        # alternate: one run of this engine, then one of the baseline's, round after round, so that a
        # busy spell of a shared machine weighs on both alike; medians over the rounds
        pairs = [(corpus_figures(1), baseline_figures(args.baseline, 1)) for _ in range(rounds)]
        figures = {**pairs[0][0], **{k: statistics.median(p[0][k] for p in pairs) for k in stages}}
        base = {**pairs[0][1], **{k: statistics.median(p[1][k] for p in pairs) for k in stages}}
        base["ratio"] = statistics.median((p[0]["ingest"] + p[0]["extract"]) / (p[1]["ingest"] + p[1]["extract"])
                                          for p in pairs)
        base["floor_ratio"] = statistics.median((p[0]["ingest"] + p[0]["extract"]) / p[0]["floor"] for p in pairs)
    else:
        figures, base = corpus_figures(rounds), None
    total_bytes, t_floor = figures["bytes"], figures["floor"]
    t_ingest, t_corpus = figures["ingest"], figures["extract"]
    t_corpus_total = t_ingest + t_corpus

    mb = 1024 * 1024
    print(f"seed: {seed_bytes / 1024:.1f} KB page, {len(docs)} versions (median of {args.repeat} runs, one core)")
    print(f"{'stage':<34}{'median':>12}")
    print(f"{'read + normalise + segment':<34}{t_read * 1000:>10.1f} ms")
    print(f"{'extract (2 versions)':<34}{t_extract * 1000:>10.1f} ms")
    print(f"{'store (SQLite file, replace)':<34}{t_store * 1000:>10.1f} ms")
    print(f"{'whole seed build':<34}{t_total * 1000:>10.1f} ms")
    print()
    print(f"corpus: {figures['files']} policies, {figures['versions']} policy versions, {total_bytes / mb:.2f} MB of text"
          f" (medians of {rounds} runs)")
    print(f"{'stage':<34}{'median':>12}{'MB/s':>10}{'x floor':>10}")

    def row(name: str, t: float, ratio: float | None = None) -> None:
        print(f"{name:<34}{t:>10.3f} s{total_bytes / mb / t:>10.2f}{(t / t_floor if ratio is None else ratio):>10.2f}")

    row("floor: decode+NFKC+split", t_floor)
    row("ingest", t_ingest)
    row("extract only", t_corpus)
    row("ingest + extract", t_corpus_total)
    if base:
        b_total = base["ingest"] + base["extract"]
        print(f"ingest + extract / floor: median of {rounds} rounds' ratios {base['floor_ratio']:.2f}")
        print()
        print(f"baseline: the engine at {base['engine']} (same corpus, same run)")
        print(f"{'stage':<34}{'median':>12}{'MB/s':>10}{'this/base':>10}")
        row("baseline: ingest", base["ingest"], t_ingest / base["ingest"])
        row("baseline: extract only", base["extract"], t_corpus / base["extract"])
        row("baseline: ingest + extract", b_total, t_corpus_total / b_total)
        print(f"ingest + extract, this / baseline: median of {rounds} alternating rounds' ratios {base['ratio']:.2f}")

if __name__ == "__main__":
    main()
