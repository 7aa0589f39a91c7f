"""The game server on a loopback port: games played by bots over real connections, and
clients that misbehave in every way the issue lists, none of which crashes it or changes a game."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from negotiation.bots import strategy
from negotiation.engine import FACILITATOR, Pass, Propose, legal_actions
from negotiation.net.client import ClientError, SeatConnection, create_game, export_game, run_bot
from negotiation.net.protocol import (
    MAX_MESSAGE_BYTES,
    PROTOCOL,
    Accepted,
    ClassroomUpdate,
    Error,
    Pong,
    Presence,
    Update,
)
from negotiation.net.server import MAX_BAD, GameServer
from negotiation.net.store import SQLiteStore
from negotiation.savefile import loads, replay
from negotiation.scenario import resolve_scenario

PARIS = resolve_scenario("paris-2025")


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[GameServer, str]]:
    server = GameServer(SQLiteStore(tmp_path / "server.db"))
    listener = await server.start("127.0.0.1", 0)
    port = next(iter(listener.sockets)).getsockname()[1]
    yield server, f"ws://127.0.0.1:{port}"
    listener.close()
    await listener.wait_closed()
    server.close()


async def new_game(url: str, seed: int = 5) -> dict[str, str]:
    """A new Paris game's codes; its id under the key "game"."""
    created = await create_game(url, PARIS.model_dump(mode="json"), seed=seed)
    return {**created.codes, "game": created.game}


async def raw(url: str) -> ClientConnection:
    return await connect(url, max_size=None, compression=None)


async def hello(url: str, code: str) -> tuple[ClientConnection, dict[str, Any]]:
    ws = await raw(url)
    await ws.send(json.dumps({"type": "hello", "protocol": PROTOCOL, "code": code}))
    return ws, json.loads(await ws.recv())


async def next_of(ws: ClientConnection, kind: str) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if message["type"] == kind:
            return message


async def test_six_bots_play_a_whole_game_and_its_export_replays_to_the_same_end(
    served: tuple[GameServer, str],
) -> None:
    server, url = served
    codes = await new_game(url)
    mirrors = await asyncio.gather(
        *(
            run_bot(url, codes[role], strategy(spec.default_strategy))
            for role, spec in PARIS.roles.items()
        )
    )
    live = next(iter(server.games.values())).state
    assert live.over
    save = loads(json.dumps(await export_game(url, codes[FACILITATOR])))
    replayed = replay(save)  # every stored hash checked on the way
    assert replayed.fingerprint() == live.fingerprint()
    assert replayed.scorecard().total == live.scorecard().total
    for mirror in mirrors:  # every seat saw the same end, and the same credibility
        assert mirror.state.status == live.status
        assert mirror.state.scorecard().total == live.scorecard().total


async def test_a_wrong_code_or_protocol_is_refused_in_one_line(
    served: tuple[GameServer, str],
) -> None:
    _, url = served
    await new_game(url)
    with pytest.raises(ClientError, match="unknown join code"):
        await SeatConnection(url, "ZZZZ-ZZZZ-ZZZZ").join()
    ws = await raw(url)
    await ws.send(json.dumps({"type": "hello", "protocol": 99, "code": "x"}))
    reply = json.loads(await ws.recv())
    assert reply["fatal"] and "protocol version 99" in reply["reason"]
    with pytest.raises(ConnectionClosed):
        await ws.recv()


async def test_an_unreachable_server_is_one_clear_error(free_port: int) -> None:
    with pytest.raises(ClientError, match="cannot reach the server"):
        await SeatConnection(f"ws://127.0.0.1:{free_port}", "AAAA-AAAA-AAAA").join(timeout=5)
    with pytest.raises(ClientError, match="starts with ws://"):
        await SeatConnection("http://127.0.0.1", "AAAA-AAAA-AAAA").join()


