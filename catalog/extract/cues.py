"""The cue words statements are read with (lexicons/statements.yaml and table_headers.yaml), compiled once."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from catalog.vocabulary import read_yaml

_FLAGS = re.IGNORECASE


#: a run of place names (capitalised words, an abbreviation in brackets) joined by commas, "and", "or"
RUN = (r"(?:(?-i:[A-Z])[\w.’'-]*(?:\s+(?-i:[A-Z])[\w.’'-]*)*\s*(?:\([^)]{0,12}\)\s*)?"
       r"(?:,|\band\b|\bor\b|\band/or\b|/)\s*(?:,\s*)?(?:(?:and|or)\s+)?(?:the\s+)?)*")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\s*\n\s*", "", pattern.strip()).replace("{RUN}", RUN), _FLAGS)


@dataclass(frozen=True)
class Cues:
    """Compiled cue patterns (see lexicons/statements.yaml for what each one means)."""

    clause_breaks: re.Pattern[str]
    exception: re.Pattern[str]
    negation: re.Pattern[str]
    negation_void: re.Pattern[str]
    discouraged: re.Pattern[str]
    condition: re.Pattern[str]
    actions: tuple[tuple[str, re.Pattern[str]], ...]
    recipient_cue: re.Pattern[str]
    source_cue: re.Pattern[str]
    gives_to_us: re.Pattern[str]
    receives: re.Pattern[str]
    used_by: re.Pattern[str]
    product: re.Pattern[str]
    to_us: re.Pattern[str]
    source_scope: re.Pattern[str]
    recipient_scope: re.Pattern[str]
    country_origin: re.Pattern[str]
    country_scope: re.Pattern[str]
    country_destination: re.Pattern[str]
    country_after_scope: re.Pattern[str]
    address_cue: re.Pattern[str]
    anaphora: re.Pattern[str]
    service_compound: re.Pattern[str]
    objection: re.Pattern[str]
    definitions: re.Pattern[str]
    special_definition: re.Pattern[str]
    special_list: re.Pattern[str]
    basis_reference: re.Pattern[str]
    excluded: re.Pattern[str]
    purpose_reference: re.Pattern[str]
    elaboration: re.Pattern[str]
    recipient_reference: re.Pattern[str]


@functools.cache
def cues() -> Cues:
    d = read_yaml("statements.yaml")
    single = {k: _rx(d[k]) for k in Cues.__dataclass_fields__ if k not in {"clause_breaks", "actions"}}
    return Cues(
        clause_breaks=re.compile("|".join(f"(?:{p})" for p in d["clause_breaks"]), _FLAGS),
        actions=tuple((name, _rx(p)) for name, p in d["actions"].items()),
        **single,
    )


@functools.cache
def header_roles() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(role, pattern) of table column headers, in the order they are tried."""
    return tuple((r["role"], _rx(r["pattern"])) for r in read_yaml("table_headers.yaml")["roles"])


def header_role(text: str) -> str:
    """What a column holds, from its header text ('' when the header says nothing about it)."""
    return next((role for role, pat in header_roles() if pat.search(text)), "")
