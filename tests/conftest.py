"""Shared fixtures: a real SQLite file per test and an isolated genki home for CLI runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from genki_home import GenkiHome

from records import Database, open_database

pytest_plugins = ["office_databases", "mosquitto_fixtures", "postgres_fixtures"]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """An open, migrated database in a real file."""
    db = open_database(f"sqlite:///{tmp_path / 'genki.sqlite3'}")
    yield db
    db.close()


@pytest.fixture
def home(tmp_path: Path) -> GenkiHome:
    """A genki home with English messages and its database in the test folder."""
    database_file = tmp_path / "data" / "genki.sqlite3"
    config_file = tmp_path / "genki.toml"
    config_file.write_text(
        f'language = "en"\n\n[facility]\nid = "sakura"\n\n[database]\nurl = "sqlite:///{database_file}"\n',
        encoding="utf-8",
    )
    return GenkiHome(root=tmp_path, config_file=config_file, database_file=database_file)
