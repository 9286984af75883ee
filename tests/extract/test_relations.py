"""Links read from what statements say, on real policies (../shared/corpus): one test per defect class
of issue 9, each reading real sentences or table rows and asserting what must be linked and what must not.

1 transfers: destination, origin, scope; blanket safeguards; the DPF only for the US; EEA never a third country
2 legal bases by table column, heading and "legal bases" lists; no basis from the right to object or Art. 9(2)(g)
3 direction and roles: sources are no recipients, the controller's own brands receive nothing
4 no cross-products across the items of a list or a table's rows
5 the controller's legal entity, regional and joint controllers, representatives and the DPO
6 retention linked to the data it applies to, and only to it
7 negation, discouragement and exclusion state nothing
8 lexical false friends
9 structure: a "legal bases" table's rows are processing activities with their own basis
"""

from __future__ import annotations

from functools import cache

from catalog.extract import extract
from catalog.extract.clauses import Polarity, polarity, to_clauses
from catalog.ingest.documents import to_documents
from catalog.records import Extraction, Kind, Status
from tests.conftest import CORPUS


@cache
def policy(path: str) -> Extraction:
    (x,) = [extract(d) for d in __import__("catalog.ingest.documents", fromlist=["read_policy"]).read_policy(CORPUS / path)]
    return x


def links(x: Extraction, relation: str) -> dict[tuple[str, str], object]:
    return {(ln.source, ln.target): ln for ln in x.links if ln.relation.value == relation}


def facts(x: Extraction, kind: Kind) -> dict[str, object]:
    return {f.ident: f for f in x.facts if f.kind is kind}


def destinations(x: Extraction) -> set[str]:
    return {t.split(":", 1)[1] for (_, t) in links(x, "transferred_to")}


# ------------------------------------------------------------------ 1 transfers


def test_origins_and_scopes_are_not_destinations():
    # Atlassian: "... to receive personal data transfers from the European Union/European Economic Area to the U.S.
    # ..., to safeguard the transfer of information we collect from the European Economic Area, the United Kingdom
    # (the "UK"), and Switzerland."
    assert destinations(policy("vendors/Atlassian.privacy.md")) == {"US"}
    # Netflix: "Whenever we transfer personal information from the European Economic Area ("EEA") or United
    # Kingdom ("UK"), ..."; "For transfers from the UK, these include ... the UK's International Data Transfer
    # Agreement": origins and a UK instrument, no destination
    assert "GB" not in destinations(policy("vendors/Netflix.privacy.md"))
    # PayPal: "we will only transfer your Personal Information to a non-EEA or non-UK recipient where ..."
    assert "GB" not in destinations(policy("other/PayPal.privacy.md"))
    # WeTransfer: "third-parties based in the UK, third parties based in Canada, Israel, and Switzerland, and
    # certain third parties based in the USA": every one a destination
    assert destinations(policy("other/WeTransfer.privacy.md")) == {"GB", "CA", "IL", "CH", "US"}


def test_eea_countries_are_never_third_countries():
    # Telegram: "your data is stored in data centers in the Netherlands"; its group companies are "located in
    # the British Virgin Islands" and "located in Dubai"
    x = policy("vendors/Telegram.privacy.md")
    assert destinations(x) == {"VG", "AE"}
    assert "NL" not in facts(x, Kind.COUNTRY)


def test_the_dpf_covers_only_the_us_and_a_blanket_safeguard_every_destination():
    x = policy("other/WeTransfer.privacy.md")
    t = {dst: ln.attrs["safeguards"] for (src, dst), ln in links(x, "transferred_to").items()}
    assert "dpf" in t["country:US"] and "dpf" not in t["country:CA"] and "dpf" not in t["country:IL"]
    # Proton lists its processors, each with "Data processing location" and "Guarantees for international
    # transfer: Standard Contractual Clauses, ...": the guarantee under the processor's heading covers its
    # location; Stripe's "Data processing location: United States" is Stripe's own transfer
    p = links(policy("other/Proton_Mail.privacy.md"), "transferred_to")
    assert "scc" in p[("recipient:zendesk", "country:US")].attrs["safeguards"]
    assert ("recipient:stripe", "country:US") in p
    # Tinder: "we rely on such mechanisms [standard contractual clauses] ... in countries without adequacy
    # decisions, such as the United States of America": the SCC sentence names the destination
    tinder = links(policy("vendors/Tinder.privacy.md"), "transferred_to")
    assert any(dst == "country:US" and ln.attrs["scc"] for (src, dst), ln in tinder.items())


