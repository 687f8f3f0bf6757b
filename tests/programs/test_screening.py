"""Vital-sign screening: every rule of the data file on both sides of its boundary, and the rest."""

from __future__ import annotations

from dataclasses import replace

import pytest

from programs.screening import Outcome, Rule, Vitals, default_rules, screen

NORMAL = Vitals(sbp_mmhg=120, dbp_mmhg=75, pulse_bpm=70, spo2_pct=97, temperature_c=36.5)
RULES = default_rules().rules
RISE = {"sbp_rise_mmhg": "sbp_mmhg", "dbp_rise_mmhg": "dbp_mmhg"}


def _step(rule: Rule) -> float:
    return 0.1 if rule.parameter == "temperature_c" else 1.0


def _fired(rule: Rule, value: float) -> bool:
    """Screen NORMAL with the rule's parameter set to ``value``; did this rule fire?"""
    if rule.parameter in RISE:
        name = RISE[rule.parameter]
        result = screen(replace(NORMAL, **{name: getattr(NORMAL, name) + value}), baseline=NORMAL)
    elif rule.parameter == "pulse_rise_pct":
        baseline = replace(NORMAL, pulse_bpm=100)
        result = screen(replace(NORMAL, pulse_bpm=100 + value), baseline=baseline)
    else:
        base = replace(NORMAL, sbp_mmhg=170) if rule.parameter == "dbp_mmhg" else NORMAL
        vitals = replace(base, **{rule.parameter: value})
        result = screen(vitals, baseline=None if rule.applies("pre") else NORMAL)
    fired = [c for c in result.criteria if c.rule == rule.id]
    assert all(c.outcome is rule.outcome and c.table == rule.table for c in fired)
    return bool(fired)


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
def test_every_rule_fires_exactly_at_its_boundary(rule: Rule) -> None:
    step = _step(rule)
    inclusive = rule.comparison in ("ge", "le")
    towards = 1.0 if rule.comparison in ("ge", "gt") else -1.0
    at = rule.threshold
    assert _fired(rule, at) is inclusive
    assert _fired(rule, at + towards * step) is True
    assert _fired(rule, at - towards * step) is False


def test_normal_readings_pass_before_and_during_exercise() -> None:
    assert screen(NORMAL).outcome is Outcome.OK
    assert screen(NORMAL, baseline=NORMAL).outcome is Outcome.OK


def test_the_strictest_outcome_wins_and_every_criterion_is_listed() -> None:
    result = screen(replace(NORMAL, sbp_mmhg=205, spo2_pct=89))
    assert result.outcome is Outcome.DO_NOT_START
    rules = {c.rule for c in result.criteria}
    assert {
        "anderson_doi.sbp_rest_high",
        "jarm_2006.sbp_rest_high",
        "jarm_2006.spo2_rest_low",
    } <= rules
    assert {"jarm_2018.sbp_high", "jarm_2018.spo2_low"} <= rules


@pytest.mark.parametrize(
    ("vitals", "reason"),
    [
        (replace(NORMAL, spo2_pct=None), "not measured"),
        (replace(NORMAL, pulse_bpm=0), "implausible"),
        (replace(NORMAL, sbp_mmhg=400), "implausible"),
        (replace(NORMAL, temperature_c=25.0), "implausible"),
        (replace(NORMAL, dbp_mmhg=130, sbp_mmhg=120), "diastolic not below systolic"),
    ],
)
def test_missing_or_impossible_values_are_never_a_pass(vitals: Vitals, reason: str) -> None:
    result = screen(vitals)
    assert result.outcome is Outcome.CONSULT_STAFF
    assert any(reason in c.reason for c in result.criteria)


def test_an_impossible_value_does_not_trigger_clinical_rules() -> None:
    result = screen(replace(NORMAL, sbp_mmhg=400))
    assert [c.rule for c in result.criteria] == ["input.sbp_mmhg"]


def test_a_missing_baseline_value_is_reported_during_exercise() -> None:
    result = screen(NORMAL, baseline=replace(NORMAL, pulse_bpm=None))
    assert result.outcome is Outcome.CONSULT_STAFF
    assert "baseline.pulse_bpm" in {c.rule for c in result.criteria}


def test_temperature_is_not_required_during_exercise() -> None:
    assert screen(replace(NORMAL, temperature_c=None), baseline=NORMAL).outcome is Outcome.OK


def test_facilities_move_2018_points_only_within_the_printed_range() -> None:
    adjusted = default_rules().adjusted({"jarm_2018.sbp_high": 190})
    assert screen(replace(NORMAL, sbp_mmhg=185), rules=adjusted).outcome is Outcome.OK
    with pytest.raises(ValueError, match="from 180 to 200"):
        default_rules().adjusted({"jarm_2018.sbp_high": 210})
    with pytest.raises(ValueError, match="cannot be adjusted"):
        default_rules().adjusted({"anderson_doi.sbp_rest_high": 210})


def test_every_rule_names_a_table_with_source_and_status() -> None:
    tables = default_rules().tables
    for rule in RULES:
        assert {"title", "reference", "source", "status"} <= set(tables[rule.table])
