"""The probes of the stress test, and how the future a game tells is put into words.

A stress result keeps the told future as facts: for each year, which probes came and how each
ended. It is worded only when it is shown, so the words can be bettered without changing any
game, save or hash. :func:`tell_as_version_1` keeps the first wording, which saves of format
version 1 hashed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Literal

Outcome = Literal["deterred", "unanswered", "broke"]
"""How a probe ended in the told future: deterred; not deterred (a minor probe that erodes
deterrence); not deterred, and the truce broke (a major one)."""

Story = tuple[tuple[tuple[int, Outcome], ...], ...]
"""The told future: for each year until the truce broke (or to the last), its probes as
(kind, outcome), kind an index into :data:`PROBES`."""

_Event = Callable[[int, Outcome], str]
"""How one probe is worded."""

# (name, dimension it tests, severity: True breaks the truce if not deterred, relative weight).
# The names are the first wording, which version 1 saves hashed: never change them.
PROBES: tuple[tuple[str, str, bool, float], ...] = (
    ("drones stray over a coalition staging base", "capability", False, 4.0),
    ("fighters test the air-policing patrols", "capability", False, 3.0),
    ("a disinformation campaign targets coalition publics", "cohesion", False, 3.0),
    ("artillery shells a village near the line of contact", "resolve", False, 2.0),
    ("a naval drone shadows a Black Sea convoy", "capability", False, 2.0),
    ("a battalion pushes across the line of contact", "resolve", True, 1.0),
    ("missiles strike a coalition logistics hub", "resolve", True, 0.5),
)

TOLD: tuple[tuple[str, str], ...] = (
    (
        "drones stray over a coalition staging base and turn back when challenged",
        "drones stray over a coalition staging base, and nobody answers",
    ),
    (
        "fighters test the air-policing patrols and are seen off",
        "fighters test the air-policing patrols, and nobody answers",
    ),
    (
        "a disinformation campaign targets coalition publics and is exposed within days",
        "a disinformation campaign targets coalition publics, and nobody answers",
    ),
    (
        "artillery shells a village near the line of contact, then falls silent after a firm "
        "warning",
        "artillery shells a village near the line of contact, and nobody answers",
    ),
    (
        "a naval drone shadows a Black Sea convoy and is driven off",
        "a naval drone shadows a Black Sea convoy, and nobody answers",
    ),
    (
        "a battalion pushes across the line of contact and pulls back when the coalition "
        "stands its ground",
        "a battalion pushes across the line of contact. The coalition does not respond in "
        "time, and the truce breaks down",
    ),
    (
        "missiles strike a coalition logistics hub, and after the coalition's firm answer no "
        "second strike follows",
        "missiles strike a coalition logistics hub. The coalition does not respond in time, "
        "and the truce breaks down",
    ),
)
"""How each probe kind is told: (deterred, not deterred). A year's probes are joined with
semicolons, so none has one of its own."""


def tell(story: Story, held: bool) -> tuple[str, ...]:
    """The told future in words, a line a year (``held``: the truce held to the end)."""
    return tuple(_lines(story, held, lambda kind, outcome: TOLD[kind][outcome != "deterred"]))


def tell_as_version_1(story: Story, held: bool) -> tuple[str, ...]:
    """The told future in the first wording, to the letter: what saves of format version 1
    hashed (see :meth:`negotiation.engine.GameState.fingerprint`)."""

    def event(kind: int, outcome: Outcome) -> str:
        name = PROBES[kind][0]
        if outcome == "deterred":
            return f"{name}, and backs off"
        if outcome == "broke":
            return f"{name}. The coalition does not respond in time, and the truce breaks down"
        return f"{name}, unanswered"

    return tuple(_lines(story, held, event))


def _lines(story: Story, held: bool, event: _Event) -> Iterator[str]:
    for year, probes in enumerate(story, start=1):
        if probes:
            yield f"Year {year}: " + "; ".join(event(k, o) for k, o in probes) + "."
        else:
            yield f"Year {year}: a quiet year along the line."
    if held:
        yield f"After {len(story)} years the truce still holds."
