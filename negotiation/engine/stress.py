"""The stress test: does the guarantee deter once the ink is dry?

After a deal is adopted and ratified, the other side probes it. Each simulated future runs a
number of years; each year brings a random number of probes, from drones over a staging base to
a ground incursion. A probe is deterred with a probability that rises with the deal's
credibility (and with the dimension that matters most for that kind of probe). An undeterred
minor probe erodes the next year's deterrence; an undeterred major one breaks the truce.
The same seed always tells the same futures.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from negotiation.engine.probes import PROBES, Outcome
from negotiation.engine.state import StressResult
from negotiation.rules import ScoreCard
from negotiation.scenario.model import StressTest

__all__ = ["PROBES", "deterrence_chance", "run_stress_test"]


def deterrence_chance(credibility: float, dimension: float, spec: StressTest) -> float:
    """Chance that one probe is deterred: a logistic curve in credibility."""
    level = 0.7 * credibility + 0.3 * dimension
    return 1.0 / (1.0 + math.exp(-spec.steepness * (level - spec.midpoint)))


def run_stress_test(card: ScoreCard, spec: StressTest, seed: int) -> StressResult:
    """Simulate ``spec.draws`` futures of the adopted deal at once; tell the first one.

    All futures advance together, a probe slot at a time, as NumPy arrays: a thousand futures
    cost about what a handful did one by one.

    A probe's chance of being deterred depends only on its kind and on how many undeterred
    minor probes have eroded deterrence before it, so the chances are worked out once, as a
    table of erosion steps by kinds, and each slot looks its futures' chances up.
    """
    digest = hashlib.blake2b(f"{seed}:stress".encode(), digest_size=8).digest()
    rng = np.random.default_rng(int.from_bytes(digest, "big"))
    draws = spec.draws
    weights = np.array([w for *_, w in PROBES])
    weights /= weights.sum()
    cdf = weights.cumsum()
    cdf /= cdf[-1]
    severe = np.array([s for _, _, s, _ in PROBES])
    dimension = np.array([card.dimensions[d] for _, d, _, _ in PROBES])
    alive = np.ones(draws, dtype=bool)
    eroded = np.zeros(draws, dtype=np.intp)
    """Undeterred minor probes so far in each future: each takes 5 points off credibility."""
    chances = _Chances(card.total, dimension, spec)
    story: list[tuple[tuple[int, Outcome], ...]] = []
    broke = False
    for _year in range(spec.years):
        counts = rng.poisson(spec.probes_per_year, draws)
        events: list[tuple[int, Outcome]] = []
        slots = int(counts.max(initial=0))
        # The year's random numbers in one call: for each probe slot, the kinds' draws then the
        # luck's, the very order (and so the very numbers) of drawing them slot by slot.
        block = rng.random((slots, 2, draws))
        all_kinds = _kinds(cdf, block[:, 0, :])
        all_severe = severe.take(all_kinds)
        probed = counts > np.arange(slots)[:, None]
        table, places = chances.table(int(eroded.max(initial=0)) + slots, all_kinds)
        for slot in range(slots):
            active = alive & probed[slot]
            failed = active & (block[slot, 1] >= table.take(places[slot] + eroded))
            if active[0]:
                kind = int(all_kinds[slot, 0])
                if not failed[0]:
                    events.append((kind, "deterred"))
                elif all_severe[slot, 0]:
                    events.append((kind, "broke"))
                else:
                    events.append((kind, "unanswered"))
            broken = failed & all_severe[slot]
            alive ^= broken  # broken futures were alive
            eroded += failed ^ broken  # the undeterred minor probes
        if not broke:  # the told future ends with the truce
            story.append(tuple(events))
            broke = any(outcome == "broke" for _, outcome in events)
    held_this_time = bool(alive[0])
    held = int(alive.sum())
    return StressResult(
        draws=draws,
        held=held,
        hold_rate=held / draws,
        deterrence=deterrence_chance(card.total, card.total, spec),
        held_this_time=held_this_time,
        story=tuple(story),
    )


class _Chances:
    """The chance that a probe is deterred, by probe kind and erosion step (rows of the flat
    table ``kind * steps + step``), grown as erosion deepens."""

    def __init__(self, credibility: float, dimension: np.ndarray, spec: StressTest) -> None:
        self.credibility = credibility
        self.dimension = dimension
        self.spec = spec
        self.steps = 0
        self.flat = np.zeros(0)

    def table(self, steps: int, kinds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the flat table, covering erosion steps 0 to ``steps``; each of ``kinds``' place
        in it at step 0)."""
        if steps >= self.steps:
            self.steps = max(2 * self.steps, steps + 1)
            erosion = 5.0 * np.arange(self.steps)
            # Worked out as the chance of each future in a slot would be, op for op, so that
            # each is the same number to the last bit.
            level = 0.7 * (self.credibility - erosion)[None, :] + 0.3 * self.dimension[:, None]
            spec = self.spec
            self.flat = (1.0 / (1.0 + np.exp(-spec.steepness * (level - spec.midpoint)))).ravel()
        return self.flat, np.multiply(kinds, self.steps, dtype=np.intp)


def _kinds(cdf: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """The probe kind each draw picks: ``cdf.searchsorted(draws, side="right")``, as int8.

    With seven kinds, counting the bounds at or below each draw is twice as fast as the
    binary search. A draw is below 1, the last bound, so the last bound never counts.
    """
    kinds: np.ndarray = (draws >= cdf[0]).view(np.int8).copy()
    for bound in cdf[1:-1]:
        kinds += (draws >= bound).view(np.int8)
    return kinds
