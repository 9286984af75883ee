"""Lineage queries over the processing graph: where data goes, what reaches a recipient, what a subject is told.

Pure functions of the graph. A traversal carries the set of policy versions a path holds in, so a
hop stated only by the 2018 version never continues a path stated only by the 2019 one. The
controller's transfers belong to every data category (the policy states them generally); a named
recipient's own transfers belong to that recipient; retention facts scoped to "all personal data"
belong to every category.
"""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from catalog.records import Kind, Relation, Status
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

_KIND_ORDER = {k.value: i for i, k in enumerate(
    (Kind.DATA_CATEGORY, Kind.DATA_SUBJECT, Kind.PURPOSE, Kind.RECIPIENT, Kind.COUNTRY, Kind.LEGAL_BASIS,
     Kind.SAFEGUARD, Kind.RETENTION, Kind.RIGHT, Kind.COOKIE, Kind.CONTROLLER))}

ROW_COLUMNS: tuple[str, ...] = (
    "data_category", "purpose", "legal_basis", "recipient", "transferred_by", "country", "safeguards", "scc",
    "adequacy", "retention", "status", "policy_ids",
)


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


def _score(G: nx.MultiDiGraph, n: str, term: str, toks: tuple[str, ...], phrases: dict[str, list]) -> int:
    d = G.nodes[n]
    t = term.lower()
    ident, key, label = str(d.get("ident", "")).lower(), str(d.get("key") or "").lower(), str(d.get("label", "")).lower()
    if t == ident:
        return 100
    if t == label:
        return 95
    if t == key:
        return 90
    node_phr = phrases.get(d.get("ident", ""), [])
    if toks and toks in node_phr:
        return 85
    if len(t) >= 3 and t in label:
        return 70
    if not toks:
        return 0
    words = set(phrase_tokens(label)) | set(phrase_tokens(ident.replace(".", " ").replace("_", " ")))
    if set(toks) <= words:
        return 60
    if any(set(toks) <= set(p) for p in node_phr):
        return 50
    if len(t) >= 4 and t in ident:
        return 40
    return 0


def resolve(G: nx.MultiDiGraph, term: str, kinds: tuple[str, ...] | None = None) -> list[str]:
    """Node ids a term names, best first: an exact id, an ident or key, a label, or a plain phrase.

    Raises UnknownTerm (with close matches) when nothing matches, so a caller can offer them.
    """
    return [n for n, _ in resolve_scored(G, term, kinds)]


def resolve_scored(G: nx.MultiDiGraph, term: str, kinds: tuple[str, ...] | None = None) -> list[tuple[str, int]]:
    """`resolve` with each match's score (100 exact ident ... 40 fragment of an ident), best first."""
    term = term.strip()
    allowed = {str(k) for k in kinds} if kinds else None
    if term in G and (allowed is None or G.nodes[term]["kind"] in allowed):
        return [(term, 100)]
    toks = tuple(w for w in phrase_tokens(term) if w not in _FILLER) or phrase_tokens(term)
    scored: list[tuple[int, int, str]] = []
    phrase_cache: dict[str, dict[str, list]] = {}
    for n, kind in G.nodes(data="kind"):
        if allowed is not None and kind not in allowed:
            continue
        if kind not in phrase_cache:
            phrase_cache[kind] = _node_phrases(kind)
        s = _score(G, n, term, toks, phrase_cache[kind])
        if s:
            scored.append((-s, _KIND_ORDER.get(kind, 99), n))
    if not scored:
        raise UnknownTerm(term, suggest(G, term, kinds))
    return [(n, -s) for s, _, n in sorted(scored)]


def suggest(G: nx.MultiDiGraph, term: str, kinds: tuple[str, ...] | None = None, n: int = 5) -> list[str]:
    """Close matches for a term among labels, idents and ids (difflib), as node ids."""
    allowed = {str(k) for k in kinds} if kinds else None
    names: dict[str, str] = {}
    for nid, d in G.nodes(data=True):
        if allowed is not None and d["kind"] not in allowed:
            continue
        label = str(d.get("label", "")).lower()
        for name in (label, str(d.get("ident", "")).lower(), nid.lower(), *label.replace("(", " ").split()):
            if len(name) > 2:
                names.setdefault(name, nid)
    out: list[str] = []
    for m in difflib.get_close_matches(term.lower(), list(names), n=n * 3, cutoff=0.5):
        if names[m] not in out:
            out.append(names[m])
    return out[:n]


