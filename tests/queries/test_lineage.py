"""Lineage on the seed: where payment card data goes, what Google receives, what buyers are told."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from catalog.pipeline.build import build
from catalog.cli.app import app
from catalog.graph.build import restrict
from catalog.queries.lineage.subject import subject_view
from catalog.queries.lineage.terms import UnknownTerm, resolve
from catalog.queries.lineage.walk import downstream, upstream
from catalog.store.engine import make_engine

NEW, OLD = "alibaba-com-2019-01-17", "alibaba-com-2018-05-25"
CARD = "data_category:user.financial.credit_card"
PAY = "purpose:essential.service.payment_processing"
CONTRACT = "legal_basis:art6-1-b-contract"
PSP = "recipient:payment-service-providers"
CTRL = "controller:alibaba-com-singapore-e-commerce-private-limited"


@pytest.fixture(scope="module")
def G(seed_graph):
    return seed_graph


def hops(lin, relation=None):
    return {(h.source, h.target): h for h in lin.hops if relation is None or h.relation == relation}


@pytest.mark.parametrize("term, first", [
    ("card", CARD),
    ("payment card", CARD),
    ("Payment card data", CARD),
    ("PAYMENT CARD NUMBER", CARD),
    ("user.financial.credit_card", CARD),
    (CARD, CARD),
    ("IP address", "data_category:user.device.ip_address"),
    ("Google", "recipient:google"),
    ("buyers", "data_subject:customer"),
    ("China", "country:CN"),
])
def test_terms_resolve_forgivingly(G, term, first):
    assert resolve(G, term)[0] == first


def test_kinds_narrow_the_match(G):
    assert resolve(G, "Google", ("recipient",)) == ["recipient:google"]
    assert resolve(G, "IP address") == ["data_category:user.device.ip_address"]


def test_unknown_term_lists_close_matches(G):
    with pytest.raises(UnknownTerm) as e:
        resolve(G, "paymnt")
    assert PAY in e.value.suggestions
    assert "paymnt" in str(e.value)
    with pytest.raises(UnknownTerm) as e:
        resolve(G, "zzzz")
    assert e.value.suggestions == []


def test_where_does_payment_card_data_go(G):
    lin = downstream(G, CARD)
    assert lin.root == CARD and lin.direction == "down"
    assert hops(lin, "processed_for")[(CARD, PAY)].status == "stated"
    basis = hops(lin, "based_on")[(PAY, CONTRACT)]
    assert basis.status == "inferred"
    assert any("to provide you with the services you request" in e["quote"] for e in basis.evidence)
    assert all(e.get("note") for e in basis.evidence)
    assert (PAY, PSP) in hops(lin, "disclosed_to")
    transfers = hops(lin, "transferred_to")
    assert {t for (_, t) in transfers} == {"country:US", "country:CN"}
    for code, adequacy in (("US", "partial"), ("CN", "none")):
        t = transfers[(CTRL, f"country:{code}")]
        assert t.attrs["scc"] is True and t.attrs["adequacy"] == adequacy
        assert (f"country:{code}", "safeguard:scc") in hops(lin, "safeguarded_by")
    assert "retention:while-business-need" in lin.reached("retention")


def test_payment_card_rows_are_flat_paths(G):
    rows = downstream(restrict(G, NEW), CARD).to_rows()
    psp = [r for r in rows if r["recipient"] == PSP]
    assert len(psp) == 1
    assert psp[0]["purpose"] == PAY
    assert psp[0]["legal_basis"] == [CONTRACT, "legal_basis:art6-1-f-legitimate-interests"]
    assert psp[0]["country"] == "" and psp[0]["policy_ids"] == [NEW]
    transfers = {r["country"]: r for r in rows if r["country"]}
    assert set(transfers) == {"country:US", "country:CN"}
    assert transfers["country:CN"]["scc"] is True and transfers["country:CN"]["transferred_by"] == CTRL
    assert "safeguard:scc" in transfers["country:US"]["safeguards"]
    labelled = downstream(restrict(G, NEW), CARD).to_rows(labels=True)
    assert {r["country"] for r in labelled} == {"", "United States", "China"}
    assert {r["purpose"] for r in labelled} == {"", "Processing payments and settlement"}


def test_paths_do_not_mix_policy_versions(G):
    whole = downstream(G, CARD).to_rows()
    risk = [r for r in whole if r["recipient"] == "recipient:credit-risk-assessors"]
    assert [r["policy_ids"] for r in risk] == [[NEW]]
    assert "legal_basis:art6-1-a-consent" not in risk[0]["legal_basis"]  # consent for payments is 2018's only
    health = downstream(G, "data_category:user.health_and_medical")
    assert "recipient:business-partners" not in health.reached("recipient")  # support -> partners is 2018, health is 2019
    assert ("data_category:user.health_and_medical", "legal_basis:art9-2-a-explicit-consent") in hops(health, "based_on")


def test_what_does_google_receive_and_does_it_leave_the_eea(G):
    lin = upstream(G, "recipient:google")
    assert "data_category:user.device.ip_address" in lin.reached("data_category")
    assert "purpose:analytics.reporting" in lin.reached("purpose")
    t = hops(lin, "transferred_to")[("recipient:google", "country:US")]
    assert t.attrs["scc"] is False and t.attrs["adequacy"] == "partial"
    assert lin.reached("safeguard") == []  # the SCC sentence covers the controller, not Google
    rows = lin.to_rows()
    assert {r["country"] for r in rows} == {"country:US"}
    assert any(r["data_category"] == "data_category:user.device.ip_address" and r["purpose"] == "purpose:analytics.reporting"
               for r in rows)


def test_upstream_of_a_country_and_a_safeguard(G):
    rows = upstream(G, "country:CN").to_rows()
    assert [(r["data_category"], r["transferred_by"], r["scc"]) for r in rows] == [("all personal data", CTRL, True)]
    scc = upstream(G, "safeguard:scc")
    assert "recipient:google" not in scc.reached("recipient")
    assert {r["country"] for r in scc.to_rows()} == {"country:US", "country:CN"}


def test_subject_view_of_buyers(G):
    v = subject_view(restrict(G, NEW), "data_subject:customer")
    assert v["subject"]["label"] == "Buyers and customers"
    cats = {c["id"] for c in v["categories"]}
    assert {CARD, "data_category:user.financial.bank_account", "data_category:user.contact.address"} <= cats
    assert PAY in {p["id"] for p in v["purposes"]}
    assert PSP in {r["id"] for r in v["recipients"]}
    assert {(t["country"], t["scc"]) for t in v["transfers"] if t["from"] == CTRL} == {("country:US", True), ("country:CN", True)}
    assert {"right:access", "right:erasure", "right:portability"} <= {r["id"] for r in v["rights"]}
    assert "retention:while-business-need" in {r["id"] for r in v["retention"]}
    assert v["controllers"][0]["registration_number"] == "200720572D"
    with pytest.raises(UnknownTerm):
        subject_view(G, "data_subject:nobody")


@pytest.fixture
def seed_db(db_url, seed_path):
    build([seed_path], make_engine(db_url))
    return db_url


def test_cli_lineage_table_json_dot(seed_db):
    runner = CliRunner()
    out = runner.invoke(app, ["lineage", "payment card", "--policy", NEW, "--db", seed_db])
    assert out.exit_code == 0, out.output
    assert "Payment card number (data_category:user.financial.credit_card)" in out.output
    assert "Payment service providers" in out.output and "Contract" in out.output
    assert "United States" in out.output and "China" in out.output and "SCCs" in out.output
    out = runner.invoke(app, ["lineage", "Google", "--up", "--format", "json", "--db", seed_db])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["root"] == "recipient:google" and data["direction"] == "up"
    assert {r["country"] for r in data["rows"]} == {"country:US"}
    out = runner.invoke(app, ["lineage", "card", "--format", "dot", "--org", "alibaba-com", "--db", seed_db])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("digraph") and "Payment card number" in out.output


def test_cli_lineage_unknown_term_is_one_line_with_close_matches(seed_db):
    out = CliRunner().invoke(app, ["lineage", "paymnt", "--db", seed_db])
    assert out.exit_code == 2
    lines = [ln for ln in out.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: nothing in the catalog matches 'paymnt'")
    assert "Processing payments and settlement" in lines[0]
