"""Prescription scenarios from robust to frail, and progression and regression over simulated weeks.

Profiles are built from raw results scored by the real batteries (programs.batteries), so the
rules read exactly what ``genki battery score --json`` prints. The expected programme and level
follow programs/data/prescription.toml; each scenario says which rule decides it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from genki.i18n import LANGUAGES
from programs.batteries import score_battery
from programs.catalogue import catalogue
from programs.explanations import explain, prescription_json, reason_text
from programs.prescription import REST, Prescription, prescribe
from programs.profile import ProfileError, parse_profile

WOMAN_82 = {"sex": "F", "age_years": 82}
ASSESSED = date(2026, 9, 1)


def battery(name: str, results: dict[str, Any], on: date = ASSESSED) -> dict[str, Any]:
    """A battery output as `genki battery score --json` prints it, dated ``on``."""
    scored = score_battery({"battery": name, "resident": WOMAN_82, "results": results})
    return {**scored.as_json(), "date": on.isoformat()}


def sppb(balance: tuple[float | None, ...], gait_s: float, chair_s: float | None) -> dict[str, Any]:
    """An SPPB from hold times, the faster gait time and the five-stand time."""
    keys = ("side_by_side_s", "semi_tandem_s", "tandem_s")
    results: dict[str, Any] = {k: v for k, v in zip(keys, balance, strict=False) if v is not None}
    results |= {"gait_4m_s": [gait_s, gait_s + 0.3], "chair_stand_single_ok": chair_s is not None,
                "chair_stand_5x_s": chair_s}  # fmt: skip
    return battery("sppb", results)


# SPPB totals (REFERENCE.md §2.1–2.3): balance 4 = all three stances held (tandem 10 s);
# gait 4 m < 4.82 s → 4, 4.82–6.20 → 3, 6.21–8.70 → 2, > 8.70 → 1; chair ≤ 11.19 s → 4,
# 11.20–13.69 → 3, 13.70–16.69 → 2, 16.70–60 → 1, unable → 0.
SPPB_12 = sppb((10, 10, 10), 4.0, 10.5)  # 4 + 4 + 4 = 12 → high
SPPB_10_SLOW = sppb((10, 10, 10), 5.5, 10.5)  # 4 + 3 + 4 = 11 → high, gait points 3
SPPB_8 = sppb((10, 10, 4), 5.0, 14.0)  # balance 3 (tandem 3–9.99 s) + 3 + 2 = 8 → intermediate
SPPB_5 = sppb((10, 5), 7.0, 17.0)  # balance 1 (semi-tandem < 10 s) + 2 + 1 = 4 → low
SPPB_2 = sppb((10, 2), 9.5, None)  # 1 + 1 + 0 = 2 → very low
FALL_RISK = battery("fall_risk", {"tug_s": 14.0, "one_leg_stance_s": 3.0})  # TUG ≥ 13.5, < 5 s
NO_FALL_RISK = battery("fall_risk", {"tug_s": 8.0, "one_leg_stance_s": 30.0})
LOW_GRIP = battery("awgs2019", {"grip_kg": 15.0, "gait_speed_m_s": 1.1})  # F < 18 kg
OK = {"outcome": "ok"}


def profile(**parts: Any) -> dict[str, Any]:
    return {"resident": WOMAN_82, "vitals": OK, **parts}


def run(document: dict[str, Any]) -> Prescription:
    parsed = parse_profile(document)
    result = prescribe(parsed)
    for language in LANGUAGES:  # every reason and explanation renders in both languages
        for reason in result.reasons:
            assert reason_text(reason, language)
        assert explain(parsed, result, language).resident
    return result


def codes(result: Prescription) -> list[str]:
    return [reason.code for reason in result.reasons]


def test_sppb_assessments_score_as_the_comments_say() -> None:
    totals = [a["total"] for a in (SPPB_12, SPPB_10_SLOW, SPPB_8, SPPB_5, SPPB_2)]
    assert totals == [12, 11, 8, 4, 2]
    assert [a["band"] for a in (SPPB_12, SPPB_8, SPPB_5, SPPB_2)] == [
        "high", "intermediate", "low", "very_low",
    ]  # fmt: skip
    assert FALL_RISK["tug_higher_fall_risk"] is True
    assert FALL_RISK["one_leg_injurious_fall_risk"] is True
    assert LOW_GRIP["low_strength"] is True


def test_robust_resident_starts_standing_level_3() -> None:
    result = run(profile(assessments=[SPPB_12, NO_FALL_RISK]))
    assert (result.programme, result.level) == ("standing_strength_balance", 3)
    assert codes(result) == ["sppb_band"]
    assert result.also == ()


def test_robust_resident_reaches_level_4_after_two_sessions_at_target() -> None:
    history = [
        {"date": "2026-09-03", "programme": "standing_strength_balance", "level": 3,
         "completed": True, "rpe": 12},
        {"date": "2026-09-05", "programme": "standing_strength_balance", "level": 3,
         "completed": True, "rpe": 13},
    ]  # fmt: skip
    result = run(profile(assessments=[SPPB_12, NO_FALL_RISK], history=history))
    assert (result.programme, result.level) == ("standing_strength_balance", 4)
    assert codes(result) == ["sppb_band", "progressed"]


def test_intermediate_resident_starts_standing_level_2() -> None:
    result = run(profile(assessments=[SPPB_8]))
    assert (result.programme, result.level) == ("standing_strength_balance", 2)
    assert "fall_risk" not in codes(result)


def test_fall_risk_caps_a_high_scorer_at_level_2() -> None:
    result = run(profile(assessments=[SPPB_12, FALL_RISK]))
    assert (result.programme, result.level) == ("standing_strength_balance", 2)
    assert codes(result) == ["sppb_band", "fall_risk", "capped_fall_risk"]
    english = explain(parse_profile(profile(assessments=[SPPB_12, FALL_RISK])), result, "en")
    assert any("stand beside" in line for line in english.staff)


def test_low_sppb_gets_seated_level_2_and_walking() -> None:
    result = run(profile(assessments=[SPPB_5]))
    assert (result.programme, result.level) == ("seated_strength", 2)
    assert [a.programme for a in result.also] == ["walking"]  # gait points 2 < 4


def test_very_low_sppb_gets_seated_level_1_with_only_seated_exercises() -> None:
    result = run(profile(assessments=[SPPB_2]))
    assert (result.programme, result.level) == ("seated_strength", 1)
    book = catalogue()
    assert {book.exercises[e.exercise].position for e in result.exercises} == {"seated"}


def test_no_assessment_gets_the_gentlest_programme_and_a_proposal_to_assess() -> None:
    result = run(profile())
    assert (result.programme, result.level) == ("seated_strength", 1)
    assert codes(result) == ["no_sppb"]
    staff = explain(parse_profile(profile()), result, "en").staff
    assert staff[-1] == "Assess now: there is no dated assessment."


def test_unable_to_stand_gets_seated_exercises_whatever_the_score() -> None:
    result = run(profile(assessments=[SPPB_10_SLOW], contraindications=["unable_to_stand"]))
    assert (result.programme, result.level) == ("seated_strength", 2)
    assert codes(result) == ["sppb_band", "unable_to_stand"]
    assert result.also == ()  # no walking programme for someone who cannot stand
    book = catalogue()
    assert all("unable_to_stand" not in book.exercises[e.exercise].contraindications
               for e in result.exercises)  # fmt: skip


def test_knee_pain_leaves_out_the_exercises_that_load_the_knee() -> None:
    plain = run(profile(assessments=[SPPB_8]))
    knee = run(profile(assessments=[SPPB_8], contraindications=["knee_pain"]))
    book = catalogue()
    removed = {e.exercise for e in plain.exercises} - {e.exercise for e in knee.exercises}
    assert removed
    assert all("knee_pain" in book.exercises[name].contraindications for name in removed)
    excluded = [r.params["exercise"] for r in knee.reasons if r.code == "excluded"]
    assert sorted(excluded) == sorted(removed)
    assert knee.minutes < plain.minutes


def test_low_grip_adds_the_hand_and_grip_programme() -> None:
    result = run(profile(assessments=[SPPB_12, NO_FALL_RISK, LOW_GRIP]))
    assert [(a.programme, a.level, a.reason.code) for a in result.also] == [
        ("hand_grip", 1, "low_grip"),
    ]  # fmt: skip


def test_slow_gait_adds_walking_to_a_high_scorer() -> None:
    result = run(profile(assessments=[SPPB_10_SLOW, NO_FALL_RISK]))
    assert (result.programme, result.level) == ("standing_strength_balance", 3)
    assert [a.programme for a in result.also] == ["walking"]


def test_failed_vitals_give_rest_and_a_staff_referral_only() -> None:
    vitals = {"outcome": "do_not_start", "criteria": [{"reason": "systolic 185 ≥ 180 mmHg"}]}
    override = {"programme": "walking", "level": 2, "staff": "佐藤", "reason": "feels well"}
    result = run(profile(assessments=[SPPB_12], vitals=vitals, override=override))
    assert (result.programme, result.level, result.exercises) == (REST, 0, ())
    assert result.staff_referral
    assert codes(result) == ["vitals_do_not_start", "staff_referral", "override_not_applied"]
    assert "systolic 185" in reason_text(result.reasons[0], "en")
    document = prescription_json(parse_profile(profile(vitals=vitals)), result)
    assert (document["programme"], document["exercises"], document["also"]) == (REST, [], [])


def test_consult_staff_vitals_keep_the_programme_but_ask_staff_first() -> None:
    vitals = {"outcome": "consult_staff", "criteria": [{"reason": "SpO2 missing"}]}
    result = run(profile(assessments=[SPPB_8], vitals=vitals))
    assert (result.programme, result.level) == ("standing_strength_balance", 2)
    assert result.staff_confirmation_required
    assert codes(result)[0] == "vitals_consult_staff"


def test_missing_vitals_ask_staff_to_check_first() -> None:
    result = run({"resident": WOMAN_82, "assessments": [SPPB_8]})
    assert result.staff_confirmation_required
    assert codes(result)[0] == "vitals_missing"


def test_a_staff_override_replaces_the_rules_and_keeps_the_reason() -> None:
    override = {"programme": "walking", "level": 2, "staff": "佐藤", "reason": "wants to walk"}
    result = run(profile(assessments=[SPPB_8], override=override))
    assert (result.programme, result.level) == ("walking", 2)
    reason = result.reasons[-1]
    assert reason.code == "staff_override"
    assert dict(reason.params) == {"staff": "佐藤", "reason": "wants to walk",
                                   "rules_programme": "standing_strength_balance",
                                   "rules_level": 2}  # fmt: skip


@pytest.mark.parametrize(
    ("part", "expected"),
    [
        ({"contraindications": ["bad_knee"]}, "contraindications: unknown bad_knee"),
        ({"override": {"programme": "yoga", "level": 1, "staff": "a", "reason": "why"}},
         "override: no programme 'yoga'"),
        ({"override": {"programme": "walking", "level": 4, "staff": "a", "reason": "why"}},
         "override: no programme 'walking' at level 4"),
    ],
)  # fmt: skip
def test_unknown_limits_and_programmes_are_refused_by_name(
    part: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ProfileError, match=expected):
        run(profile(assessments=[SPPB_8], **part))


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"resident": {"sex": "X", "age_years": 80}}, "resident.sex"),
        ({"resident": {"sex": "F", "age_years": 300}}, "resident.age_years"),
        ({"resident": WOMAN_82, "history": [{"date": "2026-01-01", "programme": "walking",
                                             "level": 1, "completed": True, "rpe": 25}]},
         "history.0.rpe"),
        ({"resident": WOMAN_82, "vitals": {"outcome": "fine"}}, "vitals.outcome"),
        ({"resident": WOMAN_82, "override": {"programme": "walking", "level": 1, "staff": "a",
                                             "reason": ""}}, "override.reason"),
    ],
)  # fmt: skip
def test_a_bad_profile_names_the_field(document: dict[str, Any], field: str) -> None:
    with pytest.raises(ProfileError) as refused:
        parse_profile(document)
    assert any(problem.startswith(field) for problem in refused.value.problems)


# --- progression and regression over simulated weeks ------------------------------------------


def simulate(
    start: list[dict[str, Any]], outcomes: list[dict[str, Any]], programme: str
) -> list[int]:
    """Prescribe, do the session with the given outcome, record it, and repeat.

    Two sessions a week from the day after the assessment; returns the level prescribed before
    each session and the level after the last one.
    """
    history: list[dict[str, Any]] = []
    levels: list[int] = []
    day = ASSESSED + timedelta(days=1)
    for outcome in [*outcomes, None]:
        result = run(profile(assessments=start, history=history))
        assert result.programme == programme
        levels.append(result.level)
        if outcome is None:
            break
        history.append({"date": day.isoformat(), "programme": programme, "level": result.level,
                        "completed": True, "rpe": 12, **outcome})  # fmt: skip
        day += timedelta(days=3 if len(history) % 2 else 4)
    return levels


AT_TARGET: dict[str, Any] = {}


def test_weeks_at_target_climb_one_level_every_two_sessions_up_to_the_top() -> None:
    levels = simulate([SPPB_8], [AT_TARGET] * 6, "standing_strength_balance")
    assert levels == [2, 2, 3, 3, 4, 4, 4]


def test_a_hard_or_incomplete_session_restarts_the_count() -> None:
    outcomes = [AT_TARGET, {"rpe": 14}, AT_TARGET, {"completed": False}, AT_TARGET, AT_TARGET]
    levels = simulate([SPPB_8], outcomes, "standing_strength_balance")
    assert levels == [2, 2, 2, 2, 2, 2, 3]


@pytest.mark.parametrize(
    "setback", [{"pain": True}, {"rpe": 17}, {"vitals": "stop"}, {"vitals": "pause_recheck"}]
)
def test_pain_very_hard_effort_or_failed_vitals_step_one_level_down(
    setback: dict[str, Any],
) -> None:
    outcomes = [AT_TARGET, AT_TARGET, setback, AT_TARGET, AT_TARGET]
    levels = simulate([SPPB_8], outcomes, "standing_strength_balance")
    assert levels == [2, 2, 3, 2, 2, 3]


def test_regression_stops_at_level_1() -> None:
    levels = simulate([SPPB_2], [{"pain": True}] * 3, "seated_strength")
    assert levels == [1, 1, 1, 1]


def test_the_top_of_the_seated_programme_proposes_a_reassessment() -> None:
    history = [
        {"date": f"2026-09-0{day}", "programme": "seated_strength", "level": 2,
         "completed": True, "rpe": 11}
        for day in (2, 4)
    ]  # fmt: skip
    result = run(profile(assessments=[SPPB_5], history=history))
    assert (result.programme, result.level) == ("seated_strength", 2)
    assert codes(result)[-1] == "reassess_for_standing"


def test_sessions_before_the_latest_sppb_do_not_count() -> None:
    old = [
        {"date": f"2026-08-0{day}", "programme": "standing_strength_balance", "level": 2,
         "completed": True, "rpe": 10}
        for day in (1, 3)
    ]  # fmt: skip
    result = run(profile(assessments=[SPPB_8], history=old))
    assert result.level == 2
    assert "progressed" not in codes(result)


def test_fall_risk_keeps_progression_at_level_2() -> None:
    levels = simulate([SPPB_8, FALL_RISK], [AT_TARGET] * 4, "standing_strength_balance")
    assert levels == [2, 2, 2, 2, 2]


def test_a_grip_assessment_below_the_cut_off_adds_hand_and_grip_and_is_explained() -> None:
    grip = {"battery": "grip", "sex": "F", "awgs": {"max_kg": 16.5},
            "awgs_rating": {"sex": "F", "cutoff_kg": 18.0, "low": True}}  # fmt: skip
    document = profile(assessments=[SPPB_12, NO_FALL_RISK, grip])
    result = run(document)
    assert [(a.programme, a.reason.code) for a in result.also] == [("hand_grip", "low_grip")]
    lines = explain(parse_profile(document), result, "en").resident
    assert "Your strongest grip was 16.5 kg." in lines
    assert any(
        line.startswith("That is below the 18 kg that AWGS 2019 uses for women") for line in lines
    )


def test_a_mext_one_leg_stance_under_5_s_is_a_fall_risk_flag() -> None:
    mext = battery("mext65", {"adl_answers": [3] * 12, "one_leg_stance_s": 4})
    result = run(profile(assessments=[SPPB_12, NO_FALL_RISK, mext]))
    assert result.level == 2
    fall_risk = next(r for r in result.reasons if r.code == "fall_risk")
    assert fall_risk.params["flags"] == ["mext_one_leg_under_5s"]
