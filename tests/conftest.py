"""Shared fixtures: the seed and corpus paths, and real databases (a SQLite file; PostgreSQL when
CI provides one through ROPA_TEST_POSTGRES_URL)."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_1847cb862053c11f.txt"
DEMO = ROOT / "data" / "policies" / "alibaba-com-privacy-policy.txt"
CORPUS = SHARED / "corpus"
POSTGRES_URL = os.environ.get("ROPA_TEST_POSTGRES_URL", "")


#: The catalog the dashboard is tried on, as a DPO's reviewer did: the seed (2 versions), the Alibaba.com
#: history (6: one snapshot re-dates an old text) and the other companies' policies (5): 13 versions.
CATALOG13_SOURCES = (SEED, CORPUS / "alibaba-history", CORPUS / "other")


@pytest.fixture(scope="session")
def catalog13_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file holding the 13-version catalog, built once per test session (tests that write
    review decisions copy it first)."""
    from catalog.pipeline.build import build
    from catalog.store.engine import make_engine

    db = tmp_path_factory.mktemp("catalog13") / "catalog.db"
    engine = make_engine(str(db))
    build(list(CATALOG13_SOURCES), engine)
    engine.dispose()
    return str(db)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    assert SEED.exists(), f"the seed is missing at {SEED}"
    return SEED


def _postgres_database() -> str:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards by the fixture."""
    from sqlalchemy import create_engine, text

    name = f"ropa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


#: Why a PostgreSQL variant did not run; with ROPA_REQUIRE_POSTGRES=1 (CI) it fails instead.
NO_POSTGRES = "set ROPA_TEST_POSTGRES_URL to run against PostgreSQL"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path):
    """A database URL on each real backend: a SQLite file, and PostgreSQL when ROPA_TEST_POSTGRES_URL
    names a server (CI). Without one the PostgreSQL variant is reported as skipped, never dropped."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'catalog.db'}"
        return
    if not POSTGRES_URL:
        if os.environ.get("ROPA_REQUIRE_POSTGRES"):
            pytest.fail(f"ROPA_REQUIRE_POSTGRES is set: {NO_POSTGRES}")
        pytest.skip(NO_POSTGRES)
    url = _postgres_database()
    try:
        yield url
    finally:
        from sqlalchemy.orm import close_all_sessions

        close_all_sessions()
        _drop_postgres_database(url)


@pytest.fixture(scope="session")
def seed_graph(seed_path):
    """The processing graph of the seed's two versions, extracted once (tests copy it before changing it)."""
    from catalog.extract import extract
    from catalog.graph.build import to_graph
    from catalog.ingest.documents import read_policy

    return to_graph(extract(d) for d in read_policy(seed_path))


def assert_evidence_holds(x) -> None:
    """Every fact and link of an extraction has evidence whose quote is the text at its offsets,
    and every inferred link says why (its note)."""
    from catalog.records import Status

    assert x.facts and x.links
    for item in (*x.facts, *x.links):
        assert item.evidence, item
        for e in item.evidence:
            assert e.policy_id == x.policy.id
            assert x.policy.text[e.start:e.end] == e.quote
            assert e.rule
    for link in x.links:
        if link.status is Status.INFERRED:
            assert any(e.note for e in link.evidence), link


#: A policy with markup in it: the dashboard must show it as text and run nothing.
MARKUP_POLICY = (
    "Evil Shop Privacy Policy\n\nEffective date: 1 March 2024\n\n1. Information we collect\n\n"
    "We collect your email address and your <b>phone number</b> when you register. "
    '<script>alert("pwned")</script> <img src=x onerror=alert(1)>\n\n'
    "2. How we share it\n\nWe share your email address with Google for advertising.\n"
)


def write_markup_policy(directory: Path) -> Path:
    path = directory / "evil-shop-privacy-policy.txt"
    path.write_text(MARKUP_POLICY, encoding="utf-8")
    return path


#: The Open Terms Archive texts of ../shared/corpus as contrib-versions recorded them (SOURCES.md):
#: (service folder, corpus file, commit date). The Alibaba.com files are named after their commit dates.
OTA_RECORDINGS = tuple(
    [("Alibaba.com", f"alibaba-history/{p.name}", p.stem.rsplit("-privacy-", 1)[1])
     for p in sorted((CORPUS / "alibaba-history").glob("*.md"))]
    + [("Booking.com", "other/Booking_com.privacy.md", "2026-08-20"), ("Ikea", "other/Ikea.privacy.md", "2026-08-17"),
       ("WeTransfer", "other/WeTransfer.privacy.md", "2026-08-07"), ("PayPal", "other/PayPal.privacy.md", "2026-06-09"),
       ("Proton Mail", "other/Proton_Mail.privacy.md", "2026-06-27")]
)


def ota_versions(services: tuple[str, ...] | None = None) -> list:
    """(service, text, commit time) in commit order, each at 09:30 Paris time (+02:00) on its date."""
    import datetime as dt

    tz = dt.timezone(dt.timedelta(hours=2))
    out = [(s, (CORPUS / f).read_text(encoding="utf-8"), dt.datetime.fromisoformat(f"{d}T09:30:00").replace(tzinfo=tz))
           for s, f, d in OTA_RECORDINGS if services is None or s in services]
    return sorted(out, key=lambda v: v[2])


@pytest.fixture(scope="session")
def ota_repo(tmp_path_factory) -> Path:
    """A versions repository in the OTA layout, one commit per recorded text (read-only: copy to change)."""
    from catalog.ingest.ota import write_repository

    return write_repository(tmp_path_factory.mktemp("ota") / "contrib-versions", ota_versions())


def run_ropa_unprivileged(*args: str, cwd: Path | None = None):
    """`python -m catalog ARGS` in a subprocess that file permissions apply to.

    As root (CI) the process keeps its uid but loses the capabilities that override permissions
    (setpriv, util-linux), so a file made unreadable or read-only by the test really is.
    """
    import shutil
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "catalog", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            reason = "running as root without setpriv (util-linux): cannot make a file unreadable to the test"
            if any(k.startswith("ROPA_REQUIRE_") and v for k, v in os.environ.items()):
                pytest.fail(f"a ROPA_REQUIRE_* flag is set (CI): {reason}")
            pytest.skip(reason)
        caps = "-dac_override,-dac_read_search"
        cmd = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=cwd or ROOT, timeout=300)


def stop_process(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Terminate a server the test started, and kill it if it does not stop in time."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def stored_rows(engine, policy_id: str) -> tuple[int, int, int]:  # noqa: ANN001
    """(facts, links, evidence) the catalog holds for one version (a link names its facts by row id, and
    each fact's and link's evidence is packed in its row)."""
    from sqlalchemy import select
    from sqlmodel import Session

    from catalog.store.packing import from_packed
    from catalog.store.tables import FactRow, LinkRow

    F, L = FactRow.__table__, LinkRow.__table__
    ids = select(F.c.id).where(F.c.policy_id == policy_id)
    with Session(engine) as s:
        packed = [s.execute(select(t.c.evidence).where(c.in_(ids))).scalars().all() for t, c in ((F, F.c.id), (L, L.c.source_id))]
    facts, links = map(len, packed)
    evidence = sum(len(list(from_packed(b))) for rows in packed for b in rows)
    return facts, links, evidence
