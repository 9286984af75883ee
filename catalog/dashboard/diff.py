"""Policy diff: choose two versions; what was added, removed and changed, with the quotes side by side.

The headline counts and the tabs count the same entries (the kind and facts-only filters apply to both),
and the side-by-side view is chosen by the entry's identity, so changing a version never shows one fact's
label above another fact's quotes.
"""

import json

import streamlit as st

from catalog.dashboard import data, scope, tables

ctx = scope.context()
st.title("Policy diff")
versions = [p for p in data.policies(ctx) if not ctx.organisation or p["organisation"] == ctx.organisation]
versions.sort(key=lambda p: (p["organisation"], p["effective_date"] or "", p["id"]))
if len(versions) < 2:
    st.info("The selection holds fewer than two policy versions: nothing to compare. Choose another organisation "
            "in the sidebar.")
    st.stop()

ids = [p["id"] for p in versions]
by_id = {p["id"]: p for p in versions}
fmt = lambda i: f"{i} ({by_id[i]['effective_date'] or 'undated'})"  # noqa: E731
c1, c2 = st.columns(2)


def _default_new(old: str) -> str:
    """The next version of the same organisation, else the other one closest in the list."""
    same = [i for i in ids if by_id[i]["organisation"] == by_id[old]["organisation"] and i != old]
    later = [i for i in same if ids.index(i) > ids.index(old)]
    return (later or same or [i for i in ids if i != old])[0]


with c1:
    old_id = scope.url_select("Old version", ids, fmt, key="diff_old")
with c2:
    if st.session_state.get("diff_new") not in ids and st.query_params.get("diff_new") not in ids:
        st.session_state["diff_new"] = _default_new(old_id)
    new_id = scope.url_select("New version", ids, fmt, key="diff_new")
if old_id == new_id:
    st.warning("Choose two different versions.")
    st.stop()

d = data.policy_diff(ctx, old_id, new_id)
CHANGES = ("added", "removed", "changed")
kinds = sorted({e["kind"] for c in CHANGES for e in d[c]})
f1, f2 = st.columns([3, 1])
only = f1.multiselect("Kinds", kinds, default=[], placeholder="All kinds", key="diff_kinds", bind="query-params",
                      format_func=lambda k: k.replace("_", " "))
facts_only = f2.toggle("Facts only (hide links)", value=True, key="diff_facts_only", bind="query-params")


def entries(change: str) -> list[dict]:
    return [e for e in d[change] if (not only or e["kind"] in only) and (not facts_only or e["element"] == "fact")]


def entry_id(e: dict) -> str:
    return e.get("id") or f"{e['element']}|{e['kind']}|{e['label']}"


def entry_label(e: dict) -> str:
    return f"{e['label']} ({e['kind'].replace('_', ' ')})"


selected = {c: entries(c) for c in CHANGES}
what = "facts" if facts_only else "facts and links"
m = st.columns(3)
for col, change in zip(m, CHANGES):
    col.metric(f"{change.capitalize()} {what}", len(selected[change]),
               help="Counted with the filters below the versions, like the tabs")
restated = d["summary"].get("restated", {})
st.caption(f"{sum(restated.values())} facts and links are stated by both versions in other words (restated) · "
           f"all differences, unfiltered: {sum(sum(d['summary'][c].values()) for c in CHANGES)}")
if d["sections"]["added"] or d["sections"]["removed"]:
    st.caption("Sections added: " + (", ".join(d["sections"]["added"]) or "none")
               + " · removed: " + (", ".join(d["sections"]["removed"]) or "none"))


def show(change: str) -> None:
    es = selected[change]
    if not es:
        st.caption(f"Nothing {change}.")
        return
    st.dataframe(
        [{"Fact": e["label"], "Kind": e["kind"].replace("_", " "),
          "Changed fields": "; ".join(f"{k}: {v['old']!r} → {v['new']!r}" for k, v in e.get("fields", {}).items()),
          f"Quote in {old_id}": "\n".join(e["old_quotes"][:2]), f"Quote in {new_id}": "\n".join(e["new_quotes"][:2])}
         for e in es],
        hide_index=True, width="stretch",
        column_config={f"Quote in {old_id}": st.column_config.TextColumn(width="large"),
                       f"Quote in {new_id}": st.column_config.TextColumn(width="large")})
    by_entry = {entry_id(e): e for e in es}
    pick = scope.url_select("Compare one side by side", list(by_entry), lambda i: entry_label(by_entry[i]),
                       key=f"diff_pick_{change}")
    e = by_entry[pick]
    with st.container(border=True):
        st.markdown(f"**{entry_label(e)}** · {change}")
        left, right = st.columns(2)
        with left:
            st.caption(old_id)
            for q in e["old_quotes"] or ["(not stated)"]:
                st.text(q)
        with right:
            st.caption(new_id)
            for q in e["new_quotes"] or ["(not stated)"]:
                st.text(q)


# a choice, not st.tabs: tabs whose labels carry counts are new tabs (the first one open) after a version change
change = scope.url_select("Show", list(CHANGES), lambda c: f"{c.capitalize()} ({len(selected[c])})", key="diff_change",
                          buttons=True)
show(change)

with st.expander("Every difference (facts and links) as a table"):
    st.dataframe([{"Change": r["change"], "Fact or link": r["label"], "Kind": r["kind"].replace("_", " "),
                   "Changed fields": r["fields"], f"Quote in {old_id}": r["old_quote"],
                   f"Quote in {new_id}": r["new_quote"]} for r in data.policy_diff_rows(ctx, old_id, new_id)],
                 hide_index=True, width="stretch")
    st.download_button("Download JSON", json.dumps(d, indent=2, default=str),
                       file_name=f"diff-{old_id}-{new_id}.json", mime="application/json")
