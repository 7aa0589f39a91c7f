"""Opening and fully replaying a 500-action save (target: under 0.3 s, start-up included).

Makes a 500-action Paris game (random legal moves, private messages included, 50 rounds so it
does not end early), saves it, then measures, each the median of several runs:

- in process: reading, validating and replaying every step with its hash check, plus the
  viewer's timeline of scores;
- as a command: ``negotiation replay SAVE --headless --no-log`` wall time, start-up included.

    python benchmarks/replay.py [--runs 7] [--actions 500]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from negotiation.engine import apply, legal_actions, new_game
from negotiation.report.timeline import timeline
from negotiation.rules import Ruleset
from negotiation.savefile import loads, make_save, replay_states, write_save
from negotiation.scenario import resolve_scenario


def long_game(actions: int):  # type: ignore[no-untyped-def]
    rules = Ruleset(resolve_scenario("paris-2025"))
    rng = random.Random(7)
    state = new_game(rules, seed=7, rounds=50)
    while state.steps < actions and not state.over:
        assert state.turn is not None
        moves = legal_actions(state, state.turn, proposals=False)
        # Keep the talks going: no walk-outs, no votes called, every forced vote rejected.
        quiet = [
            m
            for m in moves
            if m.type not in ("walk_out", "call_vote") and getattr(m, "accept", False) is False
        ] or moves
        talk = [m for m in quiet if m.type == "message"]
        move = rng.choice(talk if talk and rng.random() < 0.5 else quiet)
        if move.type == "message":
            move = move.model_copy(update={"text": "Shall we talk about the mandate?"})
        state = apply(state, move)
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--actions", type=int, default=500)
    args = parser.parse_args()
    state = long_game(args.actions)
    folder = Path(tempfile.mkdtemp())
    path = folder / "long.json"
    write_save(path, make_save(state, {}))
    print(f"save: {state.steps} actions, {path.stat().st_size / 1000:.0f} kB")

    def open_and_replay() -> None:
        save = loads(path.read_bytes(), str(path))
        timeline(replay_states(save, str(path)))

    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        open_and_replay()
        times.append(time.perf_counter() - start)
    print(f"in process, open + replay + timeline: median {statistics.median(times) * 1000:.0f} ms")

    exe = shutil.which("negotiation")
    command = [exe] if exe else [sys.executable, "-m", "negotiation"]
    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    walls = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(
            [*command, "replay", str(path), "--headless", "--no-log"],
            check=True,
            capture_output=True,
            env=env,
        )
        walls.append(time.perf_counter() - start)
    print(f"negotiation replay --headless, wall:   median {statistics.median(walls) * 1000:.0f} ms")
    # This machine's speed drifts by up to 2x over a day: a fixed pure-Python loop, timed now,
    # lets figures from different runs be compared.
    loops = []
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        loops.append(time.perf_counter() - start)
    print(f"python loop of 10M additions (machine speed): {statistics.median(loops):.2f} s")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
