"""A mock class over the network, with the real commands: ``serve``, ``create-game``, six
``join --bot`` seats, a ``kill -9`` of the server in the middle and a restart on the same
database, then ``export``, ``replay`` and ``report`` of the game."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from negotiation.savefile import read_save

CLI = [sys.executable, "-m", "negotiation"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def start_server(db: str, port: int, log: Path) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--db", db],
        stdout=subprocess.PIPE,
        stderr=log.open("a"),
        text=True,
        env=ENV,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    assert line.startswith("negotiation server on ws://"), line
    return server, line.split()[3].rstrip(",")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=ENV, timeout=300)


def test_a_class_plays_over_the_network_through_a_server_crash(
    db_url: str, tmp_path: Path, free_port: int
) -> None:
    """On SQLite and on PostgreSQL (``db_url`` gives each)."""
    db = db_url
    log = tmp_path / "server.log"
    server, url = start_server(db, free_port, log)
    try:
        made = run(
            "create-game", "--server", url, "--scenario", "paris-2025", "--seed", "11", "--json"
        )
        assert made.returncode == 0, made.stderr
        created = json.loads(made.stdout)
        codes = created["codes"]
        assert set(codes) == {
            "france",
            "uk",
            "germany",
            "us",
            "ukraine",
            "russia",
            "facilitator",
            "projector",
        }
        assert len(set(codes.values())) == len(codes)
        wrong = run("join", url, "--code", "ZZZZ-ZZZZ-ZZZZ")
        assert wrong.returncode == 1 and "unknown join code" in wrong.stderr
        assert wrong.stderr.count("\n") == 1
        # Five delegations join; the game stops at the sixth's first turn.
        late = "russia"
        seats = {
            role: subprocess.Popen(
                [*CLI, "join", url, "--code", codes[role], "--bot"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=ENV,
            )
            for role in codes
            if role not in (late, "facilitator", "projector")
        }
        waiting = subprocess.run(  # the projector's first look shows the table waiting for Russia
            [
                *CLI,
                "export",
                url,
                "--code",
                codes["facilitator"],
                "-o",
                str(tmp_path / "before.json"),
            ],
            capture_output=True,
            text=True,
            env=ENV,
            timeout=60,
        )
        assert waiting.returncode == 0, waiting.stderr
        for _ in range(200):
            _, state = read_save(tmp_path / "before.json")
            if state.turn == late:
                break
            run("export", url, "--code", codes["facilitator"], "-o", str(tmp_path / "before.json"))
        before, state = read_save(tmp_path / "before.json")
        assert state.turn == late and len(before.log) >= 1
        # kill -9, and start again on the same database and port
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        assert all(seat.poll() is None for seat in seats.values()), "a seat gave up on the crash"
        server, url = start_server(db, free_port, log)
        seats[late] = subprocess.Popen(
            [*CLI, "join", url, "--code", codes[late], "--bot", "spoiler"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        endings = {}
        for role, seat in seats.items():
            out, err = seat.communicate(timeout=300)
            assert seat.returncode == 0, f"{role}: {err}"
            endings[role] = out.strip().splitlines()[-1]
        exported = run(
            "export", url, "--code", codes["facilitator"], "-o", str(tmp_path / "game.json")
        )
        assert exported.returncode == 0, exported.stderr
    finally:
        server.kill()
        server.wait(timeout=30)
    save, final = read_save(tmp_path / "game.json")  # replays and checks every hash
    assert final.over
    assert [s.hash for s in save.log[: len(before.log)]] == [s.hash for s in before.log]
    credibility = f"credibility {final.scorecard().total:.1f}"
    assert all(line.endswith(f"({final.status.value}), {credibility}") for line in endings.values())
    report = run(
        "report", str(tmp_path / "game.json"), "--format", "html", "-o", str(tmp_path / "r.html")
    )
    assert report.returncode == 0, report.stderr
    assert "Russia" in (tmp_path / "r.html").read_text()
    replayed = run("replay", str(tmp_path / "game.json"), "--headless", "--no-log")
    assert (
        replayed.returncode == 0
        and credibility.replace("credibility", "Credibility") in replayed.stdout
    )
    if db.startswith("sqlite:///"):
        with sqlite3.connect(db.removeprefix("sqlite:///")) as db_file:
            assert db_file.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_join_and_export_say_in_one_line_what_is_wrong(tmp_path: Path, free_port: int) -> None:
    url = f"ws://127.0.0.1:{free_port}"
    for args in (
        ["join", url, "--code", "AAAA-AAAA-AAAA", "--bot"],
        ["join", url, "--code", "AAAA-AAAA-AAAA"],  # the screen does not open
        ["export", url, "--code", "AAAA-AAAA-AAAA", "-o", str(tmp_path / "x.json")],
        ["create-game", "--server", url],
    ):
        result = run(*args)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1 and "cannot reach the server" in result.stderr
    assert run("join", "localhost:1", "--code", "x", "--bot").returncode == 1
    bad = run("serve", "--db", "mysql://nope")
    assert bad.returncode == 1 and "expected sqlite:///PATH" in bad.stderr


def test_games_lists_a_servers_games_and_their_codes(tmp_path: Path) -> None:
    """For a facilitator who lost the codes: read from the server's own database."""
    import asyncio

    from negotiation.net.protocol import PROTOCOL, Create
    from negotiation.net.server import GameServer
    from negotiation.net.store import SQLiteStore
    from negotiation.scenario import resolve_scenario

    db = tmp_path / "server.db"
    server = GameServer(SQLiteStore(db))
    scenario = resolve_scenario("paris-unsc").model_dump(mode="json")
    created = asyncio.run(server.create(Create(protocol=PROTOCOL, scenario=scenario, seed=3)))
    server.close()
    listed = run("games", "--db", f"sqlite:///{db}", "--json")
    assert listed.returncode == 0, listed.stderr
    (game,) = json.loads(listed.stdout)
    assert game["game"] == created.game and game["scenario"] == "paris-unsc"
    assert game["codes"] == created.codes and game["moves"] == 0
    missing = run("games", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert missing.returncode == 1 and "no such database" in missing.stderr
