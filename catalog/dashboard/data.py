"""The catalog as the dashboard reads it: one engine per database URL and cached loaders.

Caches are keyed on the database URL, the scope (a version id, "org:<organisation>" or "" for all)
and a catalog stamp (`catalog.store.review.catalog_stamp`), so a rebuild or a new review decision shows up
on the next rerun.
"""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import networkx as nx
import streamlit as st

from catalog.store.database import masked_url
from catalog.graph.build import to_graph
from catalog.store.review import apply_reviews, read_reviews, without_rejected
from catalog.store.engine import make_engine
from catalog.store.read import read_counts, read_extractions, read_policies

if TYPE_CHECKING:
    from catalog.dashboard.scope import Context

ROOT = Path(__file__).resolve().parents[2]
#: The demo's policies, in a checkout of the repository (an installed package has no data/).
DEMO_POLICIES = ROOT / "data" / "policies"


def has_demo() -> bool:
    return DEMO_POLICIES.is_dir()


def empty_hint(url: str) -> str:
    """What to do about an empty catalog, in one line."""
    where = masked_url(url).removeprefix("sqlite:///")
    return f"The catalog is empty: build it with `ropa build POLICY_FILES --db {where}`, then Reload."

T = TypeVar("T")

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}


@st.cache_resource(show_spinner=False)
def engine(url: str):
    return make_engine(url)


@st.cache_resource(show_spinner="Building the demo catalog from data/policies…")
def ensure_built(url: str) -> list[str]:
    """Build the demo catalog into an empty SQLite file (once per process, in a checkout); the ids it built."""
    from catalog.pipeline.build import build

    eng = engine(url)
    if read_policies(eng) or not has_demo():  # an installed package has no demo: the Overview says what to do
        return []
    return build([DEMO_POLICIES], eng).policy_ids


def build_demo(ctx: Context) -> list[str]:
    """Build data/policies into the selected database (catalog.pipeline.build.build); the version ids built."""
    from catalog.pipeline.build import build

    ids = build([DEMO_POLICIES], engine(ctx.url)).policy_ids
    clear_caches()
    return ids


def clear_caches() -> None:
    st.cache_data.clear()


# ---------------------------------------------------------------- policies and the graph


@st.cache_data(show_spinner=False, ttl=600)
def policy_rows(url: str, stamp: str) -> list[dict[str, Any]]:
    return [{"id": p.id, "title": p.title, "publisher": p.publisher, "organisation": p.organisation,
             "effective_date": p.effective_date.isoformat() if p.effective_date else "",
             "source": p.source, "warnings": len(p.warnings or [])} for p in read_policies(engine(url))]


def policies(ctx: Context) -> list[dict[str, Any]]:
    """Every stored version (the catalog's, not the scope's: see scoped_policies)."""
    return policy_rows(ctx.url, ctx.stamp)


def scoped_policies(ctx: Context) -> list[dict[str, Any]]:
    """The versions the sidebar's organisation and version select."""
    return [p for p in policy_rows(ctx.url, ctx.stamp) if ctx.holds(p)]


def organisation_names(policies: list[dict[str, Any]]) -> dict[str, str]:
    """organisation slug -> its publisher's name as its latest version states it, in slug order."""
    latest: dict[str, dict[str, Any]] = {}
    for p in sorted(policies, key=lambda p: (p["effective_date"] or "", p["id"])):
        latest[p["organisation"]] = p
    return {o: latest[o]["publisher"] or o for o in sorted(latest)}


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


def fact_data(G: nx.MultiDiGraph, fact: str) -> dict[str, Any]:
    """The attributes of a node id or of a "source|relation|target" edge ({} if the graph lacks it)."""
    if fact.count("|") == 2:
        s, r, t = fact.split("|")
        return dict(G.edges[s, t, r]) if G.has_edge(s, t, r) else {}
    return dict(G.nodes[fact]) if fact in G else {}


def fact_versions(G: nx.MultiDiGraph, fact: str) -> list[str]:
    return list(fact_data(G, fact).get("policy_ids", [])) if fact else []


# ---------------------------------------------------------------- library calls


def per_scope(compute: Callable[[str, str, str], T]) -> Callable[[Context], T]:
    """A library call on the scope's graph, cached on (database URL, scope, catalog stamp), called with a Context.

    compute(url, scope, stamp) stays reachable as `.cached` (the tests read the workbook that way).
    """
    cached = st.cache_data(show_spinner=False, ttl=600)(compute)

    def of(ctx: Context) -> T:
        return cached(ctx.url, ctx.scope, ctx.stamp)

    of.cached = cached  # type: ignore[attr-defined]
    of.__doc__ = compute.__doc__
    return of


@per_scope
def findings(url: str, scope: str, stamp: str) -> list[dict[str, Any]]:
    """catalog.checks.risks.find_risks of the scope (rejected facts left out), most severe first."""
    from catalog.checks.risks import find_risks

    rows = [f.to_dict() for f in find_risks(without_rejected(_graph(url, scope, stamp)))]
    return sorted(rows, key=lambda f: (SEVERITY_ORDER.get(str(f.get("severity", "")).lower(), 9), f.get("check", "")))


@per_scope
def completeness(url: str, scope: str, stamp: str) -> list[dict[str, Any]]:
    """catalog.checks.risks.completeness: Art. 30(1) fields filled per processing activity."""
    from catalog.checks.risks import completeness

    return completeness(_graph(url, scope, stamp))


@per_scope
def ropa_rows(url: str, scope: str, stamp: str) -> list[dict[str, Any]]:
    """catalog.export.ropa.ropa_rows: one dict per processing activity, with its provenance."""
    from catalog.export.ropa import ropa_rows

    return ropa_rows(_graph(url, scope, stamp))


@per_scope
def controller_details(url: str, scope: str, stamp: str) -> dict[str, Any]:
    """catalog.export.ropa_controller.controller_details: the controller, representative and DPO block."""
    from catalog.export.ropa_controller import controller_details

    d = controller_details(_graph(url, scope, stamp))
    return dict(d) if d else {}


@st.cache_data(show_spinner="Writing the workbook…", ttl=600)
def ropa_xlsx_bytes(url: str, scope: str, stamp: str) -> bytes:
    """The ROPA workbook (catalog.export.spreadsheet.write_xlsx) of a scope, as bytes: written when asked for."""
    import tempfile

    from catalog.checks.risks import find_risks
    from catalog.export.spreadsheet import write_xlsx

    G = _graph(url, scope, stamp)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ropa.xlsx"
        write_xlsx(path, G, findings=find_risks(without_rejected(G)))
        return path.read_bytes()


def ropa_xlsx(ctx: Context) -> bytes:
    return ropa_xlsx_bytes(ctx.url, ctx.scope, ctx.stamp)


@st.cache_data(show_spinner=False, ttl=600)
def _policy_diff(url: str, old_id: str, new_id: str, stamp: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    from catalog.compare.diff import diff, to_diff_rows

    old, new = _extraction(url, old_id, stamp), _extraction(url, new_id, stamp)
    d = diff(old, new)
    return d.to_dict(), to_diff_rows(d)


def policy_diff(ctx: Context, old_id: str, new_id: str) -> dict[str, Any]:
    """catalog.compare.diff.diff(old, new).to_dict() for two stored versions (cached)."""
    return _policy_diff(ctx.url, old_id, new_id, ctx.stamp)[0]


def policy_diff_rows(ctx: Context, old_id: str, new_id: str) -> list[dict[str, str]]:
    return _policy_diff(ctx.url, old_id, new_id, ctx.stamp)[1]
