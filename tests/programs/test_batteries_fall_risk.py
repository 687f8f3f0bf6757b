"""Fall-risk set: hand-worked examples, both sides of every cut-off, age norms, grades, bad entries.

Cut-offs are written here from REFERENCE.md §3 and §6 independently of the data file.
"""

from __future__ import annotations

from typing import Any

import pytest

from programs.batteries import EntryError, Resident
from programs.batteries.fall_risk import score_fall_risk
from programs.grip import Sex


def _findings(sex: Sex, age: int, results: dict[str, Any]) -> tuple[Any, ...]:
    r = score_fall_risk(Resident(sex, age), results)
    return (
        r.tug_higher_fall_risk, r.tug_worse_than_age_average, r.one_leg_injurious_fall_risk,
        r.one_leg_grade, r.mads_functional,
    )  # fmt: skip


HAND_WORKED = [
    # TUG 13.5 ≥ 13.5 → higher risk; age 75: 13.5 > 10.2 → worse than average; ≥ 11 → MADS
    ("F", 75, {"tug_s": 13.5}, (True, True, None, None, True)),
    # TUG 13.49 < 13.5 → not higher risk; 13.49 > 10.2 → worse; ≥ 11 → MADS
    ("F", 75, {"tug_s": 13.49}, (False, True, None, None, True)),
    # TUG 10.2 not > 10.2 (age 70–79); < 11 no MADS, one-leg unmeasured → MADS unknown
    ("M", 70, {"tug_s": 10.2}, (False, False, None, None, None)),
    # age 85: TUG 12.71 > 12.7 → worse; ≥ 11 → MADS
    ("M", 85, {"tug_s": 12.71}, (False, True, None, None, True)),
    # age 65: TUG 9.0 not > 9.0; one-leg 20 s: ≥ 5, ≥ 15, man 13–29 → average; MADS: both no
    ("M", 65, {"tug_s": 9.0, "one_leg_stance_s": 20.0}, (False, False, False, "average", False)),
    # age 65: TUG 9.01 > 9.0 worse; one-leg 14.9 < 15 → MADS; woman 14 in 10–22 → average
    ("F", 65, {"tug_s": 9.01, "one_leg_stance_s": 14.9}, (False, True, False, "average", True)),
    # one-leg 4.9 < 5 → injurious-fall risk; man: 4 ≤ 4 → poor; < 15 → MADS
    ("M", 80, {"one_leg_stance_s": 4.9}, (None, None, True, "poor", True)),
    # one-leg 5.0 not < 5; man 5–12 → somewhat poor; < 15 → MADS
    ("M", 80, {"one_leg_stance_s": 5.0}, (None, None, False, "somewhat_poor", True)),
    # age 59: no TUG norm (60–99); 8.0 s: no risk, no MADS; one-leg 60 → very good
    ("F", 59, {"tug_s": 8.0, "one_leg_stance_s": 60.0}, (False, None, False, "very_good", False)),
    # age 100: outside the norms too
    ("F", 100, {"tug_s": 20.0}, (True, None, None, None, True)),
    # functional reach only: no cut-off anywhere → no findings
    ("F", 80, {"functional_reach_cm": 18.5}, (None, None, None, None, None)),
]  # fmt: skip


@pytest.mark.parametrize(("sex", "age", "results", "expected"), HAND_WORKED)
def test_hand_worked_examples(
    sex: Sex, age: int, results: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    assert _findings(sex, age, results) == expected


@pytest.mark.parametrize(
    ("tug_s", "risk", "mads"), [(13.49, False, True), (13.5, True, True), (10.99, False, False),
                                (11.0, False, True)],
)  # fmt: skip
def test_tug_cut_offs_on_both_sides(tug_s: float, risk: bool, mads: bool) -> None:
    result = score_fall_risk(Resident("F", 75), {"tug_s": tug_s})
    assert result.tug_higher_fall_risk is risk
    assert ("tug_s" in result.mads_by) is mads


@pytest.mark.parametrize(
    ("age", "limit"), [(60, 9.0), (69, 9.0), (70, 10.2), (79, 10.2), (80, 12.7), (99, 12.7)]
)
def test_tug_age_norms_on_both_sides(age: int, limit: float) -> None:
    at, above = (score_fall_risk(Resident("M", age), {"tug_s": t}) for t in (limit, limit + 0.01))
    assert (at.tug_worse_than_age_average, above.tug_worse_than_age_average) == (False, True)


@pytest.mark.parametrize(
    ("seconds", "injurious", "mads"), [(4.99, True, True), (5.0, False, True),
                                       (14.99, False, True), (15.0, False, False)],
)  # fmt: skip
def test_one_leg_cut_offs_on_both_sides(seconds: float, injurious: bool, mads: bool) -> None:
    result = score_fall_risk(Resident("F", 75), {"one_leg_stance_s": seconds})
    assert result.one_leg_injurious_fall_risk is injurious
    assert ("one_leg_stance_s" in result.mads_by) is mads


@pytest.mark.parametrize(
    ("sex", "seconds", "grade"),
    [
        ("M", 4.99, "poor"), ("M", 5, "somewhat_poor"), ("M", 12.9, "somewhat_poor"),
        ("M", 13, "average"), ("M", 29.9, "average"), ("M", 30, "somewhat_good"),
        ("M", 59.9, "somewhat_good"), ("M", 60, "very_good"),
        ("F", 3.99, "poor"), ("F", 4, "somewhat_poor"), ("F", 9.9, "somewhat_poor"),
        ("F", 10, "average"), ("F", 22.9, "average"), ("F", 23, "somewhat_good"),
        ("F", 59.9, "somewhat_good"), ("F", 60, "very_good"),
    ],
)  # fmt: skip
def test_one_leg_grades_on_both_sides_in_whole_seconds(
    sex: Sex, seconds: float, grade: str
) -> None:
    result = score_fall_risk(Resident(sex, 75), {"one_leg_stance_s": seconds})
    assert result.one_leg_grade == grade
    assert result.table_status == "PARTIAL"  # the graded norms are PARTIAL


def test_the_results_name_their_tables_and_functional_reach_has_none() -> None:
    result = score_fall_risk(Resident("F", 75), {"tug_s": 12.0, "functional_reach_cm": 20.0})
    assert [t.id for t in result.tables] == [
        "tug_shumway_cook_2000",
        "tug_bohannon_2006",
        "mads_2006",
    ]
    assert (result.functional_reach_cm, result.table_status) == (20.0, "CONFIRMED")
    assert score_fall_risk(Resident("F", 75), {"functional_reach_cm": 20.0}).tables == ()


@pytest.mark.parametrize(
    ("results", "field", "message"),
    [
        ({"tug_s": -4}, "results.tug_s", "from 2 to 300 s"),
        ({"tug_s": "slow"}, "results.tug_s", "from 2 to 300 s"),
        ({"one_leg_stance_s": 1000}, "results.one_leg_stance_s", "from 0 to 600 s"),
        ({"functional_reach_cm": 95}, "results.functional_reach_cm", "from 0 to 80 cm"),
        ({"reach_cm": 20}, "results.reach_cm", "not a field here"),
    ],
)
def test_bad_entries_name_the_field_and_what_is_allowed(
    results: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(EntryError, match=message) as caught:
        score_fall_risk(Resident("F", 75), results)
    assert caught.value.field == field
