"""Mentions: where a lexicon phrase names a concept in a unit of text that passes its kind's context gate."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from catalog.records import Kind, PolicyDocument, Unit
import functools

from catalog.vocabulary import TOKEN, LEXICON_KINDS, Lexicon, lexicon, phrase_index, read_yaml, stem


@dataclass(frozen=True, slots=True)
class Mention:
    kind: Kind
    concept: str
    unit: int  # index into doc.units
    start: int  # absolute offsets of the phrase in doc.text
    end: int

    @property
    def phrase_key(self) -> tuple[Kind, str]:
        return (self.kind, self.concept)


def gate_text(doc: PolicyDocument, unit: Unit) -> str:
    """The text a context gate reads: the unit and, for a list item, the sentence that introduces it
    or, when none does, the heading it sits under ('## Information we collect' / '- Email address')."""
    text = doc.text[unit.start : unit.end]
    if unit.lead_in >= 0:
        # the whole paragraph that introduces the list: "...only where we have a legal basis for doing
        # so. ... We process your information where:"
        lead = doc.units[unit.lead_in]
        first = unit.lead_in
        while first > 0 and doc.units[first - 1].paragraph == lead.paragraph:
            first -= 1
        text = doc.text[doc.units[first].start : lead.end] + " " + text
    elif unit.kind == "item" and unit.section >= 0 and unit.table < 0:
        text = doc.sections[unit.section].path[-1] + ": " + text
    if unit.table >= 0:  # a cell reads with its column's header ("Legal basis" / "Consent (where required)")
        head = " ".join(doc.text[h.start : h.end] for h in doc.units
                        if h.kind == "header" and h.table == unit.table and h.col == unit.col)
        text = head + ": " + text
    return text


def passes_gate(lex: Lexicon, doc: PolicyDocument, unit: Unit, cache: dict[int, str], idx: int) -> bool:
    if lex.context_sentence is None and lex.context_section is None and lex.exclude_sentence is None:
        return True
    text = cache.get(idx)
    if text is None:
        text = cache[idx] = gate_text(doc, unit)
    if lex.exclude_sentence is not None and lex.exclude_sentence.search(doc.text[unit.start : unit.end]):
        return False
    if lex.context_sentence is None and lex.context_section is None:
        return True
    if lex.context_sentence is not None and lex.context_sentence.search(text):
        return True
    return lex.context_section is not None and lex.context_section.search(doc.section_title(unit.section)) is not None


#: A heading that is little more than the name of a recipient or a data category ("AdMob",
#: "Google Analytics", "• Device IDs") lists it, as a bullet would; other headings only label sections.
HEADING_KINDS = frozenset({Kind.RECIPIENT, Kind.DATA_CATEGORY})
HEADING_SLACK = 12
#: kinds a heading names as the scope of what is under it ("Legitimate interests", "Marketing"),
#: whatever else the heading says
HEADING_SCOPE_KINDS = frozenset({Kind.LEGAL_BASIS, Kind.PURPOSE, Kind.DATA_SUBJECT})


def names_heading(doc: PolicyDocument, unit: Unit, kind: Kind, ident: str, a: int, b: int) -> bool:
    """True when a heading is just this phrase (give or take a bullet, a colon or a qualifier)."""
    if kind not in HEADING_KINDS:
        return False
    if kind is Kind.RECIPIENT:
        c = lexicon(kind).concepts.get(ident)
        if c is None or c.attrs.get("type") != "named":
            return False
    return (unit.end - unit.start) - (b - a) <= HEADING_SLACK


@functools.cache
def mention_exclude(kind: Kind) -> re.Pattern[str] | None:
    """A kind's `context.mention_exclude` regexes (read around the phrase, not the whole sentence)."""
    pats = (read_yaml(f"{kind.value}.yaml").get("context") or {}).get("mention_exclude") or []
    return re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) if pats else None


