"""Lineage: pick a data category, subject, recipient or country; see where data flows, hop by hop, with quotes."""

import csv
import io
import json

import streamlit as st

from catalog.queries.lineage.subject import subject_view
from catalog.queries.lineage.walk import downstream, upstream
from catalog.dashboard import data, labels, scope, tables, transfers_view
from catalog.export.workbook import inert
from catalog.export.dot import lineage_to_dot

ctx = scope.context()
st.title("Lineage")
G = data.graph(ctx)
KINDS = ("data_category", "data_subject", "recipient", "country")
options = sorted((n for n, k in G.nodes(data="kind") if k in KINDS),
                 key=lambda n: (KINDS.index(G.nodes[n]["kind"]), G.nodes[n]["label"].lower()))
if not options:
    st.info("No data categories, subjects, recipients or countries in this selection.")
    st.stop()

c1, c2 = st.columns([3, 2])
with c1:
    node = scope.url_select("Data category, subject, recipient or country (type to search)", options,
                       lambda n: labels.node_option(G, n), key="node")
kind = G.nodes[node]["kind"]
down_default = kind in ("data_category", "data_subject")
direction = c2.radio("Direction", ["down", "up"], index=0 if down_default else 1, horizontal=True,
                     key=f"lineage_dir_{node}",
                     format_func=lambda d: "Downstream: where it goes" if d == "down" else "Upstream: what reaches it")

lin = downstream(G, node) if direction == "down" else upstream(G, node)
rows = lin.to_rows(labels=True)
st.caption(f"{len(lin.hops)} hops · {len(rows)} paths · {ctx.label}")

if lin.hops:
    st.graphviz_chart(lineage_to_dot(lin), width="stretch")

HEADERS = {"data_category": "Data category", "purpose": "Purpose", "legal_basis": "Legal basis",
           "recipient": "Recipient", "transferred_by": "Transferred by", "country": "Country",
           "safeguards": "Safeguards", "scc": "SCC", "adequacy": "Adequacy", "retention": "Retention",
           "status": "Status", "policy_ids": "Versions", "data_subject": "Data subject"}


def display(r: dict) -> dict:
    """A path row with labels for headers and values, no raw ids (adequacy: catalog.graph.standing.transfer_standing's)."""
    out = {}
    for k, v in r.items():
        if k == "inferred_bases":
            continue
        if k == "scc":
            v = {True: "yes", False: "no"}.get(v, "")
        if k == "adequacy":
            v = transfers_view.ADEQUACY_TEXT.get(v, v)
        out[HEADERS.get(k, k.replace("_", " ").capitalize())] = ", ".join(map(str, v)) if isinstance(v, list) else v
    if r.get("inferred_bases"):
        out["Inferred bases"] = ", ".join(labels.label(G, b) for b in r["inferred_bases"])
    return out


st.subheader("Paths")
if rows:
    st.dataframe([display(r) for r in rows], hide_index=True, width="stretch")
else:
    st.info("Nothing flows from or to this fact in this direction.")

st.subheader("Each hop with its quote")
hop_rows = []
for h in lin.hops:
    ev = h.evidence[0] if h.evidence else {}
    review = labels.review_text((G.edges[h.source, h.target, h.relation].get("review")
                                 if G.has_edge(h.source, h.target, h.relation) else None))
    hop_rows.append({"From": lin.label(h.source), "Relation": h.relation.replace("_", " "), "To": lin.label(h.target),
                     "Status": h.status, "Quote": ev.get("quote") or ev.get("note", ""),
                     "Section": ev.get("section", ""), "Versions": labels.versions_text(list(h.policy_ids)),
                     "Review": review,
                     "Evidence": scope.evidence_url(f"{h.source}|{h.relation}|{h.target}", ev.get("policy_id", ""))})
st.dataframe(hop_rows, hide_index=True, width="stretch",
             column_config={"Evidence": st.column_config.LinkColumn("Evidence", display_text="open"),
                            "Quote": st.column_config.TextColumn("Quote", width="large")})

buf = io.StringIO()
if rows:
    w = csv.DictWriter(buf, fieldnames=list(rows[0]))
    w.writeheader()
    for r in rows:
        w.writerow({k: inert(v) for k, v in r.items()})
slug = node.replace(":", "-").replace(".", "-")
d1, d2, d3 = st.columns([1, 1, 3])
d1.download_button("Download CSV", buf.getvalue(), file_name=f"lineage-{slug}-{direction}.csv", mime="text/csv")
d2.download_button("Download JSON", json.dumps(lin.to_dict(), indent=2, default=str),
                   file_name=f"lineage-{slug}-{direction}.json", mime="application/json")
with d3:
    scope.evidence_link(node, f"Evidence for {G.nodes[node]['label']}")

if kind == "data_subject":
    with st.expander("Everything the policy says about these data subjects (subject access request view)"):
        view = subject_view(G, node)
        for key in ("categories", "purposes", "legal_bases", "recipients", "retention", "rights"):
            if view.get(key):
                st.markdown(f"**{key.replace('_', ' ').capitalize()}**")
                st.dataframe([{{"label": "Fact", "quote": "Quote", "policy_ids": "Versions"}[k]: (
                    ", ".join(v) if isinstance(v, list) else v) for k, v in x.items()
                    if k in ("label", "quote", "policy_ids")} for x in view[key]], hide_index=True, width="stretch")
        if view.get("transfers"):
            st.markdown("**Transfers**")
            st.dataframe(view["transfers"], hide_index=True, width="stretch")
