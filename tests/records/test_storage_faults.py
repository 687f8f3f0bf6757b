"""RELIABILITY #8: storage faults — disk full, write errors, a corrupt database at start-up.

Must hold: never "saved" without a commit; a new test is refused when storage is unsafe, with a
clear message (records.health.check_storage); committed records survive; a corrupt file is
quarantined (open_database refuses it and leaves every byte as it was).

How the faults are made:

- Disk full: a real 4 MB tmpfs mounted for the test (``mount -t tmpfs``; we run as root), filled
  with a ballast file. Where mounting is not permitted that test is skipped, and
  ``test_a_database_at_its_page_limit_...`` still runs: it SIMULATES a full disk with SQLite's
  ``PRAGMA max_page_count``, which fails a commit with the same SQLITE_FULL error.
- Write errors: the same tmpfs remounted read-only (``mount -o remount,ro``). ``chmod`` cannot be
  used because root ignores file permissions. Linux refuses to remount a file system read-only
  while files on it are open for writing, so the database's connections are closed first (as
  between two tests, when the pool is empty); the kernel's own remount after I/O errors cannot
  be forced from user space.
- Corruption: bytes overwritten in the middle of a real file holding committed trials.

The saves below do what the kiosk does: trial + raw recording + outbox row in one transaction,
and the trial counts as "saved" only once the ``with`` block (the commit) has returned.
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.engine import make_url

from records import Database, StorageUnsafeError, check_storage, open_database
from records.errors import (
    DatabaseCorruptError,
    DatabaseUnavailableError,
    RecordingIntegrityError,
    StorageError,
)
from records.models import Outbox, Trial
from records.recordings import RawRecording, load_recording
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from records.trials import save_trial
from sync.outbox import enqueue_result

DISK_BYTES = 4 * 1024 * 1024
SMALL_DISK_MIN_FREE = 512 * 1024  # the check's threshold scaled to the 4 MB disk
RESIDENT = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1941, 4, 2),
    care_level=CareLevel.SUPPORT_1,
)  # fmt: skip


def _recording(index: int) -> RawRecording:
    samples = np.random.default_rng(index).normal(size=(3000, 2))  # about 45 kB compressed
    return RawRecording(rate_hz=100.0, channels=("cop_ml_mm", "cop_ap_mm"), samples=samples)


class Kiosk:
    """Saves trials the way the kiosk does and remembers what it showed as saved."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.resident = ResidentRepository(database, "f1").add(RESIDENT, actor="test").uuid
        self.saved: list[str] = []  # shown as saved: the commit returned
        self.attempted: list[str] = []  # every trial uuid handed out inside a transaction

    def save(self, index: int) -> str:
        with self.database.transaction() as session:
            trial = save_trial(
                session, resident_uuid=self.resident, test="sway_eo",
                metrics={"index": index}, quality_flags=[], algorithm_version="stabilometry/1",
                recording=_recording(index),
            )  # fmt: skip
            self.attempted.append(trial)
            enqueue_result(
                session, facility_id="f1", kiosk_id="k1", kind="trial", body={"trial_uuid": trial}
            )
        self.saved.append(trial)
        return trial


def _contents(database: Database) -> tuple[set[str], set[str], str]:
    """Return (trial uuids, trial uuids announced in the outbox, integrity_check) and load
    every recording (which verifies its SHA-256)."""
    with database.read() as session:
        trials = dict(session.execute(select(Trial.uuid, Trial.recording_sha256)).all())
        payloads = session.scalars(select(Outbox.payload)).all()
        integrity = "; ".join(str(r[0]) for r in session.execute(text("PRAGMA integrity_check")))
    for sha in trials.values():
        assert sha is not None
        load_recording(database, sha)
    announced = {json.loads(payload)["body"]["trial_uuid"] for payload in payloads}
    return set(trials), announced, integrity


def _assert_exactly(database: Database, saved: list[str]) -> None:
    """The database holds exactly the trials shown as saved, each announced once; file ok."""
    trials, announced, integrity = _contents(database)
    assert trials == set(saved)
    assert announced == set(saved)
    assert integrity == "ok"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("mount") is None:
        pytest.skip("no mount command here")
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB tmpfs mounted for this test and unmounted after it (skipped if not allowed)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", f"size={DISK_BYTES}", "genki-test", str(mount_point))
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        if subprocess.run(["umount", str(mount_point)], check=False).returncode != 0:
            subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def _fill(folder: Path) -> Path:
    """Write a ballast file until the disk is full; return it."""
    ballast = folder / "ballast"
    with ballast.open("wb") as stream:
        try:
            while True:
                stream.write(b"\0" * 65536)
                stream.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return ballast


