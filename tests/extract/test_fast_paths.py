"""Shortcuts the extractor takes for speed find exactly what the plain pattern finds: checked on
literal cases and on every policy of the corpus (a shortcut that differed would change facts)."""

from __future__ import annotations

import re

import pytest

from catalog.extract.controller import whole_word_hits
from catalog.extract.mentions import _MASK, find_mentions, masked_addresses
from catalog.extract.parties import _last_word_char
from catalog.extract.statements import Role, to_statements
from catalog.extract.structure import _DANGLING, dangles
from catalog.ingest.documents import read_policy
from tests.conftest import CORPUS, SEED


def _blanked(text: str) -> str:
    return _MASK.sub(lambda m: " " * len(m[0]), text)


@pytest.fixture(scope="module")
def corpus_texts() -> list[str]:
    paths = sorted((CORPUS / "other").glob("*.md")) + sorted((CORPUS / "vendors").glob("*.md")) + [SEED]
    return [p.read_text(encoding="utf-8") for p in paths]


def test_masked_addresses_blanks_addresses_and_urls_only():
    text = "Write to dpo@example.com or see https://example.com/privacy.\nNo address here.\nwww.example.org too"
    assert masked_addresses(text) == (
        "Write to " + " " * len("dpo@example.com") + " or see " + " " * len("https://example.com/privacy.")
        + "\nNo address here.\n" + " " * len("www.example.org") + " too")
    assert masked_addresses("nothing to hide") == "nothing to hide"
    assert masked_addresses(".abc@x.com") == "." + " " * 9  # the match starts at the word, as _MASK's does


def test_masked_addresses_equals_the_pattern_on_every_policy(corpus_texts: list[str]):
    for text in corpus_texts:
        assert masked_addresses(text) == _blanked(text)


def test_whole_word_hits_are_the_matches_of_the_bounded_pattern(corpus_texts: list[str]):
    assert whole_word_hits("PayPal, PayPal's and PayPalX; xPayPal PayPal", "PayPal") == [(0, 6), (8, 14), (38, 44)]
    for text in corpus_texts:
        for name in ("Google", "Microsoft", "Inc", "Ltd", "data", "the"):
            want = [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text)]
            assert whole_word_hits(text, name) == want


def test_last_word_char_is_what_a_trailing_word_pattern_ends_on():
    assert _last_word_char("Moderators:") == "s"
    assert _last_word_char("• Auditors ).") == "s"
    assert _last_word_char("__") == "_"
    assert _last_word_char(" ... ") == ""
    for text in ("Payment partners", "Données à caractère personnel »", "Tier 2 ", "x-y-Z!"):
        m = re.search(r"\w(?=\W*\Z)", text)
        assert _last_word_char(text) == (m[0] if m else "")


def test_having_one_role_is_the_mentions_in_that_role_in_order():
    for doc in read_policy(SEED):
        statements = to_statements(doc, find_mentions(doc))
        assert any(st.having(Role.DATA) for st in statements)
        for st in statements:
            for role in Role:
                assert st.having(role) == [m for m, r in zip(st.mentions, st.roles) if r is role]


def test_dangles_is_the_end_anchored_pattern_read_in_the_tail(corpus_texts: list[str]):
    assert dangles("It is necessary to fulfil our contract, including")
    assert dangles("x" * 500 + " such" + " " * 300 + "as ")  # a match longer than the tail
    assert not dangles("x" * 500 + " such" + " " * 300 + "as well.")
    assert not dangles("We collect your email address.")
    for text in corpus_texts:
        for line in text.splitlines():
            assert dangles(line) == (_DANGLING.search(line) is not None)


def test_memo_caches_change_no_export(corpus_texts: list[str]):
    """The extractor memoises pieces of text (clauses, polarity, actions, stems...) across versions:
    the JSON export of the corpus is the same read cold (caches emptied) or warm (each text seen)."""
    import json

    from catalog.export.catalog_json import to_json
    from catalog.extract import clear_text_caches, extract
    from catalog.extract import mentions
    from catalog.graph.build import to_graph
    from catalog.ingest.documents import to_documents

    docs = [d for i, t in enumerate(corpus_texts) for d in to_documents(t, f"policy-{i}.md", "markdown")]

    def exported() -> dict:
        return to_json(to_graph([extract(d) for d in docs]))

    clear_text_caches()
    mentions._STEMS.clear()
    cold = exported()
    warm = exported()
    assert len(cold["policies"]) == len(docs) and len(cold["nodes"]) > 300 and len(cold["edges"]) > 300
    assert json.dumps(warm, sort_keys=True, default=str) == json.dumps(cold, sort_keys=True, default=str)


def test_collector_paused_restores_what_it_found():
    import gc

    from catalog.collector import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # an inner pause leaves the outer one in force
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # it was off: it stays off
    finally:
        gc.enable()


