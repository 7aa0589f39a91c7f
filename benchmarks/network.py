"""Networked play under load: many games at once, six bot seats each, over loopback.

Starts ``negotiation serve`` in its own process on SQLite (and on PostgreSQL when
``--postgres URL`` is given), creates the games, and plays them all at once from one client
process, every seat on its own connection. The seats' moves are their bots' moves, decided
ahead (the same games the bots play offline), so that the load generator does not take the
server's core deciding them; ``--live-bots`` has the bots decide as they play, in the client,
which measures the whole stack on two shared cores. Prints, for each database:

- actions accepted per second (target: at least 1,000 with 50 games);
- from a seat's send to the last of the game's six seats holding the update: median, p99
  (target: p99 under 100 ms) and max;
- the server's memory per idle game: its resident size after loading 200 idle games (one seat
  joined each), minus before, per game.

    python benchmarks/network.py [--games 50] [--runs 3] [--postgres postgresql://...]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from negotiation.bots import strategy
from negotiation.bots.base import bot_rng
from negotiation.engine import RoleView
from negotiation.net.client import SeatConnection, create_game
from negotiation.net.protocol import Update
from negotiation.scenario import resolve_scenario

PARIS = resolve_scenario("paris-2025")
STEPS = re.compile(r'"steps":\s*(\d+)')


def start_server(db: str) -> tuple[subprocess.Popen[str], str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    server = subprocess.Popen(
        [sys.executable, "-m", "negotiation", "serve", "--port", "0", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    return server, line.split()[3].rstrip(",")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def recorded_games(games: int) -> list[list[str]]:
    """Each game's moves, as JSON, decided ahead by the bots in this process."""
    from negotiation.bots.runner import play_game
    from negotiation.rules import Ruleset

    rules = Ruleset(PARIS)
    bots = {r: strategy(role.default_strategy) for r, role in PARIS.roles.items()}
    return [
        [a.model_dump_json() for a in play_game(rules, seed, bots).actions] for seed in range(games)
    ]


async def play_recorded(
    url: str, moves: list[list[str]], on_start: Callable[[], None] | None = None
) -> tuple[float, int, list[float]]:
    """Every game at once, each seat on its own connection sending its bot's moves when its
    turn comes; (seconds, actions, latencies in seconds)."""
    from websockets.asyncio.client import connect

    created = [
        await create_game(url, PARIS.model_dump(mode="json"), seed=n) for n in range(len(moves))
    ]
    sent: dict[tuple[int, int], float] = {}
    seen: dict[tuple[int, int], int] = {}
    latencies: list[float] = []
    accepted = 0
    seats = len(PARIS.roles)
    connections = []
    for n, game in enumerate(created):
        for role in PARIS.roles:
            ws = await connect(url, max_size=None, compression=None)
            await ws.send(json.dumps({"type": "hello", "protocol": 1, "code": game.codes[role]}))
            json.loads(await ws.recv())
            connections.append((n, role, ws))

    async def seat(game: int, role: str, ws: object) -> None:
        nonlocal accepted
        plan = moves[game]
        steps = 0

        async def maybe_move() -> None:
            if steps < len(plan) and json.loads(plan[steps])["role"] == role:
                sent[(game, steps + 1)] = time.perf_counter()
                await ws.send(  # type: ignore[attr-defined]
                    f'{{"type":"act","id":"{role}-{steps}","action":{plan[steps]}}}'
                )

        await maybe_move()
        while steps < len(plan):
            text = await ws.recv()  # type: ignore[attr-defined]
            # The load generator reads only what it needs (the step, the receipt), so that
            # its own work on this shared machine weighs little on the figures.
            found = STEPS.search(text)
            if text.startswith('{"type":"update"') and found:
                steps = int(found.group(1))
                key = (game, steps)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] == seats and key in sent:
                    latencies.append(time.perf_counter() - sent[key])
                await maybe_move()
                if '"accepted":' in text:
                    accepted += 1
            elif text.startswith('{"type":"error"'):
                raise RuntimeError(json.loads(text)["reason"])

    if on_start is not None:
        on_start()
    # The load generator's own garbage collection would stop all 300 seats at once and count
    # as the server's latency: it waits until the games are over.
    gc.collect()
    gc.disable()
    start = time.perf_counter()
    try:
        await asyncio.gather(*(seat(*c) for c in connections))
    finally:
        gc.enable()
    elapsed = time.perf_counter() - start
    for _, _, ws in connections:
        await ws.close()
    return elapsed, accepted, latencies


