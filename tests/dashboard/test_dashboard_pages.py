"""Every dashboard page under Streamlit's AppTest on the 13-version catalog (the seed, the Alibaba.com
history, the other companies' policies), as a DPO's reviewer tried it: content assertions, selections
that must change what is shown, and one test for each bug the review found (each failed before its fix).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from catalog.graph.build import to_graph
from catalog.export.dot import SPECIAL_FILL, dot_name
from catalog.store.engine import make_engine
from catalog.store.read import read_extractions

pytest.importorskip("streamlit")
from tests.dashboard_app import (  # noqa: E402
    components, downloads, frame, htmls, map_svg, metric, open_page, tables, texts,
)

pytestmark = pytest.mark.timeout(900)

V2018, V2019, V2024, V2026 = ("alibaba-com-2018-05-25", "alibaba-com-2019-01-17", "alibaba-com-2024-08-28",
                              "alibaba-com-2026-08-12")
ALIBABA, IKEA = "alibaba-com", "ikea"
HEALTH = "data_category:user.health_and_medical"
CARD = "data_category:user.financial.credit_card"
EMAIL = "data_category:user.contact.email"
#: How a quote names Standard Contractual Clauses (the phrases of catalog/lexicons/safeguard.yaml's scc).
SCC_WORDS = re.compile(r"standard (contractual|data protection|contract) clauses|model (contractual )?clauses|\bSCCs?\b",
                       re.IGNORECASE)


@pytest.fixture
def page(catalog13_db: str, monkeypatch: pytest.MonkeyPatch):
    """page("transfers", query={...}, **session_state) on the shared 13-version catalog (read only)."""
    monkeypatch.setenv("ROPA_DB", catalog13_db)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return open_page


@pytest.fixture
def writable(catalog13_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A copy of the 13-version catalog this test may write review decisions into."""
    db = tmp_path / "catalog.db"
    shutil.copy(catalog13_db, db)
    monkeypatch.setenv("ROPA_DB", str(db))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return str(db)


def test_the_catalog_holds_13_versions(catalog13_db: str):
    from catalog.store.read import read_policies

    ids = {p.id for p in read_policies(make_engine(catalog13_db))}
    assert len(ids) == 13 and {V2018, V2019, V2024, V2026, "ikea-2026-09-01"} <= ids


# ---------------------------------------------------------------- scope in the URL


def test_the_scope_comes_from_the_url(page):
    at = page(query={"org": IKEA})
    assert at.sidebar.selectbox(key="org").value == IKEA
    assert metric(at, "Policy versions") == "1" and metric(at, "Organisations") == "1"
    assert "ikea-2026-09-01" in tables(at) and V2019 not in tables(at)
    at = page("transfers", query={"org": ALIBABA, "version": V2024})
    assert (at.sidebar.selectbox(key="org").value, at.sidebar.selectbox(key="version").value) == (ALIBABA, V2024)
    assert V2024 in texts(at)
    # a version of another organisation is not taken
    at = page(query={"org": IKEA, "version": V2019})
    assert at.sidebar.selectbox(key="version").value == "" and metric(at, "Policy versions") == "1"


# ---------------------------------------------------------------- overview


def test_overview_counts_the_versions_in_scope(page):
    at = page()
    assert metric(at, "Policy versions") == "13" and metric(at, "Organisations") == "6"
    facts_all = int(metric(at, "Facts"))
    at = page(org=ALIBABA)
    assert metric(at, "Policy versions") == "8"
    at = page(org=ALIBABA, version=V2019)
    assert metric(at, "Policy versions") == "1"  # was 8: every version of the organisation
    assert int(metric(at, "Facts")) < facts_all
    assert frame(at, "Version")["Version"].tolist() == [V2019]


def test_finding_cards_say_which_organisation_and_version(page):
    at = page()
    cards = [m.value for m in at.markdown if m.value.startswith(("**HIGH**", "**MEDIUM**", "**LOW**"))]
    assert len(cards) == 6
    orgs = r"(Alibaba\.com|Booking\.com|IKEA|PayPal|Proton|WeTransfer)"
    scopes = [c.value for c in at.caption if re.match(rf"{orgs}(, {orgs})* · [a-z0-9]", c.value)]  # "5 versions: ..."
    assert len(scopes) == len(cards)  # one "organisation · versions" line per card
    assert any("Alibaba.com" in s for s in scopes) and any("PayPal" in s or "IKEA" in s or "Proton" in s for s in scopes)
    assert any(p.label.startswith("All ") and "findings" in p.label for p in at.get("page_link"))


