"""`ropa diff OLD NEW` and `ropa timeline`: what changed between policy versions, with quotes."""

from __future__ import annotations

import json
from typing import Optional

import typer

from catalog.cli.app import DbOption, ForceOption, OrgOption, _engine, fail, output_path, plural, require_org
from catalog.tabulate import format_table

FORMATS = ("table", "json", "xlsx")


def _clip(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _counts(c: dict[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in c.items()) or "-"


def diff_table(d, restated: bool = False) -> str:  # noqa: ANN001  (a PolicyDiff)
    """The terminal view: a header, the section changes, then one line per entry with a quote."""
    lines = [f"{d.old_id} ({d.old_date or 'undated'}) → {d.new_id} ({d.new_date or 'undated'})"]
    s = d.summary()
    for c in ("added", "removed", "changed", "restated"):
        lines.append(f"  {c:<9} {_counts(s[c])}")
    for label, titles in (("sections added", d.sections_added), ("sections removed", d.sections_removed)):
        if titles:
            lines.append(f"  {label}: " + "; ".join(titles))
    if d.sections_renamed:
        lines.append("  sections renumbered: " + "; ".join(f"{a} → {b}" for a, b in d.sections_renamed))
    rows = []
    for e in d.entries:
        if e.change == "restated" and not restated:
            continue
        if e.change == "restated":
            quote = (e.quotes_added or e.new_quotes or ("",))[0]
        elif e.change == "changed":
            quote = "; ".join(f"{k}: {v['old']} → {v['new']}" for k, v in e.fields.items())
        else:
            quote = (e.new_quotes or e.old_quotes or ("",))[0]
        rows.append([e.change, e.kind, _clip(e.id, 70), _clip(e.label, 40), _clip(quote, 70)])
    lines.append("")
    lines.append(format_table(["change", "kind", "id", "label", "quote / fields"], rows))
    if not restated and d.restated:
        lines.append(f"({plural(len(d.restated), 'fact or link', 'facts and links')} restated in other words: --restated lists them)")
    return "\n".join(lines)


def timeline_table(steps: list[dict]) -> str:
    """One line per step between consecutive versions, with the notable items."""
    rows = []
    for s in steps:
        items = ", ".join(("+" if n["change"] == "added" else "-" if n["change"] == "removed" else "~") + n["id"]
                          for n in s["notable"])
        rows.append([s["organisation"], f"{s['from_date'] or '?'} → {s['to_date'] or '?'}", s["to"],
                     _clip(_counts(s["added"]), 50), _clip(_counts(s["removed"]), 50),
                     str(len(s["sections_added"])) + "/" + str(len(s["sections_removed"])), _clip(items, 90) or "-"])
    return format_table(["organisation", "step", "version", "added", "removed", "sections +/-", "notable"], rows)


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command("diff")
    def diff_command(
        old: str = typer.Argument(..., help="The older policy version id (see `ropa policies`)."),
        new: str = typer.Argument(..., help="The newer policy version id."),
        format: str = typer.Option("table", "--format", help="table, json or xlsx"),
        output: Optional[str] = typer.Option(None, "--output", "-o", help="File to write (required for xlsx)."),
        restated: bool = typer.Option(False, "--restated", help="Table: also list facts only reworded."),
        db: Optional[str] = DbOption,
        force: bool = ForceOption,
    ) -> None:
        """Facts and links added, removed and changed between two policy versions, with quotes from each side.

        Facts match by node id, links by (source, target, relation); sections by heading.

        Example: ropa diff alibaba-com-2018-05-25 alibaba-com-2019-01-17 --format xlsx -o diff.xlsx
        """
        from catalog.compare.diff import diff
        from catalog.store.read import read_extractions, read_policies

        if format not in FORMATS:
            fail(f"unknown format {format!r}; expected one of: {', '.join(FORMATS)}")
        if format == "xlsx" and output is None:
            fail("--format xlsx needs --output FILE (-o)")
        target = output_path(output, f"diff-{format}", db, force) if output is not None else None
        engine = _engine(db)
        known = [p.id for p in read_policies(engine)]
        for pid in (old, new):
            if pid not in known:
                fail(f"no policy version {pid!r} in the catalog; known: "
                     f"{', '.join(known) or 'none (run `ropa build` first)'}")
        xs = {x.policy.id: x for x in read_extractions(engine, [old, new])}
        d = diff(xs[old], xs[new])
        if format == "xlsx":
            from catalog.export.diff_workbook import write_diff_xlsx

            write_diff_xlsx(target, d)
            typer.echo(f"wrote {output}: {plural(len(d.entries), 'change')}, "
                       f"{plural(len(d.sections_added) + len(d.sections_removed), 'section change')}")
            return
        text = json.dumps(d.to_dict(), indent=2, default=str) if format == "json" else diff_table(d, restated)
        if target is not None:
            from catalog.export.files import write_text_atomically

            write_text_atomically(target, text + "\n")
            typer.echo(f"wrote {output}")
        else:
            typer.echo(text)

    @app.command("timeline")
    def timeline_command(
        org: Optional[str] = OrgOption,
        format: str = typer.Option("table", "--format", help="table or json"),
        db: Optional[str] = DbOption,
    ) -> None:
        """What each new version of a policy added and removed, oldest first: recipients, transfers,
        safeguards and special-category data called out.

        Example: ropa timeline --org alibaba-com
        """
        from catalog.compare.diff import timeline
        from catalog.store.read import read_extractions, read_policies

        if format not in ("table", "json"):
            fail(f"unknown format {format!r}; expected table or json")
        engine = _engine(db)
        require_org(engine, org)
        steps = timeline(read_extractions(engine, organisation=org))
        if format == "json":
            typer.echo(json.dumps(steps, indent=2, default=str))
        elif not steps:
            typer.echo("No organisation has two versions in the catalog yet: nothing to compare.")
        else:
            typer.echo(timeline_table(steps))
