"""Extraction on the seed: the facts the issue names, each with evidence that points into the text."""

from __future__ import annotations

import pytest

from catalog.extract import extract
from catalog.ingest.documents import read_policy
from catalog.records import Kind, Relation, Status
from tests.conftest import assert_evidence_holds


@pytest.fixture(scope="module")
def seed(seed_path):
    new, old = read_policy(seed_path)
    return extract(new), extract(old)


def facts(x, kind):
    return {f.ident: f for f in x.facts if f.kind is kind}


def links(x, relation=None):
    return {(l.source, l.target): l for l in x.links if relation is None or l.relation is relation}


def test_every_fact_and_link_has_evidence_that_holds(seed):
    for x in seed:
        assert x.facts and x.links
        assert_evidence_holds(x)


def test_controller_with_registration_number_and_contact(seed):
    new, old = seed
    c = facts(new, Kind.CONTROLLER)["alibaba-com-singapore-e-commerce-private-limited"]
    assert c.label == "Alibaba.com Singapore E-Commerce Private Limited"
    assert c.attrs["registration_number"] == "200720572D"
    assert c.attrs["country"] == "SG"
    assert c.attrs["contact_email"] == "DataProtection@service.alibaba.com"
    emails = {x["email"] for x in facts(old, Kind.CONTROLLER)["alibaba-com-singapore-e-commerce-private-limited"].attrs["contacts"]}
    assert emails == {"DataProtection.AE@aliexpress.com", "DataProtection@service.alibaba.com"}


def test_payment_data_settles_payments_and_goes_to_payment_service_providers(seed):
    new, _ = seed
    processed = links(new, Relation.PROCESSED_FOR)
    disclosed = links(new, Relation.DISCLOSED_TO)
    pay = "purpose:essential.service.payment_processing"
    psp = "recipient:payment-service-providers"
    for cat in ("data_category:user.financial.credit_card", "data_category:user.financial.bank_account"):
        assert processed[(cat, pay)].status is Status.STATED
        assert "credit/debit card numbers" in processed[(cat, pay)].evidence[0].quote
    assert (pay, psp) in disclosed
    assert "payment service providers" in disclosed[(pay, psp)].evidence[0].quote


def test_transfers_to_us_and_china_under_sccs(seed):
    for x in seed:
        transfers = links(x, Relation.TRANSFERRED_TO)
        ctrl = "controller:alibaba-com-singapore-e-commerce-private-limited"
        for code in ("US", "CN"):
            t = transfers[(ctrl, f"country:{code}")]
            assert t.attrs["scc"] is True and "scc" in t.attrs["safeguards"]
            assert t.attrs["third_country"] is True
        assert facts(x, Kind.SAFEGUARD)["scc"].key == "SCCs"


def test_google_receives_data_that_goes_to_the_united_states(seed):
    new, _ = seed
    google = facts(new, Kind.RECIPIENT)["google"]
    assert google.attrs["type"] == "named" and google.attrs["home_country"] == "US"
    t = links(new, Relation.TRANSFERRED_TO)[("recipient:google", "country:US")]
    assert t.status is Status.STATED
    assert "stored by Google on servers in the United States" in t.evidence[0].quote
    assert t.attrs["scc"] is False  # the SCC sentence covers the controller's transfers, not Google's


def test_health_data_is_special_category_with_explicit_consent(seed):
    new, old = seed
    health = facts(new, Kind.DATA_CATEGORY)["user.health_and_medical"]
    assert health.attrs["special_category"] is True
    assert health.key == "user.health_and_medical"
    based = links(new, Relation.BASED_ON)
    assert ("data_category:user.health_and_medical", "legal_basis:art9-2-a-explicit-consent") in based
    assert "user.health_and_medical" not in facts(old, Kind.DATA_CATEGORY)


def test_the_four_art6_bases(seed):
    new, _ = seed
    keys = {f.key for f in facts(new, Kind.LEGAL_BASIS).values()}
    assert {"Consent", "Contract", "Legal obligations", "Legitimate interests"} <= keys


