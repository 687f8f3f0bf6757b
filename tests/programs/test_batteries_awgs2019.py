"""AWGS 2019: hand-worked classifications, both sides of every cut-off, case finding, bad entries.

Cut-offs are written here from REFERENCE.md §1 independently of the data files.
"""

from __future__ import annotations

from typing import Any

import pytest

from programs.batteries import EntryError, Resident
from programs.batteries.awgs2019 import classify, score_awgs2019
from programs.grip import Sex

MAN, WOMAN = Resident("M", 78), Resident("F", 78)


def _status(resident: Resident, results: dict[str, Any]) -> tuple[Any, ...]:
    r = score_awgs2019(resident, results)
    return r.status, r.low_strength, r.low_performance, r.low_muscle_mass


HAND_WORKED = [
    # man, grip 27.9 < 28.0 → low strength; nothing else measured → possible sarcopenia
    (MAN, {"grip_kg": 27.9}, ("possible_sarcopenia", True, None, None)),
    # man, grip 28.0 not < 28.0; gait 1.0 not < 1.0 → nothing low → no sarcopenia
    (MAN, {"grip_kg": 28.0, "gait_speed_m_s": 1.0}, ("no_sarcopenia", False, False, None)),
    # woman, grip 18.0 not low; chair 12.0 ≥ 12.0 → low performance → possible sarcopenia
    (WOMAN, {"grip_kg": 18.0, "chair_stand_5x_s": 12.0},
     ("possible_sarcopenia", False, True, None)),
    # woman, grip 17.9 < 18 low; SPPB 10 > 9 not low; DXA SMI 5.3 < 5.4 low → sarcopenia
    (WOMAN, {"grip_kg": 17.9, "sppb_total": 10, "smi_kg_m2": 5.3, "smi_method": "dxa"},
     ("sarcopenia", True, False, True)),
    # woman, grip 17.0 low; gait 0.8 < 1.0 low; BIA SMI 5.6 < 5.7 low → all three → severe
    (WOMAN, {"grip_kg": 17.0, "gait_speed_m_s": 0.8, "smi_kg_m2": 5.6, "smi_method": "bia"},
     ("severe_sarcopenia", True, True, True)),
    # woman, same but BIA SMI 5.7 not < 5.7 → mass measured and not low → no sarcopenia label
    (WOMAN, {"grip_kg": 17.0, "gait_speed_m_s": 0.8, "smi_kg_m2": 5.7, "smi_method": "bia"},
     ("no_sarcopenia", True, True, False)),
    # woman, DXA SMI 5.6 not < 5.4 (the BIA cut-off 5.7 would call it low) → no sarcopenia
    (WOMAN, {"grip_kg": 17.0, "smi_kg_m2": 5.6, "smi_method": "dxa"},
     ("no_sarcopenia", True, None, False)),
    # man, grip 30 not low; SPPB 9 ≤ 9 low; DXA 6.9 < 7.0 low → sarcopenia (strength normal)
    (MAN, {"grip_kg": 30.0, "sppb_total": 9, "smi_kg_m2": 6.9, "smi_method": "dxa"},
     ("sarcopenia", False, True, True)),
    # man, grip 35 and chair 11.9 < 12 fine, SMI low but nothing else → no sarcopenia
    (MAN, {"grip_kg": 35.0, "chair_stand_5x_s": 11.9, "smi_kg_m2": 6.0, "smi_method": "bia"},
     ("no_sarcopenia", False, False, True)),
    # man, grip 25 low; gait 1.2 fine but chair 13.0 ≥ 12 low; BIA 7.0 not < 7.0 → no label
    (MAN, {"grip_kg": 25.0, "gait_speed_m_s": 1.2, "chair_stand_5x_s": 13.0, "smi_kg_m2": 7.0,
           "smi_method": "bia"}, ("no_sarcopenia", True, True, False)),
    # man, grip 27.0 low, gait 0.99 < 1.0 low, no mass → possible sarcopenia
    (MAN, {"grip_kg": 27.0, "gait_speed_m_s": 0.99}, ("possible_sarcopenia", True, True, None)),
]  # fmt: skip


