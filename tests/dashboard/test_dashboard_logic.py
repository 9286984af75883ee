"""The dashboard's pure helpers: how sure a reading is, the review queue's order, transfer rows as the
risk checks decide them, inert CSV, the cleaned SVG, the map's fallback version and its Art. 9 notes."""

from __future__ import annotations

import csv
import io

import networkx as nx
import pytest

pytest.importorskip("streamlit")

from catalog.dashboard import graph_view, reading, review_queue, tables, transfers_view  # noqa: E402
from catalog.export.dot import dot_name, to_dot  # noqa: E402


def _graph() -> nx.MultiDiGraph:
    """A small graph whose facts and links carry (or lack) the extractor's confidence and read_as."""
    G = nx.MultiDiGraph()
    G.graph["policies"] = {"p1": {"effective_date": "2020-01-01"}, "p2": {"effective_date": "2021-01-01"}}
    G.add_node("data_category:user.health", kind="data_category", label="Health data", policy_ids=["p1", "p2"],
               attrs={"special_category": True, "confidence": 0.95, "read_as": "table row"},
               by_policy={"p1": {"confidence": 0.4, "read_as": "section scope"}, "p2": {"confidence": 0.95}},
               evidence=[])
    G.add_node("purpose:ads", kind="purpose", label="Advertising", policy_ids=["p1"], attrs={}, by_policy={},
               evidence=[])
    G.add_node("recipient:acme", kind="recipient", label="ACME", policy_ids=["p1"], attrs={"confidence": 0.2},
               by_policy={}, evidence=[])
    G.add_node("legal_basis:art9-2-a", kind="legal_basis", label="Explicit consent (Art. 9(2)(a))",
               policy_ids=["p1"], attrs={"article": "9(2)(a)"}, by_policy={}, evidence=[])
    G.add_edge("data_category:user.health", "purpose:ads", key="processed_for", status="inferred", policy_ids=["p1"],
               attrs={}, by_policy={"p1": {"status": "inferred"}}, evidence=[])
    G.add_edge("purpose:ads", "recipient:acme", key="disclosed_to", status="stated", policy_ids=["p1"],
               attrs={"confidence": 0.7, "read_as": "list item"}, by_policy={}, evidence=[])
    G.add_edge("data_category:user.health", "legal_basis:art9-2-a", key="based_on", status="stated",
               policy_ids=["p1"], attrs={}, by_policy={}, evidence=[])
    return G


def test_reading_uses_the_extractors_confidence_and_falls_back_to_the_status():
    G = _graph()
    health = G.nodes["data_category:user.health"]
    assert reading.confidence(health) == 0.95 and reading.read_as(health) == "table row"
    assert reading.confidence(health, "p1") == 0.4 and reading.read_as(health, "p1") == "section scope"
    inferred = G.edges["data_category:user.health", "purpose:ads", "processed_for"]
    assert reading.confidence(inferred) is None and reading.read_as(inferred) == "inferred"
    assert reading.sureness(inferred) < reading.sureness(G.nodes["purpose:ads"])  # inferred before stated
    assert "no confidence recorded" in reading.reading_text(inferred)
    assert reading.reading_text(G.edges["purpose:ads", "recipient:acme", "disclosed_to"]) == \
        "read as list item · confidence 0.70"
    assert reading.confidence({"attrs": {"confidence": "7"}}) == 1.0  # clamped
    assert reading.confidence({"attrs": {"confidence": "high"}}) is None


def test_the_queue_puts_risk_first_then_the_least_sure():
    G = _graph()
    findings = [{"severity": "high", "facts": ["data_category:user.health"]},
                {"severity": "medium", "facts": ["purpose:ads", "recipient:acme"]}]
    rows = review_queue.queue(G, findings)
    order = [r["target"] for r in rows]
    assert order[0] == "data_category:user.health"  # the high finding
    medium = [r["target"] for r in rows if r["risk"] == "medium"]
    assert medium == ["recipient:acme", "purpose:ads|disclosed_to|recipient:acme", "purpose:ads"]  # 0.2, 0.7, 0.9
    unnamed = [r for r in rows if r["risk"] == review_queue.NO_RISK]
    assert unnamed[0]["target"] == "data_category:user.health|processed_for|purpose:ads"  # inferred: 0.5
    assert order.index("legal_basis:art9-2-a") > order.index("purpose:ads")
    rows[1]["done"] = True
    assert review_queue.next_left(rows, order[0]) == order[2]
    assert review_queue.next_left([dict(r, done=True) for r in rows], order[0]) is None


