"""A resident's stored assessments and exercise sessions as a prescription profile document.

The document is what programs.profile reads (``parse_profile``): the resident's sex, age and care
level, every assessment (battery output with its local date), and every exercise session. The
kiosk and the command line build profiles the same way from here. Stored times are UTC; dates
are the local calendar day, the facility's day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from records.assessments import assessments_of, exercise_sessions_of
from records.database import Database
from records.resident_fields import Sex
from records.residents import Resident


def local_day(moment: datetime) -> date:
    """Return the local calendar day of a stored (UTC) time."""
    return moment.astimezone().date()


def age_on(birth_date: date, today: date) -> int:
    """Return the age in whole years on ``today``."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - before_birthday


def sex_code(resident: Resident) -> str:
    """Return the resident's sex as batteries and profiles write it (F or M)."""
    return "F" if resident.fields.sex is Sex.FEMALE else "M"


def profile_document(
    database: Database, resident: Resident, *, today: date, contraindications: Sequence[str] = ()
) -> dict[str, Any]:
    """Return the resident's profile document (module docstring), without vitals."""
    fields = resident.fields
    assessments = [
        {**a.summary, "battery": a.battery, "date": local_day(a.performed_at).isoformat()}
        for a in assessments_of(database, resident.uuid)
    ]
    history = [
        {"date": local_day(s.started_at).isoformat(), "programme": s.programme, "level": s.level,
         "completed": s.completed, "rpe": s.rpe, "pain": s.pain, "vitals": s.vitals or "ok"}
        for s in exercise_sessions_of(database, resident.uuid)
        if s.programme and s.level  # a rest visit (vitals no-go) did no programme at any level
    ]  # fmt: skip
    return {
        "resident": {"sex": sex_code(resident), "age_years": age_on(fields.birth_date, today),
                     "care_level": fields.care_level.value},
        "assessments": assessments, "contraindications": list(contraindications),
        "history": history,
    }  # fmt: skip
