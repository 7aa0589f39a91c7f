"""The game server: many games, each seat on its own connection, nothing trusted from the wire.

A game lives in memory as a :class:`GameState` rebuilt from the store's log. A seat's move is
checked by the engine, written to the store (committed), and only then applied and sent out:
to each seat the state and log entries it may see, nothing more (see :mod:`seatview`).

Abuse is bounded: messages are size-limited by the transport, each connection has a token
bucket, a join code is tried at most so often from one address, and a connection whose
outgoing queue backs up (a client that stopped reading) is closed; it can rejoin.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import json
import logging
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from negotiation.classroom import Classroom, RoundTimer
from negotiation.engine import (
    FACILITATOR,
    GameState,
    IllegalAction,
    apply,
    new_game,
)
from negotiation.engine.actions import action_adapter
from negotiation.net import codes as join_codes
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
    Ping,
    Pong,
    Presence,
    ProtocolError,
    Saved,
    Settings,
    TimerOp,
    Welcome,
    decode_client,
    encode,
)
from negotiation.net.seatview import (
    PROJECTOR,
    SEAT_FIELDS,
    event_audiences,
    public_fields,
    redact_scenario,
    role_of,
    seat_fields,
    seat_log,
)
from negotiation.net.store import GameRecord, StepTaken, Store, StoredStep, StoreError
from negotiation.rules import Ruleset
from negotiation.savefile import LogStep, SaveFile, hash_of, summary_of
from negotiation.scenario import ScenarioError, parse_scenario, scenario_hash

log = logging.getLogger("negotiation.server")

T = TypeVar("T")

HELLO_TIMEOUT = 15.0
"""Seconds a new connection has to say who it is."""
RATE = 30.0
"""Messages a connection may send per second, on average..."""
BURST = 60.0
"""...and at most this many at once."""
MAX_BAD = 10
"""Malformed or refused messages a connection may send before it is closed."""
MAX_FAILED_JOINS = 20
"""Wrong codes from one address in a minute before it must wait."""
MAX_CREATES = 60
"""Games created from one address in a minute (each compiles a scenario: not free)."""
MAX_QUEUE = 500
"""Messages waiting for a client before it is taken to be gone and is disconnected."""
NEW_CODE_REASON = "the facilitator gave this seat a new code: ask for it, and join again with it"
"""What a seat is told when the facilitator replaces its code."""
UNLOAD_AFTER = 15 * 60.0
"""Seconds a game stays in memory once its last seat has left. Everything about it is in the
store, so unloading loses nothing: the next seat to join loads it again, step by step."""


class Abuse(Exception):
    """The client is closed after being told why."""


class UnknownCode(Abuse):
    """A join code that opens no seat."""


@dataclass(eq=False)
class Seat:
    """One connection holding one seat of one game."""

    ws: ServerConnection
    game: LiveGame
    seat: str
    queue: asyncio.Queue[str | None] = field(default_factory=asyncio.Queue)
    writing: bool = False
    """The writer task is sending (and may be waiting for the client to read)."""
    dropped: bool = False
    """The client fell too far behind and is being disconnected (it may rejoin)."""
    closing: asyncio.Task[None] | None = None

    def send(self, message: BaseModel | str) -> None:
        if self.dropped:
            return
        text = message if isinstance(message, str) else encode(message)
        if not self.writing and self.queue.empty() and self._write_now(text):
            return
        if self.queue.qsize() >= MAX_QUEUE:
            # A client that stopped reading: rather than keep its backlog, close it. Its
            # reader then ends and the seat is freed; joining again brings it up to date.
            self.dropped = True
            self.queue.put_nowait(None)
            self.closing = asyncio.get_running_loop().create_task(
                self.ws.close(1008, "too far behind; join again")
            )
            return
        self.queue.put_nowait(text)

    def _write_now(self, text: str) -> bool:
        """Write the message to the socket at once if the connection can take it without
        waiting, as ``send`` would but without a task switch (the usual case, and what a
        server with many seats spends its time on). Otherwise the writer task sends it, and
        waits for a slow client to read."""
        ws = self.ws
        try:
            if ws.protocol.state is not State.OPEN or ws.send_in_progress is not None:
                return False
            if ws.transport.get_write_buffer_size() > ws.transport.get_write_buffer_limits()[1]:
                return False
            ws.protocol.send_text(text.encode())
        except AttributeError:  # no connection (tests drive seats directly)
            return False
        with contextlib.suppress(OSError):  # a broken connection: its reader sees it close
            ws.send_data()
        return True


@dataclass
class LiveGame:
    """A game the server holds in memory."""

    id: str
    record: GameRecord
    rules: Ruleset
    state: GameState
    steps: list[StoredStep]
    client_ids: dict[str, int]
    classroom: Classroom
    fields: dict[str, Any] = field(default_factory=dict)
    """The state's fields as last sent (an update carries only what changed)."""
    start: str = ""
    """The hash of the game's opening (what the first step's hash chains from)."""
    seats: set[Seat] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    unloading: asyncio.Task[None] | None = None
    """Waits to take the game out of memory, while no seat is connected."""


