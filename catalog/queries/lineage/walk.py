"""The lineage traversal: `downstream` (where data goes from a category, a subject or a purpose) and
`upstream` (what reaches a recipient, a country or a safeguard), each answering a `Lineage`.

A walk is breadth-first and carries, per node, the policy versions it is reached in, so a hop stated
only by the 2018 version never continues a path stated only by the 2019 one; the controller's general
transfers and retention stated for all personal data join every data category. The hops keep their
versions as bitmasks (catalog.queries.lineage.index) and read ids and evidence only when asked.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from catalog.collector import collector_paused
from catalog.queries.lineage.index import ALL_DATA, Edge, Index, graph_index
from catalog.queries.lineage.rows import rows_down, rows_up
from catalog.queries.lineage.terms import UnknownTerm, suggest
from catalog.records import Kind, Relation, Status


def _quiet(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with collector_paused():
            return fn(*args, **kwargs)
    return run


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
    edge: Edge = field(repr=False)
    index: Index = field(repr=False)
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
    index: Index | None = field(default=None, repr=False, compare=False)  # the graph's, for the version masks
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
        assert self.index is not None, "a Lineage made by lineage() carries its graph's index"
        return self.index.root_ps(n)

    def ids(self, mask: int) -> list[str]:
        """The version ids of a bitmask, sorted."""
        assert self.index is not None, "a Lineage made by lineage() carries its graph's index"
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
        rows = rows_down(self) if self.direction == "down" else rows_up(self)
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


class _Walk:
    """Breadth-first search that carries, per node, the policy versions it is reached in (as a bitmask)."""

    def __init__(self, G: nx.MultiDiGraph, root: str, direction: str):
        self.G = G
        self.ix = graph_index(G)
        self.lin = Lineage(root, direction, index=self.ix)
        self.reached: dict[str, int] = {}
        # per hop key: the versions it holds in, its edge, and its attrs where they are not the edge's
        # (ints and shared objects: a query on a big catalog leaves little for the garbage collector)
        self.hops: dict[tuple[str, str, str], int] = {}
        self.edges: dict[tuple[str, str, str], Edge] = {}
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

    def hop(self, u: str, v: str, e: Edge, policies: int, attrs: dict | None = None) -> int:
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
