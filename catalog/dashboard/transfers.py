"""Transfers: every third-country transfer with adequacy, safeguards and the SCC flag, and what is implied but undeclared."""

import streamlit as st

from catalog.dashboard import data, labels, scope, transfers_view

ctx = scope.context()
st.title("Transfers")
G = data.graph(ctx)
transfers = transfers_view.transfers(G)

st.caption(f"{len(transfers)} transfer(s) · {ctx.label}")
if transfers:
    st.table([{k: v for k, v in t.items() if k not in ("quote", "fact")} for t in transfers], hide_index=True)
    st.subheader("What the policy says")
    for t in transfers[:30]:
        with st.container(border=True):
            st.markdown(f"**{t['from']} → {t['country']}** · {'SCC' if t['SCC'] == 'yes' else 'no SCC'} · "
                        f"adequacy: {t['adequacy'] or 'unknown'}")
            st.text(t["quote"] or "(no quote)")
            scope.evidence_link(t["fact"], "Evidence")
    if len(transfers) > 30:
        st.caption(f"{len(transfers) - 30} more: choose a policy version in the sidebar.")
else:
    st.info("The policy states no transfer in this selection.")

st.subheader("Implied but not declared, or without a safeguard")
risks = data.library("risks")
if risks is not None:
    found = [f for f in data.findings(ctx) if f["check"] in ("undeclared-transfer", "transfer-no-safeguard")]
    if not found:
        st.success("No undeclared or unsafeguarded transfers found.")
    for f in found:
        with st.container(border=True):
            st.markdown(f"**{f['severity'].upper()}** · {f['title']}")
            st.write(f["detail"])
            for ev in f.get("evidence", [])[:2]:
                st.caption(f"{ev.get('policy_id', '')} · {ev.get('section', '')}")
                st.text(ev.get("quote", ""))
            if f.get("facts"):
                scope.evidence_link(f["facts"][0], f"Evidence for {labels.label(G, f['facts'][0])}")
