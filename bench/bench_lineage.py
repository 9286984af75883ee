"""Lineage latency against the number of policy versions: p50/p95 of what a DPO asks, per graph size.

A query is the term resolved to a node and its downstream lineage ("downstream", the issue's measure),
then also what `ropa lineage TERM` and the dashboard's Lineage page compute from it ("paths": the flat
paths, `to_rows`, and the first quote of every hop); over every data category of the graph. Graphs: the history of one organisation in 1, 4, 13 and 40 versions
(bench/make_corpus.py `history`: the same policy re-dated and reshuffled, so each fact's evidence
grows by one version per version), and the 1,000-policy corpus (bench/make_corpus.py):

    .venv/bin/python bench/bench_lineage.py                          # histories and the 1,000-policy catalog
    .venv/bin/python bench/bench_lineage.py --versions 1,4,13 --n 0   # the histories only
    .venv/bin/python bench/bench_lineage.py --db bench/out/scale.db   # the corpus graph from a built catalog
    .venv/bin/python bench/bench_lineage.py --graph /tmp/G.pkl        # ... or from a pickle (--save writes one)
    .venv/bin/python bench/bench_lineage.py --lineage old_lineage.py  # time another one-file copy (downstream, resolve)
    .venv/bin/python bench/bench_lineage.py --profile                 # and a cProfile of one pass on the last graph

All queries of a graph run on the same graph object, so the per-graph index `catalog.queries.lineage.index` builds
on the first query is reused by the rest (as in a dashboard or a CLI session); that first query's
time (index build included) is reported apart. p50/p95 are medians over the passes; "p95 CPU" is
the same of the process's CPU time per query (on a shared machine, wall time also counts the
slices other processes took). "full answer" is
`to_dict()` too (every quote of every hop, what `--format json` prints): its size grows with the
versions by nature, so it is reported, not held to the target.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def from_files(files: list[Path]):  # noqa: ANN201
    from catalog.pipeline.build import extract_all, read_documents
    from catalog.graph.build import to_graph

    return to_graph(extract_all(read_documents(files)))


def from_db(db: str):  # noqa: ANN201
    from catalog.graph.build import to_graph
    from catalog.store.engine import make_engine
    from catalog.store.read import read_extractions

    return to_graph(read_extractions(make_engine(db, create=False)))


def measure(G, mod, repeat: int, what: str) -> dict:  # noqa: ANN001
    """p50/p95 (ms, median over passes) of a query over every data category of G: `what` is "downstream"
    (the lineage alone, the issue's measure), "paths" (and its rows and each hop's first quote, what
    the CLI table and the dashboard show) or "full" (and to_dict, every quote)."""
    terms = sorted({d["label"] for _, d in G.nodes(data=True) if d["kind"] == "data_category"})

    def query(term: str) -> None:
        lin = mod.downstream(G, mod.resolve(G, term)[0])
        if what == "downstream":
            return
        lin.to_rows()
        for h in lin.hops:
            h.evidence[:1]
        if what == "full":
            lin.to_dict()

    t = time.perf_counter()
    query(terms[0])
    first = time.perf_counter() - t
    passes, cpu_passes = [], []
    for _ in range(repeat):
        times, cpu = [], []
        for term in terms:
            t, c = time.perf_counter(), time.process_time()
            query(term)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        passes.append(times)
        cpu_passes.append(cpu)
    return {"terms": len(terms), "first": first * 1e3,
            "p50": statistics.median(percentile(x, .5) for x in passes) * 1e3,
            "p95": statistics.median(percentile(x, .95) for x in passes) * 1e3,
            "cpu95": statistics.median(percentile(x, .95) for x in cpu_passes) * 1e3,
            "max": max(max(x) for x in passes) * 1e3}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=OUT / "corpus")
    p.add_argument("--n", type=int, default=1000, help="policies to take from the corpus (0: none)")
    p.add_argument("--versions", default="1,4,13,40", help="sizes of the one-organisation histories ('': none)")
    p.add_argument("--db", help="take the corpus graph from this catalog instead of extracting the corpus")
    p.add_argument("--graph", type=Path, help="load a pickled corpus graph instead")
    p.add_argument("--save", type=Path, help="pickle the corpus graph here")
    p.add_argument("--repeat", type=int, default=3, help="passes over the data categories")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--lineage", type=Path, help="time another copy of the lineage code: one file with downstream and "
                   "resolve (e.g. the one-file catalog/queries/lineage.py of before the split, from git show)")
    a = p.parse_args()

    if a.lineage:
        import importlib.util
        spec = importlib.util.spec_from_file_location("lineage_under_test", a.lineage)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["lineage_under_test"] = mod
        spec.loader.exec_module(mod)
    else:
        from types import SimpleNamespace

        from catalog.queries.lineage import terms, walk
        mod = SimpleNamespace(downstream=walk.downstream, resolve=terms.resolve, __file__=walk.__file__)

    graphs: list[tuple[str, object]] = []
    for v in [int(x) for x in a.versions.split(",") if x.strip()]:
        from bench.make_corpus import history

        graphs.append((f"one organisation, {v} versions", from_files(history(OUT / f"history-{v}", v))))
    if a.n:
        t = time.perf_counter()
        if a.graph:
            G = pickle.loads(a.graph.read_bytes())
        elif a.db:
            G = from_db(a.db)
        else:
            from bench.make_corpus import generate
            from catalog.pipeline.build import collect_files

            if not a.corpus.exists() or len(list(a.corpus.glob("*.md"))) < a.n:
                generate(a.corpus, a.n)
            G = from_files(collect_files([a.corpus])[:a.n])
        if a.save:
            a.save.write_bytes(pickle.dumps(G))
        print(f"corpus graph in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        graphs.append((f"{len(G.graph.get('policies', {}))}-policy catalog", G))

    print(f"lineage module: {mod.__file__}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    head = ("graph", "versions", "nodes", "edges", "edge evidence", "first query ms", "downstream p50 / p95 ms",
            "paths p50 / p95 ms", "paths p95 CPU ms", "full p50 / p95 ms")
    print(" | ".join(head))
    print(" | ".join("---" for _ in head))
    for name, G in graphs:
        d = measure(G, mod, a.repeat, "downstream")
        q = measure(G, mod, a.repeat, "paths")
        f = measure(G, mod, a.repeat, "full")
        n_ev = sum(len(d.get("evidence", ())) for _, _, d in G.edges(data=True))
        print(" | ".join(map(str, (name, len(G.graph.get("policies", {})), G.number_of_nodes(), G.number_of_edges(),
                                   n_ev, f"{d['first']:.1f}", f"{d['p50']:.2f} / {d['p95']:.2f}", f"{q['p50']:.2f} / {q['p95']:.2f}",
                                   f"{q['cpu95']:.2f}",
                                   f"{f['p50']:.1f} / {f['p95']:.1f}"))), flush=True)
    print(f"(over every data category, {a.repeat} passes; downstream: downstream(G, resolve(G, term)[0]); paths: and "
          "to_rows and each hop's first quote; full: and to_dict, every quote)")

    if a.profile:
        import cProfile
        import pstats
        G = graphs[-1][1]
        terms = sorted({d["label"] for _, d in G.nodes(data=True) if d["kind"] == "data_category"})
        pr = cProfile.Profile()
        pr.enable()
        for term in terms:
            lin = mod.downstream(G, mod.resolve(G, term)[0])
            lin.to_rows()
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
