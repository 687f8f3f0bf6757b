"""Outcome shares of a period: the 事業所評価加算-style evaluation value and its SPPB counterpart.

**事業所評価加算-style evaluation value** (CARE-INSURANCE.md §3.1, CONFIRMED for the rule as it
stood up to fiscal 2023; its status after 2024 is PARTIAL/UNVERIFIED, §3.2): (M + 2 × I) ÷ D,
where D counts the users who received a selective service for 3 months or more in the period and
then had a renewal or change of their care-need certification, M those of them whose 要支援 level
was maintained and I those whose level improved (要支援2 → 要支援1, 要支援1 → 非該当, 要支援2 →
非該当). The criterion is a value ≥ 0.7 (VALUE_CRITERION). genki counts exercise sessions as the
selective service (運動器機能向上) and a calendar month with at least one session as a month of it.

What the office database holds: every edit, import or roster sync of a resident is an audit event
(records/residents.py) with the changed fields: ``details["care_level"] = [before, after]`` and
``details["certified_on"] = [before, after]`` for an edit or import, the previous and new values
of every field for a roster sync. A **certification** is an event that changed the certification
date (a renewal or change, 更新・変更認定, entered with its 認定日) or the care level (a change
entered without its date: the day it was entered stands for it, and the report says how many).
A renewal that keeps the level is recorded only when its date is entered.

Counting (project decisions where §3.1 is silent): a user counts in D when a certification falls in
the period after at least MIN_SERVICE_MONTHS months with a session in the period up to its date,
and the level before it was a support level (要支援1・2). A user counts once: the level before the
first such certification is compared with the level after the user's last certification in the
period: maintained (M), improved by §3.1's steps (I), or worse.

**SPPB counterpart** (what genki measures itself, not an insurance rule): among residents with an
SPPB in the period and one before it, the share whose latest total in the period is at least the
previous total.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from records.profiles import local_day

VALUE_CRITERION = 0.7  # CARE-INSURANCE.md §3.1: (M + 2I) / D ≥ 0.7
MIN_SERVICE_MONTHS = 3  # §3.1: a selective service for 3 months or more in the period
IMPROVEMENTS = frozenset({("support_2", "support_1"), ("support_1", "independent"),
                          ("support_2", "independent")})  # fmt: skip  # §3.1, I
SUPPORT_LEVELS = ("support_1", "support_2")
# Certification outcomes from best to worst; 事業対象者 is no certification outcome (it follows
# the Kihon Checklist), so a change to it is neither counted as improved nor as worsened.
LEVEL_ORDER = ("independent", "support_1", "support_2", "care_1", "care_2", "care_3", "care_4",
               "care_5")  # fmt: skip
STATUS = "PARTIAL"  # §3.2: the addition's status after 2024


@dataclass(frozen=True, slots=True)
class Certification:
    """A recorded renewal or change of a resident's certification, from one audit event.

    ``certified_on`` is the entered certification date (None: a level change entered without it);
    ``before`` and ``after`` are the care levels, None where the event does not say (a renewal
    that kept the level records only its date: ``levels_at`` fills them in).
    """

    resident_uuid: str
    entered_at: datetime
    certified_on: date | None
    before: str | None
    after: str | None

    @property
    def day(self) -> date:
        """The day the certification took effect: its date, else the day it was entered."""
        return self.certified_on or local_day(self.entered_at)


@dataclass(frozen=True, slots=True)
class EvaluationCounts:
    """D, M and I of CARE-INSURANCE.md §3.1."""

    d: int
    m: int
    i: int


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """The §3.1-style evaluation value of a period and the counts it comes from."""

    counts: EvaluationCounts  # D, M (maintained), I (improved)
    worsened: int  # counted in D with a worse level at the end
    certifications: int  # every recorded renewal or change in the period
    undated: int  # of the users in D, those whose certification has no entered date
    value: float | None  # (M + 2I) / D; None when D is 0
    status: str = STATUS


@dataclass(frozen=True, slots=True)
class SppbShare:
    """The SPPB counterpart: residents maintained or improved among those compared."""

    maintained_or_improved: int
    compared: int
    single: int  # residents with an SPPB in the period but none before it to compare with

    @property
    def share(self) -> float | None:
        """maintained_or_improved ÷ compared, or None when nobody could be compared."""
        return self.maintained_or_improved / self.compared if self.compared else None


def certification_change(
    details: object,
) -> tuple[date | None, str | None, str | None] | None:
    """Return (certification date, level before, level after) of a recorded certification.

    None when the resident audit event recorded no renewal or change of certification. Two
    shapes are recorded (records/residents.py): an edit or import writes ``{"care_level":
    [before, after], "certified_on": [before, after]}`` with the fields that changed; a roster
    sync (``resident.sync``) writes ``{"previous": {...}, "new": {...}}`` with every field
    (``previous`` None when added: a registration, not a renewal). A level that did not change
    is None here.
    """
    if not isinstance(details, Mapping):
        return None
    previous, new = details.get("previous"), details.get("new")
    if isinstance(previous, Mapping) and isinstance(new, Mapping):
        changes: Mapping[str, object] = {
            name: [previous.get(name), new.get(name)]
            for name in ("care_level", "certified_on")
            if previous.get(name) != new.get(name)
        }
    else:
        changes = details
    level, dated = changes.get("care_level"), changes.get("certified_on")
    before = after = certified_on = None
    if isinstance(level, list) and len(level) == 2 and all(isinstance(v, str) for v in level):
        before, after = str(level[0]), str(level[1])
    if isinstance(dated, list) and len(dated) == 2 and isinstance(dated[1], str):
        try:
            certified_on = date.fromisoformat(dated[1])
        except ValueError:
            certified_on = None
    if certified_on is None and before is None:
        return None
    return certified_on, before, after


def levels_at(certifications: Sequence[Certification], current: str) -> list[Certification]:
    """Fill in the levels a date-only renewal kept, from the resident's ``current`` level.

    ``certifications`` are one resident's, oldest first; the level after each is the level
    before the next recorded level change, or ``current`` when none follows.
    """
    filled: list[Certification] = []
    level = current
    for certification in reversed(certifications):
        if certification.after is not None:
            level = certification.after
        kept = Certification(certification.resident_uuid, certification.entered_at,
                             certification.certified_on, certification.before or level,
                             certification.after or level)  # fmt: skip
        filled.append(kept)
        if certification.before is not None:
            level = certification.before
    return filled[::-1]


def evaluation_value(counts: EvaluationCounts) -> float:
    """Return (M + 2 × I) ÷ D (CARE-INSURANCE.md §3.1); D = 12, M = 6, I = 2 gives 0.833…."""
    if counts.d <= 0:
        raise ValueError(f"D = {counts.d}; expected at least 1 user with a renewal or change")
    if counts.m < 0 or counts.i < 0 or counts.m + counts.i > counts.d:
        raise ValueError(
            f"M = {counts.m}, I = {counts.i}, D = {counts.d}; expected M, I ≥ 0 and M + I ≤ D"
        )
    return (counts.m + 2 * counts.i) / counts.d


def meets_value_criterion(value: float) -> bool:
    """Whether the evaluation value meets §3.1's ≥ 0.7."""
    return value >= VALUE_CRITERION


