"""DOT source for the processing graph and for a lineage (pure: st.graphviz_chart or `dot` draws it).

Left to right the columns follow the data: subjects, categories, purposes, legal bases, recipients,
countries, safeguards; controller, retention, rights and cookies sit in their own clusters.
Special-category data is marked, inferred edges are dashed, transfers carry their SCC flag.
DOT node names are synthetic (n<digits>): our ids contain ':', which DOT reads as a port. Each name is
derived from the fact's id alone, so a fact keeps its name (and its SVG element id) in every filtered
view: a browser that morphs one drawing into the next never gives one fact's shape to another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import graphviz
import networkx as nx

from catalog.records import Kind, Relation, Status

if TYPE_CHECKING:
    from catalog.queries.lineage.walk import Lineage

#: Column order (left to right) and the look of each kind: (cluster title, fill colour, shape).
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    Kind.DATA_SUBJECT: ("Data subjects", "#fde2c8", "box"),
    Kind.DATA_CATEGORY: ("Data categories", "#cfe2ff", "box"),
    Kind.PURPOSE: ("Purposes", "#d7f5dd", "box"),
    Kind.LEGAL_BASIS: ("Legal bases", "#fff3b0", "box"),
    Kind.RECIPIENT: ("Recipients", "#e8d7ff", "box"),
    Kind.COUNTRY: ("Countries", "#ffd6d6", "ellipse"),
    Kind.SAFEGUARD: ("Safeguards", "#d6f0f0", "note"),
    Kind.CONTROLLER: ("Controller", "#e0e0e0", "box3d"),
    Kind.RETENTION: ("Retention", "#f0f0f0", "box"),
    Kind.RIGHT: ("Rights", "#f5f5dc", "box"),
    Kind.COOKIE: ("Cookies", "#f3e5d8", "box"),
}

#: The kinds drawn as columns, left to right; the others take the rank their edges give them.
COLUMNS: tuple[str, ...] = (Kind.DATA_SUBJECT, Kind.DATA_CATEGORY, Kind.PURPOSE, Kind.LEGAL_BASIS, Kind.RECIPIENT,
                            Kind.COUNTRY, Kind.SAFEGUARD)

EDGE_COLOR: dict[str, str] = {
    Relation.PROVIDES: "#b07a3b",
    Relation.PROCESSED_FOR: "#2f6fd0",
    Relation.BASED_ON: "#a08a00",
    Relation.DISCLOSED_TO: "#7a4fc0",
    Relation.TRANSFERRED_TO: "#c03030",
    Relation.SAFEGUARDED_BY: "#2a8a8a",
    Relation.RETAINED_FOR: "#777777",
    Relation.SET_BY: "#9a6a3a",
}

SPECIAL_FILL = "#ff9e9e"
HIGHLIGHT = "#d00000"


def _text(s: Any, width: int = 28) -> str:
    """A label DOT shows as written: backslashes escaped, long lines wrapped at word boundaries."""
    words = str(s).replace("\\", "\\\\").split()
    lines, cur = [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    return "\\n".join(lines)


def dot_name(node_id: str) -> str:
    """The DOT name (and SVG id) of a fact: the same in every drawing that holds it."""
    return f"n{int(hashlib.blake2s(node_id.encode('utf-8'), digest_size=5).hexdigest(), 16)}"


def dot_names(nodes: list[str]) -> dict[str, str]:
    """dot_name of each node; the (improbable) clash of two names is broken by id order."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for n in sorted(nodes):
        name = dot_name(n)
        while name in taken:
            name += "_"
        names[n] = name
        taken.add(name)
    return names


def _node_label(data: dict[str, Any], note: str = "") -> str:
    label = data.get("label") or data.get("ident", "")
    attrs = data.get("attrs") or {}
    if attrs.get("special_category"):
        label = f"{label} [Art. 9]"
    if data.get("kind") == Kind.RECIPIENT and attrs.get("home_country"):
        label = f"{label} ({attrs['home_country']})"
    text = _text(label)
    return f"{text}\\n{_text(note)}" if note else text


def _edge_label(data: dict[str, Any], country: str = "") -> str:
    """A transfer's label: SCC, another safeguard, or where the destination stands (EEA, adequacy)."""
    if data.get("relation") != Relation.TRANSFERRED_TO:
        return ""
    a = data.get("attrs") or {}
    if a.get("scc"):
        return "SCC"
    if a.get("safeguards"):
        return "safeguard"
    if country:
        from catalog.graph.standing import transfer_standing  # where a transfer stands is decided in one place

        adequacy = transfer_standing(country).adequacy
        return "EEA" if adequacy == "eea" else f"adequacy: {adequacy}"
    return f"adequacy: {a['adequacy']}" if a.get("adequacy") else ""


