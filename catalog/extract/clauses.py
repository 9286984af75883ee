"""Clauses of a unit of text and their polarity (pure).

A sentence often says two things ("we collect X to do A; we share Y with B", "we do not sell your
data, but we share it with partners"). Links are read inside one clause, and a negated clause
("we don't share your email with advertisers") states nothing: its mentions make no fact and no link.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from catalog.extract.cues import cues
from catalog.folded import finditer_all, fold


class Polarity(StrEnum):
    AFFIRMED = "affirmed"
    CONDITIONAL = "conditional"  # "if you choose to...", "where required by law"
    NEGATED = "negated"  # "we do not share...", "we never sell..."
    DISCOURAGED = "discouraged"  # "please do not send us health data"


@dataclass(frozen=True, slots=True)
class Clause:
    """A span of the document's text, absolute offsets, with what it says about its own truth."""

    start: int
    end: int
    polarity: Polarity

    @property
    def affirmed(self) -> bool:
        return self.polarity in (Polarity.AFFIRMED, Polarity.CONDITIONAL)


_PAREN = re.compile(r"\([^()]*\)")
#: a comma and a conjunction before a new subject: where a negated sentence may turn to an affirmed clause
_COORDINATED = re.compile(r",\s+(?:and|but|while|whereas|however)\s+(?=(?:the|our|this|these|such|all|any|some|most|it|they|we|"
                          r"[A-Z][\w-]*)\b)")


def to_clauses(text: str, start: int, end: int) -> tuple[Clause, ...]:
    """The clauses of text[start:end], with polarity; a negation is undone after 'except'/'unless'."""
    return tuple(Clause(start + a, start + b, pol) for a, b, pol in clause_spans(text[start:end]))


@functools.lru_cache(maxsize=65536)
def clause_spans(span: str) -> tuple[tuple[int, int, Polarity], ...]:
    """(start, end, polarity) of the clauses of one unit's text, offsets relative to it (memoised by
    text: the versions of a policy repeat most of their sentences)."""
    c = cues()
    # break points outside parentheses
    masked = span
    while "(" in masked:  # nested brackets too: "(including: (1) ...; and (2) ...)"
        unmasked, masked = masked, _PAREN.sub(lambda m: "\0" * len(m[0]), masked)
        if masked == unmasked:
            break
    cuts = [0]
    for at in sorted(m.start() for m in finditer_all(c.clause_breaks, masked)):
        if at > cuts[-1] + 3:
            cuts.append(at)
    cuts.append(len(span))
    if len(cuts) == 2 and (pol := polarity(span)) is not Polarity.NEGATED:
        return ((0, len(span), pol),)  # one clause, nothing to undo (most units)
    out: list[tuple[int, int, Polarity]] = []
    pieces: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        # a negated piece may hold an affirmed clause of its own: "... does not log personal information,
        # and the bulk of the query data is only stored for 25 hours"
        if polarity(span[a:b]) is Polarity.NEGATED:
            inner = [a] + [a + m.start() for m in _COORDINATED.finditer(masked[a:b]) if m.start() > 3] + [b]
            pieces.extend(zip(inner, inner[1:]))
        else:
            pieces.append((a, b))
    for a, b in pieces:
        piece = span[a:b]
        pol = polarity(piece)
        if pol is Polarity.NEGATED and (ex := c.exception.search(piece)):
            # "we do not share X, except with Y": the part after the exception is what happens
            out.append((a, a + ex.start(), Polarity.NEGATED))
            out.append((a + ex.start(), b, Polarity.CONDITIONAL))
            continue
        out.append((a, b, pol))
    return tuple(out)


#: a clause without any of these can be neither negated nor discouraged (a cheap test before the cue patterns)
_NEGATION_HINT = fold(r"\bno(?:t|r)?\b|n['’]t\b|\bnever\b|\bneither\b|\bcannot\b|\bavoid|\brefrain")


@functools.lru_cache(maxsize=65536)
def polarity(piece: str) -> Polarity:
    """Affirmed, conditional, negated or discouraged: what a clause says about its own statement."""
    c = cues()
    low = piece.lower()
    if not _NEGATION_HINT.search_low(piece, low):
        return Polarity.CONDITIONAL if c.condition.search_low(piece, low) else Polarity.AFFIRMED
    if c.discouraged.search_low(piece, low):
        return Polarity.DISCOURAGED
    for m in c.negation.finditer(piece):
        before = piece[max(0, m.start() - 60) : m.start()]
        if c.negation_void.search(before) or c.negation_void.search(piece[m.start() : m.end() + 25]):
            continue
        return Polarity.NEGATED
    if c.condition.search_low(piece, low):
        return Polarity.CONDITIONAL
    return Polarity.AFFIRMED


@functools.lru_cache(maxsize=65536)
def action(piece: str) -> str:
    """What the clause says is done with the data: the first action cue that matches ('' if none)."""
    low = piece.lower()
    for name, pat in cues().actions:
        if pat.search_low(piece, low):
            return name
    return ""
