"""The station's device set-up commands with real simulated devices and a real SQLite file:
``capture`` (a plate's next samples, or a clear error), ``save_calibration`` + ``reopen`` (a new
calibration applies) and the readiness fields of DeviceView (battery, zeroed, calibrated).

Plates are the GKFP simulator on a pseudo-terminal; the grip gauge is an emulated BLE
Progressor read through bleak (``ble+sim://``). Nothing is mocked.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator

import numpy as np
import pytest
from station_waits import wait_for

from devices.calibration import PlateCalibration
from kiosk.station.errors import DeviceCommandError
from kiosk.station.plate_setup import CAPTURE_GRACE_S, PendingCapture
from kiosk.station.service import DeviceView, Station, StationView
from records import Database
from records.devices import DeviceRepository
from simulators.forceplate.device import DEFAULT_OFFSETS, DEFAULT_SLOPE, GkfpPlate, PlateConfig
from simulators.forceplate.masses import static_load
from simulators.pty_runner import PtyRunner

SERIAL = "GKFP-SIM0001"
WEIGHT_N = 10 * 9.80665
GAUGE = "ble+sim://progressor?seed=1&speed=4"


@pytest.fixture
def runner() -> Iterator[PtyRunner]:
    """A simulated plate carrying 10 kg at the centre, behind a path that survives unplugging."""
    plate = GkfpPlate(static_load(10.0), PlateConfig(serial=SERIAL, seed=4))
    runner = PtyRunner(plate, rate_hz=1000, stable_path=True)
    runner.start()
    yield runner
    runner.stop()


def url(runner: PtyRunner) -> str:
    return f"serial://{runner.path}?protocol=gkfp"


def device(view: StationView, role: str) -> DeviceView:
    return next(d for d in view.devices if d.role == role)


def test_a_capture_returns_the_plates_next_samples_with_the_calibration_in_use(
    database: Database, runner: PtyRunner
) -> None:
    with Station(database, facility_id="f1", kiosk_id="k1",
                 devices={"plate": url(runner)}) as station:  # fmt: skip
        capture = station.capture("plate", 0.5).result(timeout=10)
    assert capture.device_id == SERIAL
    assert 500 <= capture.raw.shape[0] < 520  # whole frames of 10 samples
    assert capture.raw.shape[1] == 4
    assert capture.calibration.slopes == (DEFAULT_SLOPE,) * 4
    assert capture.calibration.offsets == DEFAULT_OFFSETS
    assert float(np.median(capture.fz_n)) == pytest.approx(WEIGHT_N, abs=0.05)


def test_a_capture_fails_when_the_plate_is_unplugged(database: Database, runner: PtyRunner) -> None:
    with Station(database, facility_id="f1", kiosk_id="k1",
                 devices={"plate": url(runner)}) as station:  # fmt: skip
        wait_for(station, lambda v: device(v, "plate").samples > 0)
        pending = station.capture("plate", 10.0)
        runner.unplug()
        with pytest.raises(DeviceCommandError, match=r"capture from plate: the device was lost"):
            pending.result(timeout=10)


def test_a_capture_of_a_device_that_could_not_be_opened_fails_at_once(database: Database) -> None:
    toaster = "serial:///dev/ttyACM0?protocol=toaster"
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": toaster}) as station:
        with pytest.raises(DeviceCommandError, match=r"plate: the device is closed: no driver for"):
            station.capture("plate", 1.0).result(timeout=1)
        with pytest.raises(ValueError, match=r"no gauge device at this station; expected one of"):
            station.capture("gauge", 1.0)


def test_a_grip_gauge_shows_its_battery_and_cannot_be_captured_as_a_plate(
    database: Database, runner: PtyRunner
) -> None:
    with Station(database, facility_id="f1", kiosk_id="k1",
                 devices={"plate": url(runner), "gauge": GAUGE}) as station:  # fmt: skip
        view = wait_for(station, lambda v: all(d.samples > 0 for d in v.devices))
        assert device(view, "gauge").battery_mv == 3915  # the emulated Progressor's answer
        assert device(view, "plate").battery_mv is None
        with pytest.raises(DeviceCommandError, match=r"is not a calibrated force plate"):
            station.capture("gauge", 0.2).result(timeout=10)


def test_a_saved_calibration_applies_after_reopen_and_its_time_is_shown(
    database: Database, runner: PtyRunner
) -> None:
    devices = DeviceRepository(database)
    known = PlateCalibration((DEFAULT_SLOPE,) * 4, DEFAULT_OFFSETS, 500.0, 400.0).to_dict()
    first = devices.save_calibration(SERIAL, kind="force_plate", actor="test",
                                     parameters={**known, "procedure": "known_weight"})  # fmt: skip
    with Station(database, facility_id="f1", kiosk_id="k1",
                 devices={"plate": url(runner)}) as station:  # fmt: skip
        view = wait_for(station, lambda v: device(v, "plate").zeroed_at is not None)
        assert device(view, "plate").zeroed_at == first.calibrated_at
        assert device(view, "plate").calibrated_at == first.calibrated_at
        shifted = {**known, "offsets": [o + 5.0 for o in DEFAULT_OFFSETS], "procedure": "zero"}
        zero = station.save_calibration(SERIAL, shifted).result(timeout=10)
        assert station.capture("plate", 0.2).result(timeout=10).calibration.offsets == (
            DEFAULT_OFFSETS  # stored, not applied until the plate is reopened
        )
        station.reopen("plate").result(timeout=10)
        capture = station.capture("plate", 0.2).result(timeout=10)
        assert float(np.median(capture.fz_n)) == pytest.approx(WEIGHT_N + 20.0, abs=0.05)
        view = wait_for(station, lambda v: device(v, "plate").zeroed_at == zero.calibrated_at)
        assert device(view, "plate").calibrated_at == first.calibrated_at
        assert device(view, "plate").state == "streaming"


def test_a_capture_whose_samples_do_not_arrive_in_time_says_how_many_came() -> None:
    future: concurrent.futures.Future[object] = concurrent.futures.Future()
    pending = PendingCapture("plate", 1.0, future)  # type: ignore[arg-type]
    pending.time_up()
    with pytest.raises(DeviceCommandError) as raised:
        future.result(timeout=0)
    assert str(raised.value) == (
        f"capture from plate: 0 samples in {1 + CAPTURE_GRACE_S:g} s, not 1 s of them; check "
        "that the plate is connected and streaming"
    )
    with pytest.raises(ValueError, match=r"capture of 0.0 s asked for; expected a positive"):
        PendingCapture("plate", 0.0, future)  # type: ignore[arg-type]
