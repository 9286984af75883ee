"""Packed evidence: the records a fact's or link's row holds come back as they went in, in order."""

from __future__ import annotations

import dataclasses

import pytest

from catalog.records import Link, Relation, Status
from catalog.store.packing import from_packed, to_packed
from catalog.store.rows import EvidenceReader, Phrases, to_rows


def test_records_come_back_in_order_in_the_narrow_layout_when_they_fit():
    records = [(-1, 0, 12, 1, 2), (3, 70_000, 250, 1, 1), (32_767, 4_000_000_000, 65_535, 65_535, 7)]
    blob = to_packed(records)
    assert blob[0] == 0 and len(blob) == 1 + 12 * len(records)
    assert list(from_packed(blob)) == records
    assert list(from_packed(to_packed([]))) == [] == list(from_packed(b""))


@pytest.mark.parametrize("record", [(40_000, 1, 2, 3, 4), (0, 1, 70_000, 3, 4), (0, 1, 2, 70_000, 4), (0, 1, -5, 3, 4)])
def test_a_value_beyond_the_narrow_layout_takes_the_wide_one(record):
    records = [(1, 2, 3, 4, 5), record]
    blob = to_packed(records)
    assert blob[0] == 1 and list(from_packed(blob)) == records


def test_offsets_beyond_32_bits_are_refused():
    with pytest.raises(ValueError, match="32 bits"):
        to_packed([(0, 2**33, 1, 1, 1)])


def test_an_extraction_through_rows_and_the_reader_is_the_same(seed_path):
    from catalog.extract import extract
    from catalog.ingest.documents import read_policy

    [x, *_] = [extract(d) for d in read_policy(seed_path)]
    phrases = Phrases([(1, "existing")])
    _, facts, links = to_rows(x, phrases)
    assert phrases["existing"] == 1 and [p["id"] for p in phrases.new] == list(range(2, 2 + len(phrases.new)))
    reader = EvidenceReader(x.policy, {i: t for t, i in phrases.items()})
    assert [reader.read(f["evidence"], f["evidence_text"]) for f in facts] == [f.evidence for f in x.facts]
    assert [reader.read(ln["evidence"], ln["evidence_text"]) for _, _, ln in links] == [ln.evidence for ln in x.links]


def test_evidence_that_is_not_its_slice_keeps_its_text(seed_path):
    from catalog.extract import extract
    from catalog.ingest.documents import read_policy

    [x, *_] = [extract(d) for d in read_policy(seed_path)]
    f = x.facts[0]
    odd = dataclasses.replace(f.evidence[0], quote="not the text", section="no such heading")
    x = dataclasses.replace(x, facts=(dataclasses.replace(f, evidence=(odd, *f.evidence[1:])), *x.facts[1:]))
    phrases = Phrases()
    _, facts, _ = to_rows(x, phrases)
    assert facts[0]["evidence_text"] == [[0, "no such heading", "not the text"]]
    assert all(r["evidence_text"] is None for r in facts[1:])
    assert EvidenceReader(x.policy, {i: t for t, i in phrases.items()}).read(
        facts[0]["evidence"], facts[0]["evidence_text"]) == x.facts[0].evidence


def test_a_link_to_a_node_that_is_not_a_fact_is_refused_naming_it(seed_path):
    from catalog.extract import extract
    from catalog.ingest.documents import read_policy

    [x, *_] = [extract(d) for d in read_policy(seed_path)]
    stray = Link(x.facts[0].id, "country:ZZ", Relation.TRANSFERRED_TO, Status.STATED)
    with pytest.raises(ValueError, match=r"country:ZZ.*not one of its facts"):
        to_rows(dataclasses.replace(x, links=(*x.links, stray)), Phrases())
