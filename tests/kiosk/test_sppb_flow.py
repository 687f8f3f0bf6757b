"""Pilot tests of the trainer's SPPB: by manual entry (the stand-beside confirmation for a resident
at high fall risk, a bad value refused by name, the score and its proposal, saved for the office),
and with the chair stands and a 4-m walk measured by simulated devices behind pseudo-terminals
(the GKFP plate, the Chronopic gates with the demo's walker), the rest typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from kiosk_pilot import last_notice, measure, press
from sqlalchemy import select
from textual.widgets import Button, Input, Select, Static, Switch

from genki.config import hash_pin
from genki.demo import GateWalker
from kiosk.desk import Desk
from kiosk.station.service import Station
from kiosk.ui.app import KioskApp
from kiosk.ui.battery import SppbScreen
from kiosk.ui.trainer import TrainerScreen
from programs.batteries import score_battery
from records import Database
from records.assessments import assessments_of, save_assessment
from records.models import Outbox
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from records.trials import trials_of
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner

SHIGERU = ResidentFields(
    code="R010", family_name="加藤", given_name="茂", family_kana="カトウ", given_kana="シゲル",
    sex=Sex.MALE, birth_date=date(1940, 8, 30), care_level=CareLevel.SUPPORT_2,
)  # fmt: skip
# SPPB: balance 3 (tandem 3–9.99 s) + gait 3 (5.0 s over 4 m) + chair 2 (14.0 s) = 8.
TIMES = {"side_by_side_s": "10", "semi_tandem_s": "10", "tandem_s": "4",
         "gait_1_s": "5.3", "gait_2_s": "5.0", "chair_stand_5x_s": "14"}  # fmt: skip


async def test_a_trainer_scores_and_saves_an_sppb_for_a_resident_at_fall_risk(
    database: Database,
) -> None:
    shigeru = ResidentRepository(database, "f1").add(SHIGERU, actor="test").uuid
    fall_risk = score_battery({"battery": "fall_risk", "resident": {"sex": "M", "age_years": 86},
                               "results": {"tug_s": 14.2, "one_leg_stance_s": 3.5}})  # fmt: skip
    with database.transaction() as session:
        save_assessment(session, resident_uuid=shigeru, battery="fall_risk",
                        summary=fall_risk.as_json(), performed_at=datetime.now(UTC))  # fmt: skip
    app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), language="en",
                   pin_hash=hash_pin("1234"), )  # fmt: skip
    async with app.run_test(size=(100, 50), notifications=True) as pilot:
        app.push_screen(TrainerScreen())
        await pilot.pause()
        app.screen.query_one("#resident", Select).value = "R010"
        await press(app, pilot, "#battery-sppb")
        assert isinstance(app.screen, SppbScreen)
        assert app.screen.query_one("#save", Button).disabled
        for field, value in {**TIMES, "gait_2_s": "-5"}.items():
            app.screen.query_one(f"#{field}", Input).value = value
        await press(app, pilot, "#score")  # not confirmed that someone stands beside: refused
        assert "someone must stand beside" in last_notice(app)
        app.screen.query_one("#beside", Switch).value = True
        await press(app, pilot, "#score")  # a negative time: refused, naming the field
        assert last_notice(app) == "results.gait_4m_s[2] = -5.0: expected a number from 1 to 120 s"
        assert app.screen.query_one("#save", Button).disabled
        app.screen.query_one("#gait_2_s", Input).value = TIMES["gait_2_s"]
        await press(app, pilot, "#score")
        result = str(app.screen.query_one("#result", Static).content)
        assert result.startswith("Balance 3 + walk 3 + chair 2 = 8 of 12 (intermediate)")
        assert "Proposed programme: Standing strength and balance exercises, level 2" in result
        await press(app, pilot, "#save")
        assert isinstance(app.screen, TrainerScreen)
    stored = [a for a in assessments_of(database, shigeru) if a.battery == "sppb"]
    assert [(a.summary["total"], a.summary["band"]) for a in stored] == [(8, "intermediate")]
    with database.read() as session:
        [message] = [json.loads(p) for p in session.scalars(select(Outbox.payload))]
    assert message["kind"] == "assessment"
    assert message["body"]["summary"]["total"] == 8


def at_fall_risk(database: Database) -> str:
    """Add 加藤 茂 with a fall-risk assessment that flags him; return his uuid."""
    shigeru = ResidentRepository(database, "f1").add(SHIGERU, actor="test").uuid
    fall_risk = score_battery({"battery": "fall_risk", "resident": {"sex": "M", "age_years": 86},
                               "results": {"tug_s": 14.2, "one_leg_stance_s": 3.5}})  # fmt: skip
    with database.transaction() as session:
        save_assessment(session, resident_uuid=shigeru, battery="fall_risk",
                        summary=fall_risk.as_json(), performed_at=datetime.now(UTC))  # fmt: skip
    return shigeru


@pytest.fixture
def devices() -> Iterator[tuple[dict[str, str], GateWalker]]:
    """A plate under someone standing up and sitting down without pause, and the 4-m gates."""
    person = generate("sit-to-stand", rate_hz=1000, duration_s=60, seed=3, event_s=1.0,
                      repetitions=20)  # fmt: skip
    walker = GateWalker(seed=7)
    with (PtyRunner(GkfpPlate(person, PlateConfig(seed=3)), rate_hz=1000) as plate,
          PtyRunner(walker) as timer):  # fmt: skip
        yield {"plate": f"serial://{plate.path}?protocol=gkfp",
               "timer": f"serial://{timer.path}?protocol=chronopic"}, walker  # fmt: skip


async def test_a_trainer_measures_the_chair_stands_and_a_walk_types_the_rest_and_saves(
    database: Database, devices: tuple[dict[str, str], GateWalker]
) -> None:
    urls, walker = devices
    shigeru = at_fall_risk(database)
    with Station(database, facility_id="f1", kiosk_id="k1", devices=urls,  # type: ignore[arg-type]
                 countdown_s=0.1) as station:  # fmt: skip
        station.subscribe(walker.follow)  # the resident walks once the recording runs
        app = KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), station=station,
                       language="en", pin_hash=hash_pin("1234"))  # fmt: skip
        async with app.run_test(size=(100, 50), notifications=True) as pilot:
            app.push_screen(TrainerScreen())
            await pilot.pause()
            app.screen.query_one("#resident", Select).value = "R010"
            await press(app, pilot, "#battery-sppb")
            sppb = app.screen
            assert isinstance(sppb, SppbScreen)
            # The harder stances wait for someone to stand beside him, measured or typed.
            assert not sppb.query_one("#measure-side_by_side_s", Button).disabled
            assert sppb.query_one("#measure-semi_tandem_s", Button).disabled
            assert sppb.query_one("#measure-tandem_s", Button).disabled
            sppb.query_one("#beside", Switch).value = True
            await pilot.pause()
            assert not sppb.query_one("#measure-tandem_s", Button).disabled
            chair_uuid = await measure(app, pilot, "chair_stand_5x_s", station)
            gait_uuid = await measure(app, pilot, "gait_1_s", station)
            [walk] = walker.walks
            chair_s = sppb.query_one("#chair_stand_5x_s", Input).value
            gait_s = sppb.query_one("#gait_1_s", Input).value
            assert float(gait_s) == pytest.approx(walk.walking_time_s, abs=0.006)
            typed = {**TIMES, "gait_2_s": "6.0"}  # the measured walk is the faster trial
            for field in ("side_by_side_s", "semi_tandem_s", "tandem_s", "gait_2_s"):
                sppb.query_one(f"#{field}", Input).value = typed[field]
            await press(app, pilot, "#score")
            result = str(sppb.query_one("#result", Static).content)
            assert result.startswith("Balance 3 + walk 3 + chair "), result
            await press(app, pilot, "#save")
            assert isinstance(app.screen, TrainerScreen)
    trials = {t.uuid: t for t in trials_of(database, shigeru)}
    assert trials[chair_uuid].test == "chair_stand_5x"
    assert f"{trials[chair_uuid].metrics['time_s']:.2f}" == chair_s
    assert trials[gait_uuid].test == "gait_4m"
    [stored] = [a for a in assessments_of(database, shigeru) if a.battery == "sppb"]
    assert stored.summary["gait_time_s"] == float(gait_s)
    assert stored.summary["chair_stand_time_s"] == float(chair_s)
    assert stored.summary["sources"] == {
        "side_by_side_s": {"entry": "typed"}, "semi_tandem_s": {"entry": "typed"},
        "tandem_s": {"entry": "typed"}, "gait_2_s": {"entry": "typed"},
        "gait_1_s": {"entry": "device", "test": "gait_4m", "trial_uuid": gait_uuid},
        "chair_stand_5x_s": {"entry": "device", "test": "chair_stand_5x",
                             "trial_uuid": chair_uuid},
    }  # fmt: skip
    with database.read() as session:
        messages = [json.loads(p) for p in session.scalars(select(Outbox.payload))]
    assert sorted(m["kind"] for m in messages) == ["assessment", "trial", "trial"]
    [assessment] = [m["body"] for m in messages if m["kind"] == "assessment"]
    assert assessment["summary"]["sources"] == stored.summary["sources"]
