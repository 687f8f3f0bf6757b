"""Scenarios: what a person does on a plate, as four corner loads plus the ground truth behind them.

Every scenario is a function ``(rate_hz, duration_s, seed, *, person, <its own times>,
spacing_mm)`` returning a ScenarioSignal; everything random comes from
``numpy.random.default_rng(seed)``, so a seed reproduces a signal exactly. Generation is
vectorised (60 s at 1000 Hz takes a few milliseconds).

Corner loads. For a vertical force Fz at the centre of pressure (x, y) on a plate whose sensors
are a × b apart, the loads are the minimum-norm solution of the three equations of
genki-forceplate.md §1.3–1.4 (four unknowns: ΣF = Fz and the two moment equations)::

    F_FL = Fz/4·(1 − 2x/a + 2y/b)    F_FR = Fz/4·(1 + 2x/a + 2y/b)
    F_BL = Fz/4·(1 − 2x/a − 2y/b)    F_BR = Fz/4·(1 + 2x/a − 2y/b)

This is also what a rigid top on four equally stiff load cells carries: the top tilts as a plane,
so each load is linear in its sensor's position and both diagonals carry Fz/2 (no twist). The
loads stay ≥ 0 while |x|/a + |y|/b ≤ ½; every scenario stays well inside. The simulated plate
(simulators/forceplate/device.py, ``raw_counts``) turns loads into 24-bit ADC counts.

Ground truth. Event times are seconds from the first sample. A transition event (lift-off,
touchdown, step-out, stepping on or off, a rise or a sit) is the middle of a raised-cosine
transition: the moment the COP or the load has moved half of the way. An event after the last
sample is None; a sit-to-stand repetition is listed only when it ends within the signal. The
encoded COP is kept even where Fz is 0 (where the feet would be); the plate reports it missing
below its Fz threshold. Durations, load fractions and distances marked "model choice" are not
clinical values and are not cited.

Streaming without end (``genki simulate``) loops one generated signal rather than generating
more: quiet stance loops without a seam, because the sway is periodic over its length; the
events of the other scenarios repeat with every loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulators.human.sway import Person, Profile, sway, sway_profile

FloatArray = npt.NDArray[np.float64]
DEFAULT_PERSON = Person()  # 60 kg, robust
DEFAULT_SPACING_MM = (500.0, 400.0)  # the 500 × 400 mm plate of the spec's examples
TRANSITION_S = 0.3  # model choice: weight transfer for lift-off, touchdown and step-out
ONE_LEG_SHIFT_MM = 50.0  # model choice: the COP moves over the stance foot (feet together)
# Sway relative to eyes open, (ML amplitude, AP amplitude, frequency), model choices: on one leg
# larger and faster; in tandem the heel-to-toe base is long front to back, so AP sway is smaller.
ONE_LEG_SWAY = (1.3, 1.3, 2.5)
TANDEM_SWAY = (1.0, 0.5, 1.0)
STEP_OUT_MM = 80.0  # model choice: the free foot put down beside the stance, on the plate
FOOT_MM = 50.0  # model choice: a foot's centre beside the midline (stepping on and off)
STEP_S = 1.0  # model choice: loading or unloading the plate when stepping on or off
# Sit-to-stand model choices. Seated, the feet carry a quarter of body weight. Rising, the load
# moves onto the feet in the first 60 % of the rise (seat-off), peaks above body weight just after
# and settles while the body comes upright; sitting down starts with an unloading and ends with
# the load moving back onto the seat in the last half of the sit.
SEATED_LOAD = 0.25
RISE_PEAK = {"robust": 0.25, "frail": 0.15}
SETTLE, SETTLE_HZ, SETTLE_TAU_S = 0.05, 1.5, 0.25
SIT_DIP = 0.1
RISE_AP_MM = 30.0  # the COP moves towards the toes while rising
# (rise, standing, sit, seated pause) in seconds, each varied by ±10 % per repetition
PHASES_S = {"robust": (0.9, 0.4, 1.0, 0.3), "frail": (1.3, 0.6, 1.4, 0.5)}
# A repetition's onset and seated-again marks: the moments a tenth of the load has moved onto the
# feet, and all but a tenth back onto the seat (the scorers' rise onset and seated again).
TRANSFER_MARK = 0.1
# Timed Up and Go model choices: (standing before the first step, off the plate, turning on the
# plate before sitting) in seconds, each varied by ±10 %; the feet leave or load the plate over
# TUG_STEP_S. Off the plate is 3 m out, the turn and 3 m back (about 1.1 and 0.7 m/s).
TUG_PHASES_S = {"robust": (0.4, 6.5, 1.0), "frail": (0.6, 10.5, 1.6)}
TUG_STEP_S = 0.5


@dataclass(frozen=True, slots=True)
class Repetition:
    """One sit-to-stand repetition, in seconds from the first sample."""

    start_s: float  # the load starts moving from the seat onto the feet
    rise_s: float  # half of the load has moved onto the feet
    peak_s: float  # the vertical-force peak of the rise (to the nearest sample)
    standing_s: float  # upright: the rise is complete
    sit_s: float  # half of the load has moved back onto the seat
    end_s: float  # seated again
    onset_s: float  # TRANSFER_MARK of the load has moved onto the feet
    seated_s: float  # all but TRANSFER_MARK of the load has moved back onto the seat


@dataclass(frozen=True, slots=True, eq=False)
class GroundTruth:
    """What a scenario encoded: who, the COP trajectory (mm) and the event times (s)."""

    scenario: str
    seed: int
    person: Person
    eyes_closed: bool
    cop_ml_mm: FloatArray
    cop_ap_mm: FloatArray
    lift_off_s: float | None = None
    touchdown_s: float | None = None
    step_out_s: float | None = None
    step_on_s: float | None = None
    step_off_s: float | None = None
    repetitions: tuple[Repetition, ...] = ()

    @property
    def events_s(self) -> dict[str, float]:
        """Every event that happened, by name (``stand_k_s``/``sit_k_s`` for repetition k)."""
        names = ("lift_off_s", "touchdown_s", "step_out_s", "step_on_s", "step_off_s")
        events = {name: getattr(self, name) for name in names if getattr(self, name) is not None}
        for k, repetition in enumerate(self.repetitions, start=1):
            events[f"stand_{k}_s"], events[f"sit_{k}_s"] = repetition.rise_s, repetition.sit_s
        return events


@dataclass(frozen=True, slots=True, eq=False)
class ScenarioSignal:
    """Corner loads (n × 4: FL, FR, BL, BR, N), Fz (N) and COP (mm) at ``rate_hz``; read-only."""

    name: str
    rate_hz: float
    spacing_mm: tuple[float, float]
    loads_n: FloatArray
    fz_n: FloatArray
    cop_ml_mm: FloatArray
    cop_ap_mm: FloatArray
    ground_truth: GroundTruth

    @property
    def duration_s(self) -> float:
        """Time covered by the samples, n / rate (s)."""
        return self.fz_n.size / self.rate_hz


def corner_loads(
    fz_n: FloatArray, cop_ml_mm: FloatArray, cop_ap_mm: FloatArray, spacing_mm: tuple[float, float]
) -> FloatArray:
    """Split Fz over the corners (FL, FR, BL, BR) so the plate reports this COP (module doc)."""
    u, v = 2.0 * cop_ml_mm / spacing_mm[0], 2.0 * cop_ap_mm / spacing_mm[1]
    shares = np.column_stack([1 - u + v, 1 + u + v, 1 - u - v, 1 + u - v])
    loads: FloatArray = shares * (np.asarray(fz_n, dtype=np.float64)[:, None] / 4.0)
    return loads


def _ramp(t: FloatArray, middle_s: float, duration_s: float) -> FloatArray:
    """Return 0 → 1 as a raised cosine of ``duration_s`` centred on ``middle_s``."""
    x = np.clip((t - middle_s) / duration_s + 0.5, 0.0, 1.0)
    ramp: FloatArray = 0.5 - 0.5 * np.cos(np.pi * x)
    return ramp


def _ramp_time(middle_s: float, duration_s: float, fraction: float) -> float:
    """Return when ``_ramp(t, middle_s, duration_s)`` reaches ``fraction`` (0 to 1)."""
    return middle_s + duration_s * (float(np.arccos(1.0 - 2.0 * fraction)) / np.pi - 0.5)


def _bump(t: FloatArray, centre_s: float, width_s: float) -> FloatArray:
    """Return a Gaussian bump of height 1 at ``centre_s``."""
    bump: FloatArray = np.exp(-0.5 * ((t - centre_s) / width_s) ** 2)
    return bump


@dataclass(frozen=True, slots=True)
class _Setup:
    """What every scenario starts from: its identity, the time axis and the random generator."""

    name: str
    rate_hz: float
    seed: int
    person: Person
    spacing_mm: tuple[float, float]
    t: FloatArray
    rng: np.random.Generator

    def within(self, time_s: float) -> float | None:
        """Return ``time_s`` when it falls within the signal, else None."""
        return time_s if 0.0 <= time_s <= self.t[-1] else None

    def sway(
        self, *, eyes_closed: bool = False, scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    ) -> tuple[FloatArray, FloatArray]:
        """Draw (ML, AP) sway for the whole signal, scaled (ML, AP amplitude; frequency)."""
        profile = sway_profile(self.person.profile, eyes_closed=eyes_closed)
        scaled = profile.scaled(amplitude=scale[0], ap_amplitude=scale[1], frequency=scale[2])
        return sway(self.rng, self.t.size, self.rate_hz, scaled)


def _setup(
    name: str,
    rate_hz: float,
    duration_s: float,
    seed: int,
    *,
    person: Person,
    spacing_mm: tuple[float, float],
) -> _Setup:
    if not rate_hz > 0 or not duration_s > 0:
        raise ValueError(f"rate_hz={rate_hz}, duration_s={duration_s}; both must be positive")
    n = round(duration_s * rate_hz)
    if n < 2:
        raise ValueError(f"{duration_s} s at {rate_hz} Hz is {n} sample(s); expected at least 2")
    rng = np.random.default_rng(seed)
    return _Setup(name, rate_hz, seed, person, spacing_mm, np.arange(n) / rate_hz, rng)


def _finish(
    setup: _Setup,
    fz: FloatArray,
    cop: tuple[FloatArray, FloatArray],
    *,
    eyes_closed: bool = False,
    events: Mapping[str, float] | None = None,
    repetitions: tuple[Repetition, ...] = (),
) -> ScenarioSignal:
    """Build the signal and its ground truth; arrays become read-only."""
    ml, ap = cop
    loads = corner_loads(fz, ml, ap, setup.spacing_mm)
    for array in (fz, ml, ap, loads):
        array.flags.writeable = False
    timed = {name: setup.within(time_s) for name, time_s in (events or {}).items()}
    truth = GroundTruth(
        setup.name,
        setup.seed,
        setup.person,
        eyes_closed,
        ml,
        ap,
        lift_off_s=timed.get("lift_off_s"),
        touchdown_s=timed.get("touchdown_s"),
        step_out_s=timed.get("step_out_s"),
        step_on_s=timed.get("step_on_s"),
        step_off_s=timed.get("step_off_s"),
        repetitions=repetitions,
    )
    return ScenarioSignal(setup.name, setup.rate_hz, setup.spacing_mm, loads, fz, ml, ap, truth)


def quiet_eo(
    rate_hz: float,
    duration_s: float,
    seed: int,
    *,
    person: Person = DEFAULT_PERSON,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
) -> ScenarioSignal:
    """Quiet stance, eyes open, feet together, for the whole signal."""
    setup = _setup("quiet-eo", rate_hz, duration_s, seed, person=person, spacing_mm=spacing_mm)
    return _finish(setup, np.full(setup.t.size, person.weight_n), setup.sway())


def quiet_ec(
    rate_hz: float,
    duration_s: float,
    seed: int,
    *,
    person: Person = DEFAULT_PERSON,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
) -> ScenarioSignal:
    """Quiet stance, eyes closed (larger and faster sway), for the whole signal."""
    setup = _setup("quiet-ec", rate_hz, duration_s, seed, person=person, spacing_mm=spacing_mm)
    fz = np.full(setup.t.size, person.weight_n)
    return _finish(setup, fz, setup.sway(eyes_closed=True), eyes_closed=True)


def one_leg(
    rate_hz: float,
    duration_s: float,
    seed: int,
    *,
    person: Person = DEFAULT_PERSON,
    lift_off_s: float = 5.0,
    hold_s: float = 20.0,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
) -> ScenarioSignal:
    """Two feet, lift-off at ``lift_off_s`` onto the right foot, touchdown ``hold_s`` later.

    On one leg the COP sits over the stance foot (ONE_LEG_SHIFT_MM to the right) and sways with
    ONE_LEG_SWAY times the eyes-open amplitude and frequency (model choices).
    """
    setup = _setup("one-leg", rate_hz, duration_s, seed, person=person, spacing_mm=spacing_mm)
    ml, ap = setup.sway()
    ml_leg, ap_leg = setup.sway(scale=ONE_LEG_SWAY)
    touchdown_s = lift_off_s + hold_s
    on_leg = _ramp(setup.t, lift_off_s, TRANSITION_S) - _ramp(setup.t, touchdown_s, TRANSITION_S)
    cop = (
        (1 - on_leg) * ml + on_leg * (ONE_LEG_SHIFT_MM + ml_leg),
        (1 - on_leg) * ap + on_leg * ap_leg,
    )
    events = {"lift_off_s": lift_off_s, "touchdown_s": touchdown_s}
    return _finish(setup, np.full(setup.t.size, person.weight_n), cop, events=events)


def tandem(
    rate_hz: float,
    duration_s: float,
    seed: int,
    *,
    person: Person = DEFAULT_PERSON,
    step_out_s: float = 10.0,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
) -> ScenarioSignal:
    """Tandem stance from the first sample, then a step out to the side at ``step_out_s``."""
    setup = _setup("tandem", rate_hz, duration_s, seed, person=person, spacing_mm=spacing_mm)
    ml, ap = setup.sway(scale=TANDEM_SWAY)
    ml = ml + STEP_OUT_MM * _ramp(setup.t, step_out_s, TRANSITION_S)
    fz = np.full(setup.t.size, person.weight_n)
    return _finish(setup, fz, (ml, ap), events={"step_out_s": step_out_s})


def step_on_off(
    rate_hz: float,
    duration_s: float,
    seed: int,
    *,
    person: Person = DEFAULT_PERSON,
    step_on_s: float = 5.0,
    stand_s: float = 20.0,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
) -> ScenarioSignal:
    """Empty plate; step on (right foot first) at ``step_on_s``, stand, step off ``stand_s`` later.

    ``step_on_s`` and ``step_off_s`` are the moments the plate carries half the body weight.
    """
    setup = _setup("step-on-off", rate_hz, duration_s, seed, person=person, spacing_mm=spacing_mm)
    ml, ap = setup.sway()
    step_off_s = step_on_s + stand_s
    loading = _ramp(setup.t, step_on_s, STEP_S) - _ramp(setup.t, step_off_s, STEP_S)
    # while loading, the COP moves from the first foot (right) to the middle; off, to the last foot
    first_foot = 1.0 - _ramp(setup.t, step_on_s + STEP_S / 4, STEP_S / 2)
    last_foot = _ramp(setup.t, step_off_s - STEP_S / 4, STEP_S / 2)
    ml = loading * ml + FOOT_MM * (first_foot - last_foot)
    events = {"step_on_s": step_on_s, "step_off_s": step_off_s}
    return _finish(setup, person.weight_n * loading, (ml, loading * ap), events=events)


def _repetition_times(
    rng: np.random.Generator, profile: Profile, start_s: float, count: int
) -> list[tuple[float, float, float, float]]:
    """(start, rise, stand, sit) durations per repetition, each varied by ±10 %."""
    phases = np.asarray(PHASES_S[profile]) * rng.uniform(0.9, 1.1, (count, 4))
    times, t0 = [], start_s
    for rise, stand, sit, pause in phases:
        times.append((t0, float(rise), float(stand), float(sit)))
        t0 += rise + stand + sit + pause
    return times


def _rise_terms(
    t: FloatArray, t0: float, rise: float, profile: Profile
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Shape a rise from ``t0``: (load ramp onto the feet, force peak, settling, forward lean)."""
    after = np.clip(t - (t0 + rise), 0.0, None)
    return (
        _ramp(t, t0 + 0.3 * rise, 0.6 * rise),
        RISE_PEAK[profile] * _bump(t, t0 + 0.65 * rise, 0.1),
        SETTLE * np.exp(-after / SETTLE_TAU_S) * np.sin(2 * np.pi * SETTLE_HZ * after),
        np.sin(np.pi * np.clip((t - t0) / rise, 0.0, 1.0)) ** 2,
    )


