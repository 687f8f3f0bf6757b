"""A small office database for the viewer's tests: three residents, one the roster lacks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from textual.pilot import Pilot

from office.data import OfficeData
from office.sample import InboxWriter
from office.view import OfficeApp
from records import Database, open_database
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository

TODAY = date(2026, 5, 10)
UNKNOWN = "0f0e0d0c-0b0a-4999-8888-777766665555"
SPPB = {"side_by_side_s": 10, "semi_tandem_s": 10, "gait_4m_s": [4.2],
        "chair_stand_single_ok": True}  # fmt: skip
PEOPLE = (
    ("R001", "山田", "花子", "ヤマダ", "ハナコ", Sex.FEMALE, CareLevel.SUPPORT_1),
    ("R002", "山口", "健", "ヤマグチ", "ケン", Sex.MALE, CareLevel.CARE_1),
    ("R003", "佐藤", "節子", "サトウ", "セツコ", Sex.FEMALE, CareLevel.SUPPORT_2),
)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def fill(database: Database) -> None:
    repository = ResidentRepository(database, "f1")
    uuids = [repository.add(ResidentFields(code=code, family_name=family, given_name=given,
                                           family_kana=fk, given_kana=gk, sex=sex,
                                           birth_date=date(1941, 4, 1), care_level=level),
                            actor="test").uuid
             for code, family, given, fk, gk, sex, level in PEOPLE]  # fmt: skip
    hanako, ken, _setsuko = uuids
    writer = InboxWriter(database)
    for month, tandem, chair, grip in ((1, 10.0, 11.0, 19.0), (2, 5.0, 12.5, 18.5),
                                       (3, 5.0, 13.0, 18.0), (4, 2.0, 14.0, 17.0)):  # fmt: skip
        day = date(2026, month, 15)
        writer.assessment(hanako, "sppb", {**SPPB, "tandem_s": tandem, "chair_stand_5x_s": chair},
                          performed_at=at(day))  # fmt: skip
        writer.grip_trial(hanako, grip, recorded_at=at(day, 11))
        for week_day in (3, 10, 17, 24):
            writer.session(hanako, started_at=at(date(2026, month, week_day), 9), level=2)
    writer.assessment(hanako, "fall_risk", {"tug_s": 12.0, "one_leg_stance_s": 6.0},
                      performed_at=at(date(2026, 4, 15), 12))  # fmt: skip
    writer.assessment(ken, "sppb", {**SPPB, "tandem_s": 10.0, "chair_stand_5x_s": 10.0},
                      performed_at=at(date(2026, 1, 20)), sex="M")  # fmt: skip
    writer.assessment(ken, "awgs2019", {"grip_kg": 30.0, "gait_speed_m_s": 1.1},
                      performed_at=at(date(2026, 1, 20), 11), sex="M")  # fmt: skip
    writer.session(ken, started_at=at(date(2026, 5, 7), 9))
    writer.assessment(UNKNOWN, "sppb", {**SPPB, "tandem_s": 4.0, "chair_stand_5x_s": 12.0},
                      performed_at=at(date(2026, 5, 1)), sex="M", age_years=79)  # fmt: skip
    writer.flush()


def office_app(tmp_path: Path, language: str = "en") -> OfficeApp:
    database = open_database(f"sqlite:///{tmp_path / 'office.sqlite3'}")
    fill(database)
    return OfficeApp(OfficeData(database), language=language, today=TODAY,  # type: ignore[arg-type]
                     save_directory=tmp_path / "downloads")  # fmt: skip


async def settle(pilot: Pilot[None]) -> None:
    """Wait for the screen's workers, then for the screen to show what they read."""
    await pilot.pause()
    await pilot.app.screen.workers.wait_for_complete()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
