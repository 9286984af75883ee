"""The DPO dashboard (Streamlit): `streamlit run dashboard.py`, or `make run`.

The database comes from the sidebar setting, else $ROPA_DB, else $DATABASE_URL, else catalog.db
(an empty or missing catalog.db is built from data/policies first). Pages live in dashboard_pages/
and only call the catalog library.
"""

from __future__ import annotations

import streamlit as st

from dashboard_pages import common

st.set_page_config(page_title="ROPA catalog", page_icon=":material/shield_person:", layout="wide")

_PAGES = [
    ("overview", "Overview", ":material/dashboard:"),
    ("data_map", "Data map", ":material/hub:"),
    ("lineage", "Lineage", ":material/timeline:"),
    ("activities", "Processing activities", ":material/table_view:"),
    ("transfers", "Transfers", ":material/public:"),
    ("diff", "Policy diff", ":material/difference:"),
    ("changes", "What changed", ":material/notification_important:"),
    ("evidence", "Evidence", ":material/format_quote:"),
    ("review", "Review", ":material/fact_check:"),
]

pages = []
for i, (name, title, icon) in enumerate(_PAGES):
    page = st.Page(f"dashboard_pages/{name}.py", title=title, icon=icon, url_path=name if i else None,
                   default=i == 0)
    common.PAGES[name] = page
    pages.append(page)

nav = st.navigation(pages)
common.sidebar()
nav.run()
