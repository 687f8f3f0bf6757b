"""SPPB scoring: hand-worked batteries, both sides of every cut-off, skip logic and bad entries.

Cut-offs are written here from REFERENCE.md §2 independently of programs/data/sppb.toml.
"""

from __future__ import annotations

from typing import Any

import pytest

from programs.batteries import EntryError
from programs.batteries.sppb import score_sppb

FULL_BALANCE = {"side_by_side_s": 10.0, "semi_tandem_s": 10.0, "tandem_s": 10.0}


def _points(results: dict[str, Any]) -> tuple[int, int, int, int, str]:
    r = score_sppb(results)
    return r.balance_points, r.gait_points, r.chair_points, r.total, r.band


HAND_WORKED = [
    # 1+1+2 = 4 balance; faster gait 4.50 < 4.82 → 4; 10.80 ≤ 11.19 → 4; 4+4+4 = 12 → high
    ({**FULL_BALANCE, "gait_4m_s": [4.9, 4.5], "chair_stand_single_ok": True,
      "chair_stand_5x_s": 10.8}, (4, 4, 4, 12, "high")),
    # 1+1+1 (tandem 5.2 in 3.00–9.99) = 3; 5.10 in 4.82–6.20 → 3; 12.50 in 11.20–13.69 → 3; 9
    ({"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 5.2, "gait_4m_s": [5.3, 5.1],
      "chair_stand_single_ok": True, "chair_stand_5x_s": 12.5}, (3, 3, 3, 9, "intermediate")),
    # semi-tandem 8.0 < 10 → balance 1, tandem not tested; 7.00 in 6.21–8.70 → 2;
    # 15.00 in 13.70–16.69 → 2; 1+2+2 = 5 → low
    ({"side_by_side_s": 10, "semi_tandem_s": 8.0, "gait_4m_s": [7.0, 7.4],
      "chair_stand_single_ok": True, "chair_stand_5x_s": 15.0}, (1, 2, 2, 5, "low")),
    # side-by-side 6.0 < 10 → 0; 9.50 > 8.70 → 1; pre-test failed → 0; 0+1+0 = 1 → very low
    ({"side_by_side_s": 6.0, "gait_4m_s": [9.5], "chair_stand_single_ok": False},
     (0, 1, 0, 1, "very_low")),
    # 1+1+0 (tandem 2.0 < 3) = 2; 6.20 → 3; 20.00 in 16.70–60.00 → 1; 2+3+1 = 6 → low
    ({"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 2.0, "gait_4m_s": [6.2, 6.9],
      "chair_stand_single_ok": True, "chair_stand_5x_s": 20.0}, (2, 3, 1, 6, "low")),
    # 4 + 8.70 → 2 + unable (null) → 0 = 6 → low
    ({**FULL_BALANCE, "gait_4m_s": [8.7, 8.8], "chair_stand_single_ok": True,
      "chair_stand_5x_s": None}, (4, 2, 0, 6, "low")),
    # 4 + unable to walk ([]) → 0 + 11.19 → 4 = 8 → intermediate
    ({**FULL_BALANCE, "gait_4m_s": [], "chair_stand_single_ok": True,
      "chair_stand_5x_s": 11.19}, (4, 0, 4, 8, "intermediate")),
    # 3-m course: 3.61 < 3.62 → 4; 4 + 4 + 61.00 > 60 → 0 = 8
    ({**FULL_BALANCE, "gait_3m_s": [3.61, 3.9], "chair_stand_single_ok": True,
      "chair_stand_5x_s": 61.0}, (4, 4, 0, 8, "intermediate")),
    # 1+1+1 = 3; 4.815 s recorded half up to 4.82 → 3; 13.694 → 13.69 → 3; 3+3+3 = 9
    ({"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 9.99, "gait_4m_s": [4.815],
      "chair_stand_single_ok": True, "chair_stand_5x_s": 13.694}, (3, 3, 3, 9, "intermediate")),
    # side-by-side 9.995 recorded 10.00 → 1, semi 9.994 → 9.99 → stop: 1; 4.8149 → 4.81 → 4;
    # 16.695 → 16.70 → 1; 1+4+1 = 6
    ({"side_by_side_s": 9.995, "semi_tandem_s": 9.994, "gait_4m_s": [4.8149],
      "chair_stand_single_ok": True, "chair_stand_5x_s": 16.695}, (1, 4, 1, 6, "low")),
    # nothing entered: 0+0+0 = 0 → very low
    ({}, (0, 0, 0, 0, "very_low")),
]  # fmt: skip


