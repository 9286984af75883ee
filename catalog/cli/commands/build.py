"""`ropa build`: read policies, extract their facts with evidence, and store them (files, a versions
repository with --ota, or a Dask cluster with --workers/--scheduler)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from catalog.cli.app import DbOption, _engine, _opened, fail, first_line, missing_extra, parse_since, plural, progress, unreachable


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command()
    def build(
        paths: Optional[list[Path]] = typer.Argument(None, readable=False,  # our own check says what is wrong, in one line
                                                     help="Policy files (.txt, .md, .html) or directories of them."),
        db: Optional[str] = DbOption,
        workers: Optional[int] = typer.Option(
            None, "--workers", min=1, help="Extract in parallel on a local Dask cluster of N worker processes."),
        scheduler: Optional[str] = typer.Option(
            None, "--scheduler", help="Extract on an existing dask.distributed cluster (e.g. tcp://10.0.0.5:8786)."),
        ota: Optional[Path] = typer.Option(
            None, "--ota", help="A local clone of an Open Terms Archive versions repository: build every recorded version."),
        service: Optional[list[str]] = typer.Option(
            None, "--service", help="With --ota: a service folder to build (repeatable; default: every service)."),
        document: str = typer.Option("Privacy Policy", "--document", help="With --ota: the document type (file name without .md)."),
        since: Optional[str] = typer.Option(None, "--since", help="With --ota: only commits on or after this date (YYYY-MM-DD)."),
        org: Optional[str] = typer.Option(
            None, "--org", metavar="NAME",
            help="The organisation that publishes the files, whatever their text says (its slug starts the ids)."),
        date: Optional[str] = typer.Option(
            None, "--date", metavar="YYYY-MM-DD", help="The effective date of the files, whatever their text says."),
    ) -> None:
        """Read policies, extract their facts with evidence, and store them.

        Re-building a version already stored replaces its facts in one transaction. Without --workers
        or --scheduler a bad input aborts the build (exit 2, database unchanged); with them each failing
        file is reported with its reason, the rest is stored, and the exit status is 1.

        With --ota, every commit that changed the document of a service becomes a version of that
        service's organisation, dated by the text (else by the commit), its source the repository, path and
        commit. Versions already stored (same commit, or same text) are skipped, so a nightly re-run adds only
        what is new; a commit whose file cannot be read is reported (exit 1) and the rest is stored.

        Example: ropa build data/policies --db catalog.db

        Example: ropa build vendors/ --workers 2 --db postgresql+psycopg://user:pw@host/ropa

        Example: ropa build --ota contrib-versions --service Alibaba.com --service Booking.com

        --org and --date correct what a text says of itself (a policy that names no organisation, or dates
        itself nowhere): every file built gets them, and a file holding several versions refuses --date.

        Example: ropa build acme-privacy.md --org "Acme Ltd" --date 2024-03-01
        """
        from catalog.pipeline.build import collect_files, extract_all, read_documents
        from catalog.ingest.files import InputError

        publisher, effective = _org_and_date(org, date)
        if (org is not None or date is not None) and (ota is not None or workers or scheduler):
            fail("--org and --date go with policy files: not with --ota, --workers or --scheduler")
        if ota is not None:
            if paths or workers or scheduler:
                fail("--ota builds from a versions repository: give no PATH, --workers or --scheduler with it")
            _build_ota(ota, service or [], document, since, db)
            return
        if service or since or document != "Privacy Policy":
            fail("--service, --document and --since go with --ota REPOSITORY")
        if not paths:
            fail("nothing to build: give policy files or directories, or --ota REPOSITORY")
        if workers or scheduler:
            try:
                import dask.distributed  # noqa: F401  (an optional extra: say so before anything is created)
            except ImportError as e:
                fail(f"--workers and --scheduler need Dask: {missing_extra(e)}")
            _build_batch(paths, db, workers or 2, scheduler)
            return
        try:
            files = collect_files(paths)
            with progress(len(files) if len(files) > 1 else 0, "Reading") as bar:
                docs = read_documents(files, tick=lambda _f: bar.update(1), publisher=publisher, effective=effective)
        except InputError as e:
            fail(str(e))
        engine = _engine(db, create=True)
        extractions = _store(engine, extract_all(docs), db)  # as stored: an id another file holds is suffixed
        for x in extractions:
            counts = x.counts()
            typer.echo(f"{x.policy.id}: {plural(sum(counts.values()), 'fact')}, {plural(len(x.links), 'link')} ({x.policy.title}, "
                       f"effective {x.policy.effective_date or 'unknown'})")
            for w in x.warnings:
                typer.echo(f"warning: {w}", err=True)


def _org_and_date(org: Optional[str], date: Optional[str]):  # noqa: ANN202
    """--org NAME and --date YYYY-MM-DD checked: (publisher, effective date), "" and None when not given."""
    import datetime as dt

    from catalog.ingest.publisher import slug

    publisher = " ".join((org or "").split())
    if org is not None and slug(publisher) == "policy" and "policy" not in publisher.lower():
        fail(f"--org {org!r} names no organisation: give its name, e.g. --org \"Acme Ltd\"")
    try:
        effective = dt.date.fromisoformat(date) if date is not None else None
    except ValueError:
        fail(f"--date {date!r} is not a date (YYYY-MM-DD)")
    return publisher, effective


def _store(engine, extractions: list, db: Optional[str]) -> list:  # noqa: ANN001
    """Write the extractions in one transaction and return them as stored (ids decided there);
    a database error is one line, nothing stored: exit 2 for a read-only or corrupted catalog file
    (CatalogGroup's line), exit 1 for a server that went away."""
    from sqlalchemy.exc import DatabaseError, SQLAlchemyError

    from catalog.store.write import write_extractions

    try:
        return write_extractions(engine, extractions)
    except SQLAlchemyError as e:  # one line, not a traceback; the transaction was rolled back
        if isinstance(e, DatabaseError) and not unreachable(e):
            raise
        fail(f"cannot store in {_opened.get('db', db or 'the catalog')}: {first_line(e)}", 1)


def _build_ota(repo: Path, services: list[str], document: str, since: Optional[str], db: Optional[str]) -> None:
    """--ota: the history of the chosen documents; a bad commit is reported and the rest stored (exit 1)."""
    from catalog.pipeline.build import extract_all, read_new_versions
    from catalog.ingest.files import InputError
    from catalog.ingest.ota import check_repository, read_log

    since_date = parse_since(since)
    try:  # the repository and the services are checked before the catalog is opened (or created)
        top = check_repository(repo)
        records = read_log(top, services, document, since_date)
    except InputError as e:
        fail(str(e))
    engine = _engine(db, create=True)
    typer.echo(f"{plural(len(records), 'recorded version')} of '{document}' for "
               f"{plural(len({r.service for r in records}), 'service')} in {top}", err=True)
    with progress(len(records), "Reading history") as bar:
        result = read_new_versions(top, records, engine, tick=lambda _r: bar.update(1))
    with progress(len(result.versions), "Extracting") as bar:
        result.extractions = extract_all(result.versions, tick=lambda _d: bar.update(1))
    result.extractions = _store(engine, result.extractions, db)
    for x in result.extractions:
        o = x.policy.origin
        typer.echo(f"{x.policy.id}: {plural(sum(x.counts().values()), 'fact')}, {plural(len(x.links), 'link')} ({x.policy.title}, "
                   f"effective {x.policy.effective_date or 'unknown'}, commit {o.commit[:12] if o else '?'})")
        for w in x.warnings:
            typer.echo(f"warning: {w}", err=True)
    for p in result.problems:
        typer.echo(f"failed: {p}", err=True)
    typer.echo(f"stored {plural(len(result.extractions), 'new version')}; {result.skipped} already in the catalog; "
               f"{len(result.problems)} could not be read", err=True)
    if result.problems:
        raise typer.Exit(1)


def _build_batch(paths: list[Path], db: Optional[str], workers: int, scheduler: Optional[str]) -> None:
    """--workers / --scheduler: extraction and storing on Dask; a failing file is reported and the rest stored."""
    from catalog.pipeline.batch import build_batch
    from catalog.ingest.files import InputError, policy_files
    from catalog.store.database import database_url

    files: list[Path] = []
    failures: list[tuple[str, str]] = []
    for p in paths:
        try:
            files.extend(f for f in policy_files(p) if f not in files)
        except InputError as e:
            failures.append((e.path, e.problem))
    _engine(db, create=True).dispose()  # the schema is created or upgraded once, here, before the workers write
    url = database_url(db)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):  # workers may run elsewhere
        url = "sqlite:///" + str(Path(url[len("sqlite:///"):]).resolve())
    where = scheduler or f"a local Dask cluster of {workers} workers"
    typer.echo(f"building {plural(len(files), 'file')} on {where}", err=True)
    state = {"done": 0, "failed": 0}

    def show(_item: object) -> str:
        return f"done {state['done']} · failed {state['failed']} · left {len(files) - state['done']}"

    with progress(len(files), "Extracting", item_show_func=show) as bar:
        def tick(done: int, failed: int, total: int) -> None:
            state.update(done=done, failed=failed)
            bar.update(1)

        try:
            result = build_batch(files, url, workers=workers, scheduler=scheduler, on_progress=tick)
        except OSError as e:  # cannot reach the scheduler
            fail(f"cannot reach the Dask scheduler {scheduler}: {e}", 1)
    typer.echo(show(None), err=True)  # the bar's last state, also when stderr is not a terminal
    for x in result.stored:
        typer.echo(f"{x.id}: {plural(x.facts, 'fact')}, {plural(x.links, 'link')} ({x.title}, effective {x.effective_date})")
        for w in x.warnings:
            typer.echo(f"warning: {w}", err=True)
    failures += result.failures
    for path, reason in failures:
        typer.echo(f"failed: {path}: {reason}", err=True)
    typer.echo(f"stored {plural(len(result.stored), 'policy version')} from "
               f"{plural(len(files) - len(result.failures), 'file')}; "
               f"{len(failures)} failed", err=True)
    if failures:
        raise typer.Exit(1)