def _sit_terms(t: FloatArray, down: float, sit: float) -> tuple[FloatArray, FloatArray]:
    """Shape a sit from ``down``: (load ramp back onto the seat, the unloading dip first)."""
    return _ramp(t, down + 0.75 * sit, 0.5 * sit), SIT_DIP * _bump(t, down + 0.25 * sit, 0.1)


def _repetition(
    t: FloatArray, fz: FloatArray, *, rising: tuple[float, float], sitting: tuple[float, float]
) -> Repetition:
    """Return the truth of a stand and a sit, each (start, duration) in s; the peak from ``fz``."""
    (t0, rise), (down, sit) = rising, sitting
    window = (t >= t0) & (t <= t0 + rise + 0.5)
    peak_s = float(t[window][np.argmax(fz[window])]) if window.any() else t0 + 0.65 * rise
    end_s = down + sit
    return Repetition(
        t0,
        t0 + 0.3 * rise,
        peak_s,
        t0 + rise,
        end_s - 0.25 * sit,
        end_s,
        onset_s=_ramp_time(t0 + 0.3 * rise, 0.6 * rise, TRANSFER_MARK),
        seated_s=_ramp_time(down + 0.75 * sit, 0.5 * sit, 1.0 - TRANSFER_MARK),
    )


def sit_to_stand(
    rate_hz: float,
    duration_s: float,
    seed: int,
    *,
    person: Person = DEFAULT_PERSON,
    start_s: float = 2.0,
    repetitions: int = 5,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
) -> ScenarioSignal:
    """Seated with the feet on the plate; ``repetitions`` stands and sits from ``start_s``."""
    setup = _setup("sit-to-stand", rate_hz, duration_s, seed, person=person, spacing_mm=spacing_mm)
    t, (ml, ap) = setup.t, setup.sway()
    standing, extra, forward = np.zeros_like(t), np.zeros_like(t), np.zeros_like(t)
    shapes = _repetition_times(setup.rng, person.profile, start_s, repetitions)
    for t0, rise, stand, sit in shapes:
        onto_feet, peak, settle, lean = _rise_terms(t, t0, rise, person.profile)
        onto_seat, dip = _sit_terms(t, t0 + rise + stand, sit)
        standing += onto_feet - onto_seat
        extra += peak
        extra -= settle
        extra -= dip
        forward += lean
    fz = person.weight_n * (SEATED_LOAD + (1 - SEATED_LOAD) * standing + extra)
    reps = [_repetition(t, fz, rising=(t0, r), sitting=(t0 + r + s, d)) for t0, r, s, d in shapes]
    cop = (ml * (0.3 + 0.7 * standing), ap * standing + RISE_AP_MM * forward)
    ended = tuple(rep for rep in reps if rep.end_s <= t[-1])
    return _finish(setup, fz, cop, repetitions=ended)


