"""catalog.folded: a case-insensitive pattern matched on lower-cased text, with a pre-check of the
literals every match holds, finds exactly what `re` with IGNORECASE finds, at the same offsets:
checked on every cue pattern of the lexicons against every sentence of the seed and the vendor policies."""

from __future__ import annotations

import dataclasses
import re

import pytest

from catalog.extract.cues import cues, header_roles
from catalog.folded import Folded, fold, lower_pattern, required_leads
from catalog.ingest import read_policy
from catalog.vocabulary import LEXICON_KINDS, lexicon
from tests.conftest import CORPUS, SEED


def _cue_patterns() -> list[tuple[str, Folded]]:
    c = cues()
    out: list[tuple[str, Folded]] = []
    for f in dataclasses.fields(c):
        value = getattr(c, f.name)
        out += [(f"action:{n}", p) for n, p in value] if f.name == "actions" else [(f.name, value)]
    out += [(f"header:{role}", p) for role, p in header_roles()]
    for kind in LEXICON_KINDS:
        lex = lexicon(kind)
        for name in ("context_sentence", "context_section", "exclude_sentence"):
            if (p := getattr(lex, name)) is not None:
                out.append((f"{kind.value}:{name}", p))
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
            assert bool(p.match(s)) == bool(ci.match(s)), (name, s)


def test_a_window_of_a_longer_text_and_a_text_that_changes_length():
    p = fold(r"\bshare\b")
    text = "We SHARE data. We share it."
    assert p.search(text, 15).span() == (18, 23)  # searched as it is, not lower-cased whole
    assert p.search("İ share").span() == (2, 7)  # "İ".lower() is two characters: matched the ordinary way
    assert fold(r"(?-i:[A-Z])\w+").search("the EEA").span() == (4, 7)  # inline flags keep their meaning