class _Bucket:
    def __init__(self, now: float) -> None:
        self.tokens = BURST
        self.at = now

    def take(self, now: float) -> bool:
        self.tokens = min(BURST, self.tokens + (now - self.at) * RATE)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class GameServer:
    """Hosts every game of one store. ``clock`` is injectable for tests of the round timer;
    a game leaves memory ``unload_after`` seconds after its last seat (see
    :data:`UNLOAD_AFTER`)."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        unload_after: float = UNLOAD_AFTER,
    ) -> None:
        self.store = store
        self.now = clock
        self.unload_after = unload_after
        self.games: dict[str, LiveGame] = {}
        """The games in memory: those with a seat connected, or left only lately."""
        self._loading: dict[str, asyncio.Lock] = {}
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="negotiation-db")
        self._failed_joins: dict[str, deque[float]] = {}
        self._creates: dict[str, deque[float]] = {}
        self._pending: list[tuple[str, StoredStep, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)

    async def _store_step(self, game_id: str, step: StoredStep) -> None:
        """Commit one step. Steps of several games that wait together are committed in one
        transaction (one sync to disk for all): each is still committed before anyone is
        told of it."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((game_id, step, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._call(self.store.append_many, [(g, s) for g, s, _ in batch])
            except StepTaken:
                # Another server process stored one of them: store them one by one, so that
                # only the step that was taken is refused.
                for game_id, step, future in batch:
                    try:
                        await self._call(self.store.append, game_id, step)
                    except StoreError as exc:
                        future.set_exception(exc)
                    else:
                        future.set_result(None)
                continue
            except Exception as exc:  # the database failed: every waiting move is refused
                error = exc if isinstance(exc, StoreError) else StoreError(str(exc))
                for _, _, future in batch:
                    future.set_exception(error)
                continue
            for _, _, future in batch:
                future.set_result(None)

    # --- lifetime -------------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 8750) -> Server:
        """Listen; the returned server's ``close()`` stops it."""
        return await serve(
            self.handle,
            host,
            port,
            max_size=MAX_MESSAGE_BYTES,
            max_queue=32,
            ping_interval=20,
            ping_timeout=30,
            compression=None,
        )

    def close(self) -> None:
        for game in self.games.values():
            if game.unloading is not None:
                game.unloading.cancel()
        self._db.shutdown(wait=True)
        self.store.close()

    # --- one connection -------------------------------------------------------------------------

    async def handle(self, ws: ServerConnection) -> None:
        try:
            await self._handle(ws)
        except Abuse as exc:
            await _refuse(ws, str(exc), unknown_code=isinstance(exc, UnknownCode))
        except StoreError as exc:
            log.error("%s", exc)
            await _refuse(ws, f"the server cannot use its database: {exc}")
        except ConnectionClosed:
            pass

    async def _handle(self, ws: ServerConnection) -> None:
        try:
            first = await asyncio.wait_for(ws.recv(), HELLO_TIMEOUT)
        except TimeoutError:
            raise Abuse(f"no hello within {HELLO_TIMEOUT:g} s") from None
        try:
            message = decode_client(first)
        except ProtocolError as exc:
            raise Abuse(str(exc)) from None
        if not isinstance(message, Hello | Create | Export):
            raise Abuse("the first message must be hello, create or export")
        if message.protocol != PROTOCOL:
            raise Abuse(
                f"protocol version {message.protocol}; this server speaks version {PROTOCOL} "
                "(update the game on one side)"
            )
        if isinstance(message, Create):
            if not self._allow(self._creates, ws, MAX_CREATES):
                raise Abuse("too many games created from this address; wait a minute")
            await ws.send(encode(await self.create(message)))
            return
        game, seat_id = await self._seat_for(ws, message.code)
        if isinstance(message, Export):
            if seat_id != FACILITATOR:
                raise Abuse("only the facilitator's code exports a game")
            await ws.send(encode(Saved(save=export_save(game).model_dump(mode="json"))))
            return
        seat = Seat(ws, game, seat_id)
        writer: asyncio.Task[None] | None = None
        try:
            while True:
                async with game.lock:
                    if self.games.get(game.id) is game:  # not unloaded while this seat waited
                        seat.game = game
                        writer = asyncio.create_task(self._write(seat))
                        self._welcome(seat)
                        game.seats.add(seat)
                        self._presence(game)
                        if game.state.over:
                            self._reveal(game, [seat])
                        elif seat.seat == PROJECTOR:
                            self._show_projector(game)
                        break
                game = await self.game(game.id)
            await self._read(seat)
        finally:
            game.seats.discard(seat)
            self._presence(game)
            seat.queue.put_nowait(None)
            if writer is not None:
                await writer
            if not game.seats:
                self._unload_later(game)

    def _unload_later(self, game: LiveGame) -> None:
        """Take the game out of memory once no seat has been connected to it for
        ``unload_after`` seconds (counted from now)."""
        if game.unloading is not None:
            game.unloading.cancel()
        game.unloading = asyncio.get_running_loop().create_task(self._unload_when_idle(game))

    async def _unload_when_idle(self, game: LiveGame) -> None:
        """Take the game out of memory if no seat joins it in the next ``unload_after``
        seconds."""
        await asyncio.sleep(self.unload_after)
        async with game.lock:
            if not game.seats and self.games.get(game.id) is game:
                del self.games[game.id]
                self._loading.pop(game.id, None)
                log.info("game %s unloaded: no seat for %g s", game.id, self.unload_after)

    @staticmethod
    def _allow(
        history: dict[str, deque[float]], ws: ServerConnection, limit: int, count: bool = True
    ) -> bool:
        """True if the address of ``ws`` did this fewer than ``limit`` times in the last
        minute (and, with ``count``, counts this time). Loopback is not limited: browser seats
        join from this machine, all from one address, and so do bots and load tests."""
        address = str(ws.remote_address[0]) if ws.remote_address else "?"
        if address in ("127.0.0.1", "::1"):
            return True
        times = history.setdefault(address, deque())
        now = time.monotonic()
        while times and times[0] < now - 60:
            times.popleft()
        if len(times) >= limit:
            return False
        if count:
            times.append(now)
        elif not times:
            del history[address]
        return True

    async def _seat_for(self, ws: ServerConnection, typed: str) -> tuple[LiveGame, str]:
        if not self._allow(self._failed_joins, ws, MAX_FAILED_JOINS, count=False):
            raise Abuse("too many wrong codes from this address; wait a minute")
        code = join_codes.normalise(typed)
        found = await self._call(self.store.seat_of, code) if code else None
        if found is None:
            self._allow(self._failed_joins, ws, MAX_FAILED_JOINS)
            raise UnknownCode("unknown join code (check it with the facilitator)")
        game_id, seat_id = found
        return await self.game(game_id), seat_id

    @staticmethod
    def _presence(game: LiveGame) -> None:
        """Tell every seat who is connected (the facilitator sees who is missing)."""
        text = encode(Presence(seats=sorted({s.seat for s in game.seats})))
        for seat in game.seats:
            seat.send(text)

    def _welcome(self, seat: Seat) -> None:
        game = seat.game
        seat.send(
            Welcome(
                game=game.id,
                seat=seat.seat,
                scenario=redact_scenario(game.rules.scenario, seat.seat).model_dump(mode="json"),
                state=seat_fields(game.state, seat.seat),
                log=seat_log(game.state.log, seat.seat),
                classroom=game.classroom,
                now=self.now(),
            )
        )

    async def _write(self, seat: Seat) -> None:
        while True:
            text = await seat.queue.get()
            if text is None:
                break
            seat.writing = True
            try:
                await seat.ws.send(text)
                while not seat.queue.empty():  # what queued meanwhile, without a wake-up each
                    more = seat.queue.get_nowait()
                    if more is None:
                        return
                    await seat.ws.send(more)
            except ConnectionClosed:
                break
            finally:
                seat.writing = False

    async def _read(self, seat: Seat) -> None:
        bucket = _Bucket(time.monotonic())
        bad = 0
        async for text in seat.ws:
            if not bucket.take(time.monotonic()):
                raise Abuse("too many messages; slow down and rejoin")
            try:
                message = decode_client(text)
                await self._dispatch(seat, message)
            except ProtocolError as exc:
                bad += 1
                seat.send(Error(reason=str(exc)))
            except Refused as exc:
                bad += 1
                seat.send(Error(reason=str(exc), id=exc.id))
            if bad >= MAX_BAD:
                raise Abuse(f"{MAX_BAD} refused messages; closing")

    async def _dispatch(self, seat: Seat, message: object) -> None:
        if isinstance(message, Act):
            await self.act(seat, message)
        elif isinstance(message, TimerOp):
            await self.timer(seat, message)
        elif isinstance(message, Settings):
            await self.settings(seat, message)
        elif isinstance(message, Ping):
            seat.send(Pong())
        elif isinstance(message, NewCode):
            await self.new_code(seat, message)
        else:
            raise Refused("this connection already holds a seat")

    # --- games ----------------------------------------------------------------------------------

    async def create(self, message: Create) -> Created:
        """Set up a game: check the scenario as a file is checked, store it, hand out codes."""
        try:
            scenario = parse_scenario(message.scenario, "create: scenario")
            text = json.dumps(scenario.model_dump(mode="json"))
            rules = compiled(text)  # (checked above: the same data parses again)
            new_game(rules, seed=message.seed or 0, rounds=message.rounds)
        except (ScenarioError, ValueError) as exc:
            raise Abuse(str(exc)) from None
        seed = message.seed if message.seed is not None else secrets.randbelow(2**31)
        rounds = message.rounds or scenario.turns.rounds
        game_id = secrets.token_hex(4)
        seats = [*scenario.roles, FACILITATOR, PROJECTOR]
        codes = {seat: join_codes.new_code() for seat in seats}
        record = GameRecord(
            id=game_id,
            scenario=text,
            seed=seed,
            rounds=rounds,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            classroom=Classroom(facilitator=True).model_dump_json(),
        )
        await self._call(self.store.create_game, record, {c: s for s, c in codes.items()})
        log.info("game %s created: %s, seed %d, %d rounds", game_id, scenario.id, seed, rounds)
        return Created(game=game_id, codes=codes)

    async def game(self, game_id: str) -> LiveGame:
        """The game, loaded from the store (and checked, step by step) if not in memory."""
        if game_id in self.games:
            return self.games[game_id]
        lock = self._loading.setdefault(game_id, asyncio.Lock())
        async with lock:
            if game_id not in self.games:
                record, steps = await self._call(self.store.load, game_id)
                game = await asyncio.get_running_loop().run_in_executor(
                    None, load_game, record, steps
                )
                self.games[game_id] = game
                self._unload_later(game)  # unless a seat joins it (an export, say)
        return self.games[game_id]

    async def act(self, seat: Seat, message: Act) -> None:
        game = seat.game
        async with game.lock:
            done = game.client_ids.get(message.id)
            if done is not None:
                seat.send(Accepted(id=message.id, step=done))
                return
            action = message.action
            if seat.seat == PROJECTOR:
                raise Refused("the projector only watches", message.id)
            if action.role != seat.seat:
                raise Refused(
                    f'this connection plays "{seat.seat}"; it cannot move for "{action.role}"',
                    message.id,
                )
            try:
                after = apply(game.state, action)  # the engine's own check first
            except IllegalAction as exc:
                raise Refused(str(exc), message.id) from None
            except (KeyError, ValueError) as exc:
                raise Refused(f"the move does not fit the game ({exc})", message.id) from None
            fields = public_fields(after)
            previous = game.steps[-1].hash if game.steps else game.start
            step = StoredStep(
                step=len(game.steps) + 1,
                action=action.model_dump_json(),
                hash=hash_of(game.record.hashing, previous, action, after, fields),
                client_id=message.id,
            )
            try:
                await self._store_step(game.id, step)
            except StepTaken as exc:
                raise Refused(f"{exc}; rejoin to see the game as it is", message.id) from None
            before = game.state
            game.state = after
            game.steps.append(step)
            game.client_ids[message.id] = step.step
            self._broadcast(game, before, fields, mover=seat, move_id=message.id)
            timer = game.classroom.timer
            if timer is not None and after.round > before.round:
                # A new round, a fresh clock of the same length, stopped until started:
                # however the last round ended.
                classroom = game.classroom.model_copy(update={"timer": timer.reset()})
                await self._set_classroom(game, classroom)
            if after.over:
                self._reveal(game, game.seats)
            else:
                self._show_projector(game)

    def _reveal(self, game: LiveGame, seats: Iterable[Seat]) -> None:
        """The game is over: every seat gets the whole game, for the debrief. Until the end,
        no seat is sent anything private to another; at the end nothing is private any more
        (the debrief compares every delegation's satisfaction with its walk-away value)."""
        text = encode(Saved(save=export_save(game).model_dump(mode="json")))
        for seat in seats:
            seat.send(text)

    def _broadcast(
        self,
        game: LiveGame,
        before: GameState,
        fields: dict[str, Any],
        *,
        mover: Seat | None = None,
        move_id: str = "",
    ) -> None:
        """Send every seat its update: the fields that changed and the new log entries it may
        read. The JSON is put together here from pieces made once per move (each new entry,
        the shared fields), as the protocol's ``Update`` would write it; seats that see the
        same entries get the same text. A seat's own fields (its events, its shifts) go out
        only when the move changed them."""
        state = game.state
        entries = [(entry, entry.model_dump_json()) for entry in state.log[len(before.log) :]]
        changed = {
            k: v for k, v in fields.items() if k not in SEAT_FIELDS and game.fields.get(k) != v
        }
        # (The seed and the log's digest do not change what a seat is told: a seat's seed is
        # its own and fixed, and only the facilitator is told the digest.)
        own_changed = any(
            game.fields.get(k) != fields[k] for k in ("events", "walk_away_shift", "capacity_shift")
        )
        game.fields = fields
        shared = json.dumps(changed)[1:-1]
        audiences = event_audiences(state) if own_changed else {}
        own_fields = {k: fields[k] for k in SEAT_FIELDS}
        made: dict[tuple[int, ...], str] = {}
        for seat in game.seats:
            own = seat.seat
            role = role_of(own)
            seen = tuple(
                n
                for n, (entry, _) in enumerate(entries)
                if own == FACILITATOR or entry.visible(role)
            )
            log = ",".join(entries[n][1] for n in seen)
            if own_changed or seat is mover or own == FACILITATOR:
                parts = [shared] if shared else []
                if own_changed or own == FACILITATOR:
                    mine = seat_fields(state, own, own_fields, audiences)
                    parts.append(json.dumps(mine)[1:-1])
                receipt = f',"accepted":{json.dumps(move_id)}' if seat is mover else ""
                text = f'{{"type":"update","state":{{{",".join(parts)}}},"log":[{log}]{receipt}}}'
            else:
                text = made.get(seen, "")
                if not text:
                    text = made[seen] = f'{{"type":"update","state":{{{shared}}},"log":[{log}]}}'
            seat.send(text)

    async def timer(self, seat: Seat, message: TimerOp) -> None:
        """The facilitator's timer, run on the server's clock so every seat counts alike."""
        if seat.seat != FACILITATOR:
            raise Refused("only the facilitator runs the clock")
        game = seat.game
        async with game.lock:
            now = self.now()
            clock = game.classroom.timer
            if message.op == "clear":
                clock = None
            elif message.op == "put":
                clock = message.timer
            elif message.op == "set":
                clock = RoundTimer.set(message.seconds)
            elif clock is None:
                raise Refused("set the timer first")
            elif message.op == "start":
                clock = clock.start(now)
            elif message.op == "pause":
                clock = clock.pause(now)
            else:
                clock = clock.extend(message.seconds, now)
            await self._set_classroom(game, game.classroom.model_copy(update={"timer": clock}))

    async def settings(self, seat: Seat, message: Settings) -> None:
        """What the projector shows, and the teams: the facilitator's to decide."""
        if seat.seat != FACILITATOR:
            raise Refused("only the facilitator decides what the projector shows")
        game = seat.game
        roles = game.rules.scenario.roles
        if message.teams is not None and not set(message.teams) <= set(roles):
            raise Refused(f"teams: unknown role {sorted(set(message.teams) - set(roles))[0]!r}")
        async with game.lock:
            update: dict[str, Any] = {
                "reveal": message.reveal,
                "projector": message.projector,
                "debrief_page": message.debrief_page,
            }
            if message.teams is not None:
                update["teams"] = message.teams
            await self._set_classroom(game, game.classroom.model_copy(update=update))

    async def new_code(self, seat: Seat, message: NewCode) -> None:
        """Give a seat a new join code (the facilitator's to do): the old one stops working,
        and whoever holds the seat with it is told and disconnected."""
        if seat.seat != FACILITATOR:
            raise Refused("only the facilitator gives out new codes")
        game = seat.game
        if message.seat not in (*game.rules.scenario.roles, FACILITATOR, PROJECTOR):
            raise Refused(f'no seat "{message.seat}" in this game')
        code = join_codes.new_code()
        async with game.lock:
            await self._call(self.store.replace_code, game.id, message.seat, code)
            for other in [s for s in game.seats if s.seat == message.seat and s is not seat]:
                other.send(Error(reason=NEW_CODE_REASON, fatal=True))
                other.dropped = True  # nothing more for it; its reader ends when it closes
                other.queue.put_nowait(None)
                other.closing = asyncio.get_running_loop().create_task(
                    other.ws.close(1008, "the seat has a new code")
                )
        log.info("game %s: new code for %s", game.id, message.seat)
        seat.send(CodeChanged(seat=message.seat, code=code))

    async def _set_classroom(self, game: LiveGame, classroom: Classroom) -> None:
        """Store the new settings, then tell every seat (and show the projector the whole
        game while the facilitator reveals it or puts the class debrief on it)."""
        await self._call(self.store.set_classroom, game.id, classroom.model_dump_json())
        game.classroom = classroom
        update = encode(ClassroomUpdate(classroom=classroom, now=self.now()))
        for other in game.seats:
            other.send(update)
        self._show_projector(game)

    def _show_projector(self, game: LiveGame) -> None:
        if game.state.over or not (game.classroom.reveal or game.classroom.projector == "debrief"):
            return
        projectors = [s for s in game.seats if s.seat == PROJECTOR]
        if projectors:
            self._reveal(game, projectors)


