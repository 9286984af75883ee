"""Lineage: pick a data category, subject, recipient or country; see where data flows, hop by hop, with quotes."""

import csv
import io
import json

import streamlit as st

from catalog.dashboard import data, labels, scope
from catalog.workbook import inert

ctx = scope.context()
st.title("Lineage")
lineage = data.library("lineage")
render = data.library("render")
if lineage is None:
    st.stop()

G = data.graph(ctx)
KINDS = ("data_category", "data_subject", "recipient", "country")
options = sorted((n for n, k in G.nodes(data="kind") if k in KINDS),
                 key=lambda n: (KINDS.index(G.nodes[n]["kind"]), G.nodes[n]["label"].lower()))
if not options:
    st.info("No data categories, subjects, recipients or countries in this selection.")
    st.stop()

wanted = st.query_params.get("node")
if wanted in options and st.session_state.get("_lineage_from_url") != wanted:
    st.session_state["lineage_node"] = wanted
    st.session_state["_lineage_from_url"] = wanted
if st.session_state.get("lineage_node") not in options:
    st.session_state.pop("lineage_node", None)

c1, c2 = st.columns([3, 2])
node = c1.selectbox("Data category, subject, recipient or country (type to search)", options,
                    format_func=lambda n: labels.node_option(G, n), key="lineage_node")
kind = G.nodes[node]["kind"]
down_default = kind in ("data_category", "data_subject")
direction = c2.radio("Direction", ["down", "up"], index=0 if down_default else 1, horizontal=True,
                     key=f"lineage_dir_{node}",
                     format_func=lambda d: "Downstream: where it goes" if d == "down" else "Upstream: what reaches it")

lin = lineage.downstream(G, node) if direction == "down" else lineage.upstream(G, node)
rows = lin.to_rows(labels=True)
st.caption(f"{len(lin.hops)} hops · {len(rows)} paths · {ctx.label}")

if render is not None and lin.hops:
    st.graphviz_chart(render.lineage_to_dot(lin), width="stretch")

st.subheader("Paths")
if rows:
    st.dataframe([{k: (", ".join(v) if isinstance(v, list) else v) for k, v in r.items()} for r in rows],
                 hide_index=True, width="stretch")
else:
    st.info("Nothing flows from or to this fact in this direction.")

st.subheader("Each hop with its quote")
hop_rows = []
for h in lin.hops:
    ev = h.evidence[0] if h.evidence else {}
    review = labels.review_text((G.edges[h.source, h.target, h.relation].get("review")
                                 if G.has_edge(h.source, h.target, h.relation) else None))
    hop_rows.append({"from": lin.label(h.source), "relation": h.relation.replace("_", " "), "to": lin.label(h.target),
                     "status": h.status, "quote": ev.get("quote") or ev.get("note", ""), "section": ev.get("section", ""),
                     "versions": ", ".join(h.policy_ids), "review": review,
                     "evidence": scope.evidence_url(f"{h.source}|{h.relation}|{h.target}")})
st.dataframe(hop_rows, hide_index=True, width="stretch",
             column_config={"evidence": st.column_config.LinkColumn("evidence", display_text="open"),
                            "quote": st.column_config.TextColumn("quote", width="large")})

buf = io.StringIO()
if rows:
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    for r in rows:
        w.writerow({k: inert("; ".join(v) if isinstance(v, list) else v) for k, v in r.items()})
slug = node.replace(":", "-").replace(".", "-")
d1, d2, d3 = st.columns([1, 1, 3])
d1.download_button("Download CSV", buf.getvalue(), file_name=f"lineage-{slug}-{direction}.csv", mime="text/csv")
d2.download_button("Download JSON", json.dumps(lin.to_dict(), indent=2, default=str),
                   file_name=f"lineage-{slug}-{direction}.json", mime="application/json")
with d3:
    scope.evidence_link(node, f"Evidence for {G.nodes[node]['label']}")

if kind == "data_subject":
    with st.expander("Everything the policy says about these data subjects (subject access request view)"):
        view = lineage.subject_view(G, node)
        for key in ("categories", "purposes", "legal_bases", "recipients", "retention", "rights"):
            if view.get(key):
                st.markdown(f"**{key.replace('_', ' ').capitalize()}**")
                st.dataframe([{k: v for k, v in x.items() if k in ("label", "quote", "policy_ids")} for x in view[key]],
                             hide_index=True, width="stretch")
        if view.get("transfers"):
            st.markdown("**Transfers**")
            st.dataframe(view["transfers"], hide_index=True, width="stretch")
