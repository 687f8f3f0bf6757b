"""The residents list's figures: the latest result per test with its rating, and the flags.

Headline value and rating per battery or test (HEADLINES): SPPB total and band (REFERENCE.md
§2.4), AWGS 2019 status (§1), fall-risk TUG time and whether a fall-risk flag of the
prescription rules is set (§3, §6), grip peak (trial) or AWGS maximum (assessment) rated against
the AWGS 2019 low-grip cut-off for the resident's sex (§1.1, programs/grip.py), MEXT total and
grade (§7), Kihon Checklist total and band (§10), stabilometry eyes-open velocity (§8). Trials
of one test on one local day count as one measurement, the best of them (AWGS 2019 takes the
maximum of the trials); a grip trial flagged ``no_effort`` is no measurement of strength
(programs/grip.py) and is left out.

Flags:

- ``decline``: the latest measurement of a test is worse than the one before. Whether the change
  is larger than the measurement error is unknown: REFERENCE.md gives no SEM or MDC for any of
  these tests (programs/explanations.py, ``explain.error_unknown``), so none is applied.
- ``overdue`` / ``due_soon`` / ``never_assessed``: the reassessment schedule of
  programs/documents.py ``due_rows`` (``[reassessment]`` of programs/data/prescription.toml:
  at least every 3 months, CARE-INSURANCE.md §1.4).
- ``no_session``: no exercise session for more than NO_SESSION_DAYS days, or none at all.
- ``unknown_resident``: results of a resident the office's roster does not (yet) know.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from office.results import Result, number_at, text_at
from programs.documents import due_rows
from programs.grip import default_grip_tables
from programs.prescription import rules
from records.profiles import local_day

# A project decision, not a clinical rule: every programme is prescribed at least twice a week
# (programs/data/programmes.toml, sessions_per_week), so two weeks without a session means at
# least four sessions missed; that is when staff should ask why.
NO_SESSION_DAYS = 14
AWGS_ORDER = ("no_sarcopenia", "possible_sarcopenia", "sarcopenia", "severe_sarcopenia")
NO_EFFORT = "no_effort"


class FlagCode(StrEnum):
    """What a flag says about a resident."""

    DECLINE = "decline"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    NEVER_ASSESSED = "never_assessed"
    NO_SESSION = "no_session"
    UNKNOWN_RESIDENT = "unknown_resident"


@dataclass(frozen=True, slots=True)
class Flag:
    """One flag: its code, the test it concerns (decline) and its figures."""

    code: FlagCode
    subject: str = ""  # the battery or test of a decline
    before: str = ""  # the previous value or rating of a decline
    now: str = ""  # the latest value or rating of a decline
    days: int | None = None  # days since the last session (None: never)
    due: date | None = None  # the reassessment date of overdue / due_soon


@dataclass(frozen=True, slots=True)
class Headline:
    """Which value of a test's result is shown, its unit, and which way is better."""

    path: tuple[str, ...] | None  # into Result.values; None: the rating alone
    unit: str  # a battery.unit code
    higher_is_better: bool
    rating_path: tuple[str, ...] | None = None


HEADLINES: dict[tuple[str, str], Headline] = {
    ("assessment", "sppb"): Headline(("total",), "points", higher_is_better=True,
                                     rating_path=("band",)),
    ("assessment", "awgs2019"): Headline(None, "", higher_is_better=False,
                                         rating_path=("status",)),
    ("assessment", "fall_risk"): Headline(("tug_s",), "s", higher_is_better=False),
    ("assessment", "mext65"): Headline(("total_points",), "points", higher_is_better=True,
                                       rating_path=("grade",)),
    ("assessment", "kihon_checklist"): Headline(("total",), "points", higher_is_better=False,
                                                rating_path=("frailty_band",)),
    ("assessment", "stabilometry"): Headline(("eyes_open", "mean_velocity_cm_s"), "cm_s",
                                             higher_is_better=False),
    ("assessment", "grip"): Headline(("awgs", "max_kg"), "kg", higher_is_better=True),
    ("trial", "grip"): Headline(("peak_kgf",), "kg", higher_is_better=True),
}  # fmt: skip
GRIP, FALL_RISK = "grip", "fall_risk"


@dataclass(frozen=True, slots=True)
class Measurement:
    """One headline measurement of a test: when, the value and the rating."""

    name: str
    kind: str
    performed_at: datetime
    value: float | None
    unit: str
    rating: str | None


@dataclass(frozen=True, slots=True)
class Latest:
    """A test's latest measurement and the one before it (None: only one so far)."""

    current: Measurement
    previous: Measurement | None

    @property
    def declined(self) -> bool:
        """Whether the latest measurement is worse than the previous one (no error margin)."""
        return self.previous is not None and _worse(self.current, self.previous)


def _order(rating: str | None) -> int | None:
    return AWGS_ORDER.index(rating) if rating in AWGS_ORDER else None


def _worse(now: Measurement, before: Measurement) -> bool:
    headline = HEADLINES[(now.kind, now.name)]
    if headline.path is None:  # AWGS 2019: the status order
        now_rank, before_rank = _order(now.rating), _order(before.rating)
        return now_rank is not None and before_rank is not None and now_rank > before_rank
    if now.value is None or before.value is None or now.value == before.value:
        return False
    return (now.value > before.value) != headline.higher_is_better


