"""Tables a DPO filters and downloads: row filters and inert CSV."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

import streamlit as st

from catalog.export.workbook import inert


def matches(row: dict[str, Any], query: str) -> bool:
    """Whether any cell of the row contains the query (case-insensitive; an empty query matches)."""
    q = (query or "").strip().lower()
    return not q or any(q in str(v).lower() for v in row.values())


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "all"


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> str:
    """Pure: the rows' columns as CSV text, every cell inert."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(columns)
    for r in rows:
        w.writerow([inert("; ".join(map(str, v)) if isinstance(v := r.get(c, ""), (list, tuple)) else v)
                    for c in columns])
    return buf.getvalue()


def csv_download(rows: list[dict[str, Any]], columns: Sequence[str], file_name: str,
                 label: str = "Download CSV") -> None:
    st.download_button(label, to_csv(rows, columns), file_name=file_name, mime="text/csv",
                       icon=":material/download:", key=f"csv_{file_name}")


def table(rows: list[dict[str, Any]], ids: Sequence[str], *, key: str, opens: str, **kwargs: Any) -> None:
    """st.dataframe whose row a click selects: the row's id goes to the `opens` selectbox (its detail view).

    Call it before that selectbox is drawn. A selection is applied once, so the selectbox stays free.
    """
    event = st.dataframe(rows, hide_index=True, width="stretch", key=key, on_select="rerun",
                         selection_mode="single-row", **kwargs)
    picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    chosen = ids[picked[0]] if picked and picked[0] < len(ids) else None
    if chosen is not None and chosen != st.session_state.get(f"_{key}_applied"):
        st.session_state[opens] = chosen
    st.session_state[f"_{key}_applied"] = chosen
