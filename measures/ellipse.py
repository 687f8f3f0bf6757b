"""95 % prediction ellipse of the COP and its two published variants (REFERENCE.md §8.4).

All three take the COP points (x = ML, y = AP, any unit) and need N ≥ 3.

- Primary (Chew 1966, finite-n prediction region, as in Duarte's BMClab/BMC
  ``functions/hyperellipsoid.py``): S = ``numpy.cov(P, rowvar=False, ddof=1)``,
  k = F₀.₉₅(2, N−2) · 2(N−1)(N+1) / (N(N−2)), semi-axes √(k λ₁), √(k λ₂), area π k √det S.
- χ² large-N form (Schubert & Kirchner 2014): π · χ²₀.₉₅(2) · √det S.
- Prieto (1996) "95 % confidence ellipse" as reproduced in open code: 2π F₀.₉₅(2, N−2) · √det S₁/N
  with 1/N moments (the 1/N detail PARTIAL).

COP samples are autocorrelated, so "95 %" is a descriptive scale, not an exact coverage: compare
areas only between recordings of the same duration, rate and variant (Schubert & Kirchner 2014).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from measures.errors import TooFewSamplesError

FloatArray = npt.NDArray[np.float64]
PROBABILITY = 0.95
MIN_POINTS = 3


@dataclass(frozen=True, slots=True)
class PredictionEllipse:
    """Primary 95 % prediction ellipse: area (unit²), semi-axes (unit), major-axis angle (°).

    ``angle_deg`` is the direction of the major axis (eigenvector of λ₁) measured from the ML (x)
    axis towards the AP (y) axis, in (−90, 90]. ``f_quantile`` is F_p(2, N−2) and ``k`` the
    squared-radius factor of REFERENCE.md §8.4.
    """

    area: float
    semi_major: float
    semi_minor: float
    angle_deg: float
    f_quantile: float
    k: float


def covariance(x: FloatArray, y: FloatArray) -> FloatArray:
    """Return the 2 × 2 sample covariance of the points with divisor N − 1 (REFERENCE.md §8.4)."""
    if x.size < MIN_POINTS:
        raise TooFewSamplesError(f"{x.size} points given; the ellipse needs at least {MIN_POINTS}")
    result: FloatArray = np.cov(np.column_stack([x, y]), rowvar=False, ddof=1)
    return result


def f_quantile(n: int, probability: float = PROBABILITY) -> float:
    """Return F_p(2, N − 2), the p-quantile of the F distribution (``scipy.stats.f.ppf``)."""
    from scipy import stats  # noqa: PLC0415 - scipy loads on first use, not at kiosk start

    return float(stats.f.ppf(probability, 2, n - 2))


def prediction_ellipse(
    x: FloatArray,
    y: FloatArray,
    probability: float = PROBABILITY,
    *,
    cov: FloatArray | None = None,
) -> PredictionEllipse:
    """Return the primary finite-n prediction ellipse (Chew 1966; REFERENCE.md §8.4).

    ``cov`` may pass ``covariance(x, y)`` when the caller has already computed it.
    """
    n = x.size
    eigenvalues, eigenvectors = np.linalg.eigh(covariance(x, y) if cov is None else cov)
    minor, major = (max(float(value), 0.0) for value in eigenvalues)
    quantile = f_quantile(n, probability)
    k = quantile * 2 * (n - 1) * (n + 1) / (n * (n - 2))
    semi_major, semi_minor = math.sqrt(k * major), math.sqrt(k * minor)
    direction = eigenvectors[:, 1]
    angle = math.degrees(math.atan2(float(direction[1]), float(direction[0])))
    if angle <= -90.0:
        angle += 180.0
    elif angle > 90.0:
        angle -= 180.0
    return PredictionEllipse(
        area=math.pi * semi_major * semi_minor,
        semi_major=semi_major,
        semi_minor=semi_minor,
        angle_deg=angle,
        f_quantile=quantile,
        k=k,
    )


def _determinant(matrix: FloatArray) -> float:
    return max(float(matrix[0, 0] * matrix[1, 1] - matrix[0, 1] * matrix[1, 0]), 0.0)


def ellipse_area_chi2(
    x: FloatArray,
    y: FloatArray,
    probability: float = PROBABILITY,
    *,
    cov: FloatArray | None = None,
) -> float:
    """Return the χ² large-N prediction-ellipse area π χ²_p(2) √det S (Schubert & Kirchner 2014)."""
    from scipy import stats  # noqa: PLC0415 - scipy loads on first use, not at kiosk start

    chi2 = float(stats.chi2.ppf(probability, 2))
    return math.pi * chi2 * math.sqrt(_determinant(covariance(x, y) if cov is None else cov))


def ellipse_area_prieto(
    x: FloatArray,
    y: FloatArray,
    probability: float = PROBABILITY,
    *,
    cov: FloatArray | None = None,
) -> float:
    """Return Prieto's (1996) area 2π F_p(2, N−2) √(s_x² s_y² − s_xy²), 1/N moments (§8.4)."""
    n = x.size
    population = (covariance(x, y) if cov is None else cov) * ((n - 1) / n)
    return 2 * math.pi * f_quantile(n, probability) * math.sqrt(_determinant(population))
