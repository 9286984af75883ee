"""The `ropa` command line: every command of the engine, on real databases."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from catalog.cli.app import app
from tests.conftest import DEMO, ROOT

runner = CliRunner()


def ropa(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def built(db_url):
    r = ropa("build", str(DEMO), "--db", db_url)
    assert r.exit_code == 0, r.output
    return db_url


def test_build_reports_each_version(db_url):
    r = ropa("build", str(DEMO), "--db", db_url)
    assert r.exit_code == 0
    assert "alibaba-com-2019-01-17:" in r.output and "alibaba-com-2018-05-25:" in r.output
    assert "effective 2019-01-17" in r.output


def test_policies_lists_versions_with_dates_and_counts(built):
    r = ropa("policies", "--db", built)
    assert r.exit_code == 0
    lines = r.output.splitlines()
    assert lines[0].split()[:3] == ["id", "title", "effective"]
    rows = {line.split()[0]: line for line in lines[2:]}
    assert set(rows) == {"alibaba-com-2018-05-25", "alibaba-com-2019-01-17"}
    assert "2019-01-17" in rows["alibaba-com-2019-01-17"] and "Alibaba.com Privacy Policy" in rows["alibaba-com-2019-01-17"]
    data = json.loads(ropa("policies", "--db", built, "--format", "json").output)
    new = next(p for p in data if p["id"] == "alibaba-com-2019-01-17")
    assert new["counts"]["controller"] == 1 and new["counts"]["country"] == 2


def test_show_kind_with_policy_filter(built):
    r = ropa("show", "recipient", "--policy", "alibaba-com-2018-05-25", "--db", built)
    assert r.exit_code == 0
    assert "recipient:vkontakte" in r.output and "recipient:warranty-service-providers" in r.output
    r = ropa("show", "recipient", "--policy", "alibaba-com-2019-01-17", "--db", built)
    assert "recipient:vkontakte" not in r.output and "recipient:rating-review-providers" in r.output
    rows = json.loads(ropa("show", "data_category", "--db", built, "--format", "json").output)
    health = next(x for x in rows if x["id"] == "data_category:user.health_and_medical")
    assert health["attrs"]["special_category"] is True and health["policy_ids"] == ["alibaba-com-2019-01-17"]


def test_show_unknown_kind_and_policy_fail_cleanly(built):
    r = runner.invoke(app, ["show", "dragons", "--db", built])
    assert r.exit_code == 2 and "unknown kind 'dragons'" in r.output
    r = runner.invoke(app, ["show", "country", "--policy", "nope", "--db", built])
    assert r.exit_code == 2 and "no policy version 'nope'" in r.output


def test_export_json_contract_for_one_version(built, tmp_path):
    out = tmp_path / "x.json"
    r = ropa("export", "json", "-o", str(out), "--policy", "alibaba-com-2019-01-17", "--db", built)
    assert r.exit_code == 0
    data = json.loads(out.read_text())
    assert [p["id"] for p in data["policies"]] == ["alibaba-com-2019-01-17"]
    assert data["policies"][0]["effective_date"] == "2019-01-17"
    kinds = {"controller", "data_subject", "data_category", "purpose", "legal_basis", "recipient", "country",
             "safeguard", "retention", "right", "cookie"}
    for n in data["nodes"]:
        assert set(n) >= {"id", "kind", "label", "key", "policy_ids", "evidence"}
        assert n["kind"] in kinds and n["evidence"] and n["policy_ids"] == ["alibaba-com-2019-01-17"]
    for e in data["edges"]:
        assert set(e) >= {"source", "target", "relation", "status", "policy_ids", "evidence"}
        for ev in e["evidence"]:
            assert set(ev) >= {"policy_id", "section", "quote", "start", "end"}
    nodes = {n["id"]: n for n in data["nodes"]}
    edges = {(e["source"], e["relation"], e["target"]): e for e in data["edges"]}
    pay = "purpose:essential.service.payment_processing"
    assert ("data_category:user.financial.credit_card", "processed_for", pay) in edges
    assert ("data_category:user.financial.bank_account", "processed_for", pay) in edges
    assert (pay, "disclosed_to", "recipient:payment-service-providers") in edges
    ctrl = "controller:alibaba-com-singapore-e-commerce-private-limited"
    for code in ("US", "CN"):
        assert edges[(ctrl, "transferred_to", f"country:{code}")]["attrs"]["scc"] is True
    assert ("recipient:google", "transferred_to", "country:US") in edges
    assert nodes["data_category:user.health_and_medical"]["attrs"]["special_category"] is True
    assert {nodes[n]["key"] for n in nodes if n.startswith("legal_basis:art6")} >= {
        "Consent", "Contract", "Legal obligations", "Legitimate interests"}
    assert "recipient:vkontakte" not in nodes and "recipient:warranty-service-providers" not in nodes


def test_export_json_2018_holds_vkontakte(built, tmp_path):
    out = tmp_path / "old.json"
    ropa("export", "json", "-o", str(out), "--policy", "alibaba-com-2018-05-25", "--db", built)
    ids = {n["id"] for n in json.loads(out.read_text())["nodes"]}
    assert {"recipient:vkontakte", "recipient:warranty-service-providers"} <= ids


def test_database_url_from_environment(db_url, tmp_path):
    r = ropa("build", str(DEMO), env={"DATABASE_URL": db_url})
    assert r.exit_code == 0
    r = ropa("policies", env={"DATABASE_URL": db_url})
    assert "alibaba-com-2019-01-17" in r.output


def _all_commands() -> list[list[str]]:
    import typer.main

    out: list[list[str]] = []

    def walk(cmd, path: list[str]) -> None:  # typer vendors click: duck-type the group
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                walk(sub, path + [name])
        else:
            out.append(path)

    walk(typer.main.get_command(app), [])
    return out


def test_every_command_has_help_with_an_example():
    commands = _all_commands()
    assert {"build", "policies", "show", "lineage", "risks", "diff", "timeline", "changes", "review"} <= {c[0] for c in commands}
    assert {"json", "xlsx", "csv", "fides"} <= {c[1] for c in commands if c[0] == "export"}
    for cmd in commands:
        r = runner.invoke(app, [*cmd, "--help"])
        assert r.exit_code == 0 and "Example:" in r.output, cmd
        assert "--db" in r.output, cmd


def test_python_dash_m_catalog(tmp_path):
    db = tmp_path / "m.db"
    r = subprocess.run([sys.executable, "-m", "catalog", "build", str(DEMO), "--db", str(db)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([sys.executable, "-m", "catalog", "policies", "--db", str(db)], capture_output=True, text=True)
    assert "alibaba-com-2018-05-25" in r.stdout


def test_several_files_build_without_a_progress_line_off_a_terminal(tmp_path, db_url):
    for i, name in enumerate(("a", "b")):
        (tmp_path / f"{name}.md").write_text(
            f"# Example{i} Privacy Policy\n\nLast updated: 1 March 202{i}\n\nWe collect your email address "
            "to provide our services. We share it with payment service providers.\n", encoding="utf-8")
    r = runner.invoke(app, ["build", str(tmp_path), "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "Reading" not in r.output  # the bar is for a terminal (test_progress_bar_on_a_terminal_only)
    assert "example0-2020-03-01" in r.output and "example1-2021-03-01" in r.output


def test_read_commands_do_not_create_a_catalog(tmp_path):
    db = tmp_path / "typo.db"
    for cmd in (["policies"], ["show", "country"], ["export", "json", "-o", str(tmp_path / "x.json")], ["risks"]):
        r = runner.invoke(app, [*cmd, "--db", str(db)])
        assert r.exit_code == 2 and f"no catalog at {db}" in r.output, cmd
    assert not db.exists()


def test_lineage_of_an_empty_term_is_the_unknown_term_error(built):
    for term in ("", "   ", "-"):
        r = runner.invoke(app, ["lineage", term, "--db", built])
        assert r.exit_code == 2, r.output
        assert r.output.splitlines()[0] == f"error: nothing in the catalog matches {term!r}; " \
                                           "try `ropa show data_category` for the terms it knows"


def test_reviews_refuses_an_unknown_format(built):
    r = runner.invoke(app, ["reviews", "--format", "bogus", "--db", built])
    assert r.exit_code == 2 and r.output == "error: unknown format 'bogus'; expected table or json\n"


def test_workers_without_dask_is_one_line_naming_the_extra_and_creates_nothing(tmp_path, monkeypatch):
    for name in ("dask", "dask.distributed", "distributed"):
        monkeypatch.setitem(sys.modules, name, None)  # as if the [scale] extra were not installed
    db = tmp_path / "c.db"
    r = runner.invoke(app, ["build", str(DEMO), "--workers", "2", "--db", str(db)])
    assert r.exit_code == 2
    assert r.output.splitlines() == ["error: --workers and --scheduler need Dask: the Python package 'dask' is "
                                     "not installed: pip install 'ropa-catalog[scale]'"]
    assert not db.exists()


def test_a_postgresql_url_without_psycopg_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the [postgres] extra were not installed
    for args in (["build", str(DEMO)], ["policies"]):
        r = runner.invoke(app, [*args, "--db", "postgresql+psycopg://ropa:secret@127.0.0.1:1/ropa"])
        assert r.exit_code == 2, r.output
        assert r.output.splitlines()[-1] == ("error: the Python package 'psycopg' is not installed: "
                                             "pip install 'ropa-catalog[postgres]'")
        assert "secret" not in r.output


# ---------------------------------------------------------------- packaging: version, help, messages


def test_version_is_the_installed_distribution_s(tmp_path):
    import tomllib

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    r = ropa("--version")
    assert r.exit_code == 0 and r.output == f"ropa {declared}\n"
    r = subprocess.run([sys.executable, "-m", "catalog", "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert r.stdout == f"ropa {declared}\n"


def _commands(group=None, path=()):  # noqa: ANN001, ANN202
    """Every command path of the CLI: ("build",), ("export", "xlsx"), ..."""
    import typer.main

    group = group or typer.main.get_command(app)
    for name, cmd in group.commands.items():
        yield (*path, name)
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, (*path, name))


def test_every_help_fits_80_columns_and_reflows_its_paragraphs():
    paths = [(), *_commands()]
    assert ("dashboard",) in paths and ("export", "xlsx") in paths
    for p in paths:
        r = runner.invoke(app, [*p, "--help"], env={"COLUMNS": "80"})
        assert r.exit_code == 0, p
        wide = [line for line in r.output.splitlines() if len(line) > 80]
        assert not wide, (p, wide)
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "80"}).output
    # a docstring's line break is not a line break of the help: the paragraph re-flows to the width
    assert " $DATABASE_URL, then catalog.db). Bad input exits with status 2 and a one-line  " in top
    assert "│            first: recipients, transfers, safeguards and special-category     │" in top
    assert "--version" in top and "dashboard" in top
    lineage = runner.invoke(app, ["lineage", "--help"], env={"COLUMNS": "80"}).output
    assert "│ --db              URL     SQLite file or SQLAlchemy URL (default:            │" in lineage


def test_plural():
    from catalog.cli.app import plural

    assert [plural(1, "file"), plural(2, "file"), plural(0, "file")] == ["1 file", "2 files", "0 files"]
    assert plural(1, "policy", "policies") == "1 policy" and plural(3, "policy", "policies") == "3 policies"


def _two_policies(tmp_path):  # noqa: ANN001, ANN202
    """A directory of two small policies."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i, name in enumerate(("a", "b")):
        (folder / f"{name}.md").write_text(
            f"# Example{i} Privacy Policy\n\nLast updated: 1 March 202{i}\n\nWe collect your email address "
            "to provide our services. We share it with payment service providers.\n", encoding="utf-8")
    return folder


