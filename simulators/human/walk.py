"""A person walking through photocell gates: beam cuts and clears with ground truth.

Seeded model choices (not norms): the walker's speed varies per trial with a coefficient of
variation ``speed_cv``; the trunk (``body_depth_m``, 0.25–0.35 m) cuts each beam for
``depth / speed``; with probability ``arm_probability`` an arm swing clears the beam briefly and
cuts it again within 40–120 ms (the short re-cuts the merge window of chronopic-timer.md §6.2
exists for). The true crossing time of a gate is when the trunk's leading edge reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ARM_RECUT_S = (0.04, 0.12)
ARM_CLEAR_S = (0.03, 0.08)


@dataclass(frozen=True, slots=True)
class WalkTruth:
    """What happened: the walker's speed and when the trunk reached each gate (s)."""

    speed_m_s: float
    gate_positions_m: tuple[float, ...]
    crossing_times_s: tuple[float, ...]
    seed: int

    @property
    def walking_time_s(self) -> float:
        """Time from the first gate to the last."""
        return self.crossing_times_s[-1] - self.crossing_times_s[0]


@dataclass(frozen=True, slots=True)
class BeamEvents:
    """Beam changes in time order: (time in s from the start, True = cut, False = clear)."""

    changes: tuple[tuple[float, bool], ...]
    truth: WalkTruth


def walk_through_gates(
    *,
    seed: int,
    gate_positions_m: tuple[float, ...] = (0.0, 4.0),
    speed_m_s: float = 0.9,
    speed_cv: float = 0.05,
    start_s: float = 2.0,
    arm_probability: float = 0.3,
) -> BeamEvents:
    """Walk through the gates at a steady speed (after an acceleration zone, before the gates)."""
    if len(gate_positions_m) < 2 or list(gate_positions_m) != sorted(set(gate_positions_m)):
        raise ValueError("expected at least two gate positions in increasing order (m)")
    if not 0.05 <= speed_m_s <= 3.0:
        raise ValueError(f"speed {speed_m_s} m/s; expected 0.05 to 3.0 m/s")
    rng = np.random.default_rng(seed)
    speed = float(speed_m_s * np.clip(1 + speed_cv * rng.standard_normal(), 0.7, 1.3))
    depth = float(rng.uniform(0.25, 0.35))
    origin = gate_positions_m[0]
    crossings = tuple(start_s + (x - origin) / speed for x in gate_positions_m)
    changes: list[tuple[float, bool]] = []
    for t in crossings:
        changes.append((t, True))
        end = t + depth / speed
        if rng.random() < arm_probability:
            clear = end + rng.uniform(*ARM_CLEAR_S) - ARM_CLEAR_S[1]
            recut = clear + rng.uniform(*ARM_RECUT_S)
            changes += [(clear, False), (recut, True)]
            end = recut + rng.uniform(*ARM_CLEAR_S)
        changes.append((end, False))
    truth = WalkTruth(speed, tuple(gate_positions_m), crossings, seed)
    return BeamEvents(tuple(changes), truth)