class Refused(Exception):
    """A message refused without closing the connection."""

    def __init__(self, reason: str, id: str | None = None) -> None:
        super().__init__(reason)
        self.id = id


async def _refuse(ws: ServerConnection, reason: str, *, unknown_code: bool = False) -> None:
    """Say why, then close. Whatever the client still sends is read and dropped meanwhile, so
    that a flooding client's backlog cannot hold the closing handshake up."""

    async def drop_the_rest() -> None:
        try:
            async for _ in ws:
                pass
        except ConnectionClosed:
            pass

    dropping = asyncio.create_task(drop_the_rest())
    try:
        await ws.send(encode(Error(reason=reason, fatal=True, unknown_code=unknown_code)))
        await ws.close(1008, reason[:120])
    except ConnectionClosed:
        pass
    finally:
        dropping.cancel()


@functools.lru_cache(maxsize=16)
def compiled(scenario: str) -> Ruleset:
    """A scenario's compiled rules, shared by every game played with it (a class plays one
    scenario in many games; its tables are built once and take memory once).

    Raises:
        ScenarioError: the scenario is not valid.
    """
    rules = Ruleset(parse_scenario(json.loads(scenario), "scenario"))
    _ = rules.table  # built now, not by the first move that needs it (with a class waiting)
    return rules


