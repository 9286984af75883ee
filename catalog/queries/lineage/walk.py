"""Lineage queries over the processing graph: where data goes, what reaches a recipient, what a subject is told.

Pure functions of the graph. A traversal carries the set of policy versions a path holds in, so a
hop stated only by the 2018 version never continues a path stated only by the 2019 one. The
controller's transfers belong to every data category (the policy states them generally); a named
recipient's own transfers belong to that recipient; retention facts scoped to "all personal data"
belong to every category.
"""

from __future__ import annotations

import difflib
import functools
import itertools
import weakref
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from catalog.collector import collector_paused
from catalog.graph.build import in_scope
from catalog.records import Kind, Relation, Status
from catalog.graph.standing import transfer_standing
from catalog.vocabulary import LEXICON_KINDS, lexicon, phrase_tokens

ALL_DATA = "all personal data"

#: Which relations a downstream traversal follows out of each kind of node.
DOWN: dict[str, tuple[str, ...]] = {
    Kind.DATA_SUBJECT: (Relation.PROVIDES,),
    Kind.DATA_CATEGORY: (Relation.PROCESSED_FOR, Relation.BASED_ON, Relation.DISCLOSED_TO, Relation.RETAINED_FOR),
    Kind.PURPOSE: (Relation.BASED_ON, Relation.DISCLOSED_TO),
    Kind.RECIPIENT: (Relation.TRANSFERRED_TO,),
    Kind.CONTROLLER: (Relation.TRANSFERRED_TO,),
}

#: Which relations an upstream traversal follows into each kind of node (edges walked backwards).
UP: dict[str, tuple[str, ...]] = {
    Kind.SAFEGUARD: (Relation.SAFEGUARDED_BY,),
    Kind.COUNTRY: (Relation.TRANSFERRED_TO,),
    Kind.RECIPIENT: (Relation.DISCLOSED_TO, Relation.SET_BY),
    Kind.PURPOSE: (Relation.PROCESSED_FOR,),
    Kind.LEGAL_BASIS: (Relation.BASED_ON,),
    Kind.RETENTION: (Relation.RETAINED_FOR,),
    Kind.DATA_CATEGORY: (Relation.PROVIDES,),
}

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

ROW_COLUMNS: tuple[str, ...] = (
    "data_category", "purpose", "legal_basis", "recipient", "transferred_by", "country", "safeguards", "scc",
    "adequacy", "retention", "status", "policy_ids",
)


def _quiet(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with collector_paused():
            return fn(*args, **kwargs)
    return run


class UnknownTerm(Exception):
    """No node matches a term; `suggestions` holds close matches (node ids) to offer instead."""

    def __init__(self, term: str, suggestions: list[str]):
        self.term = term
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}" if suggestions else ""
        super().__init__(f"nothing in the catalog matches {term!r}{hint}")


# ---------------------------------------------------------------- resolving terms


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
    for r in _index(G).terms:
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
    for r in _index(G).terms:
        if allowed is not None and r.kind not in allowed:
            continue
        words = [w for w in r.words if w not in _FILLER and w not in _WEAK_WORDS]
        shared = sum(1 for w in wanted if w in r.words)
        close = max((difflib.SequenceMatcher(None, w, x).ratio() for w in wanted if len(w) >= 5
                     for x in words if len(x) >= 5), default=0.0)
        if shared or close >= _TYPO_RATIO:
            ranked.append((-shared, -close, r.order, r.node))
    return [nid for *_, nid in sorted(ranked)[:n]]


# ---------------------------------------------------------------- traversal


