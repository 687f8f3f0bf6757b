"""Vital-sign screening before and during exercise: genki's default rule set (REFERENCE.md §9.4).

Rules are data (``programs/data/vital_screening.toml``), each naming its source table
(Anderson–土肥 §9.1, JARM 2006 §9.2, JARM 2018 ranges §9.3). Before exercise the outcome is
``ok``, ``consult_staff`` or ``do_not_start``; during exercise (with the same day's pre-exercise
values as baseline) ``ok``, ``consult_staff``, ``pause_recheck`` or ``stop``. The strictest fired
rule wins (do_not_start > stop > pause_recheck > consult_staff). A missing or implausible value is
never a pass: it gives ``consult_staff`` with the reason. A facility may move the 2018 default
points only within their printed ranges. Symptom questions (angina, palpitations …) are asked by
staff at the kiosk and are not part of this numeric screen.
"""

from __future__ import annotations

import operator
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from enum import IntEnum
from functools import cache
from importlib import resources
from typing import Any, Literal

Phase = Literal["pre", "during"]
COMPARISONS: Mapping[str, Callable[[float, float], bool]] = {
    "ge": operator.ge, "le": operator.le, "gt": operator.gt, "lt": operator.lt,
}  # fmt: skip
MEASURED = ("sbp_mmhg", "dbp_mmhg", "pulse_bpm", "spo2_pct", "temperature_c")


class Outcome(IntEnum):
    """Screening outcomes, ordered from the mildest to the strictest."""

    OK = 0
    CONSULT_STAFF = 1
    PAUSE_RECHECK = 2
    STOP = 3
    DO_NOT_START = 4

    @property
    def code(self) -> str:
        """The outcome's name as printed (``do_not_start`` …)."""
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class Rule:
    """One screening rule from the data file."""

    id: str
    table: str
    phase: str
    outcome: Outcome
    parameter: str
    comparison: str
    threshold: float
    adjustable: tuple[float, float] | None = None

    def applies(self, phase: Phase) -> bool:
        """Whether the rule is checked in ``phase``."""
        return self.phase in (phase, "both")


