"""Running dashboard pages under Streamlit's AppTest and reading what they show (shared by the dashboard tests)."""

from __future__ import annotations

import json
from typing import Any

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

APP = str(ROOT / "dashboard.py")


def open_page(page: str = "overview", query: dict[str, str] | None = None, **state: Any) -> AppTest:
    """A page of the dashboard after its first run (the database comes from $ROPA_DB)."""
    at = AppTest.from_file(APP, default_timeout=300)
    for k, v in state.items():
        at.session_state[k] = v
    for k, v in (query or {}).items():
        at.query_params[k] = v
    if page != "overview":
        at.switch_page(f"catalog/dashboard/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Everything the page writes as text (markdown, captions, text, metrics, headings, alerts)."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "success",
                 "error"):
        out += [str(e.value) for e in getattr(at, kind)]
    out += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(out)


def tables(at: AppTest) -> str:
    """Every cell of every st.dataframe and st.table, as one string."""
    frames = [e.value for e in at.dataframe] + [e.value for e in at.table]
    return "\n".join(f.to_csv() for f in frames)


def frame(at: AppTest, column: str):
    """The first st.dataframe or st.table that has this column."""
    return next(f for f in [e.value for e in at.dataframe] + [e.value for e in at.table] if column in f.columns)


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def htmls(at: AppTest) -> str:
    return "\n".join(e.proto.body for e in at.get("html"))


def components(at: AppTest, name: str) -> list[dict[str, Any]]:
    """The data our st.components.v2 components (the map, the scroll) were mounted with."""
    return [json.loads(e.proto.json or "null") or {} for e in at.get("bidi_component")
            if e.proto.component_name == name]


def map_svg(at: AppTest) -> str:
    """The Data map's SVG as the browser receives it."""
    [data] = components(at, "ropa_data_map")
    return data["svg"]


def downloads(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]
