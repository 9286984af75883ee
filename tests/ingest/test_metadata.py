"""Metadata read from real policies: id, title, organisation and effective date of every version in
../shared/corpus (other/, vendors/, the Alibaba.com history), the date forms policies use, titles that
are questions or scraped page titles, inline HTML out of table rows, and `ropa build --org/--date`."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from typer.testing import CliRunner

from catalog.cli.app import app
from catalog.extract import extract
from catalog.ingest.dates import parse_date, to_day_month
from catalog.ingest.documents import read_policy, to_documents
from catalog.ingest.inline import clean_inline
from catalog.ingest.publisher import to_name
from catalog.ingest.tables import to_cell
from tests.conftest import CORPUS, DEMO, SEED

D = dt.date

# (file, [(id, title, organisation, effective date) of each version, in file order])
EXPECTED = [
    ("other/Booking_com.privacy.md",
     [("booking-com-2026-08-01", "Booking.com Privacy Notice for Travellers", "Booking.com", D(2026, 8, 1))]),
    ("other/Ikea.privacy.md", [("ikea-2026-09-01", "IKEA Privacy policy", "IKEA", D(2026, 9, 1))]),
    ("other/PayPal.privacy.md", [("paypal-2026-05-06", "PayPal Privacy Statement", "PayPal", D(2026, 5, 6))]),
    # Proton, Bumble and Telegram state no effective or last-updated date: the id ends with the text's hash
    ("other/Proton_Mail.privacy.md", [("proton-6f888efe", "Proton Privacy Policy", "Proton", None)]),
    ("other/WeTransfer.privacy.md",
     [("wetransfer-2026-08-01", "WeTransfer Privacy & Cookie Policy", "WeTransfer", D(2026, 8, 1))]),
    ("vendors/Atlassian.privacy.md",
     [("atlassian-2026-08-17", "Atlassian Privacy Policy", "Atlassian", D(2026, 8, 17))]),
    ("vendors/Bumble.privacy.md", [("bumble-343ffa5e", "Bumble Privacy Policy", "Bumble", None)]),
    ("vendors/Cloudflare.privacy.md",
     [("cloudflare-2025-11-04", "Cloudflare Privacy Policy", "Cloudflare", D(2025, 11, 4))]),
    ("vendors/Discord.privacy.md", [("discord-2025-08-29", "Discord Privacy Policy", "Discord", D(2025, 8, 29))]),
    # the first heading is the table of contents ("Contents"), not the title
    ("vendors/Google.privacy.md", [("google-2026-04-02", "Google Privacy Policy", "Google", D(2026, 4, 2))]),
    ("vendors/Netflix.privacy.md",
     [("netflix-2026-04-10", "Netflix Privacy Statement", "Netflix", D(2026, 4, 10))]),
    ("vendors/Reddit.privacy.md", [("reddit-2026-01-06", "Reddit Privacy Policy", "Reddit", D(2026, 1, 6))]),
    ("vendors/Spotify.privacy.md", [("spotify-2026-07-01", "Spotify Privacy Policy", "Spotify", D(2026, 7, 1))]),
    ("vendors/Telegram.privacy.md", [("telegram-6fb77e22", "Telegram Privacy Policy", "Telegram", None)]),
    # "This Privacy Policy applies from April 4, 2026."
    ("vendors/Tinder.privacy.md", [("tinder-2026-04-04", "Tinder Privacy Policy", "Tinder", D(2026, 4, 4))]),
    ("alibaba-history/alibaba.com-privacy-2020-02-28.md",
     [("alibaba-com-2020-02-27", "Alibaba.com Privacy Policy", "Alibaba.com", D(2020, 2, 27)),
      ("alibaba-com-2019-01-17", "Alibaba.com Privacy Policy", "Alibaba.com", D(2019, 1, 17))]),
    ("alibaba-history/alibaba.com-privacy-2021-12-15.md",
     [("alibaba-com-2021-01-16", "Alibaba.com Privacy Policy", "Alibaba.com", D(2021, 1, 16))]),
    ("alibaba-history/alibaba.com-privacy-2022-03-05.md",
     [("alibaba-com-2021-01-16", "Alibaba.com Privacy Policy", "Alibaba.com", D(2021, 1, 16))]),
    ("alibaba-history/alibaba.com-privacy-2024-08-29.md",
     [("alibaba-com-2024-08-28", "Alibaba.com Privacy Policy", "Alibaba.com", D(2024, 8, 28))]),
    ("alibaba-history/alibaba.com-privacy-2026-08-20.md",
     [("alibaba-com-2026-08-12", "Alibaba.com Privacy Policy", "Alibaba.com", D(2026, 8, 12))]),
]


@pytest.mark.parametrize("name, versions", EXPECTED, ids=[n for n, _ in EXPECTED])
def test_corpus_versions_metadata(name, versions):
    docs = read_policy(CORPUS / name)
    assert [(d.id, d.title, d.publisher, d.effective_date) for d in docs] == versions


def test_every_corpus_policy_is_in_the_table():
    listed = {n for n, _ in EXPECTED}
    on_disk = {f"{p.parent.name}/{p.name}" for d in ("other", "vendors", "alibaba-history")
               for p in (CORPUS / d).glob("*.md")}
    assert on_disk == listed


def test_seed_and_demo_keep_their_ids():
    for path in (SEED, DEMO):
        assert [d.id for d in read_policy(path)] == ["alibaba-com-2019-01-17", "alibaba-com-2018-05-25"]


# ---------------------------------------------------------------- date forms

@pytest.mark.parametrize("raw, expected", [
    ("2023-06-21", D(2023, 6, 21)),
    ("June 21, 2023", D(2023, 6, 21)),
    ("21 June 2023", D(2023, 6, 21)),
    ("21st June, 2023", D(2023, 6, 21)),
    ("21.06.2023", D(2023, 6, 21)),
    ("06-21-2023", D(2023, 6, 21)),
    ("06/21/2023", D(2023, 6, 21)),
    ("21/06/2023", D(2023, 6, 21)),  # 21 cannot be a month: the day
    ("21-06-2023", D(2023, 6, 21)),
    ("2023/06/21", D(2023, 6, 21)),
    ("05.06.2023", D(2023, 6, 5)),   # both could be a month: '.' is day first
    ("05/06/2023", D(2023, 5, 6)),   # '/' is month first
    ("05-06-2023", D(2023, 5, 6)),   # '-' is month first
    ("1.2.2023", D(2023, 2, 1)),
    ("31.02.2023", None),            # no such day
    ("Updated 8.4 and 8.5 to reflect", None),  # section numbers, not a date
    ("version 5.5 of the app", None),
    ("1.2.20234", None),
    ("Effective as of 3 March 2024 (03/04/2024)", D(2024, 3, 3)),  # the first date
])
def test_date_forms(raw, expected):
    assert parse_date(raw) == expected


def test_day_month_rule():
    assert to_day_month(21, 6, "-") == (21, 6) and to_day_month(6, 21, ".") == (21, 6)
    assert to_day_month(5, 6, ".") == (5, 6) and to_day_month(5, 6, "/") == (6, 5)


@pytest.mark.parametrize("line, expected", [
    ("Date last updated: 06-21-2023", D(2023, 6, 21)),   # Vinted's form
    ("Last updated: June 21, 2023", D(2023, 6, 21)),
    ("Last modified 21 June 2023", D(2023, 6, 21)),
    ("Effective as of 21.06.2023", D(2023, 6, 21)),
    ("Effective date: 2023-06-21", D(2023, 6, 21)),
    ("**Effective Date:** 06/21/2023", D(2023, 6, 21)),
    ("This Privacy Policy applies from June 21, 2023.", D(2023, 6, 21)),
    ("Last revised on 21/06/2023", D(2023, 6, 21)),
])
def test_effective_date_lines(line, expected):
    text = f"# Acme Privacy Policy\n\n{line}\n\nWe collect your email address to run the service.\n"
    d, = to_documents(text, "acme.md", "markdown")
    assert (d.effective_date, d.id) == (expected, f"acme-{expected.isoformat()}")


def test_body_date_prefers_the_whole_texts_last_updated_line():
    text = ("# Acme Privacy Policy\n\nWe collect your email address.\n\n" + "Filler paragraph.\n\n" * 30
            + "## Acme Club notice\n\nEffective from 16/09/2026\n\nClub members' data.\n\n"
            "This Privacy Notice was last updated on September 2026.\n")
    d, = to_documents(text, "acme.md", "markdown")
    assert d.effective_date == D(2026, 9, 1)


# ---------------------------------------------------------------- organisation and title

# the top of real pages (Open Terms Archive captures), cut short
FACEBOOK = """Privacy Policy
==============

