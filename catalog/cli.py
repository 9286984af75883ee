"""`ropa`: build the catalog from privacy policies and ask it questions.

Every command takes --db (a SQLite path or any SQLAlchemy URL; default $DATABASE_URL, then
catalog.db). Bad input exits with status 2 and a one-line error, leaving the database as it was.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from catalog.ingest import InputError
from catalog.records import Kind
from catalog.tabulate import format_table

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
export_app = typer.Typer(no_args_is_help=True, help="Export the catalog (JSON graph, ROPA spreadsheet, ...).")
app.add_typer(export_app, name="export")

DbOption = typer.Option(None, "--db", help="SQLite file or SQLAlchemy URL (default: $DATABASE_URL, then catalog.db).")
PolicyOption = typer.Option(None, "--policy", "-p", help="Restrict to one policy version id.")
OrgOption = typer.Option(None, "--org", help="Restrict to one organisation (publisher slug, e.g. alibaba-com).")

#: Command modules under catalog/commands/: each has register(app, export_app).
COMMAND_MODULES: tuple[str, ...] = ()


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _engine(db: Optional[str]):
    from catalog.store import make_engine

    try:
        return make_engine(db)
    except Exception as e:  # a URL we cannot connect to: one line, not a traceback
        fail(f"cannot open database {db or ''}: {str(e).splitlines()[0]}", 1)


def load_graph(db: Optional[str], policy: Optional[str] = None, org: Optional[str] = None):
    """The graph of the whole catalog, one policy version, or one organisation's versions."""
    from catalog.graph import to_graph
    from catalog.store import read_extractions, read_policies

    engine = _engine(db)
    known = read_policies(engine)
    if policy and policy not in {p.id for p in known}:
        fail(f"no policy version {policy!r} in the catalog; known: {', '.join(p.id for p in known) or 'none (run `ropa build` first)'}")
    if org and org not in {p.organisation for p in known}:
        fail(f"no organisation {org!r} in the catalog; known: {', '.join(sorted({p.organisation for p in known})) or 'none'}")
    return to_graph(read_extractions(engine, [policy] if policy else None, organisation=org))


_load_graph = load_graph


@app.command()
def build(
    paths: list[Path] = typer.Argument(..., help="Policy files (.txt, .md, .html) or directories of them."),
    db: Optional[str] = DbOption,
) -> None:
    """Read policies, extract their facts with evidence, and store them.

    Re-building a version already stored replaces its facts in one transaction.

    Example: ropa build data/policies --db catalog.db
    """
    from catalog.build import build as run_build, collect_files, extract_all, read_documents
    from catalog.store import write_extractions

    try:
        files = collect_files(paths)
        if len(files) > 1:
            with typer.progressbar(length=len(files), label="Reading", file=sys.stderr) as bar:
                docs = read_documents(files, tick=lambda _f: bar.update(1))
        else:
            docs = read_documents(files)
    except InputError as e:
        fail(str(e))
    engine = _engine(db)
    extractions = extract_all(docs)
    write_extractions(engine, extractions)
    _ = run_build  # the library's one-call pipeline; the CLI splits it for the progress bar
    for x in extractions:
        counts = x.counts()
        typer.echo(f"{x.policy.id}: {sum(counts.values())} facts, {len(x.links)} links ({x.policy.title}, "
                   f"effective {x.policy.effective_date or 'unknown'})")
        for w in x.warnings:
            typer.echo(f"warning: {w}", err=True)


@app.command()
def policies(db: Optional[str] = DbOption, format: str = typer.Option("table", "--format", help="table or json")) -> None:
    """List the policy versions in the catalog with their counts per kind.

    Example: ropa policies --db catalog.db
    """
    from catalog.store import read_counts, read_policies

    engine = _engine(db)
    rows = read_policies(engine)
    counts = read_counts(engine)
    data = [{"id": p.id, "title": p.title, "effective_date": p.effective_date.isoformat() if p.effective_date else "",
             "publisher": p.publisher, "source": p.source, "counts": counts.get(p.id, {})} for p in rows]
    if format == "json":
        typer.echo(json.dumps(data, indent=2))
        return
    if not data:
        typer.echo("The catalog is empty: run `ropa build PATH` first.")
        return
    short = {"controller": "ctrl", "data_subject": "subj", "data_category": "data", "purpose": "purp",
             "legal_basis": "basis", "recipient": "recip", "country": "ctry", "safeguard": "safeg",
             "retention": "ret", "right": "right", "cookie": "cookie"}
    headers = ["id", "title", "effective"] + list(short.values())
    table = [[d["id"], d["title"], d["effective_date"]] + [str(d["counts"].get(k, 0)) for k in short] for d in data]
    typer.echo(format_table(headers, table))


@app.command()
def show(
    kind: str = typer.Argument(..., help="One of: " + ", ".join(k.value for k in Kind)),
    policy: Optional[str] = PolicyOption,
    db: Optional[str] = DbOption,
    format: str = typer.Option("table", "--format", help="table or json"),
) -> None:
    """List the facts of one kind, with the policy versions that state them and a quote.

    Example: ropa show recipient --policy alibaba-com-2019-01-17
    """
    try:
        kind_value = Kind(kind.replace("-", "_")).value
    except ValueError:
        fail(f"unknown kind {kind!r}; expected one of: {', '.join(k.value for k in Kind)}")
    from catalog.graph import nodes_of_kind

    G = _load_graph(db, policy)
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


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


@export_app.command("json")
def export_json(
    output: Path = typer.Option(..., "--output", "-o", help="File to write."),
    policy: Optional[str] = PolicyOption,
    db: Optional[str] = DbOption,
) -> None:
    """The processing graph as JSON: policies, nodes and edges, each with evidence.

    Example: ropa export json -o catalog.json --policy alibaba-com-2019-01-17
    """
    from catalog.export import to_json, write_json

    G = _load_graph(db, policy)
    data = to_json(G)
    write_json(output, data)
    typer.echo(f"wrote {output}: {len(data['policies'])} policies, {len(data['nodes'])} nodes, {len(data['edges'])} edges")


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(f"catalog.commands.{name}").register(app, export_app)


_register_commands()


def main() -> None:
    app(prog_name="ropa")


if __name__ == "__main__":
    main()
