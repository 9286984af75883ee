"""Data map: the processing graph, laid out by Graphviz, to pan, zoom and click through to the evidence."""

import streamlit as st

from catalog.dashboard import data, graph_view, labels, scope
from catalog.export.dot import EDGE_COLOR, HIGHLIGHT, KIND_STYLE, SPECIAL_FILL, dot_names, to_dot

ctx = scope.context()
st.title("Data map")
G = data.graph(ctx)

# Legal bases are left out by default: every purpose -> recipient edge would have to go around their column.
# They are one click away here, and on the Lineage and Processing activities pages.
DEFAULT_KINDS = ["controller", "data_subject", "data_category", "purpose", "recipient", "country", "safeguard"]
present = [k for k in labels.KIND_LABELS if any(kk == k for _, kk in G.nodes(data="kind"))]
c1, c2 = st.columns([3, 1])
kinds = c1.multiselect("Kinds", present, default=[k for k in DEFAULT_KINDS if k in present],
                       format_func=labels.KIND_LABELS.get, key="map_kinds", bind="query-params")
special = c2.toggle("Special category data only", key="map_special", bind="query-params",
                    help="Art. 9 data (e.g. health) and what it is linked to")
H = graph_view.filtered(G, kinds, special)
drawn, version = ctx.label, ctx.policy_id  # what the map shows; version: "" for several
if graph_view.too_large(H) and not ctx.policy_id:
    whole = c2.toggle("Draw the whole selection anyway", key="map_all", bind="query-params")
    fallback = None if whole else graph_view.fallback_version(data.policies(ctx), ctx.organisation,
                                                              H.number_of_nodes(), H.number_of_edges())
    if fallback is not None:
        st.info(fallback.reason, icon=":material/zoom_in_map:")
        G = data.graph(ctx, fallback.policy_id)
        H = graph_view.filtered(G, kinds, special)
        drawn = version = fallback.policy_id
st.caption(f"{H.number_of_nodes()} facts and {H.number_of_edges()} links · {drawn} · "
           "change the organisation or version in the sidebar; add legal bases, retention, rights or cookies "
           "under Kinds")

if H.number_of_nodes() == 0:
    st.info("Nothing to draw for this filter.")
    st.stop()

reviewed = {n for n, d in H.nodes(data=True) if d.get("review")}
dot = to_dot(H, title=f"Processing graph · {drawn}", highlight=reviewed or None, notes=graph_view.art9_notes(G))
st.html(graph_view.legend_html(KIND_STYLE, EDGE_COLOR, SPECIAL_FILL, HIGHLIGHT))
with st.expander("How to read the map"):
    st.caption("Columns follow the data from left to right: who provides it, which data, for which purpose, "
               "on which legal basis, to whom it is disclosed, to which country it is transferred and under "
               "which safeguard. Solid edges are stated by one sentence, dashed edges are inferred; a transfer "
               "edge says SCC when the policy names Standard Contractual Clauses; special-category data says "
               "which Art. 9(2) condition the policy gives for it; red-outlined facts were reviewed by a DPO. "
               "Click a fact to open its evidence.")
svg = graph_view.svg_of(dot)
if svg is None:  # no Graphviz program on this machine: the browser lays the graph out (no pan, zoom or click)
    st.caption("Graphviz's `dot` is not installed here: the map is drawn without pan, zoom and click "
               "(apt-get install graphviz).")
    st.graphviz_chart(dot, width="stretch")
else:
    facts = {name: n for n, name in dot_names(list(H.nodes)).items()}
    clicked = graph_view.map_view(svg, facts)
    if clicked:
        scope.open_evidence(clicked, version)
d1, d2, _ = st.columns([1, 1, 3])
slug = drawn.replace(" ", "-")
if svg is not None:
    d1.download_button("Download SVG", svg, file_name=f"ropa-map-{slug}.svg", mime="image/svg+xml")
d2.download_button("Download DOT", dot, file_name=f"ropa-map-{slug}.dot", mime="text/vnd.graphviz")