def test_a_bad_file_among_several_is_one_error_line_without_a_progress_line(tmp_path):
    policies = _two_policies(tmp_path)
    (policies / "zz.txt").write_bytes(b"\x00\x01\x02 not a policy")
    db = tmp_path / "c.db"
    r = subprocess.run([sys.executable, "-m", "catalog", "build", str(policies), "--db", str(db)],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == f"error: {policies / 'zz.txt'}: binary file (contains NUL bytes), not a text policy\n"
    assert r.stdout == "" and not db.exists()


def test_progress_bar_on_a_terminal_only(tmp_path):
    import os
    import pty

    policies = _two_policies(tmp_path)
    plain = subprocess.run([sys.executable, "-m", "catalog", "build", str(policies), "--db", str(tmp_path / "a.db")],
                           capture_output=True, text=True, cwd=tmp_path)
    assert plain.returncode == 0 and "Reading" not in plain.stderr
    assert len(plain.stdout.splitlines()) == 2  # one line per version stored
    leader, follower = pty.openpty()
    try:
        on_tty = subprocess.run([sys.executable, "-m", "catalog", "build", str(policies), "--db", str(tmp_path / "b.db")],
                                stdout=subprocess.PIPE, stderr=follower, text=True, cwd=tmp_path, timeout=300)
        os.close(follower)
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed: everything was read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(leader)
    assert on_tty.returncode == 0
    assert b"Reading" in seen


def test_lineage_suggestions_share_a_word_and_other_matches_are_as_good(built):
    r = runner.invoke(app, ["lineage", "blood type", "--db", built])
    assert r.exit_code == 2
    assert r.output == ("error: nothing in the catalog matches 'blood type'; "
                        "try `ropa show data_category` for the terms it knows\n")
    r = runner.invoke(app, ["lineage", "adress", "--db", built])
    assert r.output == ("error: nothing in the catalog matches 'adress'; close matches: "
                        "Postal address (data_category:user.contact.address); "
                        "Email address (data_category:user.contact.email); "
                        "IP address (data_category:user.device.ip_address)\n")
    r = runner.invoke(app, ["lineage", "google", "--up", "--db", built])
    assert r.exit_code == 0
    assert r.output.splitlines()[0] == "Lineage upstream of Google (recipient:google)"
    assert "also matches" not in r.output


# ---------------------------------------------------------------- ropa dashboard (the server itself: test_package)


def test_dashboard_without_streamlit_is_one_line_naming_the_extra(built, monkeypatch):
    monkeypatch.setitem(sys.modules, "streamlit", None)  # as if the [dashboard] extra were not installed
    r = runner.invoke(app, ["dashboard", "--db", built])
    assert r.exit_code == 2
    assert r.output == ("error: the dashboard needs Streamlit: install the dashboard extra: "
                        "pip install 'ropa-catalog[dashboard]'\n")


def test_dashboard_refuses_a_missing_catalog_and_a_bad_port_before_starting(tmp_path):
    db = tmp_path / "typo.db"
    r = runner.invoke(app, ["dashboard", "--db", str(db)])
    assert r.exit_code == 2
    assert r.output == f"error: no catalog at {db}: build one first (ropa build PATH --db {db})\n"
    assert not db.exists()
    r = runner.invoke(app, ["dashboard", "--db", str(db), "--port", "70000"])
    assert r.output == "error: --port 70000: expected a port number from 1 to 65535\n"


def test_dashboard_refuses_a_port_in_use(tmp_path):
    import socket

    built = str(tmp_path / "c.db")
    assert ropa("build", str(DEMO), "--db", built).exit_code == 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = runner.invoke(app, ["dashboard", "--db", built, "--port", str(port)])
    assert r.exit_code == 2
    assert r.output == f"error: cannot serve on 127.0.0.1:{port}: Address already in use (choose another --port)\n"


def test_dashboard_command_runs_the_packaged_app_with_the_catalog_made_absolute(tmp_path, monkeypatch):
    from catalog.cli.commands.dashboard import APP, catalog_url, streamlit_command

    assert APP == ROOT / "catalog" / "dashboard" / "app.py" and APP.exists()
    assert (APP.parent / ".streamlit" / "config.toml").exists()
    monkeypatch.chdir(tmp_path)
    assert catalog_url("c.db") == f"sqlite:///{tmp_path / 'c.db'}"
    assert catalog_url("postgresql+psycopg://u@h/ropa") == "postgresql+psycopg://u@h/ropa"
    assert streamlit_command(8502, "127.0.0.1")[1:] == [
        "-m", "streamlit", "run", str(APP), "--server.port", "8502", "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false"]
