"""Streaming stabilometry: cheap live figures while a trial runs, the batch result at the end.

``update`` appends a block to a growing buffer (amortised O(block)) and advances the live path
length across block boundaries; ``finish`` scores the whole buffer with ``score_sway``, so the final
result is exactly the batch result on the same samples. Live figures are on the unfiltered COP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from measures.filters import Filter
from measures.stabilometry import SwayResult, score_sway

INITIAL_CAPACITY = 4096


@dataclass(frozen=True, slots=True)
class LiveSway:
    """What the screen shows during a trial."""

    samples: int
    duration_s: float
    path_length_mm: float
    mean_velocity_mm_s: float
    progress: float


class SwayScorer:
    """Accumulates COP blocks and scores the trial when it ends."""

    def __init__(
        self,
        rate_hz: float,
        *,
        filter: Filter = "none",  # noqa: A002 - the name used by every scorer and the CLI
        target_s: float | None = None,
    ) -> None:
        self.rate_hz = rate_hz
        self.filter = filter
        self.target_s = target_s
        self._data = np.empty((INITIAL_CAPACITY, 2))
        self._size = 0
        self._path_mm = 0.0

    def update(self, ml_mm: npt.ArrayLike, ap_mm: npt.ArrayLike) -> LiveSway:
        """Add a block of COP samples and return the live figures."""
        block = np.column_stack(
            [np.asarray(ml_mm, dtype=np.float64), np.asarray(ap_mm, dtype=np.float64)]
        )
        if self._size + len(block) > len(self._data):
            grown = np.empty((max(2 * len(self._data), self._size + len(block)), 2))
            grown[: self._size] = self._data[: self._size]
            self._data = grown
        start = max(self._size - 1, 0)
        self._data[self._size : self._size + len(block)] = block
        self._size += len(block)
        steps = np.diff(self._data[start : self._size], axis=0)
        self._path_mm += float(np.hypot(steps[:, 0], steps[:, 1]).sum())
        duration = (self._size - 1) / self.rate_hz if self._size > 1 else 0.0
        return LiveSway(
            samples=self._size,
            duration_s=duration,
            path_length_mm=self._path_mm,
            mean_velocity_mm_s=self._path_mm / duration if duration > 0 else math.nan,
            progress=min(1.0, duration / self.target_s) if self.target_s else 0.0,
        )

    def finish(self) -> SwayResult:
        """Score every sample received, exactly as ``score_sway`` would."""
        data = self._data[: self._size]
        return score_sway(data[:, 0].copy(), data[:, 1].copy(), self.rate_hz, filter=self.filter)