async def test_a_typed_code_may_differ_in_case_dashes_and_look_alike_letters(
    served: tuple[GameServer, str],
) -> None:
    _, url = served
    codes = await new_game(url)
    typed = codes["uk"].replace("-", " ").lower().replace("0", "o").replace("1", "l")
    seat = SeatConnection(url, typed)
    welcome = await seat.join()
    assert welcome.seat == "uk"
    await seat.close()


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"type": "teleport"}', "bad 'teleport' message"),
        ('{"type": "act", "id": "x", "action": {"type": "pass"}}', "action"),
        (
            '{"type": "act", "id": "bad id with spaces", "action": {"type": "pass", "role": "uk"}}',
            "id",
        ),
    ],
)
async def test_bad_messages_get_an_error_and_change_nothing(
    served: tuple[GameServer, str], sent: str, expected: str
) -> None:
    server, url = served
    codes = await new_game(url)
    ws, welcome = await hello(url, codes["uk"])
    before = welcome["state"]["steps"]
    await ws.send(sent)
    reply = await next_of(ws, "error")
    assert expected in reply["reason"] and not reply["fatal"]
    await ws.send(json.dumps({"type": "ping"}))  # the connection is still served
    assert (await next_of(ws, "pong"))["type"] == "pong"
    game = next(iter(server.games.values()))
    assert game.state.steps == before
    await ws.close()


async def test_a_seat_cannot_move_for_another_nor_out_of_turn_nor_as_the_projector(
    served: tuple[GameServer, str],
) -> None:
    server, url = served
    codes = await new_game(url)
    ws, welcome = await hello(url, codes["uk"])
    turn = welcome["state"]["turn"]
    assert turn != "uk"
    for n, action in enumerate(
        [Pass(role=turn), Pass(role="uk"), Propose(role="uk", package={"x": "y"})]
    ):
        await ws.send(json.dumps({"type": "act", "id": f"a{n}", "action": action.model_dump()}))
        reply = await next_of(ws, "error")
        assert reply["id"] == f"a{n}"
    projector, _ = await hello(url, codes["projector"])
    await projector.send(
        json.dumps({"type": "act", "id": "p", "action": Pass(role=turn).model_dump()})
    )
    assert "only watches" in (await next_of(projector, "error"))["reason"]
    game = await server.game(codes["game"])
    assert game.state.steps == 0 and not any(e.action for e in game.state.log)
    await ws.close()
    await projector.close()


async def test_a_move_sent_twice_is_applied_once(served: tuple[GameServer, str]) -> None:
    server, url = served
    codes = await new_game(url)
    game = await server.game(codes["game"])
    seat = SeatConnection(url, codes[game.state.turn or ""])
    await seat.join()
    assert seat.mirror is not None
    move = legal_actions(seat.mirror.state, seat.seat, proposals=False)[0]
    seat_id = await seat.send(move)
    assert seat.ws is not None and seat.pending is not None
    await seat.ws.send(seat.pending.model_dump_json())  # the retry after a drop
    replies = []
    while not any(isinstance(r, Accepted) for r in replies):
        reply = await seat.receive()
        if not isinstance(reply, Presence):  # (who is connected: not part of this)
            replies.append(reply)
    first, again = replies[0], replies[-1]
    assert isinstance(first, Update) and first.accepted == seat_id  # the receipt, with the move
    assert isinstance(again, Accepted) and again.step == 1 and again.id == seat_id
    assert game.state.steps == 1 and len([r for r in replies if isinstance(r, Update)]) == 1
    await seat.close()


async def test_a_seat_that_drops_and_rejoins_resumes_where_it_was(
    served: tuple[GameServer, str],
) -> None:
    server, url = served
    codes = await new_game(url)
    first = (await server.game(codes["game"])).state.turn or ""
    seat = SeatConnection(url, codes[first])
    await seat.join()
    assert seat.mirror is not None
    await seat.send(legal_actions(seat.mirror.state, first, proposals=False)[-1])
    while seat.pending is not None:
        await seat.receive()
    seen = seat.mirror.state
    await seat.close()
    again = SeatConnection(url, codes[first])
    await again.join()
    assert again.mirror is not None
    assert again.mirror.state.steps == seen.steps == 1
    assert again.mirror.state.package == seen.package
    assert [e.text for e in again.mirror.state.log] == [e.text for e in seen.log]
    await again.close()


