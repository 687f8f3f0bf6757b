"""Force-plate calibration and centre of pressure (genki-forceplate.md §1.3–1.4), vectorised.

``F_i = slope_i × raw_i + offset_i`` per corner in the channel order FL, FR, BL, BR;
``Fz = ΣF_i``; ``CoPx = (a/2)((F_FR + F_BR) − (F_FL + F_BL)) / Fz`` (medio-lateral, to the right)
and ``CoPy = (b/2)((F_FL + F_FR) − (F_BL + F_BR)) / Fz`` (antero-posterior, forward), undefined
(NaN) below ``fz_min_n``. Assumes a rigid top plate and vertical loads (§1.4).
"""

from __future__ import annotations

from collections.abc import Mapping
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
