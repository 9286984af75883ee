"""Which policy files a path names, and reading one as text: the ingest stage's I/O, refusing bad input.

Every refusal is an `InputError` naming the file with a one-line reason (missing, a broken link, no
permission, not a regular file, an unsupported type, too large, empty, binary or undecodable), raised
before anything else happens, so the CLI prints one `error:` line and changes nothing.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from catalog.ingest import decode
from catalog.ingest.decode import Decoded
from catalog.messages import shown


SUPPORTED_SUFFIXES = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}
MAX_BYTES = 20 * 1024 * 1024


class InputError(Exception):
    """A file the catalog refuses, with a one-line reason that names the file (quoted if it must be)."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{shown(path)}: {problem}")


def _unreadable(p: Path) -> str | None:
    """Why a path cannot be opened (missing, a broken or looping link, no permission), or None."""
    try:
        p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            return f"broken symbolic link (to {shown(os.readlink(p))})"
        return "no such file or directory"
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "symbolic link loop"
        return _os_problem(e)
    return None


def _os_problem(e: OSError) -> str:
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied: cannot read it"
    return f"cannot read it: {e.strerror or e}"


def policy_files(path: str | Path) -> list[Path]:
    """The policy files a path names: the file itself, or the supported files under a directory.

    Every supported name under a directory is listed, links that lead nowhere included, so that a
    file that cannot be read is reported rather than silently left out; so is a subdirectory that
    cannot be listed.
    """
    p = Path(path)
    if problem := _unreadable(p):
        raise InputError(p, problem)
    if not p.is_dir():
        return [p]

    def refuse(e: OSError) -> None:
        raise InputError(e.filename or p, _os_problem(e).replace("read it", "list it"))

    files = []
    for top, dirs, names in os.walk(p, onerror=refuse):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # no .git, .venv
        for name in names:
            f = Path(top) / name
            if (not name.startswith(".") and f.suffix.lower() in SUPPORTED_SUFFIXES
                    and name.upper() not in {"README.MD", "SOURCES.MD"}):
                files.append(f)
    if not files:
        raise InputError(p, "directory holds no .txt, .md or .html file")
    return sorted(files)


def read_text(path: str | Path) -> tuple[str, str, str]:
    """Read a policy file as text, refusing what is not one. Returns (text, format, note on its encoding)."""
    p = Path(path)
    if problem := _unreadable(p):
        raise InputError(p, problem.replace(" or directory", ""))
    if not p.is_file():
        raise InputError(p, "not a regular file")
    fmt = SUPPORTED_SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        raise InputError(p, f"unsupported file type {p.suffix or '(none)'!r}: expected .txt, .md or .html")
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise InputError(p, f"file too large ({size / 1048576:.1f} MB; the limit is {MAX_BYTES // 1048576} MB)")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise InputError(p, _os_problem(e)) from None
    decoded = to_decoded(data, p)
    return decoded.text, fmt, f"{shown(p)}: {decoded.note}" if decoded.note else ""


def to_decoded(data: bytes, path: str | Path = "<input>") -> Decoded:
    """Decode a policy file's bytes (see catalog.ingest.decode), refusing empty, binary and undecodable input."""
    try:
        return decode.to_text(data)
    except decode.DecodeError as e:
        raise InputError(path, str(e)) from None


def to_text(data: bytes, path: str | Path = "<input>") -> str:
    """The text of a policy file's bytes, whatever their encoding (`to_decoded` also says which)."""
    return to_decoded(data, path).text
