"""Processing activities: the Article 30 ROPA table as in the spreadsheet, every ICO column reachable,
one activity in full, CSV at once and the xlsx workbook when asked for."""

import streamlit as st

from catalog.dashboard import data, scope, tables
from catalog.export.ropa_columns import ROPA_COLUMNS

ctx = scope.context()
st.title("Processing activities")

details = data.controller_details(ctx)
if details:
    with st.expander("Controller, representative and DPO"):
        st.table([{"Field": k.replace("_", " ").capitalize(),
                   "Value": ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)}
                  for k, v in details.items() if k not in ("node_id",)], hide_index=True)

#: The columns a DPO reads first (Art. 30(1)(b)-(f) and the legal bases); the others are one click away.
CORE = ["Business function", "Purpose of processing", "Categories of individuals", "Categories of personal data",
        "Categories of recipients", ROPA_COLUMNS[7], "Retention schedule (if possible)",
        "Article 6 lawful basis for processing personal data"]
EXTRA = ["Controller", "Policy versions"]
rows = [{**{c: r[c] for c in ROPA_COLUMNS}, "Controller": r.get("controller", ""),
         "Policy versions": ", ".join(r.get("policy_ids", [])), "_id": f"{r.get('organisation')}|{r.get('purpose_id')}"}
        for r in data.ropa_rows(ctx)]
st.caption(f"{len(rows)} processing activities · {ctx.label} · columns in the order and wording of the UK ICO's "
           "documentation template · click a row to open it in full")

f1, f2 = st.columns([2, 3])
query = f1.text_input("Filter rows", key="ropa_filter", bind="query-params",
                      placeholder="e.g. payment, marketing, United States")
every = [*ROPA_COLUMNS, *EXTRA]
columns = f2.multiselect("Columns", every, default=CORE, key="ropa_columns", bind="query-params",
                         help=f"The {len(ROPA_COLUMNS)} columns of the ICO template and where each row comes from")
f2.caption(f"{len(columns)} of {len(every)} columns shown")
shown = [r for r in rows if tables.matches({c: r[c] for c in every}, query)]
tables.table([{c: r[c] for c in columns} for r in shown], [r["_id"] for r in shown], key="ropa_table",
             opens="ropa_pick", column_config={c: st.column_config.TextColumn(c, width="medium") for c in columns})

d1, d2 = st.columns([1, 3])
with d1:
    tables.csv_download(shown, every, f"ropa-{tables.slug(ctx.label)}.csv", "Download CSV (all columns)")
with d2:  # the workbook takes seconds on many versions: written only when asked for, once per catalog state
    wanted = (ctx.url, ctx.scope, ctx.stamp)
    if st.session_state.get("_xlsx_for") != wanted:
        if st.button("Prepare the ROPA workbook (xlsx)", key="xlsx_prepare",
                     help="The spreadsheet with the ROPA sheet, transfers, recipients, evidence and findings"):
            st.session_state["_xlsx_for"] = wanted
    if st.session_state.get("_xlsx_for") == wanted:
        st.download_button("Download ROPA spreadsheet (xlsx)", data.ropa_xlsx(ctx),
                           file_name=f"ropa-{tables.slug(ctx.scope.replace('org:', '') or 'all')}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary",
                           icon=":material/download:")

if shown:
    st.subheader("One activity in full")
    by_id = {r["_id"]: r for r in shown}
    rid = scope.url_select("Processing activity", list(by_id),
                      lambda i: f"{by_id[i]['Purpose of processing']} · {by_id[i]['Controller']}", key="ropa_pick")
    chosen = by_id[rid]
    provenance = next((r.get("provenance", {}) for r in data.ropa_rows(ctx)
                       if f"{r.get('organisation')}|{r.get('purpose_id')}" == rid), {})
    st.table([{"Column": c, "Value": chosen[c], "Stated or inferred": provenance.get(c, {}).get("status", ""),
               "Versions": ", ".join(provenance.get(c, {}).get("policy_ids", []))} for c in every], hide_index=True)
