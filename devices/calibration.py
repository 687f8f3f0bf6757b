"""Force-plate calibration and centre of pressure (genki-forceplate.md §1.3–1.4), vectorised.

``F_i = slope_i × raw_i + offset_i`` per corner in the channel order FL, FR, BL, BR;
``Fz = ΣF_i``; ``CoPx = (a/2)((F_FR + F_BR) − (F_FL + F_BL)) / Fz`` (medio-lateral, to the right)
and ``CoPy = (b/2)((F_FL + F_FR) − (F_BL + F_BR)) / Fz`` (antero-posterior, forward), undefined
(NaN) below ``fz_min_n``. Assumes a rigid top plate and vertical loads (§1.4).

Calibration (§3.7): ``session_zero`` is the session zero (refused beyond ±ZERO_LIMIT_N, or when
a channel varies more than NOISE_FACTOR times the noise measured at the known-weight calibration);
``calibrate_known_weight`` zeroes, solves the slopes from one known mass at five or more positions
(``solve_slopes``, step 4) and checks the result (``verify_calibration``, steps 5–6), with the
second mass's linearity check when the second mass was put with the first at the centre.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
CHANNELS = 4
DEFAULT_FZ_MIN_N = 50.0


@dataclass(frozen=True, slots=True)
class PlateCalibration:
    """Per-channel slope (N per raw unit) and offset (N), and the sensor spacing in mm."""

    slopes: tuple[float, ...]
    offsets: tuple[float, ...]
    spacing_x_mm: float
    spacing_y_mm: float
    fz_min_n: float = DEFAULT_FZ_MIN_N

    def __post_init__(self) -> None:
        if len(self.slopes) != CHANNELS or len(self.offsets) != CHANNELS:
            raise ValueError(
                f"{len(self.slopes)} slopes and {len(self.offsets)} offsets given; expected "
                f"{CHANNELS} of each (FL, FR, BL, BR)"
            )
        if not (self.spacing_x_mm > 0 and self.spacing_y_mm > 0):
            raise ValueError(
                f"sensor spacing {self.spacing_x_mm} x {self.spacing_y_mm} mm given; expected "
                "two positive lengths"
            )

    def with_spacing(self, spacing_x_mm: float, spacing_y_mm: float) -> PlateCalibration:
        """Return the same calibration on another sensor spacing (configuration overrides)."""
        return replace(self, spacing_x_mm=spacing_x_mm, spacing_y_mm=spacing_y_mm)

    def to_dict(self) -> dict[str, Any]:
        """Return the calibration as a JSON-ready dictionary for storage."""
        return {
            "slopes": list(self.slopes),
            "offsets": list(self.offsets),
            "spacing_x_mm": self.spacing_x_mm,
            "spacing_y_mm": self.spacing_y_mm,
            "fz_min_n": self.fz_min_n,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlateCalibration:
        """Rebuild a calibration stored with ``to_dict``."""
        return cls(
            slopes=tuple(float(v) for v in data["slopes"]),
            offsets=tuple(float(v) for v in data["offsets"]),
            spacing_x_mm=float(data["spacing_x_mm"]),
            spacing_y_mm=float(data["spacing_y_mm"]),
            fz_min_n=float(data.get("fz_min_n", DEFAULT_FZ_MIN_N)),
        )


def forces_n(calibration: PlateCalibration, raw: npt.ArrayLike) -> FloatArray:
    """Return the corner loads (n × 4, N) of raw values (n × 4)."""
    values = np.asarray(raw, dtype=np.float64)
    forces: FloatArray = values * np.asarray(calibration.slopes) + np.asarray(calibration.offsets)
    return forces


def centre_of_pressure(
    calibration: PlateCalibration, forces: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return (Fz in N, CoP medio-lateral in mm, CoP antero-posterior in mm) per sample."""
    fl, fr, bl, br = forces[:, 0], forces[:, 1], forces[:, 2], forces[:, 3]
    fz = fl + fr + bl + br
    loaded = fz >= calibration.fz_min_n
    safe_fz = np.where(loaded, fz, 1.0)
    cop_ml = np.where(
        loaded, calibration.spacing_x_mm / 2 * ((fr + br) - (fl + bl)) / safe_fz, np.nan
    )
    cop_ap = np.where(
        loaded, calibration.spacing_y_mm / 2 * ((fl + fr) - (bl + br)) / safe_fz, np.nan
    )
    return fz, cop_ml, cop_ap