def _months_up_to(months: Iterable[date], day: date, start: date) -> int:
    return sum(1 for month in set(months) if start <= month <= day)


def _worse(before: str, after: str) -> bool:
    return (
        after in LEVEL_ORDER
        and before in LEVEL_ORDER
        and (LEVEL_ORDER.index(after) > LEVEL_ORDER.index(before))
    )


def evaluation_report(
    certifications: Sequence[Certification],
    session_months: Mapping[str, Iterable[date]],
    *,
    start: date,
    end: date,
) -> EvaluationReport:
    """Count §3.1's D, M and I in [start, end] and the evaluation value (module docstring).

    ``certifications`` have their levels filled in (``levels_at``), oldest first;
    ``session_months`` gives, per resident, the first day of every month with a session.
    """
    in_period = sorted((c for c in certifications if start <= c.day <= end),
                       key=lambda c: (c.day, c.entered_at))  # fmt: skip
    per_user: dict[str, list[Certification]] = {}
    for certification in in_period:
        uuid = certification.resident_uuid
        if uuid in per_user:
            per_user[uuid].append(certification)
            continue
        served = _months_up_to(session_months.get(uuid, ()), certification.day, start)
        if certification.before in SUPPORT_LEVELS and served >= MIN_SERVICE_MONTHS:
            per_user[uuid] = [certification]
    maintained = improved = worsened = undated = 0
    for user in per_user.values():
        before, after = str(user[0].before), str(user[-1].after)
        maintained += after == before
        improved += (before, after) in IMPROVEMENTS
        worsened += _worse(before, after)
        undated += any(c.certified_on is None for c in user)
    counts = EvaluationCounts(len(per_user), maintained, improved)
    value = evaluation_value(counts) if counts.d else None
    return EvaluationReport(counts, worsened, len(in_period), undated, value)


def sppb_share(totals: Mapping[str, Sequence[tuple[datetime, float]]], *, start: date,
               end: date) -> SppbShare:  # fmt: skip
    """Return the SPPB counterpart from each resident's SPPB totals, oldest first."""
    better = compared = single = 0
    for series in totals.values():
        inside = [i for i, (when, _) in enumerate(series) if start <= local_day(when) <= end]
        if not inside:
            continue
        last = inside[-1]
        if last == 0:
            single += 1
            continue
        compared += 1
        better += series[last][1] >= series[last - 1][1]
    return SppbShare(better, compared, single)