# ---------------------------------------------------------------- traversal


@dataclass(frozen=True)
class Hop:
    """One edge of a lineage, in the graph's direction, with the versions it holds in along the path."""

    source: str
    target: str
    relation: str
    status: str
    evidence: tuple[dict[str, Any], ...]
    attrs: dict[str, Any]
    policy_ids: tuple[str, ...]

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

    def out(self, n: str, relation: str | None = None) -> list[Hop]:
        return [h for h in self.hops if h.source == n and (relation is None or h.relation == relation)]

    def into(self, n: str, relation: str | None = None) -> list[Hop]:
        return [h for h in self.hops if h.target == n and (relation is None or h.relation == relation)]

    def reached(self, kind: str) -> list[str]:
        return sorted(n for n, d in self.nodes.items() if d["kind"] == kind)

    def label(self, n: str) -> str:
        return self.nodes[n]["label"] if n in self.nodes else n

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


def in_scope(G: nx.MultiDiGraph, policy_ids) -> set[str]:
    """The versions among policy_ids that this graph is about (a `restrict`ed graph keeps its nodes' full lists)."""
    known = G.graph.get("policies")
    return set(policy_ids) & set(known) if known else set(policy_ids)


def _node_info(G: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    d = G.nodes[n]
    return {"kind": d["kind"], "label": d["label"], "key": d.get("key") or "", "attrs": d.get("attrs", {}),
            "policy_ids": sorted(in_scope(G, d["policy_ids"]))}


class _Walk:
    """Breadth-first search that carries, per node, the policy versions it is reached in."""

    def __init__(self, G: nx.MultiDiGraph, root: str, direction: str):
        self.G = G
        self.lin = Lineage(root, direction)
        self.reached: dict[str, set[str]] = {}
        self.hops: dict[tuple[str, str, str], tuple[dict, set[str]]] = {}
        self.queue: deque[str] = deque()
        self.visit(root, in_scope(G, G.nodes[root]["policy_ids"]))

    def visit(self, n: str, policies: set[str]) -> None:
        policies = policies & set(self.G.nodes[n]["policy_ids"])
        new = policies - self.reached.get(n, set())
        if not new and n in self.reached:
            return
        self.reached.setdefault(n, set()).update(new)
        self.queue.append(n)

    def hop(self, u: str, v: str, data: dict, policies: set[str], attrs: dict | None = None) -> set[str]:
        ps = policies & set(data.get("policy_ids", policies))
        if not ps:
            return ps
        key = (u, v, data["relation"])
        if key in self.hops:
            self.hops[key][1].update(ps)
        else:
            self.hops[key] = ({**data, "attrs": attrs if attrs is not None else data.get("attrs", {})}, set(ps))
        return ps

    def result(self) -> Lineage:
        lin = self.lin
        for (u, v, rel), (data, ps) in sorted(self.hops.items()):
            evidence = tuple(e for e in data.get("evidence", ()) if e.get("policy_id") in ps)
            lin.hops.append(Hop(u, v, rel, data.get("status", Status.STATED.value), evidence,
                                dict(data.get("attrs", {})), tuple(sorted(ps))))
        for n in {lin.root} | {h.source for h in lin.hops} | {h.target for h in lin.hops}:
            lin.nodes[n] = _node_info(self.G, n)
        lin.nodes = dict(sorted(lin.nodes.items()))
        return lin


def _controllers(G: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, k in G.nodes(data="kind") if k == Kind.CONTROLLER)


def _general_retention(G: nx.MultiDiGraph) -> list[str]:
    return sorted(n for n, d in G.nodes(data=True) if d["kind"] == Kind.RETENTION and d["attrs"].get("scope") == ALL_DATA)


def downstream(G: nx.MultiDiGraph, node_id: str) -> Lineage:
    """Where data goes from a data category (or a subject, or a purpose): purposes, bases, recipients, countries, safeguards, retention."""
    if node_id not in G:
        raise UnknownTerm(node_id, suggest(G, node_id))
    w = _Walk(G, node_id, "down")
    general_retention = _general_retention(G)
    controllers = _controllers(G)
    while w.queue:
        n = w.queue.popleft()
        ps = set(w.reached[n])
        kind = G.nodes[n]["kind"]
        follow = DOWN.get(kind, ())
        for _, v, rel, data in G.out_edges(n, keys=True, data=True):
            if rel not in follow:
                continue
            if got := w.hop(n, v, data, ps):
                w.visit(v, got)
        if kind == Kind.DATA_CATEGORY:
            for c in controllers:  # the controller's general transfers cover every category
                w.visit(c, ps)
            for r in general_retention:
                ev = G.nodes[r]["evidence"]
                synthetic = {"relation": Relation.RETAINED_FOR.value, "status": Status.INFERRED.value,
                             "policy_ids": G.nodes[r]["policy_ids"],
                             "evidence": [{**e, "note": f"retention stated for {ALL_DATA}"} for e in ev]}
                if not G.has_edge(n, r, Relation.RETAINED_FOR.value) and (got := w.hop(n, r, synthetic, ps, {"scope": ALL_DATA})):
                    w.visit(r, got)
    _add_safeguards(w)
    return w.result()


def _add_safeguards(w: _Walk) -> None:
    """A country's safeguards join the lineage only as far as a transfer on it names them (per version)."""
    for (u, v, rel), (data, ps) in list(w.hops.items()):
        if rel != Relation.TRANSFERRED_TO:
            continue
        named = set((data.get("attrs") or {}).get("safeguards", []))
        for _, sg, rel2, d2 in w.G.out_edges(v, keys=True, data=True):
            if rel2 == Relation.SAFEGUARDED_BY and w.G.nodes[sg]["ident"] in named:
                by_policy = data.get("by_policy", {})
                ok = {p for p in ps if w.G.nodes[sg]["ident"] in by_policy.get(p, {}).get("safeguards", named)}
                w.hop(v, sg, d2, ok)


def upstream(G: nx.MultiDiGraph, node_id: str) -> Lineage:
    """What reaches a recipient or a country: the categories and purposes behind it, and its onward transfers."""
    if node_id not in G:
        raise UnknownTerm(node_id, suggest(G, node_id))
    w = _Walk(G, node_id, "up")
    root_kind = G.nodes[node_id]["kind"]
    while w.queue:
        n = w.queue.popleft()
        ps = set(w.reached[n])
        follow = UP.get(G.nodes[n]["kind"], ())
        for u, _, rel, data in G.in_edges(n, keys=True, data=True):
            if rel not in follow:
                continue
            if root_kind == Kind.SAFEGUARD and rel == Relation.TRANSFERRED_TO and \
                    G.nodes[node_id]["ident"] not in (data.get("attrs") or {}).get("safeguards", []):
                continue  # only the transfers this safeguard covers
            if got := w.hop(u, n, data, ps):
                w.visit(u, got)
    if root_kind == Kind.RECIPIENT:  # "does it leave the EEA?": the recipient's own onward transfers
        for _, country, rel, data in G.out_edges(node_id, keys=True, data=True):
            if rel == Relation.TRANSFERRED_TO:
                w.hop(node_id, country, data, set(w.reached[node_id]))
    if root_kind in (Kind.RECIPIENT, Kind.COUNTRY):
        _add_safeguards(w)
    return w.result()


# ---------------------------------------------------------------- rows


def _joined(hops: list[Hop], ps: set[str]) -> list[str]:
    """Targets of the hops that hold in at least one of the versions ps."""
    return sorted({h.target for h in hops if ps & set(h.policy_ids)})


def _transfer_cells(h: Hop) -> dict[str, Any]:
    a = h.attrs
    return {"transferred_by": h.source, "country": h.target, "safeguards": [f"safeguard:{s}" for s in a.get("safeguards", [])],
            "scc": bool(a.get("scc")), "adequacy": a.get("adequacy", "")}


def _row(category: str, purpose: str, base_hops: list[Hop], recipient: str, transfer: Hop | None,
         retention_hops: list[Hop], ps: set[str], path: list[Hop]) -> dict[str, Any]:
    """One flat path; `status` is inferred when any hop of the path (bases aside) is."""
    row: dict[str, Any] = {"data_category": category, "purpose": purpose, "legal_basis": _joined(base_hops, ps),
                           "recipient": recipient, "transferred_by": "", "country": "", "safeguards": [], "scc": None,
                           "adequacy": "", "retention": _joined(retention_hops, ps)}
    if transfer is not None:
        row.update(_transfer_cells(transfer))
    inferred = any(h.status == Status.INFERRED for h in path)
    row["status"] = Status.INFERRED.value if inferred else Status.STATED.value
    row["policy_ids"] = sorted(ps)
    return row


def _rows_down(lin: Lineage) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    controller_transfers = [h for c in lin.reached(Kind.CONTROLLER) for h in lin.out(c, Relation.TRANSFERRED_TO)]
    for c in lin.reached(Kind.DATA_CATEGORY):
        cps = set(lin.nodes[c]["policy_ids"])
        retention = lin.out(c, Relation.RETAINED_FOR)
        own_bases = lin.out(c, Relation.BASED_ON)
        start = len(rows)
        for ph in lin.out(c, Relation.PROCESSED_FOR):
            rows.extend(_purpose_rows(lin, c, ph.target, own_bases, retention, cps & set(ph.policy_ids), [ph]))
        for rh in lin.out(c, Relation.DISCLOSED_TO):
            rows.extend(_recipient_rows(lin, c, "", own_bases, rh, retention, cps & set(rh.policy_ids), []))
        for th in controller_transfers:
            if ps := cps & set(th.policy_ids):
                rows.append(_row(c, "", own_bases, "", th, retention, ps, [th]))
        if len(rows) == start:
            rows.append(_row(c, "", own_bases, "", None, retention, cps, []))
    root, kind = lin.root, lin.nodes[lin.root]["kind"]
    if kind == Kind.PURPOSE:  # a purpose asked about directly: its bases, recipients and their transfers
        rows.extend(_purpose_rows(lin, "", root, [], [], set(lin.nodes[root]["policy_ids"]), []))
    elif kind in (Kind.RECIPIENT, Kind.CONTROLLER):  # where the recipient (or controller) sends data on
        for th in lin.out(root, Relation.TRANSFERRED_TO):
            rows.append(_row("", "", [], root if kind == Kind.RECIPIENT else "", th, [], set(th.policy_ids), [th]))
    return rows


def _purpose_rows(lin: Lineage, c: str, p: str, extra_bases: list[Hop], retention: list[Hop], ps: set[str],
                  path: list[Hop]) -> list[dict[str, Any]]:
    bases = lin.out(p, Relation.BASED_ON) + extra_bases
    recips = lin.out(p, Relation.DISCLOSED_TO)
    if not recips:
        return [_row(c, p, bases, "", None, retention, ps, path)]
    return [r for rh in recips for r in _recipient_rows(lin, c, p, bases, rh, retention, ps & set(rh.policy_ids), path)]


def _recipient_rows(lin: Lineage, c: str, p: str, bases: list[Hop], rh: Hop, retention: list[Hop], ps: set[str],
                    path: list[Hop]) -> list[dict[str, Any]]:
    if not ps:
        return []
    transfers = [t for t in lin.out(rh.target, Relation.TRANSFERRED_TO) if ps & set(t.policy_ids)]
    if not transfers:
        return [_row(c, p, bases, rh.target, None, retention, ps, [*path, rh])]
    return [_row(c, p, bases, rh.target, t, retention, ps & set(t.policy_ids), [*path, rh, t]) for t in transfers]


def _rows_up(lin: Lineage) -> list[dict[str, Any]]:
    """Upstream rows: for each recipient (or controller) reached, the categories and purposes behind it."""
    rows: list[dict[str, Any]] = []
    senders = lin.reached(Kind.RECIPIENT) + lin.reached(Kind.CONTROLLER)
    for s in senders:
        transfers = lin.out(s, Relation.TRANSFERRED_TO) or [None]
        for t in transfers:
            if lin.nodes[s]["kind"] == Kind.CONTROLLER:
                if t is not None:
                    rows.append(_row(ALL_DATA, "", [], "", t, [], set(t.policy_ids), [t]))
                continue
            recipient = s
            for dh in lin.into(s, Relation.DISCLOSED_TO):
                src_kind = lin.nodes[dh.source]["kind"]
                pairs: list[tuple[str, str, set[str], list[Hop]]] = []
                if src_kind == Kind.PURPOSE:
                    cats = lin.into(dh.source, Relation.PROCESSED_FOR)
                    pairs = [(ch.source, dh.source, set(dh.policy_ids) & set(ch.policy_ids), [ch, dh]) for ch in cats]
                    if not cats:
                        pairs = [("", dh.source, set(dh.policy_ids), [dh])]
                else:
                    pairs = [(dh.source, "", set(dh.policy_ids), [dh])]
                for cat, purpose, ps, hops in pairs:
                    if t is not None:
                        ps = ps & set(t.policy_ids)
                        hops = [*hops, t]
                    if ps:
                        rows.append(_row(cat, purpose, [], recipient, t, [], ps, hops))
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
