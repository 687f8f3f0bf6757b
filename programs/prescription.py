"""Prescription: from a profile to today's programme, level and doses, each with its reason.

Pure rules, data in ``programs/data/prescription.toml`` (a PROJECT DECISION; its provenance
names the basis of every rule). In order:

1. **Vitals.** A pre-exercise screening of ``do_not_start`` (REFERENCE.md §9.4) gives rest and a
   staff referral, nothing else: no programme, no override. ``consult_staff`` (or a missing
   screening) keeps the programme but asks staff to confirm before the start.
2. **Start.** The latest SPPB's band (REFERENCE.md §2.4) chooses the programme and starting level
   (``[start]``); no SPPB gives the gentlest programme and a proposal to assess. A resident who
   cannot stand safely (contraindication ``unable_to_stand``) gets the seated programme.
3. **History.** Sessions of that programme since the latest SPPB, oldest first. Each session
   leaves the level it was done at unless: pain, an RPE ≥ 17 or a failed vitals check → one level
   down; the ``sessions_at_target``-th session in a row at one level with the whole dose done,
   RPE ≤ 13 and no pain → one level up (issue 7). The top of the seated programme is not left by
   progression: moving to standing needs a reassessment, which is proposed.
4. **Caps.** Fall-risk flags of the latest fall-risk battery (TUG, one-leg stance, MADS
   criteria; REFERENCE.md §3.1, §6.2) cap the standing programme at level 2 (with support).
5. **Override.** A staff override (programme, level, staff, reason) replaces the result of 2–4;
   the reason is kept with the prescription and audited where it is stored (records.plans).
6. **Exercises.** The level's session (warm-up, main, cool-down) without the exercises a noted
   contraindication excludes, each with its dose. Beside the main programme: hand and grip when
   AWGS 2019 found low strength, walking when walking is slow.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from programs.catalogue import (
    SECONDS_BETWEEN_EXERCISES,
    Catalogue,
    Dose,
    ProgrammeLevel,
    Section,
    catalogue,
)
from programs.profile import HistorySession, Override, Profile, ProfileError, VitalsScreen

REST = "rest"
SEATED_TOP_PROPOSAL = "reassess_for_standing"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the prescription is what it is: a message code and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PrescribedExercise:
    """One exercise of today's session with its dose."""

    section: Section
    exercise: str
    level: int
    dose: Dose


@dataclass(frozen=True, slots=True)
class AlsoProposed:
    """A programme proposed beside the main one."""

    programme: str
    level: int
    reason: Reason


@dataclass(frozen=True, slots=True)
class Prescription:
    """Today's programme, level and exercises, with the reasons and what staff must do."""

    programme: str
    level: int
    exercises: tuple[PrescribedExercise, ...]
    reasons: tuple[Reason, ...]
    also: tuple[AlsoProposed, ...] = ()
    staff_confirmation_required: bool = False
    staff_referral: bool = False
    minutes: float = 0.0
    sessions_per_week: tuple[int, int] | None = None

    @property
    def is_rest(self) -> bool:
        """Whether today is rest (failed vitals)."""
        return self.programme == REST


@cache
def rules() -> Mapping[str, Any]:
    """Return the prescription rules (programs/data/prescription.toml)."""
    text = resources.files("programs.data").joinpath("prescription.toml").read_text("utf-8")
    return tomllib.loads(text)


def prescribe(
    profile: Profile, book: Catalogue | None = None, *, for_today: bool = True
) -> Prescription:
    """Apply the rules of the module docstring to ``profile``.

    ``for_today=False`` drafts a plan rather than today's session: the vitals rule (1) is left out.
    """
    book = book or catalogue()
    _check_contraindications(profile, book)
    vitals = profile.vitals
    if for_today and vitals is not None and vitals.outcome == "do_not_start":
        return _rest(vitals, profile.override)
    reasons: list[Reason] = []
    if for_today and vitals is None:
        reasons.append(Reason("vitals_missing"))
    elif for_today and vitals is not None and vitals.outcome != "ok":
        reasons.append(Reason("vitals_consult_staff", {"criteria": "; ".join(vitals.reasons())}))
    confirm = for_today and (vitals is None or vitals.outcome != "ok")
    programme, level = _start(profile, reasons)
    top = len(book.programmes[programme].levels)
    level = _apply_history(_since_latest_sppb(profile, programme), programme, (level, top), reasons)
    level = _cap(fall_risk_flags(profile), programme, level, reasons)
    if profile.override is not None:
        programme, level = _override(profile.override, book, (programme, level), reasons)
    chosen = book.programmes[programme]
    session = chosen.level(level)
    low, high = chosen.sessions_per_week
    exercises = _exercises(profile.contraindications, book, session, reasons)
    seconds = sum(item.dose.seconds() + SECONDS_BETWEEN_EXERCISES for item in exercises)
    return Prescription(
        programme=programme,
        level=session.level,
        exercises=tuple(exercises),
        reasons=tuple(reasons),
        also=tuple(_also(profile, programme)),
        staff_confirmation_required=confirm,
        minutes=round(seconds / 60),
        sessions_per_week=(low, high),
    )


