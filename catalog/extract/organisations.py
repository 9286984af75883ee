"""Names of companies: a run of capitalised words ending in a legal form (lexicons/legal_forms.yaml).

A controller, a representative or a processor is a legal entity; "Wilton Place", "European Region"
or a brand alone is not one. `organisations(text)` finds the legal names in a text (pure).
"""

from __future__ import annotations

import functools
import re

from catalog.vocabulary import read_yaml

_TOKEN = r"(?:[A-Z0-9][\w.&'’\-]*|\((?:[A-Z][\w .&-]{1,24})\))"
_CONNECTOR = r"(?:de|du|do|da|der|des|of|for|and|&|et|y|und|la|le|e)"
#: words that start a sentence or a phrase rather than a name
_LEADING = re.compile(r"^(?:(?:The|Our|At|By|With|From|Contact|Attn|Attention|If|For|And|Or|Its|Both|Either|Where|When|"
                      r"In|On|To|As|Please|Write|Email|Mail|Post|Address|Controller|Company|Processor|Representative|"
                      r"Data|Name|Entity|Local|Group|Global|Joint|Each|This|These|That|Unless|All|Any|Note|Also|Via|Dear)\b[:,]?\s+)+")
#: words that make a capitalised run a place, a street or a region rather than a company
_NOT_A_NAME = re.compile(r"\b(?:Street|Place|Avenue|Road|Boulevard|Square|Lane|Drive|Floor|Suite|Building|Region|Area|"
                         r"Quay|Dock|Park|Plaza|Centre|Center|Tower)\b")


@functools.cache
def _org() -> re.Pattern[str]:
    forms = "|".join(read_yaml("legal_forms.yaml")["forms"])
    return re.compile(rf"(?<![\w.])(?P<name>{_TOKEN}(?:\s+(?:{_TOKEN}|{_CONNECTOR}(?=\s+[A-Z(]))){{0,7}}?,?\s+(?:{forms}))(?![\w/])")


@functools.cache
def _form() -> re.Pattern[str]:
    """A legal form alone: every name `_org` finds ends in one, and searching for it alone is cheap."""
    forms = "|".join(read_yaml("legal_forms.yaml")["forms"])
    return re.compile(rf"(?:{forms})(?![\w/])")


@functools.lru_cache(maxsize=32768)
def organisations(text: str) -> tuple[tuple[str, int, int], ...]:
    """(legal name, start, end) of every company a text names, leading filler words trimmed."""
    if not _form().search(text):
        return ()  # no legal form, no legal name (most sentences)
    out = []
    for m in _org().finditer(text):
        name, start = m["name"], m.start("name")
        lead = _LEADING.match(name)
        if lead:
            name, start = name[lead.end():], start + lead.end()
        name = name.strip(" ,")
        if len(name.split()) < 2 and "," not in name or _NOT_A_NAME.search(name):
            continue
        if not re.match(r"[A-Z0-9(]", name):
            continue
        out.append((name, start, start + len(name)))
    return tuple(out)


def first_word(name: str) -> str:
    """The brand a legal name starts with ('Discord Netherlands BV' -> 'discord')."""
    w = re.split(r"[\s,(]+", name.strip())[0] if name.strip() else ""
    return re.sub(r"\W+$", "", w.lower())
