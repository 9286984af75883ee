"""Policy diff: choose two versions; what was added, removed and changed, with the quotes side by side."""

import json

import streamlit as st

from catalog.dashboard import data, scope

ctx = scope.context()
st.title("Policy diff")
diffmod = data.library("diff")
versions = data.policies(ctx)
if diffmod is None:
    st.stop()
if len(versions) < 2:
    st.info("The catalog holds fewer than two policy versions: nothing to compare.")
    st.stop()

ids = [p["id"] for p in versions]
by_id = {p["id"]: p for p in versions}
fmt = lambda i: f"{i} ({by_id[i]['effective_date'] or 'undated'})"  # noqa: E731
c1, c2 = st.columns(2)
old_id = c1.selectbox("Old version", ids, index=0, format_func=fmt, key="diff_old")
same_org = [i for i in ids if by_id[i]["organisation"] == by_id[old_id]["organisation"] and i != old_id]
default_new = ids.index(same_org[-1]) if same_org else min(1, len(ids) - 1)
new_id = c2.selectbox("New version", ids, index=default_new, format_func=fmt, key="diff_new")
if old_id == new_id:
    st.warning("Choose two different versions.")
    st.stop()

d = data.policy_diff(ctx, old_id, new_id)
s = d["summary"]
m = st.columns(4)
for col, change in zip(m, ("added", "removed", "changed", "restated")):
    col.metric(change.capitalize(), sum(s[change].values()))
if d["sections"]["added"] or d["sections"]["removed"]:
    st.caption("Sections added: " + (", ".join(d["sections"]["added"]) or "none")
               + " · removed: " + (", ".join(d["sections"]["removed"]) or "none"))

kinds = sorted({e["kind"] for c in ("added", "removed", "changed") for e in d[c]})
f1, f2 = st.columns([3, 1])
only = f1.multiselect("Kinds", kinds, default=[], placeholder="All kinds", key="diff_kinds")
facts_only = f2.toggle("Facts only (hide links)", value=True, key="diff_facts_only")


def entries(change: str) -> list[dict]:
    return [e for e in d[change] if (not only or e["kind"] in only) and (not facts_only or e["element"] == "fact")]


def show(change: str) -> None:
    es = entries(change)
    if not es:
        st.caption(f"Nothing {change}.")
        return
    st.dataframe(
        [{"label": e["label"], "kind": e["kind"].replace("_", " "),
          "changed fields": "; ".join(f"{k}: {v['old']!r} → {v['new']!r}" for k, v in e.get("fields", {}).items()),
          f"quote in {old_id}": "\n".join(e["old_quotes"][:2]), f"quote in {new_id}": "\n".join(e["new_quotes"][:2])}
         for e in es],
        hide_index=True, width="stretch",
        column_config={f"quote in {old_id}": st.column_config.TextColumn(width="large"),
                       f"quote in {new_id}": st.column_config.TextColumn(width="large")})
    pick = st.selectbox("Compare one side by side", range(len(es)), key=f"diff_pick_{change}",
                        format_func=lambda i: f"{es[i]['label']} ({es[i]['kind'].replace('_', ' ')})")
    e = es[pick]
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{old_id}**")
        for q in e["old_quotes"] or ["(not stated)"]:
            st.text(q)
    with right:
        st.markdown(f"**{new_id}**")
        for q in e["new_quotes"] or ["(not stated)"]:
            st.text(q)


tabs = st.tabs([f"{c.capitalize()} ({len(entries(c))})" for c in ("added", "removed", "changed")])
for tab, change in zip(tabs, ("added", "removed", "changed")):
    with tab:
        show(change)

with st.expander("Every difference (facts and links) as a table"):
    st.dataframe(data.policy_diff_rows(ctx, old_id, new_id), hide_index=True, width="stretch")
    st.download_button("Download JSON", json.dumps(d, indent=2, default=str),
                       file_name=f"diff-{old_id}-{new_id}.json", mime="application/json")
