"""Save files: a game as a JSON event log, checked by replaying it.

A save holds the format name and version, a full copy of the scenario the game was played with
(so a replay never breaks when a scenario file changes), the seed, the seats, the settings and
the ordered list of actions, each with a short hash of the state after it. State is never
stored: loading replays the log through the engine and compares every hash, so a save that was
truncated, edited or corrupted is refused with the step and the reason.

Version 2 hashes each step with :meth:`GameState.step_hash`: a chain from the opening through
every action and the facts of the state after it, leaving out the engine's prose, so that a
later version may word its log and its stress test better and still read today's saves.
Version 1 hashed each state with :meth:`GameState.fingerprint`, prose included; such saves are
still read (and go on as version 1 when a game is continued).

A save from anyone is untrusted input: it is size-limited, validated strictly by pydantic, and
never unpickled or evaluated. Writes are atomic: a temporary file in the same folder, flushed
and synced, then renamed over the old one, so an interrupted write leaves the old save intact.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from negotiation.classroom import Classroom
from negotiation.engine import (
    MAX_STEPS,
    Action,
    GameState,
    IllegalAction,
    apply,
    new_game,
)
from negotiation.files import control_character, read_user_file, write_atomic
from negotiation.rules import Ruleset
from negotiation.scenario import Scenario, ScenarioError, parse_scenario, scenario_hash
from negotiation.scenario.loader import format_validation_error

FORMAT = "negotiation-save"
VERSION = 2
MAX_SAVE_BYTES = 8_000_000
SEAT_RE = r"^(human|bot(:[a-z][a-z0-9_]{0,39})?)$"


class SaveError(ValueError):
    """A save that cannot be read, parsed, validated or replayed. Its message is one line."""


class LogStep(BaseModel):
    """One action of the log, with a hash of the state it led to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Action
    hash: str = Field(pattern=r"^[0-9a-f]{12}$")


class SaveSummary(BaseModel):
    """How the game stood when saved: a hint for listing saves without replaying them.

    Loading never trusts it; the replay decides.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: str = Field(default="negotiating", max_length=20)
    round: int = Field(default=1, ge=0, le=50)
    credibility: float = Field(default=0.0, ge=0, le=100)


class SaveFile(BaseModel):
    """The contents of a save file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["negotiation-save"] = "negotiation-save"
    version: Literal[1, 2] = 2
    """2 for every save written now; 1 for older saves (see the module's text)."""
    name: str = Field(default="", max_length=200)
    created: str = Field(default="", max_length=40)
    updated: str = Field(default="", max_length=40)
    scenario: dict[str, Any]
    scenario_hash: str = Field(pattern=r"^[0-9a-f]{16}$")
    seed: int = Field(ge=0, le=2**63 - 1)
    rounds: int = Field(ge=1, le=50)
    seats: dict[str, str] = Field(default_factory=dict)
    start: str = Field(default="", pattern=r"^([0-9a-f]{12})?$")
    """Hash of the state before the first action (checks the seed and settings)."""
    summary: SaveSummary = Field(default_factory=SaveSummary)
    classroom: Classroom = Field(default_factory=Classroom)
    """The exercise around the game (teams, timer, projector), if it is run in class."""
    log: list[LogStep] = Field(default=[], max_length=MAX_STEPS)


def summary_of(state: GameState) -> SaveSummary:
    """The listing hint for a state."""
    return SaveSummary(
        status=state.status.value, round=state.round, credibility=round(state.scorecard().total, 2)
    )


def append_step(save: SaveFile, action: Action, after: GameState, *, updated: str = "") -> SaveFile:
    """The save with one more action, whose result is ``after`` (for autosaving as you play).

    Cheaper than :func:`make_save`, which replays the whole game to hash every step.
    """
    step = LogStep(action=action, hash=step_hash(save, len(save.log) + 1, action, after))
    return save.model_copy(
        update={
            "log": [*save.log, step],
            "summary": summary_of(after),
            "updated": updated or save.updated,
        }
    )