def test_a_full_disk_refuses_the_save_and_the_next_test_and_keeps_what_was_committed(
    small_disk: Path,
) -> None:
    url = f"sqlite:///{small_disk / 'genki.sqlite3'}"
    database = open_database(url)
    kiosk = Kiosk(database)
    for index in range(3):
        kiosk.save(index)
    check_storage(database, min_free_bytes=SMALL_DISK_MIN_FREE)  # fine before the disk fills

    ballast = _fill(small_disk)
    free_when_full = shutil.disk_usage(small_disk).free
    with pytest.raises(DatabaseUnavailableError, match="database or disk is full") as err:
        kiosk.save(3)
    assert kiosk.saved == kiosk.attempted[:3]  # the fourth was never shown as saved

    with pytest.raises(StorageUnsafeError) as refused:
        check_storage(database, min_free_bytes=SMALL_DISK_MIN_FREE)
    assert len(refused.value.problems) == 1  # the write probe cannot see a full disk (no write)
    assert f"MB free on the disk holding {small_disk}" in str(refused.value)

    database.close()
    reopened = open_database(url)  # a restart while the disk is still full
    _assert_exactly(reopened, kiosk.saved)
    reopened.close()

    ballast.unlink()
    database = open_database(url)
    check_storage(database, min_free_bytes=SMALL_DISK_MIN_FREE)
    kiosk.database = database
    kiosk.save(4)
    _assert_exactly(database, kiosk.saved)
    database.close()
    print(
        f"\ndisk_full: committed_before=3 free_when_full={free_when_full} "
        f"save_error={type(err.value).__name__} "
        f"refusal={refused.value.problems[0]!r} saved_after_freeing=1 stored={len(kiosk.saved)}"
    )


def test_a_save_on_a_full_disk_raises_a_storage_error(small_disk: Path) -> None:
    database = open_database(f"sqlite:///{small_disk / 'genki.sqlite3'}")
    try:
        kiosk = Kiosk(database)
        _fill(small_disk)
        with pytest.raises(StorageError):
            kiosk.save(0)
    finally:
        database.close()


