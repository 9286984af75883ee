"""Data map: the processing graph drawn by Graphviz in the browser, filterable, with a legend."""

import streamlit as st

from catalog.dashboard import data, graph_view, labels, scope

ctx = scope.context()
st.title("Data map")
render = data.library("render")
G = data.graph(ctx)

# Legal bases are left out by default: every purpose -> recipient edge would have to go around their column.
# They are one click away here, and on the Lineage and Processing activities pages.
DEFAULT_KINDS = ["controller", "data_subject", "data_category", "purpose", "recipient", "country", "safeguard"]
present = [k for k in labels.KIND_LABELS if any(kk == k for _, kk in G.nodes(data="kind"))]
c1, c2 = st.columns([3, 1])
kinds = c1.multiselect("Kinds", present, default=[k for k in DEFAULT_KINDS if k in present],
                       format_func=labels.KIND_LABELS.get, key="map_kinds")
special = c2.toggle("Special category data only", key="map_special",
                    help="Art. 9 data (e.g. health) and what it is linked to")
fit = c2.toggle("Fit to width", key="map_fit", help="Shrink the drawing to the page width (off: full size, scroll)")
H = graph_view.filtered(G, kinds, special)
shown = ctx.label
st.caption(f"{H.number_of_nodes()} facts and {H.number_of_edges()} links · {shown} · "
           "change the policy version in the sidebar; add legal bases, retention, rights or cookies under Kinds")

if render is not None:
    if H.number_of_nodes() == 0:
        st.info("Nothing to draw for this filter.")
    else:
        reviewed = [n for n, d in H.nodes(data=True) if d.get("review")]
        dot = render.to_dot(H, title=f"Processing graph · {shown}", highlight=reviewed or None)
        st.html(graph_view.legend_html(render.KIND_STYLE, render.EDGE_COLOR, render.SPECIAL_FILL, render.HIGHLIGHT))
        with st.expander("How to read the map"):
            st.caption("Columns follow the data from left to right: who provides it, which data, for which purpose, "
                       "on which legal basis, to whom it is disclosed, to which country it is transferred and under "
                       "which safeguard. Solid edges are stated by one sentence, dashed edges are inferred; a transfer "
                       "edge says SCC when the policy names Standard Contractual Clauses; red-outlined facts were "
                       "reviewed by a DPO.")
        st.graphviz_chart(dot, width="stretch" if fit else "content")
        st.download_button("Download DOT", dot, file_name="ropa-graph.dot", mime="text/vnd.graphviz")