def test_overview_timeline_of_one_organisation(page):
    at = page(org=ALIBABA)
    timeline = [c.proto.spec for c in at.get("vega_lite_chart") if "Policy version (oldest first)" in c.proto.spec]
    assert len(timeline) == 1 and V2018 in timeline[0] and V2026 in timeline[0]
    assert "Alibaba.com over its 8 versions" in texts(at)
    assert "over its" not in texts(page(org=IKEA))  # one version: no timeline
    assert "over its" not in texts(page())  # several organisations: none


# ---------------------------------------------------------------- data map


def test_data_map_of_all_versions_draws_one_version_and_says_why(page):
    at = page("data_map")
    [info] = at.info
    assert "too large to read" in info.value and V2026 in info.value and "Alibaba.com" in info.value
    svg = map_svg(at)
    assert "Processing graph · " + V2026 in svg
    at.toggle(key="map_all").set_value(True).run()
    assert not at.info and "Processing graph · all versions" in map_svg(at)
    assert len(map_svg(at)) > len(svg)


def test_data_map_ids_are_stable_across_filters(page):
    """The bug: after a filter change the node boxes and colours vanished, because the same DOT name (n3)
    named another fact in the new drawing; each fact now has one name in every drawing."""
    at = page("data_map", org=ALIBABA, version=V2019)
    full = map_svg(at)
    at.toggle(key="map_special").set_value(True).run()
    special = map_svg(at)
    health = dot_name(HEALTH)
    for svg in (full, special):
        node = re.search(rf'<g id="{health}" class="node">.*?</g>\s*</g>', svg, re.S)
        assert node, f"no node {health} for {HEALTH}"
        assert f'fill="{SPECIAL_FILL}"' in node.group(0) and "Health data [Art. 9]" in node.group(0)
    assert "Payment card number" in full and "Payment card number" not in special
    [data] = components(at, "ropa_data_map")
    assert data["facts"][health] == HEALTH  # a click on it opens its evidence


def test_data_map_shows_art9_conditions_and_downloads(page):
    at = page("data_map", org=ALIBABA, version=V2019)
    svg = map_svg(at)
    drawn = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))  # the labels, as the lines Graphviz wrote
    assert "Health data [Art. 9] Art. 9 condition: Explicit consent (Art. 9(2)(a))" in drawn  # 2019
    # PayPal: biometric data on "explicit and voluntary consent"; disability (health) with no condition
    paypal = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", map_svg(page("data_map", org="paypal"))))
    assert "Biometric data [Art. 9] Art. 9 condition: Explicit consent (Art. 9(2)(a))" in paypal
    assert "Health data [Art. 9] Art. 9 condition: none stated" in paypal
    assert "<script" not in svg and "href" not in svg and "onload" not in svg
    assert {"Download SVG", "Download DOT"} <= set(downloads(at))
    legend = htmls(at)
    assert "Special category (Art. 9)" in legend and "transferred to" in legend
    at.multiselect(key="map_kinds").set_value(["data_subject", "data_category"]).run()
    smaller = map_svg(at)
    assert "Payment card number" in smaller and "Payment service providers" not in smaller


# ---------------------------------------------------------------- lineage


def test_lineage_of_payment_card_data(page):
    at = page("lineage", query={"node": CARD}, org=ALIBABA, version=V2019)
    assert at.selectbox(key="node").value == CARD
    paths = frame(at, "Data category")
    assert "Payment service providers" in set(paths["Recipient"]) and "China" in set(paths["Country"])
    assert not any(c.startswith(("legal_basis", "inferred_bases", "policy_ids")) for c in paths.columns)
    assert "legal_basis:" not in paths.to_csv()  # labels, not ids
    assert "Standard Contractual Clauses" in "\n".join(e.proto.spec for e in at.get("graphviz_chart"))
    assert {"Download CSV", "Download JSON"} <= set(downloads(at))


def test_lineage_adequacy_comes_from_the_data_files(page):
    from catalog.vocabulary import adequacy_decisions

    assert "GB" in adequacy_decisions() and adequacy_decisions()["US"].get("partial")  # lexicons/adequacy.yaml
    for code, country, adequacy in (("GB", "United Kingdom", "adequate"), ("US", "United States", "partial")):
        at = page("lineage", query={"node": f"country:{code}"}, org="wetransfer")
        rows = frame(at, "Country")
        assert set(rows.loc[rows["Country"] == country, "Adequacy"]) == {adequacy}


