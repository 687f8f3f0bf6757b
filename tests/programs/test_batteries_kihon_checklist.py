"""基本チェックリスト: hand-worked totals, every criterion and band on both sides, BMI, bad entries.

Criteria and bands are written here from REFERENCE.md §10 independently of the data file.
"""

from __future__ import annotations

from typing import Any

import pytest

from programs.batteries import EntryError
from programs.batteries.kihon_checklist import score_kihon_checklist


def _answers(*risk_items: int) -> list[bool | None]:
    """25 answers with the risk answer at the given item numbers (1–25)."""
    return [number in risk_items for number in range(1, 26)]


HAND_WORKED = [
    # no risk answers: total 0, nothing met, robust
    ((), 0, (), "robust"),
    # items 1, 2, 3: IADL 3 = total 3 (≤ 3 robust); no criterion (① needs 10 of 1–20)
    ((1, 2, 3), 3, (), "robust"),
    # items 6, 7, 8: motor 3 ≥ 3 → ②; total 3 → robust
    ((6, 7, 8), 3, (2,), "robust"),
    # items 6, 7, 13: motor 2 < 3, oral 1 < 2; total 3 → robust, nothing met
    ((6, 7, 13), 3, (), "robust"),
    # items 11, 12: both → ③; total 2
    ((11, 12), 2, (3,), "robust"),
    # items 13, 14 → ④; 16 → ⑤; total 3
    ((13, 14, 16), 3, (4, 5), "robust"),
    # item 18 → ⑥; 21, 22 → ⑦; 23 too; total 4 → pre-frail (4–7)
    ((18, 21, 22, 23), 4, (6, 7), "pre_frail"),
    # items 1–10: 10 of 1–20 → ①; 6–10 → ②; total 10 → frail (≥ 8)
    (tuple(range(1, 11)), 10, (1, 2), "frail"),
    # items 1–9: 9 < 10 no ①; 6–9 → ②; total 9 → frail
    (tuple(range(1, 10)), 9, (2,), "frail"),
    # items 21–25: ⑦ (5 ≥ 2); total 5 → pre-frail; ① counts items 1–20 only
    (tuple(range(21, 26)), 5, (7,), "pre_frail"),
    # all 25: total 25; ①–⑦ all met → frail
    (tuple(range(1, 26)), 25, (1, 2, 3, 4, 5, 6, 7), "frail"),
    # items 17, 19, 20, 24, 25, 4, 5: ⑥ (19, 20), ⑦ (24, 25); total 7 → pre-frail
    ((4, 5, 17, 19, 20, 24, 25), 7, (6, 7), "pre_frail"),
]


@pytest.mark.parametrize(("risk_items", "total", "criteria", "band"), HAND_WORKED)
def test_hand_worked_checklists(
    risk_items: tuple[int, ...], total: int, criteria: tuple[int, ...], band: str
) -> None:
    result = score_kihon_checklist({"answers": _answers(*risk_items)})
    assert (result.total, result.criteria_met, result.frailty_band) == (total, criteria, band)
    assert result.jigyo_taishosha is bool(criteria)
    assert sum(result.domains.values()) == total


def test_domain_scores() -> None:
    result = score_kihon_checklist({"answers": _answers(1, 4, 6, 7, 11, 13, 16, 18, 21, 22)})
    assert dict(result.domains) == {
        "iadl": 1, "social": 1, "motor": 2, "nutrition": 1, "oral": 1, "housebound": 1,
        "cognition": 1, "mood": 2,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("criterion", "below", "at"),
    [
        (1, tuple(range(1, 10)), tuple(range(1, 11))),  # 9 vs 10 of items 1–20
        (2, (6, 7), (6, 7, 10)),  # 2 vs 3 of items 6–10
        (3, (11,), (11, 12)),  # item 11 alone vs 11 and 12
        (4, (15,), (13, 15)),  # 1 vs 2 of items 13–15
        (5, (17,), (16,)),  # item 16
        (6, (17,), (20,)),  # 0 vs 1 of items 18–20
        (7, (25,), (21, 25)),  # 1 vs 2 of items 21–25
    ],
)
def test_every_criterion_on_both_sides(
    criterion: int, below: tuple[int, ...], at: tuple[int, ...]
) -> None:
    assert criterion not in score_kihon_checklist({"answers": _answers(*below)}).criteria_met
    assert criterion in score_kihon_checklist({"answers": _answers(*at)}).criteria_met


