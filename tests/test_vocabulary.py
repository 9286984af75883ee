"""The vocabulary data files: every key is a real fideslang key / enum value / ISO code, ids are unique."""

from __future__ import annotations

import pytest
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from fideslang.models import LegalBasisForProcessingEnum, LegalBasisForTransfersEnum, SpecialCategoryLegalBasisEnum

from catalog.extract.mentions import match_phrases
from catalog.records import Kind
from catalog.vocabulary import adequacy_decisions, eea_countries, lexicon, link_rules, read_yaml, recipient_registry


def test_data_category_keys_are_fideslang():
    known = {c.fides_key for c in DEFAULT_TAXONOMY.data_category}
    for c in lexicon(Kind.DATA_CATEGORY).concepts.values():
        assert c.key in known, c.id
        assert c.id == c.key or c.id.startswith(c.key.rsplit(".", 1)[0]), c.id


def test_purpose_keys_are_fideslang_data_uses():
    known = {c.fides_key for c in DEFAULT_TAXONOMY.data_use}
    for c in lexicon(Kind.PURPOSE).concepts.values():
        assert c.key in known, c.id


def test_data_subject_keys_are_fideslang_or_empty():
    known = {c.fides_key for c in DEFAULT_TAXONOMY.data_subject}
    for c in lexicon(Kind.DATA_SUBJECT).concepts.values():
        assert c.key == "" or c.key in known, c.id


def test_legal_bases_use_fideslang_enums():
    art6 = {e.value for e in LegalBasisForProcessingEnum}
    art9 = {e.value for e in SpecialCategoryLegalBasisEnum}
    for c in lexicon(Kind.LEGAL_BASIS).concepts.values():
        assert c.key in (art9 if c.attrs["article"].startswith("9") else art6), c.id
    assert {c.key for c in lexicon(Kind.LEGAL_BASIS).concepts.values() if c.attrs["article"].startswith("6")} == art6


def test_safeguards_use_fideslang_transfer_enum():
    known = {e.value for e in LegalBasisForTransfersEnum}
    assert all(c.key in known for c in lexicon(Kind.SAFEGUARD).concepts.values())
    assert lexicon(Kind.SAFEGUARD).concepts["scc"].key == "SCCs"


def test_countries_and_registries():
    codes = {c.key for c in lexicon(Kind.COUNTRY).concepts.values()}
    assert all(len(c) == 2 and c.isupper() for c in codes)
    assert len(eea_countries()) == 30 and "NO" in eea_countries() and "GB" not in eea_countries()
    assert set(adequacy_decisions()) <= codes
    assert adequacy_decisions()["US"]["partial"] is True and "JP" in adequacy_decisions()
    for r in recipient_registry().values():
        assert r.attrs["home_country"] in codes, r.id
    assert recipient_registry()["yandex"].attrs["home_country"] == "RU"


@pytest.mark.parametrize("kind", list(Kind))
def test_ids_unique_per_kind(kind):
    if kind is Kind.CONTROLLER:
        return
    data = read_yaml(f"{kind.value}.yaml")
    ids = [e["id"] for e in data["entries"]]
    assert len(ids) == len(set(ids))


def test_phrase_matching_longest_wins_and_case_sensitive_exact():
    found = match_phrases("We share credit card numbers with US banks and with us.", (Kind.DATA_CATEGORY, Kind.COUNTRY))
    assert [(k.value, c) for k, c, _, _ in found] == [("data_category", "user.financial.credit_card"), ("country", "US")]
    found = match_phrases("send your e-mail addresses to support@email.com", (Kind.DATA_CATEGORY,))
    assert [c for _, c, _, _ in found] == ["user.contact.email"]


def test_relation_schema_covers_every_relation():
    from catalog.records import Relation

    schema = {r.relation for r in link_rules()}
    assert schema | {Relation.TRANSFERRED_TO} == set(Relation)


@pytest.mark.parametrize("kind", [k for k in Kind if k is not Kind.CONTROLLER])
def test_entries_have_no_stray_keys(kind):
    """A comma in an unquoted flow-style label splits it into a stray key (YAML's trap)."""
    allowed = {"id", "label", "key", "phrases", "exact", "special_category", "criminal", "type", "home_country",
               "role", "article", "eea", "unnamed", "implies_basis", "as_art6"}
    for e in read_yaml(f"{kind.value}.yaml")["entries"]:
        assert set(e) <= allowed, (e["id"], set(e) - allowed)
        assert isinstance(e["label"], str) and e["label"].count("(") == e["label"].count(")"), e["id"]


def test_every_data_file_reads_the_same_as_with_the_pure_python_loader():
    """read_yaml uses libyaml's loader where there is one: the vocabulary must not change with it."""
    import yaml
    from importlib import resources

    files = sorted(p for p in resources.files("catalog").joinpath("lexicons").iterdir() if p.name.endswith(".yaml"))
    assert len(files) > 15
    for p in files:
        assert read_yaml(p.name) == yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.SafeLoader), p.name  # noqa: S506