@dataclass(frozen=True, slots=True)
class Criterion:
    """A rule that fired (or a value that could not be screened), with what triggered it."""

    rule: str
    table: str
    outcome: Outcome
    parameter: str
    value: float | None
    threshold: float | None
    reason: str = ""

    def as_json(self) -> dict[str, Any]:
        """Return the criterion as printed by ``genki screen vitals --json``."""
        return {
            "rule": self.rule, "table": self.table, "outcome": self.outcome.code,
            "parameter": self.parameter, "value": self.value, "threshold": self.threshold,
            "reason": self.reason,
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class Vitals:
    """One set of readings; None where not measured."""

    sbp_mmhg: float | None = None
    dbp_mmhg: float | None = None
    pulse_bpm: float | None = None
    spo2_pct: float | None = None
    temperature_c: float | None = None


@dataclass(frozen=True, slots=True)
class ScreeningResult:
    """The outcome and every criterion that produced it."""

    phase: Phase
    outcome: Outcome
    criteria: tuple[Criterion, ...]

    def as_json(self) -> dict[str, Any]:
        """Return the result as printed by ``genki screen vitals --json``."""
        return {
            "phase": self.phase,
            "outcome": self.outcome.code,
            "criteria": [criterion.as_json() for criterion in self.criteria],
        }


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Rules, their source tables and the plausibility bounds of each measured value."""

    rules: tuple[Rule, ...]
    tables: Mapping[str, Mapping[str, str]]
    plausible: Mapping[str, tuple[float, float]]

    def adjusted(self, thresholds: Mapping[str, float]) -> RuleSet:
        """Return the rule set with facility thresholds, each inside its rule's printed range."""
        by_id = {rule.id: rule for rule in self.rules}
        for rule_id, value in thresholds.items():
            rule = by_id.get(rule_id)
            if rule is None or rule.adjustable is None:
                adjustable = ", ".join(r.id for r in self.rules if r.adjustable)
                raise ValueError(
                    f"rule {rule_id!r} cannot be adjusted; adjustable rules: {adjustable}"
                )
            low, high = rule.adjustable
            if not low <= value <= high:
                raise ValueError(
                    f"{rule_id} = {value:g}; expected a value from {low:g} to {high:g}"
                )
            by_id[rule_id] = replace(rule, threshold=float(value))
        return replace(self, rules=tuple(by_id[rule.id] for rule in self.rules))


@cache
def default_rules() -> RuleSet:
    """Load genki's default rule set from its data file."""
    text = resources.files("programs.data").joinpath("vital_screening.toml").read_text("utf-8")
    data = tomllib.loads(text)
    rules = tuple(
        Rule(
            id=row["id"],
            table=row["table"],
            phase=row["phase"],
            outcome=Outcome[row["outcome"].upper()],
            parameter=row["parameter"],
            comparison=row["comparison"],
            threshold=float(row["threshold"]),
            adjustable=tuple(row["adjustable"]) if "adjustable" in row else None,
        )
        for row in data["rules"]
    )
    plausible = {name: (float(low), float(high)) for name, (low, high) in data["plausible"].items()}
    return RuleSet(rules=rules, tables=data["tables"], plausible=plausible)


BASE_PARAMETER = {
    "sbp_rise_mmhg": "sbp_mmhg", "dbp_rise_mmhg": "dbp_mmhg", "pulse_rise_pct": "pulse_bpm",
}  # fmt: skip


def _input_problem(name: str, value: float | None, reason: str, prefix: str) -> Criterion:
    return Criterion(f"{prefix}.{name}", "input", Outcome.CONSULT_STAFF, name, value, None, reason)


def _unusable(vitals: Vitals, rules: RuleSet, required: set[str], prefix: str) -> list[Criterion]:
    """Missing values that a rule needs, and values no living person can have."""
    problems = []
    for name in MEASURED:
        value = getattr(vitals, name)
        low, high = rules.plausible[name]
        if value is None and name in required:
            problems.append(_input_problem(name, value, "not measured", prefix))
        elif value is not None and not low <= value <= high:
            reason = f"implausible: outside {low:g}–{high:g}, a device or entry error"
            problems.append(_input_problem(name, value, reason, prefix))
    sbp, dbp = vitals.sbp_mmhg, vitals.dbp_mmhg
    if sbp is not None and dbp is not None and dbp >= sbp:
        reason = "implausible: diastolic not below systolic, a device or entry error"
        problems.append(_input_problem("dbp_mmhg", dbp, reason, prefix))
    return problems


def _parameters(vitals: Vitals, baseline: Vitals | None) -> dict[str, float]:
    values = {name: getattr(vitals, name) for name in MEASURED if getattr(vitals, name) is not None}
    if baseline is not None:
        for name in ("sbp_mmhg", "dbp_mmhg", "pulse_bpm"):
            now, before = getattr(vitals, name), getattr(baseline, name)
            if now is not None and before is not None:
                values[name.replace("_", "_rise_", 1)] = now - before
        if vitals.pulse_bpm is not None and baseline.pulse_bpm:
            values["pulse_rise_pct"] = (
                100.0 * (vitals.pulse_bpm - baseline.pulse_bpm) / baseline.pulse_bpm
            )
    return values


def screen(
    vitals: Vitals, *, baseline: Vitals | None = None, rules: RuleSet | None = None
) -> ScreeningResult:
    """Screen readings before exercise, or during exercise when a baseline is given."""
    rules = rules or default_rules()
    phase: Phase = "pre" if baseline is None else "during"
    applicable = [rule for rule in rules.rules if rule.applies(phase)]
    used = {BASE_PARAMETER.get(rule.parameter, rule.parameter) for rule in applicable}
    criteria = _unusable(vitals, rules, used, "input")
    if baseline is not None:
        relative = {
            BASE_PARAMETER[r.parameter] for r in applicable if r.parameter in BASE_PARAMETER
        }
        criteria += _unusable(baseline, rules, relative, "baseline")
    unusable = {c.parameter for c in criteria}
    values = _parameters(vitals, baseline)
    for rule in applicable:
        value = values.get(rule.parameter)
        if value is None or BASE_PARAMETER.get(rule.parameter, rule.parameter) in unusable:
            continue
        if COMPARISONS[rule.comparison](value, rule.threshold):
            criteria.append(
                Criterion(rule.id, rule.table, rule.outcome, rule.parameter, value, rule.threshold)
            )
    outcome = max((c.outcome for c in criteria), default=Outcome.OK)
    return ScreeningResult(phase=phase, outcome=outcome, criteria=tuple(criteria))