def _transfer_graph() -> nx.MultiDiGraph:
    """One controller sending data to Germany, Singapore (SCCs and a claimed adequacy decision) and the US."""
    G = nx.MultiDiGraph()
    G.graph["policies"] = {"p1": {"effective_date": "2024-01-01"}}
    quote = {"policy_id": "p1", "section": "Transfers", "start": 0, "end": 10, "rule": "t"}
    G.add_node("controller:acme", kind="controller", label="ACME", policy_ids=["p1"], attrs={}, by_policy={},
               evidence=[])
    for code, name in (("DE", "Germany"), ("SG", "Singapore"), ("US", "United States")):
        G.add_node(f"country:{code}", kind="country", label=name, key=code, ident=code, policy_ids=["p1"],
                   attrs={}, by_policy={}, evidence=[])
    G.add_node("safeguard:scc", kind="safeguard", label="Standard Contractual Clauses", policy_ids=["p1"], attrs={},
               by_policy={}, evidence=[{**quote, "quote": "Standard contractual clauses."},
                                       {**quote, "quote": "We rely on standard contractual clauses approved by the EC."}])
    for code, safeguards in (("DE", ["scc"]), ("SG", ["scc", "adequacy"]), ("US", [])):
        a = {"safeguards": safeguards, "scc": "scc" in safeguards, "adequacy": "none"}
        G.add_edge("controller:acme", f"country:{code}", key="transferred_to", relation="transferred_to",
                   status="stated", policy_ids=["p1"], attrs=a, by_policy={"p1": {"status": "stated", **a}},
                   evidence=[{**quote, "quote": f"We store data in {code}."}])
    return G


def test_transfer_rows_stand_as_the_risk_checks_decide():
    rows = {r["Country"]: r for r in transfers_view.transfers(_transfer_graph())}
    de, sg, us = rows["Germany (DE)"], rows["Singapore (SG)"], rows["United States (US)"]
    assert (de["Adequacy"], de["SCC"], de["Safeguards"], de["third_country"]) == ("EEA", "—", "—", False)
    assert sg["Adequacy"] == "none" and sg["Safeguards"] == "SCC" and "adequacy" not in sg["Safeguards"].lower()
    assert "not applicable here: Adequacy decision" in sg["Note"]
    assert sg["SCC quote"] == "We rely on standard contractual clauses approved by the EC."  # a sentence, not the heading
    assert sg["quote"] == "We store data in SG." and sg["safeguarded"]
    assert us["Adequacy"] == "partial" and us["Safeguards"] == "none stated" and not us["safeguarded"]


def test_csv_cells_are_inert_text():
    rows = [{"a": "=HYPERLINK(\"http://x\")", "b": "+1", "c": ["x", "y"], "d": "plain"}]
    out = list(csv.reader(io.StringIO(tables.to_csv(rows, ["a", "b", "c", "d"]))))
    assert out[0] == ["a", "b", "c", "d"]
    assert out[1] == ["'=HYPERLINK(\"http://x\")", "'+1", "x; y", "plain"]
    assert tables.matches({"x": "Google LLC"}, "google") and not tables.matches({"x": "Meta"}, "google")


def test_the_svg_keeps_only_drawing():
    hostile = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 9 9" '
               'onload="alert(1)"><script>alert(2)</script><g id="n1" class="node" onclick="alert(3)"><title>n1</title>'
               '<a xlink:href="javascript:alert(4)" xlink:title="tip"><path d="M0,0L1,1" fill="#fff"/>'
               '<text x="1" y="1">Health &amp; more</text></a></g><foreignObject><div>x</div></foreignObject></svg>')
    clean = graph_view.clean_svg(hostile)
    for bad in ("script", "alert", "onload", "onclick", "href", "foreignObject"):
        assert bad not in clean, bad
    assert 'id="n1"' in clean and 'd="M0,0L1,1"' in clean and "Health &amp; more" in clean and "tip" in clean


def test_the_map_falls_back_to_one_organisations_latest_version():
    policies = [{"id": "b-1", "organisation": "b", "publisher": "B Co", "effective_date": "2020-01-01"},
                {"id": "a-1", "organisation": "a", "publisher": "A Co", "effective_date": "2019-01-01"},
                {"id": "a-2", "organisation": "a", "publisher": "A Co", "effective_date": "2021-01-01"},
                {"id": "b-2", "organisation": "b", "publisher": "B Co", "effective_date": "2022-01-01"}]
    first = graph_view.fallback_version(policies, "", 300, 900)
    assert first.policy_id == "a-2" and "A Co" in first.reason and "300 facts" in first.reason
    assert graph_view.fallback_version(policies, "b", 300, 900).policy_id == "b-2"
    assert graph_view.fallback_version(policies, "zz", 300, 900) is None


def test_art9_notes_and_stable_names():
    G = _graph()
    assert graph_view.art9_notes(G) == {"data_category:user.health": "Art. 9 condition: Explicit consent (Art. 9(2)(a))"}
    G.remove_edge("data_category:user.health", "legal_basis:art9-2-a", "based_on")
    assert graph_view.art9_notes(G)["data_category:user.health"] == "Art. 9 condition: none stated"
    H = G.subgraph(["data_category:user.health", "recipient:acme"]).copy()
    name = dot_name("data_category:user.health")
    assert f"{name} [" in to_dot(G) and f"{name} [" in to_dot(H)  # one fact, one name, in any drawing
    assert dot_name("recipient:acme") != name