def tug(
    rate_hz: float,
    duration_s: float,
    seed: int,
    *,
    person: Person = DEFAULT_PERSON,
    start_s: float = 2.0,
    away_s: float | None = None,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
) -> ScenarioSignal:
    """Rise, walk off the plate, come back, turn and sit: a Timed Up and Go on the plate.

    Seated until ``start_s``, the person rises as in ``sit_to_stand``, stands briefly, steps off
    the plate (``step_off_s``, half the body weight gone), is off the plate for ``away_s``
    (TUG_PHASES_S by profile when None), steps back on (``step_on_s``), turns and sits. The one
    repetition of the ground truth runs from the rise to seated again; the TUG's truth is its
    ``seated_s − onset_s``. Phase times are model choices, not clinical values.
    """
    setup = _setup("tug", rate_hz, duration_s, seed, person=person, spacing_mm=spacing_mm)
    t, (ml, ap) = setup.t, setup.sway()
    rise, _, sit, _ = np.asarray(PHASES_S[person.profile]) * setup.rng.uniform(0.9, 1.1, 4)
    pause, away, turn = np.asarray(TUG_PHASES_S[person.profile]) * setup.rng.uniform(0.9, 1.1, 3)
    step_off_s = start_s + rise + pause + TUG_STEP_S / 2
    step_on_s = step_off_s + (away if away_s is None else away_s)
    down = step_on_s + TUG_STEP_S / 2 + turn
    onto_feet, peak, settle, lean = _rise_terms(t, start_s, rise, person.profile)
    onto_seat, dip = _sit_terms(t, down, sit)
    on_plate = 1.0 - _ramp(t, step_off_s, TUG_STEP_S) + _ramp(t, step_on_s, TUG_STEP_S)
    standing = onto_feet - onto_seat
    load = SEATED_LOAD + (1 - SEATED_LOAD) * standing + peak - settle - dip
    fz = person.weight_n * on_plate * load
    repetition = _repetition(t, fz, rising=(start_s, rise), sitting=(down, sit))
    cop = (ml * (0.3 + 0.7 * standing), ap * standing + RISE_AP_MM * lean)
    events = {"step_off_s": step_off_s, "step_on_s": step_on_s}
    ended = (repetition,) if repetition.end_s <= t[-1] else ()
    return _finish(setup, fz, cop, events=events, repetitions=ended)


