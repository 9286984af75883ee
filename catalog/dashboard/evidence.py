"""Evidence: the policy text of a version with the quotes behind facts highlighted.

`?fact=<node id or source|relation|target>` (and optionally `&version=<policy id>`) lands on that
fact's evidence; other pages link here. Policy text is escaped before it is marked up.
"""

import streamlit as st

from catalog.dashboard import data, labels, quotes, scope

ctx = scope.context()
st.title("Evidence")
G = data.graph(ctx, scope.ALL)  # every version's evidence; the version is chosen below
versions = [p["id"] for p in data.policies(ctx)]
if not versions:
    st.info("The catalog is empty.")
    st.stop()

NONE = ""
url_fact = st.query_params.get("fact", NONE)
url_version = st.query_params.get("version", NONE)
if (url_fact, url_version) != st.session_state.get("_evidence_from_url"):  # a link was followed: land on it
    st.session_state["_evidence_from_url"] = (url_fact, url_version)
    holders = data.fact_versions(G, url_fact)
    version = url_version if url_version in versions else (
        ctx.policy_id if ctx.policy_id in holders else (holders[-1] if holders else NONE))
    if version:
        st.session_state["evidence_version"] = version
    if url_fact:
        st.session_state["evidence_fact"] = url_fact
if st.session_state.get("evidence_version") not in versions:
    st.session_state["evidence_version"] = ctx.policy_id or versions[-1]

version = st.selectbox("Policy version", versions, key="evidence_version")
spans = quotes.evidence_spans(G, version)
facts = sorted({f for _, _, f, _ in spans}, key=lambda f: labels.target_option(G, f).lower())
if st.session_state.get("evidence_fact") not in facts:
    st.session_state["evidence_fact"] = NONE
fact = st.selectbox("Fact (type to search)", [NONE] + facts, key="evidence_fact",
                    format_func=lambda f: "(all facts)" if f == NONE else labels.target_option(G, f))
if fact:  # keep the URL shareable, and remember it so the next run does not "land" again
    st.query_params["fact"] = fact
    st.query_params["version"] = version
else:
    for k in ("fact", "version"):
        if k in st.query_params:
            del st.query_params[k]
st.session_state["_evidence_from_url"] = (st.query_params.get("fact", NONE), st.query_params.get("version", NONE))

text = data.policy_text(ctx, version)
if fact:
    data = data.fact_data(G, fact)
    st.subheader(labels.target_option(G, fact))
    bits = [f"`{fact}`", f"status: {data.get('status', 'stated')}" if "|" in fact else f"key: `{data.get('key') or '—'}`",
            "versions: " + ", ".join(data.get("policy_ids", []))]
    st.caption(" · ".join(bits))
    review = data.get("review")
    if review:
        st.info(f"Review: {labels.review_text(review)}" + (f" — {review['comment']}" if review.get("comment") else ""))
    if "review" in scope.PAGES:
        st.page_link(scope.PAGES["review"], label="Review this fact", icon=":material/fact_check:",
                     query_params={"fact": fact})
    mine = [ev for ev in data.get("evidence", []) if ev.get("policy_id") == version]
    if not mine:
        st.warning(f"{version} states no quote for this fact.")
    for ev in mine:
        with st.container(border=True):
            st.caption(f"{ev.get('section') or '(no section)'} · characters {ev['start']}–{ev['end']} · rule "
                       f"{ev.get('rule', '')}" + (f" · {ev['note']}" if ev.get("note") else ""))
            if ev["end"] > ev["start"] and text[ev["start"]:ev["end"]] == ev["quote"]:
                st.html(quotes.excerpt_html(text, ev["start"], ev["end"]))
            else:
                st.text(ev.get("quote") or ev.get("note", ""))

st.subheader(f"Policy text · {version}")
focus = {i for i, (_, _, f, _) in enumerate(spans) if f == fact}
st.caption(f"{len(spans)} quotes behind {len(facts)} facts are highlighted"
           + ("; the selected fact's quotes in orange." if fact else "."))
st.html(quotes.highlight_html(text, [(s, e, t) for s, e, _, t in spans], focus))
