"""Where a game server keeps its games: SQLite by default, PostgreSQL for many classes at once.

The store holds, for every game, the scenario it is played with, its seed and length, the join
codes of its seats, the classroom settings (teams, round timer, projector), and the log of
accepted actions with the hash of the state each led to: what a save file holds, so a stored
game exports to an ordinary save.
Game state itself is never stored; a server that starts (or restarts after a crash) rebuilds
each game by replaying its log and checking every hash.

Each append is its own committed transaction, made before anyone is told of the action, and
``(game, step)`` is the primary key: two server processes on one PostgreSQL cannot both append
the same step of a game, the second is refused.

The store's methods block; the server calls them from one worker thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

SCHEMA_VERSION = 2
"""2 added ``games.hashing``: how the game's steps are hashed (the save format version whose
hashes they are; games stored before it keep version 1's)."""

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS games (id TEXT PRIMARY KEY, scenario TEXT NOT NULL,"
    " seed BIGINT NOT NULL, rounds INTEGER NOT NULL, created TEXT NOT NULL,"
    " classroom TEXT, hashing INTEGER NOT NULL DEFAULT 1)",
    "CREATE TABLE IF NOT EXISTS codes (code TEXT PRIMARY KEY,"
    " game TEXT NOT NULL REFERENCES games(id), seat TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS steps (game TEXT NOT NULL REFERENCES games(id),"
    " step INTEGER NOT NULL, action TEXT NOT NULL, hash TEXT NOT NULL, client_id TEXT,"
    " PRIMARY KEY (game, step))",
    "CREATE UNIQUE INDEX IF NOT EXISTS steps_client ON steps (game, client_id)",
)


class StoreError(RuntimeError):
    """The database cannot be opened or used (one line: which and why)."""


class StepTaken(StoreError):
    """Another writer already stored this step of the game."""


@dataclass(frozen=True)
class GameRecord:
    """A stored game's settings (its moves are :class:`StoredStep` rows)."""

    id: str
    scenario: str
    """The scenario's data as JSON text."""
    seed: int
    rounds: int
    created: str
    classroom: str | None = None
    """The exercise around the game (teams, round timer, projector) as JSON text."""
    hashing: int = 2
    """The save format version whose hashes its steps carry (1 for games stored before
    schema version 2)."""


@dataclass(frozen=True)
class StoredStep:
    step: int
    """1 for the first action."""
    action: str
    """The action as JSON text."""
    hash: str
    """Hash of the state after it (as a save's log holds)."""
    client_id: str | None = None


class Store(Protocol):
    url: str

    def create_game(self, game: GameRecord, codes: Mapping[str, str]) -> None: ...
    def seat_of(self, code: str) -> tuple[str, str] | None: ...
    def codes_of(self, game: str) -> dict[str, str]: ...
    def load(self, game: str) -> tuple[GameRecord, list[StoredStep]]: ...
    def append(self, game: str, step: StoredStep) -> None: ...
    def append_many(self, steps: list[tuple[str, StoredStep]]) -> None: ...
    def set_classroom(self, game: str, classroom: str) -> None: ...
    def replace_code(self, game: str, seat: str, code: str) -> None: ...
    def game_ids(self) -> list[str]: ...
    def close(self) -> None: ...


