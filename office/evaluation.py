"""Outcome shares of a period: the 事業所評価加算-style evaluation value and its SPPB counterpart.

**事業所評価加算-style evaluation value** (CARE-INSURANCE.md §3.1, CONFIRMED for the rule as it
stood up to fiscal 2023; its status after 2024 is PARTIAL/UNVERIFIED, §3.2): (M + 2 × I) ÷ D,
where D counts the users who received a selective service for 3 months or more in the period and
then had a renewal or change of their care-need certification, M those of them whose 要支援 level
was maintained and I those whose level improved (要支援2 → 要支援1, 要支援1 → 非該当, 要支援2 →
非該当). The criterion is a value ≥ 0.7 (VALUE_CRITERION). genki counts exercise sessions as the
selective service (運動器機能向上) and a calendar month with at least one session as a month of it.

What the office database holds: a changed care level is an audit event of the resident
(records/residents.py writes ``details["care_level"] = [before, after]`` with the time of the
edit). A renewal that kept the level writes nothing (an edit that changes nothing is not
audited), and the certification date is not recorded, only when the office typed the change. So
I and the worsened changes can be counted, but D and M cannot: the report then names what is
missing (MISSING_*) instead of giving a number. ``evaluation_value`` is the rule itself, for
counts that were established elsewhere.

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
MISSING_RENEWALS = "renewals_without_change"
MISSING_CERTIFICATION_DATES = "certification_dates"


@dataclass(frozen=True, slots=True)
class CareLevelChange:
    """A recorded change of a resident's care level (an audit event of the resident)."""

    resident_uuid: str
    changed_at: datetime
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class EvaluationCounts:
    """D, M and I of CARE-INSURANCE.md §3.1."""

    d: int
    m: int
    i: int


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    """What the stored data establish of the §3.1-style evaluation value for a period."""

    improved: int  # I: support-level improvements after 3+ months of sessions
    worsened: int  # support-level users whose level became worse after 3+ months of sessions
    changes: int  # every recorded care-level change in the period
    value: float | None  # (M + 2I) / D when D and M are established; else None
    missing: tuple[str, ...]  # what the data lack for D and M (MISSING_* codes)
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


def care_level_change(details: object) -> tuple[str, str] | None:
    """Return (before, after) of a resident audit event that changed the care level, or None.

    Two shapes are recorded (records/residents.py): an edit or import writes
    ``{"care_level": [before, after]}``; a roster sync (``resident.sync``) writes
    ``{"previous": {...}, "new": {...}}`` with every field (``previous`` None when added).
    """
    if not isinstance(details, Mapping):
        return None
    level = details.get("care_level")
    if isinstance(level, list) and len(level) == 2:
        return str(level[0]), str(level[1])
    previous, new = details.get("previous"), details.get("new")
    if isinstance(previous, Mapping) and isinstance(new, Mapping):
        before, after = previous.get("care_level"), new.get("care_level")
        if isinstance(before, str) and isinstance(after, str) and before != after:
            return before, after
    return None


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


def _months_before(months: Iterable[date], moment: datetime, start: date) -> int:
    day = local_day(moment)
    return sum(1 for month in months if start <= month <= day)


def evaluation_report(
    changes: Sequence[CareLevelChange],
    session_months: Mapping[str, Iterable[date]],
    *,
    start: date,
    end: date,
) -> EvaluationReport:
    """Count §3.1's I and the worsened changes in [start, end]; D and M are reported missing.

    ``session_months`` gives, per resident, the first day of every month with a session.
    """
    in_period = [c for c in changes if start <= local_day(c.changed_at) <= end]
    improved = worsened = 0
    for change in in_period:
        months = set(session_months.get(change.resident_uuid, ()))
        if change.before not in SUPPORT_LEVELS:
            continue
        if _months_before(months, change.changed_at, start) < MIN_SERVICE_MONTHS:
            continue
        if (change.before, change.after) in IMPROVEMENTS:
            improved += 1
        elif change.after in LEVEL_ORDER and (
            LEVEL_ORDER.index(change.after) > LEVEL_ORDER.index(change.before)
        ):
            worsened += 1
    return EvaluationReport(improved, worsened, len(in_period), None,
                            (MISSING_RENEWALS, MISSING_CERTIFICATION_DATES))  # fmt: skip


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
