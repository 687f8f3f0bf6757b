"""The office database fixture: every ingest test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from records import Database, open_database


@pytest.fixture(params=["sqlite", "postgresql"])
def office_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty office database of each supported kind."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path / 'office.sqlite3'}"


@pytest.fixture
def office_database(office_database_url: str) -> Iterator[Database]:
    """An open, migrated office database of each supported kind."""
    database = open_database(office_database_url)
    yield database
    database.close()
