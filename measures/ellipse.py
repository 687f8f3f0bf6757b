"""95 % prediction ellipse of the COP (REFERENCE.md §8.4).

Primary: Chew (1966) finite-n prediction region as in Duarte's ``hyperellipsoid``:
``k = F₀.₉₅(2, N−2) · 2(N−1)(N+1) / (N(N−2))``, semi-axes ``√(k λᵢ)`` with λᵢ the eigenvalues of
the ddof = 1 covariance, area ``π k √det S``. Variants for comparison with other software:
χ² large-N (Schubert & Kirchner 2014) and Prieto (1996) with 1/N moments.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

P = 0.95


@dataclass(frozen=True, slots=True)
class Ellipse:
    """Ellipse area (unit²), semi-axes (unit) and major-axis angle from the ML axis (degrees)."""

    area: float
    semi_major: float
    semi_minor: float
    angle_deg: float
    area_chi2: float
    area_prieto: float


def prediction_ellipse(ml: npt.NDArray[np.float64], ap: npt.NDArray[np.float64]) -> Ellipse:
    """Return the 95 % prediction ellipse of N ≥ 3 points (any unit)."""
    n = ml.size
    covariance = np.cov(np.vstack([ml, ap]), ddof=1)
    eigenvalues, eigenvectors = np.linalg.eigh(covariance)
    minor, major = np.clip(eigenvalues, 0.0, None)
    determinant = float(max(np.linalg.det(covariance), 0.0))
    f_quantile = float(stats.f.ppf(P, 2, n - 2))
    k = f_quantile * 2 * (n - 1) * (n + 1) / (n * (n - 2))
    direction = eigenvectors[:, 1]
    angle = math.degrees(math.atan2(direction[1], direction[0])) % 180.0
    population = covariance * (n - 1) / n
    return Ellipse(
        area=math.pi * k * math.sqrt(determinant),
        semi_major=math.sqrt(k * major),
        semi_minor=math.sqrt(k * minor),
        angle_deg=angle,
        area_chi2=math.pi * float(stats.chi2.ppf(P, 2)) * math.sqrt(determinant),
        area_prieto=2 * math.pi * f_quantile * math.sqrt(max(np.linalg.det(population), 0.0)),
    )
