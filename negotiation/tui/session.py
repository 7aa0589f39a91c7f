"""A game being played at the terminal: the engine state, who sits where, and the autosave.

This module holds no widgets (and imports no Textual), so the app's screens stay thin and the
flow of a game — human moves, bot moves, autosave after each, resuming — is tested on its own.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from negotiation.bots import STRATEGIES, Strategy, strategy
from negotiation.bots.runner import bot_move
from negotiation.classroom import Classroom, Team
from negotiation.engine import Action, GameState, RoleView, apply, new_game
from negotiation.rules import Ruleset
from negotiation.savefile import (
    SaveError,
    SaveFile,
    append_step,
    loads,
    make_save,
    replay,
    write_save,
)
from negotiation.scenario import Scenario

HUMAN = "human"


def now() -> str:
    """The time now, for save files (ISO 8601, seconds)."""
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def default_seats(scenario: Scenario, human: str | None = None) -> dict[str, str]:
    """Every role a bot of its default strategy, except ``human`` (the chair by default)."""
    human = human if human is not None else scenario.chair
    return {
        role_id: HUMAN if role_id == human else f"bot:{role.default_strategy}"
        for role_id, role in scenario.roles.items()
    }


def seat_label(seat: str) -> str:
    """How a seat reads on screen: "human", "bot (baseline)", or "joined by code" for a seat of
    a networked game (a student or a bot, on its own machine)."""
    if seat == HUMAN:
        return "human"
    if seat == "remote":
        return "connected"
    if seat == "away":
        return "not connected"
    _, _, name = seat.partition(":")
    return f"bot ({name or 'default'})"


@dataclass
class GameSession:
    """One game in play.

    Attributes:
        state: the game now.
        seats: role -> "human" or "bot:STRATEGY".
        save_path: where the game autosaves (None: never saved, as in some tests).
        save: the save as of the last action.
    """

    state: GameState
    seats: dict[str, str]
    save_path: Path | None
    save: SaveFile
    bots: dict[str, Strategy] = field(default_factory=dict)

    remote: ClassVar[bool] = False
    """True for a seat of a game held by a server (see :mod:`negotiation.tui.remote`)."""

    @property
    def clock_offset(self) -> float:
        """Seconds to add to this machine's clock to read the game's (a server's) clock."""
        return 0.0

    @property
    def watching(self) -> bool:
        """True for a seat that only watches (a networked projector)."""
        return False

    # --- starting and resuming ----------------------------------------------------------------

    @classmethod
    def start(
        cls,
        scenario: Scenario,
        seats: dict[str, str],
        *,
        seed: int = 0,
        rounds: int | None = None,
        saves_dir: Path | None = None,
        name: str = "",
        facilitator: bool = False,
        teams: dict[str, Team] | None = None,
    ) -> GameSession:
        """A new game; it is saved at once if ``saves_dir`` is given.

        With ``facilitator``, the game is run by a facilitator, who has the console; ``teams``
        names the students who play each role.
        """
        state = new_game(Ruleset(scenario), seed=seed, rounds=rounds)
        full_seats = {
            r: seats.get(r, f"bot:{scenario.roles[r].default_strategy}") for r in scenario.roles
        }
        stamp = now()
        save = make_save(
            state, full_seats, name=name or scenario.title, created=stamp, updated=stamp
        ).model_copy(
            update={"classroom": Classroom(facilitator=facilitator, teams=dict(teams or {}))}
        )
        path = None
        if saves_dir is not None:
            path = unique_save_path(saves_dir, scenario.id)
        session = cls(state, full_seats, path, save)
        session._make_bots()
        session.write()
        return session

    @classmethod
    def resume(cls, path: Path) -> GameSession:
        """Reopen a saved game exactly where it stood.

        Raises:
            SaveError: the save is broken; the file is left as it is.
        """
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SaveError(f"{path}: cannot read: {exc.strerror or exc}") from None
        save = loads(raw, str(path))
        state = replay(save, str(path))
        seats = {r: save.seats.get(r, "bot") for r in state.scenario.roles}
        session = cls(state, seats, path, save)
        session._make_bots()
        return session

    @classmethod
    def fork(
        cls,
        state: GameState,
        seats: dict[str, str],
        *,
        saves_dir: Path | None,
        name: str,
        classroom: Classroom | None = None,
    ) -> GameSession:
        """A new game that starts with another game's history up to ``state`` ("what if we
        had..."), saved as a new file."""
        full = {r: seats.get(r, "bot") for r in state.scenario.roles}
        if HUMAN not in full.values():
            full[state.scenario.chair] = HUMAN
        stamp = now()
        save = make_save(state, full, name=name, created=stamp, updated=stamp)
        if classroom is not None:
            # The class and its teams play on; the clock and the projector start afresh.
            save = save.model_copy(
                update={
                    "classroom": Classroom(
                        facilitator=classroom.facilitator, teams=dict(classroom.teams)
                    )
                }
            )
        path = unique_save_path(saves_dir, state.scenario.id) if saves_dir is not None else None
        session = cls(state, full, path, save)
        session._make_bots()
        session.write()
        return session

    def _make_bots(self) -> None:
        self.bots = {}
        for role, seat in self.seats.items():
            if seat == HUMAN:
                continue
            _, _, name = seat.partition(":")
            name = name or self.state.scenario.roles[role].default_strategy
            self.bots[role] = strategy(name if name in STRATEGIES else "baseline")

    # --- playing ------------------------------------------------------------------------------

    @property
    def humans(self) -> list[str]:
        """Human seats, in turn order."""
        return [r for r in self.state.scenario.turns.order if self.seats.get(r) == HUMAN]

    def is_human(self, role: str | None) -> bool:
        return role is not None and self.seats.get(role) == HUMAN

    @property
    def bot_to_move(self) -> bool:
        """True when the seat to move is a bot."""
        return self.state.turn is not None and self.state.turn in self.bots

    def view(self, role: str) -> RoleView:
        return RoleView(self.state, role)

    def act(self, action: Action) -> GameState:
        """Play an action (checked by the engine) and autosave.

        Raises:
            IllegalAction: the move is not allowed; nothing changes.
        """
        before = self.state
        after = apply(before, action)
        self.state = after
        self.save = append_step(self.save, action, after, updated=now())
        timer = self.save.classroom.timer
        if timer is not None and after.round > before.round:
            # A new round, a fresh clock of the same length, stopped until started: however
            # the last round ended.
            classroom = self.save.classroom.model_copy(update={"timer": timer.reset()})
            self.save = self.save.model_copy(update={"classroom": classroom})
        self.write()
        return after

    def bot_step(self) -> Action:
        """Let the bot on turn move once; returns its action."""
        role = self.state.turn
        if role is None or role not in self.bots:
            raise ValueError("no bot is to move")
        action = bot_move(self.state, self.bots[role])
        self.act(action)
        return action

    def set_seat(self, role: str, seat: str) -> None:
        """Swap a seat between human and bot."""
        self.seats[role] = seat
        self.save = self.save.model_copy(update={"seats": dict(self.seats)})
        self._make_bots()
        self.write()

    # --- the classroom around the game ----------------------------------------------------------

    @property
    def classroom(self) -> Classroom:
        """Teams, timer and projector settings (kept in the save, for the projector view)."""
        return self.save.classroom

    @property
    def facilitated(self) -> bool:
        """True when a facilitator runs this game (the console is open to them)."""
        return self.save.classroom.facilitator

    def update_classroom(self, **changes: object) -> Classroom:
        """Change the classroom settings and autosave (the projector follows)."""
        classroom = self.save.classroom.model_copy(update=changes)
        self.save = self.save.model_copy(update={"classroom": classroom})
        self.write()
        return classroom

    def write(self) -> None:
        """Autosave (atomically) if this game has a save path."""
        if self.save_path is not None:
            write_save(self.save_path, self.save)

    def save_as(self, path: Path, name: str) -> None:
        """Write a named copy of the game."""
        write_save(path, self.save.model_copy(update={"name": name}))


def unique_save_path(saves_dir: Path, scenario_id: str) -> Path:
    """A new file name in the saves folder: ``SCENARIO-YYYYMMDD-HHMMSS.json``."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = saves_dir / f"{scenario_id}-{stamp}.json"
    path, n = base, 2
    while path.exists():
        path = saves_dir / f"{scenario_id}-{stamp}-{n}.json"
        n += 1
    return path


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_file_name(name: str) -> str:
    """A file name made from what a player typed."""
    cleaned = _SAFE_NAME.sub("", name).strip().replace(" ", "-")
    return (cleaned or "game")[:60]


@dataclass(frozen=True)
class SaveEntry:
    """A save in the saves folder, as listed on the title screen.

    Attributes:
        path: the file.
        name: the game's name.
        scenario: the scenario's title.
        updated: when it was last written.
        status: how it stood ("negotiating", "adopted", ...).
        round: the round it had reached.
        credibility: credibility of the deal on the table.
        error: why it cannot be opened, if it cannot.
    """

    path: Path
    name: str
    scenario: str
    updated: str
    status: str
    round: int
    credibility: float
    error: str = ""


def list_saves(saves_dir: Path) -> list[SaveEntry]:
    """Saves in a folder, newest first, read without replaying them (broken ones say why)."""
    if not saves_dir.is_dir():
        return []
    entries: list[SaveEntry] = []
    files = sorted(saves_dir.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in files[:500]:
        try:
            save = loads(path.read_bytes(), str(path))
        except (SaveError, OSError) as exc:
            entries.append(SaveEntry(path, path.stem, "?", "", "broken", 0, 0.0, str(exc)))
            continue
        title = str(save.scenario.get("title", "?"))
        summary = save.summary
        entries.append(
            SaveEntry(
                path,
                save.name or path.stem,
                title,
                save.updated or save.created,
                summary.status,
                summary.round,
                summary.credibility,
            )
        )
    return entries


def latest_unfinished(saves_dir: Path) -> SaveEntry | None:
    """The most recent save of a game still being negotiated, if any."""
    for entry in list_saves(saves_dir):
        if not entry.error and entry.status == "negotiating":
            return entry
    return None


def rename_save(path: Path, name: str) -> None:
    """Give a saved game a new name (the file is rewritten atomically; its moves are kept).

    Raises:
        SaveError: the save is broken; it is left as it is.
    """
    save = loads(path.read_bytes(), str(path))
    write_save(path, save.model_copy(update={"name": name}))