def tare(calibration: PlateCalibration, raw_unloaded: npt.ArrayLike) -> PlateCalibration:
    """Zero the plate: ``offset_i = −slope_i × mean_i`` over raw values taken with nobody on it."""
    means = np.asarray(raw_unloaded, dtype=np.float64).mean(axis=0)
    offsets = -np.asarray(calibration.slopes) * means
    return replace(calibration, offsets=tuple(float(v) for v in offsets))


# --- session zero and known-weight calibration (genki-forceplate.md §3.7) ----------------------

GRAVITY_M_S2 = 9.80665  # standard gravity, §3.7 step 3
ZERO_LIMIT_N = 20.0  # session zero: |Fz| with the previous offsets must be within this (§3.7)
NOISE_FACTOR = 3.0  # session zero: each channel's SD within this × the commissioning noise (§3.7)
MIN_LOADINGS = 5  # §3.7 step 3: over each of the four sensors and at the centre
CENTRE_FZ_TOLERANCE = 0.005  # §3.7 step 5: Fz within ±0.5 % of W with the mass at the centre
COP_TOLERANCE_MM = 3.0  # §3.7 step 5: |CoP| ≤ 3 mm at the centre, ≤ 3 mm off a quadrant centre
LINEARITY_TOLERANCE = 0.01  # §3.7 step 5: the second mass (linearity), Fz within ±1 %
POSITION_MATCH_MM = 1.0  # a loading this close to a nominal point counts as placed on it
# The stored ``procedure`` of a calibration: a session zero keeps the slopes and sets the offsets;
# a known-weight calibration solves the slopes too. Records without the field are session zeros.
ZERO_PROCEDURE = "zero"
KNOWN_WEIGHT_PROCEDURE = "known_weight"
CHANNEL_NAMES = ("FL", "FR", "BL", "BR")


class PlateNotEmptyError(ValueError):
    """A session zero refused: the plate reads more than ZERO_LIMIT_N with the previous offsets."""

    def __init__(self, fz_n: float) -> None:
        super().__init__(
            f"the plate reads {fz_n:.0f} N; expected within ±{ZERO_LIMIT_N:.0f} N of zero with "
            "nobody on it: ask everyone to step off the plate and zero it again"
        )
        self.fz_n = fz_n


class PlateUnsteadyError(ValueError):
    """A session zero refused: a channel varies more than NOISE_FACTOR × its commissioning noise."""

    def __init__(self, channel: str, sd_counts: float, limit_counts: float) -> None:
        super().__init__(
            f"channel {channel} varies by {sd_counts:.1f} counts (standard deviation); expected at "
            f"most {limit_counts:.1f}, {NOISE_FACTOR:g} times the noise measured at calibration: "
            "keep the plate still, with nobody touching it, and zero it again"
        )
        self.channel, self.sd_counts, self.limit_counts = channel, sd_counts, limit_counts