def test_purpose_inherits_contract_through_the_policy_example(seed):
    new, _ = seed
    based = links(new, Relation.BASED_ON)
    link = based[("purpose:essential.service.payment_processing", "legal_basis:art6-1-b-contract")]
    assert link.status is Status.INFERRED
    assert any("to provide you with the services you request" in e.quote for e in link.evidence)
    assert all(e.note for e in link.evidence)


def test_version_differences(seed):
    new, old = seed
    assert "vkontakte" in facts(old, Kind.RECIPIENT) and "vkontakte" not in facts(new, Kind.RECIPIENT)
    assert "warranty-service-providers" in facts(old, Kind.RECIPIENT)
    assert "warranty-service-providers" not in facts(new, Kind.RECIPIENT)
    assert "essential.service.operations.customs_clearance" in facts(new, Kind.PURPOSE)
    assert "rating-review-providers" in facts(new, Kind.RECIPIENT)
    assert "essential.service.kyc_aml" in facts(new, Kind.PURPOSE)
    assert "essential.service.kyc_aml" not in facts(old, Kind.PURPOSE)
    for cat in ("user.demographic.marital_status", "user.demographic.gender", "user.financial.income"):
        assert cat in facts(old, Kind.DATA_CATEGORY) and cat not in facts(new, Kind.DATA_CATEGORY)


def test_named_advertising_platforms_and_their_home_countries(seed):
    new, _ = seed
    rec = facts(new, Kind.RECIPIENT)
    assert {r: rec[r].attrs["home_country"] for r in ("criteo", "yandex", "mail-ru", "meta", "twitter")} == {
        "criteo": "FR", "yandex": "RU", "mail-ru": "RU", "meta": "US", "twitter": "US"}
    set_by = links(new, Relation.SET_BY)
    assert ("cookie:marketing", "recipient:yandex") in set_by
    assert set_by[("cookie:marketing", "recipient:yandex")].status is Status.INFERRED


def test_rights_cookies_retention(seed):
    new, old = seed
    assert {"access", "rectification", "erasure", "objection", "restriction", "portability", "withdraw-consent",
            "complaint"} <= set(facts(new, Kind.RIGHT))
    assert {"essential", "analytics", "functional", "marketing"} <= set(facts(new, Kind.COOKIE))
    names = {f.label for f in old.facts if f.kind is Kind.COOKIE and f.attrs.get("cookie_name")}
    assert {"_ga", "_gat", "_utmz", "ali_beacon_id", "cna", "isg", "intl_locale"} <= names
    ga = facts(old, Kind.COOKIE)["name:_ga"]
    assert ("cookie:name:_ga", "recipient:google") in links(old, Relation.SET_BY)
    assert ga.attrs["provider"] == "Google, Inc."
    ret = facts(new, Kind.RETENTION)
    assert ret["while-business-need"].attrs["scope"] == "all personal data"


def test_data_subjects_map_to_fideslang(seed):
    new, _ = seed
    subj = facts(new, Kind.DATA_SUBJECT)
    assert subj["customer"].key == "customer" and subj["supplier_vendor"].key == "supplier_vendor"
    assert {"visitor", "influencer", "end_user"} <= set(subj)
    assert ("data_subject:end_user", "data_category:user.health_and_medical") in links(new, Relation.PROVIDES)


def test_extraction_is_deterministic(seed_path):
    a = [extract(d) for d in read_policy(seed_path)]
    b = [extract(d) for d in read_policy(seed_path)]
    assert a == b


def test_an_item_naming_its_own_subjects_is_not_about_the_lead_in(seed):
    new, _ = seed
    providers = {s for (s, t) in links(new, Relation.PROVIDES) if t == "data_category:user.health_and_medical"}
    # "If you are a representative or employee of any Buyer or Seller ...:" introduces the list, but the
    # item says the health data is of end-users (which may include minors)
    assert providers == {"data_subject:end_user", "data_subject:minor"}
