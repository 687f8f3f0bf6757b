"""Scenarios: what a person does on the plate, as corner loads plus the ground truth behind them.

Loads follow from body weight and the COP by the bilinear split
``F_FL = Fz(½ − x/a)(½ + y/b)``, ``F_FR = Fz(½ + x/a)(½ + y/b)``, ``F_BL = Fz(½ − x/a)(½ − y/b)``,
``F_BR = Fz(½ + x/a)(½ − y/b)``, which reproduces the COP exactly through the plate's formula
(genki-forceplate.md §1.4) with no twist between diagonals. Event times are in seconds from the
start of the signal; a transition event (lift-off, touchdown, step-out) is the moment the COP
has moved half of the way, in the middle of a raised-cosine transition.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from simulators.human.sway import profile, sway

FloatArray = npt.NDArray[np.float64]
GRAVITY_M_S2 = 9.80665
ONE_LEG_SHIFT_ML_MM = 45.0  # model choice: COP moves over the stance foot (feet together stance)
ONE_LEG_SWAY_SCALE = (1.3, 2.5)  # (amplitude, velocity) on one leg, model choice
TRANSITION_S = 0.3
STEP_OUT_MM = 80.0  # model choice: the foot put down beside the stance, on the plate
SCENARIOS = ("quiet-eo", "quiet-ec", "one-leg", "tandem", "sit-to-stand", "step-on-off")
# Sit-to-stand model choices: seated, the feet carry a quarter of body weight; rising loads them
# to a momentum peak above body weight, sitting unloads below it; the COP moves forward to rise.
SEATED_LOAD = 0.25
RISE_PEAK = 0.25
SIT_DIP = 0.2
RISE_AP_MM = 30.0
REPETITION_S = {False: 2.5, True: 3.5}  # robust, frail


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """What the scenario encoded: event times (s) and the COP trajectory (mm)."""

    events_s: dict[str, float] = field(default_factory=dict)
    cop_ml_mm: FloatArray = field(default_factory=lambda: np.zeros(0))
    cop_ap_mm: FloatArray = field(default_factory=lambda: np.zeros(0))


@dataclass(frozen=True, slots=True)
class ScenarioSignal:
    """Corner loads (n × 4: FL, FR, BL, BR, in N) at ``rate_hz`` and the ground truth."""

    rate_hz: float
    loads_n: FloatArray
    fz_n: FloatArray
    ground_truth: GroundTruth


def corner_loads(
    fz: FloatArray, ml: FloatArray, ap: FloatArray, spacing_mm: tuple[float, float]
) -> FloatArray:
    """Split vertical force over the four corners so that the plate reports COP (ml, ap)."""
    u, v = ml / spacing_mm[0], ap / spacing_mm[1]
    loads: FloatArray = (
        np.column_stack(
            [
                (0.5 - u) * (0.5 + v),
                (0.5 + u) * (0.5 + v),
                (0.5 - u) * (0.5 - v),
                (0.5 + u) * (0.5 - v),
            ]
        )
        * fz[:, None]
    )
    return loads


def _ramp(t: FloatArray, middle_s: float, duration_s: float) -> FloatArray:
    """Return 0 → 1 as a raised cosine of ``duration_s`` centred on ``middle_s``."""
    x = np.clip((t - middle_s) / duration_s + 0.5, 0.0, 1.0)
    ramp: FloatArray = 0.5 - 0.5 * np.cos(np.pi * x)
    return ramp


def _sit_to_stand(
    t: FloatArray, weight: FloatArray, ap: FloatArray, *, frail: bool, start_s: float, count: int
) -> tuple[FloatArray, FloatArray, dict[str, float]]:
    """Seated, then ``count`` stands and sits; events are each rise's and each sit's midpoint."""
    period = REPETITION_S[frail]
    standing = np.zeros_like(t)
    bumps = np.zeros_like(t)
    events: dict[str, float] = {}
    for k in range(count):
        rise, sit = start_s + k * period + 0.5, start_s + k * period + 0.5 + period / 2
        standing += _ramp(t, rise, 0.8) - _ramp(t, sit, 0.8)
        bumps += RISE_PEAK * np.exp(-(((t - rise - 0.3) / 0.15) ** 2))
        bumps -= SIT_DIP * np.exp(-(((t - sit + 0.2) / 0.15) ** 2))
        events[f"stand_{k + 1}_s"], events[f"sit_{k + 1}_s"] = rise, sit
    load = SEATED_LOAD + (1 - SEATED_LOAD) * standing + bumps
    return weight * load, ap + RISE_AP_MM * standing, events


def generate(  # noqa: PLR0913 - the scenario's parameters, all keywords
    name: str,
    *,
    rate_hz: float,
    duration_s: float,
    seed: int,
    frail: bool = False,
    weight_kg: float = 60.0,
    spacing_mm: tuple[float, float] = (500.0, 400.0),
    event_s: float = 5.0,
    hold_s: float = 20.0,
) -> ScenarioSignal:
    """Generate a scenario.

    ``event_s`` is when the action starts (lift-off, stepping on, the first stand) and ``hold_s``
    how long it lasts (seconds on one leg or in tandem, on the plate, or the number of stands).
    """
    if name not in SCENARIOS:
        raise ValueError(f"unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)}")
    rng = np.random.default_rng(seed)
    n = round(duration_s * rate_hz)
    t = np.arange(n) / rate_hz
    ml, ap = sway(rng, n, rate_hz, profile(eyes_closed=name == "quiet-ec", frail=frail))
    fz = np.full(n, weight_kg * GRAVITY_M_S2)
    events: dict[str, float] = {}
    if name == "one-leg":
        ml_leg, ap_leg = sway(
            rng, n, rate_hz, profile(eyes_closed=False, frail=frail).scaled(*ONE_LEG_SWAY_SCALE)
        )
        on_leg = _ramp(t, event_s, TRANSITION_S) - _ramp(t, event_s + hold_s, TRANSITION_S)
        ml = (1 - on_leg) * ml + on_leg * (ONE_LEG_SHIFT_ML_MM + ml_leg)
        ap = (1 - on_leg) * ap + on_leg * ap_leg
        events = {"lift_off_s": event_s, "touchdown_s": event_s + hold_s}
    elif name == "tandem":
        ml = ml + STEP_OUT_MM * _ramp(t, event_s + hold_s, TRANSITION_S)
        events = {"step_out_s": event_s + hold_s}
    elif name == "sit-to-stand":
        fz, ap, events = _sit_to_stand(t, fz, ap, frail=frail, start_s=event_s, count=round(hold_s))
    elif name == "step-on-off":
        fz = fz * (_ramp(t, event_s, 1.0) - _ramp(t, event_s + hold_s, 1.0))
        events = {"step_on_s": event_s, "step_off_s": event_s + hold_s}
    loads = corner_loads(fz, ml, ap, spacing_mm)
    truth = GroundTruth(events_s=events, cop_ml_mm=ml, cop_ap_mm=ap)
    return ScenarioSignal(rate_hz=rate_hz, loads_n=loads, fz_n=fz, ground_truth=truth)
