"""Migrations: the schema comes from Alembic; an existing catalog is upgraded in place, never dropped."""

from __future__ import annotations

import datetime as dt
import fnmatch
import tomllib

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, event, func, insert, inspect, select, table, text
from sqlmodel import Session, SQLModel

from catalog.pipeline.build import build
from catalog.store.migrate import INITIAL, MIGRATIONS, alembic_config, current, head, upgrade
from catalog.store.engine import make_engine
from catalog.store.read import read_policies
from catalog.store.tables import FactRow, PolicyRow, ReviewRow
from tests.conftest import ROOT


def _count(engine, table) -> int:
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(table)).scalar_one()


def test_fresh_catalog_is_at_head_and_matches_the_tables(db_url):
    engine = make_engine(db_url)
    assert head() == "0004"
    assert current(engine) == "0004"
    # the migrations create exactly what catalog/store/tables.py declares (a table change needs a revision)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_catalog_at_an_older_revision_keeps_its_rows_on_upgrade(db_url, seed_path):
    engine = make_engine(db_url)
    build([seed_path], engine)
    with Session(engine) as s:
        s.add(ReviewRow(target="recipient:google", decision="confirm", reviewer="dpo@example.com"))
        s.commit()
    facts = _count(engine, FactRow)
    with engine.connect() as conn:  # back to the first schema (0002 adds the versions-repository columns)
        command.downgrade(alembic_config(conn), "0001")
        conn.commit()
    assert current(engine) == "0001"
    assert "commit_sha" not in {c["name"] for c in inspect(engine).get_columns("policy")}
    engine.dispose()

    engine = make_engine(db_url)
    assert current(engine) == head()
    policies = read_policies(engine)
    assert [p.id for p in policies] == ["alibaba-com-2018-05-25", "alibaba-com-2019-01-17"]
    assert {(p.repository, p.commit_sha, p.committed_at) for p in policies} == {("", "", None)}
    assert _count(engine, FactRow) == facts > 100
    assert _count(engine, ReviewRow) == 1


def test_catalog_made_before_migrations_is_stamped_not_recreated(db_url):
    engine = make_engine(db_url, create=False)
    # how the engine created catalogs before Alembic: the first schema's tables, no alembic_version
    upgrade(engine, INITIAL)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
        row = {"id": "acme-2020-01-01", "title": "Acme Privacy Policy", "publisher": "Acme", "organisation": "acme",
               "source": "acme.md", "retrieved": "", "content_hash": "0" * 64, "text": "# Acme\n", "sections": "[]",
               "warnings": "[]", "extractor": "1", "built_at": dt.datetime(2020, 1, 2, tzinfo=dt.timezone.utc)}
        conn.execute(insert(table("policy", *(column(k) for k in row))), [row])  # the first schema's columns only
    assert current(engine) is None

    engine = make_engine(db_url)
    assert current(engine) == head()
    assert [p.id for p in read_policies(engine)] == ["acme-2020-01-01"]


def test_make_engine_on_a_catalog_at_head_changes_nothing(db_url, seed_path):
    engine = make_engine(db_url)
    build([seed_path], engine)
    before = (_count(engine, PolicyRow), _count(engine, FactRow))
    statements: list[str] = []
    engine.dispose()

    again = make_engine(db_url, create=False)
    event.listen(again, "before_cursor_execute", lambda c, cur, stmt, *a: statements.append(stmt))
    upgrade(again)
    assert [s for s in statements if s.lstrip().upper().startswith(("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE"))] == []
    assert current(again) == head()
    assert (_count(again, PolicyRow), _count(again, FactRow)) == before


def test_migration_scripts_ship_in_the_package():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["catalog"]
    files = [p.relative_to(MIGRATIONS.parents[1]).as_posix() for p in MIGRATIONS.rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    assert "store/migrations/env.py" in files and "store/migrations/script.py.mako" in files
    assert "store/migrations/versions/0001_initial.py" in files
    missing = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in data)]
    assert missing == []


