"""Is a build linear in the size of the text? Builds 0.1, 1 and 10 MB files of three shapes into a
SQLite catalog (read + extract + store, as `ropa build` does) and prints seconds per MB for each size;
for each shape the largest over the smallest must stay within 2x. The verdict uses this process's CPU
time (the machine is shared: wall time, printed beside it, moves with other people's load).

Shapes, made deterministically from the real policies in ../shared/corpus/other:
  paragraphs   ordinary policy text, paragraphs and lists, repeated
  one-line     the same text with every newline a space (5 MB took 235-324 s before issue 11)
  no-stops     a dense run of data, recipients and purposes with no sentence punctuation and no
               newline (one unit of the whole text before issue 11: quadratic in extraction)

    python bench/bench_linear.py [--repeat 3] [--sizes 0.1,1,10] [--shapes paragraphs,one-line,no-stops]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from catalog.pipeline.build import build
from catalog.store.engine import make_engine

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "other"
MB = 1_000_000
NO_STOPS = "we collect your email address phone number and location and share them with Google for advertising "


def base_text() -> str:
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md")))


def make_text(shape: str, size: int, base: str) -> str:
    """Pure: about `size` characters of one shape; copies are numbered so no block repeats the page's tail."""
    title = "Benchmark Shop Privacy Policy\n\nEffective date: 1 March 2024\n\n"
    if shape == "no-stops":
        body = NO_STOPS * (size // len(NO_STOPS) + 1)
    else:
        parts, n, i = [], 0, 0
        while n < size:
            i += 1
            part = f"# Part {i}\n\n{base}\n\nThis is the end of part {i}.\n\n"
            parts.append(part)
            n += len(part)
        body = "".join(parts)
        if shape == "one-line":
            body = body.replace("\n", " ")
    return title + body[: size - len(title)]


def build_once(path: Path, tmp: Path, run: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one build into a new SQLite catalog."""
    engine = make_engine(str(tmp / f"bench-{path.stem}-{run}.db"))
    cpu, wall = time.process_time(), time.perf_counter()
    build([path], engine)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    engine.dispose()
    return cpu, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="runs per size below 10 MB (10 MB and over: one)")
    ap.add_argument("--sizes", default="0.1,1,10", help="sizes in MB")
    ap.add_argument("--shapes", default="paragraphs,one-line,no-stops")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    base = base_text()
    print(f"{'shape':<11} {'size':>7} {'CPU s':>8} {'CPU s/MB':>9} {'wall s':>8} {'peak RSS':>9}  (medians)")
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        warm = tmp / "warm.md"
        warm.write_text(make_text("paragraphs", 20_000, base), encoding="utf-8")
        build_once(warm, tmp, 0)  # load the vocabulary once, outside the timings
        for shape in args.shapes.split(","):
            per_mb = []
            for size in sizes:
                path = tmp / f"{shape}-{size}.md"
                path.write_text(make_text(shape, int(size * MB), base), encoding="utf-8")
                runs = [build_once(path, tmp, r) for r in range(1 if size >= 10 else args.repeat)]
                cpu, wall = statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs)
                per_mb.append(cpu / size)
                peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                print(f"{shape:<11} {size:>5g}MB {cpu:>8.2f} {cpu / size:>9.2f} {wall:>8.2f} {peak:>7.0f}MB", flush=True)
                path.unlink()
            ratio = max(per_mb) / min(per_mb)
            verdicts.append((shape, ratio))
            print(f"{shape:<11} CPU s/MB largest/smallest: {ratio:.2f}x ({'within' if ratio <= 2 else 'NOT within'} 2x)")
    print("linear (every shape within 2x):", "yes" if all(r <= 2 for _, r in verdicts) else "no")


if __name__ == "__main__":
    main()
