"""ROPA rows on the seed: ICO column order, the payment processing activity cell by cell, provenance, the controller block."""

from __future__ import annotations

import json

import pytest

from catalog.export.catalog_json import to_json
from catalog.graph.build import restrict
from catalog.export.ropa import ropa_rows
from catalog.export.ropa_cells import NO_SPECIAL_CATEGORY, business_function
from catalog.export.ropa_columns import (
    ART6, ART9, BUSINESS_FUNCTION, COUNTRIES, DATA, INDIVIDUALS, JOINT_CONTROLLER, LEGITIMATE_INTERESTS, NOT_STATED,
    RECIPIENTS, RETENTION, RIGHTS, ROPA_COLUMNS, SAFEGUARDS,
)
from catalog.export.ropa_controller import controller_details

NEW, OLD = "alibaba-com-2019-01-17", "alibaba-com-2018-05-25"
PAY = "purpose:essential.service.payment_processing"
SUPPORT = "purpose:essential.service.operations.support"


@pytest.fixture(scope="module")
def G(seed_graph):
    return seed_graph


@pytest.fixture(scope="module")
def new_rows(G):
    return {r["purpose_id"]: r for r in ropa_rows(restrict(G, NEW))}


def test_columns_follow_the_ico_controller_template():
    assert ROPA_COLUMNS[:6] == ("Business function", "Purpose of processing",
                                "Name and contact details of joint controller (if applicable)", "Categories of individuals",
                                "Categories of personal data", "Categories of recipients")
    assert ROPA_COLUMNS.index("Retention schedule (if possible)") == 9
    assert ROPA_COLUMNS.index("Article 6 lawful basis for processing personal data") == 11
    assert ROPA_COLUMNS.index("Article 9 condition for processing special category data") == 12
    assert ROPA_COLUMNS[-1] == "Data Protection Impact Assessment required?"
    assert len(ROPA_COLUMNS) == len(set(ROPA_COLUMNS)) == 21


def test_one_row_per_purpose(G, new_rows):
    purposes = {n for n, k in restrict(G, NEW).nodes(data="kind") if k == "purpose"}
    assert set(new_rows) == purposes and len(new_rows) == 27


def test_payment_processing_row_cell_by_cell(new_rows):
    r = new_rows[PAY]
    assert r["Purpose of processing"] == "Processing payments and settlement"
    assert r[BUSINESS_FUNCTION] == "Finance / Payments"
    assert r["data_use"] == "essential.service.payment_processing" and r["policy_ids"] == [NEW]
    assert r[DATA] == "Bank account number; Payment and financial information; Payment card number; Postal address"
    assert r[INDIVIDUALS] == "Buyers and customers; Representatives and employees of business users; Sellers and suppliers"
    assert r[RECIPIENTS] == "Credit risk assessment providers; Payment service providers"
    assert r[COUNTRIES] == "China; United States"
    assert r[SAFEGUARDS] == (
        "China: Appropriate safeguards (unspecified), Standard Contractual Clauses (Art. 46(2)(c)); "
        "United States: Appropriate safeguards (unspecified), Standard Contractual Clauses (Art. 46(2)(c)), "
        "adequacy decision (partial)")
    assert r[ART6] == "Contract (Art. 6(1)(b)); Legitimate interests (Art. 6(1)(f))"
    assert r[ART9] == NO_SPECIAL_CATEGORY
    # the interest pursued, quoted from the sentence the LI basis is read from
    assert "this interest will normally be to operate our Platform and services" in r[LEGITIMATE_INTERESTS]
    assert "Deleted or anonymised when no longer needed (all personal data)" in r[RETENTION]
    assert "Right of access (Art. 15)" in r[RIGHTS] and "Right to erasure (Art. 17)" in r[RIGHTS]
    assert r[JOINT_CONTROLLER] == NOT_STATED
    assert all(r[c] for c in ROPA_COLUMNS)  # a gap reads "Not stated in the policy", never blank