# ---------------------------------------------------------------- processing activities


def test_processing_activities_columns_and_one_activity_in_full(page):
    at = page("activities", org=ALIBABA, version=V2019)
    table = at.dataframe[0].value
    assert list(table.columns)[:2] == ["Business function", "Purpose of processing"]
    assert "Processing payments and settlement" in set(table["Purpose of processing"])
    every = at.multiselect(key="ropa_columns").options
    assert len(every) == 23 and "Data Protection Impact Assessment required?" in every
    at.multiselect(key="ropa_columns").set_value(every).run()
    assert len(at.dataframe[0].value.columns) == 23  # every ICO column reachable
    detail = frame(at, "Column")
    assert len(detail) == 23 and set(detail["Column"]) == set(every)
    assert "DataProtection@service.alibaba.com" in tables(at)  # the controller block
    n = len(at.dataframe[0].value)
    at.text_input(key="ropa_filter").set_value("payment").run()
    assert 0 < len(at.dataframe[0].value) < n
    assert "Download CSV (all columns)" in downloads(at)


def test_the_workbook_is_written_only_when_asked_for(page, catalog13_db: str):
    import io

    from openpyxl import load_workbook

    at = page("activities", org=ALIBABA)
    assert not any("xlsx" in label for label in downloads(at))  # not built on render
    at.button(key="xlsx_prepare").click().run()
    assert "Download ROPA spreadsheet (xlsx)" in downloads(at)
    at.text_input(key="ropa_filter").set_value("payment").run()
    assert "Download ROPA spreadsheet (xlsx)" in downloads(at)  # prepared once for this catalog state

    from catalog.dashboard import data
    from catalog.store.review import catalog_stamp

    url = f"sqlite:///{catalog13_db}"
    wb = load_workbook(io.BytesIO(data.ropa_xlsx_bytes(url, "org:alibaba-com", catalog_stamp(make_engine(url)))))
    assert "ROPA" in wb.sheetnames


# ---------------------------------------------------------------- transfers


def _transfers(at):
    return frame(at, "SCC quote")


def test_transfers_adequacy_never_none_in_the_eea(page):
    from catalog.vocabulary import eea_countries

    at = page("transfers", org=ALIBABA)
    rows = _transfers(at)
    # 2024 stores EEA users' data in Germany: that is no transfer to a third country, so no row at all
    # (it was listed with "adequacy: none", later "EEA")
    assert not {c for c in rows["Country"] if c[-3:-1] in eea_countries()}
    assert len(rows) >= 3
    assert set(rows.loc[rows["Country"] == "United States (US)", "Adequacy"]) == {"partial"}
    assert set(rows.loc[rows["Country"] == "China (CN)", "Adequacy"]) == {"none"}


def test_transfers_list_no_adequacy_safeguard_beside_no_adequacy(page):
    at = page("transfers")
    rows = _transfers(at)
    none = rows[rows["Adequacy"] == "none"]
    assert len(none) >= 3
    for safeguards in none["Safeguards"]:
        assert "adequacy" not in safeguards.lower() and "DPF" not in safeguards
    singapore = rows[(rows["Country"] == "Singapore (SG)") & rows["From"].str.startswith("Alibaba")]
    assert "not applicable here: Adequacy decision" in singapore["Note"].iloc[0]  # the claim is not dropped silently


def test_the_scc_flag_is_quoted_with_the_clauses(page):
    at = page("transfers")
    rows = _transfers(at)
    flagged = rows[rows["SCC"] == "yes"]
    assert len(flagged) >= 5
    for quote in flagged["SCC quote"]:
        assert SCC_WORDS.search(quote), quote  # was the transfer sentence, which names no SCCs
    at.selectbox(key="tr_pick").set_value(
        "controller:alibaba-com-singapore-e-commerce-private-limited|transferred_to|country:CN").run()
    shown = [t.value for t in at.text]
    assert any(SCC_WORDS.search(t) for t in shown)


def test_transfers_filters_and_csv(page):
    at = page("transfers")
    n = len(_transfers(at))
    at.multiselect(key="tr_countries").set_value(["China (CN)"]).run()
    assert set(_transfers(at)["Country"]) == {"China (CN)"}
    at.multiselect(key="tr_countries").set_value([]).run()
    at.toggle(key="tr_gaps").set_value(True).run()
    gaps = _transfers(at)
    assert 0 < len(gaps) < n and set(gaps["Adequacy"]) <= {"none", "partial", "unknown"}
    assert "Download CSV" in downloads(at)
    assert "Yandex is based in RU" in texts(at) or "VKontakte (VK) is based in RU" in texts(at)


