"""`ropa changes` over the Alibaba.com history recorded in a versions repository, with expectations
read from the texts, and the change rules on small policies written here."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from catalog.pipeline.build import build_ota
from catalog.compare.change_types import SEVERITIES, taxonomy
from catalog.compare.changes import at_least, changes, step_changes, without_rejected
from catalog.cli.app import app
from catalog.compare.diff import diff
from catalog.extract import extract
from catalog.ingest.documents import to_documents
from catalog.store.review import write_review
from catalog.store.engine import make_engine
from catalog.store.read import read_extractions
from tests.conftest import CORPUS

runner = CliRunner()
HISTORY = CORPUS / "alibaba-history"
V2022, V2024, V2026 = "alibaba-com-2021-01-16-r2022-03-05", "alibaba-com-2024-08-28", "alibaba-com-2026-08-12"


@pytest.fixture(scope="module")
def catalog(ota_repo, tmp_path_factory):
    """The Alibaba.com history built from the repository into a SQLite catalog (and its URL)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('changes') / 'catalog.db'}"
    build_ota(ota_repo, make_engine(url), ["Alibaba.com"])
    return url


@pytest.fixture(scope="module")
def history(catalog):
    return read_extractions(make_engine(catalog))


@pytest.fixture(scope="module")
def all_changes(history):
    return changes(history)


def text(name: str) -> str:
    return (HISTORY / f"alibaba.com-privacy-{name}.md").read_text(encoding="utf-8")


def one(cs, type_: str, subject: str):
    found = [c for c in cs if c.type == type_ and c.subject == subject]
    assert len(found) == 1, (type_, subject, [(c.type, c.subject, c.new_id) for c in cs])
    return found[0]


def test_singapore_becomes_a_destination_and_hong_kong_a_controller_in_2024(history, all_changes):
    def history_of(step):
        return [x for x in history if x.policy.id in {c.new_id for c in step}]

    step = [c for c in all_changes if c.new_id == V2024]
    assert {c.old_id for c in step} == {V2022} and {c.seen for c in step} == {"2024-08-29"}
    sg = one(step, "transfer_destination_added", "country:SG")
    # 2024: "The personal information you provided to us will be stored in Singapore."
    assert sg.severity == "high" and sg.title == "New transfer destination: Singapore"
    assert "The personal information you provided to us will be stored in Singapore." in sg.new_quotes
    assert sg.old_quotes == () and "stored in Singapore" not in text("2022-03-05")
    # "stored in the United States, Germany, Singapore or China": Germany is in the EEA, no third country, so
    # no destination is added for it
    assert not [c for c in step if c.subject == "country:DE"]
    # users "from Hong Kong ..., Macao ... or Taiwan" contract with Alibaba.com Hong Kong Limited: a controller
    # for other users than the record's (whose controller stays the Singapore entity), kept on that one
    assert not [c for c in step if c.type == "controller_added"]
    sg_ctl = next(f for x in history_of(step) for f in x.facts if f.id == "controller:alibaba-com-singapore-e-commerce-private-limited")
    assert [r["name"] for r in sg_ctl.attrs["regional_controllers"]] == ["Alibaba.com Hong Kong Limited"]
    assert "Alibaba.com Hong Kong Limited" not in text("2022-03-05")
    # 2022 said "appropriate safeguards ... such as standard contractual clauses"; 2024 keeps the SCCs:
    # losing the unspecified wording while a named mechanism stays is not a dropped safeguard
    assert not [c for c in step if c.type == "safeguard_dropped"]


def test_2026_drops_the_sccs_for_the_united_states_and_adds_alibaba_cloud(all_changes):
    step = [c for c in all_changes if c.new_id == V2026]
    assert {c.old_id for c in step} == {V2024} and {c.seen for c in step} == {"2026-08-20"}
    us = one(step, "safeguard_dropped", "country:US safeguard:scc")
    assert us.severity == "high"
    assert us.title == "Safeguard dropped: United States: Standard Contractual Clauses (Art. 46(2)(c))"
    assert us.detail == "still transferred to United States; safeguards now: none stated"
    # 2024: "... will remain protected in accordance with this Privacy Policy, such as standard contractual clauses."
    assert any(q.endswith("such as standard contractual clauses.") for q in us.old_quotes)
    assert any(q.startswith("If you are based in the United States, the personal information you provided to us "
                            "will be stored in the United States") for q in us.new_quotes)
    assert not [c for c in step if c.subject.startswith("country:DE")]  # Germany is in the EEA: no transfer to track
    cloud = one(step, "recipient_added", "recipient:alibaba-cloud")
    assert cloud.severity == "medium" and cloud.title == "New recipient: Alibaba Cloud"
    assert "You may refer to the applicable privacy policy of Alibaba Cloud for more data processing details " \
           "relating to such service." in cloud.new_quotes
    assert not [c for c in step if c.type == "controller_removed"]  # the record's controller stays Singapore's


