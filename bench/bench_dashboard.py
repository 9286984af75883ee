"""How fast each dashboard page renders on the 13-version catalog (Streamlit AppTest, no browser).

The catalog is the one a DPO's reviewer tried: the seed (2 versions), ../shared/corpus/alibaba-history
(6) and ../shared/corpus/other (5), built into a SQLite file first. For every page, in the whole
catalog's scope (all versions, all organisations), it prints medians of:

- first render, warm: a new session opening the page while the process's caches hold the catalog
  (what a DPO gets after the first page of the day) — the figure the 2 s target is about;
- first render, cold: the same with Streamlit's data caches cleared first (a rebuild or a review
  decision changes the catalog stamp, which has the same effect);
- rerun: the same session again (a widget change that hits the caches).

Baselines measured in the same run: reading the catalog and building its graph, and writing the
ROPA workbook of the whole catalog (which Processing activities used to do on every render).

    python bench/bench_dashboard.py [--repeat 5] [--pages overview,transfers]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SOURCES = (SHARED / "seed" / "000_1847cb862053c11f.txt", SHARED / "corpus" / "alibaba-history",
           SHARED / "corpus" / "other")
PAGES = ("overview", "activities", "transfers", "findings", "data_map", "lineage", "evidence", "diff", "changes",
         "review")
TARGET_S = 2.0


def _render(page: str, clear: bool) -> tuple[float, float]:
    """(first render, rerun) of a page in a new session, in seconds."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    if page != "overview":
        at.switch_page(f"catalog/dashboard/{page}.py")
    if clear:
        st.cache_data.clear()
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{page} rendered no title"
    t = time.perf_counter()
    at.run()
    return first, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--pages", default=",".join(PAGES))
    args = ap.parse_args()
    pages = [p for p in args.pages.split(",") if p]

    from catalog.pipeline.build import build
    from catalog.graph.build import to_graph
    from catalog.checks.risks import find_risks
    from catalog.export.spreadsheet import write_xlsx
    from catalog.store.engine import make_engine
    from catalog.store.read import read_extractions, read_policies

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "catalog.db"
        engine = make_engine(str(db))
        build(list(SOURCES), engine)
        versions = len(read_policies(engine))
        os.environ["ROPA_DB"] = str(db)
        os.environ.pop("DATABASE_URL", None)

        graph_s = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            to_graph(read_extractions(engine))
            graph_s.append(time.perf_counter() - t)
        G = to_graph(read_extractions(engine))
        t = time.perf_counter()
        write_xlsx(Path(tmp) / "ropa.xlsx", G, findings=find_risks(G))
        workbook_s = time.perf_counter() - t

        _render("overview", clear=True)  # the process's first app: imports, engine, Alembic check
        rows = []
        for page in pages:
            cold, warm, rerun = [], [], []
            for _ in range(args.repeat):
                c, _r = _render(page, clear=True)
                w, r = _render(page, clear=False)
                cold.append(c)
                warm.append(w)
                rerun.append(r)
            rows.append((page, statistics.median(warm), statistics.median(cold), statistics.median(rerun)))

    base = statistics.median(graph_s)
    print(f"{versions}-version catalog, all versions in scope, median of {args.repeat} (AppTest, no browser)")
    print(f"baseline: read the catalog and build its graph {base * 1000:8.0f} ms")
    print(f"baseline: write the whole catalog's ROPA workbook {workbook_s * 1000:6.0f} ms (once; now only on request)")
    print(f"{'page':<14}{'first, warm':>13}{'first, cold':>13}{'rerun':>9}{'warm/base':>11}  under {TARGET_S:.0f} s warm")
    for page, w, c, r in rows:
        print(f"{page:<14}{w * 1000:>10.0f} ms{c * 1000:>10.0f} ms{r * 1000:>6.0f} ms{w / base:>10.1f}x  "
              f"{'yes' if w < TARGET_S else 'NO'}")


if __name__ == "__main__":
    main()
