"""Mentions: where a lexicon phrase names a concept in a unit of text that passes its kind's context gate."""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.extract.cues import cues
from catalog.folded import Folded, any_lead, fold
from catalog.records import Kind, PolicyDocument, Unit
import functools

from catalog.vocabulary import TOKEN, LEXICON_KINDS, Lexicon, lexicon, phrase_index, read_yaml, stem


@dataclass(slots=True, unsafe_hash=True)
class Mention:
    """A lexicon phrase (or a name a stage found) in a unit. Never changed once made; not frozen: a
    frozen dataclass's __init__ costs four times as much, and a policy has thousands of mentions."""

    kind: Kind
    concept: str
    unit: int  # index into doc.units
    start: int  # absolute offsets of the phrase in doc.text
    end: int

    @property
    def phrase_key(self) -> tuple[Kind, str]:
        return (self.kind, self.concept)


def header_texts(doc: PolicyDocument) -> dict[tuple[int, int], str]:
    """(table, column) -> the text of that column's header cells."""
    out: dict[tuple[int, int], list[str]] = {}
    for h in doc.units:
        if h.kind == "header":
            out.setdefault((h.table, h.col), []).append(doc.text[h.start : h.end])
    return {k: " ".join(v) for k, v in out.items()}


def gate_text(doc: PolicyDocument, unit: Unit, headers: dict[tuple[int, int], str] | None = None) -> str:
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
        head = (headers if headers is not None else header_texts(doc)).get((unit.table, unit.col), "")
        text = head + ": " + text
    return text


def passes_gate(lex: Lexicon, doc: PolicyDocument, unit: Unit, cache: dict[int, tuple[str, str, str, str]], idx: int,
                headers: dict[tuple[int, int], str] | None = None) -> bool:
    """Whether a mention of the lexicon's kind in this unit is read (its context gate). `cache`: unit
    index -> its gate text and its own text, each with its lower-case form (read for every kind)."""
    if lex.context_sentence is None and lex.context_section is None and lex.exclude_sentence is None:
        return True
    texts = cache.get(idx)
    if texts is None:
        text, own = gate_text(doc, unit, headers), doc.text[unit.start : unit.end]
        texts = cache[idx] = (text, text.lower(), own, own.lower())
    text, low, own, own_low = texts
    if lex.exclude_sentence is not None and lex.exclude_sentence.search_low(own, own_low):
        return False
    if lex.context_sentence is None and lex.context_section is None:
        return True
    if lex.context_sentence is not None and lex.context_sentence.search_low(text, low):
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
    """True when a heading is just this phrase (give or take a bullet, a colon or a qualifier), or
    names data after a label that says so ("Personal data: Your image on CCTV", cues' data_label)."""
    if kind not in HEADING_KINDS:
        return False
    if kind is Kind.DATA_CATEGORY and (label := cues().data_label.match(doc.text[unit.start : unit.end])) \
            and a - unit.start >= label.end():
        return True
    if kind is Kind.RECIPIENT:
        c = lexicon(kind).concepts.get(ident)
        if c is None or c.attrs.get("type") != "named":
            return False
    return (unit.end - unit.start) - (b - a) <= HEADING_SLACK


@functools.cache
def mention_exclude(kind: Kind) -> tuple[Folded, ...]:
    """A kind's `context.mention_exclude` regexes (read around the phrase, not the whole sentence).

    Kept apart: one that keeps case ("(?-i:[A-Z]...)") would make their alternation case-insensitive
    matching on the original text, tried at every position; apart, each is rejected by its literals."""
    pats = (read_yaml(f"{kind.value}.yaml").get("context") or {}).get("mention_exclude") or []
    return tuple(fold(p) for p in pats)


@functools.cache
def mention_exclude_lead(kind: Kind) -> re.Pattern[str] | None:
    """A pre-check for `excluded_here`: the literals one of which every exclusion holds."""
    return any_lead(mention_exclude(kind))