async def play_all(url: str, games: int) -> tuple[float, int, list[float]]:
    """Play ``games`` games at once; (seconds, actions, latencies in seconds)."""
    created = [await create_game(url, PARIS.model_dump(mode="json"), seed=n) for n in range(games)]
    seats: list[tuple[int, str, SeatConnection]] = []
    for n, game in enumerate(created):
        for role in PARIS.roles:
            connection = SeatConnection(url, game.codes[role])
            await connection.join()
            seats.append((n, role, connection))
    sent: dict[tuple[int, int], float] = {}  # (game, step) -> when its move was sent
    seen: dict[tuple[int, int], int] = {}  # (game, step) -> seats that hold the update
    latencies: list[float] = []
    accepted = 0
    done = asyncio.Event()
    finished = 0

    async def seat_loop(game: int, role: str, connection: SeatConnection) -> None:
        nonlocal accepted, finished
        bot = strategy(PARIS.roles[role].default_strategy)
        mirror = connection.mirror
        assert mirror is not None
        while not mirror.state.over:
            state = mirror.state
            if state.turn == role and connection.pending is None:
                move = bot.choose(RoleView(state, role), bot_rng(state.seed, role, state.steps))
                sent[(game, state.steps + 1)] = time.perf_counter()
                await connection.send(move)
            message = await connection.receive()
            if isinstance(message, Update):
                key = (game, mirror.state.steps)
                seen[key] = seen.get(key, 0) + 1
                if seen[key] == len(PARIS.roles) and key in sent:
                    latencies.append(time.perf_counter() - sent[key])
                if message.accepted is not None:
                    accepted += 1
        finished += 1
        if finished == len(seats):
            done.set()

    start = time.perf_counter()
    tasks = [asyncio.create_task(seat_loop(*seat)) for seat in seats]
    await done.wait()
    elapsed = time.perf_counter() - start
    for task in tasks:
        await task
    for _, _, connection in seats:
        await connection.close()
    return elapsed, accepted, latencies


async def idle_memory(url: str, pid: int, games: int = 200) -> float:
    """KB of server memory per idle game (loaded, one seat connected)."""
    created = [await create_game(url, PARIS.model_dump(mode="json"), seed=n) for n in range(games)]
    first = SeatConnection(url, created[0].codes["france"])
    await first.join()  # the server's own start-up costs are paid before measuring
    before = rss_kb(pid)
    connections = [first]
    for game in created[1:]:
        connection = SeatConnection(url, game.codes["france"])
        await connection.join()
        connections.append(connection)
    after = rss_kb(pid)
    for connection in connections:
        await connection.close()
    return (after - before) / (games - 1)


def measure(db: str, games: int, runs: int, live: bool) -> None:
    results = []
    moves = [] if live else recorded_games(games)
    for _ in range(runs):
        server, url = start_server(db)
        try:
            if live:
                results.append(asyncio.run(play_all(url, games)))
            else:
                results.append(asyncio.run(play_recorded(url, moves)))
        finally:
            server.kill()
            server.wait()
    rates = [actions / seconds for seconds, actions, _ in results]
    p50 = [statistics.median(lat) * 1000 for _, _, lat in results]
    p99 = [statistics.quantiles(lat, n=100)[98] * 1000 for _, _, lat in results]
    worst = [max(lat) * 1000 for _, _, lat in results]
    actions = statistics.median(a for _, a, _ in results)
    print(f"  {games} games at once, {actions:.0f} actions: median of {runs} runs")
    print(f"  actions accepted per second: {statistics.median(rates):7.0f}")
    print(
        f"  send -> every seat updated:  median {statistics.median(p50):5.1f} ms, "
        f"p99 {statistics.median(p99):5.1f} ms, max {statistics.median(worst):5.1f} ms"
    )
    server, url = start_server(db)
    try:
        per_game = asyncio.run(idle_memory(url, server.pid))
    finally:
        server.kill()
        server.wait()
    print(f"  server memory per idle game:  {per_game:7.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", metavar="URL", help="also measure on this PostgreSQL")
    parser.add_argument(
        "--live-bots",
        action="store_true",
        help="bots decide as they play, in the client process (measures the whole stack)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite (WAL, synchronous=FULL):")
        measure(f"sqlite:///{Path(folder) / 'bench.db'}", args.games, args.runs, args.live_bots)
    if args.postgres:
        print("PostgreSQL:")
        measure(args.postgres, args.games, args.runs, args.live_bots)


if __name__ == "__main__":
    main()
