"""Overview: the policy versions in the catalog, counts per kind, Art. 30 completeness, top findings."""

import streamlit as st

from catalog.dashboard import data, labels, scope

ctx = scope.context()
st.title("Record of processing activities")
st.caption("Every fact below was read from a privacy policy and carries the quote it came from.")

versions = data.policies(ctx)
if not versions:
    st.warning("The catalog is empty: run `ropa build data/policies --db …` or pick another database in the sidebar.")
    if st.button("Build the demo catalog from data/policies into this database", key="build_demo"):
        data.build_demo(ctx)
        st.rerun()
    st.stop()

if ctx.organisation:
    versions = [p for p in versions if p["organisation"] == ctx.organisation]
G = data.graph(ctx)
shown = ctx.label
c1, c2, c3, c4 = st.columns(4)
c1.metric("Policy versions", len(versions))
c2.metric("Facts", G.number_of_nodes(), help=f"Nodes of the processing graph ({shown})")
c3.metric("Links", G.number_of_edges(), help=f"Edges of the processing graph ({shown})")
c4.metric("Reviewed", sum(1 for _, d in G.nodes(data=True) if d.get("review"))
          + sum(1 for *_, d in G.edges(data=True) if d.get("review")))

st.subheader("Policy versions")
counts = data.counts(ctx)
kinds = list(labels.KIND_LABELS)
version_rows = [{"id": p["id"], "title": p["title"], "publisher": p["publisher"], "effective": p["effective_date"],
                 **{labels.KIND_LABELS[k]: counts.get(p["id"], {}).get(k, 0) for k in kinds}} for p in versions]
if len(version_rows) <= 25:  # a plain table: every cell is text on the page
    st.table(version_rows, hide_index=True)
else:
    st.dataframe(version_rows, hide_index=True, width="stretch")

left, right = st.columns(2)
risks = None
with left:
    st.subheader("Article 30 completeness")
    risks = data.library("risks")
    if risks is not None:
        rows = data.completeness(ctx)
        if rows:
            avg = sum(r["score"] for r in rows) / len(rows)
            st.metric("Average completeness per processing activity", f"{avg:.0%}")
            st.dataframe(
                [{"activity": r["label"], "score": r["score"], **{k: v for k, v in r["fields"].items()},
                  "missing": ", ".join(r["missing"])} for r in sorted(rows, key=lambda r: r["score"])],
                hide_index=True, width="stretch",
                column_config={"score": st.column_config.ProgressColumn("score", min_value=0.0, max_value=1.0,
                                                                        format="percent")})
        else:
            st.info("No processing activities in this selection.")
with right:
    st.subheader("Top findings")
    if risks is not None:
        findings = data.findings(ctx)
        if not findings:
            st.success("No findings.")
        for f in findings[:8]:
            with st.container(border=True):
                st.markdown(f"**{f['severity'].upper()}** · {f['title']}")
                st.caption(f["detail"])
                facts = f.get("facts") or []
                if facts:
                    scope.evidence_link(facts[0], "Evidence")
        if len(findings) > 8:
            with st.expander(f"All {len(findings)} findings"):
                st.dataframe([{"severity": f["severity"], "finding": f["title"], "detail": f["detail"],
                               "versions": ", ".join(f["policy_ids"]),
                               "evidence": scope.evidence_url(f["facts"][0]) if f.get("facts") else None}
                              for f in findings], hide_index=True, width="stretch",
                             column_config={"evidence": st.column_config.LinkColumn("evidence", display_text="open")})

st.subheader(f"Facts per kind ({shown})")
per_kind = {labels.KIND_LABELS[k]: sum(1 for _, kk in G.nodes(data="kind") if kk == k) for k in kinds}
st.bar_chart(per_kind, horizontal=True, height=380)
