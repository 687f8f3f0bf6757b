"""A resident's page: the row, every result and session, the series, plans and explanations.

The explanation and the programme proposal are built as the kiosk builds them (kiosk/desk.py,
records/profiles.py ``profile_document``): a profile document of the resident (sex, age, care
level), every assessment with its local date, oldest first, and every exercise session, read by
programs/profile.py ``parse_profile``; programs/prescription.py drafts the programme
(``for_today=False``: no vitals rule) and programs/explanations.py says it in plain words. A
resident the roster does not know yet takes sex and age from the latest battery summary (each
summary records them). Sessions whose record the profile cannot read are left out of the history
and counted; a profile that still cannot be read gives its problem instead of an explanation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, get_args

from pydantic import ValidationError

from genki.i18n import Language
from office.flags import Flag, FlagCode, Latest
from office.results import Result, SessionRecord
from programs.explanations import Explanation, battery_lines, explain
from programs.prescription import Prescription, prescribe
from programs.profile import (
    Assessment,
    HistorySession,
    Profile,
    ProfileError,
    parse_profile,
)
from records.plans import SavedPlan
from records.profiles import age_on, local_day, sex_code
from records.residents import Resident

PROFILE_BATTERIES: tuple[str, ...] = get_args(Assessment.model_fields["battery"].annotation)
SHORT_UUID = 8  # characters of a resident uuid shown for a resident the roster does not know


@dataclass(frozen=True, slots=True)
class ResidentRow:
    """One resident of the list: who, the latest result per test with its rating, the flags."""

    resident_uuid: str
    resident: Resident | None  # None: the roster does not know this resident (yet)
    latest: Mapping[str, Latest]  # by battery or test name
    flags: tuple[Flag, ...]
    last_assessed: date | None
    last_session: date | None
    sex: str | None  # F or M, from the roster or the latest battery summary

    @property
    def known(self) -> bool:
        """Whether the office's roster knows the resident."""
        return self.resident is not None

    @property
    def code(self) -> str:
        """The resident's facility code ("" when unknown)."""
        return self.resident.code if self.resident is not None else ""

    @property
    def name(self) -> str:
        """Family and given name ("" when unknown)."""
        if self.resident is None:
            return ""
        return f"{self.resident.fields.family_name} {self.resident.fields.given_name}"

    @property
    def kana(self) -> str:
        """The reading of the name, for sorting ("" when unknown)."""
        if self.resident is None:
            return ""
        return f"{self.resident.fields.family_kana} {self.resident.fields.given_kana}"

    @property
    def care_level(self) -> str | None:
        """The care level code (records.resident_fields.CareLevel), None when unknown."""
        return None if self.resident is None else self.resident.fields.care_level.value

    @property
    def short_uuid(self) -> str:
        """The first characters of the uuid, to tell unknown residents apart."""
        return self.resident_uuid[:SHORT_UUID]

    def has(self, code: FlagCode) -> bool:
        """Whether the row carries a flag with ``code``."""
        return any(flag.code is code for flag in self.flags)


@dataclass(frozen=True, slots=True)
class ResidentPage:
    """Everything the resident page shows, oldest first."""

    row: ResidentRow
    results: tuple[Result, ...]
    sessions: tuple[SessionRecord, ...]
    series: Mapping[str, list[tuple[datetime, float]]]
    plans: tuple[SavedPlan, ...]
    profile: Profile | None
    prescription: Prescription | None
    profile_problem: str = ""  # why there is no profile ("" when there is one)
    unreadable_sessions: int = 0
    _explanations: dict[str, Explanation] = field(default_factory=dict, compare=False)

    def explanation(self, language: Language) -> Explanation | None:
        """Return the resident/family explanation and the staff proposals, or None."""
        if self.profile is None or self.prescription is None:
            return None
        if language not in self._explanations:
            self._explanations[language] = explain(self.profile, self.prescription, language)
        return self._explanations[language]

    def battery_explanation(self, battery: str, language: Language) -> tuple[str, ...]:
        """Return the plain-language lines of the latest ``battery`` (none: empty)."""
        return () if self.profile is None else battery_lines(self.profile, battery, language)

    @property
    def programme(self) -> tuple[str, int] | None:
        """The programme and level of the latest session, as the kiosk prescribed it."""
        for session in reversed(self.sessions):
            programme, level = session.body.get("programme"), session.body.get("level")
            if isinstance(programme, str) and programme and isinstance(level, int):
                return programme, level
        return None


def _who(resident: Resident | None, results: Sequence[Result], today: date) -> dict[str, Any]:
    if resident is not None:
        return {"sex": sex_code(resident), "age_years": age_on(resident.fields.birth_date, today),
                "care_level": resident.fields.care_level.value}  # fmt: skip
    for result in reversed(results):
        who = result.values.get("resident") if result.kind == "assessment" else None
        if isinstance(who, Mapping) and "sex" in who and "age_years" in who:
            return {"sex": who["sex"], "age_years": who["age_years"]}
    raise ProfileError([("resident: the roster does not know the resident and no summary says "
                        "their sex and age")])  # fmt: skip


def _history(sessions: Sequence[SessionRecord]) -> tuple[list[dict[str, Any]], int]:
    history, unreadable = [], 0
    for session in sessions:
        body = session.body
        if not body.get("programme"):
            continue  # a visit that ended at the vitals check
        exercises = body.get("exercises") or []
        vitals = body.get("vitals")
        entry = {
            "date": local_day(session.started_at).isoformat(), "programme": body["programme"],
            "level": body.get("level"), "rpe": body.get("rpe"), "pain": bool(body.get("pain")),
            "completed": bool(exercises) and all(
                isinstance(e, Mapping) and e.get("completed") for e in exercises),
            "vitals": (vitals.get("outcome") if isinstance(vitals, Mapping) else vitals) or "ok",
        }  # fmt: skip
        try:
            HistorySession.model_validate(entry)
        except ValidationError:
            unreadable += 1
            continue
        history.append(entry)
    return history, unreadable


def build_profile(
    resident: Resident | None,
    results: Sequence[Result],
    sessions: Sequence[SessionRecord],
    *,
    today: date,
) -> tuple[Profile | None, str, int]:
    """Return the profile (or None and the problem) and how many sessions it could not read."""
    history, unreadable = _history(sessions)
    assessments = [
        {**r.values, "battery": r.name, "date": local_day(r.performed_at).isoformat()}
        for r in results
        if r.kind == "assessment" and r.name in PROFILE_BATTERIES
    ]
    try:
        document = {"resident": _who(resident, results, today), "assessments": assessments,
                    "contraindications": [], "history": history}  # fmt: skip
        return parse_profile(document), "", unreadable
    except ProfileError as exc:
        return None, str(exc), unreadable


def proposal(profile: Profile | None) -> tuple[Prescription | None, str]:
    """Return the programme the rules draft for ``profile`` (no vitals rule), or the problem."""
    if profile is None:
        return None, ""
    try:
        return prescribe(profile, for_today=False), ""
    except ValueError as exc:
        return None, str(exc)