ScenarioFunction = Callable[..., ScenarioSignal]
SCENARIO_FUNCTIONS: dict[str, ScenarioFunction] = {
    "quiet-eo": quiet_eo,
    "quiet-ec": quiet_ec,
    "one-leg": one_leg,
    "tandem": tandem,
    "sit-to-stand": sit_to_stand,
    "step-on-off": step_on_off,
    "tug": tug,
}
SCENARIOS = tuple(SCENARIO_FUNCTIONS)


def _given(**values: float | None) -> dict[str, float]:
    return {key: value for key, value in values.items() if value is not None}


def _timing(
    name: str, event_s: float | None, hold_s: float | None, repetitions: int | None
) -> dict[str, float]:
    """Map the generic (event, hold, repetitions) onto a scenario's own keyword arguments."""
    if name == "one-leg":
        return _given(lift_off_s=event_s, hold_s=hold_s)
    if name == "step-on-off":
        return _given(step_on_s=event_s, stand_s=hold_s)
    if name == "tandem" and (event_s is not None or hold_s is not None):
        return {"step_out_s": (event_s or 0.0) + (10.0 if hold_s is None else hold_s)}
    if name == "sit-to-stand":
        count = hold_s if repetitions is None else repetitions
        return _given(start_s=event_s, repetitions=None if count is None else round(count))
    if name == "tug":
        return _given(start_s=event_s, away_s=hold_s)
    return {}