def test_criteria_5_to_7_alone_carry_their_partial_status() -> None:
    housebound = score_kihon_checklist({"answers": _answers(16)})
    assert (housebound.jigyo_taishosha, housebound.table_status) == (True, "PARTIAL")
    motor = score_kihon_checklist({"answers": _answers(6, 7, 8)})
    assert (motor.jigyo_taishosha, motor.table_status) == (True, "CONFIRMED")


@pytest.mark.parametrize(
    ("count", "satake", "kameoka"),
    [(3, "robust", "not_frail"), (4, "pre_frail", "not_frail"), (6, "pre_frail", "not_frail"),
     (7, "pre_frail", "frail"), (8, "frail", "frail")],
)  # fmt: skip
def test_frailty_bands_on_both_sides(count: int, satake: str, kameoka: str) -> None:
    answers = {"answers": _answers(*range(1, count + 1))}
    assert score_kihon_checklist(answers).frailty_band == satake
    alternative = score_kihon_checklist(answers, frailty_table="kihon_frailty_kameoka2022")
    assert (alternative.frailty_band, alternative.frailty_table) == (
        kameoka,
        "kihon_frailty_kameoka2022",
    )


@pytest.mark.parametrize(
    ("height_cm", "weight_kg", "risk"),
    [(160.0, 47.34, True), (160.0, 47.36, False), (150.0, 41.625, False), (150.0, 41.6, True)],
)
def test_item_12_from_height_and_weight_on_both_sides_of_bmi_18_5(
    height_cm: float, weight_kg: float, risk: bool
) -> None:
    # 47.34 / 1.6² = 18.49 < 18.5; 47.36 / 2.56 = 18.50; 41.625 / 2.25 = 18.5 exactly (not < 18.5)
    answers = _answers(11)
    answers[11] = None
    result = score_kihon_checklist(
        {"answers": answers, "height_cm": height_cm, "weight_kg": weight_kg}
    )
    assert (3 in result.criteria_met) is risk
    assert result.bmi_kg_m2 == pytest.approx(weight_kg / (height_cm / 100) ** 2)


@pytest.mark.parametrize(
    ("results", "field", "message"),
    [
        ({"answers": [False] * 24}, "results.answers", "list of 25 values"),
        ({}, "results.answers", "a value is required"),
        ({"answers": ["yes"] + [False] * 24}, "results.answers[1]", "true or false"),
        ({"answers": [False, None] + [False] * 23}, "results.answers[2]", "true or false"),
        ({"answers": [False] * 11 + [None] + [False] * 13}, "results.answers[12]",
         "needs height_cm, weight_kg"),
        ({"answers": [False] * 25, "height_cm": 160, "weight_kg": 50}, "results.answers[12]",
         "not both"),
        ({"answers": [False] * 25, "height_cm": 160}, "results.height_cm", "needs weight_kg"),
        ({"answers": [False] * 25, "height_cm": 160, "weight_kg": 500}, "results.weight_kg",
         "from 20 to 200 kg"),
        ({"answers": [0] * 25}, "results.answers[1]", "true or false"),
    ],
)  # fmt: skip
def test_bad_entries_name_the_field_and_what_is_allowed(
    results: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(EntryError, match=message) as caught:
        score_kihon_checklist(results)
    assert caught.value.field == field


def test_an_unknown_frailty_table_is_refused() -> None:
    with pytest.raises(ValueError, match="kihon_frailty_satake2016"):
        score_kihon_checklist({"answers": _answers()}, frailty_table="kihon_items")
