"""Start-up of the command line: wall time of short commands against `python -c pass`, measured in
the same run (issue 15 asks for `ropa --help` within 3x and `ropa policies` within 6x of it).

Medians of --repeat runs of each command in turn (the commands alternate, so a busy spell of a shared
machine weighs on all of them alike). Help is printed from a cache of what Typer printed (catalog.cli.launch):
the warm line is every run after the first in a terminal setting, the cold line a fresh cache each run.
`ropa reviews` is a command that still starts through Typer and SQLAlchemy, for comparison, and the
one-command Typer app is the floor of any command Typer parses (importing it, coercing one value).

    python bench/bench_startup.py [--repeat 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The least a command parsed by Typer costs: one command, one option given a value.
TYPER_APP = ("import typer\napp = typer.Typer()\n@app.command()\ndef policies(db: str = typer.Option('', '--db')) -> None:\n"
             "    pass\n@app.command()\ndef other() -> None:\n    pass\napp(['policies', '--db', 'x.db'], standalone_mode=False)\n")
SEED = ROOT.parent / "shared" / "seed" / "000_1847cb862053c11f.txt"


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    ropa = str(Path(sys.executable).with_name("ropa"))
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "small.db")
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(tmp) / "cache")}  # the help cache, warmed by the first run
        subprocess.run([ropa, "build", str(SEED), "--db", db], check=True, capture_output=True, env=env)
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "ropa --help": [ropa, "--help"],
            "ropa --help (cache cold)": [ropa, "--help"],
            "ropa policies (2 versions)": [ropa, "policies", "--db", db],
            "ropa reviews (Typer + SQLAlchemy)": [ropa, "reviews", "--db", db],
            "a one-command Typer app": [sys.executable, "-c", TYPER_APP],
            "ropa build seed (66 KB, 2 versions)": [ropa, "build", str(SEED), "--db", db],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for run in range(args.repeat):
            for name, cmd in commands.items():
                cold = {**env, "XDG_CACHE_HOME": str(Path(tmp) / f"cold-{run}")}
                times[name].append(_wall(cmd, cold if "cold" in name else env))
    base = statistics.median(times["python -c pass"])
    print(f"median of {args.repeat} runs each, alternating")
    print(f"{'command':<38}{'median':>10}{'x python -c pass':>18}")
    for name, ts in times.items():
        m = statistics.median(ts)
        print(f"{name:<38}{m * 1000:>8.0f} ms{m / base:>18.1f}")


if __name__ == "__main__":
    main()
