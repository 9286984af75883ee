"""The dashboard's router: page setup, navigation and the sidebar, once per run.

`streamlit run dashboard.py` runs the thin top-level script, which calls `run()`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from catalog.dashboard import scope

HERE = Path(__file__).resolve().parent

#: (page module, title, icon); the first is the default page.
PAGE_SPECS: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", ":material/dashboard:"),
    ("data_map", "Data map", ":material/hub:"),
    ("lineage", "Lineage", ":material/timeline:"),
    ("activities", "Processing activities", ":material/table_view:"),
    ("transfers", "Transfers", ":material/public:"),
    ("diff", "Policy diff", ":material/difference:"),
    ("changes", "What changed", ":material/notification_important:"),
    ("evidence", "Evidence", ":material/format_quote:"),
    ("review", "Review", ":material/fact_check:"),
)


def run() -> None:
    """Set up the page, the navigation and the sidebar, then run the chosen page."""
    st.set_page_config(page_title="ROPA catalog", page_icon=":material/shield_person:", layout="wide")
    pages = []
    for i, (name, title, icon) in enumerate(PAGE_SPECS):
        page = st.Page(HERE / f"{name}.py", title=title, icon=icon, url_path=name if i else None, default=i == 0)
        scope.PAGES[name] = page
        pages.append(page)
    nav = st.navigation(pages)
    scope.sidebar()
    nav.run()
