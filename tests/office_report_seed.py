"""A seeded office database for the export and report tests: residents plus inbox messages.

Messages go in through records.inbox.store_batch as the ingest stores them (a genki.result/1
envelope per message, sync/payloads.py), with bodies shaped as kiosk/desk.py and the station send
them. Battery summaries are scored by programs.batteries, so they are what a kiosk would send.
Times are 03:00 UTC: the same calendar day from UTC-3 to UTC+20.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from programs.batteries import score_battery
from records import Database
from records.inbox import IncomingMessage, store_batch
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import Resident, ResidentRepository
from sync.payloads import ResultMessage

FACILITY, KIOSK = "sakura", "kiosk-1"
AWKWARD = 'a comma, a "quote"\nand a new line'
FLOATS = (0.1 + 0.2, 1e-7, 12.345678901234567, 5e300)


def at(day: date, hour: int = 3) -> datetime:
    """Return ``hour`` o'clock UTC on ``day``."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class Seeded:
    """What was seeded: residents by code and every body sent, by kind."""

    residents: dict[str, Resident]
    bodies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    message_ids: list[str] = field(default_factory=list)


class _Sender:
    def __init__(self, database: Database, seeded: Seeded) -> None:
        self.database, self.seeded, self.seq = database, seeded, 0

    def send(self, kind: str, body: dict[str, Any], created_at: datetime) -> str:
        self.seq += 1
        message_id = str(UUID(int=self.seq))
        payload = ResultMessage(
            message_id=message_id, kiosk_seq=self.seq, facility_id=FACILITY, kiosk_id=KIOSK,
            created_at=created_at, kind=kind, body=body,
        ).encode().decode("utf-8")  # fmt: skip
        message = IncomingMessage(message_id, FACILITY, KIOSK, self.seq, "genki.result/1", payload)
        store_batch(self.database, [(f"genki/v1/{FACILITY}/{KIOSK}/results", message)])
        self.seeded.bodies.setdefault(kind, []).append(body)
        self.seeded.message_ids.append(message_id)
        return message_id


def _battery(name: str, sex: str, age: int, results: dict[str, Any]) -> dict[str, Any]:
    document = {"battery": name, "resident": {"sex": sex, "age_years": age}, "results": results}
    return score_battery(document).as_json()


def sppb(gait_s: float, chair_s: float, tandem_s: float) -> dict[str, Any]:
    """Return a scored SPPB of an 86-year-old woman."""
    return _battery("sppb", "F", 86, {
        "side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": tandem_s,
        "gait_4m_s": [gait_s, gait_s + 0.4], "chair_stand_single_ok": True,
        "chair_stand_5x_s": chair_s,
    })  # fmt: skip


def fall_risk(tug_s: float, one_leg_s: float) -> dict[str, Any]:
    """Return a scored fall-risk battery of an 86-year-old woman."""
    return _battery("fall_risk", "F", 86, {"tug_s": tug_s, "one_leg_stance_s": one_leg_s})


def _residents(database: Database) -> dict[str, Resident]:
    repository = ResidentRepository(database, FACILITY)
    people = [
        ResidentFields("R001", "髙橋", "ミツ", "タカハシ", "ミツ", Sex.FEMALE, date(1940, 3, 2),
                       CareLevel.SUPPORT_1, notes=AWKWARD),
        ResidentFields("R002", '佐藤, "一"', "太郎", "サトウ", "タロウ", Sex.MALE,
                       date(1938, 11, 20), CareLevel.CARE_1),
        ResidentFields("R003", "鈴木", "キヨ", "スズキ", "キヨ", Sex.FEMALE, date(1935, 1, 5),
                       CareLevel.SUPPORT_2),
    ]  # fmt: skip
    return {p.code: repository.add(p, actor="test") for p in people}


def _assessment(
    sender: _Sender, resident: Resident, summary: dict[str, Any], when: datetime
) -> None:
    body = {"assessment_uuid": str(UUID(int=10_000 + sender.seq)),
            "resident_uuid": resident.uuid, "battery": summary["battery"],
            "performed_at": when.isoformat(), "summary": summary}  # fmt: skip
    sender.send("assessment", body, when)


def _trial(
    sender: _Sender, resident: Resident, test: str, metrics: dict[str, Any], when: datetime
) -> None:
    body = {"trial_uuid": str(UUID(int=20_000 + sender.seq)), "resident_uuid": resident.uuid,
            "test": test, "attempt": 1, "metrics": metrics, "quality_flags": [],
            "algorithm_version": "grip/1", "recorded_at": when.isoformat()}  # fmt: skip
    sender.send("trial", body, when)


def _session(sender: _Sender, resident: Resident, day: date, *, rpe: int, notes: str = "") -> None:
    start, end = at(day), at(day).replace(minute=25)
    body = {
        "session_uuid": str(UUID(int=30_000 + sender.seq)), "resident_uuid": resident.uuid,
        "programme": "standing_strength_balance", "level": 1, "started_at": start.isoformat(),
        "ended_at": end.isoformat(), "vitals": {"outcome": "ok", "criteria": []}, "rpe": rpe,
        "pain": False, "notes": notes,
        "exercises": [{"exercise": "sit_to_stand", "level": 1, "sets_done": 2,
                       "repetitions_done": 8, "hold_s": None, "completed": True}],
    }  # fmt: skip
    sender.send("exercise_session", body, end)


def seed_office(database: Database) -> Seeded:
    """Seed three residents, their results (Jan and Apr 2026) and sessions (Mar and Apr 2026).

    April 2026: R001 exercises on the 1st, 3rd and 8th and is assessed (SPPB, fall risk) on the
    8th; R002 exercises on the 3rd; R003 last assessed 2025-12-01; a session on 31 March.
    """
    seeded = Seeded(_residents(database))
    sender = _Sender(database, seeded)
    mitsu, taro, kiyo = (seeded.residents[c] for c in ("R001", "R002", "R003"))
    _assessment(sender, mitsu, sppb(6.8, 16.5, 2.0), at(date(2026, 1, 10)))
    _assessment(sender, mitsu, fall_risk(15.2, 3.0), at(date(2026, 1, 10)))
    _assessment(sender, mitsu, sppb(5.2, 13.1, 5.0), at(date(2026, 4, 8)))
    _assessment(sender, mitsu, fall_risk(13.0, 6.0), at(date(2026, 4, 8)))
    _assessment(sender, kiyo, sppb(7.5, 18.0, 1.0), at(date(2025, 12, 1)))
    for day, peak in ((date(2026, 1, 10), 15.5), (date(2026, 2, 14), FLOATS[0] + 16),
                      (date(2026, 4, 8), 17.25)):  # fmt: skip
        _trial(sender, mitsu, "grip", {"peak_kgf": peak, "tiny": FLOATS[1],
                                       "precise": FLOATS[2], "huge": FLOATS[3],
                                       "note": AWKWARD}, at(day))  # fmt: skip
    _trial(sender, mitsu, "gait_4m", {"time_s": 5.4, "speed_m_s": 4 / 5.4, "course_m": 4.0,
                                      "crossings": 2}, at(date(2026, 4, 8)))  # fmt: skip
    _session(sender, mitsu, date(2026, 3, 31), rpe=11)
    for day in (date(2026, 4, 1), date(2026, 4, 3), date(2026, 4, 8)):
        _session(sender, mitsu, day, rpe=12, notes=AWKWARD)
    _session(sender, taro, date(2026, 4, 3), rpe=13)
    return seeded