class _SqlStore:
    """The SQL both databases share; subclasses open the connection and name the placeholder."""

    url: str
    _mark = "?"

    def _sql(self, text: str) -> str:
        return text.replace("?", self._mark)

    def _tx(self) -> AbstractContextManager[Any]:
        """A cursor in a transaction, committed when the block ends without an error."""
        raise NotImplementedError

    def _init_schema(self) -> None:
        with self._tx() as cur:
            for statement in SCHEMA:
                cur.execute(statement)
            cur.execute(self._sql("SELECT value FROM meta WHERE key = ?"), ("schema",))
            row = cur.fetchone()
            if row is None:
                cur.execute(
                    self._sql("INSERT INTO meta (key, value) VALUES (?, ?)"),
                    ("schema", str(SCHEMA_VERSION)),
                )
            elif row[0] == "1":  # its games keep their hashes: version 1's
                cur.execute("ALTER TABLE games ADD COLUMN hashing INTEGER NOT NULL DEFAULT 1")
                cur.execute(
                    self._sql("UPDATE meta SET value = ? WHERE key = ?"),
                    (str(SCHEMA_VERSION), "schema"),
                )
            elif row[0] != str(SCHEMA_VERSION):
                raise StoreError(
                    f"{self.url}: database schema version {row[0]}, this server uses "
                    f"{SCHEMA_VERSION}"
                )

    def create_game(self, game: GameRecord, codes: Mapping[str, str]) -> None:
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    "INSERT INTO games (id, scenario, seed, rounds, created, classroom, hashing)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)"
                ),
                (
                    game.id,
                    game.scenario,
                    game.seed,
                    game.rounds,
                    game.created,
                    game.classroom,
                    game.hashing,
                ),
            )
            for code, seat in codes.items():
                cur.execute(
                    self._sql("INSERT INTO codes (code, game, seat) VALUES (?, ?, ?)"),
                    (code, game.id, seat),
                )

    def seat_of(self, code: str) -> tuple[str, str] | None:
        with self._tx() as cur:
            cur.execute(self._sql("SELECT game, seat FROM codes WHERE code = ?"), (code,))
            row = cur.fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    def codes_of(self, game: str) -> dict[str, str]:
        with self._tx() as cur:
            cur.execute(self._sql("SELECT seat, code FROM codes WHERE game = ?"), (game,))
            return {str(seat): str(code) for seat, code in cur.fetchall()}

    def load(self, game: str) -> tuple[GameRecord, list[StoredStep]]:
        with self._tx() as cur:
            cur.execute(
                self._sql(
                    "SELECT id, scenario, seed, rounds, created, classroom, hashing FROM games"
                    " WHERE id = ?"
                ),
                (game,),
            )
            row = cur.fetchone()
            if row is None:
                raise StoreError(f"{self.url}: no game {game!r}")
            record = GameRecord(
                str(row[0]), str(row[1]), int(row[2]), int(row[3]), str(row[4]), row[5], int(row[6])
            )
            cur.execute(
                self._sql(
                    "SELECT step, action, hash, client_id FROM steps WHERE game = ? ORDER BY step"
                ),
                (game,),
            )
            steps = [StoredStep(int(s), str(a), str(h), c) for s, a, h, c in cur.fetchall()]
        return record, steps

    def append(self, game: str, step: StoredStep) -> None:
        try:
            with self._tx() as cur:
                cur.execute(
                    self._sql(
                        "INSERT INTO steps (game, step, action, hash, client_id)"
                        " VALUES (?, ?, ?, ?, ?)"
                    ),
                    (game, step.step, step.action, step.hash, step.client_id),
                )
        except self._integrity_errors() as exc:
            raise StepTaken(f"game {game}: step {step.step} is already stored ({exc})") from None

    def append_many(self, steps: list[tuple[str, StoredStep]]) -> None:
        """Several games' steps in one transaction (one commit, one sync to disk for all).

        Raises:
            StepTaken: one of them is stored already; none of them is stored then.
        """
        try:
            with self._tx() as cur:
                # One statement a batch of rows, not one a row: the server's database thread
                # then waits for the interpreter once, not once a row, while the event loop
                # is busy (with one a row, a batch of 15 took 100 ms under load).
                for start in range(0, len(steps), 100):
                    chunk = steps[start : start + 100]
                    rows = ", ".join(["(?, ?, ?, ?, ?)"] * len(chunk))
                    cur.execute(
                        self._sql(
                            f"INSERT INTO steps (game, step, action, hash, client_id) VALUES {rows}"
                        ),
                        [v for g, s in chunk for v in (g, s.step, s.action, s.hash, s.client_id)],
                    )
        except self._integrity_errors() as exc:
            raise StepTaken(f"a step is already stored ({exc})") from None

    def set_classroom(self, game: str, classroom: str) -> None:
        with self._tx() as cur:
            cur.execute(self._sql("UPDATE games SET classroom = ? WHERE id = ?"), (classroom, game))

    def replace_code(self, game: str, seat: str, code: str) -> None:
        """Give a seat a new code; its old one stops working."""
        with self._tx() as cur:
            cur.execute(self._sql("DELETE FROM codes WHERE game = ? AND seat = ?"), (game, seat))
            cur.execute(
                self._sql("INSERT INTO codes (code, game, seat) VALUES (?, ?, ?)"),
                (code, game, seat),
            )

    def game_ids(self) -> list[str]:
        with self._tx() as cur:
            cur.execute("SELECT id FROM games ORDER BY created, id")
            return [str(row[0]) for row in cur.fetchall()]

    def _integrity_errors(self) -> tuple[type[Exception], ...]:
        raise NotImplementedError


class SQLiteStore(_SqlStore):
    """A store in one SQLite file, in write-ahead-log mode with a full sync at every commit.

    The connection is opened here and then used only by the server's one database thread.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                self.path, isolation_level=None, timeout=10, check_same_thread=False
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._init_schema()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.url}: cannot open the database ({exc})") from None

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Cursor]:
        cur = self._db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")
        finally:
            cur.close()

    def _integrity_errors(self) -> tuple[type[Exception], ...]:
        return (sqlite3.IntegrityError,)

    def close(self) -> None:
        self._db.close()


class PostgresStore(_SqlStore):
    """A store in a PostgreSQL database (psycopg 3), for many classes and server processes."""

    _mark = "%s"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "PostgreSQL needs the psycopg package: pip install 'negotiation[postgres]'"
            ) from None
        self.url = _hide_password(url)
        self._psycopg = psycopg
        try:
            self._db = psycopg.connect(url, autocommit=True, connect_timeout=10)
            self._init_schema()
        except psycopg.Error as exc:
            raise StoreError(f"{self.url}: cannot open the database ({_one_line(exc)})") from None

    @contextmanager
    def _tx(self) -> Iterator[Any]:
        with self._db.transaction(), self._db.cursor() as cur:
            yield cur

    def _integrity_errors(self) -> tuple[type[Exception], ...]:
        return (self._psycopg.errors.UniqueViolation,)

    def close(self) -> None:
        self._db.close()


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def _hide_password(url: str) -> str:
    """The URL as it may be printed: without a password."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return url
    return f"{scheme}://{userinfo.split(':', 1)[0]}:***@{host}"


def open_store(url: str) -> Store:
    """The store a ``--db`` URL names: ``sqlite:///PATH`` or ``postgresql://...``.

    Raises:
        StoreError: an unknown kind of URL, or a database that cannot be opened.
    """
    if url.startswith("sqlite:///"):
        return SQLiteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    raise StoreError(f"--db {url}: expected sqlite:///PATH or postgresql://USER@HOST/DATABASE")
