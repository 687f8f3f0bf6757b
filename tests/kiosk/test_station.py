"""The station with real simulated devices: record, score, save; auto stop; device lost; bad save.

Plates are the GKFP simulator behind a real pseudo-terminal, read by the real serial driver; the
grip gauge is an emulated BLE Progressor read through bleak (``ble+sim://``). Nothing is mocked.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import Connection, event, select
from station_waits import phase, streaming, wait_for

from devices.registry import open_device
from kiosk.station.service import Station, StationView
from kiosk.station.trial import Phase
from records import Database, open_database
from records.devices import DeviceRepository
from records.models import Outbox
from records.recordings import load_recording
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from records.trials import trials_of
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner

RESIDENT = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1942, 5, 3),
    care_level=CareLevel.SUPPORT_1,
)  # fmt: skip


@pytest.fixture
def resident(database: Database) -> str:
    return ResidentRepository(database, "f1").add(RESIDENT, actor="test").uuid


def plate_url(
    scenario: str, duration_s: float = 60, repetitions: int | None = None
) -> Iterator[str]:
    person = generate(scenario, rate_hz=1000, duration_s=duration_s, seed=5,
                      repetitions=repetitions)  # fmt: skip
    runner = PtyRunner(GkfpPlate(person, PlateConfig(seed=5)), rate_hz=1000)
    runner.start()
    yield f"serial://{runner.path}?protocol=gkfp"
    runner.stop()


@pytest.fixture
def quiet_plate() -> Iterator[str]:
    yield from plate_url("quiet-eo")


@pytest.fixture
def stands_plate() -> Iterator[str]:
    # Stands one after another, looping after 14: wherever the trial starts, five follow.
    yield from plate_url("sit-to-stand", duration_s=40, repetitions=14)


@pytest.fixture
def unpluggable() -> Iterator[PtyRunner]:
    person = generate("quiet-eo", rate_hz=1000, duration_s=60, seed=5)
    runner = PtyRunner(GkfpPlate(person, PlateConfig(seed=5)), rate_hz=1000, stable_path=True)
    runner.start()
    yield runner
    runner.stop()


def test_a_sway_trial_is_recorded_scored_and_saved_with_its_outbox_message(
    database: Database, resident: str, quiet_plate: str
) -> None:
    published: list[StationView] = []
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": quiet_plate},
                 countdown_s=0.3, record_seconds={"sway_eo": 2.0}) as station:  # fmt: skip
        station.subscribe(published.append)
        wait_for(station, streaming)
        station.begin(resident, "sway_eo")
        wait_for(station, phase(Phase.INSTRUCT))
        station.ready()
        counting = wait_for(station, phase(Phase.COUNTDOWN))
        assert counting.trial is not None
        assert 0 < counting.trial.countdown_s <= 0.3
        review = wait_for(station, phase(Phase.REVIEW))
        assert review.trial is not None
        assert review.trial.recorded_s == pytest.approx(2.0, abs=0.05)
        assert review.trial.metrics["path_length_mm"] > 0
        station.accept()
        saved = wait_for(station, phase(Phase.SAVED))
    assert saved.trial is not None
    trials = trials_of(database, resident)
    assert [(t.uuid, t.test) for t in trials] == [(saved.trial.trial_uuid, "sway_eo")]
    assert trials[0].metrics["path_length_mm"] == review.trial.metrics["path_length_mm"]
    assert trials[0].recording_sha256 is not None
    recording = load_recording(database, trials[0].recording_sha256)
    assert recording.channels == ("fz_n", "cop_ml_mm", "cop_ap_mm")
    assert recording.samples.shape[0] == pytest.approx(2000, abs=50)
    with database.read() as session:
        bodies = [json.loads(p)["body"] for p in session.scalars(select(Outbox.payload))]
    assert [b["trial_uuid"] for b in bodies] == [saved.trial.trial_uuid]
    assert bodies[0]["test"] == "sway_eo"
    # Views are coalesced: far fewer than the ~100 device blocks a second, never faster than 30/s.
    times = [view.version for view in published]
    assert times == sorted(times)
    assert len(published) < 40 * 8


def test_five_chair_stands_stop_the_recording_by_themselves(
    database: Database, resident: str, stands_plate: str
) -> None:
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": stands_plate},
                 countdown_s=0.1) as station:  # fmt: skip
        wait_for(station, streaming)
        station.begin(resident, "chair_stand_5x")
        wait_for(station, phase(Phase.INSTRUCT))
        station.ready()
        review = wait_for(station, phase(Phase.REVIEW), timeout=60)
    assert review.trial is not None
    assert review.trial.metrics["count"] == 5
    assert review.trial.recorded_s < 59  # stopped by the fifth stand, not by the 60-s limit


def test_a_plate_unplugged_mid_trial_discards_it_and_nothing_is_saved(
    database: Database, resident: str, unpluggable: PtyRunner
) -> None:
    plate = f"serial://{unpluggable.path}?protocol=gkfp"
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": plate},
                 countdown_s=0.1, record_seconds={"sway_eo": 20.0}) as station:  # fmt: skip
        wait_for(station, streaming)
        station.begin(resident, "sway_eo")
        wait_for(station, phase(Phase.INSTRUCT))
        station.ready()
        wait_for(station, phase(Phase.RECORD))
        unpluggable.unplug()  # the cable is pulled while recording
        discarded = wait_for(station, phase(Phase.DISCARDED))
        station.accept()  # nothing to save: refused, and said so
        refused = wait_for(station, lambda view: bool(view.error))
    assert discarded.trial is not None
    assert discarded.trial.reason.startswith("plate:")
    assert "'accept' does not apply" in refused.error
    assert trials_of(database, resident) == []


def test_a_save_that_cannot_commit_is_not_shown_as_saved(
    database: Database, resident: str, quiet_plate: str
) -> None:
    refuse = threading.Event()

    @event.listens_for(database.engine, "begin")
    def _disk_full_when_asked(connection: Connection) -> None:
        # A real SQLITE_FULL: the file may not grow past the pages it has now.
        limit = connection.exec_driver_sql("PRAGMA page_count").scalar() if refuse.is_set() else 0
        connection.exec_driver_sql(f"PRAGMA max_page_count={limit or 1_073_741_823}")

    with Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": quiet_plate},
                 countdown_s=0.1, record_seconds={"sway_eo": 1.0}) as station:  # fmt: skip
        wait_for(station, streaming)
        station.begin(resident, "sway_eo")
        wait_for(station, phase(Phase.INSTRUCT))
        station.ready()
        wait_for(station, phase(Phase.REVIEW))
        refuse.set()
        station.accept()
        failed = wait_for(station, lambda v: v.trial is not None and bool(v.trial.reason))
        assert failed.trial is not None
        assert failed.trial.phase is Phase.REVIEW
        assert "disk is full" in failed.trial.reason
        assert trials_of(database, resident) == []
        refuse.clear()
        station.accept()  # the trainer tries again once there is room
        saved = wait_for(station, phase(Phase.SAVED))
    assert [t.uuid for t in trials_of(database, resident)] == [saved.trial.trial_uuid]  # type: ignore[union-attr]


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MB tmpfs, mounted for the test and filled after the database is created."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", "size=4m", "genki-test", str(mount_point)]
    mounted = subprocess.run(command, capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", "--lazy", str(mount_point)], check=False)


def test_a_new_test_is_refused_when_storage_is_unsafe(full_disk: Path, quiet_plate: str) -> None:
    database = open_database(f"sqlite:///{full_disk / 'kiosk.sqlite3'}")
    resident = ResidentRepository(database, "f1").add(RESIDENT, actor="test").uuid
    with (full_disk / "ballast").open("wb") as ballast, contextlib.suppress(OSError):
        while True:
            ballast.write(b"\0" * 65536)
            ballast.flush()
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": quiet_plate},
                 countdown_s=0.1) as station:  # fmt: skip
        station.begin(resident, "sway_eo")
        refused = wait_for(station, lambda view: bool(view.error))
    assert refused.trial is None
    assert "storage is not safe for a new test" in refused.error
    assert "MB free on the disk holding" in refused.error
    database.close()


def test_the_station_uses_the_calibration_stored_for_the_plate(
    database: Database, quiet_plate: str
) -> None:
    """Offsets stored for the plate's serial number (as `genki devices zero` stores them) change
    the force the station reports: +50 N on each of the four cells is +200 N of Fz."""

    def mean_fz() -> float:
        with Station(database, facility_id="f1", kiosk_id="k1",
                     devices={"plate": quiet_plate}) as station:  # fmt: skip
            view = wait_for(station, lambda v: bool(v.traces) and len(v.traces[0].values) > 100)
        return float(np.mean(view.traces[0].values))

    probe = open_device(quiet_plate)
    blocks: list[object] = []
    probe.start(blocks.append)
    deadline = time.monotonic() + 10
    while getattr(probe, "calibration", None) is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    factory = probe.calibration  # type: ignore[attr-defined]
    probe.stop()
    before = mean_fz()
    shifted = replace(factory, offsets=tuple(o + 50.0 for o in factory.offsets))
    DeviceRepository(database).save_calibration(
        "GKFP-SIM0001", kind="force_plate", parameters=shifted.to_dict(), actor="test"
    )
    assert mean_fz() == pytest.approx(before + 200.0, abs=5.0)