def session_zero(
    calibration: PlateCalibration,
    raw_unloaded: npt.ArrayLike,
    fz_n: npt.ArrayLike,
    noise_counts: Sequence[float] | None = None,
) -> PlateCalibration:
    """Zero the plate (§3.7 session zero) if it is empty and steady.

    ``fz_n`` is the vertical force of the same samples computed with the previous offsets; a
    plate whose median is beyond ±ZERO_LIMIT_N has somebody (or something) on it:
    PlateNotEmptyError. ``noise_counts`` is each channel's standard deviation measured at the
    known-weight calibration (``KnownWeightCalibration.noise_counts``); a channel varying more
    than NOISE_FACTOR times as much is being touched or shaken: PlateUnsteadyError. Without it
    (a plate never calibrated here) only the force is checked.
    """
    fz = np.asarray(fz_n, dtype=np.float64)
    if fz.size == 0:
        raise ValueError("no samples given; expected at least one unloaded sample to zero with")
    median = float(np.median(fz))
    if abs(median) > ZERO_LIMIT_N:
        raise PlateNotEmptyError(median)
    raw = np.asarray(raw_unloaded, dtype=np.float64)
    if noise_counts is not None:
        if len(noise_counts) != CHANNELS:
            raise ValueError(
                f"{len(noise_counts)} noise levels given; expected {CHANNELS} (FL, FR, BL, BR)"
            )
        spread = raw.reshape(-1, CHANNELS).std(axis=0)
        for name, sd, noise in zip(CHANNEL_NAMES, spread, noise_counts, strict=True):
            if sd > NOISE_FACTOR * noise:
                raise PlateUnsteadyError(name, float(sd), NOISE_FACTOR * noise)
    return tare(calibration, raw)


def sensor_positions_mm(spacing_x_mm: float, spacing_y_mm: float) -> FloatArray:
    """Return the sensor positions (4 × 2: x, y in mm) in channel order FL, FR, BL, BR (§1.2)."""
    half_x, half_y = spacing_x_mm / 2, spacing_y_mm / 2
    positions: FloatArray = np.array(
        [[-half_x, half_y], [half_x, half_y], [-half_x, -half_y], [half_x, -half_y]]
    )
    return positions


def known_weight_positions(
    spacing_x_mm: float, spacing_y_mm: float
) -> dict[str, tuple[float, float]]:
    """Return the §3.7 step-3 positions (mm): over each sensor (FL, FR, BL, BR), the centre."""
    corners = sensor_positions_mm(spacing_x_mm, spacing_y_mm)
    positions = {
        name: (float(x), float(y)) for name, (x, y) in zip(CHANNEL_NAMES, corners, strict=True)
    }
    return {**positions, "centre": (0.0, 0.0)}


def weight_of(mass_kg: float) -> float:
    """Return the weight W = m · 9.80665 (N) of a calibration mass (§3.7 step 3)."""
    if not (np.isfinite(mass_kg) and mass_kg > 0):
        raise ValueError(f"mass {mass_kg} kg given; expected a positive mass in kg, e.g. 10")
    return float(mass_kg * GRAVITY_M_S2)


@dataclass(frozen=True, slots=True)
class Loading:
    """A known weight at ``position_mm`` (x, y) and the mean raw counts per channel it gave."""

    position_mm: tuple[float, float]
    mean_counts: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.mean_counts) != CHANNELS or not np.all(np.isfinite(self.mean_counts)):
            raise ValueError(
                f"a loading at {self.position_mm} has mean counts {self.mean_counts}; expected "
                f"{CHANNELS} finite numbers (FL, FR, BL, BR)"
            )
        if len(self.position_mm) != 2 or not np.all(np.isfinite(self.position_mm)):
            raise ValueError(f"position {self.position_mm} given; expected (x, y) in mm")


@dataclass(frozen=True, slots=True)
class SlopeFit:
    """Slopes solved from known loadings (N per count, FL, FR, BL, BR) and the fit's residual.

    ``rms_residual_n`` is the root mean square of the force and moment equations' residuals, the
    moment equations divided by a/2 and b/2 so that every equation is in newtons.
    """

    slopes: tuple[float, ...]
    rms_residual_n: float


