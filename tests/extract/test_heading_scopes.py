"""Headings that name data after a label ("Personal data: Your image on CCTV") and sub-headings that point
back to it ("How we use this personal data:") scope the purposes, bases and recipients listed under them.

A policy laid out as one section per kind of data, each with its list of uses and lawful bases, states
its links by that structure alone: no sentence under "How we use this personal data:" names the data."""

from __future__ import annotations

from functools import cache

from catalog.extract import extract
from catalog.ingest.documents import read_policy, to_documents
from catalog.records import Extraction, Kind, Status
from tests.conftest import CORPUS

POLICY = """# Example Ltd privacy policy

Example Ltd is the controller of your personal data.

## How we use your personal data

### Personal data: Your image on CCTV

#### How we use this personal data:

1. To ensure the safety and security of our customers and staff.
   **Why we do it (lawful basis)** We have a legitimate interest in protecting our stores from crime.

### Personal data: Your payment card details

#### How we use this personal data:

1. To take payment for your order.

### Personal data: how we keep it safe

#### How we use this personal data:

1. To send you our newsletter.

### Contact details

#### Our offices

1. To answer your questions we run a call centre.
"""


@cache
def example() -> Extraction:
    (doc,) = to_documents(POLICY, "example-privacy-policy.md", "markdown")
    return extract(doc)


def processed_for(x: Extraction) -> dict[tuple[str, str], object]:
    return {(ln.source, ln.target): ln for ln in x.links if ln.relation.value == "processed_for"}


def test_data_named_after_a_data_label_in_a_heading_is_a_fact_quoting_the_heading():
    x = example()
    cctv = next(f for f in x.facts if f.ident == "user.content.cctv")
    assert any(x.policy.text[e.start : e.end] == "Personal data: Your image on CCTV" for e in cctv.evidence)
    assert any(f.kind is Kind.DATA_CATEGORY and f.ident.startswith("user.financial") for f in x.facts)


def test_a_sub_heading_pointing_back_scopes_its_items_with_the_parent_heading_s_data():
    links = processed_for(example())
    ln = links[("data_category:user.content.cctv", "purpose:essential.service.security")]
    assert ln.status is Status.INFERRED and ln.attrs["read_as"] == "heading scope"
    assert any("Personal data: Your image on CCTV" in e.quote for e in ln.evidence)
    assert any(s.startswith("data_category:user.financial") and t == "purpose:essential.service.payment_processing"
               for s, t in links)
    # each section's data goes with its own section's uses only
    assert ("data_category:user.content.cctv", "purpose:essential.service.payment_processing") not in links
    assert not any(s.startswith("data_category:user.financial") and t == "purpose:essential.service.security"
                   for s, t in links)


def test_a_heading_without_a_data_label_or_a_pointer_back_scopes_nothing_new():
    links = processed_for(example())
    # "Personal data: how we keep it safe" names no data: its newsletter is linked to no data
    assert not any(t == "purpose:marketing.communications" for _, t in links)
    # "Contact details" over "Our offices": the sub-heading names nothing but does not point back either
    assert not any(s.startswith("data_category:user.contact") for s, _ in links)


def test_ikea_s_sections_per_kind_of_data_link_each_to_its_uses():
    (doc,) = read_policy(CORPUS / "other" / "Ikea.privacy.md")
    links = processed_for(extract(doc))
    assert ("data_category:user.content.cctv", "purpose:essential.service.security") in links
    assert ("data_category:user.name", "purpose:essential.fraud_detection") in links
    # the CCTV section lists no marketing
    assert ("data_category:user.content.cctv", "purpose:marketing.communications") not in links
