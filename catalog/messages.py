"""How a one-line message names what it is about (pure, imports nothing of the catalog).

At the bottom of the stages: ingest reports a bad input file with it, the outputs a refused path,
the CLI every error.
"""

from __future__ import annotations

from pathlib import Path


def shown(path: str | Path) -> str:
    """A file name as it appears in a one-line message: quoted when it holds a newline or other control."""
    s = str(path)
    return s if s.isprintable() and s.strip() == s and s else repr(s)
