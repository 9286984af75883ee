"""The cue words statements are read with (lexicons/statements.yaml and table_headers.yaml), compiled once."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from catalog.folded import Folded, fold
from catalog.vocabulary import read_yaml


#: a run of place names (capitalised words, an abbreviation in brackets) joined by commas, "and", "or"
RUN = (r"(?:(?-i:[A-Z])[\w.’'-]*(?:\s+(?-i:[A-Z])[\w.’'-]*)*\s*(?:\([^)]{0,12}\)\s*)?"
       r"(?:,|\band\b|\bor\b|\band/or\b|/)\s*(?:,\s*)?(?:(?:and|or)\s+)?(?:the\s+)?)*")


def _rx(pattern: str) -> Folded:
    """A cue pattern, case-insensitive: YAML's folded lines joined, {RUN} filled in."""
    return fold(re.sub(r"\s*\n\s*", "", pattern.strip()).replace("{RUN}", RUN))


@dataclass(frozen=True)
class Cues:
    """Compiled cue patterns (see lexicons/statements.yaml for what each one means)."""

    clause_breaks: tuple[Folded, ...]  # apart: one that keeps case must not make the others case-insensitive
    exception: Folded
    negation: Folded
    negation_void: Folded
    discouraged: Folded
    condition: Folded
    actions: tuple[tuple[str, Folded], ...]
    recipient_cue: Folded
    source_cue: Folded
    gives_to_us: Folded
    receives: Folded
    used_by: Folded
    product: Folded
    to_us: Folded
    source_scope: Folded
    recipient_scope: Folded
    country_origin: Folded
    country_scope: Folded
    country_destination: Folded
    country_after_scope: Folded
    address_cue: Folded
    anaphora: Folded
    data_label: Folded
    service_compound: Folded
    objection: Folded
    definitions: Folded
    special_definition: Folded
    special_list: Folded
    basis_reference: Folded
    excluded: Folded
    purpose_reference: Folded
    elaboration: Folded
    recipient_reference: Folded


@functools.cache
def cues() -> Cues:
    d = read_yaml("statements.yaml")
    single = {k: _rx(d[k]) for k in Cues.__dataclass_fields__ if k not in {"clause_breaks", "actions"}}
    return Cues(
        clause_breaks=tuple(fold(p) for p in d["clause_breaks"]),
        actions=tuple((name, _rx(p)) for name, p in d["actions"].items()),
        **single,
    )


@functools.cache
def header_roles() -> tuple[tuple[str, Folded], ...]:
    """(role, pattern) of table column headers, in the order they are tried."""
    return tuple((r["role"], _rx(r["pattern"])) for r in read_yaml("table_headers.yaml")["roles"])


def header_role(text: str) -> str:
    """What a column holds, from its header text ('' when the header says nothing about it)."""
    return next((role for role, pat in header_roles() if pat.search(text)), "")
