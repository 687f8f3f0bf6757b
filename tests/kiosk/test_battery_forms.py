"""Pilot tests of the trainer's battery forms: fall-risk set (with the stand-beside confirmation
for a one-leg stance of a resident at high fall risk), AWGS 2019 and the MEXT 65–79 battery; bad
values refused by name and range, results explained, saved with their outbox message; a one-leg
stance measured on the demo's simulated plate (pty + the real serial driver), and the rules for
filling a field from trials: the better trial kept where the battery records the best, a value
typed over counted as typed, a change after scoring needing a new score."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from kiosk_pilot import last_notice, measure, press
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static, Switch

from genki.demo import PLATE_RATE_HZ, PlatePerson
from kiosk.desk import Desk
from kiosk.station.service import Station, TrialView
from kiosk.station.trial import Phase
from kiosk.ui.app import KioskApp
from kiosk.ui.forms import BatteryFormScreen, FormError, read_value
from kiosk.ui.trainer import TrainerScreen
from programs.batteries import score_battery
from records import Database
from records.assessments import assessments_of, save_assessment
from records.models import Outbox
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from simulators.pty_runner import PtyRunner

SHIGERU = ResidentFields(
    code="R010", family_name="加藤", given_name="茂", family_kana="カトウ", given_kana="シゲル",
    sex=Sex.MALE, birth_date=date(1950, 8, 30), care_level=CareLevel.SUPPORT_2,
)  # fmt: skip


async def open_form(app: KioskApp, pilot: Pilot[None], battery: str) -> BatteryFormScreen:
    app.push_screen(TrainerScreen())
    await pilot.pause()
    app.screen.query_one("#resident", Select).value = "R010"
    await press(app, pilot, f"#battery-{battery}")
    assert isinstance(app.screen, BatteryFormScreen)
    assert app.screen.query_one("#save", Button).disabled
    return app.screen


def typed(screen: BatteryFormScreen, values: dict[str, str]) -> None:
    for field, value in values.items():
        screen.query_one(f"#{field}", Input).value = value


def stored(database: Database, resident: str, battery: str) -> list[dict[str, object]]:
    return [dict(a.summary) for a in assessments_of(database, resident) if a.battery == battery]


def outbox_batteries(database: Database) -> list[str]:
    with database.read() as session:
        messages = [json.loads(p) for p in session.scalars(select(Outbox.payload))]
    return [m["body"]["battery"] for m in messages if m["kind"] == "assessment"]


@pytest.fixture
def shigeru(database: Database) -> str:
    return ResidentRepository(database, "f1").add(SHIGERU, actor="test").uuid


def app_for(database: Database) -> KioskApp:
    return KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), language="en")


async def test_a_fall_risk_set_at_high_risk_needs_someone_beside_for_the_one_leg_stance(
    database: Database, shigeru: str
) -> None:
    at_fall_risk(database, shigeru)
    app = app_for(database)
    async with app.run_test(size=(100, 50), notifications=True) as pilot:
        screen = await open_form(app, pilot, "fall_risk")
        typed(screen, {"tug_s": "12.0", "one_leg_stance_s": "3.5"})
        await press(app, pilot, "#score")
        assert "someone must stand beside" in last_notice(app)
        screen.query_one("#beside", Switch).value = True
        typed(screen, {"tug_s": "1"})
        await press(app, pilot, "#score")
        assert last_notice(app) == "Timed Up and Go (s) = 1.0: expected a number from 2 to 300 s"
        assert screen.query_one("#save", Button).disabled
        typed(screen, {"tug_s": "12.0"})
        await press(app, pilot, "#score")
        result = str(screen.query_one("#result", Static).content)
        assert "Proposed programme:" in result
        assert len(result.splitlines()) >= 2  # the battery's own explanation comes first
        await press(app, pilot, "#save")
        assert isinstance(app.screen, TrainerScreen)
    [*_, latest] = stored(database, shigeru, "fall_risk")
    assert (latest["tug_s"], latest["one_leg_stance_s"], latest["mads_functional"]) == (
        12.0, 3.5, True,
    )  # fmt: skip
    assert outbox_batteries(database) == ["fall_risk"]


async def test_awgs_and_mext_are_typed_scored_and_saved(database: Database, shigeru: str) -> None:
    app = app_for(database)
    async with app.run_test(size=(100, 50), notifications=True) as pilot:
        screen = await open_form(app, pilot, "awgs2019")
        typed(screen, {"grip_kg": "24.0", "gait_speed_m_s": "0.8", "gait_course_m": "4"})
        await press(app, pilot, "#score")
        await press(app, pilot, "#save")
        screen = await open_form(app, pilot, "mext65")
        typed(screen, {"adl_answers": "3 3 3 2 2 3 3 3 2 3 3"})  # eleven answers
        await press(app, pilot, "#score")
        assert last_notice(app).endswith("each 1, 2 or 3, separated by spaces.")
        typed(screen, {"adl_answers": "3 3 3 2 2 3 3 3 2 3 3 3", "grip_kg": "30", "sit_ups": "8"})
        await press(app, pilot, "#score")
        assert not screen.query_one("#save", Button).disabled
        await press(app, pilot, "#save")
    [awgs] = stored(database, shigeru, "awgs2019")
    assert (awgs["low_strength"], awgs["status"]) == (True, "possible_sarcopenia")
    [mext] = stored(database, shigeru, "mext65")
    assert mext["adl_total"] == 33
    assert outbox_batteries(database) == ["awgs2019", "mext65"]


@pytest.mark.parametrize(("field", "raw"), [("grip_kg", "abc"), ("adl_answers", "1 2 4 " * 4)])
def test_a_typed_value_that_is_not_a_number_is_refused(field: str, raw: str) -> None:
    with pytest.raises(FormError):
        read_value(field, raw)


def at_fall_risk(database: Database, resident: str) -> None:
    """Give ``resident`` a fall-risk assessment that flags a high fall risk (TUG ≥ 13.5 s)."""
    earlier = score_battery({"battery": "fall_risk", "resident": {"sex": "M", "age_years": 76},
                             "results": {"tug_s": 14.2}})  # fmt: skip
    with database.transaction() as session:
        save_assessment(session, resident_uuid=resident, battery="fall_risk",
                        summary=earlier.as_json(), performed_at=datetime.now(UTC))  # fmt: skip


async def test_a_one_leg_stance_is_measured_on_the_plate_once_someone_stands_beside(
    database: Database, shigeru: str
) -> None:
    at_fall_risk(database, shigeru)
    person = PlatePerson(seed=7)  # lifts a foot 2 s into the recording, for 12 s
    with PtyRunner(person, rate_hz=PLATE_RATE_HZ) as plate, Station(
        database, facility_id="f1", kiosk_id="k1",
        devices={"plate": f"serial://{plate.path}?protocol=gkfp"}, countdown_s=0.5,
    ) as station:  # fmt: skip
        station.subscribe(person.follow)
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=station,
                       language="en")  # fmt: skip
        async with app.run_test(size=(100, 50), notifications=True) as pilot:
            screen = await open_form(app, pilot, "fall_risk")
            await pilot.pause(0.3)
            assert screen.query_one("#measure-one_leg_stance_s", Button).disabled
            screen.query_one("#beside", Switch).value = True
            await pilot.pause()
            trial_uuid = await measure(app, pilot, "one_leg_stance_s", station)
            held = screen.query_one("#one_leg_stance_s", Input).value
            typed(screen, {"tug_s": "12.0"})
            await press(app, pilot, "#score")
            await press(app, pilot, "#save")
    assert 11.5 < float(held) < 12.5  # the person's 12-s hold
    [*_, latest] = stored(database, shigeru, "fall_risk")
    assert latest["one_leg_stance_s"] == float(held)
    assert latest["sources"] == {
        "tug_s": {"entry": "typed"},
        "one_leg_stance_s": {"entry": "device", "test": "one_leg_stance", "trial_uuid": trial_uuid},
    }


def saved_trial(test: str, metrics: dict[str, float], uuid: str) -> TrialView:
    """A saved trial as the station's view shows it (what a measure button's screen hands back)."""
    return TrialView(test=test, phase=Phase.SAVED, attempt=1, countdown_s=0, recorded_s=5,
                     target_s=5, metrics=metrics, quality_flags=(), reason="",
                     trial_uuid=uuid)  # fmt: skip


async def test_a_field_keeps_the_best_trial_where_the_battery_records_the_best(
    database: Database, shigeru: str
) -> None:
    app = app_for(database)  # no station: nothing can be measured here, only filled
    async with app.run_test(size=(100, 50), notifications=True) as pilot:
        screen = await open_form(app, pilot, "awgs2019")
        assert screen.query_one("#measure-grip_kg", Button).disabled  # no dynamometer
        assert not screen.query("#measure-sppb_total")  # nothing measures an SPPB total
        grip = screen.query_one("#grip_kg", Input)
        name = "Grip strength, best (kg)"
        for kgf, notice in [
            (20.0, f"Measured: {name} = 20.00"),
            (18.0, f"Kept the better value: {name} = 20.00 (this trial: 18.00)."),
            (25.5, f"Measured: {name} = 25.50"),
        ]:
            screen.fill("grip_kg", saved_trial("grip", {"peak_kgf": kgf}, f"grip-{kgf}"))
            await pilot.pause()
            assert last_notice(app) == notice
        assert grip.value == "25.50"
        for seconds in (12.0, 13.0):  # one timed trial: the latest counts
            screen.fill("chair_stand_5x_s", saved_trial("chair_stand_5x", {"time_s": seconds},
                                                        f"stands-{seconds}"))  # fmt: skip
        typed(screen, {"gait_speed_m_s": "0.9", "gait_course_m": "4"})
        await press(app, pilot, "#score")
        assert not screen.query_one("#save", Button).disabled
        typed(screen, {"grip_kg": "26"})  # typed over after scoring: score again
        await pilot.pause()
        assert screen.query_one("#save", Button).disabled
        await press(app, pilot, "#score")
        await press(app, pilot, "#save")
    [awgs] = stored(database, shigeru, "awgs2019")
    assert awgs["sources"] == {
        "grip_kg": {"entry": "typed"},
        "gait_speed_m_s": {"entry": "typed"}, "gait_course_m": {"entry": "typed"},
        "chair_stand_5x_s": {"entry": "device", "test": "chair_stand_5x",
                             "trial_uuid": "stands-13.0"},
    }  # fmt: skip
    assert awgs["results"] == {"grip_kg": 26.0, "gait_speed_m_s": 0.9, "gait_course_m": 4.0,
                               "chair_stand_5x_s": 13.0}  # fmt: skip
