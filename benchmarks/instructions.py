"""Instructions per bot game in ``simulate``, counted by Valgrind: a figure that does not drift.

On this machine the wall-clock speed of the same code drifts by up to a factor of two over a
day, and two runs a minute apart differ by 15%: too much to tell whether a change that saves
5% saves anything. The number of instructions a game takes is the same from run to run (with
hash randomisation and BLAS threads off), so it compares two versions of the code exactly. It
does not see cache misses, so a change that moves memory about must still be timed.

    python benchmarks/instructions.py [--games 32] [--scenario paris-2025]

Prints thousands of instructions per game: a run of ``--games`` games less a run of none
(start-up, imports and two warm-up games are in both). Needs ``valgrind`` on the PATH.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys

CHILD = """
import sys
from negotiation.bots import strategy
from negotiation.bots.runner import simulate
from negotiation.scenario import resolve_scenario

scenario = resolve_scenario(sys.argv[1])
mix = {r: role.default_strategy for r, role in scenario.roles.items()}
simulate(scenario, 2, 0, mix, strategy)
games = int(sys.argv[2])
if games:
    simulate(scenario, games, 100, mix, strategy)
"""


def instructions(scenario: str, games: int) -> int:
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            "-c",
            CHILD,
            scenario,
            str(games),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit("valgrind printed no instruction count")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=32)
    parser.add_argument("--scenario", default="paris-2025")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("benchmarks/instructions.py needs valgrind on the PATH")
    base = instructions(args.scenario, 0)
    total = instructions(args.scenario, args.games)
    print(f"{(total - base) / args.games / 1000:,.0f} K instructions per game ({args.scenario})")


if __name__ == "__main__":
    main()
