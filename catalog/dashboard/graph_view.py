"""The Data map: which part of the graph to draw, the Art. 9 notes, the SVG and the pan-and-zoom view.

Graphviz (`dot`) lays the drawing out on the server; the browser only shows the SVG in a small
component of our own (inline code, nothing fetched) that pans, zooms and reports the fact a DPO
clicked. The SVG is cleaned before it leaves the server: only drawing elements and attributes pass.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import networkx as nx
import streamlit as st

from catalog.records import Kind, Relation

#: Beyond this many facts or links a map is no longer read, only scrolled: the page draws one version instead.
MAX_NODES = 120
MAX_EDGES = 400


# ---------------------------------------------------------------- what to draw


def filtered(G: nx.MultiDiGraph, kinds: list[str], special_only: bool = False) -> nx.MultiDiGraph:
    """The part of G a Data map filter shows: nodes of the chosen kinds; with special_only, only
    special-category data and what is linked to it (its subjects, purposes, bases, recipients...)."""
    keep = {n for n, k in G.nodes(data="kind") if k in kinds}
    if special_only:
        special = {n for n in keep if G.nodes[n].get("kind") == "data_category"
                   and G.nodes[n].get("attrs", {}).get("special_category")}
        reach = set(special)
        for n in special:
            reach |= nx.descendants(G, n) | set(G.predecessors(n))
        keep &= reach
    return G.subgraph(keep).copy()


def too_large(H: nx.MultiDiGraph) -> bool:
    return H.number_of_nodes() > MAX_NODES or H.number_of_edges() > MAX_EDGES


@dataclass(frozen=True)
class Fallback:
    """The version drawn instead of a selection too large to read, and why."""

    policy_id: str
    reason: str


def fallback_version(policies: list[dict[str, Any]], organisation: str, nodes: int, edges: int) -> Fallback | None:
    """One organisation's latest version (the chosen organisation, else the first), for a map too large to read."""
    orgs = sorted({p["organisation"] for p in policies})
    org = organisation or (orgs[0] if orgs else "")
    mine = [p for p in policies if p["organisation"] == org]
    if not mine:
        return None
    latest = max(mine, key=lambda p: (p["effective_date"] or "", p["id"]))
    reason = (f"The selection holds {nodes} facts and {edges} links: drawn together they make a map too large "
              f"to read. Showing {latest['id']}, the latest version of {latest['publisher'] or org}"
              + ("" if organisation else " (the first organisation)")
              + "; choose a version or an organisation in the sidebar, or draw the whole selection anyway.")
    return Fallback(latest["id"], reason)


def art9_notes(G: nx.MultiDiGraph) -> dict[str, str]:
    """For each special-category data category, the Art. 9(2) conditions the policy links it to."""
    out = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") != Kind.DATA_CATEGORY or not (d.get("attrs") or {}).get("special_category"):
            continue
        conditions = sorted({G.nodes[b].get("label", b) for _, b, k in G.out_edges(n, keys=True)
                             if k == Relation.BASED_ON and str((G.nodes[b].get("attrs") or {}).get("article", ""))
                             .startswith("9")})
        out[n] = "Art. 9 condition: " + ("; ".join(conditions) if conditions else "none stated")
    return out


# ---------------------------------------------------------------- the SVG

_SVG_NS = "http://www.w3.org/2000/svg"
_XLINK_NS = "http://www.w3.org/1999/xlink"
#: What Graphviz draws with; anything else (script, foreignObject, style...) is dropped.
_SVG_TAGS = {"svg", "g", "title", "path", "polygon", "polyline", "ellipse", "text", "a", "defs", "desc", "line",
             "rect", "circle", "tspan"}
_SAFE_ATTR = re.compile(r"^(id|class|d|points|x|y|x1|y1|x2|y2|cx|cy|rx|ry|r|width|height|viewBox|transform|fill|"
                        r"stroke|stroke-width|stroke-dasharray|stroke-opacity|fill-opacity|font-family|font-size|"
                        r"font-weight|font-style|text-anchor|preserveAspectRatio|title|\{" + re.escape(_XLINK_NS)
                        + r"\}title)$")


