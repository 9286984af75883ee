"""The dashboard's router: page setup, navigation and the sidebar, once per run.

`streamlit run dashboard.py` runs the thin top-level script, which calls `run()`; from an installed
package, `streamlit run <this file>` does the same (with the .streamlit/config.toml beside it). A new
page is one more `PageSpec` in `PAGES` (its module next to this one) under the section it belongs to.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from catalog.dashboard import scope

HERE = Path(__file__).resolve().parent
#: Served by this server (a material icon or an emoji would make the browser fetch it from a CDN).
FAVICON = HERE / "static" / "favicon.png"


@dataclass(frozen=True)
class PageSpec:
    module: str  # the page script next to this file, and its URL path
    title: str
    icon: str  # a material icon: drawn with the font Streamlit serves itself
    section: str


#: Navigation order; the first page is the default one.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview", ":material/dashboard:", "Record"),
    PageSpec("activities", "Processing activities", ":material/table_view:", "Record"),
    PageSpec("transfers", "Transfers", ":material/public:", "Record"),
    PageSpec("findings", "Findings", ":material/report:", "Record"),
    PageSpec("data_map", "Data map", ":material/hub:", "Explore"),
    PageSpec("lineage", "Lineage", ":material/timeline:", "Explore"),
    PageSpec("evidence", "Evidence", ":material/format_quote:", "Explore"),
    PageSpec("diff", "Policy diff", ":material/difference:", "Changes"),
    PageSpec("changes", "What changed", ":material/notification_important:", "Changes"),
    PageSpec("review", "Review", ":material/fact_check:", "Review"),
)


def run() -> None:
    """Set up the page, the navigation and the sidebar, then run the chosen page."""
    st.set_page_config(page_title="ROPA catalog", page_icon=str(FAVICON), layout="wide")
    sections: dict[str, list] = {}
    for i, spec in enumerate(PAGES):
        page = st.Page(HERE / f"{spec.module}.py", title=spec.title, icon=spec.icon,
                       url_path=spec.module if i else None, default=i == 0)
        scope.PAGES[spec.module] = page
        sections.setdefault(spec.section, []).append(page)
    nav = st.navigation(sections)
    scope.sidebar()
    nav.run()


if __name__ == "__main__":  # `streamlit run catalog/dashboard/app.py`
    run()