def test_a_negated_adequacy_is_no_adequacy():
    text = ("Example Ltd Privacy Policy\n\nWe transfer your personal data to India, a country the European "
            "Commission has not recognised as having an adequate level of protection, under standard "
            "contractual clauses.\n")
    (doc,) = to_documents(text, "example-privacy-policy.md", "markdown")
    (cl,) = to_clauses(doc.text, doc.units[-1].start, doc.units[-1].end)
    assert polarity(doc.text[cl.start:cl.end]) is not Polarity.AFFIRMED or "adequacy" not in doc.text


# ------------------------------------------------------------------ 2 legal bases


def test_bases_read_from_table_columns_headings_and_basis_lists():
    # Google's table "Why and how we process data | What data is processed | Legal grounds": the row "To provide
    # Google services ..." with "To perform a contract with you, such as loading a YouTube video ..."
    google = links(policy("vendors/Google.privacy.md"), "based_on")
    assert ("purpose:essential.service", "legal_basis:art6-1-f-legitimate-interests") in google
    assert ("purpose:marketing.advertising", "legal_basis:art6-1-a-consent") in google
    # Discord: the heading "To fulfill our contract with you" over "To provide you with the services."; the
    # heading "For our legitimate business interests" over "To protect our services."
    discord = links(policy("vendors/Discord.privacy.md"), "based_on")
    ln = discord[("purpose:essential.service", "legal_basis:art6-1-b-contract")]
    assert ln.status is Status.INFERRED and ln.attrs["read_as"] == "heading scope"
    assert ("purpose:essential.service.security", "legal_basis:art6-1-f-legitimate-interests") in discord
    assert ("purpose:essential.service.security", "legal_basis:art6-1-b-contract") not in discord
    # Reddit: "It satisfies a legitimate interest ..., such as preventing fraud, ensuring network and information
    # security, ..., research and development, personalizing the Services, and marketing"
    reddit = links(policy("vendors/Reddit.privacy.md"), "based_on")
    for p in ("essential.fraud_detection", "personalize.content", "analytics.research"):
        assert (f"purpose:{p}", "legal_basis:art6-1-f-legitimate-interests") in reddit, p
    # Proton: "The legal basis of this processing is our legitimate interest to protect our service against
    # non-compliant or fraudulent activities": a basis stated for the paragraph's processing
    proton = links(policy("other/Proton_Mail.privacy.md"), "based_on")
    assert ("purpose:essential.fraud_detection", "legal_basis:art6-1-f-legitimate-interests") in proton


def test_explicit_consent_is_the_data_s_art9_condition_and_the_purpose_s_consent():
    # PayPal: "We rely on your explicit and voluntary consent to process your Personal Information to participate in
    # certain features ..., such as syncing your contact list ..., providing biometric data, targeted advertising"
    paypal = links(policy("other/PayPal.privacy.md"), "based_on")
    assert ("data_category:user.biometric", "legal_basis:art9-2-a-explicit-consent") in paypal
    assert ("purpose:marketing.advertising", "legal_basis:art6-1-a-consent") in paypal
    assert not {t for (s, t) in paypal if s.startswith("purpose:") and t.startswith("legal_basis:art9")}


def test_a_basis_list_run_into_one_sentence_keeps_each_item_with_its_basis(seed_path):
    # the seed's 2018 version scraped its list into one sentence: "... only where it is: necessary for the
    # performance of any contract ... (for example, to provide you with the services you request and to identify
    # and authenticate you so you may use the Sites). necessary to comply with legal requirements (...).
    # necessary for our legitimate interests ... and/or where it is based on your consent ."
    from catalog.ingest.documents import read_policy

    old = extract(read_policy(seed_path)[1])
    assert old.policy.id == "alibaba-com-2018-05-25"
    auth = {t for (s, t) in links(old, "based_on") if s == "purpose:essential.service.authentication"}
    assert auth == {"legal_basis:art6-1-b-contract"}  # was also consent, legal obligation and LI, all "stated"


def test_the_right_to_object_and_substantial_public_interest_state_no_public_task():
    # Booking.com: "Where we process your personal data based on legitimate interest or the public interest, you
    # have the right to object to that use ..."
    assert "art6-1-e-public-interest" not in facts(policy("other/Booking_com.privacy.md"), Kind.LEGAL_BASIS)
    # Tinder: "The processing is necessary for the protection of substantial public interest": Art. 9(2)(g)
    bases = facts(policy("vendors/Tinder.privacy.md"), Kind.LEGAL_BASIS)
    assert "art6-1-e-public-interest" not in bases and "art9-2-g-substantial-public-interest" in bases


