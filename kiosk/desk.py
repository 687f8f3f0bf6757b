"""The kiosk's front desk: who the residents are, today's check and programme, saving a visit.

A thin edge between the screens and records/programs: the screens call these methods and get
plain values back. Every save writes its outbox message in the same transaction
(RELIABILITY.md, design point 1), so the office receives what the kiosk shows as saved.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from programs.prescription import Prescription, prescribe
from programs.profile import Profile, parse_profile
from programs.screening import RuleSet, ScreeningResult, Vitals, default_rules, screen
from records import Database
from records.assessments import (
    ExerciseDone,
    exercise_sessions_of,
    save_assessment,
    save_exercise_session,
)
from records.errors import NotFoundError
from records.profiles import profile_document
from records.residents import Resident, ResidentRepository
from sync.outbox import enqueue_result

KANA_ROWS = ("ア", "カ", "サ", "タ", "ナ", "ハ", "マ", "ヤ", "ラ", "ワ")
_ROW_STARTS = "アカサタナハマヤラワ"
_GOJUON = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン"
)
_DAKUTEN = str.maketrans("ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴ",
                         "カキクケコサシスセソタチツテトハヒフヘホハヒフヘホウ")  # fmt: skip


def kana_row(kana: str) -> str:
    """Return the gojūon row (ア, カ, … ワ) a katakana reading starts in; ア for anything else."""
    first = kana[:1].translate(_DAKUTEN)
    if not first or first not in _GOJUON:
        return "ア"
    index = _GOJUON.index(first)
    starts = [_GOJUON.index(start) for start in _ROW_STARTS]
    return _ROW_STARTS[max(i for i, start in enumerate(starts) if start <= index)]


@dataclass(frozen=True, slots=True)
class Visit:
    """Today's visit of one resident: the check and the programme it allows."""

    resident: Resident
    screening: ScreeningResult
    profile: Profile
    prescription: Prescription


class Desk:
    """The kiosk's access to residents, screening, prescriptions and saved visits."""

    def __init__(
        self,
        database: Database,
        *,
        facility_id: str,
        kiosk_id: str,
        rules: RuleSet | None = None,
    ) -> None:
        self.database = database
        self.facility_id, self.kiosk_id = facility_id, kiosk_id
        self.rules = rules or default_rules()
        self._residents = ResidentRepository(database, facility_id)

    def residents(self) -> list[Resident]:
        """Return the active residents in kana order."""
        return self._residents.list()

    def find(self, code: str) -> Resident | None:
        """Return the active resident with ``code`` (as a card reader types it), or None."""
        try:
            resident = self._residents.get(code.strip())
        except NotFoundError:
            return None
        return resident if resident.active else None

    def check(self, resident: Resident, vitals: Vitals, *, today: date) -> Visit:
        """Screen today's vitals and prescribe the programme they allow."""
        screening = screen(vitals, rules=self.rules)
        document = profile_document(self.database, resident, today=today)
        document["vitals"] = screening.as_json()
        profile = parse_profile(document)
        return Visit(resident, screening, profile, prescribe(profile))

    def sessions(self, resident: Resident) -> list[tuple[datetime, int | None]]:
        """Return (start, RPE) of the resident's exercise sessions, oldest first."""
        return [(s.started_at, s.rpe) for s in exercise_sessions_of(self.database, resident.uuid)]

    def save_visit(
        self,
        visit: Visit,
        *,
        started_at: datetime,
        done: Sequence[ExerciseDone],
        rpe: int | None,
        pain: bool,
        staff: str | None = None,
        readings: Mapping[str, float | None] | None = None,
    ) -> str:
        """Save the session (or a visit that ended at the vitals check) and its outbox message."""
        prescription = visit.prescription
        ended_at = datetime.now(UTC)
        with self.database.transaction() as session:
            uuid = save_exercise_session(
                session, resident_uuid=visit.resident.uuid, programme=prescription.programme,
                level=prescription.level, started_at=started_at, ended_at=ended_at, staff=staff,
                vitals=visit.screening.outcome.code, rpe=rpe, pain=pain, exercises=done,
                readings=readings,
            )  # fmt: skip
            enqueue_result(
                session, facility_id=self.facility_id, kiosk_id=self.kiosk_id,
                kind="exercise_session",
                body={"session_uuid": uuid, "resident_uuid": visit.resident.uuid,
                      "programme": prescription.programme, "level": prescription.level,
                      "started_at": started_at.isoformat(), "ended_at": ended_at.isoformat(),
                      "vitals": visit.screening.as_json(), "rpe": rpe, "pain": pain,
                      "exercises": [
                          {"exercise": d.exercise, "level": d.level, "sets_done": d.sets_done,
                           "repetitions_done": d.repetitions_done, "hold_s": d.hold_s,
                           "completed": d.completed}
                          for d in done
                      ]},
            )  # fmt: skip
        return uuid

    def save_assessment(
        self, resident: Resident, summary: Mapping[str, object], *, staff: str | None = None
    ) -> str:
        """Save a scored battery (``genki battery score --json`` output) and its outbox message."""
        performed_at = datetime.now(UTC)
        battery = str(summary["battery"])
        with self.database.transaction() as session:
            uuid = save_assessment(
                session, resident_uuid=resident.uuid, battery=battery, summary=summary,
                performed_at=performed_at, staff=staff,
            )  # fmt: skip
            enqueue_result(
                session, facility_id=self.facility_id, kiosk_id=self.kiosk_id, kind="assessment",
                body={"assessment_uuid": uuid, "resident_uuid": resident.uuid,
                      "battery": battery, "performed_at": performed_at.isoformat(),
                      "summary": dict(summary)},
            )  # fmt: skip
        return uuid

    def profile(self, resident: Resident, *, today: date) -> Profile:
        """Return the resident's profile from the stored records (no vitals)."""
        return parse_profile(profile_document(self.database, resident, today=today))
