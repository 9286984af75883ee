"""What the DPO looks at: the database, the organisation and the version chosen in the sidebar.

The organisation and the version live in the URL (`?org=<slug>&version=<id>`), so a reload keeps them
and a link shares exactly what is on screen; pages keep their own choices there the same way
(`url_select` for ids; Streamlit's query-params binding for filters, whose URL value is the label).
The router calls `sidebar()` once per run; pages call `context()`. Links between pages go through
`evidence_link`, `evidence_url` and `open_evidence`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from catalog.dashboard import data
from catalog.store.database import masked_url as masked
from catalog.store.review import catalog_stamp
from catalog.store.database import database_url

ALL = ""  # the organisation's and the version's "all"

PAGES: dict[str, Any] = {}  # page module name -> st.Page, filled by the router (for links)

#: Query parameters of the sidebar (the widgets' keys).
ORG, VERSION = "org", "version"
#: Query parameters of the Evidence page: the fact, and the version whose text is shown.
FACT, POLICY = "fact", "policy"


def default_db() -> str:
    return os.environ.get("ROPA_DB") or os.environ.get("DATABASE_URL") or "catalog.db"


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

    def holds(self, policy: dict[str, Any]) -> bool:
        """Whether a policy version (a data.policy_rows row) is in scope."""
        if self.policy_id:
            return policy["id"] == self.policy_id
        return not self.organisation or policy["organisation"] == self.organisation


def _is_sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url[len("sqlite:///"):])
    return None


def _open(typed: str) -> tuple[str, str]:
    """(url, stamp) of the catalog the setting names; stops the page with one clear line if it cannot."""
    url = database_url(typed or default_db())
    path = _is_sqlite_file(url)
    if typed and path is not None and not path.exists():  # a typo must not create an empty file
        st.sidebar.error(f"No SQLite catalog at {path}. Build one with `ropa build data/policies --db {path}`.")
        st.stop()
    try:
        eng = data.engine(url)
        if path is not None and not typed:  # the default embedded catalog: build the demo into it if empty
            data.ensure_built(url)
        return url, catalog_stamp(eng)
    except Exception as e:  # noqa: BLE001  (a URL we cannot open: say so, do not crash every page)
        st.sidebar.error(f"Cannot open {masked(url)}: {str(e).splitlines()[0]}")
        st.stop()
    raise AssertionError("unreachable")


def url_select(label: str, options: list[str], fmt: Callable[[str], str], *, key: str, default: str | None = None,
               where: Any = st, buttons: bool = False) -> str:
    """A selectbox whose value, an id, is kept in the URL as ?<key>=<id>.

    A URL value the page did not write itself (a followed link, a reload, a shared URL) wins; a stale
    value (another catalog, another organisation) falls back to the default. The value is a stable id,
    never a position: a position names another row as soon as a filter or a version changes the list.
    The default value leaves the URL (`default` None: the first option, always written). The value
    outlives a page switch (Streamlit drops a widget's value on one otherwise). buttons: a segmented
    control instead of a selectbox (its labels may change, e.g. with counts; its value does not).
    """
    written = f"_url_{key}"
    linked = st.query_params.get(key)
    if linked is not None and linked != st.session_state.get(written) and linked in options:
        st.session_state[key] = linked
    if st.session_state.get(key) not in options:
        st.session_state[key] = default if default in options else options[0]
    widget = where.segmented_control if buttons else where.selectbox
    value = widget(label, options, key=key, format_func=fmt, persist_state="session",
                   **({"required": True} if buttons else {}))
    if default is not None and value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = value
    st.session_state[written] = st.query_params.get(key)
    return value


def sidebar() -> Context:
    """The sidebar settings (database, organisation, version); call once per run, from the router."""
    with st.sidebar:
        st.text_input("Database", key="db_setting", placeholder=masked(default_db()),
                      help="A SQLite file path or any SQLAlchemy URL. Empty: $ROPA_DB, then $DATABASE_URL, "
                           "then catalog.db.")
    url, stamp = _open((st.session_state.get("db_setting") or "").strip())
    policies = data.policy_rows(url, stamp)
    names = data.organisation_names(policies)
    with st.sidebar:
        org = ALL
        if len(names) > 1:
            org = url_select("Organisation", [ALL, *names], lambda o: names.get(o, "All organisations"), key=ORG,
                             default=ALL)
        versions = [p for p in policies if not org or p["organisation"] == org]
        version = url_select("Policy version", [ALL] + [p["id"] for p in versions], lambda v: v or "All versions",
                             key=VERSION, default=ALL)
        st.caption(f"Catalog: `{masked(url)}` · {len(policies)} version(s) of {len(names)} organisation(s)")
        if st.button("Reload", help="Re-read the catalog (after `ropa build` elsewhere)"):
            data.clear_caches()
    ctx = Context(url, version, stamp, org)
    st.session_state["_ctx"] = ctx
    return ctx


def context() -> Context:
    ctx = st.session_state.get("_ctx")
    if ctx is None:  # a page run on its own (tests): the router's sidebar sets it up
        ctx = sidebar()
    return ctx


# ---------------------------------------------------------------- links between pages


def scope_params() -> dict[str, str]:
    """The sidebar's choices as query parameters: a link to another page keeps what the DPO looks at."""
    ctx = st.session_state.get("_ctx")
    keep = {ORG: ctx.organisation, VERSION: ctx.policy_id} if ctx else {}
    return {k: v for k, v in keep.items() if v}


def link(page: str, text: str, icon: str, **params: str) -> None:
    """st.page_link to one of the dashboard's pages, in the same scope (and with the page's own parameters)."""
    if page in PAGES:
        st.page_link(PAGES[page], label=text, icon=icon,
                     query_params={**scope_params(), **{k: v for k, v in params.items() if v}})


def _evidence_params(fact: str, policy_id: str = "") -> dict[str, str]:
    return {**scope_params(), FACT: fact, **({POLICY: policy_id} if policy_id else {})}


def evidence_url(fact: str, policy_id: str = "") -> str:
    """A relative link to the Evidence page on a fact (node id or source|relation|target), keeping the scope."""
    return "evidence?" + urlencode(_evidence_params(fact, policy_id))


def evidence_link(fact: str, text: str = "Evidence", policy_id: str = "") -> None:
    link("evidence", text, ":material/format_quote:", **{FACT: fact, POLICY: policy_id})


def open_evidence(fact: str, policy_id: str = "") -> None:
    """Go to the Evidence page on a fact (the sidebar's scope stays)."""
    st.switch_page(PAGES["evidence"], query_params=_evidence_params(fact, policy_id))