def load_game(record: GameRecord, steps: list[StoredStep]) -> LiveGame:
    """A stored game in memory: its log replayed through the engine, every hash checked.

    Raises:
        StoreError: the stored scenario or log does not replay as recorded.
    """
    where = f"game {record.id}"
    try:
        rules = compiled(record.scenario)
    except (ScenarioError, ValueError) as exc:
        raise StoreError(f"{where}: {exc}") from None
    state = new_game(rules, seed=record.seed, rounds=record.rounds)
    start = previous = hash_of(record.hashing, "", None, state)
    for step in steps:
        try:
            action = action_adapter().validate_json(step.action)
            state = apply(state, action)
        except ValueError as exc:
            raise StoreError(f"{where}: step {step.step}: {exc}") from None
        if hash_of(record.hashing, previous, action, state) != step.hash:
            raise StoreError(f"{where}: step {step.step}: the replay differs from the stored hash")
        previous = step.hash
    classroom = (
        Classroom.model_validate_json(record.classroom)
        if record.classroom
        else Classroom(facilitator=True)
    )
    return LiveGame(
        id=record.id,
        record=record,
        rules=rules,
        state=state,
        steps=list(steps),
        client_ids={s.client_id: s.step for s in steps if s.client_id},
        fields=public_fields(state),
        classroom=classroom,
        start=start,
    )


