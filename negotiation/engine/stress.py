"""The stress test: does the guarantee deter once the ink is dry?

After a deal is adopted and ratified, the other side probes it. Each simulated future runs a
number of years; each year brings a random number of probes, from drones over a staging base to
a ground incursion. A probe is deterred with a probability that rises with the deal's
credibility (and with the dimension that matters most for that kind of probe). An undeterred
minor probe erodes the next year's deterrence; an undeterred major one breaks the truce.
The same seed always tells the same futures.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random

from negotiation.engine.state import StressResult
from negotiation.rules import ScoreCard
from negotiation.scenario.model import StressTest

# (name, dimension it tests, severity: True breaks the truce if not deterred, relative weight)
PROBES: tuple[tuple[str, str, bool, float], ...] = (
    ("drones stray over a coalition staging base", "capability", False, 4.0),
    ("fighters test the air-policing patrols", "capability", False, 3.0),
    ("a disinformation campaign targets coalition publics", "cohesion", False, 3.0),
    ("artillery shells a village near the line of contact", "resolve", False, 2.0),
    ("a naval drone shadows a Black Sea convoy", "capability", False, 2.0),
    ("a battalion pushes across the line of contact", "resolve", True, 1.0),
    ("missiles strike a coalition logistics hub", "resolve", True, 0.5),
)


def deterrence_chance(credibility: float, dimension: float, spec: StressTest) -> float:
    """Chance that one probe is deterred: a logistic curve in credibility."""
    level = 0.7 * credibility + 0.3 * dimension
    return 1.0 / (1.0 + math.exp(-spec.steepness * (level - spec.midpoint)))


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means used here.
    limit = math.exp(-mean)
    k, p = 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


_CUMULATIVE = tuple(itertools.accumulate(w for *_, w in PROBES))


def _future(
    rng: random.Random,
    card: ScoreCard,
    spec: StressTest,
    tell: bool,
    chances: dict[tuple[str, float], float],
) -> tuple[bool, list[str]]:
    erosion = 0.0
    lines: list[str] = []
    total_weight = _CUMULATIVE[-1]
    for year in range(1, spec.years + 1):
        count = _poisson(rng, spec.probes_per_year)
        if count == 0:
            if tell:
                lines.append(f"Year {year}: a quiet year along the line.")
            continue
        events: list[str] = []
        for _ in range(count):
            name, dim, severe, _w = PROBES[bisect.bisect(_CUMULATIVE, rng.random() * total_weight)]
            key = (dim, erosion)
            chance = chances.get(key)
            if chance is None:
                chance = chances[key] = deterrence_chance(
                    card.total - erosion, card.dimensions[dim], spec
                )
            if rng.random() < chance:
                events.append(f"{name}, and backs off")
                continue
            if severe:
                if tell:
                    lines.append(
                        f"Year {year}: {name}. The coalition does not respond in time, "
                        "and the truce breaks down."
                    )
                return False, lines
            erosion += 5.0
            events.append(f"{name}, unanswered")
        if tell:
            lines.append(f"Year {year}: " + "; ".join(events) + ".")
    if tell:
        lines.append(f"After {spec.years} years the truce still holds.")
    return True, lines


def run_stress_test(card: ScoreCard, spec: StressTest, seed: int) -> StressResult:
    """Simulate ``spec.draws`` futures of the adopted deal; tell the first one."""
    rng = random.Random(f"{seed}:stress")
    held = 0
    told: list[str] = []
    held_this_time = False
    chances: dict[tuple[str, float], float] = {}
    for i in range(spec.draws):
        ok, lines = _future(rng, card, spec, i == 0, chances)
        if i == 0:
            told, held_this_time = lines, ok
        held += ok
    return StressResult(
        draws=spec.draws,
        held=held,
        hold_rate=held / spec.draws,
        deterrence=deterrence_chance(card.total, card.total, spec),
        held_this_time=held_this_time,
        narrative=tuple(told),
    )