def test_a_database_at_its_page_limit_refuses_the_save_and_keeps_what_was_committed(
    tmp_path: Path,
) -> None:
    """A full disk SIMULATED with ``PRAGMA max_page_count`` (no mount needed): same SQLITE_FULL."""
    url = f"sqlite:///{tmp_path / 'genki.sqlite3'}"
    database = open_database(url)
    kiosk = Kiosk(database)
    kiosk.save(0)
    with database.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
    database.engine.dispose()

    @event.listens_for(database.engine, "connect")
    def _limit(dbapi_connection: object, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")  # type: ignore[attr-defined]

    with pytest.raises(DatabaseUnavailableError, match="database or disk is full"):
        kiosk.save(1)
    assert len(kiosk.saved) == 1
    database.close()
    reopened = open_database(url)
    _assert_exactly(reopened, kiosk.saved)
    reopened.close()


def test_read_only_storage_refuses_the_save_and_the_next_test_and_keeps_what_was_committed(
    small_disk: Path,
) -> None:
    path = small_disk / "genki.sqlite3"
    url = f"sqlite:///{path}"
    database = open_database(url)
    kiosk = Kiosk(database)
    for index in range(2):
        kiosk.save(index)
    database.close()  # no file open for writing, or Linux refuses the read-only remount
    remounted = _mount("-o", "remount,ro", str(small_disk))
    assert remounted.returncode == 0, remounted.stderr
    before = _sha256(path)
    try:
        with pytest.raises(DatabaseUnavailableError) as err:
            kiosk.save(2)  # the same Database: its pool opens a new connection
        assert kiosk.saved == kiosk.attempted[:2]

        with pytest.raises(StorageUnsafeError) as refused:
            check_storage(database, min_free_bytes=0)
        message = str(refused.value)
        assert f"The disk holding {small_disk} is read-only" in message
        assert "A trial write to" in message
        assert "MB free" not in message

        with pytest.raises(StorageError) as at_start:
            open_database(url)  # a restart on read-only storage is refused, not "fixed"
        assert _sha256(path) == before
    finally:
        database.close()
        assert _mount("-o", "remount,rw", str(small_disk)).returncode == 0

    database = open_database(url)
    _assert_exactly(database, kiosk.saved)
    check_storage(database, min_free_bytes=SMALL_DISK_MIN_FREE)
    kiosk.database = database
    kiosk.save(3)
    _assert_exactly(database, kiosk.saved)
    database.close()
    print(
        f"\nread_only: committed_before=2 save_error={type(err.value).__name__}"
        f"({str(err.value).splitlines()[0]}) problems={len(refused.value.problems)} "
        f"open_database={type(at_start.value).__name__} saved_after_rw=1 stored={len(kiosk.saved)}"
    )


def test_open_database_on_read_only_storage_does_not_call_the_file_corrupt(
    small_disk: Path,
) -> None:
    url = f"sqlite:///{small_disk / 'genki.sqlite3'}"
    open_database(url).close()
    assert _mount("-o", "remount,ro", str(small_disk)).returncode == 0
    try:
        with pytest.raises(StorageError) as refused:
            open_database(url)
        assert not isinstance(refused.value, DatabaseCorruptError)
    finally:
        assert _mount("-o", "remount,rw", str(small_disk)).returncode == 0


def _committed_file(path: Path, trials: int) -> list[str]:
    database = open_database(f"sqlite:///{path}")
    kiosk = Kiosk(database)
    for index in range(trials):
        kiosk.save(index)
    database.close()  # the last connection checkpoints: everything is in the main file
    assert not path.with_name(path.name + "-wal").exists()
    return kiosk.saved


def _overwrite_middle_page(path: Path, start: int, length: int) -> int:
    """Overwrite ``length`` bytes from ``start`` within the middle page; return that page."""
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    page = len(data) // page_size // 2
    offset = page * page_size + start
    data[offset : offset + length] = b"\xa5" * length
    path.write_bytes(bytes(data))
    return page + 1  # SQLite numbers pages from 1


def test_a_corrupt_database_at_start_up_is_refused_named_and_left_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "genki.sqlite3"
    saved = _committed_file(path, 20)
    page = _overwrite_middle_page(path, 0, 64)
    before = _sha256(path)
    with pytest.raises(DatabaseCorruptError) as refused:
        open_database(f"sqlite:///{path}")
    assert str(path) in str(refused.value)
    assert "has not been changed" in str(refused.value)
    assert _sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["genki.sqlite3"]  # no -wal, no -shm
    print(f"\ncorrupt: trials={len(saved)} damaged_page={page} refused={str(refused.value)!r}")


def test_damage_inside_a_recording_is_caught_by_its_checksum(tmp_path: Path) -> None:
    """Bytes changed inside a raw recording leave SQLite's structure valid: the SHA-256 refuses."""
    path = tmp_path / "genki.sqlite3"
    _committed_file(path, 20)
    _overwrite_middle_page(path, 100, 64)  # past the overflow page's next-page pointer
    database = open_database(f"sqlite:///{path}")  # quick_check passes: structure intact
    try:
        with database.read() as session:
            shas = session.scalars(select(Trial.recording_sha256)).all()
        damaged = 0
        for sha in shas:
            assert sha is not None
            try:
                load_recording(database, sha)
            except RecordingIntegrityError:
                damaged += 1
        assert damaged == 1
    finally:
        database.close()


def test_check_storage_refuses_a_file_damaged_while_the_kiosk_runs(tmp_path: Path) -> None:
    path = tmp_path / "genki.sqlite3"
    _committed_file(path, 20)
    database = open_database(f"sqlite:///{path}")
    try:
        database.engine.dispose()
        _overwrite_middle_page(path, 0, 64)
        with pytest.raises(StorageUnsafeError, match="failed its integrity check") as refused:
            check_storage(database)
        assert len(refused.value.problems) == 1
    finally:
        database.close()


def test_check_storage_passes_on_a_healthy_database(database: Database) -> None:
    Kiosk(database).save(0)
    check_storage(database)


def test_check_storage_names_the_free_space_missing(database: Database, tmp_path: Path) -> None:
    free = shutil.disk_usage(tmp_path).free
    with pytest.raises(StorageUnsafeError, match=r"MB free on the disk holding .* at least") as e:
        check_storage(database, min_free_bytes=free + 1024**3)
    assert len(e.value.problems) == 1


def test_check_storage_on_in_memory_sqlite_only_probes_a_write() -> None:
    database = open_database("sqlite://")
    try:
        check_storage(database, min_free_bytes=2**62)  # no file, no disk: not checked
    finally:
        database.close()


def test_check_storage_on_postgresql_refuses_a_read_only_server(postgres_url: str) -> None:
    database = open_database(postgres_url)
    try:
        check_storage(database, min_free_bytes=2**62)  # a server's disk is not ours to check
        name = make_url(postgres_url).database
        with database.engine.connect() as connection:
            connection.exec_driver_sql(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'
            )
            connection.commit()
        database.engine.dispose()
        with pytest.raises(StorageUnsafeError, match="accepts no writes"):
            check_storage(database)
    finally:
        database.close()
