"""Review: a queue of the scope's facts and links, riskiest and least sure first; a DPO reads the quotes,
then confirms, rejects or corrects, for the version in scope unless "all versions" is chosen, or adds a
missing link. Decisions show in every view (catalog.store.review.apply_reviews) and survive a rebuild."""

import streamlit as st

from catalog.dashboard import data, labels, quotes, reading, review_queue, scope, tables
from catalog.records import Relation
from catalog.store.review import DECISIONS, ReviewError, read_reviews, write_review

ctx = scope.context()
st.title("Review")
G = data.graph(ctx)
eng = data.engine(ctx.url)
ALL_VERSIONS = ""
in_scope = [p["id"] for p in sorted(data.scoped_policies(ctx), key=lambda p: (p["effective_date"] or "", p["id"]))]

rows = review_queue.queue(G, data.findings(ctx), ctx.policy_id)
if upcoming := st.session_state.pop("_review_next", None):  # after a decision: the next item left, a blank form
    st.session_state["review_target"] = upcoming
    for k in ("review_decision", "review_correction", "review_comment"):
        st.session_state.pop(k, None)
done = sum(r["done"] for r in rows)
if msg := st.session_state.pop("review_saved", None):
    st.success(msg)
m1, m2, m3 = st.columns(3)
m1.metric("Done", done, help="Facts and links with a decision in force in this selection")
m2.metric("Left", len(rows) - done)
m3.metric("With a finding, left", sum(1 for r in rows if not r["done"] and r["risk"] != review_queue.NO_RISK))
st.caption(f"{ctx.label} · riskiest first (the severity of the findings naming it), then the least sure reading · "
           "click a row to review it")

tab_queue, tab_add, tab_done = st.tabs(["Review queue", "Add a missing link", "Decisions"])
with tab_queue:
    f1, f2 = st.columns([1, 2])
    show = f1.segmented_control("Show", ["left", "done", "all"], default="left", key="rq_show", bind="query-params",
                                format_func=lambda s: {"left": "To review", "done": "Done", "all": "All"}[s])
    query = f2.text_input("Filter the queue", key="rq_filter", bind="query-params", placeholder="e.g. health, Google")
    listed = [r for r in rows if (show == "all" or r["done"] == (show == "done")) and tables.matches(r, query)]
    url_fact = st.query_params.get("fact", "")  # "Review this fact" links from the Evidence and Findings pages
    if url_fact and url_fact != st.session_state.get("_review_landed"):
        st.session_state["_review_landed"] = url_fact
        if any(r["target"] == url_fact for r in rows):
            st.session_state["review_target"] = url_fact
            listed = listed if any(r["target"] == url_fact for r in listed) else \
                [r for r in rows if r["target"] == url_fact] + listed
    tables.table([{"Risk": r["risk"], "Fact or link": r["label"], "Kind": r["kind"], "Read as": r["read_as"],
                   "Confidence": "—" if r["confidence"] is None else f"{r['confidence']:.2f}",
                   "Versions": labels.versions_text(r["versions"]),
                   "Decision": r["decision"]} for r in listed[:500]], [r["target"] for r in listed[:500]],
                 key="rq_table", opens="review_target", height=260,
                 column_config={"Fact or link": st.column_config.TextColumn(width="large")})
    if all(r["confidence"] is None for r in rows):
        st.caption("This catalog records no confidence: inferred links (read from no single sentence) come "
                   "before stated ones.")
    if len(listed) > 500:
        st.caption(f"The first 500 of {len(listed)}: filter the queue to find the others.")
    if not listed:
        st.success("Nothing left to review here." if show == "left" else "Nothing to show.")
    else:
        by_target = {r["target"]: r for r in listed}
        target = scope.url_select("Fact or link to review", list(by_target), lambda t: by_target[t]["label"],
                             key="review_target")
        item = data.fact_data(G, target)
        holders = [v for v in in_scope if v in item.get("policy_ids", [])] or in_scope
        choices = [*holders[::-1], ALL_VERSIONS]
        if st.session_state.get("review_applies") not in choices:
            st.session_state["review_applies"] = choices[0]
        applies = st.radio("The decision applies to", choices, horizontal=True, key="review_applies",
                           format_func=lambda v: "all versions" if v == ALL_VERSIONS else v,
                           help="A decision holds for one version unless all versions are chosen")
        shown = applies or holders[-1]
        left, right = st.columns([3, 2])
        with left:
            st.markdown(f"**{by_target[target]['label']}**")
            st.caption(f"{reading.reading_text(item, shown)} · risk: {by_target[target]['risk']} · "
                       f"stated by {labels.versions_text(item.get('policy_ids', []), limit=4)}")
            if item.get("review"):
                st.info(f"In force: {labels.review_text(item['review'])}"
                        + (f" — {item['review']['comment']}" if item["review"].get("comment") else ""))
            mine = [ev for ev in item.get("evidence", []) if ev.get("policy_id") == shown]
            if not mine:
                st.warning(f"{shown} gives no quote for this {'link' if '|' in target else 'fact'}.")
            text = data.policy_text(ctx, shown) if mine else ""
            for ev in mine[:3]:
                st.caption(f"{ev.get('policy_id')} · {ev.get('section') or '(no section)'}"
                           + (f" · {ev['note']}" if ev.get("note") else ""))
                if ev.get("end", 0) > ev.get("start", 0) and text[ev["start"]:ev["end"]] == ev.get("quote"):
                    st.html(quotes.excerpt_html(text, ev["start"], ev["end"], 160))
                else:
                    st.text(ev.get("quote") or ev.get("note", ""))
            scope.evidence_link(target, "Open in the policy text", shown)
        with right, st.form("review_form", clear_on_submit=False, border=True):
            decision = st.radio("Decision", [d for d in DECISIONS if d != "add"], index=None, horizontal=True,
                                key="review_decision")
            corrected = st.text_input("Correction (for `correct`: what it should say)", key="review_correction")
            comment = st.text_area("Comment", key="review_comment", height=90)
            reviewer = st.text_input("Reviewer", key="review_reviewer")
            if st.form_submit_button("Save decision", type="primary"):
                correction = {"value": corrected} if corrected.strip() else None
                try:
                    if not decision:
                        raise ReviewError("choose a decision: confirm, reject or correct")
                    write_review(eng, target, decision, reviewer, comment=comment, correction=correction,
                                 policy_id=applies)
                except ReviewError as e:
                    st.error(str(e))
                else:
                    st.session_state["review_saved"] = (
                        f"Saved: {decision} on {by_target[target]['label']} "
                        f"({'all versions' if not applies else applies}).")
                    st.session_state["_review_next"] = review_queue.next_left(rows, target) or target
                    st.rerun()