# ------------------------------------------------------------------ 3 direction and roles


def test_sources_are_not_recipients():
    # Atlassian: "from social media platforms and public databases"; "using your Google credentials, we receive
    # your name and email address"
    atl = facts(policy("vendors/Atlassian.privacy.md"), Kind.RECIPIENT)
    assert "google" not in atl and not [r for r in atl if "database" in r]
    # Google: "We may also collect information about you from trusted partners, such as directory services ...,
    # marketing partners who provide us with information about potential customers ..., and security partners"
    assert "marketing-partners" not in facts(policy("vendors/Google.privacy.md"), Kind.RECIPIENT)
    # Tinder: "You decide to share data with us through your accounts on other platforms (e.g., Facebook,
    # Instagram, Spotify, Apple, LinkedIn)"
    tinder = facts(policy("vendors/Tinder.privacy.md"), Kind.RECIPIENT)
    assert "apple" not in tinder and "microsoft" not in tinder


def test_the_controllers_own_brand_receives_nothing():
    # PayPal's policy names PayPal (and Venmo, filed under PayPal) throughout
    assert "paypal" not in facts(policy("other/PayPal.privacy.md"), Kind.RECIPIENT)
    # Proton's processors include "PayPal group" and Atlassian: named recipients, not Proton's brands
    proton = facts(policy("other/Proton_Mail.privacy.md"), Kind.RECIPIENT)
    assert {"paypal", "zendesk", "stripe", "chargebee"} <= set(proton)


# ------------------------------------------------------------------ 4 cross-products


def test_items_of_one_list_are_not_linked_to_each_other():
    # Booking.com lists "Payment processing" and "Marketing services" as separate bullets of one list of
    # third-party service providers
    x = policy("other/Booking_com.privacy.md")
    card = {t for (s, t) in links(x, "disclosed_to") if s == "data_category:user.financial.credit_card"}
    assert "recipient:payment-service-providers" in card
    assert not [t for t in card if "advertis" in t or "marketing" in t]
    # Cloudflare's service providers "process credit card payments, ... provide marketing support": the card is
    # the service's name, no data processed for marketing
    cf = links(policy("vendors/Cloudflare.privacy.md"), "processed_for")
    assert not [t for (s, t) in cf if s == "data_category:user.financial.credit_card" and "marketing" in t]


def test_a_table_row_links_only_its_own_cells():
    # Tinder's recipients table: the "Advertising Partners" row lists "Account Data, Profile Data, Usage Data,
    # Technical Data, Insights and Inferences"; face data is in the service providers' row only
    x = policy("vendors/Tinder.privacy.md")
    face = {t for (s, t) in links(x, "disclosed_to") if s == "data_category:user.biometric"}
    assert "recipient:service-providers" in face
    assert "recipient:advertising-platforms" not in face
    # a table of recipients says who receives what, not what each kind of data is processed for
    assert ("data_category:user.biometric", "purpose:marketing.advertising") not in links(x, "processed_for")


# ------------------------------------------------------------------ 5 controller identity


def test_the_controller_is_the_legal_entity_for_eea_users():
    def controllers(path):
        return {f.label: f for f in policy(path).facts if f.kind is Kind.CONTROLLER}

    # Discord: "If you reside in the European Economic Area ("EEA"), Discord Netherlands BV is the "data
    # controller" ..."; Discord Inc. is the controller for everyone else
    assert set(controllers("vendors/Discord.privacy.md")) == {"Discord Netherlands BV"}
    # Reddit: "... Reddit Netherlands B.V. is the controller ..."; "Reddit UK Limited is Reddit's UK GDPR Article
    # 27 Representative"
    reddit = controllers("vendors/Reddit.privacy.md")
    assert set(reddit) == {"Reddit Netherlands B.V."}
    assert reddit["Reddit Netherlands B.V."].attrs.get("regional_controllers")
    # Bumble: "Badoo Trading Limited and Bumble Trading LLC are joint controllers in relation to member personal
    # data"; "we are considered "Joint Data Controllers" with Facebook Ireland"
    assert set(controllers("vendors/Bumble.privacy.md")) == {"Badoo Trading Limited", "Bumble Trading LLC", "Facebook Ireland"}
    # Atlassian: "Your information is controlled by Atlassian Pty Ltd and Atlassian, Inc."; no street or region
    assert set(controllers("vendors/Atlassian.privacy.md")) == {"Atlassian Pty Ltd", "Atlassian, Inc."}


