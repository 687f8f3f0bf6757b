"""MEXT 65–79: ADL screening, recording rules, both sides of every point and grade bound.

The threshold vectors and grade bounds are copied here from REFERENCE.md §7.4–7.5 independently
of programs/data/mext65.toml, so a typo in either is caught.
"""

from __future__ import annotations

from typing import Any

import pytest

from programs.batteries import EntryError, Resident
from programs.batteries.mext65 import ITEMS, item_points, score_mext65
from programs.batteries.tables import battery_tables
from programs.grip import Sex

ALL_3 = [3] * 12
POINTS_TABLE = battery_tables("mext65")["mext65_points"]
# points 10 down to 2; x ≥ L (or t ≤ U for the obstacle walk); otherwise 1
VECTORS: dict[Sex, dict[str, list[float]]] = {
    "M": {
        "grip_kg": [49, 45, 42, 39, 36, 32, 29, 25, 22],
        "sit_ups": [21, 19, 16, 14, 12, 10, 7, 4, 1],
        "sit_and_reach_cm": [56, 51, 46, 41, 36, 31, 26, 21, 14],
        "one_leg_stance_s": [120, 73, 46, 31, 21, 15, 10, 6, 3],
        "obstacle_walk_10m_s": [4.4, 5.0, 5.6, 6.1, 6.7, 7.4, 8.3, 9.7, 11.8],
        "walk_6min_m": [755, 695, 645, 595, 550, 510, 470, 430, 390],
    },
    "F": {
        "grip_kg": [32, 29, 27, 25, 22, 20, 17, 14, 12],
        "sit_ups": [17, 15, 13, 11, 9, 7, 5, 3, 1],
        "sit_and_reach_cm": [56, 52, 48, 44, 40, 36, 31, 25, 18],
        "one_leg_stance_s": [120, 68, 40, 26, 18, 12, 8, 5, 3],
        "obstacle_walk_10m_s": [5.0, 5.8, 6.6, 7.2, 7.9, 8.8, 9.9, 11.4, 13.4],
        "walk_6min_m": [690, 640, 610, 570, 525, 480, 435, 395, 350],
    },
}
BOUNDARIES = [
    (sex, item, bound, 10 - index)
    for sex, items in VECTORS.items()
    for item, bounds in items.items()
    for index, bound in enumerate(bounds)
]


@pytest.mark.parametrize(("sex", "item", "bound", "points"), BOUNDARIES)
def test_item_points_on_both_sides_of_every_bound(
    sex: Sex, item: str, bound: float, points: int
) -> None:
    step = 0.1 if item == "obstacle_walk_10m_s" else 1
    worse = round(bound + step, 1) if item == "obstacle_walk_10m_s" else bound - step
    assert item_points(POINTS_TABLE, sex, item, bound) == points
    assert item_points(POINTS_TABLE, sex, item, worse) == points - 1


def _score(sex: Sex, age: int, results: dict[str, Any]) -> Any:
    return score_mext65(Resident(sex, age), {"adl_answers": ALL_3, **results})


