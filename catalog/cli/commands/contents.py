"""`ropa policies`, `ropa show`, `ropa export json`: the catalog's contents as stored (its policy
versions with their counts, the facts of one kind with a quote, the whole graph as JSON)."""

from __future__ import annotations

import json
from typing import Optional

import typer

from catalog.cli.app import DbOption, ForceOption, OrgOption, PolicyOption, _engine, fail, load_graph, output_path, plural
from catalog.records import Kind
from catalog.tabulate import format_table


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command()
    def policies(
        db: Optional[str] = DbOption,
        format: str = typer.Option("table", "--format", help="table or json"),
        org: Optional[str] = OrgOption,
    ) -> None:
        """List the policy versions in the catalog with their counts per kind.

        Example: ropa policies --db catalog.db --org alibaba-com
        """
        from catalog.store.listing import FORMATS, listing_text, to_listing
        from catalog.store.read import read_counts, read_policies

        if format not in FORMATS:
            fail(f"unknown format {format!r}; expected table or json")
        engine = _engine(db)
        rows = read_policies(engine)
        if org:
            if org not in {p.organisation for p in rows}:
                fail(f"no organisation {org!r} in the catalog; known: {', '.join(sorted({p.organisation for p in rows})) or 'none'}")
            rows = [p for p in rows if p.organisation == org]
        typer.echo(listing_text(to_listing(rows, read_counts(engine)), format))

    @app.command()
    def show(
        kind: str = typer.Argument(..., help="One of: " + ", ".join(k.value for k in Kind)),
        policy: Optional[str] = PolicyOption,
        org: Optional[str] = OrgOption,
        db: Optional[str] = DbOption,
        format: str = typer.Option("table", "--format", help="table or json"),
    ) -> None:
        """List the facts of one kind, with the policy versions that state them and a quote.

        Example: ropa show recipient --policy alibaba-com-2019-01-17
        """
        if format not in ("table", "json"):
            fail(f"unknown format {format!r}; expected table or json")
        try:
            kind_value = Kind(kind.replace("-", "_")).value
        except ValueError:
            fail(f"unknown kind {kind!r}; expected one of: {', '.join(k.value for k in Kind)}")
        from catalog.graph.build import nodes_of_kind

        G = load_graph(db, policy, org)
        rows = []
        for n in nodes_of_kind(G, kind_value):
            d = G.nodes[n]
            quote = d["evidence"][0]["quote"] if d["evidence"] else ""
            rows.append({"id": n, "label": d["label"], "key": d["key"], "policy_ids": d["policy_ids"],
                         "attrs": d["attrs"], "quote": quote})
        if format == "json":
            typer.echo(json.dumps(rows, indent=2, default=str))
            return
        flags = lambda a: ", ".join(k for k in ("special_category", "scc") if a.get(k)) or ""  # noqa: E731
        table = [[r["id"], r["label"], r["key"], flags(r["attrs"]), " ".join(r["policy_ids"]), _clip(r["quote"], 70)] for r in rows]
        typer.echo(format_table(["id", "label", "key", "flags", "policies", "evidence"], table))

    @export_app.command("json")
    def export_json(
        output: str = typer.Option(..., "--output", "-o", help="File to write."),
        policy: Optional[str] = PolicyOption,
        org: Optional[str] = OrgOption,
        db: Optional[str] = DbOption,
        force: bool = ForceOption,
    ) -> None:
        """The processing graph as JSON: policies, nodes and edges, each with evidence.

        Example: ropa export json -o catalog.json --policy alibaba-com-2019-01-17
        """
        from catalog.export.catalog_json import to_json, write_json

        target = output_path(output, "json", db, force)
        G = load_graph(db, policy, org)
        data = to_json(G)
        write_json(target, data)
        typer.echo(f"wrote {output}: {plural(len(data['policies']), 'policy', 'policies')}, "
                   f"{plural(len(data['nodes']), 'node')}, {plural(len(data['edges']), 'edge')}")


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"
