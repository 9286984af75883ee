"""The vocabulary the extractor reads with, loaded from catalog/lexicons/*.yaml.

One YAML file per kind of fact: each entry is a concept (id, label, standard `key`,
the phrases that name it, flags). Keys are checked against fideslang's taxonomy and
enums when the vocabulary is loaded, so a typo in a data file fails loudly, not silently.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from catalog.folded import Folded, fold
from catalog.records import Kind, Relation

VOCABULARY_DIR = "lexicons"

#: The kinds whose facts are found by phrase lexicons.
LEXICON_KINDS: tuple[Kind, ...] = (
    Kind.DATA_SUBJECT,
    Kind.DATA_CATEGORY,
    Kind.PURPOSE,
    Kind.LEGAL_BASIS,
    Kind.RECIPIENT,
    Kind.COUNTRY,
    Kind.SAFEGUARD,
    Kind.RIGHT,
    Kind.COOKIE,
    Kind.RETENTION,
)


@dataclass(frozen=True)
class Concept:
    """One vocabulary entry: what a set of phrases means."""

    kind: Kind
    id: str
    label: str
    key: str
    attrs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Lexicon:
    """The concepts of one kind, their phrases as stemmed tokens, and the context gate."""

    kind: Kind
    concepts: dict[str, Concept]
    phrases: tuple[tuple[tuple[str, ...], str, str], ...]  # (stemmed tokens, concept id, exact text or "")
    context_sentence: Folded | None
    context_section: Folded | None
    exclude_sentence: Folded | None


@dataclass(frozen=True)
class LinkRule:
    """Two kinds named together make an edge (the relation schema, as data)."""

    source: Kind
    target: Kind
    relation: Relation
    requires: dict[str, Any] = field(default_factory=dict)


TOKEN = re.compile(r"\w+")


def stem(token: str) -> str:
    """A crude, consistent singular: 'addresses'->'address', 'numbers'->'number' (applied to text and phrases alike)."""
    if token.endswith("sses"):
        return token[:-2]
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(stem(t) for t in TOKEN.findall(phrase.lower()))


def _alternation(patterns: list[str]) -> Folded | None:
    if not patterns:
        return None
    return fold("|".join(f"(?:{p})" for p in patterns))


@functools.cache
def read_yaml(name: str) -> Any:
    """Read one data file of the vocabulary package (cached: they never change at run time)."""
    text = resources.files("catalog").joinpath(VOCABULARY_DIR, name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 (a safe loader: libyaml's or PyYAML's own)


#: libyaml's safe loader where PyYAML was built with it: the same data, about 9x faster on the lexicons
#: (0.28 s of every command's start-up with the pure-Python loader)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def to_lexicon(kind: Kind, data: dict[str, Any]) -> Lexicon:
    """Compile a lexicon file into concepts and tokenised phrases."""
    concepts: dict[str, Concept] = {}
    phrases: list[tuple[tuple[str, ...], str, str]] = []
    for entry in data.get("entries", []):
        ident = str(entry["id"])
        attrs = {k: v for k, v in entry.items() if k not in {"id", "label", "key", "phrases", "exact"}}
        concepts[ident] = Concept(kind, ident, entry["label"], str(entry.get("key") or ""), attrs)
        for phrase in entry.get("phrases", []):
            if toks := phrase_tokens(str(phrase)):
                phrases.append((toks, ident, ""))
        for phrase in entry.get("exact", []):  # case-sensitive: 'US', 'U.S.'
            if toks := phrase_tokens(str(phrase)):
                phrases.append((toks, ident, str(phrase).strip(".")))
    context = data.get("context", {}) or {}
    return Lexicon(
        kind=kind,
        concepts=concepts,
        phrases=tuple(phrases),
        context_sentence=_alternation(context.get("sentence", [])),
        context_section=_alternation(context.get("section", [])),
        exclude_sentence=_alternation(context.get("exclude", [])),
    )


@functools.cache
def lexicon(kind: Kind) -> Lexicon:
    return to_lexicon(kind, read_yaml(f"{kind.value}.yaml"))


PhraseIndex = dict[str, list[tuple[tuple[str, ...], Kind, str, str]]]


@functools.cache
def phrase_index(kinds: tuple[Kind, ...] = LEXICON_KINDS) -> PhraseIndex:
    """Every phrase of these kinds by its first token, longest first: one dictionary look-up per word of text."""
    index: PhraseIndex = {}
    for kind in kinds:
        for toks, ident, exact in lexicon(kind).phrases:
            index.setdefault(toks[0], []).append((toks, kind, ident, exact))
    for cands in index.values():
        cands.sort(key=lambda c: -len(c[0]))
    return index


@functools.cache
def link_rules() -> tuple[LinkRule, ...]:
    data = read_yaml("relations.yaml")
    return tuple(
        LinkRule(Kind(r["source"]), Kind(r["target"]), Relation(r["relation"]), r.get("requires", {}) or {})
        for r in data["rules"]
    )


@functools.cache
def patterns(name: str) -> tuple[re.Pattern[str], ...]:
    """A list of regexes from a data file (e.g. page chrome), compiled."""
    return tuple(re.compile(p, re.IGNORECASE) for p in read_yaml(f"{name}.yaml")["patterns"])


def concept(kind: Kind, ident: str) -> Concept | None:
    return lexicon(kind).concepts.get(ident)


@functools.cache
def recipient_registry() -> dict[str, Concept]:
    """Named recipients (kind=named) with their home country, from recipient.yaml."""
    return {c.id: c for c in lexicon(Kind.RECIPIENT).concepts.values() if c.attrs.get("type") == "named"}


@functools.cache
def adequacy_decisions() -> dict[str, dict[str, Any]]:
    """EU adequacy decisions by ISO country code (adequacy.yaml, sourced and dated)."""
    data = read_yaml("adequacy.yaml")
    return {d["country"]: d for d in data["decisions"]}


@functools.cache
def eea_countries() -> frozenset[str]:
    return frozenset(c.key for c in lexicon(Kind.COUNTRY).concepts.values() if c.attrs.get("eea"))
