"""`ropa lineage TERM`: where a kind of data goes (or, with --up, what reaches a recipient or country); `ropa export dot`."""

from __future__ import annotations

import json
from typing import Optional

import typer

from catalog.cli.app import DbOption, ForceOption, OrgOption, PolicyOption, fail, load_graph, output_path
from catalog.tabulate import format_table

FORMATS = ("table", "json", "dot")


def _describe(G, nid: str) -> str:
    return f"{G.nodes[nid]['label']} ({nid})"


#: The kinds a lineage starts from, per direction: where close matches are looked for.
START_KINDS = {False: ("data_category", "data_subject", "purpose", "recipient", "country"),
               True: ("recipient", "country", "safeguard", "purpose", "legal_basis", "data_category")}

#: A match this good names its node outright (an id, ident, label, key or lexicon phrase: see _score_row).
EXACT = 85


def pick(G, term: str, up: bool) -> tuple[str, list[str]]:
    """The node a term means and the other matches as good as it (or exact themselves); among equally
    good matches, the kinds the direction starts from. "google" names the recipient Google; that the
    lexicon's "Google account" phrase contains the word does not make user.account another match."""
    from catalog.queries.lineage.terms import DOWN_KINDS, UP_KINDS, UnknownTerm, resolve_scored, suggest

    try:
        scored = resolve_scored(G, term)
    except UnknownTerm:
        close = "; ".join(_describe(G, n) for n in suggest(G, term, START_KINDS[up]))
        fail(f"nothing in the catalog matches {term!r}" + (f"; close matches: {close}" if close else
                                                           "; try `ropa show data_category` for the terms it knows"))
    preferred = UP_KINDS if up else DOWN_KINDS
    best = scored[0][1]
    top = [n for n, s in scored if s == best]
    root = next((n for n in top if G.nodes[n]["kind"] in preferred), top[0])
    return root, [n for n, s in scored if n != root and s >= min(best, EXACT)]


def _short(G, nid: str) -> str:
    """Legal bases and safeguards by their standard key (Contract, SCCs): the table stays readable."""
    d = G.nodes[nid]
    key = d.get("key") or ""
    if d["kind"] in ("legal_basis", "safeguard") and key and key != "Other":
        return key
    return d["label"].split(" (")[0]  # 'Appropriate safeguards (unspecified)' -> 'Appropriate safeguards'



def _cell(v) -> str:
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command()
    def lineage(
        term: str = typer.Argument(..., metavar="TERM", help="A data category, subject, recipient or country: an id, a taxonomy key, a label or a phrase."),
        up: bool = typer.Option(False, "--up", help="Upstream: what reaches this recipient or country, and for which purposes."),
        policy: Optional[str] = PolicyOption,
        org: Optional[str] = OrgOption,
        format: str = typer.Option("table", "--format", help="table, json or dot"),
        db: Optional[str] = DbOption,
    ) -> None:
        """Trace personal data: category -> purpose -> legal basis -> recipient -> country -> safeguard, with evidence.

        Terms are matched forgivingly ("card", "IP address", "Google", "user.financial.credit_card").

        Example: ropa lineage "payment card" --policy alibaba-com-2019-01-17
        """
        from catalog.queries.lineage.rows import ROW_COLUMNS
        from catalog.queries.lineage.walk import downstream, upstream
        from catalog.export.dot import lineage_to_dot

        if format not in FORMATS:
            fail(f"unknown format {format!r}; expected one of: {', '.join(FORMATS)}")
        G = load_graph(db, policy, org)
        if G.number_of_nodes() == 0:
            fail("the catalog is empty: run `ropa build PATH` first")
        root, others = pick(G, term, up)
        lin = upstream(G, root) if up else downstream(G, root)
        if format == "json":
            typer.echo(json.dumps({"term": term, "root": root, "other_matches": others, **lin.to_dict()},
                                  indent=2, ensure_ascii=False, default=str))
            return
        if format == "dot":
            typer.echo(lineage_to_dot(lin))
            return
        direction = "upstream of" if up else "downstream of"
        typer.echo(f"Lineage {direction} {_describe(G, root)}")
        if others:
            typer.echo(f"(also matches: {', '.join(others[:5])})")
        rows = lin.to_rows()
        for r in rows:
            for c in ("data_category", "purpose", "recipient", "transferred_by", "country"):
                r[c] = _short(G, r[c]) if r[c] in G else r[c]
            inferred = set(r.get("inferred_bases", ()))
            r["legal_basis"] = [_short(G, x) + (" (inferred)" if x in inferred else "") for x in r["legal_basis"]]
            for c in ("safeguards", "retention"):
                r[c] = [_short(G, x) for x in r[c]]
        cols = [c for c in ROW_COLUMNS if c not in ("retention", "status", "inferred_bases")]
        if rows:
            typer.echo(format_table([c.replace("_", " ") for c in cols] + ["status"],
                                    [[_cell(r[c]) for c in cols] + [r["status"]] for r in rows]))
        else:
            typer.echo("No paths: the catalog states nothing further for this term.")
        retention = sorted({x for r in rows for x in r["retention"]})
        if retention:
            typer.echo(f"Retention: {'; '.join(retention)}")

    @export_app.command("dot")
    def export_dot(
        output: Optional[str] = typer.Option(None, "--output", "-o", help="File to write (default: standard output)."),
        highlight: Optional[str] = typer.Option(None, "--highlight", help="A term whose downstream lineage is drawn in red."),
        policy: Optional[str] = PolicyOption,
        org: Optional[str] = OrgOption,
        db: Optional[str] = DbOption,
        force: bool = ForceOption,
    ) -> None:
        """The processing graph as Graphviz DOT: columns subjects -> categories -> purposes -> bases -> recipients -> countries -> safeguards.

        Render it with `dot -Tsvg catalog.dot -o catalog.svg` (or st.graphviz_chart).

        Example: ropa export dot -o catalog.dot --policy alibaba-com-2019-01-17 --highlight "payment card"
        """
        from catalog.queries.lineage.walk import downstream
        from catalog.export.dot import to_dot

        from catalog.export.files import write_text_atomically

        target = output_path(output, "dot", db, force) if output is not None else None
        G = load_graph(db, policy, org)
        marked: set[str] = set()
        if highlight:
            root, _ = pick(G, highlight, up=False)
            marked = set(downstream(G, root).nodes)
        title = policy or org or "ROPA catalog"
        src = to_dot(G, title=title, highlight=marked)
        if target is None:
            typer.echo(src)
            return
        write_text_atomically(target, src)
        typer.echo(f"wrote {output}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges")
