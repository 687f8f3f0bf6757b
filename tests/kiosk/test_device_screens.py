"""Pilot tests of the device screens with a real station, a simulated GKFP/1 plate on a
pseudo-terminal and a real SQLite file: the readiness panel behind the trainer's PIN, a session
zero (saved, applied by reopening the plate, refused while loaded) and the known-weight
calibration wizard (saved only when its verification passes).

The simulated plate's cells have their own slopes and offsets (PlateConfig); the calibration the
station starts from is stored wrong on purpose, so the screens have something to correct.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from kiosk_pilot import press_busy, until
from sqlalchemy import update
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Button, Input, Static

from devices.calibration import PlateCalibration
from genki.config import hash_pin
from kiosk.desk import Desk
from kiosk.station.service import Station
from kiosk.ui.app import KioskApp
from kiosk.ui.devices import CalibrationScreen, DevicesScreen, ZeroScreen
from kiosk.ui.trainer import PinScreen, TrainerScreen
from records import Database, models
from records.devices import DeviceRepository
from simulators.forceplate.device import DEFAULT_OFFSETS, DEFAULT_SLOPE, GkfpPlate, PlateConfig
from simulators.forceplate.masses import static_load
from simulators.pty_runner import PtyRunner

PIN = "2468"
SERIAL = "GKFP-SIM0001"
SPACING = (500.0, 400.0)
RATE_HZ = 1000
TRUE_SLOPES = tuple(DEFAULT_SLOPE * f for f in (1.10, 0.95, 1.08, 0.97))  # the cells, N/count
MASS_KG = 20.0
SECOND_KG = 10.0  # put with the first in the centre: the linearity check
WEIGHT_N = MASS_KG * 9.80665
CORNERS = {"FL": (-250.0, 200.0), "FR": (250.0, 200.0), "BL": (-250.0, -200.0),
           "BR": (250.0, -200.0), "centre": (0.0, 0.0)}  # fmt: skip
CAPTURE_S = 0.3


@pytest.fixture
def runner() -> Iterator[PtyRunner]:
    """An empty simulated plate whose cells have TRUE_SLOPES and the default offsets."""
    config = PlateConfig(serial=SERIAL, rate_hz=RATE_HZ, spacing_mm=SPACING, slopes=TRUE_SLOPES,
                         seed=3)  # fmt: skip
    plate = PtyRunner(GkfpPlate(static_load(0.0, rate_hz=RATE_HZ), config), rate_hz=RATE_HZ)
    plate.start()
    yield plate
    plate.stop()


def place(runner: PtyRunner, mass_kg: float, position: tuple[float, float] = (0.0, 0.0)) -> None:
    """Put a mass on the simulated plate (0 kg: take everything off)."""
    plate = runner.firmware
    assert isinstance(plate, GkfpPlate)
    plate.place(static_load(mass_kg, position, rate_hz=RATE_HZ, spacing_mm=SPACING))


def store(
    database: Database, slopes: tuple[float, ...], offsets: tuple[float, ...], **stored: object
) -> None:
    """Store the calibration the station opens the plate with (and ``stored`` beside its
    parameters), dated three days ago."""
    calibration = PlateCalibration(slopes, offsets, *SPACING)
    DeviceRepository(database).save_calibration(
        SERIAL, kind="force_plate", parameters={**calibration.to_dict(), **stored}, actor="test"
    )
    with database.transaction() as session:
        three_days_ago = datetime.now(UTC) - timedelta(days=3)
        session.execute(update(models.DeviceCalibration).values(calibrated_at=three_days_ago))


def station(database: Database, runner: PtyRunner) -> Station:
    url = f"serial://{runner.path}?protocol=gkfp"
    return Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": url})


def kiosk(database: Database, running: Station) -> KioskApp:
    desk = Desk(database, facility_id="f1", kiosk_id="k1")
    return KioskApp(desk, station=running, language="en", pin_hash=hash_pin(PIN))


def shows(app: KioskApp, screen: type[Screen[None]]) -> bool:
    """Whether the app shows a ``screen`` whose widgets are composed."""
    return isinstance(app.screen, screen) and bool(app.screen.query("Button"))


def shown(app: KioskApp, widget: str) -> str:
    return str(app.screen.query_one(widget, Static).content)


async def median_fz(running: Station) -> float:
    """The plate's vertical force now, as the station converts it (median of CAPTURE_S)."""
    capture = await asyncio.wrap_future(running.capture("plate", CAPTURE_S))
    return float(np.median(capture.fz_n))


