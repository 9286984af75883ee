"""Resolving a user's term ("payment card", "Google", "SCC") to the graph nodes it names, best first.

A term matches a node's id, ident, key or label, a lexicon phrase of its concept, or words of them
(filler such as "data" does not count); nothing matching raises `UnknownTerm` with close matches
(shared words, or the same word mistyped) to offer instead. The nodes' names are compared in a
precomputed form, built once per graph and kept in its index.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import networkx as nx

from catalog.queries.lineage.index import graph_index
from catalog.records import Kind
from catalog.vocabulary import LEXICON_KINDS, lexicon, phrase_tokens


#: Kinds a term usually means, per direction (the CLI's default for `resolve`).
DOWN_KINDS: tuple[str, ...] = (Kind.DATA_CATEGORY, Kind.DATA_SUBJECT, Kind.PURPOSE)
UP_KINDS: tuple[str, ...] = (Kind.RECIPIENT, Kind.COUNTRY, Kind.SAFEGUARD, Kind.PURPOSE, Kind.LEGAL_BASIS)

#: Words that say nothing about which node is meant ("payment card data" means the card).
_FILLER = frozenset({"data", "information", "info", "personal", "detail", "the", "of", "my", "your", "a", "an"})
#: Words too general to make a suggestion on their own ("blood type" is not "type of cookie").
_WEAK_WORDS = frozenset({"type", "kind", "other", "use", "user", "and", "or", "to", "for", "with", "about"})
#: How alike a mistyped word must be to a word of a label to be offered (difflib ratio).
_TYPO_RATIO = 0.8

_KIND_ORDER = {k.value: i for i, k in enumerate(
    (Kind.DATA_CATEGORY, Kind.DATA_SUBJECT, Kind.PURPOSE, Kind.RECIPIENT, Kind.COUNTRY, Kind.LEGAL_BASIS,
     Kind.SAFEGUARD, Kind.RETENTION, Kind.RIGHT, Kind.COOKIE, Kind.CONTROLLER))}


class UnknownTerm(Exception):
    """No node matches a term; `suggestions` holds close matches (node ids) to offer instead."""

    def __init__(self, term: str, suggestions: list[str]):
        self.term = term
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"nothing in the catalog matches {term!r}{hint}")


def _node_phrases(kind: str) -> dict[str, list[tuple[str, ...]]]:
    """The lexicon's phrases per concept id, as stemmed tokens (empty for kinds without a lexicon)."""
    try:
        k = Kind(kind)
    except ValueError:
        return {}
    if k not in LEXICON_KINDS:
        return {}
    out: dict[str, list[tuple[str, ...]]] = {}
    for toks, ident, _exact in lexicon(k).phrases:
        out.setdefault(ident, []).append(toks)
    return out


def resolve(G: nx.MultiDiGraph, term: str, kinds: tuple[str, ...] | None = None) -> list[str]:
    """Node ids a term names, best first: an exact id, an ident or key, a label, or a plain phrase.

    Raises UnknownTerm (with close matches) when nothing matches, so a caller can offer them.
    """
    return [n for n, _ in resolve_scored(G, term, kinds)]


def resolve_scored(G: nx.MultiDiGraph, term: str, kinds: tuple[str, ...] | None = None) -> list[tuple[str, int]]:
    """`resolve` with each match's score (100 exact ident ... 40 fragment of an ident), best first."""
    term = term.strip()
    if not any(ch.isalnum() for ch in term):  # "" or punctuation names nothing (it used to match everything)
        raise UnknownTerm(term, [])
    allowed = {str(k) for k in kinds} if kinds else None
    if term in G and (allowed is None or G.nodes[term]["kind"] in allowed):
        return [(term, 100)]
    toks = tuple(w for w in phrase_tokens(term) if w not in _FILLER) or phrase_tokens(term)
    t = term.lower()
    stoks = set(toks)
    scored: list[tuple[int, int, str]] = []
    for r in _term_rows(G):
        if allowed is not None and r.kind not in allowed:
            continue
        s = _score_row(r, t, toks, stoks)
        if s:
            scored.append((-s, r.order, r.node))
    if not scored:
        raise UnknownTerm(term, suggest(G, term, kinds))
    return [(n, -s) for s, _, n in sorted(scored)]


