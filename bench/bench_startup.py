"""Start-up of the command line: wall time of short commands against `python -c pass`, measured in
the same run (issue 15 asks for `ropa --help` within 3x and `ropa policies` within 6x of it).

Medians of --repeat runs of each command in turn (the commands alternate, so a busy spell of a shared
machine weighs on all of them alike).

    python bench/bench_startup.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "000_1847cb862053c11f.txt"


def _wall(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    ropa = str(Path(sys.executable).with_name("ropa"))
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "small.db")
        subprocess.run([ropa, "build", str(SEED), "--db", db], check=True, capture_output=True)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "ropa --help": [ropa, "--help"],
            "ropa policies (2 versions)": [ropa, "policies", "--db", db],
            "ropa build seed (66 KB, 2 versions)": [ropa, "build", str(SEED), "--db", db],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, cmd in commands.items():
                times[name].append(_wall(cmd))
    base = statistics.median(times["python -c pass"])
    print(f"median of {args.repeat} runs each, alternating")
    print(f"{'command':<38}{'median':>10}{'x python -c pass':>18}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:<38}{m * 1000:>8.0f} ms{m / base:>18.1f}")


if __name__ == "__main__":
    main()