async def open_devices(app: KioskApp, pilot: Pilot[None]) -> None:
    """Home → trainer PIN → trainer screen → devices screen."""
    await press_busy(app, pilot, "#trainer")
    assert isinstance(app.screen, PinScreen)
    pin = app.screen.query_one("#pin", Input)
    pin.value = PIN
    await pin.action_submit()
    await until(pilot, lambda: shows(app, TrainerScreen))  # PBKDF2 takes a moment
    await press_busy(app, pilot, "#devices-screen")
    await until(pilot, lambda: shows(app, DevicesScreen))


async def test_a_trainer_zeroes_a_drifted_plate_and_the_reopened_plate_reads_zero(
    database: Database, runner: PtyRunner
) -> None:
    drifted = tuple(offset + 2.5 for offset in DEFAULT_OFFSETS)  # the plate reads 10 N empty
    store(database, TRUE_SLOPES, drifted)
    with station(database, runner) as running:
        app = kiosk(database, running)
        async with app.run_test(size=(120, 50)) as pilot:
            assert await median_fz(running) == pytest.approx(10.0, abs=0.05)
            await open_devices(app, pilot)
            await until(pilot, lambda: "zeroed 3 days ago" in shown(app, "#device-rows"))
            assert shown(app, "#device-rows").startswith("plate: streaming | battery — |")
            assert "calibrated never | samples missing 0" in shown(app, "#device-rows")
            await press_busy(app, pilot, "#zero")
            await until(pilot, lambda: shows(app, ZeroScreen))
            assert "step off the plate" in shown(app, "#message")
            await press_busy(app, pilot, "#zero-now")
            await until(pilot, lambda: shown(app, "#message").startswith("Zeroed and saved."))
            offsets = r"Offsets FL -12\.50, FR \+3\.25, BL [+-]0\.00, BR -7\.75 N\.$"
            assert re.search(offsets, shown(app, "#message"))
            assert await median_fz(running) == pytest.approx(0.0, abs=0.05)
            await press_busy(app, pilot, "#stop")
            await until(pilot, lambda: shows(app, DevicesScreen))
            await until(pilot, lambda: "zeroed just now" in shown(app, "#device-rows"))
    stored = DeviceRepository(database).latest_calibration(SERIAL)
    assert stored is not None
    assert stored.parameters["procedure"] == "zero"
    np.testing.assert_allclose(stored.parameters["offsets"], DEFAULT_OFFSETS, atol=0.01)
    assert stored.parameters["slopes"] == list(TRUE_SLOPES)


async def test_a_zero_is_refused_while_the_plate_carries_a_mass(
    database: Database, runner: PtyRunner
) -> None:
    place(runner, 10.0)
    with station(database, runner) as running:
        app = kiosk(database, running)
        async with app.run_test(size=(120, 50)) as pilot:
            await app.push_screen(ZeroScreen(seconds=CAPTURE_S))
            await press_busy(app, pilot, "#zero-now")
            await until(pilot, lambda: shown(app, "#message").startswith("The plate reads"))
            assert shown(app, "#message").startswith("The plate reads 98 N: someone or something")
            assert DeviceRepository(database).latest_calibration(SERIAL) is None
            place(runner, 0.0)  # the mass is taken off; the trainer tries again
            await pilot.pause(0.1)
            await press_busy(app, pilot, "#zero-now")
            await until(pilot, lambda: shown(app, "#message").startswith("Zeroed and saved."))
    assert DeviceRepository(database).latest_calibration(SERIAL) is not None


