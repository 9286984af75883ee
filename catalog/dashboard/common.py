"""What every dashboard page shares: the database setting, the version filter, cached queries,
links to the Evidence page, and text highlighting that never lets policy text become HTML.

Pages call `context()` for the database and the selected version, then the cached loaders here,
then the catalog library. Caches are keyed on the database URL, the version and a catalog stamp
(`catalog.review.catalog_stamp`), so a rebuild or a new review decision shows up on the next rerun.
"""

from __future__ import annotations

import html
import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import networkx as nx
import streamlit as st

from catalog.graph import to_graph
from catalog.review import apply_reviews, catalog_stamp, read_reviews, without_rejected
from catalog.store import database_url, make_engine, read_counts, read_extractions, read_policies

ROOT = Path(__file__).resolve().parents[1]
DEMO_POLICIES = ROOT / "data" / "policies"
ALL = ""  # the version filter's "all versions"

KIND_LABELS = {
    "controller": "Controller", "data_subject": "Data subject", "data_category": "Data category",
    "purpose": "Purpose", "legal_basis": "Legal basis", "recipient": "Recipient", "country": "Country",
    "safeguard": "Safeguard", "retention": "Retention", "right": "Right", "cookie": "Cookie",
}

PAGES: dict[str, Any] = {}  # url_path -> st.Page, filled by the router (for st.page_link)


# ---------------------------------------------------------------- settings


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


@st.cache_resource(show_spinner=False)
def engine(url: str):
    return make_engine(url)


def _is_sqlite_file(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url[len("sqlite:///"):])
    return None


@st.cache_resource(show_spinner="Building the demo catalog from data/policies…")
def ensure_built(url: str) -> list[str]:
    """Build the demo catalog into an empty SQLite file (once per process); the ids it built."""
    from catalog.build import build

    eng = engine(url)
    if read_policies(eng):
        return []
    return build([DEMO_POLICIES], eng).policy_ids


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
        eng = engine(url)
        if path is not None and not typed:  # the default embedded catalog: build the demo into it if empty
            ensure_built(url)
        stamp = catalog_stamp(eng)
    except Exception as e:  # noqa: BLE001  (a URL we cannot open: say so, do not crash every page)
        st.sidebar.error(f"Cannot open {masked(url)}: {str(e).splitlines()[0]}")
        st.stop()
    policies = _policy_rows(url, stamp)
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


# ---------------------------------------------------------------- cached queries


@st.cache_data(show_spinner=False, ttl=600)
def _policy_rows(url: str, stamp: str) -> list[dict[str, Any]]:
    return [{"id": p.id, "title": p.title, "publisher": p.publisher, "organisation": p.organisation,
             "effective_date": p.effective_date.isoformat() if p.effective_date else "",
             "source": p.source, "warnings": len(p.warnings or [])} for p in read_policies(engine(url))]


def policies(ctx: Context) -> list[dict[str, Any]]:
    return _policy_rows(ctx.url, ctx.stamp)


@st.cache_data(show_spinner=False, ttl=600)
def _counts(url: str, stamp: str) -> dict[str, dict[str, int]]:
    return read_counts(engine(url))


def counts(ctx: Context) -> dict[str, dict[str, int]]:
    return _counts(ctx.url, ctx.stamp)


@st.cache_data(show_spinner=False, ttl=600)
def _graph(url: str, scope: str, stamp: str) -> nx.MultiDiGraph:
    eng = engine(url)
    if scope.startswith("org:"):
        xs = read_extractions(eng, None, organisation=scope[4:])
    else:
        xs = read_extractions(eng, [scope] if scope else None)
    G = to_graph(xs)
    return apply_reviews(G, read_reviews(eng))


def graph(ctx: Context, policy_id: str | None = None) -> nx.MultiDiGraph:
    """The processing graph of the selected version (or all), with review decisions applied."""
    return _graph(ctx.url, ctx.scope if policy_id is None else policy_id, ctx.stamp)


@st.cache_data(show_spinner=False, ttl=600)
def _extraction(url: str, policy_id: str, stamp: str):
    xs = read_extractions(engine(url), [policy_id])
    return xs[0] if xs else None


def extraction(ctx: Context, policy_id: str):
    return _extraction(ctx.url, policy_id, ctx.stamp)


def policy_text(ctx: Context, policy_id: str) -> str:
    x = extraction(ctx, policy_id)
    return x.policy.text if x else ""


