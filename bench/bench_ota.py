"""Benchmark of `ropa build --ota`: 50 versions of one service built from a versions repository.

Makes a git repository in the Open Terms Archive layout (`Alibaba.com/Privacy Policy.md`, one commit per
version, commit dates set) from the Alibaba.com texts of ../shared/corpus with controlled variations
(bench/make_corpus.py's: dates, swapped country and recipient names, shuffled sections; deterministic), then
prints medians of repeated runs, each into a fresh SQLite catalog:

- the whole build from the repository (git log, git cat-file, normalise, extract, store);
- the same 50 texts built from files (`ropa build DIR`): the baseline, measured in the same run;
- reading the history alone (git + normalising), and the nightly re-run that finds nothing new.

    python bench/bench_ota.py [--versions 50] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SERVICE = "Alibaba.com"


def versions(n: int) -> list[tuple[str, str, dt.datetime]]:
    """n recorded texts of one service: the Alibaba.com history's versions in turn, each varied and dated."""
    from make_corpus import variant  # bench/ is on sys.path when run as a script

    from catalog.ingest.documents import read_policy

    bases = [d.text for f in sorted((ROOT.parent / "shared" / "corpus" / "alibaba-history").glob("*.md"))
             for d in read_policy(f)]
    out = []
    for i in range(n):
        when = dt.datetime(2019, 1, 1, 6, 0, tzinfo=dt.timezone.utc) + dt.timedelta(days=29 * i)
        text = variant(SERVICE, bases[i % len(bases)], SERVICE, when.date(), random.Random(f"ota-{i}"))
        out.append((SERVICE, text, when))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--versions", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()

    from bench_build import _median_time

    from catalog.pipeline.build import build, build_ota
    from catalog.extract import extract
    from catalog.ingest.documents import read_policy
    from catalog.ingest.ota import check_repository, read_log, read_versions, write_repository
    from catalog.store.engine import make_engine

    recorded = versions(a.versions)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        repo = write_repository(tmp_path / "contrib-versions", recorded)
        files = tmp_path / "files"
        files.mkdir()
        for i, (_s, text, when) in enumerate(recorded):
            (files / f"alibaba-com-v{i:02d}.md").write_text(text, encoding="utf-8")
        extract(read_policy(files / "alibaba-com-v00.md")[0])  # warm the vocabulary caches
        runs = iter(range(10**6))

        def fresh():
            return make_engine(str(tmp_path / f"run-{next(runs)}.db"))

        built = build_ota(repo, fresh(), [SERVICE])
        assert len(built.versions) == a.versions and not built.problems, (len(built.versions), built.problems)
        total_bytes = sum(len(t.encode("utf-8")) for _s, t, _w in recorded)

        def from_repo():
            engine = fresh()
            build_ota(repo, engine, [SERVICE])
            engine.dispose()

        def from_files():
            engine = fresh()
            build([files], engine)
            engine.dispose()

        def read_only():
            top = check_repository(repo)
            read_versions(top, read_log(top, [SERVICE]))

        filled = fresh()
        build_ota(repo, filled, [SERVICE])
        t_repo = _median_time(from_repo, a.repeat)
        t_files = _median_time(from_files, a.repeat)
        t_read = _median_time(read_only, a.repeat)
        t_nightly = _median_time(lambda: build_ota(repo, filled, [SERVICE]), a.repeat)

    print(f"{a.versions} versions of one service ({total_bytes / 1e6:.2f} MB of Markdown), "
          f"median of {a.repeat} runs, each into a new SQLite catalog, one core")
    print(f"{'measure':<52}{'median':>10}{'ratio':>10}")
    print(f"{'ropa build DIR (same texts as files): baseline':<52}{t_files:>9.2f}s{1:>9.2f}x")
    print(f"{'ropa build --ota REPO --service ' + SERVICE:<52}{t_repo:>9.2f}s{t_repo / t_files:>9.2f}x")
    print(f"{'  of which reading the history (git + normalise)':<52}{t_read:>9.2f}s{t_read / t_files:>9.2f}x")
    print(f"{'nightly re-run, nothing new':<52}{t_nightly * 1000:>8.0f}ms{t_nightly / t_files:>9.3f}x")
    print(f"per version from the repository: {t_repo / a.versions * 1000:.0f} ms")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