def clean_svg(svg: str) -> str:
    """Graphviz's SVG with only drawing elements and attributes left (no script, handler or link)."""
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", _XLINK_NS)
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", svg))

    def keep(el: ET.Element) -> None:
        for child in list(el):
            tag = child.tag.rsplit("}", 1)[-1]
            if tag not in _SVG_TAGS:
                el.remove(child)
                continue
            for attr in list(child.attrib):
                if not _SAFE_ATTR.match(attr):
                    del child.attrib[attr]
            keep(child)

    for attr in list(root.attrib):
        if not _SAFE_ATTR.match(attr):
            del root.attrib[attr]
    keep(root)
    return ET.tostring(root, encoding="unicode")


@st.cache_data(show_spinner="Laying out the map…", max_entries=64)
def svg_of(dot: str) -> str | None:
    """The cleaned SVG of DOT source, laid out by Graphviz; None when the `dot` program is not installed."""
    import graphviz

    try:
        return clean_svg(graphviz.Source(dot).pipe(format="svg", encoding="utf-8"))
    except graphviz.ExecutableNotFound:
        return None


# ---------------------------------------------------------------- the pan-and-zoom view

_CSS = """
.ropa-map { border: 1px solid #ddd; border-radius: 6px; position: relative; background: #fff; }
.ropa-map .bar { position: absolute; top: 6px; right: 6px; display: flex; gap: 4px; z-index: 1; }
.ropa-map .bar button { font: 13px sans-serif; padding: 2px 9px; border: 1px solid #bbb; border-radius: 4px;
  background: #fafafa; cursor: pointer; }
.ropa-map .view { height: 72vh; overflow: hidden; cursor: grab; touch-action: none; }
.ropa-map .view.dragging { cursor: grabbing; }
.ropa-map svg { width: 100%; height: 100%; display: block; user-select: none; }
.ropa-map g.node { cursor: pointer; }
.ropa-map g.node:hover path, .ropa-map g.node:hover polygon, .ropa-map g.node:hover ellipse,
.ropa-map g.node:focus path, .ropa-map g.node:focus polygon, .ropa-map g.node:focus ellipse {
  stroke: #e65100; stroke-width: 2.5; }
.ropa-map .hint { position: absolute; left: 8px; bottom: 6px; font: 12px sans-serif; color: #666; }
"""

