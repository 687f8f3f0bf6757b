"""The device tests the station records and scores: which device, how long, which scorer.

Each test names the device role it needs (``plate`` for a force plate, ``gauge`` for a grip
dynamometer, ``timer`` for a Chronopic with photocell gates), how long it records, whether it may
stop itself, and the scorer from measures/ that turns the recording into metrics. Durations
follow the scorers' protocols: quiet stance 30 s (REFERENCE.md §8.1 gives 60 s as PARTIAL;
genki's kiosk default is the shorter trial, flagged by the scorer as not comparable with 60-s
values), five chair stands until the fifth stand or 60 s (REFERENCE.md §2.3), a grip squeeze 5 s
(measures.grip).

The SPPB's parts (REFERENCE.md §2): each balance stance (§2.1) is held from the start of the
recording, which ends at the first step-out or once the 10-s cap is reached (``hold_s``, what the
SPPB form takes); the recording lasts the cap plus a margin so a stance held to the end reaches
it. The 4-m walk (§2.2) is timed by two photocell gates at 0 and 4 m on one timer input
(chronopic-timer.md §6): the first gate's cut starts the time, the recording stops itself once the
second crossing has cleared, or after 30 s.

A timer records events, not samples: a recording of TIMER_CHANNELS, one row per input change
(the state, the device time in µs and whether the time line is continuous up to it), so it can be
re-scored like any signal. Its ``rate_hz`` is the mean event rate over the recording, which keeps
rows / rate_hz equal to the recording's length as for sampled signals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from devices.frames import TimerEvent
from kiosk.station.trial import Scored
from measures.chair_stand import detect_stands, five_times_sit_to_stand
from measures.errors import SignalError
from measures.gait import Crossing, find_crossings, time_gates
from measures.grip import score_grip
from measures.stabilometry import score_sway
from measures.stance import BASELINE_S, MEXT_CAP_S, SPPB_HOLD_S, one_leg_stance, stance_hold
from records.recordings import RawRecording

Role = Literal["plate", "gauge", "timer", "cuff", "oximeter", "thermometer"]
PLATE_CHANNELS = ("fz_n", "cop_ml_mm", "cop_ap_mm")
GAUGE_CHANNELS = ("force_kgf",)
TIMER_CHANNELS = ("state", "device_time_us", "continuous")
FloatArray = npt.NDArray[np.float64]
STANCE_MARGIN_S = 1.0  # recorded past the cap: the cap is reached before the recording ends
ONE_LEG_MARGIN_S = 15.0  # standing on both feet, then lifting a foot, before the 120-s cap runs
GAIT_GATES_M = (0.0, 4.0)  # the SPPB's 4-m course, a gate at each end (REFERENCE.md §2.2)
GAIT_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Measurement:
    """One device test: the device role, the recording's length, its scorer."""

    id: str
    role: Role
    seconds: float
    score: Callable[[RawRecording], Scored]
    done_early: Callable[[RawRecording], bool] | None = None  # may the recording stop itself?


def _column(recording: RawRecording, name: str) -> FloatArray:
    return np.asarray(recording.samples[:, recording.channels.index(name)], dtype=np.float64)


def _sway(recording: RawRecording) -> Scored:
    result = score_sway(
        _column(recording, "cop_ml_mm"), _column(recording, "cop_ap_mm"), recording.rate_hz
    )
    metrics = {k: v for k, v in result.as_json().items() if k != "quality_flags"}
    return Scored(metrics, tuple(str(f) for f in result.quality_flags), result.algorithm_version)


def _five_stands(recording: RawRecording) -> Scored:
    result = five_times_sit_to_stand(_column(recording, "fz_n"), recording.rate_hz)
    metrics = {"time_s": result.time_s, "count": result.count,
               "stand_times_s": list(result.stand_times_s)}  # fmt: skip
    return Scored(metrics, tuple(result.quality_flags), result.algorithm_version)


def _five_stands_done(recording: RawRecording) -> bool:
    fz = _column(recording, "fz_n")
    return fz.size > recording.rate_hz and len(detect_stands(fz, recording.rate_hz).stands) >= 5


def _grip(recording: RawRecording) -> Scored:
    force = _column(recording, "force_kgf")
    time = np.arange(force.size, dtype=np.float64) / recording.rate_hz
    result = score_grip(time, force)
    metrics = {k: v for k, v in result.as_json().items() if k != "quality_flags"}
    return Scored(metrics, tuple(str(f) for f in result.quality_flags), result.algorithm_version)


def timer_recording(events: Sequence[TimerEvent], seconds: float) -> RawRecording:
    """Return a timer's events as a recording of TIMER_CHANNELS lasting ``seconds`` (docstring).

    An event after lost frames, after a saturated interval or at the start of a time line is not
    continuous (chronopic-timer.md §6.2 step 5).
    """
    rows = [
        (e.state, e.device_time_us, int(not (e.first or e.saturated or e.after_gap)))
        for e in events
    ]
    samples = np.array(rows, dtype=np.int64).reshape(-1, len(TIMER_CHANNELS))
    rate_hz = max(len(rows), 1) / seconds if seconds > 0 else 1.0
    return RawRecording(rate_hz=rate_hz, channels=TIMER_CHANNELS, samples=samples)


def _stance_signal(recording: RawRecording) -> tuple[FloatArray, FloatArray, FloatArray, int]:
    """Return Fz, ML and AP up to the first sample without a COP, and that sample's index.

    The plate reports no COP once the feet carry less than its minimum: the resident has left
    the plate, so the stance has ended by then at the latest.
    """
    fz, ml, ap = (_column(recording, name) for name in PLATE_CHANNELS)
    finite = np.isfinite(fz) & np.isfinite(ml) & np.isfinite(ap)
    n = fz.size if finite.all() else int(np.argmin(finite))
    return fz[:n], ml[:n], ap[:n], n


