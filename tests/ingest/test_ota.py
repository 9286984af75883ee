"""Building from an Open Terms Archive versions repository: a real git repository made in a temporary
folder from ../shared/corpus (service folders, `Privacy Policy.md`, one commit per recorded text)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from catalog.pipeline.build import build, build_ota
from catalog.cli.app import app
from catalog.export.catalog_json import to_json
from catalog.graph.build import to_graph
from catalog.ingest.files import InputError
from catalog.ingest.ota import check_repository, read_log, without_credentials, write_repository
from catalog.store.engine import make_engine
from catalog.store.read import read_extractions, read_policies
from tests.conftest import CORPUS, ota_versions

runner = CliRunner()
PARIS = dt.timezone(dt.timedelta(hours=2))
ALIBABA = "Alibaba.com/Privacy Policy.md"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def commits_of(repo: Path, path: str) -> list[str]:
    """The commits that touched a path, oldest first, as git itself lists them."""
    return git(repo, "log", "--reverse", "--format=%H", "--", path).split()


def copy_repo(repo: Path, to: Path) -> Path:
    shutil.copytree(repo, to)
    return to


def add_commit(repo: Path, service: str, data: str | bytes, when: dt.datetime) -> str:
    """One more recorded text, committed as the archive would (dates set), on top of the history."""
    f = repo / service / "Privacy Policy.md"
    f.parent.mkdir(exist_ok=True)
    f.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@localhost", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@localhost", "GIT_AUTHOR_DATE": when.isoformat(),
           "GIT_COMMITTER_DATE": when.isoformat(), "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "-C", str(repo), "add", "--", f"{service}/Privacy Policy.md"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "record"],
                   check=True, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


# ---------------------------------------------------------------- reading the history


def test_the_log_lists_every_recorded_text_oldest_first(ota_repo):
    top = check_repository(ota_repo)
    records = read_log(top)
    assert len(records) == 10 == len(ota_versions())
    assert {r.service for r in records} == {"Alibaba.com", "Booking.com", "Ikea", "WeTransfer", "PayPal", "Proton Mail"}
    alibaba = [r for r in records if r.service == "Alibaba.com"]
    assert [r.commit for r in alibaba] == commits_of(ota_repo, ALIBABA)
    assert [r.committed_at for r in alibaba] == [dt.datetime(y, m, d, 9, 30, tzinfo=PARIS) for y, m, d in
                                                 [(2020, 2, 28), (2021, 12, 15), (2022, 3, 5), (2024, 8, 29), (2026, 8, 20)]]
    assert [r.committed_at for r in records] == sorted(r.committed_at for r in records)
    assert [r.path for r in read_log(top, ["Proton Mail"])] == ["Proton Mail/Privacy Policy.md"]
    since = read_log(top, ["Alibaba.com"], since=dt.date(2022, 3, 5))
    assert [r.committed_at.date().isoformat() for r in since] == ["2022-03-05", "2024-08-29", "2026-08-20"]


def test_bad_repositories_and_names_are_refused(ota_repo, tmp_path):
    with pytest.raises(InputError, match="no such directory"):
        check_repository(tmp_path / "nowhere")
    with pytest.raises(InputError, match="not a git repository"):
        check_repository(tmp_path)
    (tmp_path / "empty").mkdir()
    git(tmp_path / "empty", "init", "-q")
    with pytest.raises(InputError, match="no commits"):
        check_repository(tmp_path / "empty")
    with pytest.raises(InputError, match=r"no history of 'Nobody/Privacy Policy.md'"):
        read_log(ota_repo, ["Alibaba.com", "Nobody"])
    with pytest.raises(InputError, match="not a service name"):
        read_log(ota_repo, ["../etc"])
    with pytest.raises(InputError, match=r"no service folder holds 'Terms of Service.md'"):
        read_log(ota_repo, document="Terms of Service")
    assert without_credentials("https://bot:ghp_secret@github.com/OpenTermsArchive/contrib-versions") == \
        "https://github.com/OpenTermsArchive/contrib-versions"
    assert without_credentials("git@github.com:OpenTermsArchive/contrib-versions.git") == \
        "git@github.com:OpenTermsArchive/contrib-versions.git"


# ---------------------------------------------------------------- building


def test_every_commit_becomes_a_dated_version_with_its_origin(ota_repo, db_url):
    engine = make_engine(db_url)
    result = build_ota(ota_repo, engine, ["Alibaba.com", "Proton Mail"])
    assert result.problems == [] and result.recorded == 6
    rows = {p.id: p for p in read_policies(engine)}
    # the dates the texts state: "New Version (Effective as of February 27,2020)" and, further down the
    # same page, "Old version（Effective as of January 17,2019）"; "Effective as of January 16,2021" in both
    # the 2021-12-15 and the 2022-03-05 recordings; 2024-08-28; 2026-08-12. Proton Mail states none: its
    # commit date dates it.
    assert [(p.id, str(p.effective_date), p.retrieved) for p in rows.values() if p.organisation == "alibaba-com"] == [
        ("alibaba-com-2019-01-17", "2019-01-17", "2020-02-28"),
        ("alibaba-com-2020-02-27", "2020-02-27", "2020-02-28"),
        ("alibaba-com-2021-01-16", "2021-01-16", "2021-12-15"),
        ("alibaba-com-2021-01-16-r2022-03-05", "2021-01-16", "2022-03-05"),
        ("alibaba-com-2024-08-28", "2024-08-28", "2024-08-29"),
        ("alibaba-com-2026-08-12", "2026-08-12", "2026-08-20"),
    ]
    proton = rows["proton-mail-2026-06-27"]
    assert (proton.organisation, proton.publisher, str(proton.effective_date)) == ("proton-mail", "Proton Mail", "2026-06-27")
    commits = commits_of(ota_repo, ALIBABA)
    latest = rows["alibaba-com-2026-08-12"]
    assert (latest.repository, latest.repository_path, latest.commit_sha) == (str(ota_repo.resolve()), ALIBABA, commits[-1])
    assert latest.committed_at.replace(tzinfo=dt.timezone.utc) == dt.datetime(2026, 8, 20, 7, 30, tzinfo=dt.timezone.utc)
    assert latest.source == f"{ota_repo.resolve()}@{commits[-1][:12]}/{ALIBABA}"
    assert Path(latest.source).name == "Privacy Policy.md"  # what goes by a source's file name still sees the document
    assert rows["alibaba-com-2019-01-17"].commit_sha == rows["alibaba-com-2020-02-27"].commit_sha == commits[0]
    # the text is the one of that commit, not of the work tree
    assert "Alibaba.com Hong Kong Limited" in rows["alibaba-com-2024-08-28"].text
    assert "Alibaba.com Hong Kong Limited" not in rows["alibaba-com-2020-02-27"].text
    x = next(x for x in read_extractions(engine, ["alibaba-com-2026-08-12"]))
    assert x.policy.origin.commit == commits[-1] and x.policy.origin.path == ALIBABA
    exported = {p["id"]: p for p in to_json(to_graph([x]))["policies"]}["alibaba-com-2026-08-12"]
    assert exported["source"] == latest.source and exported["origin"] == {
        "repository": str(ota_repo.resolve()), "path": ALIBABA, "commit": commits[-1],
        "committed_at": "2026-08-20T07:30:00+00:00"}


def test_a_rebuild_adds_only_what_is_new(ota_repo, db_url, tmp_path):
    repo = copy_repo(ota_repo, tmp_path / "repo")
    engine = make_engine(db_url)
    first = build_ota(repo, engine, ["Alibaba.com"])
    assert len(first.extractions) == 6 and first.skipped == 0
    again = build_ota(repo, engine, ["Alibaba.com"])
    assert again.extractions == [] and again.skipped == again.recorded == 5

    latest = (CORPUS / "alibaba-history" / "alibaba.com-privacy-2026-08-20.md").read_text(encoding="utf-8")
    edited = latest + "\nWe may also share your data with Acme Analytics.\n"
    add_commit(repo, "Alibaba.com", latest.replace("\n\n", "\n\n\n"), dt.datetime(2026, 9, 1, 8, 0, tzinfo=PARIS))  # blank lines only
    sha = add_commit(repo, "Alibaba.com", edited, dt.datetime(2026, 9, 2, 8, 0, tzinfo=PARIS))
    old = (CORPUS / "alibaba-history" / "alibaba.com-privacy-2024-08-29.md").read_text(encoding="utf-8")
    add_commit(repo, "Alibaba.com", old, dt.datetime(2026, 9, 3, 8, 0, tzinfo=PARIS))  # a page flapping back
    nightly = build_ota(repo, engine, ["Alibaba.com"])
    assert [(d.id, d.origin.commit) for d in nightly.versions] == [("alibaba-com-2026-08-12-r2026-09-02", sha)]
    assert nightly.skipped == 7 and nightly.recorded == 8
    ids = [p.id for p in read_policies(engine)]
    assert len(ids) == 7 and ids[-2:] == ["alibaba-com-2026-08-12", "alibaba-com-2026-08-12-r2026-09-02"]


def test_versions_built_from_files_are_not_stored_twice(ota_repo, db_url):
    engine = make_engine(db_url)
    build([CORPUS / "alibaba-history" / "alibaba.com-privacy-2024-08-29.md"], engine)
    result = build_ota(ota_repo, engine, ["Alibaba.com"])
    assert "alibaba-com-2024-08-28" not in {d.id for d in result.versions} and result.skipped == 1
    assert sum(p.id.startswith("alibaba-com-2024-08-28") for p in read_policies(engine)) == 1


def test_an_unreadable_commit_is_reported_and_the_rest_stored(tmp_path, db_url):
    when = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.timezone.utc)
    versions = ota_versions(("Proton Mail", "WeTransfer"))
    repo = write_repository(tmp_path / "repo", [("WeTransfer", b"\x00\x01PNG\x00" * 50, when)] + versions)
    engine = make_engine(db_url)
    result = build_ota(repo, engine)
    bad = commits_of(repo, "WeTransfer/Privacy Policy.md")[0]
    assert [str(p) for p in result.problems] == [
        f"WeTransfer @ {bad[:12]} (2026-01-05): binary file (contains NUL bytes), not a text policy"]
    assert sorted(p.organisation for p in read_policies(engine)) == ["proton-mail", "wetransfer"]
    r = runner.invoke(app, ["build", "--ota", str(repo), "--db", db_url])
    assert r.exit_code == 1
    assert f"failed: WeTransfer @ {bad[:12]} (2026-01-05): binary file" in r.output
    assert "stored 0 new versions; 2 already in the catalog; 1 could not be read" in r.output


def test_another_document_type_and_since(ota_repo, tmp_path, db_url):
    engine = make_engine(db_url)
    recent = build_ota(ota_repo, engine, ["Alibaba.com"], since=dt.date(2024, 1, 1))
    assert [d.id for d in recent.versions] == ["alibaba-com-2024-08-28", "alibaba-com-2026-08-12"]
    proton = ota_versions(("Proton Mail",))
    repo = write_repository(tmp_path / "repo", proton, document="Privacy Notice")
    result = build_ota(repo, engine, document="Privacy Notice")
    assert [(d.id, d.origin.path) for d in result.versions] == [("proton-mail-2026-06-27", "Proton Mail/Privacy Notice.md")]


# ---------------------------------------------------------------- command line


def test_cli_builds_two_services_then_nothing_new(ota_repo, tmp_path):
    db = str(tmp_path / "catalog.db")
    r = runner.invoke(app, ["build", "--ota", str(ota_repo), "--service", "Alibaba.com", "--service", "Booking.com",
                            "--db", db])
    assert r.exit_code == 0, r.output
    commits = commits_of(ota_repo, ALIBABA)
    assert "alibaba-com-2026-08-12: " in r.output and f"effective 2026-08-12, commit {commits[-1][:12]})" in r.output
    assert "booking-com-2026-08-01: " in r.output
    assert "6 recorded versions of 'Privacy Policy' for 2 services" in r.output
    assert "stored 7 new versions; 0 already in the catalog; 0 could not be read" in r.output
    r = runner.invoke(app, ["build", "--ota", str(ota_repo), "--service", "Alibaba.com", "--service", "Booking.com",
                            "--db", db])
    assert r.exit_code == 0 and "stored 0 new versions; 6 already in the catalog" in r.output
    r = runner.invoke(app, ["policies", "--format", "json", "--db", db])
    assert {p["organisation"] for p in __import__("json").loads(r.output)} == {"alibaba-com", "booking-com"}


def test_cli_refuses_bad_ota_arguments_and_creates_nothing(ota_repo, tmp_path):
    db = tmp_path / "catalog.db"
    cases = [
        (["build", "--ota", str(tmp_path / "nowhere")], "no such directory"),
        (["build", "--ota", str(tmp_path)], "not a git repository"),
        (["build", "--ota", str(ota_repo), "--service", "Nobody"], "no history of 'Nobody/Privacy Policy.md'"),
        (["build", "--ota", str(ota_repo), "--since", "last week"], "--since 'last week' is not a date"),
        (["build", "--ota", str(ota_repo), str(CORPUS / "other")], "give no PATH"),
        (["build", str(CORPUS / "other"), "--service", "Ikea"], "go with --ota"),
        (["build"], "nothing to build"),
    ]
    for args, message in cases:
        r = runner.invoke(app, [*args, "--db", str(db)])
        assert r.exit_code == 2, (args, r.output)
        assert r.output.startswith("error: ") and message in r.output, (args, r.output)
        assert len(r.output.strip().splitlines()) == 1
    assert not db.exists()