@dataclass(eq=False, slots=True)
class Hop:
    """One edge of a lineage, in the graph's direction, with the versions it holds in along the path.

    The versions are a bitmask over the graph's versions (`mask`); their ids and the hop's evidence
    are read from the graph's index when first asked for: on a catalog of a thousand versions a query
    would otherwise copy a thousand ids and quotes per hop, most of which nobody looks at.
    """

    source: str
    target: str
    relation: str
    status: str
    attrs: dict[str, Any]
    mask: int = field(repr=False)
    edge: _Edge = field(repr=False)
    index: _Index = field(repr=False)
    _evidence: tuple[dict[str, Any], ...] | None = field(default=None, init=False, repr=False)
    _policy_ids: tuple[str, ...] | None = field(default=None, init=False, repr=False)

    @property
    def evidence(self) -> tuple[dict[str, Any], ...]:
        """The edge's evidence entries of the hop's versions, in their stored order."""
        if self._evidence is None:
            self._evidence = self.edge.evidence(self.mask)
        return self._evidence

    @property
    def policy_ids(self) -> tuple[str, ...]:
        """The versions the hop holds in along its path, sorted."""
        if self._policy_ids is None:
            self._policy_ids = self.edge.sorted_ids(self.mask, self.index)
        return self._policy_ids

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "relation": self.relation, "status": self.status,
                "policy_ids": list(self.policy_ids), "attrs": self.attrs, "evidence": list(self.evidence)}


@dataclass
class Lineage:
    """The answer to a lineage question: the root, the direction, and every hop with its evidence."""

    root: str
    direction: str  # "down" | "up"
    hops: list[Hop] = field(default_factory=list)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> kind, label, key, attrs
    index: _Index | None = field(default=None, repr=False, compare=False)  # the graph's, for the version masks
    _ends: dict[str, tuple[int, dict[str, list[Hop]]]] = field(default_factory=dict, repr=False, compare=False)

    def out(self, n: str, relation: str | None = None) -> list[Hop]:
        return [h for h in self._by("source").get(n, ()) if relation is None or h.relation == relation]

    def into(self, n: str, relation: str | None = None) -> list[Hop]:
        return [h for h in self._by("target").get(n, ()) if relation is None or h.relation == relation]

    def _by(self, end: str) -> dict[str, list[Hop]]:
        """The hops per source (or target) node, in hop order; rebuilt if hops were added since."""
        cached = self._ends.get(end)
        if cached is None or cached[0] != len(self.hops):
            by: dict[str, list[Hop]] = {}
            for h in self.hops:
                by.setdefault(getattr(h, end), []).append(h)
            cached = self._ends[end] = (len(self.hops), by)
        return cached[1]

    def node_mask(self, n: str) -> int:
        """The versions of a reached node (its `policy_ids`) as a bitmask."""
        return self.index.root_ps(n)

    def ids(self, mask: int) -> list[str]:
        """The version ids of a bitmask, sorted."""
        return list(self.index.ids(mask))

    def reached(self, kind: str) -> list[str]:
        return sorted(n for n, d in self.nodes.items() if d["kind"] == kind)

    def label(self, n: str) -> str:
        return self.nodes[n]["label"] if n in self.nodes else n

    @_quiet
    def to_rows(self, labels: bool = False) -> list[dict[str, Any]]:
        """Flat paths category -> purpose -> legal basis -> recipient -> country -> safeguard, for tables and CSV.

        One row per (category, purpose, recipient, country); the legal bases of the purpose and
        the safeguards of the transfer are joined into one cell. The controller's transfers get
        rows of their own (purpose and recipient empty: they apply to the whole category).
        """
        rows = _rows_down(self) if self.direction == "down" else _rows_up(self)
        if labels:
            for r in rows:
                for col in ("data_category", "purpose", "recipient", "transferred_by", "country"):
                    r[col] = self.label(r[col]) if r[col] and r[col] != ALL_DATA else r[col]
                for col in ("legal_basis", "safeguards", "retention"):
                    r[col] = [self.label(x) for x in r[col]]
        return rows

    def to_dict(self) -> dict[str, Any]:
        return {"root": self.root, "direction": self.direction, "nodes": self.nodes,
                "hops": [h.to_dict() for h in self.hops], "rows": self.to_rows()}


