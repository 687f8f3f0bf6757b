"""The content of a resident's outcome report, as plain data built from the office's results.

The office database may hold a resident's assessments only in its inbox (they arrive from the
kiosks as messages), so the prescription profile is the office's (office/page.py builds it from
the inbox results and sessions the way records/profiles.py builds it from the kiosk's tables).
From the profile come the plain-language explanation (programs/explanations.py ``explain``) and
the current programme (programs/prescription.py ``prescribe`` for a plan, not for today: no
vitals rule). The latest result of each battery is
shown with its rating in words (the battery's own band, status or grade, catalogue
``battery.value``); trends are the office's measure series (``OfficeData.series``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from genki.i18n import Language, text
from office.report_charts import TrendChart
from programs.catalogue import catalogue
from programs.documents import ResidentHeader, dose_text
from programs.explanations import Explanation, explain, programme_label, reassessment_due
from programs.prescription import Prescription
from programs.profile import Assessment, Profile
from records.profiles import local_day, sex_code
from records.residents import Resident

# The charted measures in print order (SPPB total, grip, TUG, gait, chair stand, sway), each with
# the office series (OfficeData.series: result name and the path of the value) that can show it,
# preferred first: a battery's value where the resident has one, else the single trials'.
# Titles are catalogue keys office.report.measure.<series>.
CHART_MEASURES: tuple[tuple[str, ...], ...] = (
    ("sppb.total",),
    ("grip.awgs.max_kg", "awgs2019.results.grip_kg", "grip.peak_kgf"),
    ("fall_risk.tug_s",),
    ("sppb.gait_time_s", "gait_4m.time_s"),
    ("sppb.chair_stand_time_s", "chair_stand_5x.time_s"),
    ("stabilometry.eyes_open.mean_velocity_cm_s", "sway_eo.mean_velocity_mm_s"),
)
MAX_LEVEL = 4


@dataclass(frozen=True, slots=True)
class LatestRow:
    """The latest result of one battery: its name, day, value and rating in words."""

    battery: str
    test: str
    performed_on: date | None
    value: str
    rating: str


@dataclass(frozen=True, slots=True)
class ProgrammeRow:
    """One exercise of the current programme with its dose."""

    section: str
    exercise: str
    dose: str


@dataclass(frozen=True, slots=True)
class OutcomeReport:
    """Everything a resident's outcome report prints, in one language."""

    resident: ResidentHeader
    today: date
    latest: tuple[LatestRow, ...]
    charts: tuple[TrendChart, ...]
    explanation: Explanation
    programme: str
    exercises: tuple[ProgrammeRow, ...]
    next_review: date | None


def resident_header(resident: Resident) -> ResidentHeader:
    """Return the document header of a registered resident."""
    fields = resident.fields
    return ResidentHeader(
        code=fields.code,
        name=f"{fields.family_name} {fields.given_name}",
        sex=sex_code(resident),
        birth_date=fields.birth_date,
        care_level=fields.care_level.value,
    )


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _label(code: object, lang: Language) -> str:
    return text(f"battery.value.{code}", lang) if code else ""


def _sppb(a: Assessment, lang: Language) -> tuple[str, str]:
    return text("office.report.value.sppb", lang, total=a.get("total")), _label(a.get("band"), lang)


def _awgs(a: Assessment, lang: Language) -> tuple[str, str]:
    return text("office.report.value.none", lang), _label(a.get("status"), lang)


def _mext(a: Assessment, lang: Language) -> tuple[str, str]:
    value = text("office.report.value.mext", lang, points=a.get("total_points"))
    grade = a.get("grade")
    return value, text("office.report.value.grade", lang, grade=grade) if grade else ""


def _fall_risk(a: Assessment, lang: Language) -> tuple[str, str]:
    parts = []
    if (tug := _number(a.get("tug_s"))) != "":
        parts.append(text("office.report.value.tug", lang, seconds=tug))
    if (one_leg := _number(a.get("one_leg_stance_s"))) != "":
        parts.append(text("office.report.value.one_leg", lang, seconds=one_leg))
    ratings = [text("office.report.rating.tug_risk", lang)] if a.get("tug_higher_fall_risk") else []
    if a.get("one_leg_grade"):
        ratings.append(_label(a.get("one_leg_grade"), lang))
    separator = text("office.report.separator", lang)
    return separator.join(parts), separator.join(ratings)