def make_save(
    state: GameState,
    seats: dict[str, str] | None = None,
    *,
    name: str = "",
    created: str = "",
    updated: str = "",
) -> SaveFile:
    """The save file of a game: its actions, each with the hash of the state after it."""
    start = new_game(state.rules, seed=state.seed, rounds=state.max_rounds).step_hash("")
    steps: list[LogStep] = []
    previous = start
    for action, after in _replay_pairs(state):
        previous = after.step_hash(previous, action)
        steps.append(LogStep(action=action, hash=previous))
    scenario = state.scenario
    return SaveFile(
        name=name,
        created=created,
        updated=updated,
        scenario=scenario.model_dump(mode="json"),
        scenario_hash=scenario_hash(scenario),
        seed=state.seed,
        rounds=state.max_rounds,
        seats=dict(seats or {}),
        start=start,
        summary=summary_of(state),
        log=steps,
    )


def step_hash(save: SaveFile, number: int, action: Action | None, after: GameState) -> str:
    """The hash ``save`` records for its step ``number`` (0 for the opening, whose action is
    None; 1 for the first action), by the save's version; the steps before it must be in
    ``save.log`` already."""
    previous = "" if number == 0 else save.log[number - 2].hash if number > 1 else save.start
    return hash_of(save.version, previous, action, after)


def hash_of(
    version: int,
    previous: str,
    action: Action | None,
    after: GameState,
    fields: Mapping[str, Any] | None = None,
) -> str:
    """The hash save format ``version`` records for the step ``action`` that led to ``after``
    (the opening's when ``action`` is None), ``previous`` the hash before it ("" for the
    opening); ``fields`` as for :meth:`GameState.fingerprint`."""
    if version == 1:
        return after.fingerprint(fields)
    return after.step_hash(previous, action, fields)


def _replay_pairs(state: GameState) -> Iterator[tuple[Action, GameState]]:
    """(action, state after it) for every action of a game, rebuilt from its start."""
    current = new_game(state.rules, seed=state.seed, rounds=state.max_rounds)
    for action in state.actions:
        current = apply(current, action)
        yield action, current


def dumps(save: SaveFile) -> str:
    """The save as JSON text."""
    return save.model_dump_json(indent=1, exclude_none=False) + "\n"


def loads(text: str | bytes, source: str = "save") -> SaveFile:
    """Parse and validate a save's text (without replaying it).

    Raises:
        SaveError: one line saying where and why.
    """
    if len(text) > MAX_SAVE_BYTES:
        raise SaveError(f"{source}: file is larger than {MAX_SAVE_BYTES // 1_000_000} MB")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SaveError(f"{source}: not UTF-8 text (byte {exc.start})") from None
    text = text.removeprefix("\ufeff")  # the mark some Windows editors put first
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SaveError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise SaveError(f"{source}: not valid JSON: nested too deeply") from None
    except ValueError:  # an integer too long to convert (all else is a JSONDecodeError)
        raise SaveError(f"{source}: not valid JSON: a number has too many digits") from None
    if not isinstance(data, dict):
        raise SaveError(f"{source}: not a save file (expected a JSON object)")
    if data.get("format") != FORMAT:
        raise SaveError(f'{source}: not a save file (format is not "{FORMAT}")')
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise SaveError(
            f"{source}: save format version {version} is newer than this game reads "
            f"({VERSION}); update the game"
        )
    found = control_character(data)
    if found is not None:
        raise SaveError(f"{source}: {found[0]}: control character {found[1]} in the text")
    data = migrate(data, source)
    try:
        return SaveFile.model_validate(data)
    except ValidationError as exc:
        raise SaveError(format_validation_error(source, exc)) from None


def migrate(data: dict[str, Any], source: str) -> dict[str, Any]:
    """Bring an older save up to the current version.

    Version 1 is the first; each later version adds a step here that rewrites the previous
    version's data, so every save ever written stays readable.
    """
    version = data.get("version")
    if type(version) is int and version in (1, VERSION):
        return data  # version 1 differs only in its hashes, which are checked as they are
    if version is None:
        raise SaveError(f"{source}: version: missing (this field is required)")
    shown = json.dumps(version) if not isinstance(version, str) else f'"{version}"'
    raise SaveError(f"{source}: version: {shown[:40]} is not a save format version (1 or 2)")


