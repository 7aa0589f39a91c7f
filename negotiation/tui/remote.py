"""A seat of a game held by a server, as the screens see it: a :class:`GameSession` whose moves
go over the network and whose state comes back from it.

The screens read ``state`` as they do for a game on this machine; it is the seat's mirror of
the server's game (see :mod:`negotiation.net.seatview`), replaced whenever the server says the
game moved. ``act`` checks a move against that state (so a mistake is told at once, as at one
machine) and hands it to the connection; the screens redraw when the server's update arrives,
not before. Once the game is over the server sends the whole game, and ``state`` and ``save``
become the full game, for the end screen and the debrief.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from negotiation.classroom import Classroom, RoundTimer
from negotiation.engine import FACILITATOR, Action, GameState, validate
from negotiation.net.client import SeatConnection
from negotiation.net.protocol import Act, NewCode, Settings, TimerOp
from negotiation.net.seatview import PROJECTOR
from negotiation.savefile import SaveError, SaveFile, loads, replay, write_save
from negotiation.scenario import scenario_hash
from negotiation.tui.session import HUMAN, GameSession

REMOTE = "remote"
"""How a seat played from another machine, and connected now, is marked in ``seats``."""
AWAY = "away"
"""...and a seat nobody holds at the moment."""


class RemoteSession(GameSession):
    """One seat (a delegation, the facilitator or the projector) of a networked game."""

    remote: ClassVar[bool] = True

    def __init__(self, connection: SeatConnection, send: Callable[[BaseModel], None]) -> None:
        mirror = connection.mirror
        assert mirror is not None
        state = mirror.state
        seats = {r: HUMAN if r == mirror.role else REMOTE for r in state.scenario.roles}
        scenario = state.scenario
        placeholder = SaveFile(
            name=f"network game {connection.game}",
            scenario=scenario.model_dump(mode="json"),
            scenario_hash=scenario_hash(scenario),
            seed=state.seed,
            rounds=state.max_rounds,
        )
        super().__init__(state, seats, None, placeholder)
        self.connection = connection
        self.seat = connection.seat
        self._send = send
        self.full = False
        """True once the whole game has come (at its end)."""
        self._seats_from_presence()

    # --- following the server ---------------------------------------------------------------

    def refresh(self) -> bool:
        """Take in what the connection has received; True if the game's state changed."""
        connection = self.connection
        if connection.debrief is not None and not self.full:
            try:
                save = loads(json.dumps(connection.debrief), "the server's game")
                state = replay(save, "the server's game")
            except SaveError:
                save, state = None, None
            if save is not None and state is not None:
                self.full = True
                self.save, self.state = save, state
                return True
        if self.full:
            return False
        mirror = connection.mirror
        assert mirror is not None
        changed = mirror.state is not self.state
        self.state = mirror.state
        self._seats_from_presence()
        return changed

    def _seats_from_presence(self) -> None:
        """Mark each other delegation connected or not, as the server last said."""
        for role in self.seats:
            if self.seats[role] != HUMAN:
                self.seats[role] = REMOTE if role in self.connection.present else AWAY

    @property
    def clock_offset(self) -> float:
        return self.connection.offset

    # --- moves --------------------------------------------------------------------------------

    def act(self, action: Action) -> GameState:
        """Check the move here, then send it; the state changes when the server answers."""
        validate(self.state, action)
        self._send(Act(id=uuid.uuid4().hex, action=action))
        return self.state

    def bot_step(self) -> Action:
        raise ValueError("bots of a networked game play on their own machines")

    def set_seat(self, role: str, seat: str) -> None:
        raise ValueError("over the network, a seat is taken with its join code")

    # --- the classroom ------------------------------------------------------------------------

    @property
    def classroom(self) -> Classroom:
        if self.seat == FACILITATOR:
            return self.connection.classroom.model_copy(update={"facilitator": True})
        return self.connection.classroom

    @property
    def facilitated(self) -> bool:
        return self.seat == FACILITATOR

    @property
    def watching(self) -> bool:
        """True for the projector, which makes no moves."""
        return self.seat == PROJECTOR

    def replace_code(self, seat: str) -> None:
        """Ask the server for a new join code for ``seat`` (the facilitator only); the code
        comes back in its own message (see :meth:`NegotiationApp._listen`)."""
        self._send(NewCode(seat=seat))

    def update_classroom(self, **changes: Any) -> Classroom:
        """Ask the server to change the settings (the facilitator only); every seat is told."""
        now = self.connection.classroom
        wanted = now.model_copy(update=changes)
        if "timer" in changes:
            timer: RoundTimer | None = changes["timer"]
            self._send(TimerOp(op="put", timer=timer))
        rest = {k for k in changes if k != "timer"}
        if rest:
            self._send(
                Settings(
                    reveal=wanted.reveal,
                    projector=wanted.projector,
                    debrief_page=wanted.debrief_page,
                    teams=wanted.teams if "teams" in rest else None,
                )
            )
        return wanted

    def write(self) -> None:
        """The server keeps the game: nothing to write here."""

    def save_as(self, path: Path, name: str) -> None:
        """A copy of the game as a save file on this machine (the whole game, once over)."""
        write_save(path, self.save.model_copy(update={"name": name}))
