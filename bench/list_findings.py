"""Every finding of a given severity on real policies, with its evidence, for a person to judge.

Builds ../shared/corpus/other and ../shared/corpus/vendors (or the paths given) into a temporary
SQLite catalog through the real pipeline, runs the risk checks per organisation as `ropa risks`
does, and prints each finding with the facts behind it and their quotes, then the counts. The
verdicts (valid / false alarm) are a person's: this script only lists, so they can be redone
whenever extraction changes.

    .venv/bin/python bench/list_findings.py [--severity high] [--quote-chars 300] [PATH ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.pipeline.build import build  # noqa: E402
from catalog.graph.build import to_graph  # noqa: E402
from catalog.checks.risks import find_risks  # noqa: E402
from catalog.store.engine import make_engine  # noqa: E402
from catalog.store.read import read_extractions  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT_PATHS = (CORPUS / "other", CORPUS / "vendors")


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", nargs="*", type=Path, default=list(DEFAULT_PATHS))
    ap.add_argument("--severity", default="high", help="high, medium, low or all (default: high)")
    ap.add_argument("--quote-chars", type=int, default=300)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(str(Path(tmp) / "findings.db"))
        result = build(args.paths, engine)
        G = to_graph(read_extractions(engine))
        findings = find_risks(G)
    shown = [f for f in findings if args.severity == "all" or f.severity == args.severity]
    for i, f in enumerate(shown, 1):
        print(f"[{i}] {f.severity}  {f.id}")
        print(f"    about: {f.organisation} · {', '.join(f.policy_ids)}")
        print(f"    {f.detail}")
        if f.inferred:
            print(f"    rests on inferred: {', '.join(f.inferred)}")
        for e in f.evidence:
            print(f"    - {e.get('section', '')[:60]!r}: \"{_short(e.get('quote', ''), args.quote_chars)}\"")
        print()
    by_sev = Counter(f.severity for f in findings)
    by_check = Counter((f.severity, f.check) for f in findings)
    print(f"{len(result.policy_ids)} policy versions; {len(findings)} findings: "
          + ", ".join(f"{by_sev[s]} {s}" for s in ("high", "medium", "low")))
    for (sev, check), n in sorted(by_check.items(), key=lambda x: (["high", "medium", "low"].index(x[0][0]), x[0][1])):
        print(f"  {sev:<7}{check:<40}{n:>4}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
