"""Lineage latency on a big catalog: `downstream(G, resolve(G, term)[0])` over every data category (p50/p95).

Builds the graph from the generated corpus (bench/make_corpus.py) in-process, or loads a pickled one:

    .venv/bin/python bench/bench_lineage.py                      # 1,000 policies from bench/out/corpus
    .venv/bin/python bench/bench_lineage.py --n 300               # the first 300
    .venv/bin/python bench/bench_lineage.py --graph /tmp/G.pkl    # a pickled graph (--save writes one)
    .venv/bin/python bench/bench_lineage.py --profile             # and a cProfile of one pass
    .venv/bin/python bench/bench_lineage.py --lineage old_lineage.py   # time another copy of the module

All queries run on the same graph object, so the per-graph index `catalog.lineage` builds on the
first query is reused by the rest (as in a dashboard or a CLI session); the first query's time
(index build included) is reported separately. p50/p95 are the medians over the passes.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def build(corpus: Path, n: int):  # noqa: ANN201
    from catalog.build import collect_files, extract_all, read_documents
    from catalog.graph import to_graph
    files = collect_files([corpus])[:n]
    return to_graph(extract_all(read_documents(files)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=ROOT / "bench" / "out" / "corpus")
    p.add_argument("--n", type=int, default=1000, help="policies to take from the corpus")
    p.add_argument("--graph", type=Path, help="load a pickled graph instead of extracting")
    p.add_argument("--save", type=Path, help="pickle the built graph here")
    p.add_argument("--repeat", type=int, default=3, help="passes over the data categories")
    p.add_argument("--profile", action="store_true")
    p.add_argument("--lineage", type=Path, help="time another copy of catalog/lineage.py (e.g. the old one)")
    a = p.parse_args()

    if a.lineage:
        import importlib.util
        spec = importlib.util.spec_from_file_location("lineage_under_test", a.lineage)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["lineage_under_test"] = mod
        spec.loader.exec_module(mod)
        downstream, resolve = mod.downstream, mod.resolve
    else:
        from catalog.lineage import downstream, resolve

    t = time.perf_counter()
    if a.graph:
        G = pickle.loads(a.graph.read_bytes())
    else:
        G = build(a.corpus, a.n)
        if a.save:
            a.save.write_bytes(pickle.dumps(G))
    n_ev = sum(len(d.get("evidence", ())) for _, _, d in G.edges(data=True))
    print(f"graph: {len(G.graph.get('policies', {}))} policy versions, {G.number_of_nodes()} nodes, "
          f"{G.number_of_edges()} edges, {n_ev} edge evidence entries ({time.perf_counter() - t:.1f} s to get it)")
    terms = sorted({d["label"] for _, d in G.nodes(data=True) if d["kind"] == "data_category"})

    t = time.perf_counter()
    downstream(G, resolve(G, terms[0])[0])
    print(f"first query (builds the per-graph index): {(time.perf_counter() - t) * 1e3:.1f} ms")

    passes = []
    times: list[float] = []
    for _ in range(a.repeat):
        pass_times = []
        for term in terms:
            t = time.perf_counter()
            downstream(G, resolve(G, term)[0])
            pass_times.append(time.perf_counter() - t)
        passes.append(pass_times)
        times += pass_times
    p50 = statistics.median(percentile(x, .5) for x in passes) * 1e3
    p95 = statistics.median(percentile(x, .95) for x in passes) * 1e3
    print(f"lineage query p50 / p95: {p50:.1f} / {p95:.1f} ms  (median of {a.repeat} passes; "
          f"{len(times)} queries over {len(terms)} data categories; max {max(times) * 1e3:.1f} ms)")

    if a.profile:
        import cProfile
        import pstats
        pr = cProfile.Profile()
        pr.enable()
        for term in terms:
            downstream(G, resolve(G, term)[0])
        pr.disable()
        pstats.Stats(pr).sort_stats("tottime").print_stats(18)


if __name__ == "__main__":
    main()
