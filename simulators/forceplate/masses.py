"""Calibration masses resting on a plate: what the four cells carry (genki-forceplate.md §3.7).

A mass ``m`` at (x, y) weighs W = m · 9.80665 N; the corner loads are the split of
simulators.human.scenarios (``corner_loads``: a rigid top on four equally stiff cells, each load
linear in its sensor's position). Over a sensor (|x| = a/2, |y| = b/2) that split gives 3W/4 on
that cell, W/4 on its two neighbours and −W/4 on the diagonal cell: the top pulls on a cell it is
fixed to. Force and both moments are exact either way, which is all the known-weight calibration
(§3.7 step 4) assumes. An empty plate is a mass of 0 kg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulators.human.scenarios import DEFAULT_SPACING_MM, corner_loads
from simulators.human.sway import GRAVITY_M_S2

LOOP_S = 1.0  # one second of rows, so the plate's ADC noise varies from sample to sample


@dataclass(frozen=True, slots=True, eq=False)
class StaticLoad:
    """A mass at rest: the same corner loads (n × 4: FL, FR, BL, BR, N) at every sample."""

    mass_kg: float
    position_mm: tuple[float, float]
    rate_hz: float
    loads_n: npt.NDArray[np.float64]


def static_load(
    mass_kg: float,
    position_mm: tuple[float, float] = (0.0, 0.0),
    *,
    rate_hz: float = 1000.0,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
) -> StaticLoad:
    """Return the loads of ``mass_kg`` resting at ``position_mm`` (x right, y forward, mm)."""
    if not mass_kg >= 0:
        raise ValueError(f"mass_kg={mass_kg}; expected a mass of 0 kg (empty plate) or more")
    if not rate_hz > 0:
        raise ValueError(f"rate_hz={rate_hz}; expected a positive sample rate")
    x, y = position_mm
    if abs(x) > spacing_mm[0] / 2 or abs(y) > spacing_mm[1] / 2:
        raise ValueError(
            f"position {position_mm} mm is off the {spacing_mm[0]:g} x {spacing_mm[1]:g} mm "
            "sensor rectangle; expected |x| <= a/2 and |y| <= b/2"
        )
    n = max(1, round(LOOP_S * rate_hz))
    loads = corner_loads(
        np.full(n, mass_kg * GRAVITY_M_S2), np.full(n, float(x)), np.full(n, float(y)), spacing_mm
    )
    loads.flags.writeable = False
    return StaticLoad(float(mass_kg), (float(x), float(y)), float(rate_hz), loads)
