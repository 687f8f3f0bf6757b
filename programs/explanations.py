"""Plain-language explanations of results and prescriptions, for residents, families and staff.

For each battery's latest result the resident text says what was measured, how it compares with
people of the same age and sex where genki has such a table (and that there is none where it has
not), what changed since the previous result, and what it means for daily life; the source of every
comparison is named. Whether a change is larger than the measurement error is said to be unknown:
REFERENCE.md gives no measurement error (SEM, MDC) for any of these tests, and none is invented.

The staff text proposes the programme focus, the precautions and when to reassess (at least every
3 months, CARE-INSURANCE.md §1.4). All wording lives in the message catalogues (``explain.*``,
``programs.*``); this module only chooses messages and fills them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from genki.i18n import LANGUAGES, Language, text
from programs.catalogue import Catalogue
from programs.catalogue import catalogue as exercise_catalogue
from programs.grip import default_grip_tables
from programs.prescription import Prescription, Reason, fall_risk_flags, rules
from programs.profile import Assessment, Profile


@dataclass(frozen=True, slots=True)
class Explanation:
    """Resident/family text and staff proposals in one language, one sentence per line."""

    resident: tuple[str, ...]
    staff: tuple[str, ...]


def reason_text(reason: Reason, language: Language, book: Catalogue | None = None) -> str:
    """Return a prescription reason as a sentence, with programme, exercise and flag names."""
    book = book or exercise_catalogue()
    params = {key: _shown(key, value, language, book) for key, value in reason.params.items()}
    return text(f"programs.reason.{reason.code}", language, **params)


def _shown(key: str, value: Any, language: Language, book: Catalogue) -> Any:
    if key in ("programme", "rules_programme") and value in book.programmes:
        return book.programmes[value].name.get(language)
    if key == "exercise" and value in book.exercises:
        return book.exercises[value].name.get(language)
    if key == "contraindication" and value in book.contraindications:
        return book.contraindications[value].get(language)
    if key == "band":
        return text(f"battery.value.{value}", language)
    if key == "flags":
        return _join([text(f"programs.flag.{flag}", language) for flag in value], language)
    return "" if value is None else value


def _join(items: list[str], language: Language) -> str:
    return ("、" if language == "ja" else ", ").join(items)


def programme_label(prescription: Prescription, language: Language, book: Catalogue) -> str:
    """Return the programme's name (or 'rest today')."""
    if prescription.is_rest:
        return text("programs.rest", language)
    return book.programmes[prescription.programme].name.get(language)


def explain(profile: Profile, prescription: Prescription, language: Language) -> Explanation:
    """Return the resident/family explanation and the staff proposals for ``profile``."""
    book = exercise_catalogue()
    resident: list[str] = []
    for battery, lines in _RESULT_LINES.items():
        latest = profile.latest(battery)
        if latest is not None:
            resident += lines(latest, profile.previous(battery), profile, language)
    if not resident:
        resident.append(text("explain.no_results", language))
    resident.append(_programme_line(prescription, language, book))
    return Explanation(tuple(resident), tuple(_staff(profile, prescription, language, book)))


def battery_lines(profile: Profile, battery: str, language: Language) -> tuple[str, ...]:
    """Return the explanation of the latest ``battery`` in ``profile`` alone (none: empty)."""
    latest = profile.latest(battery)
    lines = _RESULT_LINES.get(battery)
    if latest is None or lines is None:
        return ()
    return tuple(lines(latest, profile.previous(battery), profile, language))


def _programme_line(prescription: Prescription, language: Language, book: Catalogue) -> str:
    if prescription.is_rest or prescription.sessions_per_week is None:
        return text("explain.rest", language)
    low, high = prescription.sessions_per_week
    return text(
        "explain.programme",
        language,
        programme=programme_label(prescription, language, book),
        level=text("programs.level", language, level=prescription.level),
        minutes=f"{prescription.minutes:.0f}",
        low=low,
        high=high,
    )