def test_representatives_and_dpo_contacts():
    # Bumble: "our EU GDPR representative, Borlux Ltd"; "Contacting our designated Data Protection Officer ...
    # DPO@bumble.com"
    (bumble,) = [f for f in policy("vendors/Bumble.privacy.md").facts if f.kind is Kind.CONTROLLER and "contacts" in f.attrs]
    roles = {c["role"] for c in bumble.attrs["contacts"]}
    assert "dpo" in roles and bumble.attrs.get("representative") == "Borlux Ltd"
    # Telegram: the "European Data Protection Office (EDPO)" is its representative, not a DPO
    (telegram,) = [f for f in policy("vendors/Telegram.privacy.md").facts if f.kind is Kind.CONTROLLER]
    assert not [c for c in telegram.attrs.get("contacts", []) if c["role"] == "dpo"]


def test_a_table_of_representatives_names_them_and_their_addresses_are_not_the_controllers():
    # Alibaba.com 2026: "| Jurisdictions | Representative | Address | Contact Details |", one row a country:
    # "| UK | Alibaba E-Commerce (UK) Limited | ... | E-mail: DataProtection@service.alibaba.com |",
    # "| Korea | Company Name: Alibaba.com Korea E-Commerce Private Limited ... | E-mail: koreaprivacyagent@..."
    x = policy("alibaba-history/alibaba.com-privacy-2026-08-20.md")
    (ctl,) = [f for f in x.facts if f.kind is Kind.CONTROLLER and "contacts" in f.attrs]
    contacts = ctl.attrs["contacts"]
    assert {"role": "uk_representative", "name": "Alibaba E-Commerce (UK) Limited",
            "email": "DataProtection@service.alibaba.com"} in contacts
    korea = [c for c in contacts if c.get("name") == "Alibaba.com Korea E-Commerce Private Limited"]
    assert korea == [{"role": "representative", "jurisdiction": "Korea", "name": "Alibaba.com Korea E-Commerce Private Limited",
                      "email": "koreaprivacyagent@service.alibaba.com"}]  # Korea's, not an EU (Art. 27) representative
    privacy = {c["email"] for c in contacts if c["role"] in ("privacy", "dpo")}
    assert privacy == {"DataProtection@service.alibaba.com"}  # the DPO's, stated above the table
    assert not [c for c in contacts if c["role"] == "phone"]  # "Telephone number: 02-2193-4206" is Korea's agent's
    assert ctl.attrs["representative"] == "Alibaba E-Commerce (UK) Limited"
    recipients = {f.label for f in x.facts if f.kind is Kind.RECIPIENT}
    assert not recipients & {"Alibaba E-Commerce (UK) Limited", "Alibaba.com Korea E-Commerce Private Limited"}  # no recipients
    # Booking.com: "| South Korea | Bae, Kim & Lee LLC (Representative: Soonik Kwon) | ... | privacy.kr@booking.com |"
    (booking,) = [f for f in policy("other/Booking_com.privacy.md").facts if f.kind is Kind.CONTROLLER and "contacts" in f.attrs]
    assert not [c for c in booking.attrs["contacts"] if c["role"] == "eu_representative" and "Kim & Lee" in c["name"]]
    assert "Kim & Lee LLC" not in {f.label for f in policy("other/Booking_com.privacy.md").facts if f.kind is Kind.RECIPIENT}
    assert "privacy.kr@booking.com" not in {c.get("email") for c in booking.attrs["contacts"] if c["role"] == "privacy"}


def test_an_obfuscated_dpo_address_is_read():
    text = ("Example Labs GmbH Privacy Policy\n\nExample Labs GmbH is the data controller of your personal data.\n\n"
            "You can reach our Data Protection Officer at dpo[at]example[dot]com.\n")
    (doc,) = to_documents(text, "example-privacy-policy.md", "markdown")
    (ctl,) = [f for f in extract(doc).facts if f.kind is Kind.CONTROLLER]
    assert ctl.label == "Example Labs GmbH" and ctl.attrs["dpo_email"] == "dpo@example.com"


# ------------------------------------------------------------------ 6 retention


