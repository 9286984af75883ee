"""Precision and recall per fact kind on the annotated dev set (passage-level; see catalog/evaluation/devset.py).

Usage: .venv/bin/python bench/score_dev.py [DEV_DIR]   (or `make score`). Prints a table; writes nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from catalog.evaluation.devset import REQUIREMENT_RIGHT, SCORED_KINDS, Counts, macro, micro, score_dir  # noqa: E402

DEV = ROOT.parent / "shared" / "corpus" / "gdpr-transparency-dev"


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else DEV
    scores = score_dir(path)
    total = micro(scores)
    rights = sorted(k for k in total if k.startswith("right:") and k[6:] in REQUIREMENT_RIGHT.values())
    print(f"dev set: {path} ({len(scores)} policies, {sum(s.passages for s in scores)} passages, "
          f"{sum(s.unlocated for s in scores)} not found in the ingested text)")
    print("unit: (passage, kind); micro over all policies; macro = mean over policies where the kind occurs\n")
    head = f"{'kind':<28}{'gold':>6}{'pred':>6}{'TP':>6}{'P':>7}{'R':>7}{'F1':>7}   {'macro P':>7}{'R':>7}{'F1':>7}"
    print(head)
    print("-" * len(head))
    main_rows = [k for k in SCORED_KINDS if k in total]
    for kind in [*main_rows, *rights]:
        c = total.get(kind, Counts())
        mp, mr, mf = macro(scores, kind)
        print(f"{kind:<28}{c.gold:>6}{c.predicted:>6}{c.tp:>6}{c.precision:>7.3f}{c.recall:>7.3f}{c.f1:>7.3f}"
              f"   {mp:>7.3f}{mr:>7.3f}{mf:>7.3f}")
    all_kinds = Counts()
    for kind in main_rows:
        if kind != "legitimate_interests":
            all_kinds.add(total[kind])
    print("-" * len(head))
    print(f"{'all kinds (micro)':<28}{all_kinds.gold:>6}{all_kinds.predicted:>6}{all_kinds.tp:>6}"
          f"{all_kinds.precision:>7.3f}{all_kinds.recall:>7.3f}{all_kinds.f1:>7.3f}")
    values = sum((s.values for s in scores), start=Counter())
    hits = sum((s.value_hits for s in scores), start=Counter())
    print("\nvalue level (gold value phrase covered by evidence of a fact of its kind):")
    for kind in main_rows:
        if values[kind]:
            print(f"  {kind:<26}{hits[kind]:>5} / {values[kind]:<5} recall {hits[kind] / values[kind]:.3f}")
    reported = sum((s.reported for s in scores), start=type(scores[0].reported)()) if scores else {}
    for req, n in sorted(reported.items()):
        print(f"not scored: {req}: {n} gold annotations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