# ---------------------------------------------------------------- findings


def test_findings_filter_download_and_open(page):
    at = page("findings")
    rows = frame(at, "Severity")
    assert len(rows) > 20 and {"high", "medium"} <= set(rows["Severity"])
    assert not any(c in rows.columns for c in ("check", "id", "facts"))  # labels, not keys
    at.multiselect(key="fi_severity").set_value(["high"]).run()
    assert set(frame(at, "Severity")["Severity"]) == {"high"}
    # the one special category without a condition (PayPal's "disability") is only mentioned: medium
    at.multiselect(key="fi_severity").set_value(["high", "medium", "low"]).run()
    at.multiselect(key="fi_check").set_value(["special-category-no-art9"]).run()
    assert set(frame(at, "Severity")["Finding"]) == {"Special-category data without an Art. 9(2) condition"}
    assert "Download CSV" in downloads(at)
    assert any(p.label.startswith("Evidence for") for p in at.get("page_link"))


# ---------------------------------------------------------------- diff


def _tab_count(at, i: int) -> int:
    """The count on the i-th of the Added / Removed / Changed choices."""
    return int(re.search(r"\((\d+)\)", at.segmented_control(key="diff_change").options[i]).group(1))


def test_diff_headline_counts_agree_with_the_tabs(page):
    at = page("diff", org=ALIBABA)
    assert (at.selectbox(key="diff_old").value, at.selectbox(key="diff_new").value) == (V2018, V2019)
    for facts_only in (True, False):
        at.toggle(key="diff_facts_only").set_value(facts_only).run()
        what = "facts" if facts_only else "facts and links"
        for i, change in enumerate(("Added", "Removed", "Changed")):
            assert int(metric(at, f"{change} {what}")) == _tab_count(at, i)
    assert _tab_count(at, 1) > 0


def test_diff_side_by_side_keeps_the_chosen_fact(page):
    """The bug: the pick was a position in the list; after a version change it named another fact, and the
    box showed one fact's label above another fact's quotes."""
    nationality = "data_category:user.demographic.nationality"
    at = page("diff", org=ALIBABA)
    at.segmented_control(key="diff_change").set_value("removed").run()
    at.selectbox(key="diff_pick_removed").set_value(nationality).run()
    before = [t.value for t in at.text]
    at.selectbox(key="diff_new").set_value("alibaba-com-2020-02-27").run()  # nationality moves up the list
    pick = at.selectbox(key="diff_pick_removed")
    assert pick.value == nationality and pick.options[pick.index] == "Nationality (data category)"
    assert at.segmented_control(key="diff_change").value == "removed"  # still on the removed facts
    [box] = [m.value for m in at.markdown if m.value.startswith("**")]
    assert box.startswith("**Nationality (data category)**")
    assert [t.value for t in at.text] == before  # the 2018 quote, "(not stated)" in the new version
    assert any("nationality" in q.lower() for q in before)


def test_diff_offers_the_versions_of_the_organisation(page):
    at = page("diff", org=IKEA)
    assert "fewer than two policy versions" in texts(at)
    at = page("diff", org=ALIBABA)
    assert len(at.selectbox(key="diff_old").options) == 8


# ---------------------------------------------------------------- evidence


def test_evidence_keeps_to_the_organisation(page):
    """The bug: with one organisation chosen, a link opened another organisation's quote."""
    at = page("evidence", query={"fact": EMAIL}, org=IKEA)
    assert at.selectbox(key="policy").options == ["ikea-2026-09-01"]
    assert at.selectbox(key="policy").value == "ikea-2026-09-01"
    assert at.selectbox(key="fact").value == EMAIL
    assert "ikea-2026-09-01" in texts(at) and V2019 not in texts(at)
    at = page("evidence", query={"fact": EMAIL}, org=ALIBABA)
    assert at.selectbox(key="policy").value.startswith("alibaba-com-")


def test_evidence_lands_on_the_fact_marks_it_and_scrolls_to_it(page):
    at = page("evidence", query={"fact": "recipient:vkontakte"}, org=ALIBABA)
    assert at.selectbox(key="policy").value == V2018  # the only version stating it
    body = htmls(at)
    assert 'class="focus"' in body and "VKontakte" in body
    assert components(at, "ropa_scroll_to_quote")  # the text box is scrolled to the quote
    assert "read as " in texts(at)
    at.selectbox(key="fact").set_value("").run()
    assert not components(at, "ropa_scroll_to_quote") and 'class="focus"' not in htmls(at)


