"""Patterns rewritten on the parse tree of Python's `re` so that the engine scans for a literal (pure).

`re` skips ahead quickly only when a pattern starts with a literal. A cue such as "\\bbased on" starts
with a word boundary, so it is tried at every position; rewritten as "based on" with the boundary checked
behind it, it is scanned for, with the same matches (`scanning_patterns`). `required_leads` lists the
strings one of which is in every text a pattern matches: a cheap `in` test before the pattern.

This module reads and compiles parse trees through `re`'s private `_parser`, `_compiler` and `_constants`
(Python 3.11); everything that depends on them is here, and tests/extract/test_fast_paths.py holds every
rewritten pattern to the plain one on the corpus, so a Python upgrade that changes them fails there.
"""

from __future__ import annotations

import re
import re._compiler as sre_compile  # a pattern compiled from its (rewritten) parse tree
import re._constants as sre_constants  # the parse tree of a pattern: its required leading words
import re._parser as sre_parse

def is_word_char(ch: str) -> bool:
    """Whether the regex \\w matches this character (Unicode letters and digits, and the underscore)."""
    return ch.isalnum() or ch == "_"


#: more leads than this and testing them costs about what the pattern does: a sequence whose next item
#: would grow its leads past this keeps the shorter leads it has ("by " rather than "by e-mail", "by phone" ...)
USEFUL_LEADS = 24
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
        if len(grown) > USEFUL_LEADS:
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