HAND_WORKED = [
    # woman 72: grip mean (23.1 + 20.2)/2 = 21.65 → 22 → 6; sit-ups 9 → 6; reach best 40.5 → 40
    # → 6; one-leg best 130.2 → 130 → capped 120 → 10; obstacle best 7.25 → 7.3 → 6; 530 m → 6;
    # total 6+6+6+10+6+6 = 40; age 70–74: 38 ≤ 40 ≤ 45 → B
    ("F", 72, {"grip_kg": {"right": [22.3, 23.1], "left": [20.2, 19.6]}, "sit_ups": 9,
               "sit_and_reach_cm": [40.5, 39], "one_leg_stance_s": [130.2, 20],
               "obstacle_walk_10m_s": [7.25, 7.3], "walk_6min_m": 530},
     {"grip_kg": 6, "sit_ups": 6, "sit_and_reach_cm": 6, "one_leg_stance_s": 10,
      "obstacle_walk_10m_s": 6, "walk_6min_m": 6}, 40, "B"),
    # man 66: grip 49 → 10; 21 → 10; 56 → 10; 120 → 10; 4.4 → 10; 755 → 10; 60 → A (≥ 49)
    ("M", 66, {"grip_kg": 49, "sit_ups": 21, "sit_and_reach_cm": 56, "one_leg_stance_s": 120,
               "obstacle_walk_10m_s": 4.4, "walk_6min_m": 755},
     dict.fromkeys(ITEMS, 10), 60, "A"),
    # man 77: grip 21 → 1; 0 → 1; 13 → 1; 2 → 1; 11.9 → 1; 389 → 1; 6 → E (≤ 18)
    ("M", 77, {"grip_kg": 21, "sit_ups": 0, "sit_and_reach_cm": 13, "one_leg_stance_s": 2,
               "obstacle_walk_10m_s": 11.9, "walk_6min_m": 389},
     dict.fromkeys(ITEMS, 1), 6, "E"),
    # man 70: 36 kg → 6; 12 → 6; 36 cm → 6; 21 s → 6; 6.7 s → 6; 550 m → 6; 36 → C (30–37)
    ("M", 70, {"grip_kg": 36, "sit_ups": 12, "sit_and_reach_cm": 36, "one_leg_stance_s": 21,
               "obstacle_walk_10m_s": 6.7, "walk_6min_m": 550},
     dict.fromkeys(ITEMS, 6), 36, "C"),
    # woman 65: 20 → 5; 7 → 5; 36 → 5; 12 → 5; 8.8 → 5; 480 → 5; 30 → D (25–32)
    ("F", 65, {"grip_kg": 20, "sit_ups": 7, "sit_and_reach_cm": 36, "one_leg_stance_s": 12,
               "obstacle_walk_10m_s": 8.8, "walk_6min_m": 480},
     dict.fromkeys(ITEMS, 5), 30, "D"),
    # woman 79: 27 → 8; 13 → 8; 48 → 8; 40 → 8; 6.6 → 8; 610 → 8; 48 → A (≥ 43)
    ("F", 79, {"grip_kg": 27, "sit_ups": 13, "sit_and_reach_cm": 48, "one_leg_stance_s": 40,
               "obstacle_walk_10m_s": 6.6, "walk_6min_m": 610},
     dict.fromkeys(ITEMS, 8), 48, "A"),
    # woman 75: grip 21.5 → half up 22 → 6; obstacle 7.91 → up 8.0 → 5; one-leg 17.9 → 17 → 5;
    # reach 39.9 → 39 → 5; 524.9 → 524 → 5; sit-ups 9 → 6; 6+5+5+5+5+6 = 32 → C (27–34)
    ("F", 75, {"grip_kg": 21.5, "sit_ups": 9, "sit_and_reach_cm": 39.9, "one_leg_stance_s": 17.9,
               "obstacle_walk_10m_s": 7.91, "walk_6min_m": 524.9},
     {"grip_kg": 6, "sit_ups": 6, "sit_and_reach_cm": 5, "one_leg_stance_s": 5,
      "obstacle_walk_10m_s": 5, "walk_6min_m": 5}, 32, "C"),
    # man 68: five items only (no 6-min walk) → points for those, no total, no grade
    ("M", 68, {"grip_kg": 40, "sit_ups": 15, "sit_and_reach_cm": 45, "one_leg_stance_s": 45,
               "obstacle_walk_10m_s": 6.1},
     {"grip_kg": 7, "sit_ups": 7, "sit_and_reach_cm": 7, "one_leg_stance_s": 7,
      "obstacle_walk_10m_s": 7}, None, None),
    # man 82: outside the 65–79 tables → recorded values only, no points, no grade
    ("M", 82, {"grip_kg": 40, "sit_ups": 15}, {}, None, None),
    # woman 74: all 4 points: 17, 5, 31, 8, 9.9, 435 → 24 → D (22–29)
    ("F", 74, {"grip_kg": 17, "sit_ups": 5, "sit_and_reach_cm": 31, "one_leg_stance_s": 8,
               "obstacle_walk_10m_s": 9.9, "walk_6min_m": 435},
     dict.fromkeys(ITEMS, 4), 24, "D"),
]  # fmt: skip


@pytest.mark.parametrize(("sex", "age", "results", "points", "total", "grade"), HAND_WORKED)
def test_hand_worked_batteries(
    sex: Sex,
    age: int,
    results: dict[str, Any],
    points: dict[str, int],
    total: int | None,
    grade: str | None,
) -> None:
    result = _score(sex, age, results)
    assert (dict(result.item_points), result.total_points, result.grade) == (points, total, grade)
    assert result.table_status == "UNVERIFIED"
    assert result.age_in_tables is (65 <= age <= 79)


@pytest.mark.parametrize(
    ("age", "total", "grade"),
    [
        (65, 49, "A"), (69, 48, "B"), (69, 41, "B"), (65, 40, "C"), (69, 33, "C"),
        (65, 32, "D"), (65, 25, "D"), (69, 24, "E"),
        (70, 46, "A"), (74, 45, "B"), (70, 38, "B"), (74, 37, "C"), (70, 30, "C"),
        (74, 29, "D"), (70, 22, "D"), (74, 21, "E"),
        (75, 43, "A"), (79, 42, "B"), (75, 35, "B"), (79, 34, "C"), (75, 27, "C"),
        (79, 26, "D"), (75, 19, "D"), (79, 18, "E"),
    ],
)  # fmt: skip
def test_grades_on_both_sides_of_every_bound(age: int, total: int, grade: str) -> None:
    grades = battery_tables("mext65")["mext65_grades"]
    band = grades.age_band(age, "age_bands")
    assert band is not None
    assert grades.lookup(total, "age_bands", band, "rows").result == grade