def _node_info(G: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    return _index(G).node_info(n)


# ---------------------------------------------------------------- per-graph index
#
# A lineage query on a big catalog (every node and edge listing up to a thousand versions, with
# evidence per version) spent its time rebuilding the same sets, sorts and evidence filters on
# every query. They depend only on the graph, so they are computed once per graph object and
# kept in a weak-keyed cache (the graph's own `G.graph` stays as it is: it is serialised and
# copied elsewhere). The cache is dropped when the graph's node count, number of linked pairs, or its
# `policies` table, changes; graphs are derived and never edited in place once built.
#
# A set of policy versions is an int bitmask over the graph's versions in sorted order (bit i is
# the i-th smallest id): intersection, union and subset tests are single int operations, the
# sets cost the garbage collector nothing to scan, and reading the bits back gives sorted ids.


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


class _Edge:
    """One edge (or the synthetic retention edge of a general retention fact) with its precomputations."""

    __slots__ = ("data", "key", "rel", "ps", "attrs", "_sorted", "_runs", "_ev_all", "_ev_mask", "_ev_unknown", "_sg")

    def __init__(self, data: dict[str, Any], key: str, ix: _Index):
        self.data = data
        self.key = key
        self.rel = data["relation"]
        pids = data.get("policy_ids")
        self.ps: int | None = None if pids is None else ix.mask(pids)
        self.attrs = data.get("attrs", {})
        self._sorted: tuple[str, ...] | None = None
        # the evidence as runs of one policy_id, in stored order: each run's bit and start offset
        ev = data.get("evidence", ())
        pos = array("l")  # the run's version as a bit position; -1: a version no path can hold in
        starts = array("l")
        last: Any = _NO_ID
        mask = 0
        for i, e in enumerate(ev):
            pid = e.get("policy_id")
            if pid != last:
                b = ix.bit.get(pid, 0) if isinstance(pid, str) else 0
                mask |= b
                pos.append(b.bit_length() - 1)
                starts.append(i)
                last = pid
        starts.append(len(ev))
        self._runs = (pos, starts)
        self._ev_all = tuple(ev)
        self._ev_mask = mask
        self._ev_unknown = -1 in pos
        self._sg: list[tuple[str, _Edge, int]] | None = None

    def sorted_ids(self, ps: int, ix: _Index) -> tuple[str, ...]:
        """The versions of ps, sorted."""
        if ps != self.ps:
            return ix.ids(ps)
        if self._sorted is None:
            self._sorted = ix.ids(ps)
        return self._sorted

    def evidence(self, ps: int) -> tuple[dict[str, Any], ...]:
        """The evidence entries whose policy_id is in ps, in their stored order."""
        if not self._ev_unknown and not self._ev_mask & ~ps:
            return self._ev_all
        pos, starts = self._runs
        ev = self._ev_all
        out: list[dict[str, Any]] = []
        for i, b in enumerate(pos):
            if b >= 0 and ps >> b & 1:
                out.extend(ev[starts[i]:starts[i + 1]])
        return tuple(out)


_NO_ID = object()


class _Index:
    """What lineage queries need from one graph, computed once."""

    def __init__(self, G: nx.MultiDiGraph):
        universe: set[str] = set()
        for _, pids in G.nodes(data="policy_ids"):
            universe.update(pids)
        for _, _, pids in G.edges(data="policy_ids"):
            if pids is not None:
                universe.update(pids)
        self.universe: list[str] = sorted(universe)
        self.bit: dict[str, int] = {pid: 1 << i for i, pid in enumerate(self.universe)}
        self._masks: dict[tuple, int] = {}
        self._ids: dict[int, tuple[str, ...]] = {}
        known = G.graph.get("policies")
        self.scope: int | None = self.mask(p for p in known if p in self.bit) if known else None
        self.kind: dict[str, Any] = {}
        self.node_ps: dict[str, int] = {}
        self.down: dict[str, list[tuple[str, _Edge]]] = {}
        self.up: dict[str, list[tuple[str, _Edge]]] = {}
        self.out_transfers: dict[str, list[tuple[str, _Edge]]] = {}
        self.out_safeguards: dict[str, list[tuple[str, _Edge]]] = {}
        self._info: dict[str, tuple] = {}
        self._terms: list[_TermRow] | None = None
        self._G_nodes: dict[str, dict[str, Any]] = dict(G.nodes(data=True))  # no reference to G itself
        for n, d in G.nodes(data=True):
            self.kind[n] = d["kind"]
            self.node_ps[n] = self.mask(d["policy_ids"])
            self.down[n], self.up[n], self.out_transfers[n], self.out_safeguards[n] = [], [], [], []
        edges: dict[tuple[str, str, str], _Edge] = {}
        for u, v, k, data in G.edges(keys=True, data=True):
            e = edges[u, v, k] = _Edge(data, k, self)
            if k in DOWN.get(self.kind[u], ()):
                self.down[u].append((v, e))
            if k == Relation.TRANSFERRED_TO:
                self.out_transfers[u].append((v, e))
            if k == Relation.SAFEGUARDED_BY:
                self.out_safeguards[u].append((v, e))
        # in-edges in G.in_edges order (per target, predecessors in insertion order)
        for v in G:
            follow = UP.get(self.kind[v], ())
            self.up[v] = [(u, edges[u, v, k]) for u, _, k in G.in_edges(v, keys=True) if k in follow]
        self._masks.clear()
        self.controllers = _controllers(G)
        self.general_retention: list[tuple[str, _Edge]] = []
        for r in _general_retention(G):
            nd = G.nodes[r]
            synthetic = {"relation": Relation.RETAINED_FOR.value, "status": Status.INFERRED.value,
                         "policy_ids": nd["policy_ids"],
                         "evidence": [{**e, "note": f"retention stated for {ALL_DATA}"} for e in nd["evidence"]]}
            self.general_retention.append((r, _Edge(synthetic, Relation.RETAINED_FOR.value, self)))
        # per data category: the general retention facts it has no own retained_for edge to
        self.retention_for: dict[str, list[tuple[str, _Edge]]] = {
            n: [(r, e) for r, e in self.general_retention if not G.has_edge(n, r, Relation.RETAINED_FOR.value)]
            for n, k in self.kind.items() if k == Kind.DATA_CATEGORY}

    def mask(self, pids) -> int:  # noqa: ANN001
        """The bitmask of a collection of version ids (all in the universe); equal lists share the work."""
        key = pids if isinstance(pids, tuple) else tuple(pids)
        m = self._masks.get(key)
        if m is None:
            m = self._masks[key] = self.or_all(map(self.bit.__getitem__, key))
        return m

    @staticmethod
    def or_all(bits) -> int:  # noqa: ANN001
        m = 0
        for b in bits:
            m |= b
        return m

    def ids(self, m: int) -> tuple[str, ...]:
        """The version ids of a bitmask, sorted (remembered: the paths of a query share a few masks)."""
        got = self._ids.get(m)
        if got is None:
            if len(self._ids) > 4096:
                self._ids.clear()
            got = self._ids[m] = tuple(itertools.compress(self.universe, map("1".__eq__, bin(m)[:1:-1])))
        return got

    def root_ps(self, n: str) -> int:
        """in_scope(G, node's policy_ids)."""
        return self.node_ps[n] & self.scope if self.scope is not None else self.node_ps[n]

    def node_info(self, n: str) -> dict[str, Any]:
        c = self._info.get(n)
        if c is None:
            d = self._G_nodes[n]
            c = self._info[n] = (d["kind"], d["label"], d.get("key") or "", d.get("attrs", {}), self.ids(self.root_ps(n)))
        return {"kind": c[0], "label": c[1], "key": c[2], "attrs": c[3], "policy_ids": list(c[4])}

    def safeguards_of(self, e: _Edge, attrs: dict[str, Any] | None, v: str) -> list[tuple[str, _Edge, int]]:
        """For a transfer hop into country v: the safeguards it names, each with the versions whose own
        list leaves it out (a version without a list of its own keeps the merged one)."""
        if attrs is e.attrs and e._sg is not None:
            return e._sg
        named = set((attrs or {}).get("safeguards", []))
        by_policy = e.data.get("by_policy", {})
        out = []
        for sg, e2 in self.out_safeguards[v]:
            ident = self._G_nodes[sg]["ident"]
            if ident in named:
                bad = self.or_all(self.bit.get(p, 0) for p, bp in by_policy.items()
                                  if ident not in bp.get("safeguards", named))
                out.append((sg, e2, bad))
        if attrs is e.attrs:
            e._sg = out
        return out

    @property
    def terms(self) -> list[_TermRow]:
        if self._terms is None:
            rows: list[_TermRow] = []
            phrase_cache: dict[Any, dict[str, list]] = {}
            for n, d in self._G_nodes.items():
                kind = d.get("kind")
                if kind not in phrase_cache:
                    phrase_cache[kind] = _node_phrases(kind)
                ident = str(d.get("ident", "")).lower()
                label = str(d.get("label", "")).lower()
                node_phr = phrase_cache[kind].get(d.get("ident", ""), [])
                words = set(phrase_tokens(label)) | set(phrase_tokens(ident.replace(".", " ").replace("_", " ")))
                rows.append(_TermRow(n, kind, _KIND_ORDER.get(kind, 99), ident, label, str(d.get("key") or "").lower(),
                                     frozenset(node_phr), tuple(frozenset(p) for p in node_phr), frozenset(words)))
            self._terms = rows
        return self._terms


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fingerprint(G: nx.MultiDiGraph) -> tuple:
    known = G.graph.get("policies")
    # cheap (no walk over the edges in Python): node count, linked pairs, the versions table
    return len(G._node), sum(map(len, G._succ.values())), id(known), len(known) if known else 0


def _index(G: nx.MultiDiGraph) -> _Index:
    """The graph's index, built on first use and rebuilt if the graph has changed size since."""
    fp = _fingerprint(G)
    try:
        hit = _INDEXES.get(G)
    except TypeError:  # a graph that cannot be weakly referenced: no cache
        return _Index(G)
    if hit is not None and hit[0] == fp:
        return hit[1]
    ix = _Index(G)
    _INDEXES[G] = (fp, ix)
    return ix


class _Walk:
    """Breadth-first search that carries, per node, the policy versions it is reached in (as a bitmask)."""

    def __init__(self, G: nx.MultiDiGraph, root: str, direction: str):
        self.G = G
        self.ix = _index(G)
        self.lin = Lineage(root, direction, index=self.ix)
        self.reached: dict[str, int] = {}
        # per hop key: the versions it holds in, its edge, and its attrs where they are not the edge's
        # (ints and shared objects: a query on a big catalog leaves little for the garbage collector)
        self.hops: dict[tuple[str, str, str], int] = {}
        self.edges: dict[tuple[str, str, str], _Edge] = {}
        self.attrs: dict[tuple[str, str, str], dict] = {}
        self.queue: deque[str] = deque()
        self.visit(root, self.ix.root_ps(root))

    def visit(self, n: str, policies: int) -> None:
        policies &= self.ix.node_ps[n]
        cur = self.reached.get(n)
        if cur is None:
            self.reached[n] = policies
        elif not policies & ~cur:
            return
        else:
            self.reached[n] = cur | policies
        self.queue.append(n)

    def hop(self, u: str, v: str, e: _Edge, policies: int, attrs: dict | None = None) -> int:
        ps = policies if e.ps is None else policies & e.ps
        if not ps:
            return ps
        key = (u, v, e.rel)
        h = self.hops.get(key)
        if h is None:
            self.hops[key] = ps
            self.edges[key] = e
            if attrs is not None:
                self.attrs[key] = attrs
        else:
            self.hops[key] = h | ps
        return ps

    def result(self) -> Lineage:
        lin = self.lin
        ix = self.ix
        stated = Status.STATED.value
        edges, own_attrs = self.edges, self.attrs
        for key in sorted(self.hops):
            e, ps = edges[key], self.hops[key]
            u, v, rel = key
            lin.hops.append(Hop(u, v, rel, e.data.get("status", stated), dict(own_attrs.get(key, e.attrs)), ps, e, ix))
        for n in sorted({lin.root} | {h.source for h in lin.hops} | {h.target for h in lin.hops}):
            lin.nodes[n] = ix.node_info(n)
        return lin


def _controllers(G: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, k in G.nodes(data="kind") if k == Kind.CONTROLLER)


def _general_retention(G: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, d in G.nodes(data=True) if d["kind"] == Kind.RETENTION and d["attrs"].get("scope") == ALL_DATA)


@_quiet
def downstream(G: nx.MultiDiGraph, node_id: str) -> Lineage:
    """Where data goes from a data category (or a subject, or a purpose): purposes, bases, recipients, countries, safeguards, retention."""
    if node_id not in G:
        raise UnknownTerm(node_id, suggest(G, node_id))
    w = _Walk(G, node_id, "down")
    ix = w.ix
    while w.queue:
        n = w.queue.popleft()
        ps = w.reached[n]
        for v, e in ix.down[n]:
            if got := w.hop(n, v, e, ps):
                w.visit(v, got)
        if ix.kind[n] == Kind.DATA_CATEGORY:
            for c in ix.controllers:  # the controller's general transfers cover every category
                w.visit(c, ps)
            for r, e in ix.retention_for[n]:  # retention stated for all personal data, as an inferred hop
                if got := w.hop(n, r, e, ps, {"scope": ALL_DATA}):
                    w.visit(r, got)
    _add_safeguards(w)
    return w.result()


def _add_safeguards(w: _Walk) -> None:
    """A country's safeguards join the lineage only as far as a transfer on it names them (per version)."""
    for key, ps in list(w.hops.items()):
        u, v, rel = key
        if rel != Relation.TRANSFERRED_TO:
            continue
        e = w.edges[key]
        for sg, e2, bad in w.ix.safeguards_of(e, w.attrs.get(key, e.attrs), v):
            w.hop(v, sg, e2, ps & ~bad if bad else ps)


@_quiet
def upstream(G: nx.MultiDiGraph, node_id: str) -> Lineage:
    """What reaches a recipient or a country: the categories and purposes behind it, and its onward transfers."""
    if node_id not in G:
        raise UnknownTerm(node_id, suggest(G, node_id))
    w = _Walk(G, node_id, "up")
    ix = w.ix
    root_kind = ix.kind[node_id]
    while w.queue:
        n = w.queue.popleft()
        ps = w.reached[n]
        for u, e in ix.up[n]:
            if root_kind == Kind.SAFEGUARD and e.key == Relation.TRANSFERRED_TO and \
                    G.nodes[node_id]["ident"] not in (e.data.get("attrs") or {}).get("safeguards", []):
                continue  # only the transfers this safeguard covers
            if got := w.hop(u, n, e, ps):
                w.visit(u, got)
    if root_kind == Kind.RECIPIENT:  # "does it leave the EEA?": the recipient's own onward transfers
        for country, e in ix.out_transfers[node_id]:
            w.hop(node_id, country, e, w.reached[node_id])
    if root_kind in (Kind.RECIPIENT, Kind.COUNTRY):
        _add_safeguards(w)
    return w.result()

# ---------------------------------------------------------------- rows


# Version sets are the hops' bitmasks (Hop.mask, Lineage.node_mask): intersecting them costs the same
# on a catalog of one version or of a thousand; ids are read back once per row (Lineage.ids).


def _joined(hops: list[Hop], ps: int) -> list[str]:
    """Targets of the hops that hold in at least one of the versions ps."""
    return sorted({h.target for h in hops if ps & h.mask})


def _transfer_cells(h: Hop) -> dict[str, Any]:
    """A transfer hop's cells; its adequacy is where the destination stands (catalog.graph.standing.transfer_standing:
    "eea" for an EEA country, never "none")."""
    a = h.attrs
    code = h.target.partition(":")[2]
    return {"transferred_by": h.source, "country": h.target, "safeguards": [f"safeguard:{s}" for s in a.get("safeguards", [])],
            "scc": bool(a.get("scc")), "adequacy": _adequacy(code, tuple(a.get("safeguards", [])))}


@functools.lru_cache(maxsize=4096)
def _adequacy(code: str, safeguards: tuple[str, ...]) -> str:
    """transfer_standing's adequacy, remembered: a catalog's thousands of transfers share a few (country, safeguards)."""

    return transfer_standing(code, safeguards).adequacy


class _Rows:
    """The rows of one lineage: each transfer hop's cells worked out once, however many paths end in it."""

    def __init__(self, lin: Lineage):
        self.lin = lin
        self.cells: dict[int, dict[str, Any]] = {}

    def row(self, category: str, purpose: str, base_hops: list[Hop], recipient: str, transfer: Hop | None,
            retention_hops: list[Hop], ps: int, path: list[Hop]) -> dict[str, Any]:
        """One flat path; `status` is inferred when any hop of the path (bases aside) is."""
        row: dict[str, Any] = {"data_category": category, "purpose": purpose, "legal_basis": _joined(base_hops, ps),
                               "recipient": recipient, "transferred_by": "", "country": "", "safeguards": [],
                               "scc": None, "adequacy": "", "retention": _joined(retention_hops, ps)}
        if transfer is not None:
            cells = self.cells.get(id(transfer))
            if cells is None:
                cells = self.cells[id(transfer)] = _transfer_cells(transfer)
            row.update(cells, safeguards=list(cells["safeguards"]))
        inferred = any(h.status == Status.INFERRED for h in path)
        row["status"] = Status.INFERRED.value if inferred else Status.STATED.value
        # the bases are one cell of several hops: name the ones that are inferred, not stated
        row["inferred_bases"] = sorted({h.target for h in base_hops if h.status == Status.INFERRED and ps & h.mask})
        row["policy_ids"] = self.lin.ids(ps)
        return row


def _rows_down(lin: Lineage) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    mk = _Rows(lin)
    controller_transfers = [h for c in lin.reached(Kind.CONTROLLER) for h in lin.out(c, Relation.TRANSFERRED_TO)]
    for c in lin.reached(Kind.DATA_CATEGORY):
        cps = lin.node_mask(c)
        retention = lin.out(c, Relation.RETAINED_FOR)
        own_bases = lin.out(c, Relation.BASED_ON)
        start = len(rows)
        for ph in lin.out(c, Relation.PROCESSED_FOR):
            rows.extend(_purpose_rows(mk, c, ph.target, own_bases, retention, cps & ph.mask, [ph]))
        for rh in lin.out(c, Relation.DISCLOSED_TO):
            rows.extend(_recipient_rows(mk, c, "", own_bases, rh, retention, cps & rh.mask, []))
        for th in controller_transfers:
            if ps := cps & th.mask:
                rows.append(mk.row(c, "", own_bases, "", th, retention, ps, [th]))
        if len(rows) == start:
            rows.append(mk.row(c, "", own_bases, "", None, retention, cps, []))
    root, kind = lin.root, lin.nodes[lin.root]["kind"]
    if kind == Kind.PURPOSE:  # a purpose asked about directly: its bases, recipients and their transfers
        rows.extend(_purpose_rows(mk, "", root, [], [], lin.node_mask(root), []))
    elif kind in (Kind.RECIPIENT, Kind.CONTROLLER):  # where the recipient (or controller) sends data on
        for th in lin.out(root, Relation.TRANSFERRED_TO):
            rows.append(mk.row("", "", [], root if kind == Kind.RECIPIENT else "", th, [], th.mask, [th]))
    return rows


def _purpose_rows(mk: _Rows, c: str, p: str, extra_bases: list[Hop], retention: list[Hop], ps: int,
                  path: list[Hop]) -> list[dict[str, Any]]:
    bases = mk.lin.out(p, Relation.BASED_ON) + extra_bases
    recips = mk.lin.out(p, Relation.DISCLOSED_TO)
    if not recips:
        return [mk.row(c, p, bases, "", None, retention, ps, path)]
    return [r for rh in recips for r in _recipient_rows(mk, c, p, bases, rh, retention, ps & rh.mask, path)]


def _recipient_rows(mk: _Rows, c: str, p: str, bases: list[Hop], rh: Hop, retention: list[Hop], ps: int,
                    path: list[Hop]) -> list[dict[str, Any]]:
    if not ps:
        return []
    transfers = [t for t in mk.lin.out(rh.target, Relation.TRANSFERRED_TO) if ps & t.mask]
    if not transfers:
        return [mk.row(c, p, bases, rh.target, None, retention, ps, [*path, rh])]
    return [mk.row(c, p, bases, rh.target, t, retention, ps & t.mask, [*path, rh, t]) for t in transfers]


def _rows_up(lin: Lineage) -> list[dict[str, Any]]:
    """Upstream rows: for each recipient (or controller) reached, the categories and purposes behind it."""
    rows: list[dict[str, Any]] = []
    mk = _Rows(lin)
    senders = lin.reached(Kind.RECIPIENT) + lin.reached(Kind.CONTROLLER)
    for s in senders:
        transfers = lin.out(s, Relation.TRANSFERRED_TO) or [None]
        for t in transfers:
            if lin.nodes[s]["kind"] == Kind.CONTROLLER:
                if t is not None:
                    rows.append(mk.row(ALL_DATA, "", [], "", t, [], t.mask, [t]))
                continue
            recipient = s
            for dh in lin.into(s, Relation.DISCLOSED_TO):
                src_kind = lin.nodes[dh.source]["kind"]
                pairs: list[tuple[str, str, int, list[Hop]]] = []
                if src_kind == Kind.PURPOSE:
                    cats = lin.into(dh.source, Relation.PROCESSED_FOR)
                    pairs = [(ch.source, dh.source, dh.mask & ch.mask, [ch, dh]) for ch in cats]
                    if not cats:
                        pairs = [("", dh.source, dh.mask, [dh])]
                else:
                    pairs = [(dh.source, "", dh.mask, [dh])]
                for cat, purpose, ps, hops in pairs:
                    if t is not None:
                        ps = ps & t.mask
                        hops = [*hops, t]
                    if ps:
                        rows.append(mk.row(cat, purpose, [], recipient, t, [], ps, hops))
    return rows


# ---------------------------------------------------------------- data subject


def subject_view(G: nx.MultiDiGraph, subject_node: str) -> dict[str, Any]:
    """Everything the policy says about one kind of data subject: the start of answering an access request."""
    if subject_node not in G:
        raise UnknownTerm(subject_node, suggest(G, subject_node, (Kind.DATA_SUBJECT,)))
    lin = downstream(G, subject_node)
    sps = in_scope(G, G.nodes[subject_node]["policy_ids"])

    def items(kind: str) -> list[dict[str, Any]]:
        return [{"id": n, "label": lin.nodes[n]["label"], "key": lin.nodes[n]["key"],
                 "policy_ids": lin.nodes[n]["policy_ids"], "quote": _first_quote(G, n)} for n in lin.reached(kind)]

    transfers = [{"from": h.source, "country": h.target, "country_label": lin.label(h.target), **{
        k: v for k, v in _transfer_cells(h).items() if k not in ("transferred_by", "country")},
        "status": h.status, "policy_ids": list(h.policy_ids)} for h in lin.hops if h.relation == Relation.TRANSFERRED_TO]
    rights = [{"id": n, "label": G.nodes[n]["label"], "key": G.nodes[n].get("key") or "",
               "policy_ids": sorted(sps & set(G.nodes[n]["policy_ids"])), "quote": _first_quote(G, n)}
              for n, d in sorted(G.nodes(data=True)) if d["kind"] == Kind.RIGHT and sps & set(d["policy_ids"])]
    controllers = [{"id": n, "label": G.nodes[n]["label"], **{k: v for k, v in G.nodes[n]["attrs"].items()}}
                   for n in _controllers(G) if sps & set(G.nodes[n]["policy_ids"])]
    return {
        "subject": {"id": subject_node, **_node_info(G, subject_node)},
        "controllers": controllers,
        "categories": items(Kind.DATA_CATEGORY),
        "purposes": items(Kind.PURPOSE),
        "legal_bases": items(Kind.LEGAL_BASIS),
        "recipients": items(Kind.RECIPIENT),
        "transfers": transfers,
        "retention": items(Kind.RETENTION),
        "rights": rights,
        "rows": lin.to_rows(),
    }


def _first_quote(G: nx.MultiDiGraph, n: str) -> str:
    ev = G.nodes[n].get("evidence") or []
    return ev[0]["quote"] if ev else ""