async def test_a_zero_is_refused_while_the_plate_varies_more_than_at_its_calibration(
    database: Database, runner: PtyRunner
) -> None:
    """Calibrated when its cells varied by 0.2 counts, the plate now varies by about 1 count (the
    simulator's ADC noise, a loose cable say): more than three times as much, so no zero."""
    store(database, TRUE_SLOPES, DEFAULT_OFFSETS, procedure="known_weight",
          noise_counts=[0.2] * 4)  # fmt: skip
    with station(database, runner) as running:
        app = kiosk(database, running)
        async with app.run_test(size=(120, 50)) as pilot:
            await until(pilot, lambda: running.view.devices[0].calibrated_at is not None)
            await app.push_screen(ZeroScreen(seconds=CAPTURE_S))
            await press_busy(app, pilot, "#zero-now")
            await until(pilot, lambda: shown(app, "#message").startswith("The plate is not"))
            assert re.match(r"The plate is not still: sensor FL varies by 1\.\d counts, more "
                            r"than 0\.6 \(three times", shown(app, "#message"))  # fmt: skip
    latest = DeviceRepository(database).latest_calibration(SERIAL)
    assert latest is not None
    assert latest.parameters["procedure"] == "known_weight"  # nothing new stored


async def run_wizard(
    app: KioskApp,
    pilot: Pilot[None],
    runner: PtyRunner,
    positions: dict[str, tuple[float, float]],
    second_kg: float | None = None,
) -> CalibrationScreen:
    """Go through the wizard, putting the mass at ``positions[step]`` for each position step,
    and with a second mass, both masses in the centre at the end."""
    screen = app.screen
    assert isinstance(screen, CalibrationScreen)
    screen.query_one("#mass", Input).value = f"{MASS_KG:g}"
    if second_kg is not None:
        screen.query_one("#second-mass", Input).value = f"{second_kg:g}"
    await press_busy(app, pilot, "#next")
    assert screen.step == "zero"
    for step in ("zero", *CORNERS, *(() if second_kg is None else ("both",))):
        assert screen.step == step
        if step == "zero":
            place(runner, 0.0)
        elif step == "both":
            both_kg = MASS_KG + (second_kg or 0.0)
            assert shown(app, "#prompt").startswith(f"Put both weights ({both_kg:g} kg)")
            place(runner, both_kg)
        else:
            assert f"Put the 20 kg weight {'in the centre' if step == 'centre' else 'over'}" in (
                shown(app, "#prompt")
            )
            place(runner, MASS_KG, positions[step])
        await pilot.pause(0.1)  # the trainer steps back before touching Measure
        await press_busy(app, pilot, "#next")
        await until(pilot, lambda step=step: screen.step != step)  # type: ignore[misc]
    return screen