def _score_row(r: _TermRow, t: str, toks: tuple[str, ...], stoks: set[str]) -> int:
    """How well a term (lowered t, content tokens toks) names a node: 100 its ident, 95 its label, 90 its
    key, 85 a lexicon phrase of it, 70 part of the label, 60 words of label/ident, 50 words of a
    phrase, 40 part of the ident; 0 not at all."""
    if t == r.ident:
        return 100
    if t == r.label:
        return 95
    if t == r.key:
        return 90
    if toks and toks in r.phrases:
        return 85
    if len(t) >= 3 and t in r.label:
        return 70
    if not toks:
        return 0
    if stoks <= r.words:
        return 60
    if any(stoks <= p for p in r.phrase_sets):
        return 50
    if len(t) >= 4 and t in r.ident:
        return 40
    return 0


def suggest(G: nx.MultiDiGraph, term: str, kinds: tuple[str, ...] | None = None, n: int = 5) -> list[str]:
    """Nodes of the allowed kinds whose label or ident shares a real word with the term, as node ids.

    A word is shared when it is the same word (stemmed; filler such as "data" or "type" does not count)
    or the same word mistyped (a close difflib match of five letters or more: "paymnt"). A loose match of
    the whole phrase would offer "Right to lodge a complaint" for "blood type".
    """
    allowed = {str(k) for k in kinds} if kinds else None
    wanted = [w for w in phrase_tokens(term) if w not in _FILLER and w not in _WEAK_WORDS and len(w) > 2]
    if not wanted:
        return []
    ranked: list[tuple[int, float, int, str]] = []
    for r in _term_rows(G):
        if allowed is not None and r.kind not in allowed:
            continue
        words = [w for w in r.words if w not in _FILLER and w not in _WEAK_WORDS]
        shared = sum(1 for w in wanted if w in r.words)
        close = max((difflib.SequenceMatcher(None, w, x).ratio() for w in wanted if len(w) >= 5
                     for x in words if len(x) >= 5), default=0.0)
        if shared or close >= _TYPO_RATIO:
            ranked.append((-shared, -close, r.order, r.node))
    return [nid for *_, nid in sorted(ranked)[:n]]


@dataclass(frozen=True)
class _TermRow:
    """A node's names as `_score_row` compares them, precomputed (lowered; stemmed tokens)."""

    node: str
    kind: Any
    order: int
    ident: str
    label: str
    key: str
    phrases: frozenset[tuple[str, ...]]
    phrase_sets: tuple[frozenset[str], ...]
    words: frozenset[str]


def _term_rows(G: nx.MultiDiGraph) -> list[_TermRow]:
    """Every node's names as `_score_row` compares them, built on first use and kept in the graph's index."""
    ix = graph_index(G)
    if ix.terms is None:
        rows: list[_TermRow] = []
        phrase_cache: dict[Any, dict[str, list]] = {}
        for n, d in ix.nodes.items():
            kind: Any = d.get("kind")
            if kind not in phrase_cache:
                phrase_cache[kind] = _node_phrases(kind or "")
            ident = str(d.get("ident", "")).lower()
            label = str(d.get("label", "")).lower()
            node_phr = phrase_cache[kind].get(str(d.get("ident", "")), [])
            words = set(phrase_tokens(label)) | set(phrase_tokens(ident.replace(".", " ").replace("_", " ")))
            rows.append(_TermRow(n, kind, _KIND_ORDER.get(kind, 99), ident, label, str(d.get("key") or "").lower(),
                                 frozenset(node_phr), tuple(frozenset(p) for p in node_phr), frozenset(words)))
        ix.terms = rows
    return ix.terms