def test_transfers_to_unnamed_third_countries_declared_in_2026(all_changes):
    # 2026: "If you are from the European Union, European Economic Area, ... your personal information may be
    # transferred outside of the EEA": a transfer to third countries the policy does not name (country ZZ, a fact
    # with no edge); 2024 says nothing of the kind
    step = [c for c in all_changes if c.new_id == V2026]
    zz = one(step, "transfer_destination_added", "country:ZZ")
    assert zz.severity == "high" and zz.title == "New transfer destination: Third countries (not named)"
    assert zz.old_quotes == () and any("outside" in q for q in zz.new_quotes)
    assert not [c for c in all_changes if c.new_id == V2024 and c.subject == "country:ZZ"]


def test_a_reformatted_recording_of_the_same_policy_raises_no_alarm(history, all_changes):
    # 2021-12-15 and 2022-03-05 both record "New Version (Effective as of January 16,2021)", the second
    # with its tables reformatted: the fact diff moves links around, nothing a DPO must act on at once
    old, new = (next(x for x in history if x.policy.id == i) for i in ("alibaba-com-2021-01-16", V2022))
    assert diff(old, new).entries
    assert [c for c in all_changes if c.new_id == V2022 and c.severity == "high"] == []


def test_changes_come_newest_first_with_both_versions_quoted(history, all_changes):
    seen = [c.seen for c in all_changes]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) >= 4
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    for date in set(seen):
        ranks = [rank[c.severity] for c in all_changes if c.seen == date]
        assert ranks == sorted(ranks)
    texts = {x.policy.id: x.policy.text for x in history}
    for c in all_changes:
        assert c.old_quotes or c.new_quotes, c
        assert all(q in texts[c.old_id] for q in c.old_quotes) and all(q in texts[c.new_id] for q in c.new_quotes), c
        assert c.why == taxonomy().types[c.type].why
    assert {c.severity for c in all_changes} == set(SEVERITIES)
    high = at_least(all_changes, "high")
    assert len(high) == sum(c.severity == "high" for c in all_changes) >= 2
    assert {("transfer_destination_added", "country:SG"), ("safeguard_dropped", "country:US safeguard:scc")} <= {
        (c.type, c.subject) for c in high}
    assert len(at_least(all_changes, "low")) == len(all_changes)


def test_since_keeps_the_steps_seen_from_that_date(history):
    cs = changes(history, since=dt.date(2026, 1, 1))
    assert cs and {c.new_id for c in cs} == {V2026}
    assert changes(history, since=dt.date(2027, 1, 1)) == []


def test_identical_versions_and_rejected_facts_raise_nothing(history):
    latest = next(x for x in history if x.policy.id == V2026)
    assert step_changes("alibaba-com", latest, latest) == []
    kept = without_rejected(history, [("country:SG", ""), ("recipient:alibaba-cloud", V2026)])
    cs = changes(kept)
    assert not [c for c in cs if c.subject == "country:SG" or c.subject.startswith("country:SG ")]
    assert not [c for c in cs if c.subject == "recipient:alibaba-cloud" and c.new_id == V2026]


# ---------------------------------------------------------------- rules on small policies

POLICY = """# Acme Privacy Policy

Last updated: 1 March 2024

## Data we collect
We collect your email address and your name when you register.

## Retention
We keep your email address for 30 days after you close your account.

## Legal basis
We process your email address to send you our newsletter based on your consent.
"""


def _x(text: str):
    return extract(to_documents(text, "acme-privacy-policy.md", "markdown")[0])


def test_retention_and_legal_basis_changes():
    old = _x(POLICY)
    new = _x(POLICY.replace("1 March 2024", "1 June 2025").replace("for 30 days", "for 5 years")
             .replace("based on your consent", "on the basis of our legitimate interests"))
    cs = {c.type: c for c in step_changes("acme", old, new)}
    longer = cs["retention_lengthened"]
    assert (longer.severity, longer.title) == ("medium", "Retention lengthened: 30 days → 5 years")
    assert longer.old_quotes == ("We keep your email address for 30 days after you close your account.",)
    assert longer.new_quotes == ("We keep your email address for 5 years after you close your account.",)
    basis = cs["legal_basis_changed"]
    assert basis.detail == "Consent (Art. 6(1)(a)) → Legitimate interests (Art. 6(1)(f))"
    assert basis.old_quotes and "consent" in basis.old_quotes[0] and "legitimate interests" in basis.new_quotes[0]
    back = {c.type: c for c in step_changes("acme", new, old)}
    assert back["retention_shortened"].severity == "low"
    gone = {c.type: c for c in step_changes("acme", old, _x(POLICY.replace(
        "We keep your email address for 30 days after you close your account.", "We take care of your data.")))}
    assert gone["retention_removed"].severity == "medium" and gone["retention_removed"].new_quotes == ()


