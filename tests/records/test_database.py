"""Opening databases: connection settings, migrations, integrity checks and refusals."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from records import Database, open_database
from records.database import sqlite_path
from records.errors import DatabaseCorruptError, DatabaseVersionError
from records.models import Base


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sqlite_connections_use_wal_full_sync_foreign_keys_and_busy_timeout(
    database: Database,
) -> None:
    with database.engine.connect() as connection:
        pragma = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
    assert pragma == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 10_000,
    }


def test_migrations_produce_exactly_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_opening_twice_keeps_the_data_and_the_schema_version(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'g.sqlite3'}"
    first = open_database(url)
    with first.transaction() as session:
        session.execute(Base.metadata.tables["facility"].insert().values(id="f1", name="Sakura"))
    first.close()
    second = open_database(url)
    with second.read() as session:
        names = session.execute(Base.metadata.tables["facility"].select()).all()
    second.close()
    assert [row.name for row in names] == ["Sakura"]


def test_a_file_that_is_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "genki.sqlite3"
    path.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    before = _digest(path)
    with pytest.raises(DatabaseCorruptError, match="has not been changed"):
        open_database(f"sqlite:///{path}")
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["genki.sqlite3"]


def test_a_database_with_damaged_pages_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "genki.sqlite3"
    db = open_database(f"sqlite:///{path}")
    table = Base.metadata.tables["audit_event"]
    rows = [
        {"actor": "t", "action": "x" * 50, "entity": "e", "entity_id": str(i), "details": {}}
        for i in range(2000)
    ]
    with db.transaction() as session:
        session.execute(table.insert(), rows)
    db.close()
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    for page in range(3, len(data) // page_size):
        data[page * page_size + 8 : page * page_size + 40] = b"\xff" * 32
    path.write_bytes(bytes(data))
    before = _digest(path)
    with pytest.raises(DatabaseCorruptError):
        open_database(f"sqlite:///{path}")
    assert _digest(path) == before


def test_a_database_from_a_newer_genki_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "genki.sqlite3"
    open_database(f"sqlite:///{path}").close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseVersionError, match="newer genki"):
        open_database(f"sqlite:///{path}")


def test_sqlite_path_only_for_sqlite_files() -> None:
    assert sqlite_path("sqlite:////tmp/x.db") == Path("/tmp/x.db")
    assert sqlite_path("sqlite://") is None
    assert sqlite_path("postgresql+psycopg://u@h/db") is None