def test_the_scripts_read_without_alembic_name_what_alembic_reads(db_url):
    """head() and revisions() read the scripts' ids from their text (no Alembic import at start-up):
    the same as Alembic's own ScriptDirectory, and current() the same as its MigrationContext."""
    from alembic.script import ScriptDirectory

    from catalog.store.migrate import revisions

    scripts = ScriptDirectory.from_config(alembic_config())
    assert head() == scripts.get_current_head()
    assert revisions() == {r.revision for r in scripts.walk_revisions()}
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert current(engine) == MigrationContext.configure(conn).get_current_revision() == "0004"


def test_a_read_only_command_on_a_catalog_at_head_does_not_import_alembic(tmp_path, seed_path):
    import subprocess
    import sys

    db = tmp_path / "cat.db"
    build([seed_path], make_engine(str(db)))
    probe = ("import sys\nfrom catalog.cli.app import main\n"
             f"sys.argv = ['ropa', 'policies', '--db', {str(db)!r}]\n"
             "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
             "print('alembic' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert "alibaba-com-2019-01-17" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "False"


def _evidence_0002(engine) -> list[tuple]:
    """The evidence table of a catalog at revision 0002 as it stands: one row per evidence, quotes copied."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            'SELECT policy_id, owner, owner_key, section, quote, start, "end", rule, note FROM evidence ORDER BY id'))]


def _odd_evidence(conn) -> int:  # noqa: ANN001
    """Facts and links at 0004 that keep a section or quote beside their packed evidence."""
    return sum(conn.execute(text(f"SELECT COUNT(evidence_text) FROM {t}")).scalar_one() for t in ("fact", "link"))


def _to(engine, revision: str) -> None:
    with engine.connect() as conn:
        (command.downgrade if revision < (current(engine) or "") else command.upgrade)(alembic_config(conn), revision)
        conn.commit()


def test_a_catalog_at_0002_upgrades_to_offsets_and_reads_back_the_same(db_url, seed_path):
    """0003 drops the evidence's quote and section copies: a catalog made at 0002 (the rows a downgrade
    leaves are the rows the engine of then wrote) reads back exactly as before, review decisions and all."""
    from catalog.export.catalog_json import to_json
    from catalog.graph.build import to_graph
    from catalog.store.review import apply_reviews, read_reviews
    from catalog.store.read import read_extractions

    engine = make_engine(db_url)
    build([seed_path, ROOT.parent / "shared" / "corpus" / "other"], engine)
    before = read_extractions(engine)
    with Session(engine) as s:
        s.add(ReviewRow(target="recipient:google", decision="confirm", reviewer="dpo@example.com"))
        s.add(ReviewRow(target="recipient:vkontakte", decision="reject", reviewer="dpo@example.com",
                        policy_id="alibaba-com-2018-05-25", comment="not a recipient"))
        s.commit()
    exported = to_json(apply_reviews(to_graph(before), read_reviews(engine)))
    _to(engine, "0002")
    assert current(engine) == "0002"
    at_0002 = _evidence_0002(engine)
    n = sum(len(i.evidence) for x in before for i in (*x.facts, *x.links))
    assert len(at_0002) == n > 1000 and all(q for _, _, _, _, q, *_ in at_0002)  # quotes copied, as 0002 kept them
    engine.dispose()

    engine = make_engine(db_url)  # what any command does with an older catalog
    assert current(engine) == "0004"
    with engine.connect() as conn:
        assert _odd_evidence(conn) == 0
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
    assert read_extractions(engine) == before
    assert to_json(apply_reviews(to_graph(read_extractions(engine)), read_reviews(engine))) == exported
    assert _count(engine, ReviewRow) == 2
    _to(engine, "0002")
    assert _evidence_0002(engine) == at_0002


def test_evidence_that_is_not_its_slice_survives_the_upgrade_and_back(db_url, seed_path):
    """No extractor writes such evidence today; a catalog that holds one keeps it (quote and title as they were)."""
    from catalog.store.read import read_extractions

    engine = make_engine(db_url)
    build([seed_path], engine)
    _to(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("UPDATE evidence SET quote = 'We collect  your data', section = 'No such heading' "
                          "WHERE id = (SELECT MIN(id) FROM evidence)"))
    odd = _evidence_0002(engine)
    _to(engine, "0003")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM evidence WHERE quote IS NOT NULL")).scalar_one() == 1
        assert conn.execute(text("SELECT COUNT(*) FROM evidence WHERE section IS NOT NULL")).scalar_one() == 1
    _to(engine, "0004")
    with engine.connect() as conn:  # kept beside the packed records of its fact or link
        assert _odd_evidence(conn) == 1
    changed = [e for x in read_extractions(engine) for item in (*x.facts, *x.links) for e in item.evidence
               if e.quote == "We collect  your data"]
    assert [e.section for e in changed] == ["No such heading"]
    _to(engine, "0002")
    assert _evidence_0002(engine) == odd


def _evidence_0003(engine) -> dict[tuple, list[tuple]]:
    """The evidence of a catalog at revision 0003 by owner, the fact's node id or the link's key (row ids
    are not kept: a link at 0004 has none), each owner's in its stored order."""
    out: dict[tuple, list[tuple]] = {}
    with engine.connect() as conn:
        for r in conn.execute(text(
                "SELECT f.policy_id, f.node_id, l.policy_id, l.source || '|' || l.relation || '|' || l.target, "
                'e.section_index, e.start, e."end", e.rule, e.note, e.section, e.quote FROM evidence e '
                "LEFT JOIN fact f ON f.id = e.fact_id LEFT JOIN link l ON l.id = e.link_id ORDER BY e.id")):
            out.setdefault(tuple(r[:4]), []).append(tuple(r[4:]))
    return out