def _change(
    what: str,
    before: float | None,
    now: float | None,
    language: Language,
    *,
    higher_is_better: bool,
) -> list[str]:
    """Return a change line and the measurement-error line, or nothing without two values."""
    if before is None or now is None:
        return []
    if now == before:
        key = "explain.change_same"
    else:
        key = "explain.change_up" if (now > before) == higher_is_better else "explain.change_down"
    return [
        text(key, language, what=what, before=f"{before:g}", now=f"{now:g}"),
        text("explain.error_unknown", language),
    ]


def _number(assessment: Assessment | None, key: str) -> float | None:
    value = assessment.get(key) if assessment is not None else None
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _sppb(
    latest: Assessment, previous: Assessment | None, _p: Profile, lang: Language
) -> list[str]:
    lines = [text("explain.sppb.measured", lang, total=latest.get("total"))]
    band = latest.get("band")
    if band:
        lines.append(text(f"explain.sppb.band_{band}", lang))
    lines.append(text("explain.sppb.no_norms", lang))
    lines += _change(
        text("explain.sppb.what", lang),
        _number(previous, "total"),
        _number(latest, "total"),
        lang,
        higher_is_better=True,
    )
    lines.append(text("explain.sppb.source", lang))
    return lines


def _fall_risk(
    latest: Assessment, previous: Assessment | None, profile: Profile, lang: Language
) -> list[str]:
    lines: list[str] = []
    tug = _number(latest, "tug_s")
    if tug is not None:
        lines.append(text("explain.fall_risk.tug", lang, seconds=f"{tug:g}"))
        worse = latest.get("tug_worse_than_age_average")
        if worse is not None:
            lines.append(text(f"explain.fall_risk.tug_{'slower' if worse else 'average'}", lang))
        if latest.get("tug_higher_fall_risk"):
            lines.append(text("explain.fall_risk.tug_risk", lang))
        lines += _change(
            text("explain.fall_risk.tug_what", lang),
            _number(previous, "tug_s"),
            tug,
            lang,
            higher_is_better=False,
        )
    one_leg = _number(latest, "one_leg_stance_s")
    if one_leg is not None:
        lines.append(text("explain.fall_risk.one_leg", lang, seconds=f"{one_leg:g}"))
        grade = latest.get("one_leg_grade")
        if grade:
            status = next(
                (
                    t.get("status")
                    for t in latest.get("tables", [])
                    if t.get("id") == "one_leg_grades_tmig"
                ),
                "PARTIAL",
            )
            lines.append(
                text(
                    "explain.fall_risk.one_leg_grade",
                    lang,
                    sex=text(f"explain.sex_{profile.resident.sex}", lang),
                    grade=text(f"battery.value.{grade}", lang),
                    status=text(f"battery.value.{status}", lang),
                )
            )
        if latest.get("one_leg_injurious_fall_risk"):
            lines.append(text("explain.fall_risk.one_leg_short", lang))
        lines += _change(
            text("explain.fall_risk.one_leg_what", lang),
            _number(previous, "one_leg_stance_s"),
            one_leg,
            lang,
            higher_is_better=True,
        )
    flagged = bool(fall_risk_flags(profile))
    lines.append(text(f"explain.fall_risk.meaning_{'risk' if flagged else 'ok'}", lang))
    return lines


def _awgs(
    latest: Assessment, previous: Assessment | None, profile: Profile, lang: Language
) -> list[str]:
    status = latest.get("status")
    lines = [text(f"explain.awgs.status_{status}", lang)] if status else []
    limit = default_grip_tables().awgs_low_below_kg[profile.resident.sex]
    lines.append(
        text(
            "explain.awgs.grip_limit",
            lang,
            sex=text(f"explain.sex_{profile.resident.sex}", lang),
            limit=f"{limit:g}",
        )
    )
    before = previous.get("status") if previous is not None else None
    if before and status and before != status:
        what = text("explain.awgs.status_what", lang)
        worse = _AWGS_ORDER.index(status) > _AWGS_ORDER.index(before)
        lines.append(
            text(
                "explain.change_down" if worse else "explain.change_up",
                lang,
                what=what,
                before=text(f"battery.value.{before}", lang),
                now=text(f"battery.value.{status}", lang),
            )
        )
    return lines