def generate(  # noqa: PLR0913 - one keyword per scenario setting
    name: str,
    *,
    rate_hz: float,
    duration_s: float,
    seed: int,
    frail: bool = False,
    weight_kg: float = 60.0,
    spacing_mm: tuple[float, float] = DEFAULT_SPACING_MM,
    event_s: float | None = None,
    hold_s: float | None = None,
    repetitions: int | None = None,
) -> ScenarioSignal:
    """Generate a scenario by name with generic timing (None keeps the scenario's default).

    ``event_s`` is when the action starts: lift-off (one-leg), the start of the tandem hold,
    the first rise (sit-to-stand, tug), stepping on (step-on-off). ``hold_s`` is how long it
    lasts: seconds on one leg, in tandem before the step-out, on the plate, off the plate (tug);
    for sit-to-stand it is the number of repetitions unless ``repetitions`` is given.
    """
    if name not in SCENARIO_FUNCTIONS:
        raise ValueError(f"unknown scenario {name!r}; expected one of {', '.join(SCENARIOS)}")
    person = Person(weight_kg=weight_kg, profile="frail" if frail else "robust")
    return SCENARIO_FUNCTIONS[name](
        rate_hz,
        duration_s,
        seed,
        person=person,
        spacing_mm=spacing_mm,
        **_timing(name, event_s, hold_s, repetitions),
    )