def solve_slopes(
    zero_counts: npt.ArrayLike,
    loadings: Sequence[Loading],
    weight_n: float,
    spacing_mm: tuple[float, float],
) -> SlopeFit:
    """Solve the four slopes by linear least squares over known loadings (§3.7 step 4).

    For each loading j at (x_j, y_j), with d_ij = k_ij − z_i (mean counts minus zero means):
    ``Σ s_i d_ij = W``, ``Σ s_i d_ij x_i = W x_j`` and ``Σ s_i d_ij y_i = W y_j``, with the
    sensor positions (x_i, y_i) of §1.2. The moment equations are divided by a/2 and b/2, so each
    row is in newtons and none dominates the fit by its unit.
    """
    zero = np.asarray(zero_counts, dtype=np.float64)
    if zero.shape != (CHANNELS,) or not np.all(np.isfinite(zero)):
        raise ValueError(
            f"zero means of shape {zero.shape} given; expected {CHANNELS} finite mean counts "
            "(FL, FR, BL, BR) of the unloaded plate"
        )
    if len(loadings) < MIN_LOADINGS:
        raise ValueError(
            f"{len(loadings)} loadings given; expected at least {MIN_LOADINGS}: the mass over "
            "each of the four sensors and at the centre (§3.7 step 3)"
        )
    if not (np.isfinite(weight_n) and weight_n > 0):
        raise ValueError(f"weight {weight_n} N given; expected the positive weight m · g in N")
    spacing_x, spacing_y = spacing_mm
    if not (spacing_x > 0 and spacing_y > 0):
        raise ValueError(f"sensor spacing {spacing_mm} mm given; expected two positive lengths")
    unit_positions = sensor_positions_mm(spacing_x, spacing_y) / [spacing_x / 2, spacing_y / 2]
    rows, targets = [], []
    for loading in loadings:
        delta = np.asarray(loading.mean_counts) - zero
        x_j, y_j = loading.position_mm
        rows += [delta, delta * unit_positions[:, 0], delta * unit_positions[:, 1]]
        targets += [weight_n, weight_n * x_j / (spacing_x / 2), weight_n * y_j / (spacing_y / 2)]
    matrix, target = np.array(rows), np.array(targets)
    slopes, _, rank, _ = np.linalg.lstsq(matrix, target, rcond=None)
    if rank < CHANNELS:
        raise ValueError(
            "the loadings do not determine the four slopes (a channel did not change under the "
            "mass, or the positions repeat); expected the mass over each sensor and at the centre"
        )
    residual = matrix @ slopes - target
    rms = float(np.sqrt(np.mean(residual**2)))
    return SlopeFit(tuple(float(s) for s in slopes), rms)


@dataclass(frozen=True, slots=True)
class Linearity:
    """The second mass of §3.7 step 5, put with the first at the centre: a second load level.

    With the "two 10 kg masses" of §3.7 the second alone would repeat the first load, so genki
    checks linearity at the sum of both; ``loading`` holds the mean counts with both on.
    """

    second_mass_kg: float
    loading: Loading

    def __post_init__(self) -> None:
        if not (np.isfinite(self.second_mass_kg) and self.second_mass_kg > 0):
            raise ValueError(
                f"second mass {self.second_mass_kg} kg given; expected a positive mass in kg"
            )
        if not _near(self.loading.position_mm, (0.0, 0.0)):
            raise ValueError(
                f"both masses at {self.loading.position_mm} mm; expected them at the centre (0, 0)"
            )