def _kihon(a: Assessment, lang: Language) -> tuple[str, str]:
    value = text("office.report.value.kihon", lang, total=a.get("total"))
    return value, _label(a.get("frailty_band"), lang)


def _stabilometry(a: Assessment, lang: Language) -> tuple[str, str]:
    velocity = (a.get("eyes_open") or {}).get("mean_velocity_cm_s")
    if velocity is None:
        return "", ""
    value = text("office.report.value.sway", lang, velocity=f"{velocity:.1f}")
    return value, text("office.report.rating.no_norms", lang)


def _grip(a: Assessment, lang: Language) -> tuple[str, str]:
    strongest = (a.get("awgs") or {}).get("max_kg")
    low = (a.get("awgs_rating") or {}).get("low")
    key = "office.report.rating.grip_low" if low else "office.report.rating.grip_ok"
    rating = "" if low is None else text(key, lang)
    return text("office.report.value.grip", lang, kg=_number(strongest)), rating


_RATED: Mapping[str, Callable[[Assessment, Language], tuple[str, str]]] = {
    "sppb": _sppb, "fall_risk": _fall_risk, "awgs2019": _awgs, "mext65": _mext,
    "kihon_checklist": _kihon, "stabilometry": _stabilometry, "grip": _grip,
}  # fmt: skip


def latest_rows(profile: Profile, language: Language) -> tuple[LatestRow, ...]:
    """Return the latest result of each battery the resident has done, in a fixed order."""
    rows = []
    for battery, rated in _RATED.items():
        latest = profile.latest(battery)
        if latest is None:
            continue
        value, rating = rated(latest, language)
        name = text(f"office.report.battery.{battery}", language)
        rows.append(LatestRow(battery, name, latest.date, value, rating))
    return tuple(rows)


def trend_charts(
    series: Mapping[str, Sequence[tuple[datetime, float]]], language: Language
) -> tuple[TrendChart, ...]:
    """Return one chart per charted measure that has values, oldest value first."""
    charts = []
    for candidates in CHART_MEASURES:
        key = next((key for key in candidates if series.get(key)), None)
        if key is None:
            continue
        points = tuple((local_day(moment), float(value)) for moment, value in sorted(series[key]))
        charts.append(TrendChart(key, text(f"office.report.measure.{key}", language), points))
    return tuple(charts)


def programme_rows(prescription: Prescription, language: Language) -> tuple[ProgrammeRow, ...]:
    """Return the exercises of the programme with their doses in words."""
    book = catalogue()
    return tuple(
        ProgrammeRow(
            text(f"programs.section.{item.section}", language),
            book.exercises[item.exercise].name.get(language),
            dose_text(item.dose, language),
        )
        for item in prescription.exercises
    )


def programme_summary(prescription: Prescription, language: Language) -> str:
    """Return the programme's name, level, weekly frequency and time per session in words."""
    label = programme_label(prescription, language, catalogue())
    if prescription.is_rest or prescription.sessions_per_week is None:
        return label
    low, high = prescription.sessions_per_week
    return text(
        "office.report.programme_line",
        language,
        programme=label,
        level=text("programs.level", language, level=prescription.level),
        frequency=text("programs.per_week", language, low=low, high=high),
        minutes=text("programs.minutes", language, minutes=f"{prescription.minutes:.0f}"),
    )


def build_outcome(
    resident: Resident,
    profile: Profile | None,
    prescription: Prescription | None,
    series: Mapping[str, Sequence[tuple[datetime, float]]],
    *,
    today: date,
    language: Language,
) -> OutcomeReport:
    """Return the outcome report of one resident from the office's profile of them (docstring).

    Without a profile or a programme (nothing measured yet, or records the rules cannot read)
    the report says there are no results and shows no programme.
    """
    if profile is None or prescription is None:
        nothing = text("explain.no_results", language)
        return OutcomeReport(
            resident_header(resident), today, (), trend_charts(series, language),
            Explanation((nothing,), ()), text("plan.none", language), (), None,
        )  # fmt: skip
    return OutcomeReport(
        resident=resident_header(resident),
        today=today,
        latest=latest_rows(profile, language),
        charts=trend_charts(series, language),
        explanation=explain(profile, prescription, language),
        programme=programme_summary(prescription, language),
        exercises=programme_rows(prescription, language),
        next_review=reassessment_due(profile.assessments),
    )
