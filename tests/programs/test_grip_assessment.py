"""Grip rules: best per hand, MEXT whole-kg mean, AWGS 2019 maximum and cut-offs, provenance."""

from __future__ import annotations

import re
from dataclasses import replace
from importlib import resources

import pytest

from measures.grip import GripFlag, GripTrialResult
from programs.grip import (
    GripTableError,
    GripTrial,
    Hand,
    Sex,
    assess_grip,
    default_grip_tables,
    parse_grip_tables,
    record_whole_kg,
)

TOML = resources.files("programs.data").joinpath("grip.toml").read_text("utf-8")


def _trial(hand: Hand | None, peak_kgf: float, label: str = "1", *flags: GripFlag) -> GripTrial:
    result = GripTrialResult(
        samples=500, duration_s=6.0, rate_hz=80.0, peak_kgf=peak_kgf, peak_time_s=1.5,
        baseline_kgf=0.0, onset_time_s=1.0, time_to_peak_s=0.5, rfd_0_100_kgf_s=None,
        rfd_0_200_kgf_s=None, hold_90_s=None, fatigue_resistance_50_s=None,
        fatigue_index_pct=None, quality_flags=flags,
    )  # fmt: skip
    return GripTrial(hand, label, result)


def _four(left: tuple[float, float], right: tuple[float, float]) -> list[GripTrial]:
    return [
        _trial("right", right[0], "1"), _trial("left", left[0], "1"),
        _trial("right", right[1], "2"), _trial("left", left[1], "2"),
    ]  # fmt: skip


def test_best_per_hand_mext_mean_and_awgs_maximum() -> None:
    assessment = assess_grip(_four(left=(19.6, 20.2), right=(22.3, 23.1)))
    assert (assessment.best_left_kg, assessment.best_right_kg) == (20.2, 23.1)
    assert assessment.mext.mean_kg == pytest.approx(21.65)
    assert assessment.mext.recorded_kg == 22
    assert assessment.awgs.max_kg == 23.1
    assert assessment.awgs.trials_used == 4
    assert assessment.asymmetry_pct == pytest.approx(100 * 2.9 / 23.1)
    assert assessment.stronger_hand == "right"
    assert assessment.rating is None


@pytest.mark.parametrize(
    ("left", "right", "recorded"),
    [(20.0, 21.0, 21), (20.0, 20.9, 20), (20.4, 20.5, 20), (24.3, 24.7, 25), (17.0, 17.0, 17)],
)
def test_mext_rounds_the_mean_half_up_to_whole_kg(left: float, right: float, recorded: int) -> None:
    trials = [_trial("left", left), _trial("right", right)]
    assert assess_grip(trials).mext.recorded_kg == recorded


def test_truncation_is_the_other_rounding_the_table_may_name() -> None:
    assert record_whole_kg(20.5, "half_up") == 21
    assert record_whole_kg(20.5, "truncate") == 20
    assert record_whole_kg(20.999, "truncate") == 20
    tables = replace(default_grip_tables(), mext_rounding="truncate")
    trials = [_trial("left", 20.0), _trial("right", 21.0)]
    assert assess_grip(trials, tables=tables).mext.recorded_kg == 20


def test_mext_needs_both_hands() -> None:
    mext = assess_grip([_trial("right", 25.0, "1"), _trial("right", 26.0, "2")]).mext
    assert (mext.mean_kg, mext.recorded_kg, mext.missing) == (None, None, "both_hands_needed")
    assert mext.table.status == "UNVERIFIED"


def test_awgs_needs_at_least_two_trials() -> None:
    awgs = assess_grip([_trial("right", 25.0)], sex="M").awgs
    assert (awgs.max_kg, awgs.trials_used, awgs.min_trials) == (None, 1, 2)
    assert awgs.missing == "too_few_trials"
    assert assess_grip([_trial("right", 25.0)], sex="M").rating is None