with tab_add:
    ORDER = {k: i for i, k in enumerate(labels.KIND_LABELS)}
    nodes = sorted(G.nodes, key=lambda n: (ORDER.get(G.nodes[n].get("kind"), 99), labels.node_option(G, n).lower()))
    relations = [r.value for r in Relation]
    with st.form("review_add"):
        a1, a2, a3 = st.columns([3, 2, 3])
        source = a1.selectbox("From", nodes, key="add_source", format_func=lambda n: labels.node_option(G, n))
        relation = a2.selectbox("Relation", relations, key="add_relation", format_func=lambda r: r.replace("_", " "))
        target = a3.selectbox("To", nodes, key="add_target", format_func=lambda n: labels.node_option(G, n))
        comment = st.text_area("Comment (why: where the policy says it)", key="add_comment")
        reviewer = st.text_input("Reviewer", key="add_reviewer")
        st.caption(f"The link is added to {ctx.policy_id or 'every version of the selection'}.")
        if st.form_submit_button("Add link", type="primary"):
            try:
                write_review(eng, "", "add", reviewer, comment=comment, policy_id=ctx.policy_id,
                             correction={"source": source, "target": target, "relation": relation})
            except ReviewError as e:
                st.error(str(e))
            else:
                st.session_state["review_saved"] = (f"Added: {labels.node_option(G, source)} {relation} "
                                                    f"{labels.node_option(G, target)}.")
                st.rerun()

with tab_done:
    reviews = read_reviews(eng)
    if not reviews:
        st.caption("No decisions yet.")
    else:
        orphans = {o["target"] for o in G.graph.get("orphan_reviews", [])}
        st.dataframe(
            [{"When": str(r.created_at)[:19], "Reviewer": r.reviewer, "Decision": r.decision,
              "Fact or link": labels.target_option(G, r.target) if (r.target in G or r.target.count("|") == 2)
              else r.target,
              "Comment": r.comment, "Correction": ", ".join(f"{k}: {v}" for k, v in (r.correction or {}).items()),
              "Version": r.policy_id or "all", "In this view": "no (not in this selection)" if r.target in orphans
              else "yes", "Evidence": scope.evidence_url(r.target, r.policy_id)}
             for r in reversed(reviews)],
            hide_index=True, width="stretch",
            column_config={"Evidence": st.column_config.LinkColumn("Evidence", display_text="open")})
