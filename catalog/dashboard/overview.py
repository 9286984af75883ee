"""Overview: the versions in scope, counts per kind, one organisation's timeline, Art. 30 completeness, top findings."""

import altair as alt
import streamlit as st

from catalog.dashboard import data, labels, scope

ctx = scope.context()
st.title("Record of processing activities")
st.caption("Every fact below was read from a privacy policy and carries the quote it came from.")

everything = data.policies(ctx)
if not everything:
    st.warning(data.empty_hint(ctx.url))
    if data.has_demo() and st.button("Build the demo catalog from data/policies into this database", key="build_demo"):
        data.build_demo(ctx)
        st.rerun()
    st.stop()

versions = data.scoped_policies(ctx)
names = data.organisation_names(everything)
G = data.graph(ctx)
shown = ctx.label
c1, c2, c3, c4, c5 = st.columns(5)
c1.metric("Policy versions", len(versions), help=f"In the selection ({shown})")
c2.metric("Organisations", len({p["organisation"] for p in versions}))
c3.metric("Facts", G.number_of_nodes(), help=f"Nodes of the processing graph ({shown})")
c4.metric("Links", G.number_of_edges(), help=f"Edges of the processing graph ({shown})")
c5.metric("Reviewed", sum(1 for _, d in G.nodes(data=True) if d.get("review"))
          + sum(1 for *_, d in G.edges(data=True) if d.get("review")))

st.subheader("Policy versions")
counts = data.counts(ctx)
kinds = list(labels.KIND_LABELS)
version_rows = [{"Organisation": names.get(p["organisation"], p["organisation"]), "Version": p["id"],
                 "Effective": p["effective_date"] or "undated", "Title": p["title"],
                 **{labels.KIND_LABELS[k]: counts.get(p["id"], {}).get(k, 0) for k in kinds}} for p in versions]
st.dataframe(version_rows, hide_index=True, width="stretch",
             column_config={"Version": st.column_config.TextColumn(width="medium")})

orgs_in_scope = sorted({p["organisation"] for p in versions})
if len(orgs_in_scope) == 1:
    org = orgs_in_scope[0]
    history = sorted((p for p in everything if p["organisation"] == org),
                     key=lambda p: (p["effective_date"] or "", p["id"]))
    if len(history) > 1:
        st.subheader(f"{names.get(org, org)} over its {len(history)} versions")
        order = [p["id"] for p in history]
        points = [{"version": p["id"], "effective": p["effective_date"] or "undated", "kind": labels.KIND_LABELS[k],
                   "facts": counts.get(p["id"], {}).get(k, 0)} for p in history for k in kinds]
        chart = (alt.Chart(alt.Data(values=points)).mark_line(point=True)
                 .encode(x=alt.X("version:N", sort=order, title="Policy version (oldest first)"),
                         y=alt.Y("facts:Q", title="Facts"), color=alt.Color("kind:N", title="Kind"),
                         tooltip=["version:N", "effective:N", "kind:N", "facts:Q"]))
        st.altair_chart(chart, width="stretch")
        st.caption("Facts per kind in each version; the Policy diff page says what changed between two of them.")

left, right = st.columns(2)
with left:
    st.subheader("Article 30 completeness")
    rows = data.completeness(ctx)
    if rows:
        avg = sum(r["score"] for r in rows) / len(rows)
        st.metric("Average completeness per processing activity", f"{avg:.0%}")
        st.dataframe(
            [{"Activity": r["label"], "Score": r["score"],
              **{labels.FIELD_LABELS.get(k, k): v for k, v in r["fields"].items()},
              "Missing": ", ".join(labels.FIELD_LABELS.get(k, k) for k in r["missing"])}
             for r in sorted(rows, key=lambda r: r["score"])],
            hide_index=True, width="stretch",
            column_config={"Score": st.column_config.ProgressColumn("Score", min_value=0.0, max_value=1.0,
                                                                    format="percent")})
    else:
        st.info("No processing activities in this selection.")
with right:
    st.subheader("Top findings")
    findings = data.findings(ctx)
    if not findings:
        st.success("No findings.")
    for f in findings[:6]:
        with st.container(border=True):
            st.markdown(f"**{f['severity'].upper()}** · {f['title']}")
            st.caption(labels.finding_scope(f, everything))
            st.write(f["detail"])
            if f.get("facts"):
                scope.evidence_link(f["facts"][0], "Evidence", (f.get("policy_ids") or [""])[-1])
    if len(findings) > 6:
        scope.link("findings", f"All {len(findings)} findings, to filter and download", ":material/report:")

st.subheader(f"Facts per kind ({shown})")
per_kind = {labels.KIND_LABELS[k]: sum(1 for _, kk in G.nodes(data="kind") if kk == k) for k in kinds}
st.bar_chart(per_kind, horizontal=True, height=380)