@pytest.mark.parametrize(("results", "expected"), HAND_WORKED)
def test_hand_worked_batteries(results: dict[str, Any], expected: tuple[Any, ...]) -> None:
    assert _points(results) == expected


@pytest.mark.parametrize(
    ("stances", "points"),
    [
        ({"side_by_side_s": 9.99}, 0),
        ({"side_by_side_s": 10.0, "semi_tandem_s": 9.99}, 1),
        ({"side_by_side_s": 10.0, "semi_tandem_s": 10.0, "tandem_s": 2.99}, 2),
        ({"side_by_side_s": 10.0, "semi_tandem_s": 10.0, "tandem_s": 3.0}, 3),
        ({"side_by_side_s": 10.0, "semi_tandem_s": 10.0, "tandem_s": 9.99}, 3),
        ({"side_by_side_s": 10.0, "semi_tandem_s": 10.0, "tandem_s": 10.0}, 4),
        ({"side_by_side_s": 30.0, "semi_tandem_s": 12.0, "tandem_s": 11.0}, 4),
    ],
)
def test_balance_on_both_sides_of_every_hold_time(stances: dict[str, float], points: int) -> None:
    assert score_sppb(stances).balance_points == points


@pytest.mark.parametrize(
    ("key", "time_s", "points"),
    [
        ("gait_4m_s", 4.81, 4), ("gait_4m_s", 4.82, 3), ("gait_4m_s", 6.20, 3),
        ("gait_4m_s", 6.21, 2), ("gait_4m_s", 8.70, 2), ("gait_4m_s", 8.71, 1),
        ("gait_3m_s", 3.61, 4), ("gait_3m_s", 3.62, 3), ("gait_3m_s", 4.65, 3),
        ("gait_3m_s", 4.66, 2), ("gait_3m_s", 6.52, 2), ("gait_3m_s", 6.53, 1),
    ],
)  # fmt: skip
def test_gait_points_on_both_sides_of_every_cut_off(key: str, time_s: float, points: int) -> None:
    assert score_sppb({key: [time_s + 1.0, time_s]}).gait_points == points


def test_the_3m_course_is_partial_and_named() -> None:
    result = score_sppb({"gait_3m_s": [4.0]})
    assert result.gait_course_m == 3
    assert result.table_status == "PARTIAL"
    assert "sppb_gait_3m" in [t.id for t in result.tables]


@pytest.mark.parametrize(
    ("time_s", "points"),
    [(11.19, 4), (11.20, 3), (13.69, 3), (13.70, 2), (16.69, 2), (16.70, 1), (60.00, 1),
     (60.01, 0)],
)  # fmt: skip
def test_chair_points_on_both_sides_of_every_cut_off(time_s: float, points: int) -> None:
    result = score_sppb({"chair_stand_single_ok": True, "chair_stand_5x_s": time_s})
    assert (result.chair_points, result.chair_stand_time_s) == (points, time_s)


