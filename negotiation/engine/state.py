"""The state of one game: frozen, and replaced whole by every action.

A :class:`GameState` holds everything the rules need and the log of what happened. It never
changes; :func:`negotiation.engine.apply` returns a new one. Nothing here reads a clock, a file
or a terminal.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping
from enum import StrEnum
from json.encoder import encode_basestring_ascii
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from negotiation.engine.actions import Action
from negotiation.engine.probes import Story, tell, tell_as_version_1
from negotiation.rules import Ruleset, ScoreCard, Situation
from negotiation.rules.scoring import DealKey, PledgesKey, pledges_key
from negotiation.scenario import Scenario

R = TypeVar("R")
V = TypeVar("V")


class Phase(StrEnum):
    """Where a game stands."""

    DIPLOMACY = "diplomacy"
    """Seats take turns to amend, pledge, support, object, message and call votes."""
    VOTE = "vote"
    """Every seat, in turn order, accepts or rejects the deal on the table."""
    UNSC = "unsc"
    """The Security Council votes on the resolution the deal's mandate needs."""
    ENDED = "ended"
    """The game is over; see ``status``."""

    @property
    def label(self) -> str:
        """How the phase reads in a headline: "Security Council vote", not "Unsc"."""
        return _PHASE_LABELS[self]


_PHASE_LABELS = {
    Phase.DIPLOMACY: "Diplomacy",
    Phase.VOTE: "Vote",
    Phase.UNSC: "Security Council vote",
    Phase.ENDED: "Over",
}


class Status(StrEnum):
    """How a game stands or ended."""

    NEGOTIATING = "negotiating"
    """Talks go on."""
    ADOPTED = "adopted"
    """Every required signatory accepted and every national vote passed."""
    UNRATIFIED = "unratified"
    """The governments signed, but a national parliament voted the deal down."""
    COLLAPSED = "collapsed"
    """A delegation walked out."""
    NO_DEAL = "no_deal"
    """The last round ended without an adopted deal."""


class LogEntry(BaseModel):
    """One line of the game's log.

    Attributes:
        step: number of actions applied before this entry (0 for events before the first).
        round: the round it happened in.
        actor: the role that acted, ``facilitator``, or ``game`` for the game's own events.
        text: what happened, in a sentence.
        visible_to: roles that may see it; empty for public entries.
        action: the action, for entries that record one.
        event: the inject's id, for entries that tell of an event striking.
    """

    model_config = ConfigDict(frozen=True)

    step: int
    round: int
    actor: str
    text: str
    visible_to: tuple[str, ...] = ()
    action: Action | None = None
    event: str | None = None

    @classmethod
    def made(
        cls,
        step: int,
        round: int,
        actor: str,
        text: str,
        visible_to: tuple[str, ...] = (),
        action: Action | None = None,
        event: str | None = None,
    ) -> LogEntry:
        """An entry built without validation, for the engine's own (already valid) values:
        ``model_construct`` without its generic work, as a game logs every move."""
        entry = object.__new__(cls)
        fields = {
            "step": step,
            "round": round,
            "actor": actor,
            "text": text,
            "visible_to": visible_to,
            "action": action,
            "event": event,
        }
        object.__setattr__(entry, "__dict__", fields)
        object.__setattr__(entry, "__pydantic_fields_set__", set(fields))
        object.__setattr__(entry, "__pydantic_extra__", None)
        object.__setattr__(entry, "__pydantic_private__", None)
        return entry

    def visible(self, role: str | None) -> bool:
        """True if ``role`` (None for the public) may see this entry."""
        return not self.visible_to or (role is not None and role in self.visible_to)


class RatificationResult(BaseModel):
    """How one national vote went."""

    model_config = ConfigDict(frozen=True)

    id: str
    role: str
    body: str
    passed: bool
    because: str


class StressResult(BaseModel):
    """The post-deal stress test: simulated futures of probing after the truce.

    Attributes:
        draws: futures simulated.
        held: futures in which deterrence held for every year.
        hold_rate: ``held / draws``.
        deterrence: chance that one probe is deterred, at this deal's credibility.
        held_this_time: whether it held in the future this game tells.
        story: the future this game tells, as facts: for each year (until the truce broke),
            its probes and how each ended. :attr:`narrative` puts it into words.
    """

    model_config = ConfigDict(frozen=True)

    draws: int
    held: int
    hold_rate: float
    deterrence: float
    held_this_time: bool
    story: Story

    @property
    def narrative(self) -> tuple[str, ...]:
        """The told future in words, a line a year."""
        return tell(self.story, self.held_this_time)


