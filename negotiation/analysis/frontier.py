"""The exact Pareto frontier of many points in a few objectives, with bitsets.

For each objective the points are ranked; a prefix of that ranking is the set of points at or
above a value, kept as a packed bitset. The points at least as good as ``p`` in every objective
are the AND of one such bitset per objective. ``p`` is dominated when that set holds more
points than those equal to ``p`` in every objective. This is exact, and for 12,000 points in
six objectives takes a fraction of the time of comparing every pair.
"""

from __future__ import annotations

import numpy as np


def pareto_mask(points: np.ndarray, screen: int = 96) -> np.ndarray:
    """(n,) True for the points no other point dominates (maximising every column).

    A point dominates another if it is at least as good in every objective and better in one.
    Points equal in every objective do not dominate each other.

    First the points with the largest sums (``screen`` of them) knock out every point they
    dominate — cheaply, and most points go; the exact bitset method then runs on the rest.
    That is still exact: a point dominated by a knocked-out point is dominated by whatever
    knocked that one out, so the survivors hold every point's dominators that matter.
    """
    n = len(points)
    if n > 4 * screen:
        strongest = points[np.argsort(-points.sum(axis=1), kind="stable")[:screen]]
        dominated = np.zeros(n, dtype=bool)
        for top in strongest:
            dominated |= np.all(top >= points, axis=1) & np.any(top > points, axis=1)
        survivors = np.flatnonzero(~dominated)
        keep = np.zeros(n, dtype=bool)
        keep[survivors] = _bitset_pareto(points[survivors])
        return keep
    return _bitset_pareto(points)


def _bitset_pareto(points: np.ndarray) -> np.ndarray:
    n, k = points.shape
    if n == 0:
        return np.zeros(0, dtype=bool)
    words = (n + 63) // 64
    at_least = np.full((n, words), ~np.uint64(0), dtype=np.uint64)
    for column in range(k):
        values = points[:, column]
        order = np.argsort(-values, kind="stable")
        ranked = values[order]
        # prefix[c] = bitset of the first c points in descending order
        onehot = np.zeros((n, words), dtype=np.uint64)
        onehot[np.arange(n), order // 64] = np.left_shift(
            np.uint64(1), (order % 64).astype(np.uint64)
        )
        prefix = np.bitwise_or.accumulate(onehot, axis=0)
        # how many points are >= each point's value in this objective
        count_ge = np.searchsorted(-ranked, -values, side="right")
        at_least &= prefix[count_ge - 1]
    covering = np.bitwise_count(at_least).sum(axis=1)
    _, inverse, multiplicity = np.unique(points, axis=0, return_inverse=True, return_counts=True)
    return np.asarray(covering == multiplicity[inverse.ravel()])


def pareto_mask_brute(points: np.ndarray) -> np.ndarray:
    """The same frontier by comparing every pair (for tests and tiny inputs)."""
    n = len(points)
    keep = np.ones(n, dtype=bool)
    for i in range(n):
        ge = np.all(points >= points[i], axis=1)
        gt = np.any(points > points[i], axis=1)
        if np.any(ge & gt):
            keep[i] = False
    return keep
