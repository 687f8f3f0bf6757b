"""Pilot tests of the resident flow: a whole session saved with its outbox message, a vitals no-go,
the card reader, the language switch. A real SQLite file; no station (no devices needed here)."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from kiosk.desk import Desk
from kiosk.station.service import Station
from kiosk.ui.app import KioskApp
from kiosk.ui.exercise import BreakScreen, ExerciseScreen, FeelingScreen
from kiosk.ui.resident import HomeScreen, IdentifyScreen, ProgressScreen, RestScreen, VitalsScreen
from programs.batteries import score_battery
from records import Database
from records.assessments import exercise_sessions_of, save_assessment
from records.models import Outbox
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner

HANAKO = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1942, 5, 3),
    care_level=CareLevel.SUPPORT_1,
)  # fmt: skip
TARO = ResidentFields(
    code="R002", family_name="佐藤", given_name="太郎", family_kana="サトウ",
    given_kana="タロウ", sex=Sex.MALE, birth_date=date(1938, 1, 9), care_level=CareLevel.CARE_1,
)  # fmt: skip
GOOD = {"sbp": "128", "dbp": "76", "pulse": "72", "spo2": "97", "temperature": "36.4"}
TOO_HIGH = {**GOOD, "sbp": "205"}  # systolic ≥ 200: do not start (REFERENCE.md §9.1–9.2)


@pytest.fixture
def app(database: Database) -> KioskApp:
    residents = ResidentRepository(database, "f1")
    residents.add(HANAKO, actor="test")
    residents.add(TARO, actor="test")
    return KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), language="en")


def outbox(database: Database) -> list[dict[str, object]]:
    with database.read() as session:
        return [json.loads(payload) for payload in session.scalars(select(Outbox.payload))]


async def identify(app: KioskApp, pilot: Pilot[None], row_index: int) -> None:
    await pilot.click("#start")
    await pilot.pause()
    assert isinstance(app.screen, IdentifyScreen)
    await pilot.click(f"#kana-{row_index}")
    await pilot.click("#who-0")
    await pilot.pause()
    assert isinstance(app.screen, VitalsScreen)


async def enter_vitals(app: KioskApp, pilot: Pilot[None], values: dict[str, str]) -> None:
    for field, value in values.items():
        app.screen.query_one(f"#{field}", Input).value = value
    await pilot.click("#check")
    await pilot.pause()


async def test_a_resident_does_a_whole_session_and_it_is_saved_for_the_office(
    app: KioskApp, database: Database
) -> None:
    async with app.run_test(size=(100, 50)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        await identify(app, pilot, 7)  # ヤ row: 山田 花子
        await enter_vitals(app, pilot, GOOD)
        screen = app.screen
        assert isinstance(screen, ExerciseScreen)
        total = len(screen.items)
        assert total >= 5  # no assessment yet: seated programme level 1
        assert str(screen.query_one("#name", Static).content)  # the exercise's name is shown
        sets_done = 0
        while isinstance(app.screen, ExerciseScreen):
            await pilot.click("#set")
            await pilot.pause()
            sets_done += 1
            assert sets_done < 100
        assert isinstance(app.screen, FeelingScreen)
        await pilot.click("#rpe-somewhat_hard")
        await pilot.click("#pain-no")
        await pilot.click("#save")
        await pilot.pause()
        assert isinstance(app.screen, ProgressScreen)
        assert "Sessions this month: 1" in str(app.screen.query_one(".message", Static).content)
        await pilot.click("#finish")
        assert isinstance(app.screen, HomeScreen)
    hanako = ResidentRepository(database, "f1").get("R001").uuid
    [session] = exercise_sessions_of(database, hanako)
    assert (session.programme, session.level, session.vitals) == ("seated_strength", 1, "ok")
    assert (session.rpe, session.pain, session.completed) == (13, False, True)
    assert len(session.exercises) == total
    [message] = outbox(database)
    assert message["kind"] == "exercise_session"
    assert message["body"]["session_uuid"] == session.uuid  # type: ignore[index]


async def test_stop_ends_the_session_early_and_keeps_what_was_done(
    app: KioskApp, database: Database
) -> None:
    async with app.run_test(size=(100, 50)) as pilot:
        await identify(app, pilot, 2)  # サ row: 佐藤 太郎
        await enter_vitals(app, pilot, GOOD)
        await pilot.click("#set")  # the first exercise has one set: done
        await pilot.pause()
        await pilot.click("#stop")
        await pilot.pause()
        assert isinstance(app.screen, FeelingScreen)
        await pilot.click("#rpe-easy")
        await pilot.click("#pain-yes")
        await pilot.click("#save")
        await pilot.pause()
    taro = ResidentRepository(database, "f1").get("R002").uuid
    [session] = exercise_sessions_of(database, taro)
    assert (session.rpe, session.pain, session.completed) == (11, True, False)
    assert [e.completed for e in session.exercises][:2] == [True, False]
    assert len(session.exercises) > 2  # every prescribed exercise is in the record
    assert session.exercises[1].sets_done == 0


async def test_a_break_pauses_the_timer_and_the_session_goes_on_or_stops_from_it(
    app: KioskApp, database: Database
) -> None:
    async with app.run_test(size=(100, 50)) as pilot:
        await identify(app, pilot, 2)
        await enter_vitals(app, pilot, GOOD)
        screen = app.screen
        assert isinstance(screen, ExerciseScreen)
        while not screen.timed:  # go to the first timed exercise (a hold or a timed one)
            await pilot.click("#skip")
            await pilot.pause()
        await pilot.click("#timer")
        await pilot.pause(1.2)
        left = screen.remaining_s
        await pilot.click("#break")
        await pilot.pause()
        assert isinstance(app.screen, BreakScreen)
        await pilot.pause(2.2)
        assert screen.remaining_s == left  # the clock stands still during the break
        await pilot.click("#continue")
        await pilot.pause(1.2)
        assert app.screen is screen
        assert screen.remaining_s < left  # and runs again after it
        await pilot.click("#break")
        await pilot.pause()
        await pilot.click("#end")
        await pilot.pause()
        assert isinstance(app.screen, FeelingScreen)


async def test_a_failed_health_check_ends_the_visit_kindly_and_alerts_staff(
    app: KioskApp, database: Database
) -> None:
    async with app.run_test(size=(100, 50)) as pilot:
        await identify(app, pilot, 7)
        await enter_vitals(app, pilot, TOO_HIGH)
        assert isinstance(app.screen, RestScreen)
        alert = str(app.screen.query_one("#staff-alert", Static).content)
        assert alert.startswith("Staff: 山田 花子 should not exercise today")
        assert not app.screen.query("#set")  # no exercise is offered
        await pilot.click("#finish")
        assert isinstance(app.screen, HomeScreen)
        await identify(app, pilot, 7)  # later, with good readings, she may exercise
        await enter_vitals(app, pilot, GOOD)
        assert isinstance(app.screen, ExerciseScreen)
    hanako = ResidentRepository(database, "f1").get("R001").uuid
    [session] = exercise_sessions_of(database, hanako)
    assert (session.programme, session.vitals, session.exercises) == ("rest", "do_not_start", ())
    [message] = outbox(database)
    assert message["body"]["vitals"]["outcome"] == "do_not_start"  # type: ignore[index]


async def test_a_card_reader_identifies_the_resident_and_an_unknown_card_is_refused(
    app: KioskApp,
) -> None:
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.click("#start")
        await pilot.pause()
        card = app.screen.query_one("#card", Input)
        card.value = "R999"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, IdentifyScreen)
        card.value = "R002"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, VitalsScreen)
        assert app.screen.resident.code == "R002"


async def test_a_bad_reading_is_named_and_nothing_is_checked(app: KioskApp) -> None:
    async with app.run_test(size=(100, 50), notifications=True) as pilot:
        await identify(app, pilot, 7)
        await enter_vitals(app, pilot, {**GOOD, "pulse": "7a"})
        assert isinstance(app.screen, VitalsScreen)
        assert any("Pulse (per minute): please type a number." in n.message
                   for n in app._notifications)  # fmt: skip


async def test_the_kiosk_speaks_japanese_by_default_and_english_on_request(
    database: Database,
) -> None:
    app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"))
    async with app.run_test(size=(100, 50)) as pilot:
        assert str(app.screen.query_one("#start", Button).label) == "運動をはじめる"
        await pilot.click("#language")
        await pilot.pause()
        assert str(app.screen.query_one("#start", Button).label) == "Start exercising"


async def test_a_bluetooth_cuff_fills_in_the_health_check(database: Database) -> None:
    """An emulated cuff (bleak over bumble) measures after the check began: its values appear;
    a value typed by staff is kept."""
    ResidentRepository(database, "f1").add(HANAKO, actor="test")
    cuff = "ble+sim://blood-pressure?systolic=150&diastolic=92&pulse=81&inflation_s=2&seed=4"
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"cuff": cuff}) as station:
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=station,
                       language="en")  # fmt: skip
        async with app.run_test(size=(100, 50)) as pilot:
            await identify(app, pilot, 7)
            screen = app.screen
            screen.query_one("#pulse", Input).value = "77"  # typed by staff first
            deadline = time.monotonic() + 30
            while not screen.query_one("#sbp", Input).value:
                assert time.monotonic() < deadline, "no reading from the cuff"
                await pilot.pause(0.1)
            values = {f: screen.query_one(f"#{f}", Input).value for f in ("sbp", "dbp", "pulse")}
    assert values == {"sbp": "150", "dbp": "92", "pulse": "77"}


async def test_the_force_plate_counts_the_sit_to_stands_of_an_exercise(database: Database) -> None:
    """A simulated plate doing sit-to-stands (pty + the real serial driver) counts the exercise's
    repetitions until its sets are done, each stand once."""
    hanako = ResidentRepository(database, "f1").add(HANAKO, actor="test").uuid
    sppb = score_battery({"battery": "sppb", "resident": {"sex": "F", "age_years": 84},
                          "results": {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 10,
                                      "gait_4m_s": [4.2], "chair_stand_single_ok": True,
                                      "chair_stand_5x_s": 10.8}})  # fmt: skip
    with database.transaction() as session:
        save_assessment(session, resident_uuid=hanako, battery="sppb", summary=sppb.as_json(),
                        performed_at=datetime.now(UTC))  # fmt: skip
    # Stands one after another, the signal looping after 14 of them: wherever in the loop the
    # exercise starts, the plate keeps counting (a signal with a long seated tail would leave the
    # count waiting for the next loop).
    person = generate("sit-to-stand", rate_hz=1000, duration_s=40, seed=2, repetitions=14)
    with PtyRunner(GkfpPlate(person, PlateConfig(seed=2)), rate_hz=1000) as plate, Station(
        database, facility_id="f1", kiosk_id="k1",
        devices={"plate": f"serial://{plate.path}?protocol=gkfp"},
    ) as station:  # fmt: skip
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=station,
                       language="en")  # fmt: skip
        async with app.run_test(size=(100, 50)) as pilot:
            await identify(app, pilot, 7)
            await enter_vitals(app, pilot, GOOD)
            screen = app.screen
            assert isinstance(screen, ExerciseScreen)
            while screen.item.exercise != "sit_to_stand":
                screen.query_one("#set", Button).press()
                await pilot.pause(0.05)
            target = screen.item.dose.reps or 0
            deadline = time.monotonic() + 120  # a guard only: the sets take about a minute
            while screen.item.exercise == "sit_to_stand":  # the plate's count completes the sets
                assert time.monotonic() < deadline, f"counted {screen.total_reps} of {target}"
                await pilot.pause(0.1)
            done = next(d for d in screen.done if d.exercise == "sit_to_stand")
    assert done.completed
    assert done.repetitions_done == target * done.sets_done  # no stand counted twice