# Our own code, no policy text: the SVG arrives as data, is parsed as XML (scripts never run) and its
# viewBox is what pans and zooms. A click (or Enter) on a fact reports that fact's id.
_JS = """
export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  parentElement.querySelectorAll('.ropa-map').forEach((old) => old.remove());
  const root = document.createElement('div');
  root.className = 'ropa-map';
  const bar = document.createElement('div');
  bar.className = 'bar';
  const view = document.createElement('div');
  view.className = 'view';
  const hint = document.createElement('div');
  hint.className = 'hint';
  hint.textContent = 'Drag to pan, scroll to zoom, click a fact to open its evidence';
  root.append(bar, view, hint);
  parentElement.appendChild(root);
  const doc = new DOMParser().parseFromString(data.svg, 'image/svg+xml');
  const svg = document.importNode(doc.documentElement, true);
  if (svg.nodeName.toLowerCase() !== 'svg') { return () => root.remove(); }
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  view.appendChild(svg);
  const full = (svg.getAttribute('viewBox') || '0 0 100 100').split(/[ ,]+/).map(Number);
  let box = full.slice();
  const show = () => svg.setAttribute('viewBox', box.join(' '));
  const fit = () => { box = full.slice(); show(); };
  const zoom = (factor, cx, cy) => {
    const w = box[2] * factor, h = box[3] * factor;
    if (w < full[2] / 40 || w > full[2] * 4) { return; }
    box = [cx - (cx - box[0]) * factor, cy - (cy - box[1]) * factor, w, h];
    show();
  };
  const centre = () => [box[0] + box[2] / 2, box[1] + box[3] / 2];
  const actual = () => {
    const r = view.getBoundingClientRect();
    const [cx, cy] = centre();
    box = [cx - r.width / 2, cy - r.height / 2, r.width, r.height];
    show();
  };
  for (const [label, title, act] of [['−', 'Zoom out', () => zoom(1.25, ...centre())],
                                     ['+', 'Zoom in', () => zoom(0.8, ...centre())],
                                     ['Fit', 'Fit the whole map', fit],
                                     ['1:1', 'Actual size', actual]]) {
    const b = document.createElement('button');
    b.type = 'button'; b.textContent = label; b.title = title; b.setAttribute('aria-label', title);
    b.addEventListener('click', act);
    bar.appendChild(b);
  }
  const toSvg = (e) => {
    const r = view.getBoundingClientRect();
    const s = Math.max(box[2] / r.width, box[3] / r.height);
    const ox = box[0] + (box[2] - r.width * s) / 2, oy = box[1] + (box[3] - r.height * s) / 2;
    return [ox + (e.clientX - r.left) * s, oy + (e.clientY - r.top) * s, s];
  };
  view.addEventListener('wheel', (e) => {
    e.preventDefault();
    const [x, y] = toSvg(e);
    zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, x, y);
  }, { passive: false });
  let drag = null;
  view.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, box: box.slice(), moved: false };
  });
  view.addEventListener('pointermove', (e) => {
    if (!drag) { return; }
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) { return; }
    drag.moved = true;
    view.classList.add('dragging');
    const [, , s] = toSvg(e);
    box = [drag.box[0] - dx * s, drag.box[1] - dy * s, drag.box[2], drag.box[3]];
    show();
  });
  const end = () => { view.classList.remove('dragging'); setTimeout(() => { drag = null; }, 0); };
  view.addEventListener('pointerup', end);
  view.addEventListener('pointerleave', end);
  const facts = data.facts || {};
  svg.querySelectorAll('g.node').forEach((g) => {
    const fact = facts[g.id];
    if (!fact) { return; }
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'link');
    g.setAttribute('data-fact', fact);
    const open = () => setTriggerValue('clicked', fact);
    g.addEventListener('click', () => { if (!drag || !drag.moved) { open(); } });
    g.addEventListener('keydown', (e) => { if (e.key === 'Enter') { open(); } });
  });
  show();
  return () => root.remove();
}
"""

_map_component = st.components.v2.component("ropa_data_map", css=_CSS, js=_JS)


def map_view(svg: str, facts: dict[str, str], key: str = "map_view") -> str | None:
    """Show the SVG with pan and zoom; the id of the fact a DPO clicked in this run, if any.

    facts: SVG node id (render.dot_name) -> fact id, for the nodes that open evidence.
    """
    result = _map_component(data={"svg": svg, "facts": facts}, key=key, on_clicked_change=lambda: None,
                            height="content")
    return getattr(result, "clicked", None) if result is not None else None


def legend_html(kind_style: dict, edge_color: dict, special_fill: str, highlight: str) -> str:
    """A legend for the data map from render's own styles (constants only: no policy text)."""
    def swatch(fill: str, text: str, border: str = "#555") -> str:
        return (f'<span style="display:inline-block;margin:2px 10px 2px 0;"><span style="display:inline-block;'
                f'width:14px;height:14px;border-radius:3px;border:1px solid {html.escape(border)};'
                f'background:{html.escape(fill)};vertical-align:middle;margin-right:4px;"></span>'
                f'{html.escape(text)}</span>')

    def line(color: str, text: str, style: str = "solid") -> str:
        return (f'<span style="display:inline-block;margin:2px 10px 2px 0;"><span style="display:inline-block;'
                f'width:24px;border-top:2px {style} {html.escape(color)};vertical-align:middle;margin-right:4px;">'
                f'</span>{html.escape(text)}</span>')

    kinds = [swatch(fill, title) for title, fill, _shape in kind_style.values()]
    kinds.append(swatch(special_fill, "Special category (Art. 9)", "#b00000"))
    kinds.append(swatch("#ffffff", "Reviewed by a DPO", highlight))
    edges = [line(color, str(rel).replace("_", " ")) for rel, color in edge_color.items()]
    edges.append(line("#555", "inferred", "dashed"))
    return ('<div class="legend" style="font-size:0.85rem;line-height:1.8;">'
            f'<div><b>Legend · facts</b>: {"".join(kinds)}</div><div><b>Links</b>: {"".join(edges)}</div></div>')