async def test_the_calibration_wizard_solves_verifies_saves_and_applies_the_slopes(
    database: Database, runner: PtyRunner
) -> None:
    store(database, (DEFAULT_SLOPE,) * 4, DEFAULT_OFFSETS)  # nominal slopes, not the cells' own
    with station(database, runner) as running:
        app = kiosk(database, running)
        async with app.run_test(size=(120, 60)) as pilot:
            place(runner, MASS_KG)
            await pilot.pause(0.1)
            before = await median_fz(running)
            assert abs(before - WEIGHT_N) / WEIGHT_N > 0.01  # the nominal slopes read 2 % low
            await app.push_screen(DevicesScreen(capture_s=CAPTURE_S))
            await press_busy(app, pilot, "#calibrate")
            await until(pilot, lambda: shows(app, CalibrationScreen))
            assert isinstance(app.screen, CalibrationScreen)
            for typed in ("abc", "0", "-3", "500"):
                app.screen.query_one("#mass", Input).value = typed
                await press_busy(app, pilot, "#next")
                assert app.screen.step == "mass"
                assert shown(app, "#message") == (
                    "Please type the mass in kg as a number from 1 to 200, for example 10 or 20.5."
                )
            app.screen.query_one("#mass", Input).value = "20"
            app.screen.query_one("#second-mass", Input).value = "ten"
            await press_busy(app, pilot, "#next")
            assert app.screen.step == "mass"
            assert shown(app, "#message") == (
                "Please type the second mass in kg as a number from 1 to 200, or leave it empty."
            )
            screen = await run_wizard(app, pilot, runner, CORNERS, second_kg=SECOND_KG)
            await until(pilot, lambda: shown(app, "#message") != "")
            assert shown(app, "#message") == "Calibration passed and was saved."
            assert "OK Weight at the centre:" in shown(app, "#result")
            assert "OK Both weights at the centre:" in shown(app, "#result")
            assert "FAILED" not in shown(app, "#result")
            assert screen.query_one("#again", Button).display
            place(runner, MASS_KG)
            await pilot.pause(0.1)
            assert await median_fz(running) == pytest.approx(WEIGHT_N, rel=0.005)
            await press_busy(app, pilot, "#stop")
            await until(pilot, lambda: "calibrated just now" in shown(app, "#device-rows"))
    stored = DeviceRepository(database).latest_calibration(SERIAL, procedure="known_weight")
    assert stored is not None
    np.testing.assert_allclose(stored.parameters["slopes"], TRUE_SLOPES, rtol=2e-3)
    np.testing.assert_allclose(stored.parameters["offsets"], DEFAULT_OFFSETS, atol=0.05)
    assert stored.parameters["masses_kg"] == [MASS_KG, SECOND_KG]
    assert stored.parameters["positions_mm"] == [list(p) for p in CORNERS.values()]
    assert 0.5 < min(stored.parameters["noise_counts"]) < 2.0  # the simulated ADC's 1 count


async def test_a_calibration_with_the_plate_turned_round_fails_and_saves_nothing(
    database: Database, runner: PtyRunner
) -> None:
    turned = {"FL": CORNERS["BR"], "FR": CORNERS["BL"], "BL": CORNERS["FR"], "BR": CORNERS["FL"],
              "centre": CORNERS["centre"]}  # fmt: skip
    with station(database, runner) as running:
        app = kiosk(database, running)
        async with app.run_test(size=(120, 60)) as pilot:
            await app.push_screen(CalibrationScreen(capture_s=CAPTURE_S))
            screen = await run_wizard(app, pilot, runner, turned)
            await until(pilot, lambda: shown(app, "#message") != "")
            assert shown(app, "#message").startswith("Calibration failed, so nothing was saved.")
            assert "FAILED Front-left weight loads the front-left sensor most" in (
                shown(app, "#result")
            )
            await press_busy(app, pilot, "#again")
            assert screen.step == "zero"
    assert DeviceRepository(database).latest_calibration(SERIAL) is None


async def test_stop_during_a_zero_leaves_the_screen_saves_nothing_and_the_plate_streams_on(
    database: Database, runner: PtyRunner
) -> None:
    with station(database, runner) as running:
        app = kiosk(database, running)
        async with app.run_test(size=(120, 50)) as pilot:
            await app.push_screen(DevicesScreen())
            await app.push_screen(ZeroScreen(seconds=0.5))
            await press_busy(app, pilot, "#zero-now")
            measuring = "Measuring… please keep away from the plate."
            await until(pilot, lambda: shown(app, "#message") == measuring)
            await press_busy(app, pilot, "#stop")
            await until(pilot, lambda: shows(app, DevicesScreen))
            await pilot.pause(1.0)  # the abandoned capture ends meanwhile
            assert await median_fz(running) == pytest.approx(0.0, abs=0.05)
    assert DeviceRepository(database).latest_calibration(SERIAL) is None