async def test_an_oversized_message_closes_the_connection_and_the_server_stays_up(
    served: tuple[GameServer, str],
) -> None:
    _, url = served
    codes = await new_game(url)
    ws, _ = await hello(url, codes["uk"])
    await ws.send("x" * (MAX_MESSAGE_BYTES + 1))
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    seat = SeatConnection(url, codes["uk"])
    assert (await seat.join()).seat == "uk"
    await seat.close()


async def test_a_flood_is_cut_off_and_others_play_on(served: tuple[GameServer, str]) -> None:
    _, url = served
    codes = await new_game(url)
    ws, _ = await hello(url, codes["uk"])
    for _ in range(300):
        try:
            await ws.send('{"type": "ping"}')
        except ConnectionClosed:
            break
    replies = []
    with pytest.raises(ConnectionClosed):
        while True:
            replies.append(json.loads(await ws.recv()))
    assert any(r["type"] == "error" and r["fatal"] and "too many" in r["reason"] for r in replies)
    other = SeatConnection(url, codes["france"])
    assert (await other.join()).seat == "france"
    await other.close()


async def test_a_client_that_keeps_sending_refused_moves_is_closed(
    served: tuple[GameServer, str],
) -> None:
    _, url = served
    codes = await new_game(url)
    ws, _ = await hello(url, codes["uk"])
    for _ in range(MAX_BAD):
        await ws.send("{")
    replies = []
    with pytest.raises(ConnectionClosed):
        while True:
            replies.append(json.loads(await ws.recv()))
    assert replies[-1]["fatal"]


async def test_a_connection_that_never_says_hello_or_says_something_else_is_closed(
    served: tuple[GameServer, str],
) -> None:
    _, url = served
    ws = await raw(url)
    await ws.send('{"type": "ping"}')
    reply = json.loads(await ws.recv())
    assert reply["fatal"] and "first message" in reply["reason"]
    ws = await raw(url)
    await ws.send(json.dumps({"type": "create", "protocol": PROTOCOL, "scenario": {"id": "x"}}))
    reply = json.loads(await ws.recv())
    assert reply["fatal"] and reply["reason"].startswith("create: scenario")
    assert "\n" not in reply["reason"]


async def test_only_the_facilitator_exports_and_runs_the_clock(
    served: tuple[GameServer, str],
) -> None:
    server, url = served
    codes = await new_game(url)
    with pytest.raises(ClientError, match="only the facilitator"):
        await export_game(url, codes["uk"])
    uk, _ = await hello(url, codes["uk"])
    await uk.send(json.dumps({"type": "timer", "op": "set", "seconds": 600}))
    assert "only the facilitator" in (await next_of(uk, "error"))["reason"]
    chair, _ = await hello(url, codes[FACILITATOR])
    await chair.send(json.dumps({"type": "timer", "op": "set", "seconds": 600}))
    await chair.send(json.dumps({"type": "timer", "op": "start"}))
    await next_of(uk, "classroom")
    started = ClassroomUpdate.model_validate(await next_of(uk, "classroom")).classroom.timer
    assert started is not None and started.running
    assert started.left(server.now()) == pytest.approx(600, abs=5)
    stored = server.store.load(codes["game"])[0].classroom
    assert stored is not None and json.loads(stored)["timer"]["deadline"] is not None
    for ws in (uk, chair):
        await ws.close()


def test_messages_the_client_reads_are_checked_too() -> None:
    from negotiation.net.protocol import ProtocolError, decode_server

    assert isinstance(decode_server('{"type": "pong"}'), Pong)
    assert isinstance(decode_server('{"type": "error", "reason": "x"}'), Error)
    with pytest.raises(ProtocolError):
        decode_server('{"type": "welcome"}')