def test_a_catalog_at_0003_upgrades_to_packed_evidence_and_reads_back_the_same(db_url, seed_path):
    """0004 packs each fact's and link's evidence into its row and names a link's facts by row id: a
    catalog made at 0003 reads back exactly as before, its review decisions applied alike, and goes back."""
    from catalog.export.catalog_json import to_json
    from catalog.graph.build import to_graph
    from catalog.store.read import read_extractions
    from catalog.store.review import apply_reviews, read_reviews

    engine = make_engine(db_url)
    build([seed_path, ROOT.parent / "shared" / "corpus" / "other"], engine)
    before = read_extractions(engine)
    with Session(engine) as s:
        s.add(ReviewRow(target="recipient:google", decision="confirm", reviewer="dpo@example.com"))
        s.add(ReviewRow(target="data_category:user.contact.email|shared_with|recipient:google", decision="reject",
                        reviewer="dpo@example.com", policy_id="alibaba-com-2018-05-25", comment="not shared"))
        s.commit()
    exported = to_json(apply_reviews(to_graph(before), read_reviews(engine)))
    _to(engine, "0003")
    at_0003 = _evidence_0003(engine)
    n = sum(len(i.evidence) for x in before for i in (*x.facts, *x.links))
    assert sum(map(len, at_0003.values())) == n > 1000
    engine.dispose()

    engine = make_engine(db_url)
    assert current(engine) == "0004"
    assert read_extractions(engine) == before
    assert to_json(apply_reviews(to_graph(read_extractions(engine)), read_reviews(engine))) == exported
    assert _count(engine, ReviewRow) == 2
    _to(engine, "0003")
    assert _evidence_0003(engine) == at_0003
    with engine.begin() as conn:  # a link written at 0003 gets the next id (PostgreSQL: its sequence goes on)
        conn.execute(text("INSERT INTO link (policy_id, source, target, relation, status, attrs) VALUES "
                          "('alibaba-com-2018-05-25', 'controller:x', 'country:US', 'transferred_to', 'stated', '{}')"))
        assert conn.execute(text("SELECT MAX(id) FROM link")).scalar_one() == sum(len(x.links) for x in before) + 1
