"""Findings: every risk and gap catalog.checks.risks finds in the scope, filterable, downloadable, one at a time in full."""

import streamlit as st

from catalog.dashboard import data, labels, quotes, scope, tables

ctx = scope.context()
st.title("Findings")
G = data.graph(ctx)
policies = data.policies(ctx)
found = data.findings(ctx)
rows = [{"Severity": f["severity"], "Finding": f["title"], "About": ", ".join(labels.label(G, x) for x in f["facts"]),
         "Organisation and versions": labels.finding_scope(f, policies), "Detail": f["detail"],
         "check": f["check"], "id": f["id"]} for f in found]

f1, f2, f3 = st.columns([1, 2, 2])
severities = [s for s in data.SEVERITY_ORDER if any(r["Severity"] == s for r in rows)]
sev = f1.multiselect("Severity", severities, key="fi_severity", bind="query-params", placeholder="All")
checks = sorted({(r["check"], r["Finding"]) for r in rows})
chk = f2.multiselect("Check", [c for c, _ in checks], key="fi_check", bind="query-params", placeholder="All checks",
                     format_func=dict(checks).get)
query = f3.text_input("Filter rows", key="fi_filter", bind="query-params", placeholder="e.g. Google, retention")
shown = [r for r in rows if (not sev or r["Severity"] in sev) and (not chk or r["check"] in chk)
         and tables.matches(r, query)]
st.caption(f"{len(shown)} of {len(rows)} finding(s) · {ctx.label} · most severe first; rejected facts raise none · "
           "click a row to open it in full")
if not rows:
    st.success("No findings in this selection.")
    st.stop()
COLUMNS = ["Severity", "Finding", "About", "Organisation and versions", "Detail"]
tables.table([{c: r[c] for c in COLUMNS} for r in shown], [r["id"] for r in shown], key="fi_table", opens="fi_pick",
             column_config={"Severity": st.column_config.TextColumn(width="small"),
                            "Finding": st.column_config.TextColumn(width="large"),
                            "Detail": st.column_config.TextColumn(width="large")})
tables.csv_download(shown, COLUMNS + ["check", "id"], f"findings-{tables.slug(ctx.label)}.csv")

if shown:
    st.subheader("One finding in full")
    by_id = {f["id"]: f for f in found}
    fid = scope.url_select("Finding", [r["id"] for r in shown],
                      lambda i: f"{by_id[i]['severity'].upper()} · {by_id[i]['title']} · "
                                f"{', '.join(labels.label(G, x) for x in by_id[i]['facts'])}", key="fi_pick")
    f = by_id[fid]
    with st.container(border=True):
        st.markdown(f"**{f['severity'].upper()}** · {f['title']}")
        st.caption(labels.finding_scope(f, policies))
        st.write(f["detail"])
        for ev in f.get("evidence", []):
            st.caption(f"{ev.get('policy_id', '')} · {ev.get('section') or '(no section)'}")
            text = data.policy_text(ctx, ev.get("policy_id", ""))
            if ev.get("end", 0) > ev.get("start", 0) and text[ev["start"]:ev["end"]] == ev.get("quote"):
                st.html(quotes.excerpt_html(text, ev["start"], ev["end"], 120))
            else:
                st.text(ev.get("quote") or ev.get("note", ""))
        for x in f.get("facts", [])[:4]:
            scope.evidence_link(x, f"Evidence for {labels.label(G, x)}", (f.get("policy_ids") or [""])[-1])
        scope.link("review", "Review these facts", ":material/fact_check:", fact=(f.get("facts") or [""])[0])