def _check_contraindications(profile: Profile, book: Catalogue) -> None:
    unknown = [c for c in profile.contraindications if c not in book.contraindications]
    if unknown:
        allowed = ", ".join(sorted(book.contraindications))
        raise ProfileError(
            [f"contraindications: unknown {', '.join(unknown)}; expected some of {allowed}"]
        )


def _rest(vitals: VitalsScreen, override: Override | None) -> Prescription:
    reasons = [
        Reason("vitals_do_not_start", {"criteria": "; ".join(vitals.reasons())}),
        Reason("staff_referral"),
    ]
    if override is not None:
        reasons.append(Reason("override_not_applied", {"staff": override.staff}))
    return Prescription(
        programme=REST, level=0, exercises=(), reasons=tuple(reasons), staff_referral=True
    )


def _start(profile: Profile, reasons: list[Reason]) -> tuple[str, int]:
    table = rules()
    sppb = profile.latest("sppb")
    band = sppb.get("band") if sppb is not None else None
    start = table["start"][band or "no_assessment"]
    programme, level = str(start["programme"]), int(start["level"])
    if sppb is None or band is None:
        reasons.append(Reason("no_sppb"))
    else:
        reasons.append(
            Reason(
                "sppb_band",
                {"total": sppb.get("total"), "band": band, "programme": programme, "level": level},
            )
        )
    if "unable_to_stand" in profile.contraindications:
        seated = table["unable_to_stand"]
        if programme != seated["programme"]:
            programme = str(seated["programme"])
        level = min(level, int(seated["max_level"]))
        reasons.append(Reason("unable_to_stand"))
    return programme, level


def _since_latest_sppb(profile: Profile, programme: str) -> list[HistorySession]:
    sppb = profile.latest("sppb")
    since = sppb.date if sppb is not None else None
    return [
        session
        for session in profile.history
        if session.programme == programme and (since is None or session.date >= since)
    ]


def _failed(session: HistorySession) -> bool:
    """Whether the session calls for a step down: pain, very hard, or a failed vitals check."""
    regression = rules()["regression"]
    hard = session.rpe is not None and session.rpe >= regression["rpe_at_least"]
    return session.pain or hard or session.vitals in regression["vitals_failed"]


def _at_target(session: HistorySession) -> bool:
    """Whether the session was done in full, without pain, at an RPE of at most the rule's."""
    limit = rules()["progression"]["rpe_at_most"]
    return session.completed and session.rpe is not None and session.rpe <= limit


def _apply_history(
    sessions: list[HistorySession], programme: str, levels: tuple[int, int], reasons: list[Reason]
) -> int:
    """Walk the sessions; ``levels`` is (starting level, the programme's top level)."""
    level, top = levels
    needed = int(rules()["progression"]["sessions_at_target"])
    streak = 0
    for session in sessions:
        level = min(session.level, top)
        if _failed(session):
            streak = 0
            if level > 1:
                level -= 1
                reasons.append(_regression_reason(session, level))
            continue
        streak = streak + 1 if _at_target(session) else 0
        if streak < needed:
            continue
        streak = 0
        if level < top:
            level += 1
            reasons.append(Reason("progressed", {"date": session.date.isoformat(), "level": level}))
        elif programme == rules()["unable_to_stand"]["programme"]:
            reasons.append(Reason(SEATED_TOP_PROPOSAL))
    return level


