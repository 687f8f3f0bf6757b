"""Pilot tests of the trainer flow with a real station and a simulated plate on a pseudo-terminal:
PIN, device readiness, a sway test recorded, scored and saved; a plate lost mid-test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from kiosk_pilot import press_busy, press_when_enabled, until
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static, Switch

from genki.config import hash_pin
from kiosk.desk import Desk
from kiosk.station.service import Station
from kiosk.station.trial import Phase
from kiosk.ui.app import KioskApp
from kiosk.ui.cop import BRAILLE, CopPath
from kiosk.ui.trainer import DeviceTestScreen, PinScreen, TrainerScreen
from programs.batteries import score_battery
from records import Database
from records.assessments import save_assessment
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from records.trials import trials_of
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner

HANAKO = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1942, 5, 3),
    care_level=CareLevel.SUPPORT_1,
)  # fmt: skip
PIN = "2468"


@pytest.fixture
def runner() -> Iterator[PtyRunner]:
    """A simulated plate on a pseudo-terminal behind a stable path, so it can be unplugged."""
    person = generate("quiet-eo", rate_hz=1000, duration_s=120, seed=3)
    plate = PtyRunner(GkfpPlate(person, PlateConfig(seed=3)), rate_hz=1000, stable_path=True)
    plate.start()
    yield plate
    plate.stop()


def url(runner: PtyRunner) -> str:
    return f"serial://{runner.path}?protocol=gkfp"


async def open_test(app: KioskApp, pilot: Pilot[None], test: str) -> DeviceTestScreen:
    await press_busy(app, pilot, "#trainer")
    assert isinstance(app.screen, PinScreen)
    pin = app.screen.query_one("#pin", Input)
    pin.value = "0000"
    await pin.action_submit()
    await pilot.pause(0.5)
    assert isinstance(app.screen, PinScreen)  # a wrong PIN keeps the door shut
    pin.value = PIN
    await pin.action_submit()
    await until(pilot, lambda: isinstance(app.screen, TrainerScreen))  # PBKDF2 takes a moment
    await until(pilot, lambda: "streaming" in str(app.screen.query_one("#devices", Static).content))
    app.screen.query_one("#resident", Select).value = "R001"
    await press_busy(app, pilot, f"#test-{test}")
    await until(pilot, lambda: isinstance(app.screen, DeviceTestScreen))
    assert isinstance(app.screen, DeviceTestScreen)
    return app.screen


def station(database: Database, plate_url: str) -> Station:
    return Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": plate_url},
                   countdown_s=0.5, record_seconds={"sway_eo": 2.0})  # fmt: skip


async def test_a_trainer_records_scores_and_saves_a_sway_test(
    database: Database, runner: PtyRunner
) -> None:
    resident = ResidentRepository(database, "f1").add(HANAKO, actor="test").uuid
    with station(database, url(runner)) as running:
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=running,
                       language="en", pin_hash=hash_pin(PIN))  # fmt: skip
        async with app.run_test(size=(100, 50)) as pilot:
            screen = await open_test(app, pilot, "sway_eo")
            status = screen.query_one("#status", Static)
            await press_when_enabled(app, pilot, "#ready")
            await until(pilot, lambda: "Recording" in str(status.content))
            cop = screen.query_one("#cop", CopPath)  # the sway is drawn live, in Braille dots
            await until(pilot, lambda: len(set(str(cop.content)) - {"\n", chr(BRAILLE)}) > 0)
            await until(pilot, lambda: str(status.content) == "Result")
            result = str(screen.query_one("#result", Static).content)
            assert result.startswith("path_length_mm: ")
            await press_busy(app, pilot, "#accept")
            await until(pilot, lambda: str(status.content) == "Saved.")
            assert app.station_view.trial is not None
            saved = app.station_view.trial.trial_uuid
    assert [t.uuid for t in trials_of(database, resident)] == [saved]


async def test_a_plate_lost_mid_test_is_shown_and_nothing_is_saved(
    database: Database, runner: PtyRunner
) -> None:
    resident = ResidentRepository(database, "f1").add(HANAKO, actor="test").uuid
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"plate": url(runner)},
                 countdown_s=0.2, record_seconds={"sway_eo": 20.0}) as running:  # fmt: skip
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=running,
                       language="en", pin_hash=hash_pin(PIN))  # fmt: skip
        async with app.run_test(size=(100, 50)) as pilot:
            screen = await open_test(app, pilot, "sway_eo")
            status = screen.query_one("#status", Static)
            await press_when_enabled(app, pilot, "#ready")
            await until(pilot, lambda: "Recording" in str(status.content))
            runner.unplug()  # the cable is pulled while recording
            await until(pilot, lambda: str(status.content).startswith("Not saved: plate:"))
            assert app.station_view.trial is not None
            assert app.station_view.trial.phase is Phase.DISCARDED
    assert trials_of(database, resident) == []


async def test_a_practice_trial_is_shown_but_only_the_real_trial_is_saved(
    database: Database, runner: PtyRunner
) -> None:
    resident = ResidentRepository(database, "f1").add(HANAKO, actor="test").uuid
    with station(database, url(runner)) as running:
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=running,
                       language="en", pin_hash=hash_pin(PIN))  # fmt: skip
        async with app.run_test(size=(100, 50)) as pilot:
            screen = await open_test(app, pilot, "sway_eo")
            status = screen.query_one("#status", Static)
            await press_when_enabled(app, pilot, "#practice")
            await until(pilot, lambda: str(status.content).startswith("Practice result"))
            assert screen.query_one("#accept", Button).disabled  # a practice is never saved
            assert str(screen.query_one("#retake", Button).label) == "Record the real trial"
            await press_busy(app, pilot, "#retake")
            await until(pilot, lambda: str(status.content) == "Result")
            assert not screen.query_one("#accept", Button).disabled
            await press_busy(app, pilot, "#accept")
            await until(pilot, lambda: str(status.content) == "Saved.")
    saved = trials_of(database, resident)
    assert [t.trial_index for t in saved] == [1]  # the practice is not an attempt


async def test_without_its_device_a_trainer_types_the_result_checked_against_its_range(
    database: Database, runner: PtyRunner
) -> None:
    resident = ResidentRepository(database, "f1").add(HANAKO, actor="test").uuid
    with station(database, url(runner)) as running:  # a plate, but no grip gauge
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=running,
                       language="en", pin_hash=hash_pin(PIN))  # fmt: skip
        async with app.run_test(size=(100, 50)) as pilot:
            screen = await open_test(app, pilot, "grip")
            status = screen.query_one("#status", Static)
            typed = screen.query_one("#typed", Input)
            typed.value = "250"
            await press_busy(app, pilot, "#typed-save")
            assert str(status.content) != "Typed result (no recording)"
            assert any("100" in str(n.message) for n in app._notifications)  # the range is said
            typed.value = "23.5"
            await press_busy(app, pilot, "#typed-save")
            await until(pilot, lambda: str(status.content) == "Typed result (no recording)")
            assert "peak_kgf: 23.50" in str(screen.query_one("#result", Static).content)
            await press_busy(app, pilot, "#accept")
            await until(pilot, lambda: str(status.content) == "Saved.")
    (trial,) = trials_of(database, resident)
    assert (trial.test, dict(trial.metrics), trial.recording_sha256) == (
        "grip", {"peak_kgf": 23.5}, None,
    )  # fmt: skip
    assert "typed_by_trainer" in trial.quality_flags


async def test_a_one_leg_stance_of_a_resident_at_fall_risk_waits_for_someone_beside(
    database: Database, runner: PtyRunner
) -> None:
    resident = ResidentRepository(database, "f1").add(HANAKO, actor="test").uuid
    fall_risk = score_battery({"battery": "fall_risk", "resident": {"sex": "F", "age_years": 84},
                               "results": {"tug_s": 14.2}})  # fmt: skip
    with database.transaction() as session:
        save_assessment(session, resident_uuid=resident, battery="fall_risk",
                        summary=fall_risk.as_json(), performed_at=datetime.now(UTC))  # fmt: skip
    with station(database, url(runner)) as running:
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=running,
                       language="en", pin_hash=hash_pin(PIN))  # fmt: skip
        async with app.run_test(size=(100, 50), notifications=True) as pilot:
            screen = await open_test(app, pilot, "one_leg_stance")
            assert "someone must stand beside" in str(screen.query_one(".alert", Static).content)
            ready = screen.query_one("#ready", Button)
            await until(pilot, lambda: app.station_view.trial is not None
                        and app.station_view.trial.phase is Phase.INSTRUCT)  # fmt: skip
            await pilot.pause(0.3)  # the screen has shown the instructions
            assert ready.disabled
            assert screen.query_one("#practice", Button).disabled
            screen.query_one("#beside", Switch).value = True
            await until(pilot, lambda: not ready.disabled)
            await press_busy(app, pilot, "#ready")
            await until(pilot, lambda: app.station_view.trial is not None
                        and app.station_view.trial.phase is not Phase.INSTRUCT)  # fmt: skip
            await press_busy(app, pilot, "#stop")
    assert trials_of(database, resident) == []