@pytest.mark.parametrize("age", [64, 80])
def test_no_grade_band_outside_65_to_79(age: int) -> None:
    assert battery_tables("mext65")["mext65_grades"].age_band(age, "age_bands") is None


@pytest.mark.parametrize(
    ("answers", "total", "band", "rules", "allowed"),
    [
        ([1] * 12, 12, "A", ("item_rule_1", "item_rule_4"), ()),
        ([2] * 6 + [1] + [2] * 5, 23, "B", (), ITEMS),
        ([2] * 11 + [3], 25, "C", (), ITEMS),
        ([3] * 11 + [1], 34, "C", ("item_rule_4",), tuple(i for i in ITEMS if i != "sit_ups")),
        ([3, 3, 1, 3, 3, 3, 3, 3, 3, 3, 3, 3], 34, "C", ("item_rule_2",),
         ("grip_kg", "sit_ups", "sit_and_reach_cm", "one_leg_stance_s")),
        ([3, 3, 3, 1, 2, 2, 3, 3, 3, 3, 3, 3], 32, "C", ("item_rule_2",),
         ("grip_kg", "sit_ups", "sit_and_reach_cm", "one_leg_stance_s")),
        # 問3 answered 1 but 問5 too: rule 1 (all excluded), rule 2 does not apply
        ([3, 3, 1, 3, 1, 3, 3, 3, 3, 3, 3, 3], 32, "C", ("item_rule_1",), ()),
        ([3, 3, 3, 3, 3, 1, 3, 3, 3, 3, 3, 3], 34, "C", ("item_rule_1",), ()),
        ([1, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3], 34, "C", ("item_rule_1",), ()),
        ([2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 23, "B", (), ITEMS),
    ],
)  # fmt: skip
def test_adl_screening(
    answers: list[int], total: int, band: str, rules: tuple[str, ...], allowed: tuple[str, ...]
) -> None:
    result = score_mext65(Resident("F", 70), {"adl_answers": answers})
    assert (result.adl_total, result.adl_band, result.adl_rules_met) == (total, band, rules)
    assert result.items_allowed == allowed


@pytest.mark.parametrize(
    ("item", "trials", "recorded"),
    [
        ("one_leg_stance_s", [14.99, 9.5], 14),  # better trial, fractions dropped
        ("one_leg_stance_s", [120.0, 3.0], 120),
        ("one_leg_stance_s", [180.4], 120),  # stopped at 120 s
        ("obstacle_walk_10m_s", [7.21, 7.35], 7.3),  # faster trial, hundredths rounded up
        ("obstacle_walk_10m_s", [7.2], 7.2),
        ("sit_and_reach_cm", [32.9, 30.0], 32),
        ("walk_6min_m", 512.7, 512),
        ("sit_ups", 14, 14),
        ("grip_kg", 24.5, 25),  # recorded value entered: whole kg, half up (grip.toml)
        ("grip_kg", {"right": [24.0], "left": [25.0, 24.0]}, 25),  # (24 + 25) / 2 = 24.5 → 25
    ],
)
def test_measurement_rules(item: str, trials: Any, recorded: float) -> None:
    assert _score("M", 70, {item: trials}).recorded == {item: recorded}


def test_the_grip_rule_names_its_table_from_the_grip_rules() -> None:
    ids = [t.id for t in _score("F", 70, {"grip_kg": 20}).tables]
    assert "mext_grip_record" in ids
    assert "mext65_grip_kg" in ids


@pytest.mark.parametrize(
    ("results", "field", "message"),
    [
        ({"adl_answers": [3] * 11}, "results.adl_answers", "list of 12 values"),
        ({"adl_answers": [3] * 11 + [4]}, "results.adl_answers[12]", "whole number from 1 to 3"),
        ({"adl_answers": [3] * 11 + ["x"]}, "results.adl_answers[12]", "from 1 to 3"),
        ({}, "results.adl_answers", "a value is required"),
        ({"adl_answers": ALL_3, "one_leg_stance_s": [10, 20, 30]},
         "results.one_leg_stance_s", "list of 0–2 values"),
        ({"adl_answers": ALL_3, "walk_6min_m": [500, 510]}, "results.walk_6min_m",
         "list of 0–1 values"),
        ({"adl_answers": ALL_3, "sit_ups": 4.5}, "results.sit_ups", "whole number from 0 to 60"),
        ({"adl_answers": ALL_3, "grip_kg": {"right": [20]}}, "results.grip_kg.left",
         "a value is required"),
        ({"adl_answers": ALL_3, "grip_kg": {"right": [300], "left": [20]}},
         "results.grip_kg.right[1]", "from 0 to 100 kg"),
        ({"adl_answers": ALL_3, "obstacle_walk_10m_s": -5}, "results.obstacle_walk_10m_s",
         "from 2 to 120 s"),
    ],
)  # fmt: skip
def test_bad_entries_name_the_field_and_what_is_allowed(
    results: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(EntryError, match=message) as caught:
        score_mext65(Resident("M", 70), results)
    assert caught.value.field == field
