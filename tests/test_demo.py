"""``genki demo``: every part starts; a trainer's device test, a resident's whole session and a
trainer's whole SPPB (through the kiosk app, its 4-m walk timed by the simulated Chronopic gates)
reach the office database through the embedded broker; everything stops."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from kiosk_pilot import press_when_enabled, until
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select

from genki.demo import FACILITY, KIOSK, RESIDENTS, Demo, running_demo
from kiosk.station.trial import Phase
from kiosk.ui.app import KioskApp
from kiosk.ui.battery import SppbScreen
from kiosk.ui.exercise import ExerciseScreen
from kiosk.ui.resident import ProgressScreen, VitalsScreen
from kiosk.ui.trainer import DeviceTestScreen, TrainerScreen
from records import Database
from records.models import Inbox
from records.residents import ResidentRepository


def office_kinds(database: Database) -> list[str]:
    with database.read() as session:
        return [json.loads(p)["kind"] for p in session.scalars(select(Inbox.payload))]


def wait(done: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


async def trainer_sppb(app: KioskApp, pilot: Pilot[None], demo: Demo) -> None:
    """A whole SPPB for 佐々木 花江: the first walk timed by the gates, the rest typed; saved."""
    app.push_screen(TrainerScreen())
    await pilot.pause(0.2)
    app.screen.query_one("#resident", Select).value = "D003"
    app.screen.query_one("#battery-sppb", Button).press()
    await pilot.pause(0.2)
    sppb = app.screen
    assert isinstance(sppb, SppbScreen)
    # The demo's resident walks through the gates once the recording runs, after the countdown.
    sppb.query_one("#measure-gait_1_s", Button).press()
    await pilot.pause(0.2)
    walk_screen = app.screen
    assert isinstance(walk_screen, DeviceTestScreen)
    for button in ("#ready", "#accept", "#another"):
        await press_when_enabled(app, pilot, button, timeout=60)
    await until(pilot, lambda: app.screen is sppb, timeout=60)
    [walk] = demo.walker.walks
    measured = float(sppb.query_one("#gait_1_s", Input).value)
    assert measured == pytest.approx(walk.walking_time_s, abs=0.006)
    typed = {"side_by_side_s": "10", "semi_tandem_s": "6", "gait_2_s": "6.5",
             "chair_stand_5x_s": "16.2"}  # fmt: skip
    for field, value in typed.items():
        sppb.query_one(f"#{field}", Input).value = value
    for button in ("#score", "#save"):
        sppb.query_one(button, Button).press()
        await pilot.pause(0.2)
    assert isinstance(app.screen, TrainerScreen)


async def test_the_demo_runs_a_session_and_a_device_test_through_to_the_office(
    tmp_path: Path,
) -> None:
    threads_before = threading.active_count()
    with running_demo(tmp_path / "demo") as demo:
        residents = ResidentRepository(demo.kiosk_database, FACILITY).list()
        assert sorted(r.code for r in residents) == sorted(f.code for f in RESIDENTS)
        wait(lambda: all(d.state == "streaming" for d in demo.station.view.devices))
        # The trainer: a grip test on the emulated Bluetooth gauge, saved.
        kato = next(r for r in residents if r.code == "D002")
        demo.station.begin(kato.uuid, "grip")
        wait(lambda: demo.station.view.trial is not None
             and demo.station.view.trial.phase is Phase.INSTRUCT)  # fmt: skip
        demo.station.ready()
        wait(lambda: demo.station.view.trial.phase is Phase.REVIEW, timeout=90)  # type: ignore[union-attr]
        demo.station.accept()
        wait(lambda: demo.station.view.trial.phase is Phase.SAVED)  # type: ignore[union-attr]
        # The resident: a whole session through the app.
        app = KioskApp(demo.desk, station=demo.station, language="en")
        async with app.run_test(size=(100, 50)) as pilot:
            app.screen.query_one("#start").press()  # type: ignore[attr-defined]
            await pilot.pause(0.2)
            card = app.screen.query_one("#card", Input)
            card.value = "D001"
            await card.action_submit()
            await pilot.pause(0.2)
            assert isinstance(app.screen, VitalsScreen)
            vitals = app.screen  # the emulated cuff and oximeter fill in their readings
            filled = ("sbp", "dbp", "pulse", "spo2")
            await until(pilot, lambda: all(vitals.query_one(f"#{f}", Input).value
                                           for f in filled), timeout=30)  # fmt: skip
            assert [vitals.query_one(f"#{f}", Input).value for f in filled] == [
                "128", "76", "72", "97"]  # fmt: skip
            vitals.query_one("#temperature", Input).value = "36.5"  # typed by staff
            app.screen.query_one("#check").press()  # type: ignore[attr-defined]
            await pilot.pause(0.2)
            assert isinstance(app.screen, ExerciseScreen)
            assert app.screen.visit.prescription.programme == "standing_strength_balance"
            while isinstance(app.screen, ExerciseScreen):
                app.screen.query_one("#set").press()  # type: ignore[attr-defined]
                await pilot.pause(0.05)
            for button in ("#rpe-easy", "#pain-no", "#save"):
                app.screen.query_one(button).press()  # type: ignore[attr-defined]
                await pilot.pause(0.1)
            assert isinstance(app.screen, ProgressScreen)
            await trainer_sppb(app, pilot, demo)
        wait(lambda: sorted(office_kinds(demo.office_database))
             == ["assessment", "exercise_session", "trial", "trial"])  # fmt: skip
        assert demo.publisher.is_connected
        assert demo.ingest.stored == 4
    time.sleep(0.5)
    assert threading.active_count() <= threads_before + 2  # the demo's threads are gone
    print(f"\ndemo: office received {KIOSK}'s trial and exercise session")
