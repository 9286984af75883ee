"""Key-fact scores on the development gold (../shared/corpus/key-facts), the way a DPO's reviewer scores.

Builds ../shared/corpus/other and ../shared/corpus/vendors into a fresh SQLite catalog with the real
CLI (`ropa build`, `ropa export json`), then runs the gold's own scorer (`key-facts/score.py`, not
ours) on the export and prints its table. Usage: .venv/bin/python bench/score_keyfacts.py [--verbose]
(or `make score-keyfacts`). Writes only into a temporary directory (or --keep DIR).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
KEY_FACTS = CORPUS / "key-facts"


def main(argv: list[str]) -> int:
    keep = argv[argv.index("--keep") + 1] if "--keep" in argv else ""
    verbose = ["--verbose"] if "--verbose" in argv else []
    ropa = [sys.executable, "-m", "catalog"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(keep or tmp)
        out.mkdir(parents=True, exist_ok=True)
        db, export = out / "keyfacts.db", out / "keyfacts.json"
        db.unlink(missing_ok=True)
        subprocess.run([*ropa, "build", str(CORPUS / "other"), str(CORPUS / "vendors"), "--db", str(db)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        subprocess.run([*ropa, "export", "json", "-o", str(export), "--db", str(db)], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        gold = sorted(str(p) for p in KEY_FACTS.glob("*.yaml"))
        return subprocess.run([sys.executable, str(KEY_FACTS / "score.py"), str(export), *gold, *verbose]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
