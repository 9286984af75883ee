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
import re._compiler as sre_compile  # a pattern compiled from its (rewritten) parse tree
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


#: more leads than this and testing them costs about what the pattern does: a sequence whose next item
#: would grow its leads past this keeps the shorter leads it has ("by " rather than "by e-mail", "by phone" ...)
_USEFUL_LEADS = 24
#: a character class of at most this many single characters counts as their alternation
_MAX_CLASS = 4
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
        elif op is sre_constants.IN and 0 < len(av) <= _MAX_CLASS and all(o is sre_constants.LITERAL for o, _ in av):
            parts = [({chr(c) for _, c in av}, True, True)]  # a class of a few characters: "['’]"
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
        if len(grown) > _USEFUL_LEADS:
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


_WORD = (sre_constants.IN, [(sre_constants.CATEGORY, sre_constants.CATEGORY_WORD)])
_ANY_CHAR = (sre_constants.IN, [*_WORD[1], (sre_constants.CATEGORY, sre_constants.CATEGORY_NOT_WORD)])


def _boundary_after(state: sre_parse.State, items: list) -> list:  # type: ignore[type-arg]
    """The parse items with a leading \\b before a word character moved past the literal run it opens:
    "\\bbased on" is "based on(?<!\\w[\\w\\W]{8})" (the look-behind asks what \\b asked). The regex engine
    tries a pattern that opens with \\b at every position; one that opens with a literal (or each of whose
    alternatives does) it looks for with a fast scan."""
    if not items:
        return items
    op, av = items[0]
    if op is sre_constants.AT and av is sre_constants.AT_BOUNDARY and len(items) > 1:
        op1, av1 = items[1]
        if op1 is sre_constants.LITERAL and is_word_char(chr(av1)):
            k = next((j for j in range(2, len(items)) if items[j][0] is not sre_constants.LITERAL), len(items)) - 1
            behind = sre_parse.SubPattern(state, [_WORD] + [_ANY_CHAR] * k)
            return items[1 : 1 + k] + [(sre_constants.ASSERT_NOT, (-1, behind))] + items[1 + k :]
        if op1 is sre_constants.SUBPATTERN and av1[1] == 0 and av1[2] == 0:  # \b(...): into the group
            group, _, _, p = av1
            inner = sre_parse.SubPattern(state, _boundary_after(state, [items[0], *p.data]))
            return [(sre_constants.SUBPATTERN, (group, 0, 0, inner)), *items[2:]]
        if op1 is sre_constants.BRANCH:  # \b(?:a|b) is (?:\ba|\bb)
            alts = [sre_parse.SubPattern(state, _boundary_after(state, [items[0], *alt.data])) for alt in av1[1]]
            return [(sre_constants.BRANCH, (av1[0], alts)), *items[2:]]
        return items
    if op is sre_constants.BRANCH:
        alts = [sre_parse.SubPattern(state, _boundary_after(state, list(alt.data))) for alt in av[1]]
        return [(sre_constants.BRANCH, (av[0], alts)), *items[1:]]
    if op is sre_constants.SUBPATTERN and av[1] == 0 and av[2] == 0:
        group, _, _, p = av
        inner = sre_parse.SubPattern(state, _boundary_after(state, list(p.data)))
        return [(sre_constants.SUBPATTERN, (group, 0, 0, inner)), *items[1:]]
    return items


def _has_groups(items: list) -> bool:  # type: ignore[type-arg]
    """Whether the parse items hold a capturing group or a back-reference (read through nested items)."""
    subs = [x for _, av in items for x in (av if isinstance(av, (tuple, list)) else ())
            for x in (x if isinstance(x, list) else [x]) if isinstance(x, sre_parse.SubPattern)]
    return any(op is sre_constants.SUBPATTERN and av[0] is not None or op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS)
               for op, av in items) or any(_has_groups(list(x.data)) for x in subs)


#: an alternative's tail is copied into each of its nested alternatives only while it is this short
_SPLICE_MAX = 12


def _spliced(state: sre_parse.State, alts: list) -> list:  # type: ignore[type-arg]
    """The alternatives of an alternation with those that open with an alternation of their own
    spliced into it: (?:a|b)c|d is ac|bc|d, tried in the same order (so the same first match). The
    regex engine scans for the first characters of an alternation only when every alternative opens
    with a literal; _boundary_after leaves "\\b(?:this|that) data|\\buse it" as (?:this|that) data|use it."""
    out = []
    for alt in alts:
        data = list(alt.data)
        if data and data[0][0] is sre_constants.BRANCH and len(data) <= _SPLICE_MAX and not _has_groups(data[1:]):
            out.extend(_spliced(state, [sre_parse.SubPattern(state, [*sub.data, *data[1:]]) for sub in data[0][1][1]]))
        else:
            out.append(alt)
    return out


def scanning_patterns(pattern: str, flags: int = 0) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """The pattern compiled with its opening word boundaries moved (_boundary_after, _spliced): the same
    matches, scanned for; and, when alternatives of its opening alternation match only at the start
    ("^\\s*consent\\s*:|...\\bbased on\\b": one that cannot be scanned for makes the whole alternation tried
    everywhere), the pattern without them: `full.match(text) or rest.search(text)` is `full.search(text)`."""
    tree = sre_parse.parse(pattern, flags)
    if tree.state.flags & (sre_constants.SRE_FLAG_ASCII | sre_constants.SRE_FLAG_LOCALE | sre_constants.SRE_FLAG_IGNORECASE):
        return re.compile(pattern, flags), None  # another meaning of \w, or no literal prefix to scan for anyway
    data = list(tree.data)
    items = _boundary_after(tree.state, data)
    if items and items[0][0] is sre_constants.BRANCH:
        items = [(sre_constants.BRANCH, (items[0][1][0], _spliced(tree.state, items[0][1][1]))), *items[1:]]
    full = sre_compile.compile(sre_parse.SubPattern(tree.state, items), flags) if items != data else re.compile(pattern, flags)
    rest = None
    if items and items[0][0] is sre_constants.BRANCH and not tree.state.flags & sre_constants.SRE_FLAG_MULTILINE:
        alts = items[0][1][1]
        kept = [alt for alt in alts if not (alt.data and alt.data[0][0] is sre_constants.AT
                                            and alt.data[0][1] in (sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING))]
        if kept and len(kept) < len(alts):
            branch = (sre_constants.BRANCH, (items[0][1][0], kept))
            rest = sre_compile.compile(sre_parse.SubPattern(tree.state, [branch, *items[1:]]), flags)
    return full, rest


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
        self._lower, self._rest = scanning_patterns(lower_pattern(pattern), flags & ~re.IGNORECASE) if foldable else (None, None)
        #: a cheap test before the pattern: one of these strings is in the lower-cased form of every text
        #: it matches (true of a pattern that keeps case in part, "(?-i:[A-Z]\w+ Policy)", too)
        leads = required_leads(lower_pattern(pattern))
        self._leads = leads if leads is not None and len(leads) <= _USEFUL_LEADS else None

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


def is_word_char(ch: str) -> bool:
    """Whether the regex \\w matches this character (Unicode letters and digits, and the underscore)."""
    return ch.isalnum() or ch == "_"


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