def test_health_data_is_a_high_change():
    new = _x(POLICY.replace("and your name when you register.",
                            "your name and health data about your allergies when you order."))
    special = [c for c in step_changes("acme", _x(POLICY), new) if c.type == "special_category_added"]
    assert [(c.subject, c.severity) for c in special] == [("data_category:user.health_and_medical", "high")]
    assert "health data about your allergies" in special[0].new_quotes[0]


# ---------------------------------------------------------------- command line


def test_cli_table_json_and_fail_on(catalog):
    r = runner.invoke(app, ["changes", "--db", catalog])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].split()[:4] == ["seen", "organisation", "severity", "change"]
    assert lines[2].startswith("2026-08-20  alibaba-com   high")
    assert any("Safeguard dropped: United States" in ln for ln in lines)
    assert lines[-1].startswith(f"{len(lines) - 3} changes (") and lines[-1].endswith(" versions")
    r = runner.invoke(app, ["changes", "--format", "json", "--since", "2024-01-01", "--db", catalog])
    data = json.loads(r.output)
    assert {d["seen"] for d in data} == {"2024-08-29", "2026-08-20"}
    sg = next(d for d in data if d["subject"] == "country:SG" and d["type"] == "transfer_destination_added")
    assert sg["old"]["id"] == V2022 and sg["new"]["id"] == V2024 and sg["new_quotes"]
    r = runner.invoke(app, ["changes", "--fail-on", "high", "--format", "json", "--db", catalog])
    assert r.exit_code == 1 and "changes of severity high or worse" in r.output
    r = runner.invoke(app, ["changes", "--fail-on", "medium", "--since", "2027-01-01", "--db", catalog])
    assert r.exit_code == 0 and "No changes to act on in versions seen since 2027-01-01." in r.output


def test_cli_xlsx(catalog, tmp_path):
    out = tmp_path / "changes.xlsx"
    r = runner.invoke(app, ["changes", "--format", "xlsx", "-o", str(out), "--org", "alibaba-com", "--db", catalog])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"wrote {out}: ")
    ws = load_workbook(out)["Changes"]
    header = [c.value for c in ws[1]]
    assert header[:5] == ["Seen", "Organisation", "Severity", "Change", "Title"]
    rows = [dict(zip(header, (c.value for c in row))) for row in ws.iter_rows(min_row=2)]
    us = next(r for r in rows if r["Title"].startswith("Safeguard dropped: United States"))
    assert us["Severity"] == "high" and "such as standard contractual clauses." in us["Old quote"]
    assert us["New version"] == f"{V2026} (2026-08-12)" and ws.freeze_panes == "A2"


def test_cli_refuses_bad_arguments(catalog, tmp_path):
    for args, message in [(["--org", "nobody"], "no organisation 'nobody' in the catalog; known: alibaba-com"),
                          (["--since", "yesterday"], "--since 'yesterday' is not a date"),
                          (["--format", "csv"], "unknown format 'csv'"),
                          (["--format", "xlsx"], "--output"),
                          (["--fail-on", "critical"], "unknown severity 'critical'")]:
        r = runner.invoke(app, ["changes", *args, "--db", catalog])
        assert r.exit_code == 2 and message in r.output, (args, r.output)
    r = runner.invoke(app, ["changes", "--db", str(tmp_path / "missing.db")])
    assert r.exit_code == 2 and "no catalog at" in r.output


def test_review_rejection_silences_a_change(ota_repo, tmp_path):
    db = f"sqlite:///{tmp_path / 'catalog.db'}"
    engine = make_engine(db)
    build_ota(ota_repo, engine, ["Alibaba.com"])
    write_review(engine, "recipient:alibaba-cloud", "reject", "dpo@example.com", comment="a link, not a recipient",
                 policy_id=V2026)
    r = runner.invoke(app, ["changes", "--format", "json", "--db", db])
    subjects = {(d["subject"], d["new"]["id"]) for d in json.loads(r.output)}
    assert ("recipient:alibaba-cloud", V2026) not in subjects and ("country:SG", V2024) in subjects
