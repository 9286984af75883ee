"""What changed: every organisation's policy changes a DPO must act on since a date, newest first,
with the quotes of both versions (catalog.compare.changes, the same history as `ropa changes`)."""

import datetime as dt
import json

import streamlit as st

from catalog.dashboard import data, scope

SEVERITY_ICON = {"high": ":red[**HIGH**]", "medium": ":orange[**MEDIUM**]", "low": ":gray[low]"}


@st.cache_data(show_spinner="Comparing consecutive versions…", ttl=600)
def _changes(url: str, organisation: str, stamp: str) -> list[dict]:
    from catalog.compare.changes import read_changes

    return [c.to_dict() for c in read_changes(data.engine(url), organisation or None)]


ctx = scope.context()
st.title("What changed")
every = _changes(ctx.url, ctx.organisation, ctx.stamp)
if not every:
    st.info("No organisation has two versions that differ in what a DPO tracks. Build a history first, "
            "e.g. `ropa build --ota contrib-versions --service Alibaba.com` (a clone of an Open Terms Archive "
            "versions repository).")
    st.stop()

newest = dt.date.fromisoformat(every[0]["seen"])
oldest = dt.date.fromisoformat(every[-1]["seen"])
c1, c2 = st.columns([1, 2])
since = c1.date_input("Seen since", value=max(oldest, newest - dt.timedelta(days=365)), min_value=oldest,
                      max_value=max(newest, dt.date.today()), key="changes_since",
                      help="When the new version was seen: its commit date for versions from a repository.")
severities = c2.multiselect("Severity", ["high", "medium", "low"], default=["high", "medium", "low"],
                            key="changes_severity")
shown = [c for c in every if c["seen"] >= since.isoformat() and c["severity"] in severities]

m = st.columns(4)
for col, s in zip(m, ("high", "medium", "low")):
    col.metric(s.capitalize(), sum(c["severity"] == s for c in every if c["seen"] >= since.isoformat()))
m[3].metric("Organisations", len({c["organisation"] for c in shown}))
st.caption(f"{len(shown)} change(s) seen since {since.isoformat()} · {ctx.label if ctx.organisation else 'all organisations'}"
           " · severities and reasons: catalog/lexicons/changes.yaml")
if not shown:
    st.success("Nothing to act on in this selection.")
    st.stop()

st.dataframe(
    [{"seen": c["seen"], "organisation": c["organisation"], "severity": c["severity"], "change": c["title"],
      "detail": c["detail"], "versions": f"{c['old']['id']} → {c['new']['id']}"} for c in shown],
    hide_index=True, width="stretch", column_config={"change": st.column_config.TextColumn(width="large")})

st.subheader("Both versions' words")
by_id = {f"{c['old']['id']}>{c['new']['id']}|{c['type']}|{c['subject']}": c for c in shown}
pick = scope.url_select("Change", list(by_id), key="changes_pick",
                        fmt=lambda i: f"{by_id[i]['seen']} · {by_id[i]['organisation']} · {by_id[i]['title']}")
c = by_id[pick]
st.markdown(SEVERITY_ICON[c["severity"]])
st.text(c["title"] + (f" — {c['detail']}" if c["detail"] else ""))  # labels come from policy text: never markup
st.caption(c["why"])
left, right = st.columns(2)
for col, side in ((left, "old"), (right, "new")):
    with col:
        st.markdown(f"**{c[side]['id']}** ({c[side]['effective_date'] or 'undated'})")
        for q in c[f"{side}_quotes"][:4] or ["(not stated)"]:
            st.text(q)
if st.button("Open this step in Policy diff", key="changes_open_diff"):
    st.switch_page(scope.PAGES["diff"],
                   query_params={**scope.scope_params(), "diff_old": c["old"]["id"], "diff_new": c["new"]["id"]})
st.download_button("Download these changes (JSON)", json.dumps(shown, indent=2, ensure_ascii=False),
                   file_name=f"changes-since-{since.isoformat()}.json", mime="application/json")
