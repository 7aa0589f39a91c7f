"""What one seat of a networked game may know, and the seat's own copy of the game built from it.

The server holds the whole game. A delegation's laptop gets only what the delegation would see
at a table: the public scenario with its own private brief, preferences and red lines, the
public state of the talks, and the log entries it may read. Everything private to another
delegation is taken out on the server, before anything is sent (:func:`redact_scenario`,
:func:`seat_fields`, :func:`seat_log`).

From that the client builds a :class:`SeatMirror`: an ordinary :class:`GameState` over the
redacted scenario, so that the same :class:`RoleView`, the same bots and the same screens work on
a laptop as on the machine that holds the game. Credibility is public and scored the same on
both sides; only the seat's own satisfaction can be scored on its side, and it is.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any

from pydantic import BaseModel, TypeAdapter

from negotiation.engine import FACILITATOR, GameState, LogEntry
from negotiation.engine.core import inject_of
from negotiation.rules import Ruleset
from negotiation.scenario import Scenario, parse_scenario

PROJECTOR = "projector"
"""The seat of the read-only public view (the projector): it sees what every delegation sees."""

PRIVATE = "(private to this delegation)"
"""What stands in another delegation's brief."""

LOG_ADAPTER: TypeAdapter[list[LogEntry]] = TypeAdapter(list[LogEntry])


def role_of(seat: str) -> str | None:
    """The role a seat plays: None for the projector and the facilitator."""
    return None if seat in (PROJECTOR, FACILITATOR) else seat


def redact_scenario(scenario: Scenario, seat: str) -> Scenario:
    """The scenario as ``seat`` may know it.

    The facilitator knows everything. A delegation knows the public scenario and its own
    private brief, preferences, costs, walk-away value, national vote, and which of its red
    lines are bluffs; of every other delegation only what it says in public (its red lines,
    which it may declare, but not which are bluffs nor what crossing them costs it). The
    projector knows only the public part.
    Rules that move only other delegations' satisfaction are left out, and so are other
    delegations' shares of the rules that move credibility (credibility itself stays: it is
    public, and explained to everyone).
    """
    if seat == FACILITATOR:
        return scenario
    own = role_of(seat)
    roles = {
        role_id: role
        if role_id == own
        else role.model_copy(
            update={
                "private_brief": PRIVATE,
                "preferences": {},
                "credibility_weight": 0.0,
                "base_satisfaction": 50.0,
                "walk_away": 0.0,
                "pledge_costs": {},
                "red_lines": [
                    line.model_copy(update={"bluff": False, "penalty": 0.0})
                    for line in role.red_lines
                ],
                "default_strategy": "baseline",
            }
        )
        for role_id, role in scenario.roles.items()
    }
    rules = []
    for rule in scenario.rules:
        mine = {r: v for r, v in rule.satisfaction.items() if r == own}
        if rule.effect or mine:
            rules.append(rule.model_copy(update={"satisfaction": mine}))
    injects = []
    for inject in scenario.injects:
        if inject.visible_to and own not in inject.visible_to:
            continue
        update: dict[str, Any] = {
            "walk_away": {r: v for r, v in inject.walk_away.items() if r == own}
        }
        if inject.visible_to:
            update["capacities"] = {r: v for r, v in inject.capacities.items() if r == own}
        injects.append(inject.model_copy(update=update))
    return scenario.model_copy(
        update={
            "roles": roles,
            "rules": rules,
            "injects": injects,
            "ratifications": [r for r in scenario.ratifications if r.role == own],
        }
    )


