"""What lineage queries need from one graph, computed once per graph object: the per-graph index.

A lineage query on a big catalog (every node and edge listing up to a thousand versions, with
evidence per version) spent its time rebuilding the same sets, sorts and evidence filters on
every query. They depend only on the graph, so they are computed once per graph object and
kept in a weak-keyed cache (the graph's own `G.graph` stays as it is: it is serialised and
copied elsewhere). The cache is dropped when the graph's node count, number of linked pairs, or its
`policies` table, changes; graphs are derived and never edited in place once built.

A set of policy versions is an int bitmask over the graph's versions in sorted order (bit i is
the i-th smallest id): intersection, union and subset tests are single int operations, the
sets cost the garbage collector nothing to scan, and reading the bits back gives sorted ids.
"""

from __future__ import annotations

import itertools
import weakref
from array import array
from typing import Any

import networkx as nx

from catalog.records import Kind, Relation, Status


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


class Edge:
    """One edge (or the synthetic retention edge of a general retention fact) with its precomputations."""

    __slots__ = ("data", "key", "rel", "ps", "attrs", "_sorted", "_runs", "_ev_all", "_ev_mask", "_ev_unknown", "_sg")

    def __init__(self, data: dict[str, Any], key: str, ix: Index):
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
        self._sg: list[tuple[str, Edge, int]] | None = None

    def sorted_ids(self, ps: int, ix: Index) -> tuple[str, ...]:
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


class Index:
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
        self.down: dict[str, list[tuple[str, Edge]]] = {}
        self.up: dict[str, list[tuple[str, Edge]]] = {}
        self.out_transfers: dict[str, list[tuple[str, Edge]]] = {}
        self.out_safeguards: dict[str, list[tuple[str, Edge]]] = {}
        self._info: dict[str, tuple] = {}
        self.terms: list[Any] | None = None  # the nodes' names, built by catalog.queries.lineage.terms on first use
        self.nodes: dict[str, dict[str, Any]] = dict(G.nodes(data=True))  # no reference to G itself
        for n, d in G.nodes(data=True):
            self.kind[n] = d["kind"]
            self.node_ps[n] = self.mask(d["policy_ids"])
            self.down[n], self.up[n], self.out_transfers[n], self.out_safeguards[n] = [], [], [], []
        edges: dict[tuple[str, str, str], Edge] = {}
        for u, v, k, data in G.edges(keys=True, data=True):
            e = edges[u, v, k] = Edge(data, k, self)
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
        self.controllers = controller_nodes(G)
        self.general_retention: list[tuple[str, Edge]] = []
        for r in _general_retention(G):
            nd = G.nodes[r]
            synthetic = {"relation": Relation.RETAINED_FOR.value, "status": Status.INFERRED.value,
                         "policy_ids": nd["policy_ids"],
                         "evidence": [{**e, "note": f"retention stated for {ALL_DATA}"} for e in nd["evidence"]]}
            self.general_retention.append((r, Edge(synthetic, Relation.RETAINED_FOR.value, self)))
        # per data category: the general retention facts it has no own retained_for edge to
        self.retention_for: dict[str, list[tuple[str, Edge]]] = {
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
            d = self.nodes[n]
            c = self._info[n] = (d["kind"], d["label"], d.get("key") or "", d.get("attrs", {}), self.ids(self.root_ps(n)))
        return {"kind": c[0], "label": c[1], "key": c[2], "attrs": c[3], "policy_ids": list(c[4])}

    def safeguards_of(self, e: Edge, attrs: dict[str, Any] | None, v: str) -> list[tuple[str, Edge, int]]:
        """For a transfer hop into country v: the safeguards it names, each with the versions whose own
        list leaves it out (a version without a list of its own keeps the merged one)."""
        if attrs is e.attrs and e._sg is not None:
            return e._sg
        named = set((attrs or {}).get("safeguards", []))
        by_policy = e.data.get("by_policy", {})
        out = []
        for sg, e2 in self.out_safeguards[v]:
            ident = self.nodes[sg]["ident"]
            if ident in named:
                bad = self.or_all(self.bit.get(p, 0) for p, bp in by_policy.items()
                                  if ident not in bp.get("safeguards", named))
                out.append((sg, e2, bad))
        if attrs is e.attrs:
            e._sg = out
        return out


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _fingerprint(G: nx.MultiDiGraph) -> tuple:
    known = G.graph.get("policies")
    # cheap (no walk over the edges in Python): node count, linked pairs, the versions table
    return len(G._node), sum(map(len, G._succ.values())), id(known), len(known) if known else 0


def graph_index(G: nx.MultiDiGraph) -> Index:
    """The graph's index, built on first use and rebuilt if the graph has changed size since."""
    fp = _fingerprint(G)
    try:
        hit = _INDEXES.get(G)
    except TypeError:  # a graph that cannot be weakly referenced: no cache
        return Index(G)
    if hit is not None and hit[0] == fp:
        return hit[1]
    ix = Index(G)
    _INDEXES[G] = (fp, ix)
    return ix


def controller_nodes(G: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, k in G.nodes(data="kind") if k == Kind.CONTROLLER)


def _general_retention(G: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, d in G.nodes(data=True) if d["kind"] == Kind.RETENTION and d["attrs"].get("scope") == ALL_DATA)