_AWGS_ORDER = ("no_sarcopenia", "possible_sarcopenia", "sarcopenia", "severe_sarcopenia")


def _mext(
    latest: Assessment, previous: Assessment | None, _p: Profile, lang: Language
) -> list[str]:
    points = latest.get("item_points") or {}
    if latest.get("age_in_tables") is False:
        return [text("explain.mext.age_outside", lang)]
    if latest.get("grade"):
        lines = [
            text(
                "explain.mext.total",
                lang,
                points=latest.get("total_points"),
                grade=latest.get("grade"),
            )
        ]
    else:
        lines = [text("explain.mext.partial", lang, count=len(points))]
    lines.append(
        text(
            "explain.mext.status",
            lang,
            status=text(f"battery.value.{latest.get('table_status')}", lang),
        )
    )
    lines += _change(
        text("explain.mext.what", lang),
        _number(previous, "total_points"),
        _number(latest, "total_points"),
        lang,
        higher_is_better=True,
    )
    return lines


def _kihon(
    latest: Assessment, previous: Assessment | None, _p: Profile, lang: Language
) -> list[str]:
    lines = [text("explain.kihon.total", lang, total=latest.get("total"))]
    band = latest.get("frailty_band")
    if band:
        lines.append(text("explain.kihon.band", lang, band=text(f"battery.value.{band}", lang)))
    if latest.get("jigyo_taishosha"):
        lines.append(text("explain.kihon.jigyo", lang))
    lines += _change(
        text("explain.kihon.what", lang),
        _number(previous, "total"),
        _number(latest, "total"),
        lang,
        higher_is_better=False,
    )
    return lines


def _stabilometry(
    latest: Assessment, previous: Assessment | None, _p: Profile, lang: Language
) -> list[str]:
    eyes_open, eyes_closed = latest.get("eyes_open") or {}, latest.get("eyes_closed") or {}
    velocity = "mean_velocity_cm_s"
    if velocity not in eyes_open or velocity not in eyes_closed:
        return []
    lines = [text("explain.stabilometry.measured", lang, eo=f"{eyes_open[velocity]:.1f}",
                  ec=f"{eyes_closed[velocity]:.1f}")]  # fmt: skip
    ratio = (latest.get("romberg") or {}).get(latest.get("romberg_primary"))
    if ratio is not None:
        lines.append(text("explain.stabilometry.romberg", lang, ratio=f"{ratio:.1f}"))
    lines.append(text("explain.stabilometry.no_norms", lang))
    before = (previous.get("eyes_open") or {}).get(velocity) if previous is not None else None
    lines += _change(text("explain.stabilometry.what", lang),
                     None if before is None else round(before, 1),
                     round(eyes_open[velocity], 1), lang, higher_is_better=False)  # fmt: skip
    return lines


def _grip(latest: Assessment, previous: Assessment | None, p: Profile, lang: Language) -> list[str]:
    strongest = (latest.get("awgs") or {}).get("max_kg")
    rating = latest.get("awgs_rating") or {}
    if strongest is None:
        return []
    lines = [text("explain.grip.measured", lang, kg=f"{strongest:g}")]
    if rating.get("low") is not None:
        sex = text(f"explain.sex_{p.resident.sex}", lang)
        limit = f"{rating['cutoff_kg']:g}"
        lines.append(text(f"explain.grip.{'low' if rating['low'] else 'ok'}", lang, limit=limit,
                          sex=sex))  # fmt: skip
    before = (previous.get("awgs") or {}).get("max_kg") if previous is not None else None
    lines += _change(text("explain.grip.what", lang), before, strongest, lang,
                     higher_is_better=True)  # fmt: skip
    return lines