def scenario_of(save: SaveFile, source: str = "save") -> Scenario:
    """The scenario embedded in a save, checked like a scenario file and against its hash."""
    try:
        scenario = parse_scenario(save.scenario, f"{source}: scenario")
    except ScenarioError as exc:
        raise SaveError(str(exc)) from None
    if scenario_hash(scenario) != save.scenario_hash:
        raise SaveError(
            f"{source}: scenario: does not match its hash (the save was edited or corrupted)"
        )
    return scenario


def replay_states(
    save: SaveFile, source: str = "save", *, ruleset: Ruleset | None = None
) -> Iterator[GameState]:
    """Yield the state before the first action and after each action, checking every hash.

    Raises:
        SaveError: an action is refused by the rules or leads to a different state than the
            one recorded.
    """
    rules = ruleset or Ruleset(scenario_of(save, source))
    roles = rules.scenario.roles
    for role in save.seats:
        if role not in roles:
            raise SaveError(f'{source}: seats: unknown role "{role}" for this scenario')
    for role, seat in save.seats.items():
        if not re.match(SEAT_RE, seat):
            raise SaveError(f'{source}: seats.{role}: "{seat}" is not human or bot[:STRATEGY]')
    try:
        state = new_game(rules, seed=save.seed, rounds=save.rounds)
    except ValueError as exc:
        raise SaveError(f"{source}: {exc}") from None
    if save.start and step_hash(save, 0, None, state) != save.start:
        raise SaveError(
            f"{source}: start: the game does not open as recorded (its seed or settings were "
            "edited)"
        )
    yield state
    for number, step in enumerate(save.log, start=1):
        try:
            state = apply(state, step.action)
        except IllegalAction as exc:
            raise SaveError(f"{source}: step {number}: {exc}") from None
        except (KeyError, ValueError) as exc:
            raise SaveError(
                f"{source}: step {number}: the action does not fit the game ({exc})"
            ) from None
        if step_hash(save, number, step.action, state) != step.hash:
            raise SaveError(
                f"{source}: step {number}: the replayed game differs from the recorded one "
                "(the save was edited, or made by an incompatible version)"
            )
        yield state


def replay(save: SaveFile, source: str = "save") -> GameState:
    """The state at the end of a save's log, after checking every step."""
    state: GameState | None = None
    for state in replay_states(save, source):  # noqa: B007 - we want the last one
        pass
    assert state is not None
    return state


def read_save(path: str | Path) -> tuple[SaveFile, GameState]:
    """Read, validate and replay a save file.

    Raises:
        SaveError: one line saying which file, where and why. The file is never changed.
    """
    source = str(path)
    raw = read_user_file(path, "save file", MAX_SAVE_BYTES, SaveError)
    save = loads(raw, source)
    return save, replay(save, source)


def write_save(path: str | Path, save: SaveFile) -> None:
    """Write a save file atomically."""
    write_atomic(path, dumps(save))


DEFAULT_SAVES_DIR = Path("saves")
"""Where saves go unless told otherwise: ``./saves``."""


@dataclass(frozen=True)
class GameSaver:
    """Saves finished games into a folder as ``sim-SCENARIO-SEED.json`` (for simulations; it
    can be sent to worker processes).

    Attributes:
        folder: where the saves go.
        seats: the seats to record in each save.
        tag: put before the seed in the file name (to tell strategy mixes apart).
    """

    folder: Path
    seats: dict[str, str]
    tag: str = ""

    def __call__(self, state: GameState) -> None:
        scenario_id = state.scenario.id
        save = make_save(state, self.seats, name=f"{scenario_id} simulated game, seed {state.seed}")
        write_save(self.folder / f"sim-{scenario_id}-{self.tag}{state.seed}.json", save)
