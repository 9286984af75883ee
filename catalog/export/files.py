"""Where an export may be written, and writing it so that nothing is clobbered or left half-written.

Every `-o FILE` of every command goes through here. `check_output` refuses, with a one-line
`OutputError`: an empty name, the catalog's own database file, anything that is not a regular file
(a directory, a device such as /dev/full, a FIFO), a missing directory, and an existing file that is
not a previous export of the same kind (unless `force`: a user who means it). An empty file holds
nothing to lose and may be replaced. `write_atomically` writes a temporary file in the target's
directory and renames it over the target (`os.replace`), so a reader, a crash or a full disk never
leaves half a file where the previous export was.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from catalog.messages import shown


class OutputError(Exception):
    """An output path the catalog refuses to write, with a one-line reason that names it."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{shown(path)}: {problem}")


# ---------------------------------------------------------------- what a previous export looks like


def _head(path: Path, n: int = 4096) -> bytes:
    with path.open("rb") as f:
        return f.read(n)


def _xlsx_sheets(path: Path) -> list[str]:
    """The sheet names of a workbook, read from its zip (no spreadsheet library, nothing evaluated)."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/workbook.xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, KeyError, OSError):
        return []
    return re.findall(r'<(?:\w+:)?sheet\b[^>]*\bname="([^"]*)"', xml)


def _is_json_export(path: Path) -> bool:
    return re.match(rb'\{\s*"schema_version"\s*:', _head(path)) is not None


def _is_diff_json(path: Path) -> bool:
    return re.match(rb'\{\s*"old"\s*:\s*\{\s*"id"\s*:', _head(path)) is not None


def _is_diff_table(path: Path) -> bool:
    return re.match(r"\S+ \([^)\n]*\) → \S+ \([^)\n]*\)\n  added ", _head(path).decode("utf-8", "replace")) is not None


def _is_csv_export(path: Path) -> bool:
    from catalog.export.ropa_columns import ROPA_COLUMNS

    first = _head(path).decode("utf-8", "replace").splitlines()[:1]
    try:
        return next(csv.reader(first), [])[:2] == list(ROPA_COLUMNS[:2])
    except csv.Error:  # not CSV at all
        return False


def _is_fides(path: Path) -> bool:
    return _head(path).startswith(b"system:\n- fides_key: ")


def _is_dot(path: Path) -> bool:
    return re.match(rb"digraph \w+ \{\n", _head(path)) is not None


def _is_changes_json(path: Path) -> bool:
    return re.match(rb'\[\s*(\]|\{\s*"organisation"\s*:)', _head(path)) is not None


def _is_changes_table(path: Path) -> bool:
    return re.match(rb"(seen +organisation +severity +change|No changes to act on)", _head(path)) is not None


def _is_ropa_xlsx(path: Path) -> bool:
    return _xlsx_sheets(path)[:1] in (["ROPA"], ["Registre"])  # the ICO layout, or the CNIL's


def _is_diff_xlsx(path: Path) -> bool:
    return _xlsx_sheets(path)[:2] == ["Diff", "Sections"]


#: kind -> recognises an existing file as a previous export of that kind (what may be replaced without --force).
KINDS: dict[str, tuple[str, Callable[[Path], bool]]] = {
    "json": ("JSON export of the catalog", _is_json_export),
    "xlsx": ("ROPA workbook", _is_ropa_xlsx),
    "csv": ("ROPA CSV", _is_csv_export),
    "fides": ("Fides manifest", _is_fides),
    "dot": ("Graphviz DOT export", _is_dot),
    "diff-xlsx": ("diff workbook", _is_diff_xlsx),
    "diff-json": ("JSON diff", _is_diff_json),
    "diff-table": ("diff table", _is_diff_table),
    "changes-xlsx": ("changes workbook", lambda p: _xlsx_sheets(p) == ["Changes"]),
    "changes-json": ("JSON list of changes", _is_changes_json),
    "changes-table": ("changes table", _is_changes_table),
}


# ---------------------------------------------------------------- checking


def check_output(path: str | Path, kind: str, catalog: str | Path | None = None, force: bool = False) -> Path:
    """The path to write an export of `kind` to, or OutputError saying why not (see the module's docstring).

    `catalog` is the catalog's SQLite file, if it has one: never written over, even with `force`.
    A symbolic link is followed: the file it points to is checked and replaced, the link kept.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown export kind {kind!r}")
    if not str(path).strip():
        raise OutputError(path, "empty output file name")
    given = Path(path)
    target = given.resolve()  # follows links; no error for a missing file
    if catalog is not None and _same_file(target, Path(catalog)):
        raise OutputError(given, "is the catalog's own database; choose another output file")
    if not target.parent.is_dir():
        raise OutputError(given, f"no such directory {shown(target.parent)}")
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as e:
        raise OutputError(given, f"cannot check it: {e.strerror or e}") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(given, "is a directory; give a file name")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(given, "is not a regular file (a device, pipe or socket); give a file name")
    if st.st_size == 0 or force:
        return target
    label, recognise = KINDS[kind]
    try:
        ours = recognise(target)
    except OSError as e:
        raise OutputError(given, f"exists and cannot be read to check it ({e.strerror or e}); "
                                 "use --force to replace it") from None
    if not ours:
        raise OutputError(given, f"exists and is not a previous {label}; use --force to replace it")
    return target


def _same_file(target: Path, catalog: Path) -> bool:
    """The catalog's file itself, or one of SQLite's files beside it (journal, WAL)."""
    real = catalog.resolve()
    for name in (real.name, real.name + "-journal", real.name + "-wal", real.name + "-shm"):
        other = real.with_name(name)
        if target == other:
            return True
        try:
            if target.exists() and other.exists() and os.path.samefile(target, other):
                return True  # a hard link to it
        except OSError:
            continue
    return False


# ---------------------------------------------------------------- writing


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Call `write(tmp)` on a new file in the target's directory, then rename it over the target.

    The new file gets the replaced file's permissions (or the umask's); on any failure the temporary
    file is removed and the target is as it was. An OSError becomes an OutputError naming the target.
    """
    target = Path(path)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = None  # a new file: 0o666 less the umask, as any program makes it
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        if mode is not None:
            os.chmod(tmp, mode)
        try:
            write(tmp)
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            if target.exists() and not target.is_file():
                raise OutputError(target, "is no longer a regular file; nothing written")
            os.replace(tmp, target)
        finally:
            if tmp.exists():
                tmp.unlink()
    except OSError as e:
        raise OutputError(target, f"cannot write it: {e.strerror or e}") from None
    return target


def write_text_atomically(path: str | Path, text: str) -> Path:
    """UTF-8 text, written atomically."""
    return write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
