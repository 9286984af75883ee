"""How fast the dashboard's first page renders on the seed catalog (Streamlit AppTest, no browser).

Prints medians of cold runs (a fresh app: engine, graph and queries computed) and warm reruns
(cached), against a baseline measured in the same run: building the graph from the catalog alone.

    python bench/bench_dashboard.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from streamlit.testing.v1 import AppTest

    from catalog.build import build
    from catalog.graph import to_graph
    from catalog.store import make_engine, read_extractions

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "catalog.db"
        engine = make_engine(str(db))
        build([ROOT / "data" / "policies"], engine)
        os.environ["ROPA_DB"] = str(db)
        base, cold, warm = [], [], []
        for _ in range(args.repeat):
            t = time.perf_counter()
            to_graph(read_extractions(engine))
            base.append(time.perf_counter() - t)
            t = time.perf_counter()
            at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - t)
            assert not at.exception, at.exception
    b, c, w = (statistics.median(x) for x in (base, cold, warm))
    print(f"seed catalog, Overview page, median of {args.repeat} (AppTest, no browser)")
    print(f"{'baseline: read catalog + build graph':<40}{b * 1000:>8.0f} ms  1.0x")
    print(f"{'first render, first app of the process':<40}{cold[0] * 1000:>8.0f} ms  {cold[0] / b:.1f}x")
    print(f"{'first render, later apps (shared caches)':<40}{c * 1000:>8.0f} ms  {c / b:.1f}x")
    print(f"{'rerun (cached)':<40}{w * 1000:>8.0f} ms  {w / b:.1f}x")


if __name__ == "__main__":
    main()