def clear_caches() -> None:
    st.cache_data.clear()


# ---------------------------------------------------------------- optional library modules


def library(name: str) -> ModuleType | None:
    """catalog.<name>, or None (with a clear message on the page) while that module is not there yet."""
    try:
        return importlib.import_module(f"catalog.{name}")
    except ModuleNotFoundError as e:
        if e.name != f"catalog.{name}":
            raise
        st.info(f"Not available yet: this view needs `catalog/{name}.py`, which is not in this build.")
        return None


# ---------------------------------------------------------------- labels and links


def label(G: nx.MultiDiGraph, nid: str) -> str:
    return G.nodes[nid].get("label", nid) if nid in G else nid


def node_option(G: nx.MultiDiGraph, nid: str) -> str:
    d = G.nodes[nid] if nid in G else {}
    return f"{d.get('label', nid)} ({KIND_LABELS.get(d.get('kind', ''), d.get('kind', ''))})"


def edge_option(G: nx.MultiDiGraph, target: str) -> str:
    s, r, t = target.split("|")
    return f"{label(G, s)} —{r.replace('_', ' ')}→ {label(G, t)}"


def target_option(G: nx.MultiDiGraph, target: str) -> str:
    return edge_option(G, target) if target.count("|") == 2 else node_option(G, target)


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


def review_text(review: dict[str, Any] | None) -> str:
    if not review:
        return ""
    at = str(review.get("at", ""))[:16].replace("T", " ")
    return f"{review['decision']} by {review['reviewer']} ({at})"


# ---------------------------------------------------------------- safe highlighting


def highlight_html(text: str, spans: list[tuple[int, int, str]], focus: set[int] | None = None) -> str:
    """Policy text as HTML with <mark> around spans; every character of the text is escaped.

    spans: (start, end, title) into text; overlapping spans are merged. `focus` lists the indexes
    of spans (in the given list) drawn in the stronger colour, each with an id="q<n>" anchor.
    """
    focus = focus or set()
    valid = sorted(((max(0, s), min(len(text), e), t, i in focus, i) for i, (s, e, t) in enumerate(spans)
                    if 0 <= s < e <= len(text)), key=lambda x: (x[0], -x[1]))
    merged: list[list[Any]] = []
    for s, e, t, f, i in valid:
        if merged and s < merged[-1][1]:
            m = merged[-1]
            m[1] = max(m[1], e)
            m[3] = m[3] or f
            if t and t not in m[2]:
                m[2].append(t)
            continue
        merged.append([s, e, [t] if t else [], f, i])
    out, pos = [], 0
    for s, e, titles, f, i in merged:
        out.append(html.escape(text[pos:s]))
        cls = "focus" if f else "fact"
        style = "background:#ffd54f;outline:2px solid #e65100;" if f else "background:#fff3c4;"
        title = html.escape("; ".join(titles[:6]), quote=True)
        out.append(f'<mark class="{cls}" id="q{i}" style="{style}" title="{title}">{html.escape(text[s:e])}</mark>')
        pos = e
    out.append(html.escape(text[pos:]))
    return ('<div class="policy-text" style="white-space:pre-wrap;font-family:ui-monospace,monospace;'
            'font-size:0.85rem;line-height:1.5;max-height:70vh;overflow:auto;border:1px solid #ddd;padding:0.75rem;">'
            + "".join(out) + "</div>")


def excerpt_html(text: str, start: int, end: int, context_chars: int = 240) -> str:
    """The quote at text[start:end] with some context around it, escaped, the quote marked."""
    a, b = max(0, start - context_chars), min(len(text), end + context_chars)
    pre = ("…" if a > 0 else "") + html.escape(text[a:start])
    post = html.escape(text[end:b]) + ("…" if b < len(text) else "")
    return ('<div style="white-space:pre-wrap;font-size:0.9rem;border-left:3px solid #e65100;padding-left:0.6rem;">'
            f'{pre}<mark style="background:#ffd54f;">{html.escape(text[start:end])}</mark>{post}</div>')