@dataclass(frozen=True, slots=True)
class Check:
    """One acceptance check of §3.7 steps 5–6: what was measured against which limit."""

    name: str  # centre_force, centre_cop, quadrant_cop, orientation, slopes_positive, linearity
    passed: bool
    measured: float
    limit: float
    detail: str  # the check in one English sentence, for logs and developers


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of ``verify_calibration``: every check, passed or not."""

    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        """Whether every check passed."""
        return all(check.passed for check in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        """The checks that failed."""
        return tuple(check for check in self.checks if not check.passed)


def _near(position: tuple[float, float], target: tuple[float, float]) -> bool:
    return bool(np.hypot(position[0] - target[0], position[1] - target[1]) <= POSITION_MATCH_MM)


def _measure(
    calibration: PlateCalibration, loading: Loading
) -> tuple[FloatArray, float, float, float]:
    forces = forces_n(calibration, np.asarray(loading.mean_counts)[None, :])
    fz, cop_x, cop_y = centre_of_pressure(replace(calibration, fz_min_n=0.0), forces)
    return forces[0], float(fz[0]), float(cop_x[0]), float(cop_y[0])


def verify_calibration(
    calibration: PlateCalibration,
    loadings: Sequence[Loading],
    weight_n: float,
    linearity: Linearity | None = None,
) -> Verification:
    """Check a calibration against known loadings (§3.7 steps 5–6).

    Needs a loading at the centre and one on the front-left (x < 0, y > 0). Checks: the slopes
    are positive; at the centre Fz is within ±0.5 % of ``weight_n`` and |CoP| ≤ 3 mm; at every
    quadrant centre (±a/4, ±b/4) given, the CoP is within 3 mm of it; on the front-left the FL
    channel carries the most and CoPx < 0 < CoPy (orientation, step 6); with ``linearity``, Fz
    with both masses at the centre is within ±1 % of their summed weight (the second mass).
    """
    if not (np.isfinite(weight_n) and weight_n > 0):
        raise ValueError(f"weight {weight_n} N given; expected the positive weight m · g in N")
    centre = [ld for ld in loadings if _near(ld.position_mm, (0.0, 0.0))]
    front_left = [ld for ld in loadings if ld.position_mm[0] < 0 < ld.position_mm[1]]
    if not centre or not front_left:
        raise ValueError(
            "verification needs a loading at the centre (0, 0) and one on the front-left "
            "(x < 0, y > 0), §3.7 steps 5–6"
        )
    lowest = min(calibration.slopes)
    checks = [Check("slopes_positive", lowest > 0, lowest, 0.0,
                    f"smallest slope {lowest:.4g} N/count; expected every slope > 0")]  # fmt: skip
    _, fz, cop_x, cop_y = _measure(calibration, centre[0])
    error = abs(fz - weight_n) / weight_n
    checks.append(Check("centre_force", error <= CENTRE_FZ_TOLERANCE, 100 * error,
                        100 * CENTRE_FZ_TOLERANCE,
                        f"centre Fz {fz:.2f} N for W = {weight_n:.2f} N ({100 * error:.2f} % off); "
                        f"expected within ±{100 * CENTRE_FZ_TOLERANCE:.1f} %"))  # fmt: skip
    offset = float(np.hypot(cop_x, cop_y))
    checks.append(Check("centre_cop", offset <= COP_TOLERANCE_MM, offset, COP_TOLERANCE_MM,
                        f"centre CoP ({cop_x:.1f}, {cop_y:.1f}) mm, {offset:.1f} mm off; expected "
                        f"≤ {COP_TOLERANCE_MM:.0f} mm"))  # fmt: skip
    quarter = (calibration.spacing_x_mm / 4, calibration.spacing_y_mm / 4)
    for loading in loadings:
        if _near((abs(loading.position_mm[0]), abs(loading.position_mm[1])), quarter):
            _, _, x, y = _measure(calibration, loading)
            miss = float(np.hypot(x - loading.position_mm[0], y - loading.position_mm[1]))
            checks.append(Check("quadrant_cop", miss <= COP_TOLERANCE_MM, miss, COP_TOLERANCE_MM,
                                f"CoP {miss:.1f} mm from the quadrant centre {loading.position_mm}"
                                f"; expected ≤ {COP_TOLERANCE_MM:.0f} mm"))  # fmt: skip
    forces, _, x, y = _measure(calibration, front_left[0])
    largest = CHANNEL_NAMES[int(np.argmax(forces))]
    oriented = largest == "FL" and x < 0 < y
    checks.append(Check("orientation", oriented, x, 0.0,
                        f"mass on the front-left: {largest} carries the most, CoP ({x:.1f}, "
                        f"{y:.1f}) mm; expected FL the most, CoPx < 0 < CoPy"))  # fmt: skip
    if linearity is not None:
        both_n = weight_n + weight_of(linearity.second_mass_kg)
        _, fz, _, _ = _measure(calibration, linearity.loading)
        error = abs(fz - both_n) / both_n
        checks.append(Check("linearity", error <= LINEARITY_TOLERANCE, 100 * error,
                            100 * LINEARITY_TOLERANCE,
                            f"both masses at the centre: Fz {fz:.2f} N for {both_n:.2f} N "
                            f"({100 * error:.2f} % off); expected within "
                            f"±{100 * LINEARITY_TOLERANCE:.1f} %"))  # fmt: skip
    return Verification(tuple(checks))


@dataclass(frozen=True, slots=True)
class KnownWeightCalibration:
    """A known-weight calibration (§3.7 steps 2–5) and what step 7 stores of it."""

    calibration: PlateCalibration  # solved slopes, offsets −s_i·z_i from the zero, geometry
    fit: SlopeFit
    verification: Verification
    mass_kg: float
    noise_counts: tuple[float, ...]  # standard deviation of the unloaded counts per channel
    loadings: tuple[Loading, ...]
    linearity: Linearity | None = None

    def to_parameters(self) -> dict[str, Any]:
        """Return the stored form (§3.7 step 7); the record's own time stamp is the date."""
        second = [] if self.linearity is None else [self.linearity.second_mass_kg]
        return {
            **self.calibration.to_dict(),
            "procedure": KNOWN_WEIGHT_PROCEDURE,
            "masses_kg": [self.mass_kg, *second],
            "noise_counts": list(self.noise_counts),
            "rms_residual_n": self.fit.rms_residual_n,
            "positions_mm": [list(loading.position_mm) for loading in self.loadings],
        }


