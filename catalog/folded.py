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
import re._constants as sre_constants  # the parse tree of a pattern: its required leading words
import re._parser as sre_parse
import sys
from collections.abc import Callable, Iterator

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


#: more alternative leading words than this and the pattern is searched without the pre-check
_MAX_LEADS = 96
#: more leads than this and testing them costs about what the pattern does
_USEFUL_LEADS = 24
_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}


def _leads(items: list) -> tuple[set[str], bool, bool] | None:  # type: ignore[type-arg]
    """Literal strings one of which every match of this sequence of parse items contains, whether every
    match starts with one (prefix) and whether they are the whole match (complete); None if no literal
    is required. The first literal run after zero-width, optional and literal-free items counts
    ("\\S+ \\| " holds " | "): every match of the sequence has a match of that item in it."""
    found, prefix = {""}, True
    for op, av in items:
        if op is sre_constants.LITERAL:
            found = {f + chr(av) for f in found}
            continue
        if op in _ZERO_WIDTH:
            if found == {""}:
                continue  # \\b, ^, (?<![\\w-]): nothing read yet
            return found, prefix, False
        if op in _REPEATS and av[0] == 0:
            if found == {""}:
                prefix = False  # \\W*: may read something, look further
                continue
            return found, prefix, False
        if op is sre_constants.SUBPATTERN or op is sre_constants.BRANCH:
            alternatives = [av[-1]] if op is sre_constants.SUBPATTERN else av[1]
            parts = [_leads(list(a)) for a in alternatives]
        elif op in _REPEATS:  # at least once: its items are required, but may repeat
            inner = _leads(list(av[2]))
            parts = [(inner[0], inner[1], False) if inner is not None else None]
        else:
            parts = [None]  # a character class, any character ...: no literal
        if any(p is None for p in parts):
            if found != {""}:
                return found, prefix, False
            prefix = False
            continue  # a required literal may still follow
        strings = [p[0] for p in parts]  # type: ignore[index]
        if not all(p[1] for p in parts):  # type: ignore[index]
            # some alternative's literal is inside it, not at its start
            return (found, prefix, False) if found != {""} else (set().union(*strings), False, False)
        grown = {f + t for f in found for ts in strings for t in ts}
        if len(grown) > _MAX_LEADS:
            return (found, prefix, False) if found != {""} else None
        found = grown
        if not all(p[2] for p in parts):  # type: ignore[index]
            return found, prefix, False
    if found == {""}:
        return None
    return found, prefix, prefix


def required_leads(pattern: str) -> tuple[str, ...] | None:
    """Strings one of which every match of a (case-sensitive) pattern contains, or None: a match of
    "\\b(?:if|where|when)\\b" holds "if", "where" or "when". Only leads of two characters or more count."""
    try:
        got = _leads(list(sre_parse.parse(pattern)))
    except (re.error, RecursionError):
        return None
    if got is None or not got[0] or any(len(x) < 2 for x in got[0]):
        return None
    return tuple(sorted(got[0]))


class Folded:
    """A compiled case-insensitive pattern with the methods of `re.Pattern` that extraction uses.

    A match is of the lower-cased text: read its offsets (m.start(), m.end()) and take the words from
    the original text; m[0] and the groups are lower case."""

    __slots__ = ("pattern", "_ci", "_lower", "_leads")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self._ci = re.compile(pattern, flags | re.IGNORECASE)
        foldable = not _INLINE_FLAGS.search(pattern)
        self._lower = re.compile(lower_pattern(pattern), flags & ~re.IGNORECASE) if foldable else None
        #: a cheap test before the pattern: one of these strings is in every text it matches
        leads = required_leads(lower_pattern(pattern)) if foldable else None
        self._leads = leads if leads is not None and len(leads) <= _USEFUL_LEADS else None

    def _pick(self, text: str, pos: int, endpos: int) -> tuple[re.Pattern[str], str]:
        # a window of a longer text (pos, endpos) is searched as it is: lowering the whole text for it
        # would cost more than the pattern
        if self._lower is not None and pos == 0 and endpos == sys.maxsize:
            low = text.lower()
            if len(low) == len(text):
                return self._lower, low
        return self._ci, text

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx = self._lower
        if rx is None or pos or endpos != sys.maxsize:
            return self._ci.search(text, pos, endpos)
        s = text.lower()
        if len(s) != len(text):
            return self._ci.search(text)
        leads = self._leads
        if leads is not None:
            for x in leads:
                if x in s:
                    break
            else:
                return None
        return rx.search(s)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, s = self._pick(text, pos, endpos)
        return rx.match(s, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        rx, s = self._pick(text, pos, endpos)
        return rx.fullmatch(s, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> Iterator[re.Match[str]]:
        rx, s = self._pick(text, pos, endpos)
        if rx is self._lower and self._leads is not None and not any(x in s for x in self._leads):
            return iter(())
        return rx.finditer(s, pos, endpos)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        """Replace on the text as it is (case-insensitive, not lower-cased)."""
        return self._ci.sub(repl, text, count)

    def __repr__(self) -> str:
        return f"fold({self.pattern!r})"


def fold(pattern: str, flags: int = 0) -> Folded:
    """A case-insensitive pattern matched on lower-cased text (see the module's docstring)."""
    return Folded(pattern, flags)
