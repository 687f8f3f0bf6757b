"""Is storage safe for a new test? The kiosk asks before it starts one (RELIABILITY.md, test 8).

A result is shown as saved only after its commit has returned (records.trials); this check is the
other half: a resident is not asked to do a test whose result could not be stored.
``check_storage`` raises ``StorageUnsafeError`` listing every problem found, each saying what is
wrong and what to do:

- free space on the disk holding the database's folder below ``min_free_bytes``;
- the folder, the database file or its ``-wal``/``-shm`` files not writable (SQLite creates and
  writes those files next to the database, so the folder must be writable too);
- the write probe fails: ``BEGIN IMMEDIATE`` (the write lock every save takes, records.database)
  then ``ROLLBACK``. It finds a database that cannot be opened for writing, is read-only, or is
  held by another writer past the busy timeout (so it may wait up to that timeout, 10 s). It does
  NOT find a full disk: nothing is written, which is why free space is checked separately;
- ``PRAGMA quick_check`` fails (read-only, on its own connection). Its cost grows with the file
  (it reads every page); pass ``quick_check=False`` between the tests of one sitting if that
  matters.

For a database that is not a SQLite file (the office's PostgreSQL, in-memory SQLite) only the
write probe applies; on PostgreSQL it also refuses a read-only server (``transaction_read_only``,
e.g. a standby).

``DEFAULT_MIN_FREE_BYTES`` is 200 MB. One raw recording is at most a few MB (1000 Hz × 8 channels
× 60 s of float64 is 3.8 MB before compression), the write-ahead log grows past its 4 MB
auto-checkpoint while a reader holds an old snapshot, and SQLite needs temporary space; 200 MB
keeps a whole sitting of the largest recordings (50 × 3.8 MB) with room to spare, and leaves the
rest of a kiosk whose database shares the system disk (logs, updates) able to run. It is about 1 %
of a 16 GB SD card.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from records.database import Database, check_sqlite_file, sqlite_path
from records.errors import DatabaseCorruptError, DatabaseUnavailableError, StorageUnsafeError

DEFAULT_MIN_FREE_BYTES = 200 * 1024 * 1024
_MB = 1024 * 1024


def check_storage(
    database: Database, *, min_free_bytes: int = DEFAULT_MIN_FREE_BYTES, quick_check: bool = True
) -> None:
    """Raise StorageUnsafeError unless a new test's result can be stored safely (module doc)."""
    url = database.engine.url.render_as_string(hide_password=True)
    path = sqlite_path(url)
    findings: list[str | None] = []
    if path is not None:
        findings += [_free_space(path.parent, min_free_bytes), _writable(path)]
    findings.append(_write_probe(database, path or url))
    if path is not None and quick_check:
        findings.append(_quick_check(path))
    problems = [finding for finding in findings if finding is not None]
    if problems:
        raise StorageUnsafeError(problems)


def _free_space(folder: Path, min_free_bytes: int) -> str | None:
    try:
        free = shutil.disk_usage(folder).free
    except OSError as exc:
        return f"The free space in {folder} cannot be read ({exc}); check that the disk is there."
    if free >= min_free_bytes:
        return None
    return (
        f"Only {free / _MB:.1f} MB free on the disk holding {folder}; at least "
        f"{min_free_bytes / _MB:.1f} MB are needed to save a test safely. Delete old exports or "
        "other files from that disk, or move the database to a larger one."
    )


def _writable(path: Path) -> str | None:
    siblings = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    candidates = [path.parent, *(p for p in (path, *siblings) if p.exists())]
    blocked = [p for p in candidates if not os.access(p, os.W_OK)]
    if not blocked:
        return None
    try:
        read_only = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    names = ", ".join(str(p) for p in blocked)
    if read_only:
        return (
            f"The disk holding {path.parent} is read-only, so {names} cannot be written (a disk "
            "is often switched to read-only after write errors). Restart the kiosk; if it "
            "happens again, copy the database somewhere safe and replace the storage."
        )
    return (
        f"{names} cannot be written by this user. Give the user running genki write "
        "permission on the database folder and its files."
    )


def _write_probe(database: Database, where: Path | str) -> str | None:
    try:
        with database.engine.connect() as connection:
            transaction = connection.begin()  # SQLite: BEGIN IMMEDIATE, the save's write lock
            try:
                if connection.dialect.name == "postgresql":
                    flag = connection.exec_driver_sql("SHOW transaction_read_only").scalar()
                    if flag == "on":
                        return (
                            f"The database server of {where} accepts no writes (read-only, e.g. a "
                            "standby). Point [database] url to the primary server."
                        )
            finally:
                transaction.rollback()
    except SQLAlchemyError as exc:
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        return (
            f"A trial write to {where} could not start ({reason}). Check that the disk is "
            "writable and no other program holds the database, then try again."
        )
    return None


def _quick_check(path: Path) -> str | None:
    try:
        check_sqlite_file(path)
    except (DatabaseCorruptError, DatabaseUnavailableError) as exc:
        return str(exc)
    return None
