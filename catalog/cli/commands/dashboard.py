"""`ropa dashboard`: the DPO dashboard (Streamlit) on a catalog, from a checkout or an installed wheel.

The app is the package's own catalog/dashboard/app.py, so its pages, favicon and .streamlit/config.toml
(no usage statistics, loopback only) come with it. The catalog is checked first, like every other
command reads one: a missing file or a database that is not a catalog is one `error:` line, not a page.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from pathlib import Path
from typing import Optional

import typer

from catalog.cli.app import DbOption, _engine, _opened, fail

#: The dashboard's main script, in the installed package.
APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"

DASHBOARD_EXTRA = "install the dashboard extra: pip install 'ropa-catalog[dashboard]'"


def catalog_url(db: Optional[str]) -> str:
    """The --db value as a URL the server can open from any directory (a SQLite path made absolute)."""
    from catalog.store.database import database_url, sqlite_path

    path = sqlite_path(db)
    return f"sqlite:///{path.resolve()}" if path is not None else database_url(db)


def streamlit_command(port: int, address: str) -> list[str]:
    """`python -m streamlit run app.py` with the server settings the command line gives (the rest
    comes from the app's .streamlit/config.toml; usage statistics are off here too)."""
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            "--server.port", str(port), "--server.address", address, "--server.headless", "true",
            "--browser.gatherUsageStats", "false"]


def _check_free(address: str, port: int) -> None:
    """One line, before Streamlit starts, when the address cannot be served on."""
    try:
        infos = socket.getaddrinfo(address, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        fail(f"--address {address!r}: {e.strerror or e}")
    family, kind, proto, _, where = infos[0]
    with socket.socket(family, kind, proto) as s:
        try:
            s.bind(where)
        except OSError as e:
            fail(f"cannot serve on {address}:{port}: {e.strerror or e} (choose another --port)")


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    @app.command()
    def dashboard(
        db: Optional[str] = DbOption,
        port: int = typer.Option(8501, "--port", metavar="N", help="Port to serve on (1-65535)."),
        address: str = typer.Option("127.0.0.1", "--address", metavar="ADDRESS",
                                    help="Address to serve on (loopback by default: the dashboard writes reviews)."),
    ) -> None:
        """Start the DPO dashboard on the catalog and print its URL (Ctrl-C stops it).

        Needs the dashboard extra: pip install 'ropa-catalog[dashboard]'.

        Example: ropa dashboard --db catalog.db --port 8502
        """
        if not 1 <= port <= 65535:
            fail(f"--port {port}: expected a port number from 1 to 65535")
        if importlib.util.find_spec("streamlit") is None:
            fail(f"the dashboard needs Streamlit: {DASHBOARD_EXTRA}")
        _engine(db).dispose()  # a missing file, or one that is not a catalog: one line, nothing started
        _check_free(address, port)
        env = {**os.environ, "ROPA_DB": catalog_url(db)}
        typer.echo(f"dashboard on http://{address}:{port} (catalog {_opened.get('db', db)}); Ctrl-C stops it")
        sys.stdout.flush()
        cmd = streamlit_command(port, address)
        os.execve(cmd[0], cmd, env)  # the server takes this process: a signal to it stops the server
