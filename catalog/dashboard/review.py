"""Review: a DPO confirms, rejects or corrects a fact, or adds a missing link; decisions are listed and
shown in every view (catalog.review.apply_reviews), and survive a rebuild of the policy."""

import streamlit as st

from catalog.records import Relation
from catalog.review import DECISIONS, ReviewError, read_reviews, write_review
from catalog.dashboard import data, labels, scope

ctx = scope.context()
st.title("Review")
G = data.graph(ctx)
eng = data.engine(ctx.url)
scope_version = ctx.policy_id

ORDER = {k: i for i, k in enumerate(labels.KIND_LABELS)}
nodes = sorted(G.nodes, key=lambda n: (ORDER.get(G.nodes[n].get("kind"), 99), labels.node_option(G, n).lower()))
edges = sorted((f"{u}|{k}|{v}" for u, v, k in G.edges(keys=True)), key=lambda e: labels.edge_option(G, e).lower())

url_fact = st.query_params.get("fact", "")  # "Review this fact" links from the Evidence page
if url_fact and st.session_state.get("_review_from_url") != url_fact:
    st.session_state["_review_from_url"] = url_fact
    if url_fact in G:
        st.session_state["review_what"] = "fact"
        st.session_state["review_target_fact"] = url_fact
    elif url_fact in edges:
        st.session_state["review_what"] = "link"
        st.session_state["review_target_link"] = url_fact

if msg := st.session_state.pop("review_saved", None):
    st.success(msg)

tab_fact, tab_add = st.tabs(["Review a fact or link", "Add a missing link"])
with tab_fact:
    what = st.radio("Review", ["fact", "link"], horizontal=True, key="review_what",
                    format_func=lambda w: "A fact (node)" if w == "fact" else "A link (edge)")
    with st.form("review_fact", clear_on_submit=False):
        targets = nodes if what == "fact" else edges
        target = st.selectbox("Fact (type to search)" if what == "fact" else "Link (type to search)", targets,
                              key=f"review_target_{what}", format_func=lambda t: labels.target_option(G, t))
        decision = st.radio("Decision", [d for d in DECISIONS if d != "add"], horizontal=True, key="review_decision")
        corrected = st.text_input("Correction (for `correct`: what it should say)", key="review_correction")
        comment = st.text_area("Comment", key="review_comment")
        reviewer = st.text_input("Reviewer", key="review_reviewer")
        only_version = st.checkbox(f"Only for {scope_version}" if scope_version else "Only for one version",
                                   value=False, disabled=not scope_version, key="review_scope")
        if st.form_submit_button("Save decision", type="primary"):
            correction = {"value": corrected} if corrected.strip() else None
            try:
                write_review(eng, target, decision, reviewer, comment=comment, correction=correction,
                             policy_id=scope_version if only_version else "")
            except ReviewError as e:
                st.error(str(e))
            else:
                st.session_state["review_saved"] = f"Saved: {decision} on {labels.target_option(G, target)}."
                st.rerun()

with tab_add:
    relations = [r.value for r in Relation]
    with st.form("review_add"):
        a1, a2, a3 = st.columns([3, 2, 3])
        source = a1.selectbox("From", nodes, key="add_source", format_func=lambda n: labels.node_option(G, n))
        relation = a2.selectbox("Relation", relations, key="add_relation", format_func=lambda r: r.replace("_", " "))
        target = a3.selectbox("To", nodes, key="add_target", format_func=lambda n: labels.node_option(G, n))
        comment = st.text_area("Comment (why: where the policy says it)", key="add_comment")
        reviewer = st.text_input("Reviewer", key="add_reviewer")
        if st.form_submit_button("Add link", type="primary"):
            try:
                write_review(eng, "", "add", reviewer, comment=comment, policy_id=scope_version,
                             correction={"source": source, "target": target, "relation": relation})
            except ReviewError as e:
                st.error(str(e))
            else:
                st.session_state["review_saved"] = (f"Added: {labels.node_option(G, source)} {relation} "
                                                    f"{labels.node_option(G, target)}.")
                st.rerun()

st.subheader("Decisions")
reviews = read_reviews(eng)
if not reviews:
    st.caption("No decisions yet.")
else:
    orphans = {o["target"] for o in G.graph.get("orphan_reviews", [])}
    st.dataframe(
        [{"when": str(r.created_at)[:19], "reviewer": r.reviewer, "decision": r.decision,
          "fact": labels.target_option(G, r.target) if (r.target in G or r.target.count("|") == 2) else r.target,
          "comment": r.comment, "correction": ", ".join(f"{k}: {v}" for k, v in (r.correction or {}).items()),
          "version": r.policy_id or "all", "in this view": "no (fact not in this selection)" if r.target in orphans else "yes",
          "evidence": scope.evidence_url(r.target)}
         for r in reversed(reviews)],
        hide_index=True, width="stretch",
        column_config={"evidence": st.column_config.LinkColumn("evidence", display_text="open")})