def evidence_spans(G: nx.MultiDiGraph, policy_id: str) -> list[tuple[int, int, str, str]]:
    """(start, end, fact, title) of every quote of that version behind a node or an edge."""
    out = []
    for n, d in G.nodes(data=True):
        for ev in d.get("evidence", []):
            if ev.get("policy_id") == policy_id and ev.get("end", 0) > ev.get("start", 0):
                out.append((ev["start"], ev["end"], n, d.get("label", n)))
    for u, v, k, d in G.edges(keys=True, data=True):
        for ev in d.get("evidence", []):
            if ev.get("policy_id") == policy_id and ev.get("end", 0) > ev.get("start", 0):
                out.append((ev["start"], ev["end"], f"{u}|{k}|{v}", f"{label(G, u)} {k} {label(G, v)}"))
    return sorted(out)


# ---------------------------------------------------------------- cached library calls

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@st.cache_data(show_spinner=False, ttl=600)
def _findings(url: str, policy_id: str, stamp: str) -> list[dict[str, Any]]:
    from catalog.risks import find_risks

    rows = [f.to_dict() for f in find_risks(without_rejected(_graph(url, policy_id, stamp)))]
    return sorted(rows, key=lambda f: (SEVERITY_ORDER.get(str(f.get("severity", "")).lower(), 9), f.get("check", "")))


def findings(ctx: Context) -> list[dict[str, Any]]:
    return _findings(ctx.url, ctx.scope, ctx.stamp)


@st.cache_data(show_spinner=False, ttl=600)
def _completeness(url: str, policy_id: str, stamp: str) -> list[dict[str, Any]]:
    from catalog.risks import completeness

    return completeness(_graph(url, policy_id, stamp))


def completeness(ctx: Context) -> list[dict[str, Any]]:
    return _completeness(ctx.url, ctx.scope, ctx.stamp)


def filtered(G: nx.MultiDiGraph, kinds: list[str], special_only: bool = False) -> nx.MultiDiGraph:
    """The part of G a Data map filter shows: nodes of the chosen kinds; with special_only, only
    special-category data and what is linked to it (its subjects, purposes, bases, recipients...)."""
    keep = {n for n, k in G.nodes(data="kind") if k in kinds}
    if special_only:
        special = {n for n in keep if G.nodes[n].get("kind") == "data_category"
                   and G.nodes[n].get("attrs", {}).get("special_category")}
        reach = set(special)
        for n in special:
            reach |= nx.descendants(G, n) | set(G.predecessors(n))
        keep &= reach
    return G.subgraph(keep).copy()


