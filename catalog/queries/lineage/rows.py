"""A lineage as flat rows: category -> purpose -> legal basis -> recipient -> country -> safeguard.

What `ropa lineage` prints, the dashboard's Lineage page shows and its CSV holds (`Lineage.to_rows`):
one row per (category, purpose, recipient, country), the legal bases of the purpose and the
safeguards of the transfer joined into one cell, each row with the versions it holds in.

Version sets are the hops' bitmasks (Hop.mask, Lineage.node_mask): intersecting them costs the same
on a catalog of one version or of a thousand; ids are read back once per row (Lineage.ids).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from catalog.graph.standing import transfer_standing
from catalog.queries.lineage.index import ALL_DATA
from catalog.records import Kind, Relation, Status

if TYPE_CHECKING:
    from catalog.queries.lineage.walk import Hop, Lineage


ROW_COLUMNS: tuple[str, ...] = (
    "data_category", "purpose", "legal_basis", "recipient", "transferred_by", "country", "safeguards", "scc",
    "adequacy", "retention", "status", "policy_ids",
)


def _joined(hops: list[Hop], ps: int) -> list[str]:
    """Targets of the hops that hold in at least one of the versions ps."""
    return sorted({h.target for h in hops if ps & h.mask})


def transfer_cells(h: Hop) -> dict[str, Any]:
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
                cells = self.cells[id(transfer)] = transfer_cells(transfer)
            row.update(cells, safeguards=list(cells["safeguards"]))
        inferred = any(h.status == Status.INFERRED for h in path)
        row["status"] = Status.INFERRED.value if inferred else Status.STATED.value
        # the bases are one cell of several hops: name the ones that are inferred, not stated
        row["inferred_bases"] = sorted({h.target for h in base_hops if h.status == Status.INFERRED and ps & h.mask})
        row["policy_ids"] = self.lin.ids(ps)
        return row


def rows_down(lin: Lineage) -> list[dict[str, Any]]:
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


def rows_up(lin: Lineage) -> list[dict[str, Any]]:
    """Upstream rows: for each recipient (or controller) reached, the categories and purposes behind it."""
    rows: list[dict[str, Any]] = []
    mk = _Rows(lin)
    senders = lin.reached(Kind.RECIPIENT) + lin.reached(Kind.CONTROLLER)
    for s in senders:
        transfers: list[Hop | None] = [*lin.out(s, Relation.TRANSFERRED_TO)] or [None]
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
