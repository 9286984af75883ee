"""Evidence: the policy text of a version with the quotes behind facts highlighted, scrolled to the chosen one.

`?fact=<node id or source|relation|target>` (and optionally `&policy=<version id>`) lands on that fact's
evidence; other pages link here. Only the versions of the sidebar's scope are offered: with one
organisation chosen, another organisation's quote is never opened. Policy text is escaped before it is
marked up.
"""

import streamlit as st

from catalog.dashboard import data, labels, quotes, reading, scope

ctx = scope.context()
st.title("Evidence")
in_scope = sorted(data.scoped_policies(ctx), key=lambda p: (p["organisation"], p["effective_date"] or "", p["id"]))
if not in_scope:
    st.info("The catalog is empty.")
    st.stop()
G = data.graph(ctx)
versions = [p["id"] for p in in_scope]
FACT, POLICY, NONE = scope.FACT, scope.POLICY, ""

linked = st.query_params.get(FACT, NONE)
if linked and linked != st.session_state.get(f"_url_{FACT}"):  # a link was followed: land on its fact
    if st.query_params.get(POLICY) not in versions:  # no version given: the newest of the scope stating it
        holders = [v for v in data.fact_versions(G, linked) if v in versions]
        st.session_state[POLICY] = holders[-1] if holders else versions[-1]
        st.session_state[f"_url_{POLICY}"] = st.query_params.get(POLICY)
    if not data.fact_data(G, linked):
        st.warning(f"`{linked}` is not stated in {ctx.label}: choose another organisation or version in the "
                   "sidebar to see its evidence.")

c1, c2 = st.columns([1, 2])
version = scope.url_select("Policy version", versions, str, key=POLICY, where=c1)
spans = quotes.evidence_spans(G, version)
facts = sorted({f for _, _, f, _ in spans}, key=lambda f: labels.target_option(G, f).lower())
wanted = linked or st.session_state.get(FACT) or NONE
extra = [wanted] if wanted and wanted not in facts and data.fact_data(G, wanted) else []
fact = scope.url_select("Fact (type to search)", [NONE, *facts, *extra],
                        lambda f: "(all facts)" if f == NONE else labels.target_option(G, f),
                        key=FACT, default=NONE, where=c2)

text = data.policy_text(ctx, version)
if fact:
    item = data.fact_data(G, fact)
    st.subheader(labels.target_option(G, fact))
    bits = [f"`{fact}`", reading.reading_text(item, version),
            f"key: `{item.get('key') or '—'}`" if "|" not in fact else "",
            "versions: " + labels.versions_text(item.get("policy_ids", []), limit=4)]
    st.caption(" · ".join(b for b in bits if b))
    review = item.get("review")
    if review:
        st.info(f"Review: {labels.review_text(review)}" + (f" — {review['comment']}" if review.get("comment") else ""))
    scope.link("review", "Review this fact", ":material/fact_check:", fact=fact)
    mine = [ev for ev in item.get("evidence", []) if ev.get("policy_id") == version]
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
           + ("; the selected fact's quotes in orange, scrolled into view." if focus else "."))
st.html(quotes.highlight_html(text, [(s, e, t) for s, e, _, t in spans], focus))
if focus:
    quotes.scroll_to_focus(f"{version}|{fact}")
