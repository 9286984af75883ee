"""A DPO's review decisions: stored with who and when, applied to the graph in every view.

A decision names its fact by identity (a node id, or "source|relation|target" for a link), not by
a database row, so it survives a rebuild of the policy: `write_extractions` replaces a version's
facts, links and evidence and never touches the review table.

Decisions: `confirm`, `reject`, `correct` (with a correction: for a node e.g. {"label": ...}; for a
link {"source", "target", "relation"} names the link it should have been) and `add` (a missing link:
correction {"source", "target", "relation"}). `apply_reviews` is pure: it returns a copy of the
graph with a `review` attribute ({decision, reviewer, comment, at, ...}) on each reviewed node or
edge, and the added links present with status "reviewed" and the DPO's comment as evidence note.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from catalog.records import Kind, Relation, split_node_id
from catalog.store.tables import PolicyRow, ReviewRow, link_key

if TYPE_CHECKING:
    import networkx as nx

DECISIONS = ("confirm", "reject", "correct", "add")
REVIEWED = "reviewed"  # the status of a link a DPO added


class ReviewError(ValueError):
    """A review decision that cannot be stored (unknown decision, no reviewer, bad target)."""


def split_target(target: str) -> tuple[str, str, str] | None:
    """("source", "relation", "target") for a link target, None for a node id."""
    parts = target.split("|")
    if len(parts) == 3:
        return parts[0], parts[1], parts[2]
    return None


def _check_node_id(nid: str) -> None:
    try:
        _, ident = split_node_id(nid)
    except ValueError:
        raise ReviewError(f"not a node id: {nid!r} (expected kind:ident, kind one of "
                          f"{', '.join(k.value for k in Kind)})") from None
    if not ident:
        raise ReviewError(f"not a node id: {nid!r}")


def _check_link(source: str, relation: str, target: str) -> None:
    _check_node_id(source)
    _check_node_id(target)
    try:
        Relation(relation)
    except ValueError:
        raise ReviewError(f"unknown relation {relation!r}; expected one of "
                          f"{', '.join(r.value for r in Relation)}") from None


def write_review(engine: Engine, target: str, decision: str, reviewer: str, comment: str = "",
                 correction: dict[str, Any] | None = None, policy_id: str = "") -> ReviewRow:
    """Store one decision (with who and when) and return it.

    For `add`, target may be "" : it is then derived from the correction's source|relation|target.
    policy_id "" means the decision holds for every version that states the fact.
    """
    decision = (decision or "").strip().lower()
    if decision not in DECISIONS:
        raise ReviewError(f"unknown decision {decision!r}; expected one of {', '.join(DECISIONS)}")
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise ReviewError("a review needs the reviewer's name")
    correction = dict(correction or {})
    if decision == "add":
        missing = [k for k in ("source", "target", "relation") if not correction.get(k)]
        if missing:
            raise ReviewError(f"an added link needs {', '.join(missing)} in its correction")
        _check_link(correction["source"], correction["relation"], correction["target"])
        target = target or link_key(correction["source"], correction["relation"], correction["target"])
    target = (target or "").strip()
    if not target:
        raise ReviewError("a review needs a target: a node id or source|relation|target")
    parts = split_target(target)
    if parts:
        _check_link(parts[0], parts[1], parts[2])
    else:
        _check_node_id(target)
    if decision == "correct" and not correction and not comment.strip():
        raise ReviewError("a correction needs the corrected value or a comment saying what is wrong")
    row = ReviewRow(target=target, policy_id=policy_id or "", decision=decision, correction=correction,
                    comment=comment or "", reviewer=reviewer)
    with Session(engine) as session:
        session.add(row)
        session.commit()
        session.refresh(row)
        session.expunge(row)
    return row


def read_reviews(engine: Engine, target: str | None = None) -> list[ReviewRow]:
    """Every stored decision, oldest first (the last one on a target is the one in force)."""
    with Session(engine) as session:
        q = select(ReviewRow)
        if target:
            q = q.where(ReviewRow.target == target)
        rows = session.execute(q.order_by(ReviewRow.created_at, ReviewRow.id)).scalars().all()
        session.expunge_all()
    return list(rows)


def catalog_stamp(engine: Engine) -> str:
    """A short token that changes when the stored policies or the review decisions change.

    Cheap (two aggregate queries): the dashboard keys its caches on it.
    """
    with Session(engine) as session:
        p = session.execute(select(func.count(), func.max(PolicyRow.built_at))).one()
        hashes = session.execute(select(PolicyRow.id, PolicyRow.content_hash).order_by(PolicyRow.id)).all()
        r = session.execute(select(func.count(ReviewRow.id), func.max(ReviewRow.id))).one()
    h = hashlib.sha256(repr((tuple(p), [tuple(x) for x in hashes], tuple(r))).encode()).hexdigest()
    return h[:16]


def _at(row: ReviewRow) -> str:
    at = row.created_at
    if isinstance(at, dt.datetime):
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.timezone.utc)
        return at.isoformat(timespec="seconds")
    return str(at)


def _review_attr(row: ReviewRow) -> dict[str, Any]:
    d: dict[str, Any] = {"decision": row.decision, "reviewer": row.reviewer, "comment": row.comment,
                         "at": _at(row), "id": row.id}
    if row.correction:
        d["correction"] = dict(row.correction)
    if row.policy_id:
        d["policy_id"] = row.policy_id
    return d


def _ensure_node(G: nx.MultiDiGraph, nid: str, label: str, policy_ids: list[str]) -> None:
    if nid in G:
        return
    kind, ident = split_node_id(nid)
    G.add_node(nid, kind=kind.value, label=label or ident, key="", ident=ident, policy_ids=list(policy_ids),
               evidence=[], attrs={"added_by_review": True}, by_policy={})


def _add_link(G: nx.MultiDiGraph, row: ReviewRow, corr: dict[str, Any], policy_ids: list[str]) -> tuple[str, str, str]:
    s, r, t = corr["source"], corr["relation"], corr["target"]
    _ensure_node(G, s, corr.get("source_label", ""), policy_ids)
    _ensure_node(G, t, corr.get("target_label", ""), policy_ids)
    if not G.has_edge(s, t, r):
        note = row.comment or f"{row.decision} by {row.reviewer}"
        evidence = [{"policy_id": pid, "section": "", "quote": "", "start": 0, "end": 0,
                     "rule": f"review:{row.decision}", "note": note} for pid in policy_ids]
        G.add_edge(s, t, key=r, relation=r, status=REVIEWED, policy_ids=list(policy_ids), evidence=evidence,
                   attrs={}, by_policy={pid: {"status": REVIEWED} for pid in policy_ids})
    return s, r, t


def apply_reviews(G: nx.MultiDiGraph, reviews: Iterable[ReviewRow]) -> nx.MultiDiGraph:
    """Pure: a copy of G with each decision applied (the latest decision on a target wins).

    Sets `review` (the decision in force) and `reviews` (every decision, oldest first) on the node or
    edge; `add` (and `correct` of a link naming the right source|relation|target) adds the link with
    status "reviewed". A decision scoped to a version the graph does not hold is skipped; one whose
    fact the graph does not have is listed in H.graph["orphan_reviews"].
    """
    H = copy.deepcopy(G)
    versions = sorted(H.graph.get("policies", {}))
    orphans: list[dict[str, Any]] = []
    ordered = sorted(reviews, key=lambda r: (_at(r), r.id or 0))
    for row in ordered:
        if row.policy_id and versions and row.policy_id not in versions:
            continue
        attr = _review_attr(row)
        scope = [row.policy_id] if row.policy_id else versions
        corr = row.correction or {}
        if row.decision == "add" or (row.decision == "correct" and all(corr.get(k) for k in ("source", "target", "relation"))):
            try:
                s, r, t = _add_link(H, row, corr, scope)
            except (KeyError, ValueError):
                orphans.append({"target": row.target, **attr})
                continue
            added = H.edges[s, t, r]
            if row.decision == "add":
                _set(added, attr)
            else:
                _set(added, {**attr, "decision": "add", "comment": row.comment or f"corrects {row.target}"})
            if row.decision == "add":
                continue
        parts = split_target(row.target)
        if parts:
            s, r, t = parts
            if H.has_edge(s, t, r):
                _set(H.edges[s, t, r], attr)
            else:
                orphans.append({"target": row.target, **attr})
        elif row.target in H:
            _set(H.nodes[row.target], attr)
        else:
            orphans.append({"target": row.target, **attr})
    H.graph["orphan_reviews"] = orphans
    return H


def _set(data: dict[str, Any], attr: dict[str, Any]) -> None:
    data["review"] = attr
    data.setdefault("reviews", []).append(attr)


def review_of(G: nx.MultiDiGraph, target: str) -> dict[str, Any] | None:
    """The decision in force on a node id or "source|relation|target", if any."""
    parts = split_target(target)
    if parts:
        s, r, t = parts
        return G.edges[s, t, r].get("review") if G.has_edge(s, t, r) else None
    return G.nodes[target].get("review") if target in G else None


def reviewed_items(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every reviewed node and edge with its decision in force (for listings)."""
    out = []
    for n, d in G.nodes(data=True):
        if d.get("review"):
            out.append({"target": n, "label": d.get("label", n), "kind": d.get("kind", ""), **d["review"]})
    for u, v, k, d in G.edges(keys=True, data=True):
        if d.get("review"):
            out.append({"target": link_key(u, k, v),
                        "label": f"{G.nodes[u].get('label', u)} —{k}→ {G.nodes[v].get('label', v)}",
                        "kind": "link", **d["review"]})
    return sorted(out, key=lambda x: x.get("at", ""), reverse=True)


def without_rejected(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Pure: the graph without the facts and links a DPO rejected (what risk checks should judge).

    Views and exports keep rejected facts, marked with their review; findings should not be raised
    on something the DPO has ruled out.
    """
    rejected_nodes = [n for n, d in G.nodes(data=True) if (d.get("review") or {}).get("decision") == "reject"]
    rejected_edges = [(u, v, k) for u, v, k, d in G.edges(keys=True, data=True)
                      if (d.get("review") or {}).get("decision") == "reject"]
    if not rejected_nodes and not rejected_edges:
        return G
    H = G.copy()
    H.remove_edges_from(rejected_edges)
    H.remove_nodes_from(rejected_nodes)
    return H
