"""Policy text as HTML with the quotes behind facts marked; every character of policy text is escaped.

The HTML goes to st.html, which runs no script; the one script here (scrolling the text to a quote) is
our own constant code in a component of its own and never sees policy text.
"""

from __future__ import annotations

import hashlib
import html
from typing import Any

import networkx as nx
import streamlit as st

from catalog.dashboard.labels import label


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


# Our own code, no policy text: scrolls the policy text box (not the page) so that the first quote of the
# selected fact sits in its upper third. The text may be drawn after this runs: it retries for a while.
_SCROLL_JS = """
export default function (component) {
  let tries = 0;
  const scroll = () => {
    const box = document.querySelector('div.policy-text');
    const mark = box && box.querySelector('mark.focus');
    if (!mark) { return false; }
    const offset = mark.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop += offset - box.clientHeight / 3;
    return true;
  };
  const timer = setInterval(() => { if (scroll() || ++tries > 50) { clearInterval(timer); } }, 100);
  return () => clearInterval(timer);
}
"""

_scroll_component = st.components.v2.component("ropa_scroll_to_quote", js=_SCROLL_JS)


def scroll_to_focus(token: str) -> None:
    """Scroll the policy text to the selected fact's quote (once per token: a fact in a version)."""
    _scroll_component(key=f"scroll-{hashlib.sha1(token.encode()).hexdigest()[:12]}", height=0)
