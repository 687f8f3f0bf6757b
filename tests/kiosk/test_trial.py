"""The trial state machine: the happy path, retakes, discards and failed saves."""

from __future__ import annotations

import pytest

from kiosk.station.trial import Event, Phase, Scored, TrialError, TrialState, advance

SCORE = Scored({"path_length_mm": 321.0}, ("short_recording",), "stabilometry/1")


def run(*kinds: str, state: TrialState | None = None) -> TrialState:
    state = state or TrialState("sway_eo", "resident-1")
    for kind in kinds:
        extra = {"scored": SCORE} if kind == "scored" else {}
        extra |= {"trial_uuid": "t-1"} if kind == "saved" else {}
        state = advance(state, Event(kind, **extra))  # type: ignore[arg-type]
    return state


def test_a_trial_goes_from_prepare_to_saved() -> None:
    state = run("begin", "ready", "countdown_done", "stop", "scored", "accept", "saved")
    assert state.phase is Phase.SAVED
    assert state.trial_uuid == "t-1"
    assert state.scored == SCORE
    assert state.history == (
        Phase.PREPARE, Phase.INSTRUCT, Phase.COUNTDOWN, Phase.RECORD, Phase.SCORE, Phase.REVIEW,
        Phase.SAVING,
    )  # fmt: skip


def test_a_retake_counts_the_attempt_and_drops_the_score() -> None:
    state = run("begin", "ready", "countdown_done", "stop", "scored", "retake")
    assert (state.phase, state.attempt, state.scored) == (Phase.COUNTDOWN, 2, None)


UNDER_WAY = [("begin", "ready"), ("begin", "ready", "countdown_done"),
             ("begin", "ready", "countdown_done", "stop")]  # fmt: skip


@pytest.mark.parametrize("events", UNDER_WAY)
def test_a_device_lost_while_under_way_discards_the_trial(events: tuple[str, ...]) -> None:
    state = advance(run(*events), Event("device_lost", reason="plate: unplugged"))
    assert (state.phase, state.reason, state.scored) == (Phase.DISCARDED, "plate: unplugged", None)
    with pytest.raises(TrialError, match="'accept' does not apply to a trial in phase discarded"):
        advance(state, Event("accept"))


def test_a_device_lost_outside_recording_changes_nothing() -> None:
    for kinds in (("begin",), ("begin", "ready", "countdown_done", "stop", "scored")):
        state = run(*kinds)
        assert advance(state, Event("device_lost")) is state


def test_cancel_discards_anything_not_finished_or_being_saved() -> None:
    assert advance(run("begin"), Event("cancel")).phase is Phase.DISCARDED
    saving = run("begin", "ready", "countdown_done", "stop", "scored", "accept")
    with pytest.raises(TrialError):
        advance(saving, Event("cancel"))
    saved = run("saved", state=saving)
    with pytest.raises(TrialError):
        advance(saved, Event("cancel"))


def test_a_failed_save_returns_to_review_with_the_reason() -> None:
    saving = run("begin", "ready", "countdown_done", "stop", "scored", "accept")
    state = advance(saving, Event("save_failed", reason="disk full"))
    assert (state.phase, state.reason, state.scored) == (Phase.REVIEW, "disk full", SCORE)
    assert run("accept", "saved", state=state).phase is Phase.SAVED


def test_events_out_of_order_are_refused_by_name() -> None:
    with pytest.raises(TrialError, match="'stop' does not apply to a trial in phase instruct"):
        run("begin", "stop")
    with pytest.raises(TrialError, match="needs its score"):
        advance(run("begin", "ready", "countdown_done", "stop"), Event("scored"))


def test_a_practice_trial_is_never_saved_and_the_real_one_is_attempt_one() -> None:
    practice = run("begin", "practice", "countdown_done", "stop", "scored")
    assert (practice.phase, practice.practice, practice.scored) == (Phase.REVIEW, True, SCORE)
    with pytest.raises(TrialError, match="practice trial is not saved"):
        advance(practice, Event("accept"))
    real = run("retake", state=practice)
    assert (real.phase, real.practice, real.attempt, real.scored) == (
        Phase.COUNTDOWN, False, 1, None,
    )  # fmt: skip
    assert run("countdown_done", "stop", "scored", "accept", "saved", state=real).phase is (
        Phase.SAVED
    )


TYPED = Scored({"peak_kgf": 21.5}, ("typed",), "typed/1")


@pytest.mark.parametrize(
    "before", [("begin",), ("begin", "ready", "countdown_done", "stop", "scored"),
               ("begin", "ready", "cancel")],
)  # fmt: skip
def test_a_typed_result_goes_to_review_and_is_saved(before: tuple[str, ...]) -> None:
    state = advance(run(*before), Event("typed", scored=TYPED))
    assert (state.phase, state.scored, state.typed, state.reason) == (
        Phase.REVIEW, TYPED, True, "",
    )  # fmt: skip
    assert run("accept", "saved", state=state).phase is Phase.SAVED


def test_a_typed_result_needs_its_values_and_cannot_interrupt_a_recording() -> None:
    with pytest.raises(TrialError, match="'typed' event needs its score"):
        advance(run("begin"), Event("typed"))
    with pytest.raises(TrialError, match="'typed' does not apply to a trial in phase record"):
        advance(run("begin", "ready", "countdown_done"), Event("typed", scored=TYPED))