async def test_the_projector_is_shown_the_whole_game_only_while_the_facilitator_reveals_it(
    served: tuple[GameServer, str],
) -> None:
    server, url = served
    codes = await new_game(url)
    projector, _ = await hello(url, codes["projector"])
    uk, _ = await hello(url, codes["uk"])
    await uk.send(json.dumps({"type": "settings", "reveal": True}))
    assert "only the facilitator" in (await next_of(uk, "error"))["reason"]
    chair, _ = await hello(url, codes[FACILITATOR])
    teams = {"uk": {"name": "Table 3", "members": ["Ana", "Ben"]}}
    await chair.send(json.dumps({"type": "settings", "reveal": True, "teams": teams}))
    update = await next_of(projector, "classroom")
    assert update["classroom"]["reveal"] and update["classroom"]["teams"]["uk"]["name"] == "Table 3"
    shown = await next_of(projector, "save")
    assert shown["save"]["classroom"]["reveal"]
    await chair.send(json.dumps({"type": "settings", "reveal": False}))
    assert (await next_of(uk, "classroom"))["classroom"]["reveal"]  # every seat is told
    assert not (await next_of(uk, "classroom"))["classroom"]["reveal"]
    game = await server.game(codes["game"])
    assert not game.classroom.reveal and game.classroom.teams["uk"].members == ("Ana", "Ben")
    # a delegation is sent no save while the game is played, whatever the projector shows
    await uk.send('{"type": "ping"}')
    kinds = []
    while not kinds or kinds[-1] != "pong":
        kinds.append(json.loads(await asyncio.wait_for(uk.recv(), 10))["type"])
    assert "save" not in kinds
    await chair.send(json.dumps({"type": "settings", "teams": {"narnia": {"name": "x"}}}))
    assert "unknown role 'narnia'" in (await next_of(chair, "error"))["reason"]
    for ws in (projector, uk, chair):
        await ws.close()


def test_wrong_codes_and_new_games_are_limited_per_address_but_not_on_loopback() -> None:
    from collections import deque
    from types import SimpleNamespace

    history: dict[str, deque[float]] = {}
    lan = SimpleNamespace(remote_address=("192.168.1.30", 5000))
    assert all(GameServer._allow(history, lan, 3) for _ in range(3))  # type: ignore[arg-type]
    assert not GameServer._allow(history, lan, 3)  # type: ignore[arg-type]
    other = SimpleNamespace(remote_address=("192.168.1.31", 5000))
    assert GameServer._allow(history, other, 3)  # type: ignore[arg-type]
    local = SimpleNamespace(remote_address=("127.0.0.1", 5000))
    assert all(GameServer._allow(history, local, 3) for _ in range(10))  # type: ignore[arg-type]


