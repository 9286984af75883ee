"""catalog.folded: a case-insensitive pattern matched on lower-cased text, with a pre-check of the
literals every match holds, finds exactly what `re` with IGNORECASE finds, at the same offsets:
checked on every cue pattern of the lexicons against every sentence of the seed and the vendor policies."""

from __future__ import annotations

import dataclasses
import re

import pytest

from catalog.extract.cues import cues, header_roles
from catalog.extract.mentions import mention_exclude
from catalog.folded import Folded, any_lead, finditer_all, fold, found_any, lower_pattern
from catalog.scanning import required_leads
from catalog.ingest.chrome import chrome_patterns
from catalog.ingest.documents import read_policy
from catalog.vocabulary import LEXICON_KINDS, lexicon
from tests.conftest import CORPUS, SEED


def _cue_patterns() -> list[tuple[str, Folded]]:
    c = cues()
    out: list[tuple[str, Folded]] = []
    for f in dataclasses.fields(c):
        value = getattr(c, f.name)
        if f.name == "actions":
            out += [(f"action:{n}", p) for n, p in value]
        elif isinstance(value, tuple):
            out += [(f"{f.name}[{i}]", p) for i, p in enumerate(value)]
        else:
            out.append((f.name, value))
    out += [(f"header:{role}", p) for role, p in header_roles()]
    out += [(f"chrome[{i}]", p) for i, p in enumerate(chrome_patterns())]
    for kind in LEXICON_KINDS:
        lex = lexicon(kind)
        for name in ("context_sentence", "context_section", "exclude_sentence"):
            if (p := getattr(lex, name)) is not None:
                out.append((f"{kind.value}:{name}", p))
        out += [(f"{kind.value}:mention_exclude[{i}]", p) for i, p in enumerate(mention_exclude(kind))]
    return out


@pytest.fixture(scope="module")
def sentences() -> list[str]:
    paths = [SEED, *sorted((CORPUS / "vendors").glob("*.md")), CORPUS / "other" / "PayPal.privacy.md"]
    out = [d.text[u.start : u.end] for p in paths for d in read_policy(p) for u in d.units]
    return out + ["İstanbul DATA shared", "We do NOT SHARE", ""]


def test_lower_pattern_keeps_escapes_classes_and_group_names():
    assert lower_pattern(r"\bNot\S+(?P<Name>EU|[A-Z])\W") == r"\bnot\S+(?P<Name>eu|[a-z])\W"
    assert lower_pattern(r"(?P=Name)X\\Y") == r"(?P=Name)x\\y"


def test_required_leads_are_held_by_every_match():
    assert required_leads(r"\b(?:if|where|when)\b") == ("if", "when", "where")
    assert required_leads(r"(\S+ \| ){3,}") == (" | ",)  # the first literal after a literal-free item
    assert required_leads(r"zz(?:\S+ab)cd") == ("zz",)  # "ab" need not follow "zz" directly
    assert required_leads(r"(?:x\w+y|zz)q") is None  # one alternative holds only "x"
    assert required_leads(r"x?yz") == ("yz",)
    assert required_leads(r"n['’]t\b") == ("n't", "n’t")  # a class of a few characters is their alternation
    assert required_leads(r"[a-z]t") is None  # a wide class is not
    # growing past 24 leads keeps the shorter ones: "by ", "via " rather than 25 "by e-mail"s
    assert required_leads(r"\b(by|via|per|or by|through) (mail|phone|sms|post|fax)\b") == ("by ", "or by ", "per ", "through ", "via ")
    # a pattern that keeps case still needs its literals in the lower-cased text
    assert fold(r"(?-i:[A-Z]\w+ (?:Policy|Notice))").could_match("see our cookie notice") is True
    assert fold(r"(?-i:[A-Z]\w+ (?:Policy|Notice))").could_match("see our cookie rules") is False


def test_every_cue_pattern_finds_what_ignorecase_finds(sentences: list[str]):
    patterns = _cue_patterns()
    assert len(patterns) > 40
    for name, p in patterns:
        ci = re.compile(p.pattern, re.IGNORECASE)
        for s in sentences:
            want = [(m.start(), m.end()) for m in ci.finditer(s)]
            got = [(m.start(), m.end()) for m in p.finditer(s)]
            assert got == want, (name, s)
            first = ci.search(s)
            found = p.search(s)
            assert (found.span() if found else None) == (first.span() if first else None), (name, s)
            given = p.search_low(s, s.lower())  # the text lowered once by the caller for several patterns
            assert (given.span() if given else None) == (first.span() if first else None), (name, s)
            assert bool(p.match(s)) == bool(ci.match(s)), (name, s)


def test_a_window_of_a_longer_text_and_a_text_that_changes_length():
    p = fold(r"\bshare\b")
    text = "We SHARE data. We share it."
    assert p.search(text, 15).span() == (18, 23)  # searched as it is, not lower-cased whole
    assert p.search("İ share").span() == (2, 7)  # "İ".lower() is two characters: matched the ordinary way
    assert fold(r"(?-i:[A-Z])\w+").search("the EEA").span() == (4, 7)  # inline flags keep their meaning
    assert p.search_low("İ share", "İ share".lower()).span() == (2, 7)
    assert fold(r"(?-i:[A-Z])\w+").search_low("the EEA", "the eea").span() == (4, 7)
    assert fold(r"(?-i:[A-Z])\w+").search_low("the eea", "the eea") is None


def test_searches_of_several_patterns_find_what_each_finds(sentences: list[str]):
    """found_any, finditer_all and any_lead lower-case a text once for several patterns (chrome,
    clause breaks, mention exclusions): the same answers as asking each pattern in turn."""
    groups = [chrome_patterns(), cues().clause_breaks, *(mention_exclude(k) for k in LEXICON_KINDS)]
    for ps in [g for g in groups if g]:
        lead = any_lead(ps)
        for s in sentences:
            each = [m.span() for p in ps for m in p.finditer(s)]
            assert [m.span() for m in finditer_all(ps, s)] == each, (ps, s)
            assert found_any(ps, s) == any(p.search(s) for p in ps), (ps, s)
            if lead is not None and each:
                assert lead.search(s.lower()), (ps, s)  # never rules out a text one of them matches
