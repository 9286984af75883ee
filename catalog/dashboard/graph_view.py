"""The Data map's filter and legend."""

from __future__ import annotations

import html

import networkx as nx


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