async def test_a_client_that_stops_reading_is_disconnected_not_buffered_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its messages wait in a queue up to a limit; past it, the connection is closed (the seat
    can join again) and nothing more is kept for it."""
    import negotiation.net.server as server_module
    from negotiation.net.server import Seat

    class Stuck:
        """A connection whose client never reads: every send waits for ever."""

        closed_with: tuple[int, str] | None = None

        async def send(self, text: str) -> None:
            await asyncio.Event().wait()

        async def close(self, code: int, reason: str) -> None:
            self.closed_with = (code, reason)

    monkeypatch.setattr(server_module, "MAX_QUEUE", 5)
    ws = Stuck()
    seat = Seat(ws, None, "uk")  # type: ignore[arg-type]
    writer = asyncio.create_task(GameServer._write(None, seat))  # type: ignore[arg-type]
    for n in range(20):
        seat.send(f'{{"n": {n}}}')
        await asyncio.sleep(0)  # let the writer take the first and get stuck on it
    assert seat.dropped and seat.closing is not None
    await seat.closing
    assert ws.closed_with is not None and ws.closed_with[0] == 1008
    assert seat.queue.qsize() <= 6  # what it had when it was dropped, and nothing since
    writer.cancel()


async def test_every_seat_is_told_who_is_connected(served: tuple[GameServer, str]) -> None:
    _, url = served
    codes = await new_game(url)
    chair = SeatConnection(url, codes[FACILITATOR])
    await chair.join()
    uk = SeatConnection(url, codes["uk"])
    await uk.join()
    while chair.present != {FACILITATOR, "uk"}:
        await chair.receive()
    await uk.close()
    while chair.present != {FACILITATOR}:
        await chair.receive()
    await chair.close()


async def until(condition: Callable[[], bool]) -> None:
    """Wait (up to 10 s) for the server to get to a state the test can only observe."""

    async def poll() -> None:
        while not condition():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), 10)


async def test_a_game_leaves_memory_when_its_seats_leave_and_comes_back_as_it_was(
    tmp_path: Path,
) -> None:
    server = GameServer(SQLiteStore(tmp_path / "server.db"), unload_after=0)
    listener = await server.start("127.0.0.1", 0)
    url = f"ws://127.0.0.1:{next(iter(listener.sockets)).getsockname()[1]}"
    try:
        codes = await new_game(url)
        game_id = codes["game"]
        first = PARIS.chair  # on the move first
        seat = SeatConnection(url, codes[first])
        await seat.join()
        assert seat.mirror is not None and seat.mirror.state.turn == first
        game = server.games[game_id]
        # Loading the game set it to leave memory at once; a seat is connected, so it stays.
        assert game.unloading is not None
        await game.unloading
        assert server.games[game_id] is game
        await seat.send(legal_actions(seat.mirror.state, first, proposals=False)[-1])
        while seat.pending is not None:
            await seat.receive()
        played = game.state.fingerprint()
        await seat.close()
        await until(lambda: game_id not in server.games)

        again = SeatConnection(url, codes[first])
        await again.join()
        assert again.mirror is not None
        reloaded = server.games[game_id]
        assert reloaded is not game
        assert reloaded.state.fingerprint() == played
        assert again.mirror.state.steps == 1
        await again.close()
    finally:
        listener.close()
        await listener.wait_closed()
        server.close()


async def test_the_facilitator_gives_a_seat_a_new_code_and_the_old_one_stops_working(
    served: tuple[GameServer, str],
) -> None:
    from negotiation.net.client import CodeRefused, replace_code
    from negotiation.net.server import NEW_CODE_REASON

    server, url = served
    codes = await new_game(url)
    uk = SeatConnection(url, codes["uk"])
    await uk.join()
    # Only the facilitator may, and only for a seat of the game.
    with pytest.raises(ClientError, match="only the facilitator gives out new codes"):
        await replace_code(url, codes["france"], "uk")
    with pytest.raises(ClientError, match='no seat "narnia" in this game'):
        await replace_code(url, codes[FACILITATOR], "narnia")
    new = await replace_code(url, codes[FACILITATOR], "uk")
    assert new != codes["uk"] and server.store.codes_of(codes["game"])["uk"] == new
    # Whoever held the seat with the old code is told, and let go.
    told = None
    with pytest.raises(ConnectionClosed):
        while True:
            message = await uk.receive()
            if isinstance(message, Error):
                told = message
    assert told is not None and told.fatal and told.reason == NEW_CODE_REASON
    with pytest.raises(CodeRefused, match="unknown join code"):
        await SeatConnection(url, codes["uk"]).join()
    again = SeatConnection(url, new)
    welcome = await again.join()
    assert welcome.seat == "uk"
    await again.close()


async def test_a_new_round_gets_a_fresh_clock_however_the_last_one_ended(
    served: tuple[GameServer, str],
) -> None:
    from negotiation.classroom import RoundTimer
    from negotiation.net.protocol import TimerOp

    server, url = served
    codes = await new_game(url)
    chair = SeatConnection(url, codes[FACILITATOR])
    await chair.join()
    await chair.send_message(TimerOp(op="set", seconds=300))
    await chair.send_message(TimerOp(op="start"))
    game = await server.game(codes["game"])
    while game.classroom.timer is None or not game.classroom.timer.running:
        await chair.receive()
    seats = {role: SeatConnection(url, codes[role]) for role in PARIS.turns.order}
    for seat in seats.values():
        await seat.join()
    while game.state.round == 1:  # every delegation passes: the round ends by itself
        role = game.state.turn or ""
        await seats[role].send(Pass(role=role))
        while seats[role].pending is not None:
            await seats[role].receive()
    while chair.classroom.timer is not None and chair.classroom.timer.running:
        await chair.receive()  # the facilitator is told of the new clock
    assert chair.classroom.timer == game.classroom.timer == RoundTimer.set(300)  # paused, full
    stored = json.loads(server.store.load(codes["game"])[0].classroom or "{}")
    assert stored["timer"]["remaining"] == 300
    for seat in [chair, *seats.values()]:
        await seat.close()
