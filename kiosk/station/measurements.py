"""The device tests the station records and scores: which device, how long, which scorer.

Each test names the device role it needs (``plate`` for a force plate, ``gauge`` for a grip
dynamometer), how long it records, whether it may stop itself, and the scorer from measures/
that turns the recording into metrics. Durations follow the scorers' protocols: quiet stance 30 s
(REFERENCE.md §8.1 gives 60 s as PARTIAL; genki's kiosk default is the shorter trial, flagged by
the scorer as not comparable with 60-s values), five chair stands until the fifth stand or 60 s
(REFERENCE.md §2.3), a grip squeeze 5 s (measures.grip).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from kiosk.station.trial import Scored
from measures.chair_stand import detect_stands, five_times_sit_to_stand
from measures.grip import score_grip
from measures.stabilometry import score_sway
from records.recordings import RawRecording

Role = Literal["plate", "gauge", "cuff", "oximeter", "thermometer"]
PLATE_CHANNELS = ("fz_n", "cop_ml_mm", "cop_ap_mm")
GAUGE_CHANNELS = ("force_kgf",)
FloatArray = npt.NDArray[np.float64]


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


MEASUREMENTS: Mapping[str, Measurement] = {
    "sway_eo": Measurement("sway_eo", "plate", 30.0, _sway),
    "sway_ec": Measurement("sway_ec", "plate", 30.0, _sway),
    "chair_stand_5x": Measurement("chair_stand_5x", "plate", 60.0, _five_stands, _five_stands_done),
    "grip": Measurement("grip", "gauge", 5.0, _grip),
}