# ---------------------------------------------------------------- review


def test_review_queue_is_ordered_by_risk_and_counts_done_and_left(page):
    at = page("review", org=ALIBABA, version=V2019)
    queue = frame(at, "Risk")
    order = {"high": 1, "medium": 2, "low": 3, "none": 9}
    ranks = [order[r] for r in queue["Risk"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    done, left = int(metric(at, "Done")), int(metric(at, "Left"))
    assert done == 0 and left == len(queue) or left > 500
    assert at.radio(key="review_decision").value is None  # no pre-selected decision
    assert at.radio(key="review_applies").value == V2019  # the version in scope


def test_a_decision_applies_to_the_version_in_scope(writable: str):
    from catalog.store.review import read_reviews

    at = open_page("review", org=ALIBABA, version=V2019)
    at.selectbox(key="review_target").set_value("recipient:mail-ru").run()
    shown = texts(at)
    assert "Mail.ru (Recipient)" in shown and f"{V2019} · " in shown  # the quote's version and section
    assert "mail.ru" in htmls(at).lower()  # the quote itself ("Mailru https://mail.ru/"), next to the form
    at.text_input(key="review_reviewer").set_value("Dana DPO")
    _submit(at)
    assert any("choose a decision" in e.value for e in at.error)  # nothing pre-selected: nothing saved
    assert not read_reviews(make_engine(writable))
    at.radio(key="review_decision").set_value("confirm")
    _submit(at)
    [row] = read_reviews(make_engine(writable))
    assert (row.target, row.decision, row.policy_id, row.reviewer) == ("recipient:mail-ru", "confirm", V2019,
                                                                       "Dana DPO")
    assert metric(at, "Done") == "1" and "Saved: confirm on Mail.ru" in texts(at)
    assert at.selectbox(key="review_target").value != "recipient:mail-ru"  # on to the next one left
    at.segmented_control(key="rq_show").set_value("all").run()
    at.selectbox(key="review_target").set_value("recipient:yandex").run()
    at.radio(key="review_applies").set_value("").run()  # all versions
    at.radio(key="review_decision").set_value("reject")
    _submit(at)
    last = read_reviews(make_engine(writable))[-1]
    assert (last.target, last.decision, last.policy_id) == ("recipient:yandex", "reject", "")


def _submit(at) -> None:
    [button] = [b for b in at.get("button") if getattr(b, "label", "") == "Save decision"]
    button.click().run()
    assert not at.exception, [e.value for e in at.exception]


# ---------------------------------------------------------------- every page, every scope


PAGES = ("overview", "activities", "transfers", "findings", "data_map", "lineage", "evidence", "diff", "review")


#: What each page must show in any scope (beyond a title and no error).
CONTENT = {
    "overview": lambda at: int(metric(at, "Policy versions")) >= 1 and "Top findings" in texts(at),
    "activities": lambda at: len(at.dataframe[0].value) > 0,
    "transfers": lambda at: len(frame(at, "SCC quote")) > 0,
    "findings": lambda at: len(frame(at, "Severity")) > 0,
    "data_map": lambda at: "<svg" in map_svg(at) and "Processing graph" in map_svg(at),
    "lineage": lambda at: len(frame(at, "Quote")) > 0,
    "evidence": lambda at: 'class="policy-text"' in htmls(at) and "<mark" in htmls(at),
    "diff": lambda at: "fewer than two policy versions" in texts(at)
    or len(at.segmented_control(key="diff_change").options) == 3,
    "review": lambda at: len(frame(at, "Risk")) > 0,
    "changes": lambda at: "No organisation has two versions" in texts(at) or len(frame(at, "change")) > 0,
}


@pytest.mark.parametrize("scope", [{}, {"org": IKEA}, {"org": ALIBABA, "version": V2024}], ids=["all", "org", "version"])
def test_every_page_shows_its_content_in_every_scope(page, scope):
    for name, shows in CONTENT.items():
        at = page(name, **scope)
        assert at.title and not at.error, (name, scope)
        assert shows(at), (name, scope)


def test_no_raw_ids_in_the_tables(page):
    for name in ("transfers", "findings", "activities", "review"):
        cells = tables(page(name, org=ALIBABA, version=V2019))
        assert "data_category:" not in cells and "purpose:" not in cells, name