@pytest.mark.parametrize(("resident", "results", "expected"), HAND_WORKED)
def test_hand_worked_classifications(
    resident: Resident, results: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    assert _status(resident, results) == expected


@pytest.mark.parametrize(
    ("low_strength", "low_performance", "low_mass", "status"),
    [
        (False, None, None, "no_sarcopenia"),
        (False, False, None, "no_sarcopenia"),
        (True, None, None, "possible_sarcopenia"),
        (False, True, None, "possible_sarcopenia"),
        (True, False, True, "sarcopenia"),
        (False, True, True, "sarcopenia"),
        (True, True, True, "severe_sarcopenia"),
        (True, True, False, "no_sarcopenia"),
        (False, False, True, "no_sarcopenia"),
    ],
)
def test_classification_rules(
    low_strength: bool, low_performance: bool | None, low_mass: bool | None, status: str
) -> None:
    assert (
        classify(low_strength=low_strength, low_performance=low_performance, low_mass=low_mass)
        == status
    )


@pytest.mark.parametrize(
    ("sex", "grip_kg", "low"), [("M", 27.99, True), ("M", 28.0, False), ("F", 17.99, True),
                                ("F", 18.0, False)],
)  # fmt: skip
def test_low_grip_on_both_sides_for_each_sex(sex: Sex, grip_kg: float, low: bool) -> None:
    assert score_awgs2019(Resident(sex, 70), {"grip_kg": grip_kg}).low_strength is low


@pytest.mark.parametrize(
    ("measure", "value", "low"),
    [
        ("gait_speed_m_s", 0.99, True), ("gait_speed_m_s", 1.0, False),
        ("chair_stand_5x_s", 11.99, False), ("chair_stand_5x_s", 12.0, True),
        ("sppb_total", 9, True), ("sppb_total", 10, False),
    ],
)  # fmt: skip
def test_low_performance_on_both_sides_of_each_measure(
    measure: str, value: float, low: bool
) -> None:
    result = score_awgs2019(WOMAN, {"grip_kg": 25.0, measure: value})
    assert result.low_performance is low
    assert result.low_performance_by == ((measure,) if low else ())


@pytest.mark.parametrize(
    ("sex", "method", "smi", "low"),
    [
        ("M", "dxa", 6.99, True), ("M", "dxa", 7.0, False), ("M", "bia", 6.99, True),
        ("M", "bia", 7.0, False), ("F", "dxa", 5.39, True), ("F", "dxa", 5.4, False),
        ("F", "bia", 5.69, True), ("F", "bia", 5.7, False),
    ],
)  # fmt: skip
def test_low_mass_on_both_sides_by_method_and_sex(
    sex: Sex, method: str, smi: float, low: bool
) -> None:
    results = {"grip_kg": 40.0, "smi_kg_m2": smi, "smi_method": method}
    assert score_awgs2019(Resident(sex, 70), results).low_muscle_mass is low


@pytest.mark.parametrize(
    ("sex", "results", "positive", "by", "sarc_calf"),
    [
        ("M", {"calf_cm": 33.9}, True, ("calf_cm",), None),
        ("M", {"calf_cm": 34.0}, False, (), None),
        ("F", {"calf_cm": 32.9}, True, ("calf_cm",), None),
        ("F", {"calf_cm": 33.0}, False, (), None),
        ("F", {"sarc_f": 3}, False, (), None),
        ("F", {"sarc_f": 4}, True, ("sarc_f",), None),
        # SARC-CalF = 1 + 10 (calf 32 < 33) = 11 ≥ 11 → positive
        ("F", {"sarc_f": 1, "calf_cm": 32.0}, True, ("calf_cm", "sarc_calf"), 11),
        # SARC-CalF = 3 + 0 (calf 35 not < 34) = 3
        ("M", {"sarc_f": 3, "calf_cm": 35.0}, False, (), 3),
        # SARC-CalF = 0 + 10 = 10 < 11, but the calf alone is positive
        ("M", {"sarc_f": 0, "calf_cm": 30.0}, True, ("calf_cm",), 10),
        ("M", {}, None, (), None),
    ],
)
def test_case_finding_on_both_sides(
    sex: Sex, results: dict[str, Any], positive: bool | None, by: tuple[str, ...], sarc_calf: int
) -> None:
    result = score_awgs2019(Resident(sex, 70), {"grip_kg": 40.0, **results})
    assert (result.case_finding, result.case_finding_by, result.sarc_calf) == (
        positive,
        by,
        sarc_calf,
    )


def test_a_gait_speed_from_a_shorter_course_is_a_partial_approximation() -> None:
    four = score_awgs2019(WOMAN, {"grip_kg": 20, "gait_speed_m_s": 0.9, "gait_course_m": 4})
    six = score_awgs2019(WOMAN, {"grip_kg": 20, "gait_speed_m_s": 0.9, "gait_course_m": 6})
    assert (four.gait_course_m, four.table_status) == (4, "PARTIAL")
    assert "awgs2019_gait_course" in [t.id for t in four.tables]
    assert (six.gait_course_m, six.table_status) == (6, "CONFIRMED")


def test_the_result_names_the_grip_table_from_the_grip_rules() -> None:
    result = score_awgs2019(MAN, {"grip_kg": 30})
    assert [t.id for t in result.tables] == ["awgs2019_low_grip", "awgs2019_classification"]


@pytest.mark.parametrize(
    ("results", "field", "message"),
    [
        ({}, "results.grip_kg", "a value is required"),
        ({"grip_kg": 300}, "results.grip_kg", "from 0 to 100 kg"),
        ({"grip_kg": -3}, "results.grip_kg", "from 0 to 100 kg"),
        ({"grip_kg": "27"}, "results.grip_kg", "from 0 to 100 kg"),
        ({"grip_kg": 20, "sppb_total": 9.5}, "results.sppb_total", "whole number from 0 to 12"),
        ({"grip_kg": 20, "smi_kg_m2": 6.0}, "results.smi_method", "a value is required"),
        ({"grip_kg": 20, "smi_method": "dxa"}, "results.smi_method", "needs smi_kg_m2"),
        ({"grip_kg": 20, "smi_kg_m2": 6.0, "smi_method": "ct"}, "results.smi_method",
         "one of dxa, bia"),
        ({"grip_kg": 20, "gait_course_m": 4}, "results.gait_course_m", "needs gait_speed_m_s"),
        ({"grip_kg": 20, "sarc_f": 11}, "results.sarc_f", "whole number from 0 to 10"),
    ],
)  # fmt: skip
def test_bad_entries_name_the_field_and_what_is_allowed(
    results: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(EntryError, match=message) as caught:
        score_awgs2019(WOMAN, results)
    assert caught.value.field == field
