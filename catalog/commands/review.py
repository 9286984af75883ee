"""`ropa review` and `ropa reviews`: a DPO's decisions on facts, kept across rebuilds."""

from __future__ import annotations

import json
from typing import Optional

import typer

from catalog.cli import DbOption, _engine, fail
from catalog.tabulate import format_table


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command()
    def review(
        target: str = typer.Argument(..., help="A node id (recipient:google) or an edge 'source|relation|target'."),
        decision: str = typer.Argument(..., help="confirm, reject, correct or add."),
        reviewer: str = typer.Option(..., "--reviewer", "-r", help="Who decides (name or e-mail)."),
        comment: str = typer.Option("", "--comment", "-c", help="Why."),
        policy: Optional[str] = typer.Option(None, "--policy", "-p", help="Only for this policy version."),
        db: Optional[str] = DbOption,
    ) -> None:
        """Record a decision on a fact; it shows in every view and export and survives rebuilds.

        Example: ropa review recipient:yandex confirm -r dpo@example.com -c "checked the cookie table"
        """
        from catalog.review import write_review

        engine = _engine(db)
        try:
            row = write_review(engine, target, decision, reviewer, comment=comment, policy_id=policy or "")
        except ValueError as e:
            fail(str(e))
        typer.echo(f"recorded: {row.decision} {row.target} by {row.reviewer}")

    @app.command()
    def reviews(db: Optional[str] = DbOption, format: str = typer.Option("table", "--format", help="table or json")) -> None:
        """List the review decisions, oldest first.

        Example: ropa reviews --format json
        """
        from catalog.review import read_reviews

        rows = [{"target": r.target, "decision": r.decision, "reviewer": r.reviewer, "comment": r.comment,
                 "policy_id": r.policy_id, "at": r.created_at.isoformat()} for r in read_reviews(_engine(db))]
        if format == "json":
            typer.echo(json.dumps(rows, indent=2))
        elif not rows:
            typer.echo("No review decisions yet.")
        else:
            typer.echo(format_table(["at", "decision", "target", "reviewer", "comment"],
                                    [[r["at"][:19], r["decision"], r["target"], r["reviewer"], r["comment"]] for r in rows]))