@st.cache_data(show_spinner=False, ttl=600)
def _policy_diff(url: str, old_id: str, new_id: str, stamp: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    from catalog.diff import diff, to_diff_rows

    old, new = _extraction(url, old_id, stamp), _extraction(url, new_id, stamp)
    d = diff(old, new)
    return d.to_dict(), to_diff_rows(d)


def policy_diff(ctx: Context, old_id: str, new_id: str) -> dict[str, Any]:
    """catalog.diff.diff(old, new).to_dict() for two stored versions (cached)."""
    return _policy_diff(ctx.url, old_id, new_id, ctx.stamp)[0]


def policy_diff_rows(ctx: Context, old_id: str, new_id: str) -> list[dict[str, str]]:
    return _policy_diff(ctx.url, old_id, new_id, ctx.stamp)[1]


def fact_data(G: nx.MultiDiGraph, fact: str) -> dict[str, Any]:
    """The attributes of a node id or of a "source|relation|target" edge ({} if the graph lacks it)."""
    if fact.count("|") == 2:
        s, r, t = fact.split("|")
        return dict(G.edges[s, t, r]) if G.has_edge(s, t, r) else {}
    return dict(G.nodes[fact]) if fact in G else {}


def fact_versions(G: nx.MultiDiGraph, fact: str) -> list[str]:
    return list(fact_data(G, fact).get("policy_ids", [])) if fact else []


def _cell(v: Any) -> Any:
    if isinstance(v, (list, tuple, set)):
        return "; ".join(str(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{k}: {x}" for k, x in v.items())
    return v


@st.cache_data(show_spinner=False, ttl=600)
def _ropa_table(url: str, policy_id: str, stamp: str) -> list[dict[str, Any]]:
    from catalog.ropa import ROPA_COLUMNS, ropa_rows

    cols = [c if isinstance(c, str) else c[0] for c in ROPA_COLUMNS]
    out = []
    for r in ropa_rows(_graph(url, policy_id, stamp)):
        r = r if isinstance(r, dict) else dict(zip(cols, r))
        out.append({c: _cell(r.get(c, "")) for c in cols} | {k: _cell(v) for k, v in r.items() if k not in cols})
    return out


def ropa_table(ctx: Context) -> list[dict[str, Any]]:
    """catalog.ropa.ropa_rows of the selection, one flat dict per processing activity (cached)."""
    return _ropa_table(ctx.url, ctx.scope, ctx.stamp)


@st.cache_data(show_spinner=False, ttl=600)
def _controller_details(url: str, policy_id: str, stamp: str) -> dict[str, Any]:
    from catalog.ropa import controller_details

    d = controller_details(_graph(url, policy_id, stamp))
    return dict(d) if d else {}


def controller_details(ctx: Context) -> dict[str, Any]:
    return _controller_details(ctx.url, ctx.scope, ctx.stamp)


@st.cache_data(show_spinner="Writing the workbook…", ttl=600)
def _ropa_xlsx(url: str, policy_id: str, stamp: str) -> bytes:
    import tempfile

    from catalog.risks import find_risks
    from catalog.spreadsheet import write_xlsx

    G = _graph(url, policy_id, stamp)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ropa.xlsx"
        write_xlsx(path, G, findings=find_risks(without_rejected(G)))
        return path.read_bytes()


def ropa_xlsx(ctx: Context) -> bytes:
    """The ROPA workbook (catalog.spreadsheet.write_xlsx) of the selection, as bytes (cached)."""
    return _ropa_xlsx(ctx.url, ctx.scope, ctx.stamp)


def transfers(G: nx.MultiDiGraph) -> list[dict[str, Any]]:
    """Every transferred_to edge as a display row: who, where, adequacy, safeguards, SCC, quote, review."""
    from catalog.analysis import SAFEGUARD_SHORT

    rows = []
    for u, v, k, d in sorted(G.edges(keys=True, data=True)):
        if k != "transferred_to":
            continue
        a = d.get("attrs", {})
        ev = d["evidence"][0] if d.get("evidence") else {}
        rows.append({
            "from": label(G, u), "country": f"{label(G, v)} ({G.nodes[v].get('key') or v.split(':')[-1]})",
            "adequacy": a.get("adequacy", ""), "SCC": "yes" if a.get("scc") else "no",
            "safeguards": ", ".join(SAFEGUARD_SHORT.get(s, label(G, f"safeguard:{s}")) for s in a.get("safeguards", [])),
            "status": d.get("status", ""), "versions": ", ".join(d.get("policy_ids", [])),
            "review": review_text(d.get("review")), "quote": ev.get("quote") or ev.get("note", ""),
            "fact": f"{u}|{k}|{v}",
        })
    return rows


def build_demo(ctx: Context) -> list[str]:
    """Build data/policies into the selected database (catalog.build.build); the version ids built."""
    from catalog.build import build

    ids = build([DEMO_POLICIES], engine(ctx.url)).policy_ids
    clear_caches()
    return ids


def legend_html(kind_style: dict, edge_color: dict, special_fill: str, highlight: str) -> str:
    """A legend for the data map from render's own styles (constants only: no policy text)."""
    def swatch(fill: str, text: str, border: str = "#555") -> str:
        return (f'<span style="display:inline-block;margin:2px 10px 2px 0;"><span style="display:inline-block;'
                f'width:14px;height:14px;border-radius:3px;border:1px solid {html.escape(border)};'
                f'background:{html.escape(fill)};vertical-align:middle;margin-right:4px;"></span>'
                f'{html.escape(text)}</span>')

    def line(color: str, text: str, style: str = "solid") -> str:
        return (f'<span style="display:inline-block;margin:2px 10px 2px 0;"><span style="display:inline-block;'
                f'width:24px;border-top:2px {style} {html.escape(color)};vertical-align:middle;margin-right:4px;">'
                f'</span>{html.escape(text)}</span>')

    kinds = [swatch(fill, title) for title, fill, _shape in kind_style.values()]
    kinds.append(swatch(special_fill, "Special category (Art. 9)", "#b00000"))
    kinds.append(swatch("#ffffff", "Reviewed by a DPO", highlight))
    edges = [line(color, str(rel).replace("_", " ")) for rel, color in edge_color.items()]
    edges.append(line("#555", "inferred", "dashed"))
    return ('<div class="legend" style="font-size:0.85rem;line-height:1.8;">'
            f'<div><b>Legend · facts</b>: {"".join(kinds)}</div><div><b>Links</b>: {"".join(edges)}</div></div>')
