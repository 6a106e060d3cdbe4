"""How long `workbench --help` and `workbench status` take to start and finish.

Runs each command in a fresh interpreter several times and prints the best wall
time, the total time spent importing (`-X importtime`, summed self times) and the
heaviest top-level imports, beside `python -c pass` measured in the same run (the
interpreter's own start-up, which no change of ours can remove).

    python benchmarks/cli_startup.py [--rounds 7]

Target: under 0.3 s each (issue 9); neither may import spaCy or Textual.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)")


def best_wall(args: list[str], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def imports(args: list[str]) -> tuple[float, list[tuple[float, str]]]:
    """Summed self time of every import (s), and the top-level imports by cumulative time."""
    err = subprocess.run(
        [args[0], "-X", "importtime", *args[1:]], capture_output=True, text=True, check=True
    ).stderr
    total, top = 0.0, []
    for m in LINE.finditer(err):
        total += int(m[1]) / 1e6
        if not m[3]:
            top.append((int(m[2]) / 1e6, m[4]))
    return total, sorted(top, reverse=True)[:4]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        from workbench.store import Store

        Store(db).close()
        base = best_wall([py, "-c", "pass"], rounds)
        print(f"python -c pass: {base * 1000:.0f} ms (best of {rounds})")
        for name, args in (
            ("workbench --help", [py, "-m", "workbench", "--help"]),
            ("workbench status", [py, "-m", "workbench", "--db", str(db), "status"]),
        ):
            wall = best_wall(args, rounds)
            total, top = imports(args)
            heavy = ", ".join(f"{mod} {t * 1000:.0f}" for t, mod in top)
            print(
                f"{name}: {wall * 1000:.0f} ms wall ({wall / base:.1f}x python -c pass),"
                f" imports {total * 1000:.0f} ms; top: {heavy}"
            )


if __name__ == "__main__":
    main()
