"""Generalisation: extraction on real policies nobody here wrote (../shared/corpus/alibaba-history and
../shared/corpus/other). Each test asserts facts the policy's own text states: its controller, the
countries and safeguards it names for transfers, some data categories, recipients, special categories."""

from __future__ import annotations

from functools import cache

import pytest

from catalog.extract import extract
from catalog.ingest.documents import read_policy
from catalog.records import Extraction, Kind, Relation, Status
from tests.conftest import CORPUS, assert_evidence_holds

OTHER = CORPUS / "other"
HISTORY = CORPUS / "alibaba-history"
ALL_FILES = sorted(OTHER.glob("*.md")) + sorted(HISTORY.glob("*.md"))
ALIBABA_SG = "Alibaba.com Singapore E-Commerce Private Limited"


@cache
def extracted(path: str) -> tuple[Extraction, ...]:
    return tuple(extract(d) for d in read_policy(path))


def one(name: str) -> Extraction:
    (x,) = extracted(str(OTHER / name))
    return x


def facts(x: Extraction, kind: Kind) -> dict:
    return {f.ident: f for f in x.facts if f.kind is kind}


def transfers(x: Extraction) -> dict:
    return {(l.source, l.target): l for l in x.links if l.relation is Relation.TRANSFERRED_TO}


def controller(x: Extraction, legal_name: str):
    found = [f for f in x.facts if f.kind is Kind.CONTROLLER and f.attrs.get("legal_name") == legal_name]
    assert found, sorted(f.label for f in x.facts if f.kind is Kind.CONTROLLER)
    return found[0]


def test_the_corpus_is_there():
    assert len(ALL_FILES) == 10, ALL_FILES


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_fact_and_link_has_evidence_that_holds(path):
    for x in extracted(str(path)):
        assert len(x.facts) > 40 and x.links
        assert_evidence_holds(x)


def test_booking_com():
    x = one("Booking_com.privacy.md")
    c = controller(x, "Booking.com B.V.")
    assert c.attrs["contact_email"] == "dataprotectionoffice@booking.com"
    assert {"scc", "bcr"} <= set(facts(x, Kind.SAFEGUARD))
    # "we transfer your data outside the EEA ... Binding Corporate Rules (BCRs)": the destinations are not
    # named, so there is no destination to count, but the unnamed third countries carry their safeguards
    assert not [t for s, t in transfers(x)]
    assert ("country:ZZ", "safeguard:bcr") in {(l.source, l.target) for l in x.links if l.relation is Relation.SAFEGUARDED_BY}
    assert {"user.name", "user.contact.email", "user.contact.phone_number", "user.financial.credit_card",
            "user.device.ip_address", "user.government_id"} <= set(facts(x, Kind.DATA_CATEGORY))
    assert {"payment-service-providers", "group-companies", "law-enforcement"} <= set(facts(x, Kind.RECIPIENT))
    assert {"Consent", "Contract", "Legal obligations", "Legitimate interests"} <= {
        f.key for f in facts(x, Kind.LEGAL_BASIS).values()}


def test_ikea():
    x = one("Ikea.privacy.md")
    c = controller(x, "IKEA Ireland Limited")
    assert c.attrs["dpo_email"] == "dataprotection.officer.ie@ingka.ikea.com"
    # the regulator's e-mail (info@dataprotection.ie, in the complaints paragraph) is not the controller's
    assert c.attrs["contact_email"] != "info@dataprotection.ie"
    # "to another third country, for example the UK, USA or India"
    for code in ("GB", "US", "IN"):
        assert (c.id, f"country:{code}") in transfers(x)
    assert {"adequacy", "scc"} <= set(facts(x, Kind.SAFEGUARD))
    cats = facts(x, Kind.DATA_CATEGORY)
    # "The categories include information about your health, racial or ethnic origin." defines the special
    # categories (the next sentence says only that IKEA "processes special category data where this is
    # provided by you"): a definition names no data that is processed
    assert "user.demographic.race_ethnicity" not in cats
    assert {"user.name", "user.contact.email", "user.contact.address", "user.financial.bank_account"} <= set(cats)
    assert {"payment-service-providers", "group-companies", "google"} <= set(facts(x, Kind.RECIPIENT))
    # "tagging us in a post on Instagram": IKEA's presence on a platform, no disclosure to it
    assert "meta" not in facts(x, Kind.RECIPIENT) or all(
        "Instagram" not in e.quote for e in facts(x, Kind.RECIPIENT)["meta"].evidence)


def test_paypal():
    x = one("PayPal.privacy.md")
    # "The data controller of your Personal Information is the PayPal entity established in the country or
    # jurisdiction where you reside" + the contact table's EU row; PayPal, Inc. only provides the statement
    c = controller(x, "PayPal (Europe) S.a.r.l. et Cie, S.C.A.")
    assert c.attrs["region"] == "eea"
    assert not [f for f in x.facts if f.kind is Kind.CONTROLLER and f.attrs.get("legal_name") == "PayPal, Inc."]
    # "we use third-party service providers to process and store your Personal Information in the United States"
    assert (c.id, "country:US") in transfers(x)
    assert {"bcr", "scc"} <= set(facts(x, Kind.SAFEGUARD))
    cats = facts(x, Kind.DATA_CATEGORY)
    assert cats["user.biometric"].attrs["special_category"] is True
    assert {"user.financial.bank_account", "user.financial.credit_card", "user.device.ip_address",
            "user.government_id"} <= set(cats)
    recipients = facts(x, Kind.RECIPIENT)
    assert "paypal" not in recipients  # the controller's own brand receives nothing from itself
    assert {"payment-service-providers", "credit-risk-assessors", "law-enforcement"} <= set(recipients)


