"""Version diff and timeline on the seed (2018-05-25 -> 2019-01-17) and the Alibaba.com history."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from catalog.pipeline.build import build, collect_files, extract_all, read_documents
from catalog.cli.app import app
from catalog.compare.diff import diff, section_key, timeline, to_diff_rows
from catalog.export.diff_workbook import write_diff_xlsx
from catalog.extract import extract
from catalog.ingest.documents import read_policy
from catalog.store.engine import make_engine
from catalog.store.read import read_extractions
from tests.conftest import CORPUS, DEMO

OLD, NEW = "alibaba-com-2018-05-25", "alibaba-com-2019-01-17"
HISTORY = CORPUS / "alibaba-history"
HEALTH = "data_category:user.health_and_medical"
END_USER_HEALTH = f"data_subject:end_user -[provides]-> {HEALTH}"
KYC = "purpose:essential.service.kyc_aml"
CUSTOMS = "purpose:essential.service.operations.customs_clearance"


@pytest.fixture(scope="module")
def seed_diff(seed_path):
    new, old = (extract(d) for d in read_policy(seed_path))
    assert (old.policy.id, new.policy.id) == (OLD, NEW)
    return diff(old, new)


def ids(entries):
    return {e.id for e in entries}


def test_health_data_of_end_users_added(seed_diff):
    health = seed_diff.entry("added", HEALTH)
    assert health is not None and health.kind == "data_category" and health.special_category
    assert health.old_quotes == ()
    assert health.new_quotes[0].startswith("This may include health data of end-users")
    link = seed_diff.entry("added", END_USER_HEALTH)
    assert link is not None and link.element == "link" and link.kind == "provides"
    assert link.label == "End users of purchased products → Health data"
    assert "data_subject:end_user" in ids(seed_diff.added)


def test_kyc_and_rating_review_providers_added(seed_diff):
    kyc = seed_diff.entry("added", KYC)
    assert kyc is not None and kyc.label == "KYC and anti-money-laundering checks"
    # "We may receive personal information about you from third parties that are engaged by us to assist with
    # providing verification services and conducting ... KYC ... checks": the verification providers are a source
    # of data, not a recipient, so no disclosure to them is added
    assert f"{KYC} -[disclosed_to]-> recipient:verification-providers" not in ids(seed_diff.added)
    assert "recipient:rating-review-providers" in ids(seed_diff.added)


def test_customs_clearance_added_as_a_purpose_of_processing(seed_diff):
    # 2018 names customs clearance only as why custom agents receive data (a qualifier of that
    # disclosure); 2019 lists it among the purposes of use, so it is added, with the 2019 quotes.
    customs = seed_diff.entry("added", CUSTOMS)
    assert customs is not None and customs.old_quotes == ("custom agents for customs clearances purposes;",)
    assert customs.fields == {"attrs.stated_as": {"old": "reason for disclosure", "new": None}}
    assert "facilitating customs clearance declarations / applications via the Platform;" in customs.new_quotes
    # the purposes that stay stated in both versions are not reported as added or removed
    for stays in ("purpose:essential.legal_claims", "purpose:essential.service.payment_processing"):
        assert seed_diff.entry("added", stays) is None and seed_diff.entry("removed", stays) is None


def test_warranty_providers_vkontakte_and_questionnaire_data_removed(seed_diff):
    removed = ids(seed_diff.removed)
    for nid in ("recipient:warranty-service-providers", "recipient:vkontakte",
                "data_category:user.demographic.marital_status", "data_category:user.demographic.gender",
                "data_category:user.financial.income"):
        assert nid in removed, nid
        assert seed_diff.entry("removed", nid).new_quotes == ()
        assert seed_diff.entry("removed", nid).old_quotes
    assert not ids(seed_diff.added) & removed


def test_changed_fields_are_reported(seed_diff):
    ctrl = seed_diff.entry("changed", "controller:alibaba-com-singapore-e-commerce-private-limited")
    assert ctrl.fields["attrs.contact_email"] == {"old": "DataProtection.AE@aliexpress.com",
                                                  "new": "DataProtection@service.alibaba.com"}
    # 2018 names "These marketing platforms" in the advertising sentence; 2019 says "These platforms",
    # which only a reference to the list item before it resolves: the same link, now inferred
    ads = seed_diff.entry("changed", "purpose:marketing.advertising -[disclosed_to]-> "
                                     "recipient:advertising-platforms")
    assert ads.fields == {"status": {"old": "stated", "new": "inferred"}}


def test_minors_and_security_sections_gone(seed_diff):
    assert {"F. MINORS", "G. SECURITY MEASURES"} <= set(seed_diff.sections_removed)
    assert "D. RETENTION" in seed_diff.sections_added
    assert ("J. HOW TO CONTACT US", "H. HOW TO CONTACT US") in seed_diff.sections_renamed
    assert section_key("I. VISITORS FROM THE EUROPEAN UNION > Your Rights") == "visitors from the european union > your rights"


def test_summary_and_dict_agree(seed_diff):
    s = seed_diff.summary()
    added = {e.id for e in seed_diff.added if e.kind == "recipient"}
    assert s["added"]["recipient"] == len(added) == 16
    # 2019 names the group's affiliated platforms: "AliOS, AliTelecom, Autonavi, UCWeb, Umeng, Xiami, DingTalk,
    # Alipay, and Lazada" (no lexicon lists AliOS or Xiami: read as names in apposition to the recipients)
    assert {"recipient:brand-alios", "recipient:brand-xiami", "recipient:umeng", "recipient:alipay"} <= added
    assert s["removed"]["recipient"] == 2
    assert s["sections"]["removed"] == len(seed_diff.sections_removed)
    d = json.loads(json.dumps(seed_diff.to_dict()))
    assert d["old"] == {"id": OLD, "effective_date": "2018-05-25"}
    assert HEALTH in {e["id"] for e in d["added"]}
    assert len(d["restated"]) == len(seed_diff.restated) > 0


def test_identical_versions_have_no_diff(seed_path):
    x = extract(read_policy(seed_path)[0])
    d = diff(x, x)
    assert d.entries == () and d.sections_added == d.sections_removed == ()


def test_rows_and_workbook(seed_diff, tmp_path):
    rows = to_diff_rows(seed_diff)
    assert len(rows) == len(seed_diff.entries)
    vk = next(r for r in rows if r["id"] == "recipient:vkontakte")
    assert vk["change"] == "removed" and vk["new_quote"] == "" and vk["old_quote"]
    path = write_diff_xlsx(tmp_path / "diff.xlsx", seed_diff)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Diff", "Sections"]
    ws = wb["Diff"]
    assert [c.value for c in ws[2]] == ["change", "element", "kind", "id", "label", "fields", "old quote", "new quote"]
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:H{len(rows) + 2}"
    assert ws["A2"].font.bold and ws["G3"].alignment.wrap_text
    by_id = {ws.cell(r, 4).value: r for r in range(3, ws.max_row + 1)}
    assert ws.cell(by_id[HEALTH], 1).value == "added"
    assert ws.cell(by_id[HEALTH], 8).value.startswith("This may include health data of end-users")
    sections = {(r[0].value, r[1].value) for r in wb["Sections"].iter_rows(min_row=3)}
    assert ("removed", "F. MINORS") in sections and ("removed", "G. SECURITY MEASURES") in sections


def test_timeline_over_the_history():
    docs = read_documents(collect_files([DEMO, HISTORY]))
    steps = timeline(extract_all(docs))
    assert len(steps) == len(docs) - 1 >= 5
    versions = [steps[0]["from"]] + [s["to"] for s in steps]
    assert len(set(versions)) >= 6 and versions[0] == OLD
    dates = [steps[0]["from_date"]] + [s["to_date"] for s in steps]
    assert dates == sorted(dates) and len(set(dates)) >= 6
    assert dates[-1] == "2026-08-12"
    assert all(s["added"] or s["removed"] or s["changed"] for s in steps)
    first = steps[0]
    assert (first["from"], first["to"]) == (OLD, NEW)
    notable = {(n["change"], n["id"]) for n in first["notable"]}
    assert {("added", HEALTH), ("removed", "recipient:vkontakte"), ("added", "recipient:yandex")} <= notable
    assert "F. MINORS" in first["sections_removed"]
    last = steps[-1]
    # 2026 names the UK only as where users come from ("For Users located in ... the United Kingdom ...:
    # United States"); what it adds is reliance on adequacy decisions
    assert ("added", "safeguard:adequacy") in {(n["change"], n["id"]) for n in last["notable"]}


# ---------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_diff_table_and_json(db_url):
    build([DEMO], make_engine(db_url))
    r = runner.invoke(app, ["diff", OLD, NEW, "--db", db_url])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"{OLD} (2018-05-25) → {NEW} (2019-01-17)")
    assert "sections removed: " in r.output and "F. MINORS; G. SECURITY MEASURES" in r.output
    line = next(ln for ln in r.output.splitlines() if ln.startswith("removed") and "recipient:vkontakte" in ln)
    assert "VKontakte" in line
    assert "restated in other words" in r.output
    r = runner.invoke(app, ["diff", OLD, NEW, "--format", "json", "--db", db_url])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert KYC in {e["id"] for e in d["added"]}
    assert "recipient:warranty-service-providers" in {e["id"] for e in d["removed"]}


def test_cli_diff_xlsx(db_url, tmp_path):
    build([DEMO], make_engine(db_url))
    out = tmp_path / "diff.xlsx"
    r = runner.invoke(app, ["diff", OLD, NEW, "--format", "xlsx", "-o", str(out), "--db", db_url])
    assert r.exit_code == 0, r.output
    ws = load_workbook(out)["Diff"]
    cells = {(ws.cell(r, 1).value, ws.cell(r, 4).value) for r in range(3, ws.max_row + 1)}
    assert ("added", "recipient:rating-review-providers") in cells
    assert ("removed", "data_category:user.demographic.marital_status") in cells


def test_cli_diff_errors(db_url, tmp_path):
    build([DEMO], make_engine(db_url))
    r = runner.invoke(app, ["diff", "alibaba-com-1999-01-01", NEW, "--db", db_url])
    assert r.exit_code == 2
    assert "no policy version 'alibaba-com-1999-01-01'" in r.output and OLD in r.output
    r = runner.invoke(app, ["diff", OLD, NEW, "--format", "xlsx", "--db", db_url])
    assert r.exit_code == 2 and "--output" in r.output
    r = runner.invoke(app, ["diff", OLD, NEW, "--format", "csv", "--db", db_url])
    assert r.exit_code == 2 and "unknown format 'csv'" in r.output


def test_cli_timeline(db_url):
    engine = make_engine(db_url)
    build([DEMO, HISTORY], engine)
    assert len(read_extractions(engine)) >= 6
    r = runner.invoke(app, ["timeline", "--org", "alibaba-com", "--db", db_url])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split()[:4] == ["organisation", "step", "version", "added"]
    assert "2018-05-25 → 2019-01-17" in lines[2] and "+data_category:user.health_and_medical" in lines[2]
    assert "2024-08-28 → 2026-08-12" in lines[-1]
    r = runner.invoke(app, ["timeline", "--format", "json", "--db", db_url])
    steps = json.loads(r.output)
    assert [s["to_date"] for s in steps] == sorted(s["to_date"] for s in steps)
    r = runner.invoke(app, ["timeline", "--org", "nobody", "--db", db_url])
    assert r.exit_code == 2 and "known: alibaba-com" in r.output
