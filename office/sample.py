"""A simulated office database: kiosk messages written the way the ingest writes them.

``InboxWriter`` builds ``genki.result/1`` payloads exactly as a kiosk does (sync/payloads.py
``ResultMessage``, with the bodies of kiosk/desk.py and kiosk/station/service.py) and stores them
through ``records.inbox.store_batch``, the ingest's own code path. Batteries are scored by
programs/batteries, grip trials by measures/grip, vital signs screened by programs/screening, so
every stored value is one the real code produced. ``simulate_facility`` fills a database with a
facility's year (``genki bench office``, tests); the seed makes it reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from measures.grip import score_grip
from programs.batteries import score_battery
from programs.screening import Vitals, screen
from records.database import Database
from records.inbox import IncomingMessage, Outcome, store_batch
from records.models import new_uuid
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import Resident, ResidentRepository
from sync.payloads import RESULT_SCHEMA, ResultMessage
from sync.topics import RESULTS, topic

GRIP_RATE_HZ = 100.0
GRIP_SECONDS = 4.0
BATCH = 500  # messages per store_batch transaction, as the ingest batches them


class InboxWriter:
    """Writes one kiosk's messages to an office database through the ingest's store_batch."""

    def __init__(self, database: Database, *, facility_id: str = "f1", kiosk_id: str = "k1",
                 first_seq: int = 1) -> None:  # fmt: skip
        self.database, self.facility_id, self.kiosk_id = database, facility_id, kiosk_id
        self.next_seq = first_seq
        self.pending: list[tuple[str, IncomingMessage]] = []

    def message(self, kind: str, body: dict[str, Any], *, created_at: datetime) -> str:
        """Queue one message (flushed every BATCH messages); return its message id."""
        message_id, seq = new_uuid(), self.next_seq
        self.next_seq += 1
        payload = ResultMessage(
            message_id=message_id, kiosk_seq=seq, facility_id=self.facility_id,
            kiosk_id=self.kiosk_id, created_at=created_at, kind=kind, body=body,
        ).encode().decode("utf-8")  # fmt: skip
        incoming = IncomingMessage(message_id, self.facility_id, self.kiosk_id, seq,
                                   RESULT_SCHEMA, payload)  # fmt: skip
        self.pending.append((topic(self.facility_id, self.kiosk_id, RESULTS), incoming))
        if len(self.pending) >= BATCH:
            self.flush()
        return message_id

    def skip(self, count: int) -> None:
        """Leave ``count`` sequence numbers unused: messages the office never received."""
        self.next_seq += count

    def flush(self) -> list[Outcome]:
        """Store the queued messages in one transaction."""
        outcomes = store_batch(self.database, self.pending) if self.pending else []
        self.pending = []
        return outcomes

    def summary(self, resident_uuid: str, summary: Mapping[str, Any], *,
                performed_at: datetime) -> str:  # fmt: skip
        """Queue an assessment message for an already scored battery summary."""
        body = {"assessment_uuid": new_uuid(), "resident_uuid": resident_uuid,
                "battery": str(summary["battery"]), "performed_at": performed_at.isoformat(),
                "summary": dict(summary)}  # fmt: skip
        return self.message("assessment", body, created_at=performed_at)

    def assessment(
        self, resident_uuid: str, battery: str, results: Mapping[str, Any], *,
        performed_at: datetime, sex: str = "F", age_years: int = 82,
    ) -> str:  # fmt: skip
        """Score ``results`` with the battery and queue the assessment message."""
        document = {"battery": battery, "resident": {"sex": sex, "age_years": age_years},
                    "results": dict(results)}  # fmt: skip
        summary = score_battery(document).as_json()
        return self.summary(resident_uuid, summary, performed_at=performed_at)

    def trial(
        self, resident_uuid: str, test: str, metrics: Mapping[str, Any], *,
        recorded_at: datetime, quality_flags: Sequence[str] = (), attempt: int = 1,
        algorithm_version: str = "sim/1",
    ) -> str:  # fmt: skip
        """Queue a trial message."""
        body = {"trial_uuid": new_uuid(), "resident_uuid": resident_uuid, "test": test,
                "attempt": attempt, "metrics": dict(metrics),
                "quality_flags": list(quality_flags), "algorithm_version": algorithm_version,
                "recorded_at": recorded_at.isoformat()}  # fmt: skip
        return self.message("trial", body, created_at=recorded_at)

    def grip_trial(self, resident_uuid: str, peak_kgf: float, *, recorded_at: datetime,
                   attempt: int = 1) -> str:  # fmt: skip
        """Score a simulated squeeze reaching ``peak_kgf`` (measures/grip) and queue it."""
        seconds = np.arange(0.0, GRIP_SECONDS, 1.0 / GRIP_RATE_HZ)
        rise = np.clip((seconds - 0.5) / 1.0, 0.0, 1.0)
        fall = np.clip((3.5 - seconds) / 0.5, 0.0, 1.0)
        scored = score_grip(seconds, peak_kgf * np.minimum(rise, fall))
        metrics = {k: v for k, v in scored.as_json().items() if k != "quality_flags"}
        return self.trial(resident_uuid, "grip", metrics, recorded_at=recorded_at,
                          quality_flags=[str(f) for f in scored.quality_flags], attempt=attempt,
                          algorithm_version=scored.algorithm_version)  # fmt: skip

    def session(  # noqa: PLR0913 - one keyword per recorded field
        self, resident_uuid: str, *, started_at: datetime,
        programme: str = "standing_strength_balance", level: int = 2, rpe: int | None = 12,
        pain: bool = False, sbp_mmhg: float = 128.0, minutes: float = 30.0,
    ) -> str:  # fmt: skip
        """Queue an exercise session as kiosk/desk.py ``save_visit`` sends it."""
        screening = screen(Vitals(sbp_mmhg=sbp_mmhg, dbp_mmhg=76.0, pulse_bpm=72.0,
                                  spo2_pct=97.0, temperature_c=36.4))  # fmt: skip
        ended_at = started_at + timedelta(minutes=minutes)
        exercises = [{"exercise": name, "level": level, "sets_done": 2, "repetitions_done": 10,
                      "hold_s": None, "completed": True}
                     for name in ("sit_to_stand", "knee_bends", "calf_raises")]  # fmt: skip
        body = {"session_uuid": new_uuid(), "resident_uuid": resident_uuid,
                "programme": programme, "level": level, "started_at": started_at.isoformat(),
                "ended_at": ended_at.isoformat(), "vitals": screening.as_json(), "rpe": rpe,
                "pain": pain, "exercises": exercises}  # fmt: skip
        return self.message("exercise_session", body, created_at=ended_at)


FAMILY = (("山田", "ヤマダ"), ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"),
          ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("中村", "ナカムラ"),
          ("小林", "コバヤシ"), ("加藤", "カトウ"))  # fmt: skip
GIVEN = ((("花子", "ハナコ"), ("節子", "セツコ"), ("和子", "カズコ")),
         (("健", "ケン"), ("茂", "シゲル"), ("進", "ススム")))  # fmt: skip
LEVELS = (CareLevel.SUPPORT_1, CareLevel.SUPPORT_2, CareLevel.CARE_1, CareLevel.CARE_2)


@dataclass(frozen=True, slots=True)
class SimulatedFacility:
    """What ``simulate_facility`` wrote: the residents and the number of messages."""

    residents: tuple[Resident, ...]
    messages: int


def _person(index: int) -> ResidentFields:
    family, kana = FAMILY[index % len(FAMILY)]
    sex = Sex.FEMALE if index % 3 else Sex.MALE
    given, given_kana = GIVEN[sex is Sex.MALE][index // len(FAMILY) % 3]
    return ResidentFields(
        code=f"S{index + 1:03d}", family_name=family, given_name=given, family_kana=kana,
        given_kana=given_kana, sex=sex, birth_date=date(1936 + index % 12, 1 + index % 12, 5),
        care_level=LEVELS[index % len(LEVELS)],
    )  # fmt: skip


def _at(day: date, hour: int, rng: random.Random) -> datetime:
    return datetime.combine(day, time(hour, rng.randrange(60)), tzinfo=UTC)


def _sppb_results(ability: float, rng: random.Random) -> dict[str, Any]:
    gait = max(2.5, 9.0 - 5.0 * ability + rng.gauss(0, 0.4))
    chair = max(7.0, 20.0 - 10.0 * ability + rng.gauss(0, 1.0))
    tandem = min(10.0, max(0.5, 10.0 * ability + rng.gauss(0, 2.0)))
    return {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": round(tandem, 2),
            "gait_4m_s": [round(gait, 2)], "chair_stand_single_ok": True,
            "chair_stand_5x_s": round(chair, 2)}  # fmt: skip


def _resident_year(writer: InboxWriter, resident: Resident, *, start: date, months: int,
                   rng: random.Random) -> None:  # fmt: skip
    """Queue a resident's year: sessions twice a week, SPPB and grip monthly, others quarterly."""
    uuid, sex = resident.uuid, "F" if resident.fields.sex is Sex.FEMALE else "M"
    ability, trend = rng.uniform(0.3, 0.9), rng.uniform(-0.02, 0.03)
    age = 80 + rng.randrange(10)
    for month in range(months):
        first = date(start.year + (start.month - 1 + month) // 12,
                     (start.month - 1 + month) % 12 + 1, 1)  # fmt: skip
        level = min(0.98, max(0.05, ability + trend * month))
        for week in range(4):
            for day in (1, 3):
                writer.session(uuid, started_at=_at(first + timedelta(days=7 * week + day), 10,
                                                    rng),
                               level=1 + int(level * 3.5), rpe=rng.randrange(10, 15))  # fmt: skip
        assessed = _at(first + timedelta(days=20), 14, rng)
        writer.assessment(uuid, "sppb", _sppb_results(level, rng), performed_at=assessed,
                          sex=sex, age_years=age)  # fmt: skip
        for attempt in (1, 2, 3):
            peak = (14.0 if sex == "F" else 22.0) + 14.0 * level + rng.gauss(0, 1.0)
            writer.grip_trial(uuid, round(peak, 1), attempt=attempt,
                              recorded_at=assessed + timedelta(minutes=5 + attempt))  # fmt: skip
        if month % 3 == 0:
            writer.assessment(
                uuid,
                "fall_risk",
                {
                    "tug_s": round(max(6.0, 18.0 - 10.0 * level + rng.gauss(0, 0.8)), 2),
                    "one_leg_stance_s": round(max(1.0, 25.0 * level + rng.gauss(0, 2.0)), 2),
                },
                performed_at=assessed + timedelta(minutes=20),
                sex=sex,
                age_years=age,
            )
            writer.assessment(uuid, "awgs2019", {
                "grip_kg": round((14.0 if sex == "F" else 22.0) + 14.0 * level, 1),
                "gait_speed_m_s": round(0.4 + 0.8 * level, 2),
            }, performed_at=assessed + timedelta(minutes=30), sex=sex, age_years=age)  # fmt: skip


def simulate_facility(database: Database, *, residents: int = 50, months: int = 12,
                      end: date, seed: int = 1, facility_id: str = "f1",
                      kiosk_id: str = "k1") -> SimulatedFacility:  # fmt: skip
    """Register ``residents``; store ``months`` months of their results ending before ``end``."""
    rng = random.Random(seed)  # noqa: S311 - simulated data, not security
    repository = ResidentRepository(database, facility_id)
    people = tuple(repository.add(_person(i), actor="sample") for i in range(residents))
    first = end.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    writer = InboxWriter(database, facility_id=facility_id, kiosk_id=kiosk_id)
    for person in people:
        _resident_year(writer, person, start=first, months=months, rng=rng)
    writer.flush()
    return SimulatedFacility(people, writer.next_seq - 1)