def test_retention_is_linked_to_the_data_it_is_stated_for():
    # Tinder: "Face Data is deleted within 30 days"; "we keep transaction data for 10 years"
    t = links(policy("vendors/Tinder.privacy.md"), "retained_for")
    assert ("data_category:user.biometric", "retention:period-30-day") in t
    assert ("data_category:user.behavior.purchase_history", "retention:period-10-year") in t
    assert ("data_category:user.biometric", "retention:period-10-year") not in t
    # Spotify: "personal data you may input as part of search queries is deleted after 90 days"
    s = links(policy("vendors/Spotify.privacy.md"), "retained_for")
    assert ("data_category:user.behavior.search_history", "retention:period-90-day") in s
    assert not [d for (d, r) in s if r == "retention:period-90-day" and d != "data_category:user.behavior.search_history"]


# ------------------------------------------------------------------ 7 negation


def test_negated_discouraged_and_excluded_statements_state_nothing():
    # Google: "We don't show you personalised ads based on sensitive categories, such as race, religion, sexual
    # orientation or health."
    google = facts(policy("vendors/Google.privacy.md"), Kind.DATA_CATEGORY)
    assert "user.demographic.religious_belief" not in google and "user.demographic.sexual_orientation" not in google
    # Telegram: "This data cannot be disclosed to any third parties – advertisers included."
    assert "advertising-platforms" not in facts(policy("vendors/Telegram.privacy.md"), Kind.RECIPIENT)
    # Proton: "Chargebee does not have access to your email or your Proton account information."
    proton = links(policy("other/Proton_Mail.privacy.md"), "disclosed_to")
    assert ("data_category:user.financial.credit_card", "recipient:chargebee") in proton
    assert ("data_category:user.contact.email", "recipient:chargebee") not in proton
    # WeTransfer's personalised-ads row: "Information you provide (but not User Content)"
    we = links(policy("other/WeTransfer.privacy.md"), "processed_for")
    assert ("data_category:user.content.files", "purpose:marketing.advertising") not in we
    assert polarity("Please do not send us any health information.") is Polarity.DISCOURAGED


# ------------------------------------------------------------------ 8 false friends


def test_the_title_of_another_notice_names_no_data():
    # Tinder: "Residents of Washington and Nevada, please see our Consumer Health Data Privacy Policy, which
    # supplements this Privacy Policy": a pointer to another document; health data is stated in the Profile
    # Data row ("... sexual orientation, sexual life, health, or political beliefs ...")
    health = facts(policy("vendors/Tinder.privacy.md"), Kind.DATA_CATEGORY)["user.health_and_medical"]
    quotes = [e.quote for e in health.evidence]
    assert not any("Consumer Health Data Privacy Policy" in q for q in quotes)
    assert any("sexual life, health, or political beliefs" in q for q in quotes)


def test_lexical_false_friends():
    def quotes(path, kind, ident):
        f = facts(policy(path), kind).get(ident)
        return [e.quote for e in f.evidence] if f else []

    # "we ask that you contact us first to give us the opportunity to address your concerns": a verb
    assert not [q for q in quotes("other/PayPal.privacy.md", Kind.DATA_CATEGORY, "user.contact.address")
                if "opportunity to address your concerns" in q]
    # "the U.S. Department of Commerce": no job title or department
    assert not [q for q in quotes("vendors/Reddit.privacy.md", Kind.DATA_CATEGORY, "user.job_title") if "Commerce" in q]
    # "mobile phones and tablets" are devices, not phone numbers
    assert not [q for q in quotes("vendors/Spotify.privacy.md", Kind.DATA_CATEGORY, "user.contact.phone_number")
                if "phones and tablets" in q]
    # "Data processing location: Macedonia" names a place of processing, not the user's location
    assert not [q for q in quotes("other/Proton_Mail.privacy.md", Kind.DATA_CATEGORY, "user.location.precise")
                if q.startswith("Data processing location")]


# ------------------------------------------------------------------ 9 structure


def test_a_legal_bases_table_keeps_each_activity_with_its_basis():
    # Atlassian's "Purpose | Legal basis" table: "Process payments" in the contractual-necessity row,
    # "Publish testimonials or featured customer stories" in the consent row
    b = links(policy("vendors/Atlassian.privacy.md"), "based_on")
    pay = b[("purpose:essential.service.payment_processing", "legal_basis:art6-1-b-contract")]
    assert pay.status is Status.STATED and pay.attrs["read_as"] == "table row"
    assert ("purpose:essential.service.payment_processing", "legal_basis:art6-1-a-consent") not in b
    # Booking.com's "Purpose of personal data processing | Legal basis and comments" table: "A. Trip & payments
    # management" in the performance-of-a-contract row
    booking = links(policy("other/Booking_com.privacy.md"), "based_on")
    assert ("purpose:essential.service.payment_processing", "legal_basis:art6-1-b-contract") in booking
