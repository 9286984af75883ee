"""Ingest: the seed page as scraped becomes two clean policy versions with offsets that hold."""

from __future__ import annotations

import datetime as dt

import pytest

from catalog.ingest.dates import parse_date
from catalog.ingest.documents import read_policy, to_documents
from catalog.ingest.markup import from_html
from catalog.ingest.segment import sentences
from tests.conftest import CORPUS, DEMO


@pytest.fixture(scope="module")
def seed_docs(seed_path):
    return read_policy(seed_path)


def test_seed_splits_into_two_dated_versions(seed_docs):
    assert [d.id for d in seed_docs] == ["alibaba-com-2019-01-17", "alibaba-com-2018-05-25"]
    assert [d.effective_date for d in seed_docs] == [dt.date(2019, 1, 17), dt.date(2018, 5, 25)]
    assert {d.title for d in seed_docs} == {"Alibaba.com Privacy Policy"}
    assert {d.publisher for d in seed_docs} == {"Alibaba.com"}
    assert all(d.source.endswith("000_1847cb862053c11f.txt") for d in seed_docs)


def test_demo_copy_is_the_seed(seed_path):
    assert DEMO.read_bytes() == seed_path.read_bytes()


def test_navigation_and_footer_are_dropped(seed_docs):
    new, old = seed_docs
    for d in seed_docs:
        for chrome in ("Sign In | Join Free", "Manage Buying Requests", "Rules Center", "All rights reserved",
                       "Browse Alphabetically", "Free APP", "icburule"):
            assert chrome not in d.text, chrome
    # Part B ends with its contact section: the repeated bullets after it are scrape artefacts
    assert old.text.rstrip().endswith("DataProtection@service.alibaba.com (for Alibaba.com users).")
    assert "setting up / administering user accounts" not in old.text
    assert "PART B" not in new.text and "PART A" not in old.text


def test_sections_form_a_heading_tree(seed_docs):
    new, old = seed_docs
    titles = [s.title for s in new.sections]
    assert "G. VISITORS FROM THE EUROPEAN UNION > International transfers of personal information" in titles
    assert "D. RETENTION" in titles
    assert "F. MINORS" in [s.title for s in old.sections]
    assert "F. MINORS" not in titles
    for s in new.sections:
        assert new.text[s.start:].lstrip("#").strip().startswith(s.path[-1])


def test_unit_offsets_index_the_normalised_text(seed_docs):
    for d in seed_docs:
        assert d.units
        for u in d.units:
            quote = d.text[u.start:u.end]
            assert quote == quote.strip() and quote
        assert d.content_hash and len(d.content_hash) == 64


def test_list_items_remember_their_lead_in(seed_docs):
    new = seed_docs[0]
    item = next(u for u in new.units if new.text[u.start:u.end].startswith("verifying your identity and conducting"))
    assert item.kind == "item"
    lead = new.units[item.lead_in]
    assert new.text[lead.start:lead.end] == "We collect and use your personal information for the following purposes:"


def test_sentence_splitting_keeps_abbreviations():
    text = "We use Google, Inc. for analytics, e.g. page views. Then we stop. Reg. No. 200720572D is ours."
    spans = sentences(text)
    assert [text[a:b] for a, b in spans] == [
        "We use Google, Inc. for analytics, e.g. page views.", "Then we stop.", "Reg. No. 200720572D is ours."]


@pytest.mark.parametrize("raw, expected", [
    ("January 17,2019", dt.date(2019, 1, 17)),
    ("May 25, 2018", dt.date(2018, 5, 25)),
    ("6 May 2026", dt.date(2026, 5, 6)),
    ("Aug 12, 2026)", dt.date(2026, 8, 12)),
    ("August 2026", dt.date(2026, 8, 1)),
    ("2024-08-28", dt.date(2024, 8, 28)),
    ("no date here", None),
])
def test_parse_date(raw, expected):
    assert parse_date(raw) == expected


def test_html_keeps_headings_and_drops_chrome():
    html = """<html><head><script>var x=1;</script><style>p{}</style></head><body>
    <nav><a href='/'>Home</a> | <a>Login</a></nav>
    <main><h1>Acme Privacy Policy</h1><p>Last updated: 3 March 2024</p>
    <h2>What we collect</h2><ul><li>Your email address and phone number.</li><li>Your IP address.</li></ul>
    <h2>Transfers</h2><p>We transfer data to the United States under standard contractual clauses.</p>
    <table><tr><th>Cookie</th><th>Provider</th></tr><tr><td>_ga</td><td>Google</td></tr></table></main>
    <footer>© 2024 Acme. All rights reserved.</footer></body></html>"""
    text = from_html(html)
    assert "# Acme Privacy Policy" in text and "## What we collect" in text
    assert "- Your email address and phone number." in text
    assert "Home" not in text and "var x" not in text and "All rights reserved" not in text
    docs = to_documents(html, "acme.html", "html")
    assert len(docs) == 1
    d = docs[0]
    assert (d.id, d.publisher, d.effective_date) == ("acme-2024-03-03", "Acme", dt.date(2024, 3, 3))
    assert [s.title for s in d.sections] == ["Acme Privacy Policy", "Acme Privacy Policy > What we collect",
                                             "Acme Privacy Policy > Transfers"]


@pytest.mark.parametrize("name, publisher, date", [
    ("alibaba-history/alibaba.com-privacy-2024-08-29.md", "Alibaba.com", dt.date(2024, 8, 28)),
    ("alibaba-history/alibaba.com-privacy-2026-08-20.md", "Alibaba.com", dt.date(2026, 8, 12)),
    ("other/PayPal.privacy.md", "PayPal", dt.date(2026, 5, 6)),
    ("other/Booking_com.privacy.md", "Booking.com", dt.date(2026, 8, 1)),
    ("other/WeTransfer.privacy.md", "WeTransfer", dt.date(2026, 8, 1)),
])
def test_corpus_metadata(name, publisher, date):
    docs = read_policy(CORPUS / name)
    assert docs[0].publisher == publisher
    assert docs[0].effective_date == date


def test_history_page_with_two_versions_splits():
    docs = read_policy(CORPUS / "alibaba-history/alibaba.com-privacy-2020-02-28.md")
    assert [d.id for d in docs] == ["alibaba-com-2020-02-27", "alibaba-com-2019-01-17"]


def test_ingest_is_deterministic(seed_path):
    a, b = read_policy(seed_path), read_policy(seed_path)
    assert a == b
