"""A person doing chair stands on a contact mat laid on the seat: the mat's on/off changes.

The mat is closed (ON) while the person sits on it and opens (OFF) when they leave the seat
(chronopic-timer.md §6.4). Seeded model choices (not norms): a seated pause before the first stand,
then repetitions whose seat-off and seat-on times vary by ±10 % around ``cycle_s``; the ground
truth is each seat-off and seat-on time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class MatTruth:
    """When the person left the seat and sat down again (s from the start)."""

    seat_off_s: tuple[float, ...]
    seat_on_s: tuple[float, ...]
    seed: int


@dataclass(frozen=True, slots=True)
class MatEvents:
    """Mat changes in time order: (time in s, True = loaded), and the truth."""

    changes: tuple[tuple[float, bool], ...]
    truth: MatTruth


def chair_stands_on_mat(
    *, seed: int, repetitions: int = 5, start_s: float = 2.0, cycle_s: float = 2.4
) -> MatEvents:
    """Sit down at 0.5 s, then stand up and sit down ``repetitions`` times from ``start_s``."""
    if repetitions < 1 or cycle_s <= 0:
        raise ValueError("expected at least one repetition and a positive cycle time")
    rng = np.random.default_rng(seed)
    changes: list[tuple[float, bool]] = [(0.5, True)]
    offs, ons = [], []
    t = start_s
    for _ in range(repetitions):
        cycle = cycle_s * float(rng.uniform(0.9, 1.1))
        off, on = t, t + 0.6 * cycle
        changes += [(off, False), (on, True)]
        offs.append(off)
        ons.append(on)
        t += cycle
    return MatEvents(tuple(changes), MatTruth(tuple(offs), tuple(ons), seed))
