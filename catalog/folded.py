"""Case-insensitive patterns matched on lower-cased text (pure).

Python's `re` skips ahead quickly only on a case-sensitive pattern: with IGNORECASE it tries every
alternative of a cue list ("\\b(?:if|where|when|...)") at every position of the text, and the cue
patterns were most of extraction's time. `fold(pattern)` compiles the pattern with its letters in
lower case, without IGNORECASE, and matches it on `text.lower()`: the same matches at the same
offsets, about twice as fast. Patterns that need case (`(?-i:[A-Z])`) and texts whose lower-case form
has another length ("İ") are matched the ordinary way.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator

from catalog.scanning import USEFUL_LEADS, required_leads, scanning_patterns

#: inline flag groups: a pattern with any of them keeps IGNORECASE on the original text
_INLINE_FLAGS = re.compile(r"\(\?-?[aiLmsux]")


def lower_pattern(pattern: str) -> str:
    """The pattern with its literal letters in lower case; escapes (\\S, \\W, \\B, \\Z ...) and group
    names kept as they are."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if pattern.startswith(("(?P<", "(?P="), i):
            end = pattern.index(">" if pattern[i + 3] == "<" else ")", i)
            out.append(pattern[i : end + 1])
            i = end + 1
            continue
        out.append(ch.lower())
        i += 1
    return "".join(out)


class Folded:
    """A compiled case-insensitive pattern with the methods of `re.Pattern` that extraction uses.

    A match is of the lower-cased text: read its offsets (m.start(), m.end()) and take the words from
    the original text; m[0] and the groups are lower case."""

    __slots__ = ("pattern", "_ci", "_lower", "_rest", "_leads")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._ci = re.compile(pattern, flags | re.IGNORECASE)
        foldable = not _INLINE_FLAGS.search(pattern)
        #: the pattern on lower-cased text, and without its start-only alternatives (scanning_patterns)
        self._lower: re.Pattern[str] | None
        self._rest: re.Pattern[str] | None
        self._lower, self._rest = scanning_patterns(lower_pattern(pattern), flags & ~re.IGNORECASE) if foldable else (None, None)
        #: a cheap test before the pattern: one of these strings is in the lower-cased form of every text
        #: it matches (true of a pattern that keeps case in part, "(?-i:[A-Z]\w+ Policy)", too)
        leads = required_leads(lower_pattern(pattern))
        self._leads = leads if leads is not None and len(leads) <= USEFUL_LEADS else None

    def _pick(self, text: str, pos: int, endpos: int) -> tuple[re.Pattern[str], str]:
        # a window of a longer text (pos, endpos) is searched as it is: lowering the whole text for it
        # would cost more than the pattern
        if self._lower is not None and pos == 0 and endpos == sys.maxsize:
            low = text.lower()
            if len(low) == len(text):
                return self._lower, low
        return self._ci, text

    def could_match(self, low: str) -> bool:
        """False when the lower-cased text `low` lacks every literal a match needs: then neither it nor
        any part of it matches (a test for many searches in pieces of one text)."""
        return not self._absent(low)

    @property
    def leads(self) -> tuple[str, ...] | None:
        """The literals (lower case) one of which every match holds, or None."""
        return self._leads

    def _absent(self, low: str) -> bool:
        """Whether the lower-cased text lacks every required lead (then the pattern cannot match)."""
        leads = self._leads
        if leads is None:
            return False
        for x in leads:  # a loop, not any(generator): this runs for every search of every cue
            if x in low:
                return False
        return True

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if pos or endpos != sys.maxsize:  # a window of a longer text: searched as it is
            return self._ci.search(text, pos, endpos)
        return self.search_low(text, text.lower())

    def search_low(self, text: str, low: str) -> re.Match[str] | None:
        """search(text), given low = text.lower() (for several patterns read in one text, lowered once)."""
        leads = self._leads
        if leads is not None:  # _absent, inlined: this runs for every search of every cue
            for x in leads:
                if x in low:
                    break
            else:
                if self._lower is None or len(low) == len(text):
                    return None
        rx = self._lower
        if rx is None or len(low) != len(text):
            return self._ci.search(text)
        if self._rest is not None:
            return rx.match(low) or self._rest.search(low)
        return rx.search(low)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, s = self._pick(text, pos, endpos)
        return rx.match(s, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, s = self._pick(text, pos, endpos)
        return rx.fullmatch(s, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        rx, s = self._pick(text, pos, endpos)
        if pos == 0 and endpos == sys.maxsize and self._absent(s if rx is self._lower else text.lower()):
            return iter(())
        return rx.finditer(s, pos, endpos)

    def finditer_low(self, text: str, low: str) -> Iterator[re.Match[str]]:
        """finditer(text), given low = text.lower()."""
        if self._absent(low):
            return iter(())
        return self._lower.finditer(low) if self._lower is not None and len(low) == len(text) else self._ci.finditer(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        """Replace on the text as it is (case-insensitive, not lower-cased)."""
        return self._ci.sub(repl, text, count)

    def __repr__(self) -> str:
        return f"fold({self.pattern!r})"


def found_any(patterns: tuple[Folded, ...], text: str) -> bool:
    """Whether any of the patterns is found in the text, lower-casing it once for all of them."""
    low = text.lower()
    return any(p.search_low(text, low) for p in patterns)


def any_lead(patterns: tuple[Folded, ...]) -> re.Pattern[str] | None:
    """One pattern for the required leads of all the patterns, searched in lower-cased text: where it
    finds none, none of them can match (None when one of them has no leads)."""
    if not patterns or any(p._leads is None for p in patterns):
        return None
    leads = sorted({x for p in patterns for x in p._leads or ()}, key=lambda x: (-len(x), x))
    return re.compile("|".join(map(re.escape, leads)))


def finditer_all(patterns: tuple[Folded, ...], text: str, low: str | None = None) -> Iterator[re.Match[str]]:
    """The matches of each pattern in turn (as Folded.finditer gives them), lower-casing the text once
    (`low`: text.lower(), when the caller has it already)."""
    low = text.lower() if low is None else low
    for p in patterns:
        yield from p.finditer_low(text, low)


def fold(pattern: str, flags: int = 0) -> Folded:
    """A case-insensitive pattern matched on lower-cased text (see the module's docstring)."""
    return Folded(pattern, flags)