def excluded_here(doc: PolicyDocument, unit: Unit, kind: Kind, a: int, b: int) -> bool:
    """Whether a match of one of the kind's `mention_exclude` patterns overlaps the phrase at a:b."""
    pats = mention_exclude(kind)
    if not pats:
        return False
    offset = max(unit.start, a - 16)
    window = doc.text[offset : min(unit.end, b + 20)]
    low = window.lower()
    lead = mention_exclude_lead(kind)
    if lead is not None and not lead.search(low):
        return False
    a, b = a - offset, b - offset
    for p in pats:  # finditer_all(pats, window, low), without the generators: this runs for most mentions of data
        for m in p.finditer_low(window, low):
            if m.start() < b and a < m.end():
                return True
    return False


_MASK = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b|\bhttps?://\S+|\bwww\.\S+")
#: what every match of _MASK holds; a match never holds a line break, so only lines with one are read
_MASK_HINTS = ("@", "http", "www.")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m[0])


def masked_addresses(text: str) -> str:
    """The text with e-mail addresses and URLs blanked out (same length). _MASK has no literal to start
    from, so the regex engine would try it at every position of a whole policy: it reads only the
    lines holding one of its hints (the same matches: none spans a line break)."""
    out: list[str] = []
    last, n = 0, len(text)
    nexts = [text.find(h) for h in _MASK_HINTS]
    while True:
        for k, q in enumerate(nexts):
            if 0 <= q < last:
                nexts[k] = text.find(_MASK_HINTS[k], last)
        p = min((q for q in nexts if q >= 0), default=-1)
        if p < 0:
            break
        a = text.rfind("\n", last, p) + 1 or last
        b = text.find("\n", p)
        b = n if b < 0 else b
        out.append(text[last:a])
        out.append(_MASK.sub(_blank, text[a:b]))
        last = b
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


class _StemCache(dict):
    """word -> its stem, filled on first look-up: a bounded word cache, read through dict.__getitem__
    (a C-level map over a policy's words; a miss calls __missing__)."""

    def __missing__(self, w: str) -> str:
        s = stem(w.lower())
        if len(self) < 200_000:  # bounded: a word cache, not a leak
            self[w] = s
        return s


_STEMS = _StemCache()
#: a text split into its separators and its words: ["", "We", " ", "collect", ": ", ...]
_WORDS_AND_GAPS = re.compile(rf"({TOKEN.pattern})")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """(stemmed lower-case word, start, end) for every word, e-mail addresses and URLs left out."""
    words, starts, ends = _words(text)
    return list(zip(words, starts, ends))


@functools.lru_cache(maxsize=4)
def lowered(text: str) -> str:
    """text.lower() of a whole policy text, kept for the stages of one extraction that read it."""
    return text.lower()


def units_to_search(doc: PolicyDocument, pattern: Folded) -> Iterable[int]:
    """The indices of the units (in order) in which the pattern may match: those holding one of the
    literals every match holds, found in the whole lower-cased text (str.find, not one search per
    unit); every unit when the pattern has none. A lower-cased unit is that unit of the lower-cased
    text: lower-casing goes letter by letter, but for the Greek final sigma, which no literal holds."""
    low = lowered(doc.text)
    leads = pattern.leads
    if leads is None or len(low) != len(doc.text) or any("σ" in x or "ς" in x for x in leads):
        return range(len(doc.units))
    units = doc.units
    starts = [u.start for u in units]
    found = set()
    for x in leads:
        p = low.find(x)
        while p >= 0:
            ui = bisect.bisect_right(starts, p) - 1
            if ui >= 0 and p + len(x) <= units[ui].end:
                found.add(ui)
                # the rest of that unit need not be read (up to the next unit's start, were they to overlap)
                p = low.find(x, min(units[ui].end, starts[ui + 1]) if ui + 1 < len(starts) else units[ui].end)
            else:
                p = low.find(x, p + 1)
    return sorted(found)


@functools.lru_cache(maxsize=4)
def words_of(text: str) -> tuple[list[str], list[int], list[int]]:
    """_words of a whole policy text, kept for the few stages of one extraction that read them
    (callers must not change the lists)."""
    return _words(text)


