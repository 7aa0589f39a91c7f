"""The client side: create a game, take a seat, play it with a bot, export a game.

A seat's connection keeps a :class:`SeatMirror` of the game. When the connection drops (a
laptop leaves the network, the server restarts), the client joins again with its code and goes
on from the state the server sends; a move it sent but saw no answer to is sent again with the
same id, and the server applies it once.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from negotiation.bots.base import Strategy, bot_rng
from negotiation.classroom import Classroom
from negotiation.engine import Action, RoleView
from negotiation.net.protocol import (
    MAX_MESSAGE_BYTES,
    PROTOCOL,
    Accepted,
    Act,
    ClassroomUpdate,
    CodeChanged,
    Create,
    Created,
    Error,
    Export,
    Hello,
    NewCode,
    Presence,
    ProtocolError,
    Saved,
    ServerMessage,
    Update,
    Welcome,
    decode_server,
    encode,
)
from negotiation.net.seatview import SeatMirror

log = logging.getLogger("negotiation.client")


class ClientError(Exception):
    """The server cannot be reached, refused us, or broke the protocol (one line)."""


class CodeRefused(ClientError):
    """The server does not know the join code (mistyped, or replaced by the facilitator)."""


class Unreachable(ClientError):
    """The server cannot be reached, or the connection to it broke (it may come back)."""


_NETWORK_ERRORS = (OSError, ConnectionClosed, InvalidHandshake, TimeoutError)


def check_url(url: str) -> str:
    """The address, if it is a server's (ws://HOST:PORT); else a ClientError saying why."""
    if not url.startswith(("ws://", "wss://")):
        raise ClientError(f"{url}: a server address starts with ws:// (e.g. ws://127.0.0.1:8750)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - checks the port: a number from 0 to 65535
    except ValueError as exc:
        raise ClientError(f"{url}: not a server address ({exc})") from None
    if not parts.hostname:
        raise ClientError(f"{url}: not a server address (no host)")
    return url


async def _open(url: str, timeout: float) -> ClientConnection:
    try:
        return await asyncio.wait_for(
            connect(
                check_url(url), max_size=MAX_MESSAGE_BYTES, compression=None, open_timeout=timeout
            ),
            timeout,
        )
    except InvalidURI as exc:
        raise ClientError(f"{url}: not a server address ({exc})") from None
    except _NETWORK_ERRORS as exc:
        raise Unreachable(f"{url}: cannot reach the server ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


async def _receive(ws: ClientConnection, timeout: float | None = None) -> ServerMessage:
    text = await asyncio.wait_for(ws.recv(), timeout) if timeout else await ws.recv()
    try:
        return decode_server(text)
    except ProtocolError as exc:
        raise ClientError(f"the server sent something this game does not read ({exc})") from None


async def _one_shot(url: str, message: Create | Export, timeout: float) -> ServerMessage:
    ws = await _open(url, timeout)
    try:
        await ws.send(encode(message))
        reply = await _receive(ws, timeout)
    except _NETWORK_ERRORS as exc:
        raise ClientError(f"{url}: the connection failed ({_reason(exc)})") from None
    finally:
        await ws.close()
    if isinstance(reply, Error):
        raise ClientError(f"{url}: {reply.reason}")
    return reply


async def create_game(
    url: str,
    scenario: dict[str, Any],
    *,
    seed: int | None = None,
    rounds: int | None = None,
    timeout: float = 30.0,
) -> Created:
    """Set up a game on the server; returns its id and the codes of its seats."""
    reply = await _one_shot(
        url, Create(protocol=PROTOCOL, scenario=scenario, seed=seed, rounds=rounds), timeout
    )
    if not isinstance(reply, Created):
        raise ClientError(f"{url}: unexpected answer {reply.type!r} to create")
    return reply


async def export_game(url: str, code: str, *, timeout: float = 60.0) -> dict[str, Any]:
    """A game's save (as JSON data), fetched with the facilitator's code."""
    reply = await _one_shot(url, Export(protocol=PROTOCOL, code=code), timeout)
    if not isinstance(reply, Saved):
        raise ClientError(f"{url}: unexpected answer {reply.type!r} to export")
    return reply.save


async def replace_code(url: str, code: str, seat: str, *, timeout: float = 30.0) -> str:
    """Give ``seat`` a new join code, with the facilitator's ``code``; returns the new code.
    Whoever holds the seat with the old one is disconnected.

    Raises:
        ClientError: the server is not there, the code is not the facilitator's, or there is
            no such seat.
    """
    connection = SeatConnection(url, code)
    await connection.join(timeout=timeout)
    try:
        await connection.send_message(NewCode(seat=seat))
        while True:
            message = await asyncio.wait_for(connection.receive(), timeout)
            if isinstance(message, CodeChanged) and message.seat == seat:
                return message.code
            if isinstance(message, Error):
                raise ClientError(f"{url}: {message.reason}")
    except TimeoutError:
        raise ClientError(f"{url}: no answer from the server") from None
    except _NETWORK_ERRORS as exc:
        raise ClientError(f"{url}: the connection failed ({_reason(exc)})") from None
    finally:
        await connection.close()


async def check_seat(url: str, code: str = "", *, timeout: float = 10.0) -> None:
    """Check that the server answers and, given a code, that the code opens a seat.

    Raises:
        ClientError: the address is wrong, the server is not there, or the code is unknown.
    """
    if code:
        seat = SeatConnection(url, code)
        await seat.join(timeout=timeout)
        await seat.close()
        return
    ws = await _open(url, timeout)
    await ws.close()


class SeatConnection:
    """One seat's live connection: sends moves, keeps the mirror up to date."""

    def __init__(self, url: str, code: str) -> None:
        self.url = url
        self.code = code
        self.ws: ClientConnection | None = None
        self.mirror: SeatMirror | None = None
        self.game = ""
        self.seat = ""
        self.classroom: Classroom = Classroom()
        self.offset = 0.0
        """The server's clock minus ours, for the round timer."""
        self.pending: Act | None = None
        """A move sent and not yet answered (sent again after a reconnect)."""
        self.debrief: dict[str, Any] | None = None
        """The whole game as a save: sent to every seat once the game is over, and to the
        projector while the facilitator reveals it."""
        self.saves_received = 0
        self.present: set[str] = set()
        """The seats connected to the game now, as the server last said."""
        self.new_codes: dict[str, str] = {}
        """Seats given a new join code this session (the facilitator's connection only)."""

    async def join(self, timeout: float = 30.0) -> Welcome:
        """Connect and take the seat (a wrong code is a ClientError)."""
        ws = await _open(self.url, timeout)
        try:
            await ws.send(encode(Hello(protocol=PROTOCOL, code=self.code)))
            reply = await _receive(ws, timeout)
        except _NETWORK_ERRORS as exc:
            await ws.close()
            raise Unreachable(f"{self.url}: the connection failed ({_reason(exc)})") from None
        if isinstance(reply, Error):
            await ws.close()
            refused = CodeRefused if reply.unknown_code else ClientError
            raise refused(f"{self.url}: {reply.reason}")
        if not isinstance(reply, Welcome):
            await ws.close()
            raise ClientError(f"{self.url}: unexpected answer {reply.type!r} to hello")
        self.ws = ws
        self.game, self.seat = reply.game, reply.seat
        self.mirror = SeatMirror(reply.seat, reply.scenario, reply.state, reply.log)
        self._set_classroom(reply.classroom, reply.now)
        if self.pending is not None:
            await ws.send(encode(self.pending))
        return reply

    async def send(self, action: Action) -> str:
        """Send a move; its id comes back in the update it makes (or in ``accepted`` for a
        move sent again, or in an error)."""
        assert self.ws is not None
        self.pending = Act(id=uuid.uuid4().hex, action=action)
        await self.ws.send(encode(self.pending))
        return self.pending.id

    async def receive(self) -> ServerMessage:
        """The next message, applied to the mirror."""
        assert self.ws is not None and self.mirror is not None
        message = await _receive(self.ws)
        if isinstance(message, Update):
            self.mirror.update(message.state, message.log)
            if self.pending is not None and message.accepted == self.pending.id:
                self.pending = None
        elif isinstance(message, Accepted | Error) and self.pending is not None:
            if message.id == self.pending.id:
                self.pending = None
        elif isinstance(message, ClassroomUpdate):
            self._set_classroom(message.classroom, message.now)
        elif isinstance(message, Saved):
            self.debrief = message.save
            self.saves_received += 1
        elif isinstance(message, Presence):
            self.present = set(message.seats)
        elif isinstance(message, CodeChanged):
            self.new_codes[message.seat] = message.code
        return message

    def _set_classroom(self, classroom: Classroom, now: float) -> None:
        self.classroom = classroom
        self.offset = now - time.time()

    def server_time(self) -> float:
        """The server's clock now (for the round timer), as far as we can tell."""
        return time.time() + self.offset

    async def send_message(self, message: BaseModel) -> None:
        """Send any client message (a timer or settings change from the facilitator)."""
        assert self.ws is not None
        await self.ws.send(encode(message))

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


async def run_bot(
    url: str,
    code: str,
    bot: Strategy,
    *,
    patience: float = 60.0,
    on_event: Callable[[str], None] | None = None,
) -> SeatMirror:
    """Play a seat with a bot until the game ends; returns the seat's last view of it.

    A dropped connection is joined again, for up to ``patience`` seconds without contact.

    Raises:
        ClientError: a wrong code, a seat that is not a delegation's, a server gone for longer
            than ``patience``, or moves refused again and again.
    """
    say = on_event or (lambda text: None)
    seat = SeatConnection(url, code)
    refused = 0
    waited = 0.0
    while True:
        try:
            await seat.join()
        except Unreachable:
            if seat.mirror is None:
                raise
            if waited >= patience:
                raise ClientError(f"{url}: the server has been gone for {patience:g} s") from None
            await asyncio.sleep(1.0)  # back off before trying to join again
            waited += 1.0
            continue
        waited = 0.0
        mirror = seat.mirror
        assert mirror is not None
        if mirror.role is None:
            await seat.close()
            raise ClientError(f"the code is the {seat.seat}'s; a bot plays a delegation's seat")
        say(f"joined game {seat.game} as {seat.seat}")
        try:
            while not mirror.state.over:
                state = mirror.state
                if state.turn == mirror.role and seat.pending is None:
                    move = bot.choose(
                        RoleView(state, mirror.role), bot_rng(state.seed, mirror.role, state.steps)
                    )
                    await seat.send(move)
                message = await seat.receive()
                if isinstance(message, Error):
                    if message.fatal:
                        raise ClientError(f"{url}: {message.reason}")
                    refused += 1  # in a row: a bot whose moves keep being refused stops
                    say(f"refused: {message.reason}")
                    if refused >= 5:
                        raise ClientError(
                            f"{url}: the server refused this bot's moves: {message.reason}"
                        )
                elif isinstance(message, Update) and message.accepted is not None:
                    refused = 0
            await seat.close()
            return mirror
        except _NETWORK_ERRORS:
            say("connection lost; joining again")
            continue
