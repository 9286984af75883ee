"""`ropa risks`: findings a DPO acts on (transfers, Art. 9, legal bases, retention, Art. 27), per organisation, and Art. 30(1) completeness."""

from __future__ import annotations

import json
from typing import Optional

import typer

from catalog.cli.app import DbOption, OrgOption, PolicyOption, fail, load_graph, plural
from catalog.tabulate import format_table

FORMATS = ("table", "json")
SEVERITIES = ("high", "medium", "low")


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command()
    def risks(
        policy: Optional[str] = PolicyOption,
        org: Optional[str] = OrgOption,
        format: str = typer.Option("table", "--format", help="table or json"),
        fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 when a finding of this severity or worse exists (high, medium, low)."),
        db: Optional[str] = DbOption,
    ) -> None:
        """Risk findings with severity, the facts involved and their evidence, and an Art. 30(1) completeness score per purpose.

        Example: ropa risks --policy alibaba-com-2019-01-17 --format json
        """
        from catalog.store.review import without_rejected
        from catalog.checks.risks import SEVERITY_ORDER, completeness, find_risks

        if format not in FORMATS:
            fail(f"unknown format {format!r}; expected one of: {', '.join(FORMATS)}")
        if fail_on is not None and fail_on not in SEVERITIES:
            fail(f"unknown severity {fail_on!r}; expected one of: {', '.join(SEVERITIES)}")
        G = load_graph(db, policy, org)
        findings = find_risks(without_rejected(G))  # a DPO's rejections are not judged
        scores = completeness(G)
        if format == "json":
            typer.echo(json.dumps({"findings": [f.to_dict() for f in findings], "completeness": scores},
                                  indent=2, ensure_ascii=False, default=str))
        else:
            if findings:
                table = [[f.severity, f.id, f.organisation, " ".join(f.policy_ids), f.detail] for f in findings]
                typer.echo(format_table(["severity", "finding", "organisation", "policies", "detail"], table))
            else:
                typer.echo("No findings.")
            if scores:
                typer.echo("\nArticle 30(1) completeness per processing activity:")
                table = [[f"{s['score']:.2f}", s["label"], ", ".join(s["missing"]) or "-"]
                         for s in sorted(scores, key=lambda s: (s["score"], s["label"]))]
                typer.echo(format_table(["score", "purpose", "missing"], table))
            counts = {sev: sum(f.severity == sev for f in findings) for sev in SEVERITIES}
            typer.echo(f"\n{plural(len(findings), 'finding')}: " + ", ".join(f"{n} {sev}" for sev, n in counts.items()))
        if fail_on is not None and any(SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[fail_on] for f in findings):
            raise typer.Exit(1)