@pytest.mark.parametrize(
    ("total_parts", "band", "status"),
    [
        ((4, 4, 2), "high", "CONFIRMED"),  # 10
        ((4, 4, 1), "intermediate", "CONFIRMED"),  # 9
        ((4, 3, 0), "intermediate", "CONFIRMED"),  # 7
        ((4, 2, 0), "low", "CONFIRMED"),  # 6
        ((4, 0, 0), "low", "CONFIRMED"),  # 4
        ((3, 0, 0), "very_low", "PARTIAL"),  # 3: the 0–3 band is PARTIAL
    ],
)
def test_bands_on_both_sides_and_the_partial_very_low_band(
    total_parts: tuple[int, int, int], band: str, status: str
) -> None:
    balance = {4: FULL_BALANCE, 3: {**FULL_BALANCE, "tandem_s": 5.0}}[total_parts[0]]
    gait = {4: [4.0], 3: [5.0], 2: [7.0], 0: []}[total_parts[1]]
    chair = {2: 15.0, 1: 20.0, 0: None}[total_parts[2]]
    results = {
        **balance,
        "gait_4m_s": gait,
        "chair_stand_single_ok": True,
        "chair_stand_5x_s": chair,
    }
    result = score_sppb(results)
    assert (result.total, result.band, result.table_status) == (sum(total_parts), band, status)


def test_components_with_no_entry_are_flagged_not_attempted() -> None:
    result = score_sppb({"side_by_side_s": 10.0, "semi_tandem_s": 4.0, "gait_4m_s": []})
    assert result.not_attempted == ("chair",)
    assert score_sppb({}).not_attempted == ("balance", "gait", "chair")


def test_a_failed_pre_test_scores_zero_with_its_partial_rule() -> None:
    result = score_sppb({"chair_stand_single_ok": False})
    assert result.chair_points == 0
    assert "sppb_chair_pretest" in [t.id for t in result.tables]
    assert result.table_status == "PARTIAL"


@pytest.mark.parametrize(
    ("results", "field", "message"),
    [
        ({"side_by_side_s": 9.0, "semi_tandem_s": 10.0}, "results.semi_tandem_s",
         "not tested after side_by_side_s"),
        ({"semi_tandem_s": 10.0}, "results.semi_tandem_s", "not tested after side_by_side_s"),
        ({"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 1, "gait_4m_s": [5]} | {
            "chair_stand_single_ok": False, "chair_stand_5x_s": 14.0},
         "results.chair_stand_5x_s", "not tested after chair_stand_single_ok"),
        ({"side_by_side_s": 10.0, "semi_tandem_s": 9.0, "tandem_s": 3.0}, "results.tandem_s",
         "not tested after semi_tandem_s"),
    ],
)  # fmt: skip
def test_results_for_tests_the_sequence_skips_are_refused(
    results: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(EntryError, match=message) as caught:
        score_sppb(results)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("results", "field", "message"),
    [
        ({"gait_4m_s": [-1.0]}, "results.gait_4m_s[1]", "from 1 to 120 s"),
        ({"gait_4m_s": [5.0, 5.1, 5.2]}, "results.gait_4m_s", "list of 0–2 values"),
        ({"gait_4m_s": ["fast"]}, "results.gait_4m_s[1]", "from 1 to 120 s"),
        ({"side_by_side_s": -0.5}, "results.side_by_side_s", "from 0 to 60 s"),
        ({"side_by_side_s": True}, "results.side_by_side_s", "from 0 to 60 s"),
        ({"chair_stand_single_ok": "yes"}, "results.chair_stand_single_ok", "true or false"),
        ({"chair_stand_single_ok": True, "chair_stand_5x_s": 0}, "results.chair_stand_5x_s",
         "from 2 to 300 s"),
        ({"gait_4m_s": [5.0], "gait_3m_s": [4.0]}, "results.gait_3m_s", "gait_4m_s, not both"),
        ({"gait_4m": [5.0]}, "results.gait_4m", "not a field here"),
    ],
)  # fmt: skip
def test_bad_entries_name_the_field_and_what_is_allowed(
    results: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        score_sppb(results)
    assert isinstance(caught.value, EntryError)
    assert caught.value.field == field
