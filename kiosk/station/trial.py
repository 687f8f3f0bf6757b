"""The trial state machine: prepare → instruct → countdown → record → score → review → saved.

Pure: ``advance(state, event)`` returns the next state or raises TrialError naming the phase and
the event. From review the trainer accepts (→ saving → saved) or retakes (→ countdown, the next
attempt). A device lost while the trial is under way, or a cancel, ends it as discarded: a
discarded trial is never saved. A save that fails (storage unsafe) returns to review with the
reason, so nothing is shown as saved that was not committed.

A **practice** trial (from instruct) runs like any other but can never be saved: from its review
the trainer records the real trial (``retake``, still attempt 1) or cancels. A **typed** result
(the manual-entry fallback when a device is missing or failed) goes straight to review from
instruct, review or discarded; it carries its metrics and is saved without a recording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any


class Phase(StrEnum):
    """Where a trial stands."""

    PREPARE = "prepare"
    INSTRUCT = "instruct"
    COUNTDOWN = "countdown"
    RECORD = "record"
    SCORE = "score"
    REVIEW = "review"
    SAVING = "saving"
    SAVED = "saved"
    DISCARDED = "discarded"


ACTIVE = frozenset({Phase.COUNTDOWN, Phase.RECORD, Phase.SCORE})
FINISHED = frozenset({Phase.SAVED, Phase.DISCARDED})


class TrialError(ValueError):
    """An event that does not apply in the trial's phase."""


@dataclass(frozen=True, slots=True)
class Scored:
    """A trial's score: metrics, quality flags and the algorithm that made them."""

    metrics: Mapping[str, Any]
    quality_flags: tuple[str, ...]
    algorithm_version: str


@dataclass(frozen=True, slots=True)
class TrialState:
    """One trial of one test for one resident."""

    test: str
    resident_uuid: str
    phase: Phase = Phase.PREPARE
    attempt: int = 1
    scored: Scored | None = None
    trial_uuid: str | None = None
    reason: str = ""  # why it was discarded, or why the last save failed
    practice: bool = False  # a practice trial: shown, never saved
    typed: bool = False  # the result was typed by the trainer, not recorded
    history: tuple[Phase, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened to a trial; ``kind`` names it."""

    kind: str
    scored: Scored | None = None
    trial_uuid: str | None = None
    reason: str = ""


# (phase, event kind) -> next phase
TRANSITIONS: Mapping[tuple[Phase, str], Phase] = {
    (Phase.PREPARE, "begin"): Phase.INSTRUCT,
    (Phase.INSTRUCT, "ready"): Phase.COUNTDOWN,
    (Phase.INSTRUCT, "practice"): Phase.COUNTDOWN,
    (Phase.INSTRUCT, "typed"): Phase.REVIEW,
    (Phase.REVIEW, "typed"): Phase.REVIEW,
    (Phase.DISCARDED, "typed"): Phase.REVIEW,
    (Phase.COUNTDOWN, "countdown_done"): Phase.RECORD,
    (Phase.RECORD, "stop"): Phase.SCORE,
    (Phase.SCORE, "scored"): Phase.REVIEW,
    (Phase.REVIEW, "retake"): Phase.COUNTDOWN,
    (Phase.REVIEW, "accept"): Phase.SAVING,
    (Phase.SAVING, "saved"): Phase.SAVED,
    (Phase.SAVING, "save_failed"): Phase.REVIEW,
}


def advance(state: TrialState, event: Event) -> TrialState:
    """Return the state after ``event``; raise TrialError if it does not apply.

    ``device_lost`` discards a trial that is counting down, recording or scoring (its signal is
    incomplete) and changes nothing otherwise; ``cancel`` discards any trial not yet finished or
    being saved.
    """
    discards = (event.kind == "device_lost" and state.phase in ACTIVE) or (
        event.kind == "cancel" and state.phase not in FINISHED | {Phase.SAVING}
    )
    if discards:
        return _moved(state, Phase.DISCARDED, reason=event.reason or event.kind, scored=None)
    if event.kind == "device_lost":
        return state
    target = TRANSITIONS.get((state.phase, event.kind))
    if target is None:
        raise TrialError(f"{event.kind!r} does not apply to a trial in phase {state.phase.value}")
    if event.kind in {"scored", "typed"} and event.scored is None:
        raise TrialError(f"a {event.kind!r} event needs its score")
    if event.kind == "accept" and state.practice:
        raise TrialError("a practice trial is not saved; record the real trial first")
    by_kind: dict[str, dict[str, Any]] = {
        "scored": {"scored": event.scored, "reason": ""},
        "practice": {"practice": True},
        "typed": {"scored": event.scored, "typed": True, "practice": False, "reason": ""},
        "retake": {
            "attempt": state.attempt + (0 if state.practice else 1),
            "scored": None,
            "practice": False,
            "typed": False,
            "reason": "",
        },
        "saved": {"trial_uuid": event.trial_uuid, "reason": ""},
        "save_failed": {"reason": event.reason},
    }
    return _moved(state, target, **by_kind.get(event.kind, {}))


def _moved(state: TrialState, phase: Phase, **changes: Any) -> TrialState:
    return replace(state, phase=phase, history=(*state.history, state.phase), **changes)
