"""A throwaway PostgreSQL cluster for the office-database tests (Debian's ``postgresql`` package).

The session starts one real PostgreSQL server on a free loopback port from a fresh data folder;
each test gets its own empty database in it (``postgres_url``). Tests that restart or kill the
server use ``postgres_server``. PostgreSQL refuses to run as root, so under root the cluster
belongs to the ``postgres`` system user that the Debian package creates.

``fsync=off`` keeps the tests fast: the tests kill the server process, never the machine, and a
killed process loses nothing the operating system already holds, so what they prove is unchanged.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

USER = "genki"
START_TIMEOUT_S = 30.0


def _binaries() -> Path:
    """Return the folder of initdb/postgres: Debian keeps them outside PATH."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if debian:
        return debian[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        pytest.fail("PostgreSQL is not installed: install Debian's postgresql (.ci/run does)")
    return Path(initdb).parent


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One PostgreSQL server on 127.0.0.1 with trust authentication for ``USER``."""

    def __init__(self, folder: Path) -> None:
        self.bin = _binaries()
        self.data = folder / "data"
        self.port = _free_port()
        self.log_path = folder / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        self._process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            shutil.chown(folder, user="postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", USER, "-A", "trust",
            "--encoding", "UTF8", "--locale", "C", "--no-sync",
        )  # fmt: skip

    @property
    def _user(self) -> dict[str, str]:
        """Popen arguments that run a program as the cluster's owner."""
        return {"user": "postgres", "group": "postgres"} if self._as_postgres else {}

    def _run(self, *argv: str) -> None:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, **self._user)
        if done.returncode != 0:
            pytest.fail(f"{argv[0]} failed: {done.stderr or done.stdout}")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def url_of(self, database: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [
                str(self.bin / "postgres"), "-D", str(self.data), "-p", str(self.port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data}",
                "-c", "fsync=off", "-c", "max_connections=100",
            ],
            stdout=log, stderr=log, start_new_session=True, **self._user,
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                psycopg.connect(self.admin_dsn, connect_timeout=2).close()
            except psycopg.OperationalError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    tail = self.log_path.read_text(errors="replace")[-2000:]
                    pytest.fail(f"PostgreSQL did not start on port {self.port}:\n{tail}")
                time.sleep(0.05)
            else:
                return

    @property
    def admin_dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres"

    def kill(self) -> None:
        """``kill -9`` the postmaster and its children (a crash, not a shutdown)."""
        if self._process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=10)
        self._process = None
        # Children of a killed postmaster die when they notice; wait until the port is free.
        deadline = time.monotonic() + START_TIMEOUT_S
        while _port_open(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server with a fast shutdown."""
        if self._process is None:
            return
        self._process.send_signal(signal.SIGINT)
        try:
            self._process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        self._process = None

    def create_database(self) -> str:
        name = f"genki_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        with psycopg.connect(self.admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running PostgreSQL server for the whole session; a test that kills it starts it again.

    Its folder lives directly under the temporary folder: pytest's own are private to root,
    and the ``postgres`` user could not reach a cluster inside them.
    """
    folder = Path(tempfile.mkdtemp(prefix="genki-postgres-"))
    try:
        server = PostgresServer(folder)
        server.start()
        yield server
        server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    if not _port_open(postgres_server.port):  # an earlier test killed it and failed
        postgres_server.start()
    name = postgres_server.create_database()
    yield postgres_server.url_of(name)
    if not _port_open(postgres_server.port):
        postgres_server.start()
    postgres_server.drop_database(name)