def _regression_reason(session: HistorySession, level: int) -> Reason:
    if session.pain:
        cause = "pain"
    elif session.vitals != "ok":
        cause = f"vitals_{session.vitals}"
    else:
        cause = "hard"
    return Reason(
        f"regressed_{cause}",
        {"date": session.date.isoformat(), "level": level, "rpe": session.rpe},
    )


def fall_risk_flags(profile: Profile) -> list[str]:
    """Return the fall-risk flags of the latest fall-risk battery and MEXT one-leg stance."""
    table = rules()["fall_risk"]
    fall_risk, mext = profile.latest("fall_risk"), profile.latest("mext65")
    flags = [] if fall_risk is None else [f for f in table["flags"] if fall_risk.get(f) is True]
    one_leg = (mext.get("recorded") or {}).get("one_leg_stance_s") if mext is not None else None
    if isinstance(one_leg, int | float) and one_leg < table["mext_one_leg_below_s"]:
        flags.append("mext_one_leg_under_5s")
    return flags


def low_grip(profile: Profile) -> bool:
    """Whether the latest AWGS 2019 result or grip assessment found low grip strength."""
    awgs, grip = profile.latest("awgs2019"), profile.latest("grip")
    by_awgs = awgs is not None and awgs.get("low_strength") is True
    return by_awgs or (grip is not None and (grip.get("awgs_rating") or {}).get("low") is True)


def _cap(flags: list[str], programme: str, level: int, reasons: list[Reason]) -> int:
    table = rules()["fall_risk"]
    if flags and programme == table["standing_programme"]:
        reasons.append(Reason("fall_risk", {"flags": flags}))
        if level > table["max_level"]:
            level = int(table["max_level"])
            reasons.append(Reason("capped_fall_risk", {"level": level}))
    return level


def _override(
    override: Override, book: Catalogue, by_rules: tuple[str, int], reasons: list[Reason]
) -> tuple[str, int]:
    chosen = book.programmes.get(override.programme)
    if chosen is None or override.level > len(chosen.levels):
        known = ", ".join(f"{p.id} (1–{len(p.levels)})" for p in book.programmes.values())
        problem = (
            f"override: no programme {override.programme!r} at level {override.level}; "
            f"expected one of {known}"
        )
        raise ProfileError([problem])
    programme, level = by_rules
    reasons.append(
        Reason(
            "staff_override",
            {
                "staff": override.staff,
                "reason": override.reason,
                "rules_programme": programme,
                "rules_level": level,
            },
        )
    )
    return override.programme, override.level


def _exercises(
    limits: list[str], book: Catalogue, session: ProgrammeLevel, reasons: list[Reason]
) -> list[PrescribedExercise]:
    chosen: list[PrescribedExercise] = []
    for section, item in session.entries():
        exercise = book.exercises[item.exercise]
        excluded = sorted(set(limits).intersection(exercise.contraindications))
        if excluded:
            reasons.append(
                Reason("excluded", {"exercise": exercise.id, "contraindication": excluded[0]})
            )
            continue
        level = exercise.level(item.level)
        chosen.append(PrescribedExercise(section, exercise.id, level.level, level.dose))
    return chosen


def _also(profile: Profile, programme: str) -> list[AlsoProposed]:
    table = rules()["also"]
    proposals: list[AlsoProposed] = []
    if low_grip(profile) and programme != "hand_grip":
        proposals.append(
            AlsoProposed("hand_grip", int(table["hand_grip"]["level"]), Reason("low_grip"))
        )
    if (
        _walking_is_slow(profile)
        and programme != "walking"
        and ("unable_to_stand" not in profile.contraindications)
    ):
        proposals.append(
            AlsoProposed("walking", int(table["walking"]["level"]), Reason("slow_gait"))
        )
    return proposals


def _walking_is_slow(profile: Profile) -> bool:
    """AWGS 2019 low performance by gait speed, or SPPB gait points below the rule's bound."""
    awgs, sppb = profile.latest("awgs2019"), profile.latest("sppb")
    if awgs is not None and "gait_speed_m_s" in (awgs.get("low_performance_by") or []):
        return True
    points = sppb.get("gait_points") if sppb is not None else None
    return points is not None and points < rules()["also"]["walking"]["sppb_gait_points_below"]