def export_save(game: LiveGame) -> SaveFile:
    """The game as an ordinary save file, from its stored log."""
    scenario = game.rules.scenario
    return SaveFile(
        name=f"network game {game.id}",
        version=1 if game.record.hashing == 1 else 2,
        created=game.record.created,
        updated=datetime.now(UTC).isoformat(timespec="seconds"),
        scenario=scenario.model_dump(mode="json"),
        scenario_hash=scenario_hash(scenario),
        seed=game.record.seed,
        rounds=game.record.rounds,
        start=game.start,
        summary=summary_of(game.state),
        classroom=game.classroom,
        log=[
            LogStep(action=action_adapter().validate_json(s.action), hash=s.hash)
            for s in game.steps
        ],
    )


async def _collect_every(seconds: float) -> None:
    """A full garbage collection now and then (see :func:`run_server`)."""
    while True:
        await asyncio.sleep(seconds)
        started = time.perf_counter()
        gc.collect()
        log.debug("full garbage collection: %.0f ms", (time.perf_counter() - started) * 1000)


async def run_server(
    store: Store,
    host: str,
    port: int,
    *,
    web_port: int | None = None,
    ready: Callable[[str, str | None], Awaitable[None] | None] | None = None,
) -> None:
    """Serve until cancelled; with ``web_port``, browser seats too (see :mod:`web`).

    ``ready`` is told the game server's address and the browser seats' (or None).
    """
    server = GameServer(store)
    # What the engine loads only on first use (the stress test and NumPy's random numbers,
    # the tables of packages) is loaded now: loaded mid-class, it stopped every game.
    import numpy.random  # noqa: F401

    import negotiation.engine.stress
    import negotiation.rules.tables  # noqa: F401

    listener = await server.start(host, port)
    # What is loaded by now lives as long as the server: keep the garbage collector from
    # walking it at every full collection (a full pass over a busy server's games took
    # 100 ms and more, and every seat waited meanwhile).
    gc.collect()
    gc.freeze()
    # Full collections (which walk every game in memory) run on the server's own schedule,
    # once a minute, not whenever the allocator's counters say; young garbage is collected
    # as usual, and more cheaply in larger batches.
    gc.set_threshold(10_000, 20, 1_000_000_000)
    sweeper = asyncio.create_task(_collect_every(60.0))
    web_runner = None
    try:
        port = next(iter(listener.sockets)).getsockname()[1]  # the real one, for --port 0
        web_url = None
        if web_port is not None:
            from negotiation.net.web import start_web

            local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
            web_runner = await start_web(f"ws://{local}:{port}", host, web_port)
            web_url = f"http://{host}:{web_port}"
        if ready is not None:
            result = ready(f"ws://{host}:{port}", web_url)
            if result is not None:
                await result
        await listener.serve_forever()
    finally:
        sweeper.cancel()
        if web_runner is not None:
            await web_runner.cleanup()
        listener.close()
        await listener.wait_closed()
        server.close()