def _all_folded() -> list:
    """Every case-insensitive cue pattern the extractor has compiled (read from the seed first, so the
    lazily built ones exist too)."""
    import gc

    from catalog.extract import extract
    from catalog.folded import Folded

    for doc in read_policy(SEED):
        extract(doc)
    return [o for o in gc.get_objects() if isinstance(o, Folded)]


def test_scanning_patterns_keep_every_match():
    from catalog.scanning import scanning_patterns

    cases = {r"\bbased on\b": ["based on", "xbased on", "it is based on it", "_based on", "é based on", "\nbased on"],
             r"\b(?:this|that)\s+data|^\s*it\b": ["this data", "it is", " it", "athis data", "so it", "that  data"],
             r"\b(fulfil+|perform)\w*\s+(a|the)\b": ["fulfill the", "performing a", "xperform a", "(fulfil a)"],
             r"\b(?:this|th\w+)\s+data|\buse\s+it|x": ["this data", "these data", "use it", "ause it", "thisdata x"],
             r"(?:ab|a)(c|bc)|\bq": ["abc", "ac", "abbc", "q", "aq"]}
    for pattern, texts in cases.items():
        full, rest = scanning_patterns(pattern)
        plain = re.compile(pattern)
        assert full is not None and (rest is not None) == ("^" in pattern)
        for text in texts:
            assert [(m.span(), m.groups()) for m in full.finditer(text)] == [(m.span(), m.groups()) for m in plain.finditer(text)]
            want = plain.search(text)
            got = (full.match(text) or rest.search(text)) if rest is not None else full.search(text)
            assert (got and (got.span(), got.groups())) == (want and (want.span(), want.groups())), (pattern, text)


def test_scanning_patterns_find_what_the_plain_patterns_find_on_every_policy(corpus_texts: list[str]):
    """Each cue pattern, with its opening word boundaries moved past their literals and its start-only
    alternatives set apart for searches, finds what the pattern as written finds, in every policy
    (whole texts and each line: a search, and every match)."""
    from catalog.folded import lower_pattern

    folded = _all_folded()
    assert len(folded) > 50 and sum(f._rest is not None for f in folded) >= 2
    lows = [t.lower() for t in corpus_texts]
    lines = [line for low in lows for line in low.splitlines() if line.strip()]
    for f in folded:
        if f._lower is None:
            continue
        plain = re.compile(lower_pattern(f.pattern))
        for low in lows:
            assert [(m.span(), m.groups()) for m in f._lower.finditer(low)] == \
                [(m.span(), m.groups()) for m in plain.finditer(low)], f.pattern
        for line in lines:
            want = plain.search(line)
            got = f.search_low(line, line)
            assert (got and got.span()) == (want and want.span()), (f.pattern, line)


def test_units_to_search_hold_every_unit_a_pattern_finds(corpus_texts: list[str]):
    """The units looked for by their literals in the whole lower-cased text are a superset of the
    units in which each cue pattern (and each lexicon's context) finds a match."""
    from catalog.extract.mentions import units_to_search
    from catalog.ingest.documents import to_documents

    folded = _all_folded()
    docs = [d for i, t in enumerate(corpus_texts) for d in to_documents(t, f"policy-{i}.md", "markdown")]
    narrowed = 0
    for doc in docs:
        texts = [doc.text[u.start : u.end] for u in doc.units]
        for f in folded:
            found = {i for i, t in enumerate(texts) if f.search(t)}
            kept = set(units_to_search(doc, f))
            assert found <= kept, (doc.source, f.pattern)
            narrowed += len(kept) < len(texts)
    assert narrowed > 1000  # the literals do narrow the search


def test_folded_retention_rules_find_what_ignorecase_finds(corpus_texts: list[str]):
    """RULE and REMEDIAL are matched on lower-cased text: every match of the case-insensitive
    pattern, at the same offsets, in every line of every policy (the rule's words are read from the text)."""
    from catalog.extract.retention import REMEDIAL, RULE

    lines = [line for t in corpus_texts for line in t.splitlines() if line.strip()]
    for pat in (RULE, REMEDIAL):
        plain = re.compile(pat.pattern, re.IGNORECASE)
        found = 0
        for line in lines:
            want = [m.span() for m in plain.finditer(line)]
            assert [m.span() for m in pat.finditer(line)] == want, line
            assert (pat.search_low(line, line.lower()) is not None) == bool(want)
            found += bool(want)
        assert found > 0


def test_names_is_whether_having_finds_any():
    import itertools

    for doc in read_policy(SEED):
        statements = to_statements(doc, find_mentions(doc))
        assert any(st.names(Role.DATA) for st in statements) and not all(st.names(Role.DATA) for st in statements)
        for st in statements:
            for roles in itertools.chain(((r,) for r in Role), itertools.combinations(list(Role)[:6], 2)):
                assert st.names(*roles) == bool(st.having(*roles))
