"""Opening a database: integrity check, connection settings, migrations, and write transactions.

SQLite (the kiosk and small-office default) runs in WAL mode with ``synchronous=FULL`` so that a
committed result survives a power cut, foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE`` for
every transaction so concurrent writers queue instead of failing half-way. A file that fails
``PRAGMA quick_check`` is refused and left exactly as it was.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from records.errors import (
    DatabaseCorruptError,
    DatabaseUnavailableError,
    DatabaseVersionError,
)

_LOGGER = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 10_000
READ_ONLY_OPTION = "genki_read_only"
_CORRUPTION = ("SQLITE_CORRUPT", "SQLITE_NOTADB")  # sqlite3 error names; extended ones start so


def sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def check_sqlite_file(path: Path) -> None:
    """Run ``PRAGMA quick_check`` read-only on an existing file; raise if it is not healthy.

    Without a ``-wal`` file beside it the whole database is in the main file, which is opened
    ``immutable`` so that not even ``-shm``/``-wal`` files are created next to a damaged file.
    Only SQLite's corruption errors mean corruption; any other error (read-only disk, I/O error)
    means the file cannot be checked, which is DatabaseUnavailableError.
    """
    has_wal = path.with_name(path.name + "-wal").exists()
    uri = f"{path.resolve().as_uri()}?mode=ro" + ("" if has_wal else "&immutable=1")
    try:
        connection = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise DatabaseUnavailableError(f"cannot open database {path}: {exc}") from exc
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "").startswith(_CORRUPTION):
            raise DatabaseCorruptError(_corrupt_message(path, str(exc))) from exc
        raise DatabaseUnavailableError(
            f"cannot read database {path} for its integrity check ({exc}); check the disk it is on"
        ) from exc
    finally:
        connection.close()
    findings = [str(row[0]) for row in rows]
    if findings != ["ok"]:
        raise DatabaseCorruptError(_corrupt_message(path, "; ".join(findings[:5])))


def _corrupt_message(path: Path, finding: str) -> str:
    return (
        f"database {path} failed its integrity check ({finding}). The file has not been changed. "
        "Copy it somewhere safe, then restore the latest backup to this path or point "
        "[database] url in genki.toml to a new file."
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # transactions are begun explicitly below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def create_database_engine(url: str) -> Engine:
    """Create an engine for ``url`` with genki's connection settings (no checks, no migrations)."""
    path = sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailableError(f"cannot create folder {path.parent}: {exc}") from exc
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _alembic_config(engine: Engine) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(resources.files("records") / "migrations"))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; refuse a database written by a newer genki."""
    config = _alembic_config(engine)
    known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    unknown = [rev for rev in current if rev not in known]
    if unknown:
        raise DatabaseVersionError(
            f"the database is at schema version {', '.join(unknown)}, which this genki does not "
            "know; it was written by a newer genki. Upgrade genki to use it."
        )
    command.upgrade(config, "head")


class Database:
    """An open, checked and migrated database; hands out transactional ORM sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session inside one transaction: committed on success, rolled back on error.

        A database that cannot store the change (disk full, I/O error, read-only storage, server
        gone) raises DatabaseUnavailableError naming the cause; nothing of the change is stored.
        """
        try:
            with self._sessions() as session, session.begin():
                yield session
        except OperationalError as exc:
            raise DatabaseUnavailableError(
                f"the database could not store this change ({exc.orig}); nothing of it was saved"
            ) from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reading: a deferred transaction that never blocks writers' queue."""
        with (
            self.engine.connect().execution_options(**{READ_ONLY_OPTION: True}) as connection,
            Session(connection) as session,
            session.begin(),
        ):
            yield session

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Check, open and migrate the database at ``url``."""
    path = sqlite_path(url)
    if path is not None and path.exists():
        check_sqlite_file(path)
    engine = create_database_engine(url)
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        if isinstance(exc, DBAPIError) and "not a database" in str(exc.orig):
            raise DatabaseCorruptError(_corrupt_message(path or Path(url), str(exc.orig))) from exc
        raise DatabaseUnavailableError(f"cannot open database {url}: {exc}") from exc
    except Exception:
        engine.dispose()
        raise
    _LOGGER.debug("database %s ready", url)
    return Database(engine)
