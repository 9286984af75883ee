"""Transfers: every transfer with adequacy, safeguards and the SCC flag (with the quote naming the clauses),
filterable and downloadable, and what is implied but undeclared."""

import streamlit as st

from catalog.dashboard import data, labels, scope, tables, transfers_view

ctx = scope.context()
st.title("Transfers")
G = data.graph(ctx)
rows = transfers_view.transfers(G)

f1, f2, f3 = st.columns([2, 2, 1])
countries = sorted({r["Country"] for r in rows})
chosen = f1.multiselect("Countries", countries, key="tr_countries", bind="query-params", placeholder="All countries")
query = f2.text_input("Filter rows", key="tr_filter", bind="query-params", placeholder="e.g. Google, SCC, partial")
gaps = f3.toggle("Unsafeguarded only", key="tr_gaps", bind="query-params",
                 help="Transfers to a third country without an adequacy decision and without a stated safeguard")
shown = [r for r in rows if (not chosen or r["Country"] in chosen) and tables.matches(r, query)
         and (not gaps or (r["third_country"] and not r["safeguarded"]))]
st.caption(f"{len(shown)} of {len(rows)} transfer(s) · {ctx.label} · adequacy from the European Commission's "
           "decisions (adequacy.yaml; an EEA country is not a third country), as in the spreadsheet and the risk "
           "checks · click a row to open it in full")

COLUMNS = list(transfers_view.COLUMNS)
WIDTHS = {"From": "medium", "Country": "medium", "Adequacy": "small", "Safeguards": "medium", "SCC": "small",
          "SCC quote": "large", "Note": "large", "Status": "small", "Versions": "medium", "Review": "medium"}
if not rows:
    st.info("The policy states no transfer in this selection.")
else:
    tables.table([{c: r[c] for c in COLUMNS} for r in shown], [r["fact"] for r in shown], key="tr_table",
                 opens="tr_pick", column_config={c: st.column_config.TextColumn(width=w) for c, w in WIDTHS.items()})
    tables.csv_download(shown, COLUMNS + ["quote", "section"], f"transfers-{tables.slug(ctx.label)}.csv")
    if shown:
        st.subheader("One transfer in full")
        by_fact = {r["fact"]: r for r in shown}
        fact = scope.url_select("Transfer", list(by_fact), lambda f: f"{by_fact[f]['From']} → {by_fact[f]['Country']}",
                           key="tr_pick")
        t = by_fact[fact]
        with st.container(border=True):
            st.markdown(f"**{t['From']} → {t['Country']}**")
            st.table([{"Field": k, "Value": str(v)} for k, v in (
                ("Adequacy", t["Adequacy"]), ("Safeguards", "; ".join(t["safeguard_labels"]) or t["Safeguards"]),
                ("SCC", t["SCC"]), ("Note", t["Note"]), ("Status", t["Status"]), ("Versions", t["Versions"]),
                ("Review", t["Review"])) if v], hide_index=True)
            st.caption(f"What the policy says · {t['policy']} · {t['section'] or '(no section)'}")
            st.text(t["quote"] or "(no quote)")
            if t["SCC quote"]:
                st.caption("The Standard Contractual Clauses, as the policy names them")
                st.text(t["SCC quote"])
            scope.evidence_link(t["fact"], "Evidence for this transfer", t["policy"])

st.subheader("Implied but not declared, or without a safeguard")
found = [f for f in data.findings(ctx) if f["check"] in ("undeclared-transfer", "transfer-no-safeguard")]
if not found:
    st.success("No undeclared or unsafeguarded transfers found.")
for f in found:
    with st.container(border=True):
        st.markdown(f"**{f['severity'].upper()}** · {f['title']}")
        st.caption(labels.finding_scope(f, data.policies(ctx)))
        st.write(f["detail"])
        for ev in f.get("evidence", [])[:2]:
            st.caption(f"{ev.get('policy_id', '')} · {ev.get('section', '')}")
            st.text(ev.get("quote", ""))
        if f.get("facts"):
            scope.evidence_link(f["facts"][0], f"Evidence for {labels.label(G, f['facts'][0])}",
                                (f.get("policy_ids") or [""])[-1])
