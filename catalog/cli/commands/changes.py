"""`ropa changes`: what changed in each vendor's policy that a DPO must act on, newest first, with quotes."""

from __future__ import annotations

import datetime as dt
import json
from typing import Optional

import typer

from catalog.cli.app import DbOption, ForceOption, OrgOption, _engine, fail, output_path, parse_since, plural, require_org
from catalog.tabulate import format_table

FORMATS = ("table", "json", "xlsx")


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def changes_table(cs: list) -> str:  # a list of catalog.compare.changes.Change
    """One line per change: when it was seen, whose, how serious, what, and a quote from each side."""
    rows = [[c.seen, c.organisation, c.severity, _clip(c.title, 70), _clip(c.detail, 50) or "-",
             _clip((c.old_quotes or ("-",))[0], 60), _clip((c.new_quotes or ("-",))[0], 60)] for c in cs]
    return format_table(["seen", "organisation", "severity", "change", "detail", "old version says",
                         "new version says"], rows)


def summary(cs: list, since: Optional[dt.date]) -> str:
    from catalog.compare.change_types import SEVERITIES

    counts = ", ".join(f"{sum(c.severity == s for c in cs)} {s}" for s in SEVERITIES)
    steps = len({(c.organisation, c.new_id) for c in cs})
    return (f"{plural(len(cs), 'change')} ({counts}) in {plural(steps, 'version')}"
            + (f" seen since {since}" if since else ""))


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command("changes")
    def changes_command(
        org: Optional[str] = OrgOption,
        since: Optional[str] = typer.Option(None, "--since", help="Only versions seen on or after this date (YYYY-MM-DD)."),
        format: str = typer.Option("table", "--format", help="table, json or xlsx"),
        output: Optional[str] = typer.Option(None, "--output", "-o", help="File to write (required for xlsx)."),
        fail_on: Optional[str] = typer.Option(
            None, "--fail-on", help="Exit 1 when a change of this severity or worse exists (high, medium, low)."),
        db: Optional[str] = DbOption,
        force: bool = ForceOption,
    ) -> None:
        """What changed between consecutive versions of each organisation's policy that a DPO must act on:
        transfer destinations and safeguards, special categories, recipients, purposes, legal bases,
        retention, controllers; each with its severity and the quotes of both versions, newest first.

        A version's date here is when it was seen (its commit date for `build --ota`). Severities and
        reasons are data: catalog/lexicons/changes.yaml. Rejected facts (`ropa review ... reject`) raise none.

        Example: ropa changes --since 2026-01-01 --fail-on high
        """
        from catalog.compare.change_types import SEVERITIES
        from catalog.compare.changes import at_least, read_changes, to_change_rows

        if format not in FORMATS:
            fail(f"unknown format {format!r}; expected one of: {', '.join(FORMATS)}")
        if format == "xlsx" and output is None:
            fail("--format xlsx needs --output FILE (-o)")
        if fail_on is not None and fail_on not in SEVERITIES:
            fail(f"unknown severity {fail_on!r}; expected one of: {', '.join(SEVERITIES)}")
        since_date = parse_since(since)
        target = output_path(output, f"changes-{format}", db, force) if output is not None else None
        engine = _engine(db)
        require_org(engine, org)
        cs = read_changes(engine, org, since_date)
        if format == "xlsx":
            from catalog.compare.changes import ROW_COLUMNS
            from catalog.export.spreadsheet import write_tables

            rows = [[r[k] for k in ROW_COLUMNS] for r in to_change_rows(cs)]
            write_tables(target, [("Changes", [k.replace("_", " ").capitalize() for k in ROW_COLUMNS], rows)])
            typer.echo(f"wrote {output}: {summary(cs, since_date)}")
        else:
            if format == "json":
                text = json.dumps([c.to_dict() for c in cs], indent=2, ensure_ascii=False)
            elif cs:
                text = changes_table(cs) + "\n" + summary(cs, since_date)
            else:
                text = "No changes to act on" + (f" in versions seen since {since_date}." if since_date else
                                                 ": no organisation has two versions that differ in what a DPO tracks.")
            if target is not None:
                from catalog.export.files import write_text_atomically

                write_text_atomically(target, text + "\n")
                typer.echo(f"wrote {output}: {summary(cs, since_date)}")
            else:
                typer.echo(text)
        if fail_on and (over := at_least(cs, fail_on)):
            typer.echo(f"{plural(len(over), 'change')} of severity {fail_on} or worse", err=True)
            raise typer.Exit(1)