@functools.lru_cache(maxsize=4096)
def seat_seed(seed: int, seat: str) -> int:
    """The seed a seat is told: its own, derived from the game's, so that a seat's bot is
    deterministic while the game's own draws (events, the stress test) cannot be foreseen."""
    digest = hashlib.sha256(f"{seed}:{seat}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


_FIELDS = tuple(name for name in GameState.model_fields if name not in ("rules", "log"))


def public_fields(state: GameState) -> dict[str, Any]:
    """The state's fields without its log, as JSON values (computed once per change, then cut
    down for each seat by :func:`seat_fields`).

    The same as ``state.model_dump(mode="json", exclude={"rules", "log"})`` (a test checks,
    over random games), written out for the server, which does this for every move: the
    fields are plain values, enums and two small models. The nested dicts are the state's own
    (a state is never changed, only replaced).
    """
    values = state.__dict__
    out: dict[str, Any] = {}
    for name in _FIELDS:
        value = values[name]
        if isinstance(value, Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
        elif isinstance(value, BaseModel):
            value = value.model_dump(mode="json")
        out[name] = value
    return out


def event_audiences(state: GameState) -> dict[str, tuple[str, ...]]:
    """Who was told of each event that struck (an empty tuple: everyone)."""
    audiences = {}
    for event_id in state.events:
        inject = inject_of(state, event_id)
        audiences[event_id] = tuple(inject.visible_to) if inject is not None else ()
    return audiences


SEAT_FIELDS = ("seed", "log_digest", "events", "walk_away_shift", "capacity_shift")
"""The fields of the state that differ from seat to seat (the rest is the same for all)."""


def seat_fields(
    state: GameState,
    seat: str,
    fields: Mapping[str, Any] | None = None,
    audiences: Mapping[str, tuple[str, ...]] | None = None,
) -> dict[str, Any]:
    """The state's fields ``seat`` may know (everything but the log). ``fields`` and
    ``audiences`` may be given when the caller has them (worked out once for every seat)."""
    data = dict(fields if fields is not None else public_fields(state))
    if seat == FACILITATOR:
        return data
    # (With ``fields`` of SEAT_FIELDS alone, only those come back: the server's broadcast
    # writes the shared rest once for every seat.)
    own = role_of(seat)
    told = audiences if audiences is not None else event_audiences(state)
    data["seed"] = seat_seed(state.seed, seat)
    data["log_digest"] = ""
    data["events"] = [e for e in state.events if not told[e] or own in told[e]]
    data["walk_away_shift"] = {r: v for r, v in state.walk_away_shift.items() if r == own}
    data["capacity_shift"] = {r: dict(v) for r, v in state.capacity_shift.items() if r == own}
    return data


def seat_log(log: Iterable[LogEntry], seat: str) -> list[LogEntry]:
    """The log entries ``seat`` may read (the facilitator reads them all)."""
    if seat == FACILITATOR:
        return list(log)
    own = role_of(seat)
    return [entry for entry in log if entry.visible(own)]


@functools.lru_cache(maxsize=32)
def _ruleset(scenario: str) -> Ruleset:
    """The compiled rules of a scenario as a seat is told it, shared by every seat told the
    same (a process playing many seats compiles each role's view once)."""
    return Ruleset(parse_scenario(json.loads(scenario), "the server's scenario"))


class SeatMirror:
    """A seat's own copy of a networked game, rebuilt from what the server sends it.

    ``state`` is a :class:`GameState` over the redacted scenario: the public table as the server
    has it, the log this seat may read, and its own private figures. Anything that reads a
    state for one seat (a :class:`RoleView`, a bot, a screen) works on it unchanged.
    """

    def __init__(
        self,
        seat: str,
        scenario: Mapping[str, Any],
        fields: Mapping[str, Any],
        log: Sequence[Mapping[str, Any]] | Sequence[LogEntry],
    ) -> None:
        self.seat = seat
        self.role = role_of(seat)
        self.rules = _ruleset(json.dumps(scenario))  # key order matters: issues, roles
        self.log: list[LogEntry] = LOG_ADAPTER.validate_python(list(log))
        self.fields = dict(fields)
        self.state = self._build()

    def _build(self) -> GameState:
        state = GameState.model_validate({**self.fields, "rules": self.rules, "log": ()})
        return state.model_copy(update={"log": tuple(self.log)})

    def update(
        self, fields: Mapping[str, Any], log: Sequence[Mapping[str, Any]] | Sequence[LogEntry]
    ) -> GameState:
        """Take in one change: the fields that changed and the log entries added."""
        self.log.extend(LOG_ADAPTER.validate_python(list(log)))
        self.fields.update(fields)
        self.state = self._build()
        return self.state