def excluded_here(doc: PolicyDocument, unit: Unit, kind: Kind, a: int, b: int) -> bool:
    pat = mention_exclude(kind)
    if pat is None:
        return False
    window = doc.text[max(unit.start, a - 16) : min(unit.end, b + 20)]
    offset = max(unit.start, a - 16)
    return any(m.start() + offset < b and a < m.end() + offset for m in pat.finditer(window))


_MASK = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\bhttps?://\S+|\bwww\.\S+")


_STEMS: dict[str, str] = {}


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(stemmed lower-case word, start, end) for every word, e-mail addresses and URLs left out."""
    masked = _MASK.sub(lambda m: " " * len(m[0]), text)
    out = []
    stems = _STEMS
    for m in TOKEN.finditer(masked):
        w = m[0]
        s = stems.get(w)
        if s is None:
            s = stem(w.lower())
            if len(stems) < 200_000:  # bounded: a word cache, not a leak
                stems[w] = s
        out.append((s, m.start(), m.end()))
    return out


def match_phrases(text: str, kinds: tuple[Kind, ...] = LEXICON_KINDS) -> list[tuple[Kind, str, int, int]]:
    """(kind, concept, start, end) of every phrase in text; per kind, the longest match wins and matches don't overlap."""
    lengths, table = phrase_table(kinds)
    toks = tokens(text)
    words = [t[0] for t in toks]
    n = len(words)
    free: dict[Kind, int] = {}
    out: list[tuple[Kind, str, int, int]] = []
    for i, word in enumerate(words):
        lens = lengths.get(word)
        if lens is None:
            continue
        for k in lens:  # longest first
            if i + k > n:
                continue
            entries = table.get(tuple(words[i : i + k]))
            if entries is None:
                continue
            for kind, ident, exact in entries:
                if free.get(kind, 0) > i:
                    continue
                start, end = toks[i][1], toks[i + k - 1][2]
                if exact and text[start:end] != exact:
                    continue
                out.append((kind, ident, start, end))
                free[kind] = i + k
    return out


@functools.cache
def phrase_table(kinds: tuple[Kind, ...]) -> tuple[dict[str, tuple[int, ...]], dict[tuple[str, ...], list[tuple[Kind, str, str]]]]:
    """The phrase index as (first word -> phrase lengths, longest first) and (phrase -> its concepts)."""
    lengths: dict[str, set[int]] = {}
    table: dict[tuple[str, ...], list[tuple[Kind, str, str]]] = {}
    for first, cands in phrase_index(kinds).items():
        for phrase, kind, ident, exact in cands:  # already longest first
            lengths.setdefault(first, set()).add(len(phrase))
            table.setdefault(phrase, []).append((kind, ident, exact))
    return {w: tuple(sorted(ls, reverse=True)) for w, ls in lengths.items()}, table


def find_mentions(doc: PolicyDocument, kinds: tuple[Kind, ...] = LEXICON_KINDS) -> list[Mention]:
    """All lexicon mentions in a document that pass their kind's context gate, in text order."""
    starts = [u.start for u in doc.units]
    out: list[Mention] = []
    cache: dict[int, str] = {}
    gate_ok: dict[tuple[Kind, int], bool] = {}
    for kind, ident, a, b in match_phrases(doc.text, kinds):
        i = bisect.bisect_right(starts, a) - 1
        if i < 0:
            continue
        unit = doc.units[i]
        if b > unit.end or (unit.kind == "heading" and kind not in HEADING_SCOPE_KINDS
                            and not names_heading(doc, unit, kind, ident, a, b)):
            continue
        ok = gate_ok.get((kind, i))
        if ok is None:
            ok = gate_ok[(kind, i)] = passes_gate(lexicon(kind), doc, unit, cache, i)
        if ok and not excluded_here(doc, unit, kind, a, b):
            out.append(Mention(kind, ident, i, a, b))
    out.sort(key=lambda m: (m.unit, m.start, m.kind))
    return out