def grip_rating(value: float | None, sex: str | None) -> str | None:
    """Return ``low_grip`` or ``grip_ok`` against the AWGS 2019 cut-off for ``sex`` (F/M)."""
    if value is None or sex not in ("F", "M"):
        return None
    limit = default_grip_tables().awgs_low_below_kg["F" if sex == "F" else "M"]
    return "low_grip" if value < limit else "grip_ok"


def fall_risk_rating(values: Mapping[str, Any]) -> str | None:
    """``fall_risk_flagged`` when a fall-risk flag of the prescription rules is set, else none.

    The flags are ``[fall_risk] flags`` of programs/data/prescription.toml (REFERENCE.md §3.1,
    §6.2); None when the battery decided none of them.
    """
    flags = [values.get(name) for name in rules()["fall_risk"]["flags"]]
    if any(flag is True for flag in flags):
        return "fall_risk_flagged"
    return "fall_risk_none" if any(flag is False for flag in flags) else None


def measurement(result: Result, sex: str | None) -> Measurement | None:
    """Return the headline measurement of a result, or None for a test without a headline."""
    headline = HEADLINES.get((result.kind, result.name))
    if headline is None or NO_EFFORT in (result.values.get("quality_flags") or ()):
        return None
    value = None if headline.path is None else number_at(result.values, headline.path)
    if headline.rating_path is not None:
        rating = text_at(result.values, headline.rating_path)
    elif result.name == GRIP:
        rating = grip_rating(value, sex)
    elif result.name == FALL_RISK:
        rating = fall_risk_rating(result.values)
    else:
        rating = None
    if value is None and rating is None:
        return None
    return Measurement(result.name, result.kind, result.performed_at, value, headline.unit, rating)


def _better(item: Measurement, kept: Measurement) -> bool:
    if item.value is None or kept.value is None:
        return kept.value is None and item.value is not None
    if HEADLINES[(item.kind, item.name)].higher_is_better:
        return item.value > kept.value
    return item.value < kept.value


def _best_per_day(items: Sequence[Measurement]) -> list[Measurement]:
    """Trials of one local day count once, the best of them (the latest on a tie)."""
    days: dict[date, Measurement] = {}
    for item in items:
        day = local_day(item.performed_at)
        kept = days.get(day)
        if kept is None or not _better(kept, item):
            days[day] = item
    return [days[day] for day in sorted(days)]


def best_trial_per_day(results: Iterable[Result]) -> list[Result]:
    """Keep, of a test's trials on one local day, the best by its headline (the latest on a tie).

    Assessments, and trials without a headline value, pass through; the result is oldest first.
    Trends then show one point a day per test, as the flags compare (``latest_by_test``).
    """
    kept: dict[tuple[str, date], tuple[Result, Measurement]] = {}
    others: list[Result] = []
    for result in results:
        found = measurement(result, None) if result.kind == "trial" else None
        if found is None or found.value is None:
            others.append(result)
            continue
        key = (result.name, local_day(result.performed_at))
        held = kept.get(key)
        if held is None or not _better(held[1], found):
            kept[key] = (result, found)
    best = [result for result, _found in kept.values()]
    return sorted([*others, *best], key=lambda result: result.performed_at)


def latest_by_test(results: Iterable[Result], sex: str | None) -> dict[str, Latest]:
    """Return the latest and previous measurement per test name; results sorted oldest first."""
    by_name: dict[tuple[str, str], list[Measurement]] = {}
    for result in results:
        found = measurement(result, sex)
        if found is not None:
            by_name.setdefault((found.kind, found.name), []).append(found)
    latest: dict[str, Latest] = {}
    for (kind, name), items in sorted(by_name.items()):
        series = _best_per_day(items) if kind == "trial" else items
        entry = Latest(series[-1], series[-2] if len(series) > 1 else None)
        if name not in latest or entry.current.performed_at > latest[name].current.performed_at:
            latest[name] = entry
    return latest


def _shown(item: Measurement) -> str:
    return f"{item.value:g}" if item.value is not None else item.rating or ""


def resident_flags(
    *,
    latest: dict[str, Latest],
    last_assessed: date | None,
    last_session: date | None,
    known: bool,
    today: date,
) -> tuple[Flag, ...]:
    """Return a resident's flags (module docstring) in a fixed order."""
    flags = [Flag(FlagCode.UNKNOWN_RESIDENT)] if not known else []
    for name, entry in sorted(latest.items()):
        if entry.declined and entry.previous is not None:
            flags.append(
                Flag(FlagCode.DECLINE, name, _shown(entry.previous), _shown(entry.current))
            )
    schedule = due_rows([("", "", last_assessed)], today=today)[0]
    if schedule.status == "never":
        flags.append(Flag(FlagCode.NEVER_ASSESSED))
    elif schedule.status in ("overdue", "due_soon"):
        flags.append(Flag(FlagCode(schedule.status), due=schedule.due))
    if last_session is None:
        flags.append(Flag(FlagCode.NO_SESSION))
    elif (today - last_session).days > NO_SESSION_DAYS:
        flags.append(Flag(FlagCode.NO_SESSION, days=(today - last_session).days))
    return tuple(flags)
