"""`ropa export xlsx|csv|fides`: the Article 30 ROPA as a workbook or CSV, and the catalog as a Fides manifest."""

from __future__ import annotations

from typing import Optional

import typer

from catalog.cli.app import DbOption, ForceOption, OrgOption, PolicyOption, fail, load_graph, output_path, plural

OutputOption = typer.Option(..., "--output", "-o", help="File to write.")
TEMPLATES = ("ico", "cnil")


def _graph(db: Optional[str], policy: Optional[str], org: Optional[str]):
    G = load_graph(db, policy, org)
    if G.number_of_nodes() == 0:
        fail("the catalog is empty: run `ropa build PATH` first")
    return G


def _findings(G) -> list:
    """Risk findings for the workbook's Findings sheet."""
    from catalog.checks.risks import find_risks

    from catalog.store.review import without_rejected

    return find_risks(without_rejected(G))


def _activities(G) -> str:
    """"N processing activities": the rows of the record an export wrote."""
    from catalog.export.ropa import ropa_rows

    return plural(len(ropa_rows(G)), "processing activity", "processing activities")


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @export_app.command("xlsx")
    def export_xlsx(
        output: str = OutputOption,
        policy: Optional[str] = PolicyOption,
        org: Optional[str] = OrgOption,
        template: str = typer.Option("ico", "--template", help="ico (one table, the ICO's columns) or cnil "
                                                                "(the CNIL's model: one sheet per processing activity)."),
        db: Optional[str] = DbOption,
        force: bool = ForceOption,
    ) -> None:
        """The Article 30 ROPA workbook: the ICO template's table with Transfers, Recipients, Evidence and
        Findings sheets, or with --template cnil the CNIL's model record (a fiche per activity) and Evidence.

        Example: ropa export xlsx -o ropa.xlsx --policy alibaba-com-2019-01-17 --template cnil
        """
        if template not in TEMPLATES:
            fail(f"unknown template {template!r}; expected one of: {', '.join(TEMPLATES)}")
        target = output_path(output, "xlsx", db, force)  # a previous workbook of either layout may be replaced
        G = _graph(db, policy, org)
        if template == "cnil":
            from catalog.export.cnil import write_cnil_xlsx

            write_cnil_xlsx(target, G)
            typer.echo(f"wrote {output}: {_activities(G)} (CNIL layout, one sheet each)")
            return
        from catalog.export.spreadsheet import write_xlsx

        findings = _findings(G)
        write_xlsx(target, G, findings)
        typer.echo(f"wrote {output}: {_activities(G)}, {plural(len(findings), 'finding')}")

    @export_app.command("csv")
    def export_csv(
        output: str = OutputOption,
        policy: Optional[str] = PolicyOption,
        org: Optional[str] = OrgOption,
        db: Optional[str] = DbOption,
        force: bool = ForceOption,
    ) -> None:
        """The ROPA sheet as CSV: one row per processing activity, columns in the ICO template's order.

        Example: ropa export csv -o ropa.csv --policy alibaba-com-2019-01-17
        """
        from catalog.export.spreadsheet import write_csv

        target = output_path(output, "csv", db, force)
        G = _graph(db, policy, org)
        write_csv(target, G)
        typer.echo(f"wrote {output}: {_activities(G)}")

    @export_app.command("fides")
    def export_fides(
        output: str = OutputOption,
        policy: Optional[str] = PolicyOption,
        org: Optional[str] = OrgOption,
        db: Optional[str] = DbOption,
        force: bool = ForceOption,
    ) -> None:
        """A Fides manifest (one system, a privacy declaration per purpose), validated by fideslang.

        Example: ropa export fides -o alibaba.yml --org alibaba-com
        """
        from catalog.export.fides import write_fides
        from catalog.ingest.publisher import slug

        target = output_path(output, "fides", db, force)
        G = _graph(db, policy, org)
        if policy is None and org is None and len({slug(p["publisher"]) for p in G.graph.get("policies", {}).values()}) > 1:
            fail("the catalog holds several organisations; choose one with --org (a manifest describes one system)")
        write_fides(target, G)
        typer.echo(f"wrote {output}")