class GameState(BaseModel):
    """Everything about a game at one moment. Frozen: actions return a new state."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    rules: Ruleset = Field(exclude=True, repr=False)
    """The compiled scenario (not serialised: a save embeds the scenario itself)."""
    seed: int
    max_rounds: int
    round: int = 1
    phase: Phase = Phase.DIPLOMACY
    turn: str | None = None
    """The seat whose move it is, or None when the game has ended."""
    package: dict[str, str]
    pledges: dict[str, dict[str, int]] = Field(default_factory=dict)
    stances: dict[str, str] = Field(default_factory=dict)
    """role -> "support" or "object", for the package on the table."""
    votes: dict[str, bool] = Field(default_factory=dict)
    """Votes cast so far in the vote under way."""
    last_vote: dict[str, bool] = Field(default_factory=dict)
    """Votes of the last finished vote."""
    votes_held: int = 0
    """Votes completed so far (a UI compares it to know a result has come in)."""
    unsc_votes_held: int = 0
    """Security Council votes completed so far."""
    vote_caller: str | None = None
    vote_called_round: int = 0
    messages_sent: int = 0
    """Private messages the seat on turn has sent this turn."""
    events: tuple[str, ...] = ()
    """Injects that have struck, in order."""
    dimension_shift: dict[str, float] = Field(default_factory=dict)
    walk_away_shift: dict[str, float] = Field(default_factory=dict)
    support_shift: dict[str, float] = Field(default_factory=dict)
    capacity_shift: dict[str, dict[str, int]] = Field(default_factory=dict)
    forced_vote: bool = False
    vetoed: bool = False
    unsc_vetoes: tuple[str, ...] = ()
    """Who vetoed the last Security Council resolution."""
    ratifications: tuple[RatificationResult, ...] = ()
    status: Status = Status.NEGOTIATING
    walked_out: str | None = None
    stress: StressResult | None = None
    steps: int = 0
    """Actions applied so far."""
    log: tuple[LogEntry, ...] = ()
    log_digest: str = ""
    """A running hash of every log entry's words, so the state's fingerprint covers the log
    (and a save whose message texts were edited is caught) without rehashing it whole."""

    # --- derived views ------------------------------------------------------------------------

    @property
    def scenario(self) -> Scenario:
        """The scenario this game is played with."""
        return self.rules.scenario

    @property
    def adopted(self) -> bool:
        """True once the signatories adopted the deal (ratified or not)."""
        return self.status in (Status.ADOPTED, Status.UNRATIFIED)

    @property
    def over(self) -> bool:
        """True when the game has ended."""
        return self.phase is Phase.ENDED

    @property
    def actions(self) -> list[Action]:
        """The actions applied so far, in order: what a save stores."""
        return [entry.action for entry in self.log if entry.action is not None]

    _memo: dict[str, object] = PrivateAttr(default_factory=dict)
    """Values derived from this state's deal and situation (its Situation, deal key, ScoreCard
    and satisfactions), computed once, and shared with the copies that change none of the
    fields they are derived from (:data:`_DEAL_FIELDS`)."""
    _logs: dict[str, tuple[LogEntry, ...]] = PrivateAttr(default_factory=dict)
    """Each role's visible log, computed once."""

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> GameState:
        """A copy with changes; the copy keeps what this state remembers of its deal if the
        changes leave the deal and the situation alone (a pass, a message, the turn moving
        on), and starts with nothing remembered otherwise.

        Like pydantic's own (``update`` is not validated), but without its generic copying:
        the engine copies the state several times for every action.
        """
        if deep:
            copy = super().model_copy(update=update, deep=True)
        else:
            copy = object.__new__(type(self))
            fields = dict(self.__dict__)
            fields_set = self.__pydantic_fields_set__  # never changed: a state is frozen
            if update:
                fields.update(update)
                if not fields_set.issuperset(update):
                    fields_set = fields_set | update.keys()
            object.__setattr__(copy, "__dict__", fields)
            object.__setattr__(copy, "__pydantic_fields_set__", fields_set)
            object.__setattr__(copy, "__pydantic_extra__", None)
        keep = not deep and (not update or _DEAL_FIELDS.isdisjoint(update))
        memo = self._memo_values if keep else {}
        object.__setattr__(copy, "__pydantic_private__", {"_memo": memo, "_logs": {}})
        return copy

    @property
    def _memo_values(self) -> dict[str, object]:
        private: dict[str, Any] = self.__pydantic_private__  # type: ignore[assignment]
        memo: dict[str, object] = private["_memo"]
        return memo

    def situation(self) -> Situation:
        """What the rules read of this game besides the deal."""
        memo = self._memo_values.get("situation")
        if isinstance(memo, Situation):
            return memo
        situation = self._situation()
        self._memo_values["situation"] = situation
        return situation

    def _situation(self) -> Situation:
        return Situation.made(
            round=self.round,
            vetoed=self.vetoed,
            adopted=self.adopted,
            events=_by_identity(_EVENT_SETS, self.events, frozenset),
            signed=frozenset([r for r, yes in self.last_vote.items() if yes]),
            supports=frozenset([r for r, s in self.stances.items() if s == "support"]),
            dimension_shift=self.dimension_shift,
            walk_away_shift=self.walk_away_shift,
            support_shift=self.support_shift,
        )

    def deal_key(self) -> DealKey:
        """What the deal on the table is scored by: equal for states whose deals score the
        same (see :meth:`Ruleset.deal_key`)."""
        memo = self._memo_values.get("deal key")
        if isinstance(memo, tuple):
            return memo
        key = self.rules.deal_key(
            self.package,
            self.pledges,
            self.situation(),
            pledges_id=_by_identity(_PLEDGES_KEYS, self.pledges, pledges_key),
        )
        self._memo_values["deal key"] = key
        return key

    def scorecard(self) -> ScoreCard:
        """Credibility of the deal on the table."""
        memo = self._memo_values.get("scorecard")
        if isinstance(memo, ScoreCard):
            return memo
        card = self.rules.credibility(
            self.package, self.pledges, self.situation(), deal=self.deal_key()
        )
        self._memo_values["scorecard"] = card
        return card

    def satisfaction_of(self, role: str) -> float:
        """A role's satisfaction with the deal on the table (memoised here, and in the rules
        for every state whose deal scores the same: a game's deal stays put for many steps)."""
        key = _SATISFACTION_KEYS.get(role) or _SATISFACTION_KEYS.setdefault(
            role, f"satisfaction:{role}"
        )
        memo = self._memo_values.get(key)
        if isinstance(memo, float):
            return memo
        shared = ("satisfaction", role, *self.deal_key())
        value = self.rules.memo.get(shared)
        if not isinstance(value, float):
            value = self.rules.satisfaction(
                role, self.package, self.pledges, self.scorecard(), self.situation()
            )
            self.rules.remember(shared, value)
        self._memo_values[key] = value
        return value

    def visible_log(self, role: str) -> tuple[LogEntry, ...]:
        """The log entries ``role`` may see (memoised: bots read it several times a move)."""
        private: dict[str, Any] = self.__pydantic_private__  # type: ignore[assignment]
        logs: dict[str, tuple[LogEntry, ...]] = private["_logs"]
        entries = logs.get(role)
        if entries is None:
            entries = logs[role] = tuple(e for e in self.log if e.visible(role))
        return entries

    def capacity(self, role: str, kind: str) -> int:
        """Most units of a pledge kind a role can offer now."""
        base = self.scenario.roles[role].capacities.get(kind, 0)
        return max(0, base + self.capacity_shift.get(role, {}).get(kind, 0))

    def fingerprint(self, fields: Mapping[str, Any] | None = None) -> str:
        """A short hash of the state: what saves of format version 1 store with each step
        to check its replay (version 2 stores :meth:`step_hash`), and a handy identity.

        It hashes the state's fields as canonical JSON (keys sorted, no spaces), without the
        log but with its length, and with the stress test's story told as version 1 worded
        it. ``fields`` may give the fields as JSON values if the caller has them already
        (``model_dump(mode="json", exclude={"log", "rules"})``).
        """
        if fields is None:
            canonical = _canonical_json(self)
            if canonical is not None:
                return hashlib.sha256(canonical.encode()).hexdigest()[:12]
            fields = self.model_dump(mode="json", exclude={"log", "rules"})
        data: dict[str, Any] = dict(fields)
        if data.get("stress") is not None:
            data["stress"] = _stress_as_version_1(data["stress"])
        data["log_length"] = len(self.log)
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def step_hash(
        self,
        previous: str,
        action: Action | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> str:
        """The hash a save (version 2 on) stores for the step ``action`` that led to this
        state: a chain through ``previous`` (the step before's hash, "" for the opening).

        It covers the game's facts and what the players wrote, not the engine's prose: the
        state's fields as JSON (the stress test's told future as facts) but without the log's
        digest, and the action with only the fields it sets (so a field
        added to an action later, with a default, changes no hash). A message edited in a
        save still breaks the chain from its step on; a later version that words the log or
        the stress test better does not. ``fields`` is as for :meth:`fingerprint`.
        """
        canonical = _canonical_json(self, version=2) if fields is None else None
        if canonical is None:
            if fields is None:
                fields = self.model_dump(mode="json", exclude={"log", "rules"})
            data = {k: v for k, v in fields.items() if k != "log_digest"}
            data["log_length"] = len(self.log)
            canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        move = "" if action is None else action_json(action)
        text = "\x1f".join((previous, move, canonical))
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def action_json(action: Action) -> str:
    """An action as :meth:`GameState.step_hash` hashes it: its type and the fields it sets,
    as JSON with sorted keys."""
    fields = action.model_dump(mode="json", exclude_defaults=True)
    fields["type"] = action.type
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


# --- the fingerprint's JSON, field by field ------------------------------------------------------
#
# Replaying a save checks the fingerprint of the state after every step. Dumping the whole state
# and encoding it each time was half the work of a replay, yet an action changes only a few
# fields: the others are the very same objects in the next state. So each field's JSON is kept
# by the identity of its value, and a field is encoded only when its value is new (the engine
# never changes a state's dicts in place: it makes new ones, as a frozen state requires). The
# text is the same, to the byte, as ``json.dumps`` of ``model_dump(mode="json")`` with sorted
# keys (a property test checks it); a value of a type this does not expect sends the whole state
# down that reference path instead.

_SATISFACTION_KEYS: dict[str, str] = {}
"""role -> the key its satisfaction is remembered by in a state (made once, hashed once)."""

_DEAL_FIELDS = frozenset(
    {
        "rules",
        "package",
        "pledges",
        "round",
        "vetoed",
        "status",
        "events",
        "last_vote",
        "stances",
        "dimension_shift",
        "walk_away_shift",
        "support_shift",
    }
)
"""The fields a state's deal is scored from: its deal, and what its Situation is made of."""

_SCALAR_FIELDS: dict[str, tuple[type, ...]] = {
    "seed": (int,),
    "max_rounds": (int,),
    "round": (int,),
    "phase": (Phase,),
    "turn": (str, type(None)),
    "votes_held": (int,),
    "unsc_votes_held": (int,),
    "vote_caller": (str, type(None)),
    "vote_called_round": (int,),
    "messages_sent": (int,),
    "forced_vote": (bool,),
    "vetoed": (bool,),
    "status": (Status,),
    "walked_out": (str, type(None)),
    "steps": (int,),
    "log_digest": (str,),
}
"""Fields holding one value, with the exact types the fast path encodes itself."""

_FIELD_VALUES: dict[str, tuple[type, ...]] = {
    "package": (str,),
    "stances": (str,),
    "votes": (bool,),
    "last_vote": (bool,),
    "events": (str,),
    "unsc_vetoes": (str,),
    "dimension_shift": (float,),
    "walk_away_shift": (float,),
    "support_shift": (float,),
    "pledges": (dict,),
    "capacity_shift": (dict,),
    "ratifications": (RatificationResult,),
    "stress": (StressResult,),
}
"""Fields holding a collection (or a model), with the exact types of what they hold."""

_FRAGMENTS: dict[tuple[str, int], tuple[object, str]] = {}
"""(field, id of its value) -> (the value, kept alive so the id stays its own; its JSON)."""

_FRAGMENT_LIMIT = 4096

_EVENT_SETS: dict[int, tuple[Any, frozenset[str]]] = {}
"""A state's events as a set, by the identity of its events (see :func:`_by_identity`)."""

_PLEDGES_KEYS: dict[int, tuple[Any, PledgesKey]] = {}
"""A state's pledges' key, by the identity of its pledges (see :func:`_by_identity`)."""


def _by_identity(cache: dict[int, tuple[Any, R]], value: V, make: Callable[[V], R]) -> R:
    """``make(value)``, remembered in ``cache`` by the identity of ``value``.

    A game's states share a field's value until an action replaces it (the engine never
    changes one in place: it makes a new one, as a frozen state requires), so what is worked
    out from it keeps from state to state. The value is kept alive beside its result, so that
    its id is never mistaken for another object's.
    """
    held = cache.get(id(value))
    if held is not None and held[0] is value:
        return held[1]
    if len(cache) >= _FRAGMENT_LIMIT:
        cache.clear()
    result = make(value)
    cache[id(value)] = (value, result)
    return result


def _scalar_json(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):  # the enums are StrEnums: their JSON is their value
        return encode_basestring_ascii(value)
    return str(value)  # an int


def _stress_as_version_1(dumped: Mapping[str, Any]) -> dict[str, Any]:
    """A dumped stress result as version 1 had it: its narrative in the first wording, in
    place of the story."""
    data = {k: v for k, v in dumped.items() if k != "story"}
    story = tuple(tuple((kind, outcome) for kind, outcome in year) for year in dumped["story"])
    data["narrative"] = list(tell_as_version_1(story, dumped["held_this_time"]))
    return data


def _field_json(name: str, value: object, version: int = 1) -> str | None:
    """The JSON of a collection field's value, or None if it holds what is not expected
    (the stress result as the hash of that save format ``version`` has it: see
    :func:`_stress_as_version_1`)."""
    kinds = _FIELD_VALUES[name]
    if name == "stress":
        if value is None:
            return "null"
        if type(value) is not StressResult:
            return None
        stress = value.model_dump(mode="json")
        dumped: object = _stress_as_version_1(stress) if version == 1 else stress
    elif name == "ratifications":
        if not isinstance(value, tuple) or any(type(r) is not RatificationResult for r in value):
            return None
        dumped = [r.model_dump(mode="json") for r in value]
    elif isinstance(value, dict):
        items = value.values()
        if name in ("pledges", "capacity_shift"):
            if not all(type(inner) is dict for inner in items) or not all(
                type(units) is int for inner in items for units in inner.values()
            ):
                return None
        elif not all(type(item) in kinds for item in items):
            return None
        if kinds == (float,) and not all(math.isfinite(item) for item in items):
            return None
        dumped = value
    elif isinstance(value, tuple):
        if not all(type(item) in kinds for item in value):
            return None
        dumped = value
    else:
        return None
    return json.dumps(dumped, sort_keys=True, separators=(",", ":"))


def _canonical_json(state: GameState, version: int = 1) -> str | None:
    """The fingerprint's JSON of a state, or None where only the reference path will do.
    ``version`` 1: what :meth:`GameState.fingerprint` hashes; 2: what
    :meth:`GameState.step_hash` hashes (no log digest, the stress test's story as facts)."""
    values = state.__dict__
    parts: list[str] = []
    for name, prefix in _KEYS:
        if name == "log_length":
            parts.append(prefix + str(len(state.log)))
            continue
        if version == 2 and name == "log_digest":
            continue
        value = values[name]
        if name in _SCALAR_FIELDS:
            if type(value) not in _SCALAR_FIELDS[name]:
                return None
            parts.append(prefix + _scalar_json(value))
            continue
        key = (name if version == 1 or name != "stress" else "stress facts", id(value))
        held = _FRAGMENTS.get(key)
        if held is None or held[0] is not value:
            text = _field_json(name, value, version)
            if text is None:
                return None
            if len(_FRAGMENTS) >= _FRAGMENT_LIMIT:
                _FRAGMENTS.clear()
            held = _FRAGMENTS[key] = (value, text)
        parts.append(prefix + held[1])
    return "{" + ",".join(parts) + "}"


_KEYS: tuple[tuple[str, str], ...] = tuple(
    (name, json.dumps(name) + ":")
    for name in sorted([*_SCALAR_FIELDS, *_FIELD_VALUES, "log_length"])
)
"""The fingerprint's keys in sorted order, each with its JSON prefix."""
