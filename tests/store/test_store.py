"""Store: real databases (a SQLite file; PostgreSQL in CI), replace-on-rebuild, idempotence, read-back."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from catalog.pipeline.build import build
from catalog.extract import extract
from catalog.graph.build import to_graph
from catalog.ingest.documents import read_policy
from catalog.store.database import database_url
from catalog.store.engine import make_engine
from catalog.store.read import read_counts, read_extractions, read_policies
from catalog.store.write import write_extractions
from catalog.store.tables import FactRow, PolicyRow, ReviewRow
from tests.conftest import stored_rows


def _count(engine, table, policy_id=None) -> int:
    with Session(engine) as s:
        q = select(func.count()).select_from(table)
        if policy_id:
            q = q.where(table.policy_id == policy_id)
        return s.execute(q).scalar_one()


def test_database_url_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert database_url(None) == "sqlite:///catalog.db"
    assert database_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert database_url("postgresql+psycopg://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/from-env.db")
    assert database_url(None) == "sqlite:////tmp/from-env.db"
    assert database_url("other.db") == "sqlite:///other.db"  # --db wins over the environment


def test_write_and_read_back_roundtrip(db_url, seed_path):
    engine = make_engine(db_url)
    extractions = [extract(d) for d in read_policy(seed_path)]
    write_extractions(engine, extractions)
    back = read_extractions(engine)
    assert [x.policy.id for x in back] == ["alibaba-com-2018-05-25", "alibaba-com-2019-01-17"]
    by_id = {x.policy.id: x for x in extractions}
    for x in back:
        orig = by_id[x.policy.id]
        assert x.policy.text == orig.policy.text and x.policy.content_hash == orig.policy.content_hash
        assert x.policy.effective_date == orig.policy.effective_date
        assert x.facts == orig.facts
        assert x.links == orig.links
    # the graph from stored records equals the graph from fresh ones
    assert sorted(to_graph(back).edges(keys=True)) == sorted(to_graph(extractions).edges(keys=True))


def test_rebuild_replaces_one_version_and_touches_nothing_else(db_url, seed_path):
    engine = make_engine(db_url)
    build([seed_path], engine)
    counts = [stored_rows(engine, "alibaba-com-2018-05-25"), stored_rows(engine, "alibaba-com-2019-01-17")]
    assert min(counts[0] + counts[1]) > 0
    with Session(engine) as s:
        s.add(ReviewRow(target="recipient:google", decision="confirm", reviewer="dpo@example.com"))
        s.commit()
    new = [x for x in (extract(d) for d in read_policy(seed_path)) if x.policy.id == "alibaba-com-2019-01-17"]
    write_extractions(engine, new)
    write_extractions(engine, new)  # idempotent
    after = [stored_rows(engine, "alibaba-com-2018-05-25"), stored_rows(engine, "alibaba-com-2019-01-17")]
    assert after == counts
    assert _count(engine, ReviewRow) == 1
    assert _count(engine, PolicyRow) == 2


def test_counts_per_kind(db_url, seed_path):
    engine = make_engine(db_url)
    build([seed_path], engine)
    counts = read_counts(engine)
    assert counts["alibaba-com-2019-01-17"]["controller"] == 1
    assert counts["alibaba-com-2019-01-17"]["country"] == 2
    assert counts["alibaba-com-2018-05-25"]["country"] == 2
    assert [p.id for p in read_policies(engine)] == ["alibaba-com-2018-05-25", "alibaba-com-2019-01-17"]
    assert {p.organisation for p in read_policies(engine)} == {"alibaba-com"}


def test_failed_write_leaves_database_as_it_was(tmp_path, seed_path):
    engine = make_engine(str(tmp_path / "c.db"))
    build([seed_path], engine)
    before = _count(engine, FactRow)
    good = [extract(d) for d in read_policy(seed_path)]
    bad = good[0].__class__(good[0].policy, good[0].facts + good[0].facts[:1], good[0].links)  # a duplicate fact
    try:
        write_extractions(engine, [good[1], bad])
    except Exception:
        pass
    else:
        raise AssertionError("a duplicate fact must violate the unique constraint")
    assert _count(engine, FactRow) == before


def test_graph_nodes_are_namespaced_with_evidence(seed_path):
    G = to_graph(extract(d) for d in read_policy(seed_path))
    n = G.nodes["data_category:user.financial.bank_account"]
    assert n["kind"] == "data_category" and n["key"] == "user.financial.bank_account"
    assert n["policy_ids"] == ["alibaba-com-2018-05-25", "alibaba-com-2019-01-17"]
    assert {e["policy_id"] for e in n["evidence"]} == set(n["policy_ids"])
    assert all(":" in node for node in G.nodes)
    e = G.edges["controller:alibaba-com-singapore-e-commerce-private-limited", "country:CN", "transferred_to"]
    assert e["attrs"]["scc"] is True and e["status"] == "stated"
    vk = G.nodes["recipient:vkontakte"]
    assert vk["policy_ids"] == ["alibaba-com-2018-05-25"]


def test_renamed_extraction_equals_extracting_under_the_new_id(seed_path):
    # the store renames inside its write transaction instead of extracting again: this holds only
    # while the version id appears in nothing but the document, the evidence and the warnings
    from dataclasses import replace

    from catalog.store.write import renamed

    doc = read_policy(seed_path)[0]
    assert renamed(extract(doc), doc.id + "-rX") == extract(replace(doc, id=doc.id + "-rX"))


def test_a_second_file_claiming_a_stored_id_is_stored_apart_and_the_same_file_replaces(db_url, tmp_path):
    engine = make_engine(db_url)
    text = "Acme Privacy Policy\n\nEffective date: 1 March 2024\n\nWe collect your email address{}.\n"
    first, other = tmp_path / "acme.txt", tmp_path / "acme-copy.txt"
    first.write_text(text.format(""))
    other.write_text(text.format(" and your name"))
    assert build([first], engine).policy_ids == ["acme-2024-03-01"]
    ids = build([other], engine).policy_ids
    assert ids[0].startswith("acme-2024-03-01-r") and build([other], engine).policy_ids == ids  # idempotent
    first.write_text(text.format(" and your postal address"))  # the same file, edited: replaces its version
    assert build([first], engine).policy_ids == ["acme-2024-03-01"]
    assert sorted(p.id for p in read_policies(engine)) == ["acme-2024-03-01", ids[0]]


def test_a_text_with_nul_bytes_made_without_read_policy_is_refused_naming_its_source(db_url):
    from catalog.ingest.documents import to_documents
    from catalog.ingest.files import InputError

    engine = make_engine(db_url)
    [doc] = to_documents("Acme Privacy Policy\n\nWe collect your email address.\x00\n", "archive/acme.md")
    with pytest.raises(InputError, match=r"^archive/acme.md: binary file \(contains NUL bytes\)"):
        write_extractions(engine, [extract(doc)])
    assert read_policies(engine) == []


def _corpus_extractions():
    """The seed and every policy of ../shared/corpus (other/, vendors/, the Alibaba.com versions), extracted."""
    from tests.conftest import CORPUS, SEED

    files = [SEED] + [p for d in ("other", "vendors", "alibaba-history") for p in sorted((CORPUS / d).glob("*.md"))]
    return [extract(doc) for f in files for doc in read_policy(f)]


def test_the_corpus_export_is_the_same_straight_from_extraction_and_read_back_from_the_store(db_url):
    """The store keeps evidence as offsets and reads the quotes back from the text: the JSON export
    (quotes, sections, offsets and all) of the corpus must not change by a byte through a write and a read."""
    import json

    from sqlalchemy import text

    from catalog.export.catalog_json import to_json

    extractions = _corpus_extractions()
    assert len(extractions) >= 20
    for x in extractions:  # what storing offsets relies on: every quote is its text's slice
        for item in (*x.facts, *x.links):
            assert all(x.policy.text[e.start:e.end] == e.quote for e in item.evidence), item
    engine = make_engine(db_url)
    extractions = write_extractions(engine, extractions)  # as stored: a second text claiming an id is renamed
    with engine.connect() as conn:  # no quote and no section title copied
        assert [conn.execute(text(f"SELECT COUNT(*), COUNT(evidence_text) FROM {t}")).one()[1] for t in ("fact", "link")
                ] == [0, 0]
    back = read_extractions(engine)
    assert sorted(x.policy.id for x in back) == sorted(x.policy.id for x in extractions)

    def dump(xs) -> str:  # noqa: ANN001
        return json.dumps(to_json(to_graph(xs)), indent=2, ensure_ascii=False, default=str)

    straight = {x.policy.id: x for x in extractions}  # in the store's order (organisation, then history)
    assert dump(back) == dump([straight[x.policy.id] for x in back])
    # and a version read on its own, or an organisation's versions, are the same as from the whole catalog
    by_id = {x.policy.id: x for x in back}
    [one] = read_extractions(engine, ["alibaba-com-2018-05-25"])
    assert one == by_id["alibaba-com-2018-05-25"]
    assert read_extractions(engine, organisation="alibaba-com") == [x for x in back if x.policy.id.startswith("alibaba-com")]