def to_dot(G: nx.MultiDiGraph, title: str = "", highlight: set[str] | None = None,
           notes: Mapping[str, str] | None = None) -> str:
    """DOT source for the graph: one cluster per kind, columns in the order data flows.

    notes: an extra line under a fact's label (e.g. the Art. 9 condition of special-category data).
    """
    highlight = highlight or set()
    notes = notes or {}
    dot = graphviz.Digraph("ropa", graph_attr={
        "rankdir": "LR", "newrank": "true", "nodesep": "0.15", "ranksep": "0.9", "fontname": "Helvetica",
        "label": _text(title, 80) if title else "", "labelloc": "t", "fontsize": "18"},
        node_attr={"style": "filled,rounded", "fontname": "Helvetica", "fontsize": "10"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.6"})
    names = dot_names(list(G.nodes))
    kinds = list(KIND_STYLE) + sorted({k for _, k in G.nodes(data="kind")} - set(KIND_STYLE))
    firsts: dict[str, str] = {}  # one DOT node per kind, to chain the columns in order
    for kind in kinds:
        members = sorted(n for n, k in G.nodes(data="kind") if k == kind)
        if not members:
            continue
        cluster_title, fill, shape = KIND_STYLE.get(kind, (str(kind), "#ffffff", "box"))
        # facts linked to nothing (rights, general retention...) share one box: the picture stays short
        # (never special-category data: its red box and Art. 9 condition must stay visible)
        unlinked = [n for n in members if G.degree(n) == 0 and n not in highlight
                    and not (G.nodes[n].get("attrs") or {}).get("special_category")]
        linked = [n for n in members if n not in unlinked] if len(unlinked) > 1 else members
        with dot.subgraph(name=f"cluster_{kind}") as sub:
            sub.attr(label=cluster_title, style="rounded,dashed", color="#bbbbbb", fontsize="12", rank="same")
            if len(unlinked) > 1:
                lines = "".join(_text(G.nodes[n].get("label") or n, 40).replace("\\n", "\\l  ") + "\\l" for n in unlinked)
                sub.node(f"unlinked_{kind}", lines, shape="box", fillcolor=fill, style="filled,rounded,dashed",
                         tooltip=_text(", ".join(unlinked), 400))
            firsts[kind] = f"unlinked_{kind}" if len(unlinked) > 1 else names[linked[0]]
            for n in linked:
                data = G.nodes[n]
                attrs = {"shape": shape, "fillcolor": fill, "tooltip": _text(n, 200), "id": names[n]}
                if (data.get("attrs") or {}).get("special_category"):
                    attrs.update(fillcolor=SPECIAL_FILL, peripheries="2", color="#b00000")
                if n in highlight:
                    attrs.update(color=HIGHLIGHT, penwidth="3")
                sub.node(names[n], _node_label(data, notes.get(n, "")), **attrs)
    columns = [firsts[k] for k in COLUMNS if k in firsts]
    for a, b in zip(columns, columns[1:]):  # invisible: they only keep the columns in data-flow order
        dot.edge(a, b, style="invis", weight="0")
    for u, v, k, data in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2])):
        relation = data.get("relation", k)
        attrs = {"color": EDGE_COLOR.get(relation, "#555555"), "tooltip": _text(f"{u} {relation} {v}", 200)}
        if data.get("status") == Status.INFERRED:
            attrs["style"] = "dashed"
        if relation not in EDGE_COLOR:  # drawn for reading only (e.g. "applies to all data")
            attrs["style"] = "dotted"
        target = G.nodes[v]
        code = str(target.get("key") or target.get("ident") or "") if target.get("kind") == Kind.COUNTRY else ""
        if label := _edge_label(data, code):
            attrs["label"] = label
        if u in highlight and v in highlight:
            attrs["penwidth"] = "2.5"
        dot.edge(names[u], names[v], **attrs)
    return dot.source


def lineage_to_dot(lineage: Lineage) -> str:
    """DOT source for one lineage: only the nodes and hops it reached, its root highlighted."""
    H = nx.MultiDiGraph()
    for n, info in lineage.nodes.items():
        H.add_node(n, **info)
    for h in lineage.hops:
        H.add_edge(h.source, h.target, key=h.relation, relation=h.relation, status=h.status, attrs=h.attrs)
    if lineage.direction == "down":  # the controller's transfers apply to every category reached
        cats = [n for n, i in lineage.nodes.items() if i["kind"] == Kind.DATA_CATEGORY]
        for c in (n for n, i in lineage.nodes.items() if i["kind"] == Kind.CONTROLLER):
            for cat in cats:
                H.add_edge(cat, c, key="applies_to", relation="applies_to", status=Status.STATED.value, attrs={})
    direction = "downstream" if lineage.direction == "down" else "upstream"
    root = lineage.nodes.get(lineage.root, {}).get("label", lineage.root)
    return to_dot(H, title=f"{root}: {direction} lineage", highlight={lineage.root})