def test_proton_processors_and_where_they_process():
    x = one("Proton_Mail.privacy.md")
    c = controller(x, "Proton AG")
    assert c.id == "controller:proton-ag"
    t = transfers(x)
    # "Zendesk, Inc." / "- Data processing location: United States" / "- Guarantees ...: Standard Contractual Clauses, Binding Corporate Rules"
    z = t[("recipient:zendesk", "country:US")]
    assert z.status is Status.INFERRED and {"scc", "bcr"} <= set(z.attrs["safeguards"])
    assert ("recipient:stripe", "country:US") in t
    assert {("recipient:paypal", "country:US"), ("recipient:paypal", "country:SG")} <= set(t)
    assert {"scc", "bcr", "adequacy"} <= set(facts(x, Kind.SAFEGUARD))
    assert {"user.contact.email", "user.device.ip_address", "user.financial.credit_card"} <= set(facts(x, Kind.DATA_CATEGORY))


def test_wetransfer():
    x = one("WeTransfer.privacy.md")
    c = controller(x, "WeTransfer B.V.")
    assert c.attrs["contact_email"] == "privacy@wetransfer.com"
    # adequacy for the UK, Canada, Israel, Switzerland; the Data Privacy Framework for the USA; SCCs otherwise
    countries = {t for s, t in transfers(x) if s == c.id}
    assert {"country:GB", "country:CA", "country:IL", "country:CH", "country:US"} <= countries
    assert {"adequacy", "scc", "dpf"} <= set(facts(x, Kind.SAFEGUARD))
    assert "dpf" in transfers(x)[(c.id, "country:US")].attrs["safeguards"]
    assert facts(x, Kind.DATA_CATEGORY)["user.health_and_medical"].attrs["special_category"] is True
    assert {"user.name", "user.contact.email", "user.device.ip_address"} <= set(facts(x, Kind.DATA_CATEGORY))


@pytest.mark.parametrize("path", sorted(HISTORY.glob("*.md")), ids=lambda p: p.name)
def test_alibaba_history_controller_and_transfers(path):
    for x in extracted(str(path)):
        c = controller(x, ALIBABA_SG)
        assert c.attrs["registration_number"] == "200720572D" and c.attrs["country"] == "SG"
        t = transfers(x)
        for code in ("US", "CN"):
            assert (c.id, f"country:{code}") in t, (x.policy.id, code)
        assert "scc" in facts(x, Kind.SAFEGUARD)
        assert {"user.name", "user.contact.email", "user.financial.bank_account"} <= set(facts(x, Kind.DATA_CATEGORY))
        assert {"payment-service-providers", "logistics-partners", "group-companies"} <= set(facts(x, Kind.RECIPIENT))


def test_alibaba_before_2024_transfers_to_us_and_china_under_sccs():
    for name in ("alibaba.com-privacy-2021-12-15.md", "alibaba.com-privacy-2022-03-05.md"):
        (x,) = extracted(str(HISTORY / name))
        c = controller(x, ALIBABA_SG)
        for code in ("US", "CN"):
            assert transfers(x)[(c.id, f"country:{code}")].attrs["scc"] is True
        assert facts(x, Kind.DATA_CATEGORY)["user.health_and_medical"].attrs["special_category"] is True


def test_alibaba_2024_names_both_contracting_entities_and_stores_in_singapore_and_germany():
    (x,) = extracted(str(HISTORY / "alibaba.com-privacy-2024-08-29.md"))
    # users "from Hong Kong ..., Macao ... or Taiwan" contract with the Hong Kong entity, those "from other
    # locations" (EEA users among them) with the Singapore one: the record's controller is Singapore's, and
    # the Hong Kong one is kept as a regional controller, with its quote
    sg = controller(x, ALIBABA_SG)
    assert [r["name"] for r in sg.attrs["regional_controllers"]] == ["Alibaba.com Hong Kong Limited"]
    assert "you are contracting with Alibaba.com Hong Kong Limited" in sg.attrs["regional_controllers"][0]["quote"]
    assert sg.attrs["dpo_email"] == "DataProtection@service.alibaba.com"
    # "stored in Singapore" (a third country); Germany is in the EEA, so storing there is no third-country transfer
    dest = {t for s, t in transfers(x) if s == sg.id}
    assert "country:SG" in dest and "country:DE" not in dest


def test_alibaba_2026_origins_are_not_destinations():
    (x,) = extracted(str(HISTORY / "alibaba.com-privacy-2026-08-20.md"))
    sg = controller(x, ALIBABA_SG)
    assert sg.attrs["dpo_email"] == "DataProtection@service.alibaba.com"  # not '...alibaba.com.Also'
    dest = {t for s, t in transfers(x) if s == sg.id}
    # "For Users located in the European Union, European Economic Area and Switzerland: Germany" (EEA: no
    # third-country transfer)
    assert {"country:SG", "country:US", "country:CN"} <= dest and "country:DE" not in dest
    assert "country:CH" not in dest and "country:GB" not in dest
    assert {"scc", "adequacy"} <= set(facts(x, Kind.SAFEGUARD))
