"""Scoring speed on the Paris scenario, against the targets of the bots-and-analysis work.

Prints, each the median of several runs:

- ns per deal scored (whole deal space at once) and µs per deal on the engine's per-deal path;
- the whole deal space scored: credibility and every role's satisfaction (target < 50 ms);
- the exact Pareto frontier over it (target < 0.2 s);
- ``negotiation analyze --scenario paris-2025`` wall time, start-up included (target < 1 s),
  and its peak memory (target < 300 MB);
- full bot games per second in ``simulate``, with one worker and with two (target: 100 per
  core).

    python benchmarks/scoring.py [--runs 7] [--games 200]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

from negotiation.analysis.solutions import pareto_frontier
from negotiation.analysis.space import build_space, pledge_profile
from negotiation.bots import strategy
from negotiation.bots.runner import simulate
from negotiation.rules import Ruleset, Situation
from negotiation.scenario import resolve_scenario


def median_time(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def python_loop() -> None:
    total = 0
    for i in range(10_000_000):
        total += i


def command() -> list[str]:
    exe = shutil.which("negotiation")
    return [exe] if exe else [sys.executable, "-m", "negotiation"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--games", type=int, default=200)
    args = parser.parse_args()
    scenario = resolve_scenario("paris-2025")
    rules = Ruleset(scenario)
    build_start = time.perf_counter()
    rules.table  # noqa: B018
    build = time.perf_counter() - build_start
    pledges = pledge_profile(scenario, "half")
    situation = Situation()
    space = build_space(rules, pledges, situation)
    count = space.size

    whole = median_time(lambda: build_space(rules, pledges, situation), args.runs)
    package = dict(scenario.opening)

    def per_deal() -> None:
        for _ in range(1000):
            rules.memo.clear()  # time the scoring itself, not the memo's answer
            card = rules.credibility(package, pledges, situation)
            for role in scenario.roles:
                rules.satisfaction(role, package, pledges, card, situation)

    one = median_time(per_deal, args.runs) / 1000
    frontier = median_time(lambda: pareto_frontier(space), args.runs)

    env = {**os.environ}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([*command(), "analyze"], capture_output=True, check=True, env=env)
    walls = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([*command(), "analyze"], capture_output=True, check=True, env=env)
        walls.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    strategies = {r: role.default_strategy for r, role in scenario.roles.items()}
    rates = {}
    for workers in (1, 2):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            simulate(scenario, args.games, 0, strategies, strategy, workers=workers)
            runs.append(args.games / (time.perf_counter() - start))
        rates[workers] = statistics.median(runs)

    figures = {
        "packages": count,
        "table_build_ms": round(build * 1000, 1),
        "ns_per_deal_whole_space": round(whole / count * 1e9, 1),
        "us_per_deal_engine_path_all_roles": round(one * 1e6, 1),
        "whole_space_ms": round(whole * 1000, 2),
        "pareto_ms": round(frontier * 1000, 2),
        "pareto_size": len(pareto_frontier(space)),
        "analyze_wall_s": round(statistics.median(walls), 3),
        "analyze_peak_mb": round(peak_mb, 1),
        "simulate_games_per_s_1_worker": round(rates[1], 1),
        "simulate_games_per_s_2_workers": round(rates[2], 1),
        # This machine's speed drifts by up to 2x over a day: a fixed pure-Python loop, timed
        # now, lets figures from different runs be compared.
        "python_loop_10M_s": round(median_time(python_loop, 3), 2),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