def test_awgs_takes_the_maximum_over_both_hands_and_unlabelled_trials() -> None:
    trials = [_trial(None, 18.5, "1"), _trial(None, 19.5, "2"), _trial("left", 19.0)]
    assessment = assess_grip(trials)
    assert assessment.awgs.max_kg == 19.5
    assert assessment.best_right_kg is None
    assert assessment.asymmetry_pct is None


def test_trials_without_effort_are_listed_but_not_used() -> None:
    trials = [_trial("left", 0.06, "1", GripFlag.NO_EFFORT), _trial("left", 21.0, "2")]
    assessment = assess_grip(trials)
    assert len(assessment.trials) == 2
    assert [t.usable for t in assessment.trials] == [False, True]
    assert assessment.awgs.trials_used == 1
    assert assessment.awgs.max_kg is None


@pytest.mark.parametrize(
    ("sex", "grip_kg", "low"),
    [("M", 27.9, True), ("M", 28.0, False), ("M", 27.99, True),
     ("F", 17.9, True), ("F", 18.0, False), ("F", 17.99, True)],
)  # fmt: skip
def test_awgs_low_grip_on_both_sides_of_the_cut_offs(sex: Sex, grip_kg: float, low: bool) -> None:
    rating = assess_grip([_trial("left", grip_kg - 1), _trial("right", grip_kg)], sex=sex).rating
    assert rating is not None
    assert rating.low is low
    assert rating.cutoff_kg == {"M": 28.0, "F": 18.0}[sex]


def test_every_rule_names_its_table_source_and_status() -> None:
    document = assess_grip(_four((20.0, 21.0), (22.0, 23.0)), sex="F").as_json()
    tables = {part: document[part]["table"] for part in ("mext", "awgs", "awgs_rating")}
    assert tables["mext"]["id"] == "mext_grip_record"
    assert tables["mext"]["reference"] == "REFERENCE.md §7.1"
    assert tables["mext"]["status"] == "UNVERIFIED"
    assert "新体力テスト実施要項" in tables["mext"]["source"]
    assert tables["awgs"]["status"] == "UNVERIFIED"
    assert tables["awgs"]["reference"] == "REFERENCE.md §1.5"
    assert tables["awgs_rating"]["status"] == "CONFIRMED"
    assert tables["awgs_rating"]["reference"] == "REFERENCE.md §1.1"
    assert "10.1016/j.jamda.2019.12.012" in tables["awgs_rating"]["source"]
    assert all(t["check_against"] for t in tables.values() if t["status"] != "CONFIRMED")
    assert document["awgs_rating"]["low"] is False
    assert document["trials"][0]["definitions_status"] == "UNVERIFIED"


def test_the_data_file_holds_the_reference_numbers() -> None:
    tables = default_grip_tables()
    assert dict(tables.awgs_low_below_kg) == {"M": 28.0, "F": 18.0}
    assert tables.awgs_min_trials == 2
    assert tables.mext_rounding == "half_up"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('status = "CONFIRMED"\ncheck_against = ""', 'status = "SURE"\ncheck_against = ""'),
         "status 'SURE'"),
        (("check_against = \"Chen et al. 2020, 'Muscle strength' section\"", 'check_against = ""'),
         "check_against is required"),
        (('rounding = "half_up"', 'rounding = "nearest"'), "rounding 'nearest'"),
        (("min_trials = 2", "min_trials = 0"), "min_trials 0"),
        (("M = 28.0, F = 18.0", "M = 28.0"), "low_below_kg"),
        (("[tables.awgs2019_grip_protocol]", "[tables.other]"),
         "no [tables.awgs2019_grip_protocol]"),
    ],
)  # fmt: skip
def test_a_broken_table_file_is_refused_with_the_table_named(
    change: tuple[str, str], message: str
) -> None:
    old, new = change
    assert old in TOML
    with pytest.raises(GripTableError, match=re.escape(message)):
        parse_grip_tables(TOML.replace(old, new, 1))
