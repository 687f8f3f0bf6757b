"""Explanations: what was measured, the comparison and its source, the change, the meaning."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from genki.i18n import LANGUAGES, Language
from programs.batteries import score_battery
from programs.explanations import explain
from programs.prescription import prescribe
from programs.profile import parse_profile

WOMAN_82 = {"sex": "F", "age_years": 82}
JARGON = ("SPPB", "TUG", "RPE", "COP", "Romberg", "MEXT")


def scored(
    name: str, results: dict[str, Any], on: str, resident: dict[str, Any] = WOMAN_82
) -> dict[str, Any]:
    document = {"battery": name, "resident": resident, "results": results}
    return {**score_battery(document).as_json(), "date": on}


BEFORE, NOW = "2026-06-01", "2026-09-01"
ASSESSMENTS = [
    # SPPB 6 then 8: balance 3 (tandem 3–9.99 s); gait 6.5 s → 2 then 5.0 s → 3; chair 17 s → 1
    # then 14 s → 2.
    scored("sppb", {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 4, "gait_4m_s": [6.5],
                    "chair_stand_single_ok": True, "chair_stand_5x_s": 17.0}, BEFORE),
    scored("sppb", {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 4, "gait_4m_s": [5.0],
                    "chair_stand_single_ok": True, "chair_stand_5x_s": 14.0}, NOW),
    scored("fall_risk", {"tug_s": 14.0, "one_leg_stance_s": 3.0}, BEFORE),
    scored("fall_risk", {"tug_s": 12.0, "one_leg_stance_s": 6.0}, NOW),
    scored("awgs2019", {"grip_kg": 16.0, "gait_speed_m_s": 0.9}, NOW),
    scored("kihon_checklist", {"answers": [n in (6, 7, 8, 9, 16) for n in range(1, 26)]}, BEFORE),
    scored("kihon_checklist", {"answers": [n in (6, 7, 16) for n in range(1, 26)]}, NOW),
    scored("mext65", {"adl_answers": [3] * 12, "grip_kg": 22, "sit_ups": 9,
                      "sit_and_reach_cm": 40, "one_leg_stance_s": 120,
                      "obstacle_walk_10m_s": 7.3, "walk_6min_m": 530}, NOW,
           {"sex": "F", "age_years": 79}),  # the MEXT tables stop at 79
    scored("stabilometry", {"eyes_open": {"duration_s": 60, "path_length_cm": 90,
                                          "envelope_area_cm2": 2.5},
                            "eyes_closed": {"duration_s": 60, "path_length_cm": 140,
                                            "envelope_area_cm2": 4.0}}, NOW),
]  # fmt: skip


def explained(language: Language, **extra: Any) -> tuple[list[str], list[str]]:
    profile = parse_profile({"resident": WOMAN_82, "assessments": ASSESSMENTS,
                             "vitals": {"outcome": "ok"}, **extra})  # fmt: skip
    explanation = explain(profile, prescribe(profile), language)
    return list(explanation.resident), list(explanation.staff)


def test_the_english_resident_text_covers_each_result_with_its_source_and_change() -> None:
    resident, _staff = explained("en")
    expected = [
        "Your score is 8 out of 12.",
        "7 to 9 points: walking ability may start to decline",
        "genki has no comparison with people of the same age and sex for this score.",
        "Score for balance, walking and standing up: 6 last time, 8 now (better).",
        "Source of the ranges: Guralnik et al., 1995 and 2000.",
        "took 12 seconds.",
        "within the average for people of your age (Bohannon 2006)",
        "Time to stand up, walk 3 m, come back and sit: 14 last time, 12 now (better).",
        "Standing on one leg: 3 last time, 6 now (better).",
        "Compared with other women, this is rated",
        "For women, a grip below 18 kg is counted as weak (AWGS 2019, Chen et al. 2020).",
        "In the 25-question checklist, 3 answers point to a need for support.",
        "Kihon Checklist: 5 last time, 3 now (better).",
        "Your fitness test total is 40 points: grade B",
        "The point tables are unverified",
        "1.5 cm per second with eyes open, 2.3 cm per second with eyes closed.",
        "you swayed 1.6 times as much",
        "Today: Standing strength and balance exercises, level 2",
        "measurement error of this test",
    ]
    text = "\n".join(resident)
    for fragment in expected:
        assert fragment in text, fragment
    error_lines = [line for line in resident if "measurement error" in line]
    assert len(error_lines) == 4  # one after every change: SPPB, TUG, one-leg, checklist


@pytest.mark.parametrize("language", LANGUAGES)
def test_resident_text_is_short_and_free_of_jargon(language: Language) -> None:
    resident, _staff = explained(language)
    limit = 100 if language == "ja" else 180
    for line in resident:
        assert len(line) <= limit, line
        if "Today:" not in line and "本日は" not in line:
            assert not any(word in line for word in JARGON), line


def test_the_japanese_text_says_the_same_things() -> None:
    resident, staff = explained("ja")
    text = "\n".join(resident)
    fragments = ("点数は12点中8点です。", "前回 6、今回 8（良くなりました）",
                 "Guralnikら（1995年、2000年）", "同じ年代の方の平均の範囲です（Bohannon 2006）",
                 "女性では握力18kg未満を「弱い」とします", "得点表は「未確認")  # fmt: skip
    for fragment in fragments:
        assert fragment in text, fragment
    assert staff[-1].startswith("2026-12-01までに再評価してください（少なくとも3か月ごと。")


def test_staff_proposals_name_the_programme_precautions_and_the_reassessment_date() -> None:
    _resident, staff = explained("en", contraindications=["knee_pain"])
    assert (
        staff[0]
        == "Programme: Standing strength and balance exercises, level 2 (24 min, 2–3 per week)."
    )
    assert "Also propose: Hand and grip exercises, level 1." in staff
    assert "Fall risk: stand beside the resident during standing and balance exercises." in staff
    assert "Noted limits: Knee pain." in staff
    assert staff[-1].startswith(f"Reassess by {date(2026, 12, 1).isoformat()}")


def test_a_failed_vitals_check_is_explained_as_rest_and_referral() -> None:
    profile = parse_profile({"resident": WOMAN_82, "assessments": ASSESSMENTS,
                             "vitals": {"outcome": "do_not_start"}})  # fmt: skip
    explanation = explain(profile, prescribe(profile), "en")
    assert explanation.resident[-1] == "Today is a rest day. The staff will talk with you."
    assert explanation.staff[0] == "No exercise today: refer to the nurse and record the reason."


def test_mext_points_are_not_given_outside_the_tables_ages() -> None:
    mext = scored("mext65", {"adl_answers": [3] * 12, "grip_kg": 22}, NOW)  # scored at age 82
    profile = parse_profile(
        {"resident": WOMAN_82, "assessments": [mext], "vitals": {"outcome": "ok"}}
    )
    resident = explain(profile, prescribe(profile), "en").resident
    assert resident[0] == (
        "The fitness test point tables cover ages 65 to 79, so no points are given at this age."
    )