_RESULT_LINES: Mapping[
    str, Callable[[Assessment, Assessment | None, Profile, Language], list[str]]
] = {
    "sppb": _sppb,
    "fall_risk": _fall_risk,
    "awgs2019": _awgs,
    "mext65": _mext,
    "kihon_checklist": _kihon,
    "stabilometry": _stabilometry,
    "grip": _grip,
}


def reassessment_due(assessments: Sequence[Assessment]) -> date | None:
    """Return the latest assessment date plus the reassessment interval, or None."""
    dated = [a.date for a in assessments if a.date is not None]
    if not dated:
        return None
    return add_months(max(dated), int(rules()["reassessment"]["months"]))


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` calendar months (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _staff(
    profile: Profile, prescription: Prescription, lang: Language, book: Catalogue
) -> list[str]:
    if prescription.is_rest:
        lines = [text("explain.staff.referral", lang)]
    else:
        low, high = prescription.sessions_per_week or (0, 0)
        label = programme_label(prescription, lang, book)
        lines = [
            text(
                "explain.staff.focus",
                lang,
                programme=label,
                level=prescription.level,
                minutes=f"{prescription.minutes:.0f}",
                low=low,
                high=high,
            )
        ]
        for also in prescription.also:
            name = book.programmes[also.programme].name.get(lang)
            lines.append(text("explain.staff.also", lang, programme=name, level=also.level))
    lines += [reason_text(reason, lang, book) for reason in prescription.reasons]
    if fall_risk_flags(profile):
        lines.append(text("explain.staff.precaution_fall", lang))
    if profile.contraindications:
        limits = _join(
            [book.contraindications[c].get(lang) for c in profile.contraindications], lang
        )
        lines.append(text("explain.staff.precaution_limits", lang, limits=limits))
    if prescription.staff_confirmation_required and not prescription.is_rest:
        lines.append(text("explain.staff.precaution_vitals", lang))
    due = reassessment_due(profile.assessments)
    if due is None:
        lines.append(text("explain.staff.reassess_unknown", lang))
    else:
        lines.append(text("explain.staff.reassess", lang, date=due.isoformat()))
    return lines


def prescription_json(profile: Profile, prescription: Prescription) -> dict[str, Any]:
    """Return the prescription as ``genki programs prescribe --json`` prints it."""
    book = exercise_catalogue()
    explanations = {lang: explain(profile, prescription, lang) for lang in LANGUAGES}
    return {
        "programme": prescription.programme,
        "level": prescription.level,
        "minutes": prescription.minutes,
        "sessions_per_week": list(prescription.sessions_per_week or []),
        "exercises": [
            {
                "section": item.section,
                "exercise": item.exercise,
                "name": book.exercises[item.exercise].name.model_dump(),
                "level": item.level,
                "dose": item.dose.model_dump(exclude_none=True),
                "device": book.exercises[item.exercise].device,
            }
            for item in prescription.exercises
        ],
        "reasons": [_reason_json(reason, book) for reason in prescription.reasons],
        "also": [
            {"programme": also.programme, "level": also.level, "reason": also.reason.code}
            for also in prescription.also
        ],
        "staff_confirmation_required": prescription.staff_confirmation_required,
        "staff_referral": prescription.staff_referral,
        "explanation": {lang: "\n".join(e.resident) for lang, e in explanations.items()},
        "staff": {lang: list(e.staff) for lang, e in explanations.items()},
        "rules": {key: rules()["provenance"][key] for key in ("title", "status", "basis")},
    }


def _reason_json(reason: Reason, book: Catalogue) -> dict[str, Any]:
    texts: dict[str, str] = {lang: reason_text(reason, lang, book) for lang in LANGUAGES}
    return {"code": reason.code, "params": dict(reason.params), **texts}
