"""Fixtures for networked play (a pytest plugin of the root conftest): stores on SQLite and
PostgreSQL, and free loopback ports.

PostgreSQL: the tests start their own throwaway cluster (initdb, then pg_ctl on a free port,
run as the ``postgres`` user when the tests run as root), so they need the server's programs
but no running database. Where PostgreSQL is not installed the PostgreSQL cases are skipped,
unless ``NEGOTIATION_REQUIRE_POSTGRES=1`` (set by ``.ci/run``, which installs it), when they
fail instead: CI never skips a storage test.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from negotiation.net.store import SQLiteStore, Store, open_store


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(candidates[-1]).parent if candidates else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the session; its URL (database ``postgres``)."""
    bindir = _postgres_bin()
    if bindir is None or not (bindir / "initdb").exists():
        if os.environ.get("NEGOTIATION_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is not installed (NEGOTIATION_REQUIRE_POSTGRES=1)")
        pytest.skip("PostgreSQL is not installed here (CI installs it)")
    folder = Path(tempfile.mkdtemp(prefix="negotiation-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    port = _free_port()

    def run(*command: str) -> None:
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    run(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(folder / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'server.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    import psycopg

    name = f"t{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**9}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    yield base.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url)
    yield opened
    opened.close()


@pytest.fixture
def memory_store() -> Iterator[SQLiteStore]:
    """An in-memory SQLite store, for tests that play many games through the server."""
    opened = SQLiteStore(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def free_port() -> int:
    return _free_port()