def _stance(recording: RawRecording) -> Scored:
    """Time an SPPB stance held from the start of the recording (REFERENCE.md §2.1)."""
    fz, ml, ap, n = _stance_signal(recording)
    if n < recording.samples.shape[0] and n < 2 * BASELINE_S * recording.rate_hz:
        raise SignalError(
            f"the plate lost the resident {n / recording.rate_hz:.1f} s into the stance; expected "
            f"the resident in position on the plate for at least {2 * BASELINE_S:g} s"
        )
    result = stance_hold(fz, ml, ap, recording.rate_hz)
    hold_s, end_s, flags = result.hold_s, result.end_s, result.quality_flags
    left = n < recording.samples.shape[0] and end_s is None and "reached_cap" not in flags
    if left:
        end_s = n / recording.rate_hz
        hold_s, flags = min(end_s, result.cap_s), ("left_the_plate",)
    metrics = {"hold_s": hold_s, "step_out_s": end_s, "cap_s": result.cap_s}
    return Scored(metrics, tuple(flags), result.algorithm_version)


def _stance_done(recording: RawRecording) -> bool:
    """Whether the stance has ended (a step-out, off the plate) or reached the cap."""
    fz, ml, ap, n = _stance_signal(recording)
    if n < recording.samples.shape[0]:
        return True  # no COP: nobody on the plate any more (the scorer says what happened)
    if fz.size < 2 * BASELINE_S * recording.rate_hz:
        return False
    result = stance_hold(fz, ml, ap, recording.rate_hz)
    return result.end_s is not None or "reached_cap" in result.quality_flags


def _one_leg(recording: RawRecording) -> Scored:
    """Time a one-leg stance, eyes open, from lift-off to touchdown (REFERENCE.md §6.1).

    Capped at 120 s (MEXT). A resident who leaves the plate while on one leg ends the stance
    there (``left_the_plate``).
    """
    fz, ml, _ap, n = _stance_signal(recording)
    if fz.size < 2 * BASELINE_S * recording.rate_hz:
        raise SignalError(
            f"the plate had the resident for {n / recording.rate_hz:.1f} s; expected the resident "
            f"on both feet for at least {2 * BASELINE_S:g} s before lifting a foot"
        )
    result = one_leg_stance(fz, ml, recording.rate_hz)
    hold_s, end_s, flags = result.hold_s, result.end_s, result.quality_flags
    lifted = result.start_s is not None
    if lifted and n < recording.samples.shape[0] and end_s is None and "reached_cap" not in flags:
        end_s = n / recording.rate_hz
        hold_s, flags = min(end_s - (result.start_s or 0.0), result.cap_s), ("left_the_plate",)
    metrics = {"hold_s": hold_s, "lift_off_s": result.start_s, "touchdown_s": end_s,
               "cap_s": result.cap_s}  # fmt: skip
    return Scored(metrics, tuple(flags), result.algorithm_version)


def _one_leg_done(recording: RawRecording) -> bool:
    """Whether the foot is down again, the resident left the plate, or the cap is reached."""
    fz, ml, _ap, n = _stance_signal(recording)
    if n < recording.samples.shape[0]:
        return True
    if fz.size < 2 * BASELINE_S * recording.rate_hz:
        return False
    result = one_leg_stance(fz, ml, recording.rate_hz)
    return result.end_s is not None or "reached_cap" in result.quality_flags


def _crossings(recording: RawRecording) -> tuple[Crossing, ...]:
    state, time_us, continuous = (
        recording.samples[:, recording.channels.index(name)] for name in TIMER_CHANNELS
    )
    return find_crossings(state, time_us, continuous.astype(bool))


def _gait(recording: RawRecording) -> Scored:
    """Time the 4-m walk between the gates (chronopic-timer.md §6.2, REFERENCE.md §2.2)."""
    crossings = _crossings(recording)
    trial = time_gates(crossings, GAIT_GATES_M)
    metrics = {
        "time_s": trial.total_time_s,
        "speed_m_s": trial.mean_speed_m_s,
        "course_m": GAIT_GATES_M[-1] - GAIT_GATES_M[0],
        "crossings": len(crossings),
    }
    return Scored(metrics, tuple(str(f) for f in trial.flags), trial.algorithm_version)


def _gait_done(recording: RawRecording) -> bool:
    """Whether the walker has cleared the last gate."""
    crossings = _crossings(recording)
    return len(crossings) >= len(GAIT_GATES_M) and crossings[-1].end_s is not None


def _stance_test(test: str) -> Measurement:
    return Measurement(test, "plate", SPPB_HOLD_S + STANCE_MARGIN_S, _stance, _stance_done)


MEASUREMENTS: Mapping[str, Measurement] = {
    "sway_eo": Measurement("sway_eo", "plate", 30.0, _sway),
    "sway_ec": Measurement("sway_ec", "plate", 30.0, _sway),
    "chair_stand_5x": Measurement("chair_stand_5x", "plate", 60.0, _five_stands, _five_stands_done),
    "grip": Measurement("grip", "gauge", 5.0, _grip),
    "stance_side_by_side": _stance_test("stance_side_by_side"),
    "stance_semi_tandem": _stance_test("stance_semi_tandem"),
    "stance_tandem": _stance_test("stance_tandem"),
    "gait_4m": Measurement("gait_4m", "timer", GAIT_TIMEOUT_S, _gait, _gait_done),
    "one_leg_stance": Measurement(
        "one_leg_stance", "plate", MEXT_CAP_S + ONE_LEG_MARGIN_S, _one_leg, _one_leg_done
    ),
}
