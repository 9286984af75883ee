"""`ropa review` and `ropa reviews`: a DPO's decisions on facts, kept across rebuilds."""

from __future__ import annotations

import json
from typing import Optional

import typer

from catalog.cli.app import DbOption, _engine, fail
from catalog.tabulate import format_table


def _in_graph(G, target: str) -> bool:
    """A node id, or an edge written 'source|relation|target'."""
    parts = target.split("|")
    if len(parts) == 3:
        return G.has_edge(parts[0], parts[2], parts[1])
    return target in G


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command()
    def review(
        target: str = typer.Argument(..., help="A node id (recipient:google) or an edge 'source|relation|target'."),
        decision: str = typer.Argument(..., help="confirm, reject, correct or add."),
        reviewer: str = typer.Option(..., "--reviewer", "-r", help="Who decides (name or e-mail)."),
        comment: str = typer.Option("", "--comment", "-c", help="Why."),
        policy: Optional[str] = typer.Option(None, "--policy", "-p", help="Only for this policy version."),
        link: Optional[str] = typer.Option(None, "--link", help="For add/correct: the right link, 'source|relation|target'."),
        db: Optional[str] = DbOption,
    ) -> None:
        """Record a decision on a fact; it shows in every view and export and survives rebuilds.

        Example: ropa review recipient:yandex confirm -r dpo@example.com -c "checked the cookie table"
        """
        from catalog.cli.app import load_graph
        from catalog.store.review import write_review

        engine = _engine(db)
        G = load_graph(db, policy)  # fails with the known ids when --policy names no version
        if decision != "add" and not _in_graph(G, target):
            fail(f"nothing in the catalog{' version ' + policy if policy else ''} is {target!r}; "
                 "give a node id (see `ropa show KIND`) or 'source|relation|target'")
        correction = None
        if link:
            source, relation, dest = (link.split("|") + ["", "", ""])[:3]
            correction = {"source": source, "relation": relation, "target": dest}
            if not (source in G and dest in G):
                fail(f"--link {link!r}: both ends must be facts of the catalog")
        try:
            row = write_review(engine, target, decision, reviewer, comment=comment, correction=correction,
                               policy_id=policy or "")
        except ValueError as e:
            fail(str(e))
        typer.echo(f"recorded: {row.decision} {row.target} by {row.reviewer}")

    @app.command()
    def reviews(db: Optional[str] = DbOption, format: str = typer.Option("table", "--format", help="table or json")) -> None:
        """List the review decisions, oldest first.

        Example: ropa reviews --format json
        """
        from catalog.store.review import read_reviews

        if format not in ("table", "json"):
            fail(f"unknown format {format!r}; expected table or json")
        rows = [{"target": r.target, "decision": r.decision, "reviewer": r.reviewer, "comment": r.comment,
                 "policy_id": r.policy_id, "at": r.created_at.isoformat()} for r in read_reviews(_engine(db))]
        if format == "json":
            typer.echo(json.dumps(rows, indent=2))
        elif not rows:
            typer.echo("No review decisions yet.")
        else:
            typer.echo(format_table(["at", "decision", "target", "policy", "reviewer", "comment"],
                                    [[r["at"][:19], r["decision"], r["target"], r["policy_id"] or "all versions",
                                      r["reviewer"], r["comment"]] for r in rows]))
