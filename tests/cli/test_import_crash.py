"""A resident import killed at any moment leaves all rows or none, and an intact database.

The import runs as a real process against a real SQLite file and is killed with SIGKILL, the
way a power cut or an operator's kill would end it; nothing is mocked.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from genki_home import GenkiHome
from residents_csv_factory import csv_bytes, resident_lines

ROWS = 10_000
SEED = int(os.environ.get("GENKI_TEST_SEED", "20261122"))


def _start_import(home: GenkiHome, csv_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "genki", "residents", "import", "--progress", str(csv_path)],
        env={**os.environ, **home.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after_progress_lines(process: subprocess.Popen[str], lines: int) -> None:
    assert process.stderr is not None
    for _ in range(lines):
        line = process.stderr.readline()
        assert "written" in line, f"expected a progress line, got {line!r}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _state(database_file: Path) -> tuple[int, str]:
    with sqlite3.connect(database_file) as connection:
        count = connection.execute("SELECT count(*) FROM resident").fetchone()[0]
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        audits = connection.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    assert audits == count, "every stored resident has exactly its audit event"
    return count, integrity


@pytest.mark.slow
def test_killing_an_import_leaves_all_rows_or_none(home: GenkiHome, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    print(f"seed {SEED}")
    csv_path = tmp_path / "residents.csv"
    csv_path.write_bytes(csv_bytes(resident_lines(ROWS, seed=SEED), "cp932"))
    assert home.run("residents", "list").exit_code == 0  # creates and migrates the database

    batches = ROWS // 500
    for lines in sorted(rng.sample(range(1, batches), 3)):
        process = _start_import(home, csv_path)
        _kill_after_progress_lines(process, lines)
        assert process.returncode == -signal.SIGKILL
        assert _state(home.database_file) == (0, "ok"), f"killed after {lines} progress lines"

    for _ in range(3):
        process = _start_import(home, csv_path)
        time.sleep(rng.uniform(0.0, 2.0))
        process.kill()
        process.wait(timeout=30)
        count, integrity = _state(home.database_file)
        assert integrity == "ok"
        assert count in (0, ROWS)
        if count == ROWS:
            return  # this kill came after the commit: the import is complete

    finished = _start_import(home, csv_path)
    _out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err
    assert _state(home.database_file) == (ROWS, "ok")
