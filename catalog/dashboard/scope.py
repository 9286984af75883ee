"""What the DPO looks at: the database, the organisation and the version chosen in the sidebar.

The router calls `sidebar()` once per run; pages call `context()`. Links between pages go through
`evidence_link` / `evidence_url`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import streamlit as st

from catalog.dashboard import data
from catalog.review import catalog_stamp
from catalog.store import database_url

ALL = ""  # the version filter's "all versions"

PAGES: dict[str, Any] = {}  # url_path -> st.Page, filled by the router (for st.page_link)


def default_db() -> str:
    return os.environ.get("ROPA_DB") or os.environ.get("DATABASE_URL") or "catalog.db"


def masked(url: str) -> str:
    """A database URL with its password hidden (for display)."""
    if "://" not in url:
        return url
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return url.split("@")[-1]


@dataclass(frozen=True)
class Context:
    url: str  # SQLAlchemy URL of the catalog
    policy_id: str  # "" = every version (of the organisation, if one is chosen)
    stamp: str  # changes when policies or reviews change
    organisation: str = ""  # "" = every organisation

    @property
    def scope(self) -> str:
        """What the graph holds, as one cache key: a version id, "org:<organisation>", or "" for all."""
        return self.policy_id or (f"org:{self.organisation}" if self.organisation else "")

    @property
    def label(self) -> str:
        return self.policy_id or (f"all {self.organisation} versions" if self.organisation else "all versions")


def _is_sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url[len("sqlite:///"):])
    return None


def sidebar() -> Context:
    """The sidebar settings (database, version filter); call once per run, from the router."""
    with st.sidebar:
        st.text_input("Database", key="db_setting", placeholder=masked(default_db()),
                      help="A SQLite file path or any SQLAlchemy URL. Empty: $ROPA_DB, then $DATABASE_URL, "
                           "then catalog.db.")
    typed = (st.session_state.get("db_setting") or "").strip()
    url = database_url(typed or default_db())
    path = _is_sqlite_file(url)
    if typed and path is not None and not path.exists():  # a typo must not create an empty file
        st.sidebar.error(f"No SQLite catalog at {path}. Build one with `ropa build data/policies --db {path}`.")
        st.stop()
    try:
        eng = data.engine(url)
        if path is not None and not typed:  # the default embedded catalog: build the demo into it if empty
            data.ensure_built(url)
        stamp = catalog_stamp(eng)
    except Exception as e:  # noqa: BLE001  (a URL we cannot open: say so, do not crash every page)
        st.sidebar.error(f"Cannot open {masked(url)}: {str(e).splitlines()[0]}")
        st.stop()
    policies = data.policy_rows(url, stamp)
    orgs = sorted({p["organisation"] for p in policies})
    with st.sidebar:
        if len(orgs) > 1:
            if st.session_state.get("organisation") not in [ALL, *orgs]:
                st.session_state["organisation"] = ALL
            st.selectbox("Organisation", [ALL, *orgs], key="organisation",
                         format_func=lambda o: "All organisations" if o == ALL else o)
        else:
            st.session_state["organisation"] = ALL
        org = st.session_state.get("organisation") or ALL
        options = [ALL] + [p["id"] for p in policies if not org or p["organisation"] == org]
        if st.session_state.get("version") not in options:
            st.session_state["version"] = ALL
        st.selectbox("Policy version", options, key="version",
                     format_func=lambda v: "All versions" if v == ALL else v)
        st.caption(f"Catalog: `{masked(url)}` · {len(policies)} version(s)")
        if st.button("Reload", help="Re-read the catalog (after `ropa build` elsewhere)"):
            st.cache_data.clear()
    ctx = Context(url, st.session_state.get("version") or ALL, stamp, st.session_state.get("organisation") or ALL)
    st.session_state["_ctx"] = ctx
    return ctx


def context() -> Context:
    ctx = st.session_state.get("_ctx")
    if ctx is None:  # a page run on its own (tests): the router's sidebar sets it up
        ctx = sidebar()
    return ctx


def evidence_url(fact: str, policy_id: str = "") -> str:
    """A relative link to the Evidence page landing on a fact (node id or source|relation|target)."""
    q = f"evidence?fact={quote(fact, safe='')}"
    if policy_id:
        q += f"&version={quote(policy_id, safe='')}"
    return q


def evidence_link(fact: str, text: str = "Evidence", policy_id: str = "") -> None:
    page = PAGES.get("evidence")
    params = {"fact": fact, **({"version": policy_id} if policy_id else {})}
    if page is not None:
        st.page_link(page, label=text, icon=":material/format_quote:", query_params=params)
    else:
        st.markdown(f"[{text}]({evidence_url(fact, policy_id)})")