Explore the policy
------------------

[What is the Privacy Policy and what does it cover?
--------------------------------------------------](#1)[What information do we collect?
-------------------------------](#2)

What is the Privacy Policy and what does it cover?
==================================================

Effective June 16, 2025

We at Meta want you to understand what information we collect, and how we use and share it.

This Policy describes the information we, Meta Platforms, Inc., process to provide Meta Products.
"""
VINTED = """Vinted - Data Protection Statement

**Vinted – Privacy Policy**
===========================

_Date last updated: 06-21-2023_

**1\\. General**
===============

This Privacy Policy applies to the online platforms operated by Vinted, UAB, Vilnius, Republic of Lithuania.
"""
BINANCE = """Binance Privacy Notice - Binance
================================

Last Updated: 21 June 2023

This Privacy Notice describes how Binance collects and processes your personal information.
"""


@pytest.mark.parametrize("name, text, expected", [
    ("Facebook.privacy.md", FACEBOOK, ("facebook-2025-06-16", "Facebook Privacy Policy", "Facebook")),
    # the question as the very first heading: still no organisation "What is the"
    ("Facebook.privacy.md", FACEBOOK.split("\n\n", 3)[3],
     ("facebook-2025-06-16", "Facebook Privacy Policy", "Facebook")),
    ("Vinted.privacy.md", VINTED, ("vinted-2023-06-21", "Vinted Privacy Policy", "Vinted")),
    ("Binance.privacy.md", BINANCE, ("binance-2023-06-21", "Binance Privacy Notice", "Binance")),
    ("Spotify.privacy.md", "Privacy Policy | Spotify\n\nEffective as of 21.06.2023\n\nWe collect data.\n",
     ("spotify-2023-06-21", "Spotify Privacy Policy", "Spotify")),
    # a tail that is not the brand stays part of the title
    ("acme.md", "Acme Privacy Notice - California\n\nEffective date: 06/21/2023\n\nWe collect data.\n",
     ("acme-2023-06-21", "Acme Privacy Notice - California", "Acme")),
    ("Pets.privacy.md", "Pets has adopted this Privacy Policy to explain what we collect.\n\nLast updated 2023-06-21\n",
     ("pets-2023-06-21", "Pets Privacy Policy", "Pets")),
])
def test_organisation_and_title(name, text, expected):
    d, = to_documents(text, name, "markdown")
    assert (d.id, d.title, d.publisher) == expected


@pytest.mark.parametrize("lead, name", [
    ("What is the", ""), ("How we use your data in this", ""), ("Hey there! Welcome to Tinder’s", ""),
    ("Pets has adopted this", ""), ("##", ""), ("Our", ""),
    ("Vinted –", "Vinted"), ("Proton’s", "Proton"), ("Bank of America", "Bank of America"), ("IKEA", "IKEA"),
])
def test_to_name(lead, name):
    assert to_name(lead) == name


# ---------------------------------------------------------------- inline HTML out of quotes

BUMBLE_ROW = "| To share Bumble advertisements on third-party networks and measure their effectiveness"


def test_table_row_from_the_corpus_has_no_markup():
    raw = (CORPUS / "vendors/Bumble.privacy.md").read_text(encoding="utf-8")
    line = next(t for t in raw.split("\n") if t.startswith(BUMBLE_ROW))
    assert "*   Gender<br>*   Age<br>" in line and "  <br>We get the other information" in line
    d, = read_policy(CORPUS / "vendors/Bumble.privacy.md")
    start = d.text.index(BUMBLE_ROW)
    row = d.text[start:d.text.index("\n\n", start)]
    assert row.split(" | ")[1] == (
        "• Gender\n• Age\n• Data about your visit to our App or Sites and the actions you take, for example, if you:\n"
        "• downloaded our App\n• created a Bumble account\n• IP address\n• Estimated location based on IP address\n"
        "• Device ID")
    assert row.split(" | ")[2] == ("You provide us with your gender and age.\nWe get the other information from the "
                                   "device or browser you use to access the Bumble social networking service.")
    x = extract(d)
    quotes = [e.quote for f in x.facts for e in f.evidence] + [e.quote for link in x.links for e in link.evidence]
    # the row's cells quoted as they read: the purpose, and each listed data category
    assert {"Estimated location based on IP address", "To share Bumble advertisements on third-party networks and "
            "measure their effectiveness, and receive data on interactions you had with our ads."} <= set(quotes)
    assert not [q for q in quotes if "<br" in q.lower() or "&nbsp;" in q.lower()]


def test_no_corpus_text_keeps_inline_html():
    for name, _ in EXPECTED:
        for d in read_policy(CORPUS / name):
            assert "<br" not in d.text.lower() and "&nbsp;" not in d.text, name


@pytest.mark.parametrize("raw, clean", [
    ("Registered office:<br/>1 Rue de Rivoli<BR />Paris", "Registered office: 1 Rue de Rivoli Paris"),
    ("Terms&nbsp;of&nbsp;Use &amp; <b>Privacy</b> &#8217;", "Terms of Use & Privacy ’"),
    ('see <a href="https://acme.example/privacy">our policy</a>', "see our policy"),
    ("write to <privacy@acme.example> or <https://acme.example>", "write to <privacy@acme.example> or <https://acme.example>"),
    ("AT&T and children < 13 years", "AT&T and children < 13 years"),
])
def test_inline_html_in_text(raw, clean):
    assert clean_inline(raw) == clean


def test_inline_html_in_cells_and_paragraphs():
    assert to_cell("*   Gender<br>*   Age</br>Device ID<br />IP&nbsp;address") == "• Gender\n• Age\n• Device ID\n• IP address"
    text = ("# Acme Privacy Policy\n\nLast updated: 2024-03-01\n\nWe share data with<br>our payment providers.&nbsp;\n\n"
            "| Purpose | Legal basis |\n| --- | --- |\n| Payments<br/>Fraud checks | Contract<br>Legitimate interests |\n")
    d, = to_documents(text, "acme.md", "markdown")
    assert "We share data with our payment providers." in d.text
    assert "| • Payments\n• Fraud checks | • Contract\n• Legitimate interests |" in d.text
    assert "<br" not in d.text and "&nbsp;" not in d.text


# ---------------------------------------------------------------- ropa build --org / --date

runner = CliRunner()


def ropa(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _rows(db) -> list[tuple]:
    with sqlite3.connect(db) as c:
        return c.execute("select id, title, publisher, organisation, effective_date from policy order by id").fetchall()


def test_build_org_and_date_override_the_text(tmp_path):
    db = tmp_path / "c.db"
    r = ropa("build", str(CORPUS / "vendors/Telegram.privacy.md"), "--org", "Telegram FZ-LLC",
             "--date", "2024-09-29", "--db", str(db))
    assert r.exit_code == 0, r.output
    assert "telegram-fz-llc-2024-09-29: " in r.output and "effective 2024-09-29" in r.output
    assert _rows(db) == [("telegram-fz-llc-2024-09-29", "Telegram FZ-LLC Privacy Policy", "Telegram FZ-LLC",
                          "telegram-fz-llc", "2024-09-29")]
    export = tmp_path / "c.json"
    assert ropa("export", "json", "-o", str(export), "--db", str(db)).exit_code == 0
    policy, = json.loads(export.read_text())["policies"]
    assert (policy["id"], policy["publisher"], policy["effective_date"]) == (
        "telegram-fz-llc-2024-09-29", "Telegram FZ-LLC", "2024-09-29")


def test_build_org_alone_keeps_the_texts_date(tmp_path):
    db = tmp_path / "c.db"
    r = ropa("build", str(CORPUS / "other/Ikea.privacy.md"), "--org", "Ingka Group", "--db", str(db))
    assert r.exit_code == 0, r.output
    assert _rows(db) == [("ingka-group-2026-09-01", "Ingka Group Privacy policy", "Ingka Group", "ingka-group",
                          "2026-09-01")]


def test_build_date_alone_keeps_the_texts_organisation(tmp_path):
    db = tmp_path / "c.db"
    r = ropa("build", str(CORPUS / "vendors/Bumble.privacy.md"), "--date", "2025-06-01", "--db", str(db))
    assert r.exit_code == 0, r.output
    assert _rows(db) == [("bumble-2025-06-01", "Bumble Privacy Policy", "Bumble", "bumble", "2025-06-01")]


@pytest.mark.parametrize("args, message", [
    (["--date", "2025-02-30"], "error: --date '2025-02-30' is not a date (YYYY-MM-DD)\n"),
    (["--date", "21.06.2023"], "error: --date '21.06.2023' is not a date (YYYY-MM-DD)\n"),
    (["--org", "  "], "error: --org '  ' names no organisation: give its name, e.g. --org \"Acme Ltd\"\n"),
    (["--org", "Acme", "--workers", "2"], "error: --org and --date go with policy files: not with --ota, --workers or --scheduler\n"),
])
def test_build_org_and_date_refuse_bad_values(tmp_path, args, message):
    db = tmp_path / "c.db"
    r = ropa("build", str(DEMO), *args, "--db", str(db))
    assert (r.exit_code, r.output) == (2, message)
    assert not db.exists()


def test_build_date_refuses_a_file_with_several_versions(tmp_path):
    db = tmp_path / "c.db"
    r = ropa("build", str(SEED), "--date", "2025-01-02", "--db", str(db))
    assert r.exit_code == 2
    assert r.output == (f"error: {SEED}: holds 2 versions, each with its own date: one effective date (2025-01-02) "
                        "cannot be given to all of them\n")
    assert not db.exists()