def test_provenance_says_which_cells_are_inferred(new_rows):
    p = new_rows[PAY]["provenance"]
    assert p[ART6]["status"] == "inferred" and p[ART6]["policy_ids"] == [NEW]
    assert p[DATA]["status"] == "stated"
    assert p[BUSINESS_FUNCTION]["status"] == "derived" and p[ART9]["status"] == "not applicable"
    assert {"text": "Payment card number", "status": "stated", "policy_ids": [NEW],
            "facts": ["data_category:user.financial.credit_card"]} in p[DATA]["items"]
    assert p[JOINT_CONTROLLER] == {"status": "not stated", "policy_ids": [], "items": []}


def test_special_category_data_brings_its_art9_condition(new_rows):
    r = new_rows[SUPPORT]
    assert "Health data (special category)" in r[DATA]
    assert r[ART9] == "Explicit consent (Art. 9(2)(a)) for Health data"


def test_analytics_without_a_basis_shows_the_gap(new_rows):
    r = new_rows["purpose:analytics.reporting"]
    assert r[ART6] == NOT_STATED and r[LEGITIMATE_INTERESTS] == NOT_STATED
    assert "United States (via Google)" in r[COUNTRIES]  # Google's own transfer, besides the controller's
    assert "United States (via Google): adequacy decision (partial)" in r[SAFEGUARDS]


def test_both_versions_merge_and_mark_what_only_one_states(G):
    r = {r["purpose_id"]: r for r in ropa_rows(G)}[PAY]
    assert r["policy_ids"] == [OLD, NEW]
    assert "Payment service providers;" in r[RECIPIENTS]  # both versions: no suffix
    assert f"Credit risk assessment providers [{NEW}]" in r[RECIPIENTS]
    assert f"Business partners [{OLD}]" in r[RECIPIENTS]


def test_controller_block(G):
    c = controller_details(restrict(G, NEW))
    assert (c["legal_name"], c["registration_number"], c["contact_email"], c["country"]) == (
        "Alibaba.com Singapore E-Commerce Private Limited", "200720572D", "DataProtection@service.alibaba.com",
        "Singapore (SG)")
    assert c["dpo"] == NOT_STATED and c["representative"] == NOT_STATED
    # over both versions the newest version's contact wins (the 2018 one named the AliExpress address first)
    assert controller_details(G)["contact_email"] == "DataProtection@service.alibaba.com"
    assert controller_details(G)["policy_ids"] == [OLD, NEW]


def test_business_function_is_data():
    assert business_function("essential.service.payment_processing") == "Finance / Payments"
    assert business_function("marketing.communications.email") == "Marketing / Direct marketing"
    assert business_function("essential.legal_obligation", "essential.service.kyc_aml") == "Compliance / KYC and AML"
    assert business_function("no.such.use") == "General operations"


def test_json_export_carries_the_rows(G):
    H = restrict(G, NEW)
    data = json.loads(json.dumps(to_json(H), default=str))
    rows = {r["purpose_id"]: r for r in data["processing_activities"]}
    assert rows[PAY][DATA] == "Bank account number; Payment and financial information; Payment card number; Postal address"
    assert len(rows) == 27


def test_one_organisation_however_its_publisher_is_spelled(G):
    H = G.copy()
    H.graph["policies"] = {k: dict(v) for k, v in G.graph["policies"].items()}
    H.graph["policies"][OLD]["publisher"] = "alibaba.com"  # as the 2021 versions spell it
    rows = ropa_rows(H)
    assert len(rows) == len(ropa_rows(G)) == len({r["purpose_id"] for r in rows})
    pay = next(r for r in rows if r["purpose_id"] == PAY)
    assert pay["organisation"] == "alibaba-com" and pay["policy_ids"] == [OLD, NEW]
    assert pay["controller"] == G.graph["policies"][NEW]["publisher"]  # the newest spelling