def _words(text: str) -> tuple[list[str], list[int], list[int]]:
    """The stemmed words of a text with their offsets, as three lists. The text is split into gaps and
    words and the offsets summed from their lengths: no match object per word (the whole policy is read)."""
    masked = masked_addresses(text)
    parts = _WORDS_AND_GAPS.split(masked)  # gap, word, gap, word, ..., gap
    bounds = list(itertools.accumulate(map(len, parts)))
    words = list(map(_STEMS.__getitem__, parts[1::2]))
    return words, bounds[0::2][:-1], bounds[1::2]


def match_phrases(text: str, kinds: tuple[Kind, ...] = LEXICON_KINDS) -> list[tuple[Kind, str, int, int]]:
    """(kind, concept, start, end) of every phrase in text; per kind, the longest match wins and matches don't overlap."""
    pairs, singles, table, lengths_at = phrase_table(kinds)
    words, starts, ends = words_of(text) if len(text) > 2000 else _words(text)
    n = len(words)
    free: dict[Kind, int] = {}
    out: list[tuple[Kind, str, int, int]] = []
    # the words a phrase starts at: half the words of a policy start some phrase ("the", "your"), far
    # fewer start one together with the word after them
    nexts = [*words[1:], ""]
    starting = map(operator.or_, map(pairs.__contains__, zip(words, nexts)), map(singles.__contains__, words))
    for i in itertools.compress(range(n), starting):
        w = words[i]
        for k in lengths_at.get((w, nexts[i]), _ONE):  # longest first
            if k == 1:
                entries = table.get((w,))
            elif i + k > n:
                continue
            else:
                entries = table.get(tuple(words[i : i + k]))
            if entries is None:
                continue
            for kind, ident, exact in entries:
                if free.get(kind, 0) > i:
                    continue
                start, end = starts[i], ends[i + k - 1]
                if exact and text[start:end] != exact:
                    continue
                out.append((kind, ident, start, end))
                free[kind] = i + k
    return out


#: a word that starts no longer phrase with the word after it starts a one-word one (it is in `singles`)
_ONE = (1,)


@functools.cache
def phrase_table(kinds: tuple[Kind, ...]) -> tuple[dict[tuple[str, str], tuple[int, ...]], frozenset[str],
                                                  dict[tuple[str, ...], list[tuple[Kind, str, str]]],
                                                  dict[tuple[str, str], tuple[int, ...]]]:
    """The phrase index as (first two words -> lengths of the phrases they start, longest first), the
    one-word phrases, (phrase -> its concepts), and (first two words -> the lengths of every phrase
    starting at the first, longest first: those two words' lengths, then 1 where the first is a phrase)."""
    lengths: dict[tuple[str, str], set[int]] = {}
    singles: set[str] = set()
    table: dict[tuple[str, ...], list[tuple[Kind, str, str]]] = {}
    for first, cands in phrase_index(kinds).items():
        for phrase, kind, ident, exact in cands:  # already longest first
            if len(phrase) == 1:
                singles.add(first)
            else:
                lengths.setdefault((phrase[0], phrase[1]), set()).add(len(phrase))
            table.setdefault(phrase, []).append((kind, ident, exact))
    pairs = {w: tuple(sorted(ls, reverse=True)) for w, ls in lengths.items()}
    lengths_at = {w: ls + _ONE if w[0] in singles else ls for w, ls in pairs.items()}
    return pairs, frozenset(singles), table, lengths_at


def find_mentions(doc: PolicyDocument, kinds: tuple[Kind, ...] = LEXICON_KINDS) -> list[Mention]:
    """All lexicon mentions in a document that pass their kind's context gate, in text order."""
    starts = [u.start for u in doc.units]
    out: list[Mention] = []
    cache: dict[int, tuple[str, str, str, str]] = {}
    gate_ok: dict[tuple[Kind, int], bool] = {}
    headers = header_texts(doc)
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
            ok = gate_ok[(kind, i)] = passes_gate(lexicon(kind), doc, unit, cache, i, headers)
        if ok and not excluded_here(doc, unit, kind, a, b):
            out.append(Mention(kind, ident, i, a, b))
    out.sort(key=lambda m: (m.unit, m.start, m.kind))
    return out
