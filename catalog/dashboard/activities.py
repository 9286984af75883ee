"""Processing activities: the Article 30 ROPA table as in the spreadsheet, with the xlsx download."""

import streamlit as st

from catalog.dashboard import data, scope

ctx = scope.context()
st.title("Processing activities")
ropa = data.library("ropa")
if ropa is None:
    st.stop()

G = data.graph(ctx)
details = data.controller_details(ctx)
if details:
    with st.expander("Controller, representative and DPO"):
        st.table([{"field": k.replace("_", " "), "value": (", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)}
                      for k, v in details.items() if k not in ("node_id",)], hide_index=True)

rows = data.ropa_table(ctx)
st.caption(f"{len(rows)} processing activities · {ctx.label} · columns in the order of the "
           "UK ICO's documentation template")
query = st.text_input("Filter rows", key="ropa_filter", placeholder="e.g. payment, marketing, United States")
if query:
    q = query.lower()
    rows = [r for r in rows if any(q in str(v).lower() for v in r.values())]
st.dataframe(rows, hide_index=True, width="stretch")

if data.library("spreadsheet") is not None:
    name = f"ropa-{(ctx.scope or 'all').replace('org:', '')}.xlsx"
    st.download_button("Download ROPA spreadsheet (xlsx)", data.ropa_xlsx(ctx), file_name=name,
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", type="primary")
