"""Batch extraction on Dask (a local cluster of two worker processes on loopback), and organisation scoping."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from catalog.pipeline.batch import extract_batch
from catalog.pipeline.build import build, read_documents
from catalog.cli.app import app
from catalog.store.engine import make_engine
from catalog.store.read import read_extractions
from tests.conftest import CORPUS, SEED

runner = CliRunner()

# the seed (two versions), two Alibaba snapshots that claim the same date (the batch must rename one
# exactly as a serial build does), and two other publishers
GOOD = [SEED, CORPUS / "alibaba-history" / "alibaba.com-privacy-2021-12-15.md",
        CORPUS / "alibaba-history" / "alibaba.com-privacy-2022-03-05.md",
        CORPUS / "other" / "Booking_com.privacy.md", CORPUS / "other" / "WeTransfer.privacy.md"]
#: sorted ids; the second 2021-01-16 text gets its file's snapshot date appended
IDS = ["alibaba-com-2018-05-25", "alibaba-com-2019-01-17", "alibaba-com-2021-01-16", "alibaba-com-2021-01-16-r2022-03-05",
       "booking-com-2026-08-01", "wetransfer-2026-08-01"]


@pytest.fixture
def policy_dir(tmp_path):
    d = tmp_path / "policies"
    d.mkdir()
    for f in GOOD:
        shutil.copy(f, d / f.name)
    return d


def ropa(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_parallel_build_exports_the_same_json_as_a_serial_build(db_url, policy_dir, tmp_path, capfd):
    serial_db = f"sqlite:///{tmp_path / 'serial.db'}"
    assert ropa("build", str(policy_dir), "--db", serial_db).exit_code == 0
    (policy_dir / "zz-broken.txt").write_bytes(b"\x00\x01\x02 not a policy")

    capfd.readouterr()
    r = ropa("build", str(policy_dir), "--workers", "2", "--db", db_url)
    assert r.exit_code == 1, r.output
    # what the worker processes printed (their stderr is this process's): the cluster's shutdown is quiet,
    # no "CommClosedError ... Stream is closed" traceback from a heartbeat racing the close (intermittent)
    workers_said = capfd.readouterr().err
    assert "Traceback" not in workers_said and "Error" not in workers_said, workers_said
    assert f"failed: {policy_dir / 'zz-broken.txt'}: binary file (contains NUL bytes), not a text policy" in r.stderr
    assert "done 6 · failed 1 · left 0" in r.stderr  # the progress bar's last state
    assert "stored 6 policy versions from 5 files; 1 failed" in r.stderr

    assert ropa("export", "json", "-o", str(tmp_path / "serial.json"), "--db", serial_db).exit_code == 0
    assert ropa("export", "json", "-o", str(tmp_path / "parallel.json"), "--db", db_url).exit_code == 0
    serial = json.loads((tmp_path / "serial.json").read_text())
    parallel = json.loads((tmp_path / "parallel.json").read_text())
    assert (sorted(p["id"] for p in parallel["policies"])) == IDS
    assert len(parallel["nodes"]) > 100 and len(parallel["edges"]) > 300  # a real catalog, not an empty one
    assert parallel == serial


def test_extract_batch_on_an_existing_scheduler_reports_progress_and_failures(policy_dir):
    from dask.distributed import LocalCluster

    (policy_dir / "empty.md").write_text("  \n")
    files = sorted(policy_dir.iterdir())  # 000_….txt, Booking_com, WeTransfer, alibaba…, empty.md
    seen: list[tuple[int, int, int]] = []
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=":0") as cluster:
        result = extract_batch(files, scheduler=cluster.scheduler_address, on_progress=lambda *a: seen.append(a))
    assert result.failures == [(str(policy_dir / "empty.md"), "empty file")]
    ids = [x.policy.id for x in result.extractions]
    assert ids == [  # in file order, renamed as a serial build renames
        "alibaba-com-2019-01-17", "alibaba-com-2018-05-25", "booking-com-2026-08-01", "wetransfer-2026-08-01",
        "alibaba-com-2021-01-16", "alibaba-com-2021-01-16-r2022-03-05"]
    assert ids == [d.id for d in read_documents([f for f in files if f.name != "empty.md"])]
    renamed = result.extractions[-1]
    assert {e.policy_id for f in renamed.facts for e in f.evidence} == {renamed.policy.id}
    assert [s[0] for s in seen] == [1, 2, 3, 4, 5, 6]
    assert seen[-1] == (6, 1, 6)


def test_organisation_scoping(db_url):
    engine = make_engine(db_url)
    build([SEED, CORPUS / "other" / "Ikea.privacy.md", CORPUS / "other" / "WeTransfer.privacy.md"], engine)
    assert [x.policy.id for x in read_extractions(engine, organisation="ikea")] == ["ikea-2026-09-01"]
    assert [x.policy.id for x in read_extractions(engine, organisation="alibaba-com")] == [
        "alibaba-com-2018-05-25", "alibaba-com-2019-01-17"]  # ordered by effective date
    assert read_extractions(engine, organisation="nobody") == []

    r = ropa("policies", "--org", "alibaba-com", "--format", "json", "--db", db_url)
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [(p["id"], p["organisation"]) for p in rows] == [
        ("alibaba-com-2018-05-25", "alibaba-com"), ("alibaba-com-2019-01-17", "alibaba-com")]
    r = ropa("policies", "--org", "nobody", "--db", db_url)
    assert r.exit_code == 2
    assert "no organisation 'nobody' in the catalog; known: alibaba-com, ikea, wetransfer" in r.stderr


def test_chunked_batch_stores_what_a_serial_build_stores(db_url, policy_dir, tmp_path):
    """Chunks of two files (one transaction each, stored while the next ones are extracted): the two
    Alibaba snapshots claiming one date land in different chunks, and a copy of one policy in a
    subdirectory (same id, same text) must end up as the serial build leaves it: the later file's."""
    from catalog.pipeline.batch import build_batch, chunk_size
    from catalog.ingest.files import policy_files

    (policy_dir / "zz").mkdir()
    shutil.copy(policy_dir / "WeTransfer.privacy.md", policy_dir / "zz" / "WeTransfer.privacy.md")
    files = policy_files(policy_dir)
    serial_db = f"sqlite:///{tmp_path / 'serial.db'}"
    assert ropa("build", str(policy_dir), "--db", serial_db).exit_code == 0

    make_engine(db_url).dispose()
    seen: list[tuple[int, int, int]] = []
    result = build_batch(files, db_url, workers=2, chunk=2, on_progress=lambda *a: seen.append(a))
    assert result.failures == []
    assert [s.id for s in result.stored] == [  # in file order, as the serial build reports them
        "alibaba-com-2019-01-17", "alibaba-com-2018-05-25", "booking-com-2026-08-01", "wetransfer-2026-08-01",
        "alibaba-com-2021-01-16", "alibaba-com-2021-01-16-r2022-03-05", "wetransfer-2026-08-01"]
    assert seen[-1] == (6, 0, 6) and [s[0] for s in seen] == [1, 2, 3, 4, 5, 6]

    assert ropa("export", "json", "-o", str(tmp_path / "serial.json"), "--db", serial_db).exit_code == 0
    assert ropa("export", "json", "-o", str(tmp_path / "chunked.json"), "--db", db_url).exit_code == 0
    serial = json.loads((tmp_path / "serial.json").read_text())
    chunked = json.loads((tmp_path / "chunked.json").read_text())
    assert {p["id"]: p["source"] for p in chunked["policies"]}["wetransfer-2026-08-01"].endswith("zz/WeTransfer.privacy.md")
    assert chunked == serial
    assert chunk_size(1000, 2) == 12 and chunk_size(6, 2) == 1  # a few chunks per worker, small batches file by file
