"""The office data layer over real office databases filled through the ingest's store_batch."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from office.data import OfficeData
from office.flags import NO_SESSION_DAYS, FlagCode
from office.sample import InboxWriter
from records import Database
from records.inbox import KioskStatus, RefusedMessage, store_batch
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import Resident, ResidentRepository

TODAY = date(2026, 5, 10)
SPPB_GOOD = {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 10, "gait_4m_s": [3.5],
             "chair_stand_single_ok": True, "chair_stand_5x_s": 10.5}  # fmt: skip  # 12 points
SPPB_WORSE = {**SPPB_GOOD, "tandem_s": 2.0, "chair_stand_5x_s": 14.0}  # 2 + 4 + 2 = 8 points
UNKNOWN = "0f0e0d0c-0b0a-4999-8888-777766665555"


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def register(database: Database, code: str = "A001", **changes: object) -> Resident:
    fields = ResidentFields(
        code=code, family_name="山田", given_name="花子", family_kana="ヤマダ",
        given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1942, 5, 3),
        care_level=CareLevel.SUPPORT_2,
    )  # fmt: skip
    return ResidentRepository(database, "f1").add(fields, actor="test")


@pytest.fixture
def hanako(office_database: Database) -> Resident:
    return register(office_database)


def test_latest_result_per_battery_and_a_decline_since_the_previous_one(
    office_database: Database, hanako: Resident
) -> None:
    writer = InboxWriter(office_database)
    writer.assessment(hanako.uuid, "sppb", SPPB_GOOD, performed_at=at(date(2026, 1, 20)))
    writer.assessment(hanako.uuid, "sppb", SPPB_WORSE, performed_at=at(date(2026, 4, 20)))
    writer.grip_trial(hanako.uuid, 16.0, recorded_at=at(date(2026, 4, 20), 11))
    writer.grip_trial(hanako.uuid, 17.5, recorded_at=at(date(2026, 4, 20), 12), attempt=2)
    writer.session(hanako.uuid, started_at=at(date(2026, 5, 8)))
    writer.flush()
    [row] = OfficeData(office_database).residents(today=TODAY)
    assert row.name == "山田 花子"
    assert row.care_level == "support_2"
    sppb = row.latest["sppb"]
    assert (sppb.current.value, sppb.current.rating, sppb.previous and sppb.previous.value) == (
        8.0, "intermediate", 12.0)  # fmt: skip
    assert sppb.declined
    grip = row.latest["grip"]  # one day's trials count once, the best of them
    assert grip.current.value == 17.5
    assert grip.previous is None
    assert grip.current.rating == "low_grip"  # AWGS 2019: women below 18 kg
    [decline] = [f for f in row.flags if f.code is FlagCode.DECLINE]
    assert (decline.subject, decline.before, decline.now) == ("sppb", "12", "8")
    assert not row.has(FlagCode.NO_SESSION)
    assert not row.has(FlagCode.OVERDUE)
    assert not row.has(FlagCode.NEVER_ASSESSED)


def test_reassessment_overdue_due_soon_and_never(office_database: Database) -> None:
    overdue, soon, never = (register(office_database, code) for code in ("A1", "A2", "A3"))
    writer = InboxWriter(office_database)
    writer.assessment(overdue.uuid, "sppb", SPPB_GOOD, performed_at=at(date(2026, 1, 5)))
    writer.assessment(soon.uuid, "sppb", SPPB_GOOD, performed_at=at(date(2026, 2, 20)))
    writer.flush()
    rows = {r.code: r for r in OfficeData(office_database).residents(today=TODAY)}
    [flag] = [f for f in rows["A1"].flags if f.code is FlagCode.OVERDUE]
    assert flag.due == date(2026, 4, 5)  # 3 months after the last assessment
    assert [f.due for f in rows["A2"].flags if f.code is FlagCode.DUE_SOON] == [date(2026, 5, 20)]
    assert rows["A3"].has(FlagCode.NEVER_ASSESSED)
    assert never.uuid == rows["A3"].resident_uuid


def test_no_session_flag_after_the_named_number_of_days(office_database: Database) -> None:
    recent, away, none = (register(office_database, code) for code in ("B1", "B2", "B3"))
    writer = InboxWriter(office_database)
    writer.session(recent.uuid, started_at=at(TODAY - timedelta(days=NO_SESSION_DAYS)))
    writer.session(away.uuid, started_at=at(TODAY - timedelta(days=NO_SESSION_DAYS + 1)))
    writer.flush()
    rows = {r.code: r for r in OfficeData(office_database).residents(today=TODAY)}
    assert not rows["B1"].has(FlagCode.NO_SESSION)
    assert [f.days for f in rows["B2"].flags if f.code is FlagCode.NO_SESSION] == [15]
    assert [f.days for f in rows["B3"].flags if f.code is FlagCode.NO_SESSION] == [None]
    assert none.uuid == rows["B3"].resident_uuid


def test_results_of_a_resident_the_roster_does_not_know_are_shown_not_dropped(
    office_database: Database, hanako: Resident
) -> None:
    writer = InboxWriter(office_database)
    writer.assessment(UNKNOWN, "sppb", SPPB_GOOD, performed_at=at(date(2026, 4, 1)), sex="M")
    writer.session(UNKNOWN, started_at=at(date(2026, 5, 1)))
    writer.flush()
    data = OfficeData(office_database)
    rows = data.residents(today=TODAY)
    assert [r.resident_uuid for r in rows] == [hanako.uuid, UNKNOWN]
    stranger = rows[1]
    assert not stranger.known
    assert stranger.short_uuid == "0f0e0d0c"
    assert stranger.has(FlagCode.UNKNOWN_RESIDENT)
    assert stranger.sex == "M"
    assert stranger.latest["sppb"].current.value == 12.0
    page = data.resident_page(UNKNOWN, today=TODAY)
    assert len(page.results) == 1
    assert len(page.sessions) == 1
    assert page.explanation("en") is not None  # sex and age from the battery summary


def test_series_and_a_page_of_one_resident_only(
    office_database: Database, hanako: Resident
) -> None:
    other = register(office_database, "A002")
    writer = InboxWriter(office_database)
    for month, tug in ((1, 12.5), (4, 11.0)):
        writer.assessment(hanako.uuid, "fall_risk", {"tug_s": tug, "one_leg_stance_s": 8.0},
                          performed_at=at(date(2026, month, 3)))  # fmt: skip
    writer.assessment(other.uuid, "sppb", SPPB_GOOD, performed_at=at(date(2026, 2, 1)))
    for peak, hour in ((19.5, 10), (21.0, 11), (20.0, 12)):  # three trials on one day
        writer.grip_trial(hanako.uuid, peak, recorded_at=at(date(2026, 3, 3), hour))
    writer.flush()
    data = OfficeData(office_database)
    series = data.series(hanako.uuid)
    assert series["fall_risk.tug_s"] == [(at(date(2026, 1, 3)), 12.5), (at(date(2026, 4, 3)), 11.0)]
    assert series["grip.peak_kgf"] == [(at(date(2026, 3, 3), 11), 21.0)]  # the day's best
    assert "sppb.total" not in series  # the other resident's
    page = data.resident_page(hanako.uuid, today=TODAY)
    assert [r.name for r in page.results] == ["fall_risk", *["grip"] * 3, "fall_risk"]  # all kept
    assert page.series == series
    since = data.results(since=at(date(2026, 2, 1)), until=at(date(2026, 4, 1)))
    assert [r.name for r in since] == ["sppb", "grip", "grip", "grip"]


def test_kiosk_sequence_gaps_and_quarantine_counts(office_database: Database,
                                                   hanako: Resident) -> None:  # fmt: skip
    first = InboxWriter(office_database, kiosk_id="k1")
    first.session(hanako.uuid, started_at=at(date(2026, 5, 1)))
    first.skip(3)  # sequence 2–4 never arrive
    first.session(hanako.uuid, started_at=at(date(2026, 5, 2)))
    first.skip(1)  # 6
    first.session(hanako.uuid, started_at=at(date(2026, 5, 3)))
    first.flush()
    second = InboxWriter(office_database, kiosk_id="k2")
    second.session(hanako.uuid, started_at=at(date(2026, 5, 4)))
    second.flush()
    store_batch(office_database, [], [
        RefusedMessage("genki/v1/f1/k2/results", "malformed", "not JSON", b"{"),
        RefusedMessage("genki/v1/f1/k2/results", "oversized", "too big", b"x"),
        RefusedMessage("not/a/genki/topic", "malformed", "bad topic", b"x"),
    ])  # fmt: skip
    data = OfficeData(office_database)
    k1, k2 = data.kiosks()
    assert (k1.kiosk_id, k1.stored, k1.last_seq, k1.gaps, k1.missing, k1.quarantined) == (
        "k1", 3, 7, ((2, 4), (6, 6)), 4, 0)  # fmt: skip
    assert (k2.kiosk_id, k2.stored, k2.gaps, k2.quarantined) == ("k2", 1, (), 2)
    assert k1.last_seen is not None
    assert data.unattributed_quarantined() == 1


def test_kiosk_backlog_is_the_last_reported_and_kept_by_a_status_without_one(
    office_database: Database,
) -> None:
    oldest, counted = at(date(2026, 5, 9), 8), at(date(2026, 5, 10), 9)
    store_batch(office_database, [], [], [KioskStatus("f1", "k1", True)])  # an older kiosk
    data = OfficeData(office_database)
    [kiosk] = data.kiosks()
    assert (kiosk.backlog, kiosk.oldest_unacked_at, kiosk.backlog_at) == (None, None, None)
    store_batch(office_database, [], [], [
        KioskStatus("f1", "k1", True, backlog=12, oldest_unacked_at=oldest, backlog_at=counted),
    ])  # fmt: skip
    [kiosk] = data.kiosks()
    assert (kiosk.online, kiosk.backlog, kiosk.oldest_unacked_at, kiosk.backlog_at) == (
        True, 12, oldest, counted)  # fmt: skip
    store_batch(office_database, [], [], [KioskStatus("f1", "k1", False)])  # the last will
    [kiosk] = data.kiosks()
    assert (kiosk.online, kiosk.backlog, kiosk.oldest_unacked_at, kiosk.backlog_at) == (
        False, 12, oldest, counted)  # fmt: skip
    later = counted + timedelta(minutes=1)
    store_batch(
        office_database, [], [], [KioskStatus("f1", "k1", True, backlog=0, backlog_at=later)]
    )
    [kiosk] = data.kiosks()
    assert (kiosk.backlog, kiosk.oldest_unacked_at, kiosk.backlog_at) == (0, None, later)
