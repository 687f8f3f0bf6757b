"""Pilot test of the trainer's SPPB by manual entry: the stand-beside confirmation for a resident
at high fall risk, a bad value refused by name, the score and its proposal, saved for the office.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static, Switch

from genki.config import hash_pin
from kiosk.desk import Desk
from kiosk.ui.app import KioskApp
from kiosk.ui.battery import SppbScreen
from kiosk.ui.trainer import TrainerScreen
from programs.batteries import score_battery
from records import Database
from records.assessments import assessments_of, save_assessment
from records.models import Outbox
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository

SHIGERU = ResidentFields(
    code="R010", family_name="加藤", given_name="茂", family_kana="カトウ", given_kana="シゲル",
    sex=Sex.MALE, birth_date=date(1940, 8, 30), care_level=CareLevel.SUPPORT_2,
)  # fmt: skip
# SPPB: balance 3 (tandem 3–9.99 s) + gait 3 (5.0 s over 4 m) + chair 2 (14.0 s) = 8.
TIMES = {"side_by_side_s": "10", "semi_tandem_s": "10", "tandem_s": "4",
         "gait_1_s": "5.3", "gait_2_s": "5.0", "chair_stand_5x_s": "14"}  # fmt: skip


def last_notice(app: KioskApp) -> str:
    return list(app._notifications)[-1].message


async def press(app: KioskApp, pilot: Pilot[None], button: str) -> None:
    app.screen.query_one(button, Button).press()
    await pilot.pause()


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