def calibrate_known_weight(
    previous: PlateCalibration,
    raw_unloaded: npt.ArrayLike,
    loadings: Sequence[Loading],
    mass_kg: float,
    *,
    linearity: Linearity | None = None,
) -> KnownWeightCalibration:
    """Zero (step 2), solve (step 4) and verify (step 5) a plate with one known mass.

    ``previous`` gives the sensor spacing and the minimum Fz for the CoP; ``raw_unloaded`` are
    the counts (n × 4) of the empty plate; each loading is the mean counts with the mass at its
    position; ``linearity`` adds the second mass's check. The result is stored only when its
    verification passed (the caller's decision).
    """
    unloaded = np.asarray(raw_unloaded, dtype=np.float64)
    if unloaded.ndim != 2 or unloaded.shape[1] != CHANNELS or unloaded.shape[0] < 2:
        raise ValueError(
            f"unloaded counts of shape {unloaded.shape} given; expected at least 2 samples of "
            f"{CHANNELS} channels (FL, FR, BL, BR)"
        )
    weight_n = weight_of(mass_kg)
    zero = unloaded.mean(axis=0)
    spacing = (previous.spacing_x_mm, previous.spacing_y_mm)
    fit = solve_slopes(zero, loadings, weight_n, spacing)
    offsets = -np.asarray(fit.slopes) * zero
    calibration = replace(previous, slopes=fit.slopes, offsets=tuple(float(v) for v in offsets))
    return KnownWeightCalibration(
        calibration=calibration,
        fit=fit,
        verification=verify_calibration(calibration, loadings, weight_n, linearity),
        mass_kg=float(mass_kg),
        noise_counts=tuple(float(v) for v in unloaded.std(axis=0)),
        loadings=tuple(loadings),
        linearity=linearity,
    )
