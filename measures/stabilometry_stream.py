"""Streaming stabilometry: cheap live estimates per block, and the exact batch result at the end.

``SwayScorer.update`` appends a block to a growing, preallocated buffer (capacity doubles when
full, so appends are amortised O(block)) and updates running path-length sums from the new
block only. ``finish`` runs ``measures.stabilometry.score_sway`` on the buffered samples, so it
equals the batch result on the concatenated samples exactly (the shared "streaming equals batch"
rule of DESIGN.md). The live path length is a running sum of the unfiltered samples: an estimate,
equal to the batch value up to summation order when ``filter="none"``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from measures.errors import SignalError
from measures.filters import Filter, check_filter
from measures.results import SwayResult
from measures.signals import as_signal, check_lengths, check_rate
from measures.stabilometry import ENVELOPE_SECTOR_DEG, score_sway

INITIAL_CAPACITY_S = 65.0


@dataclass(frozen=True, slots=True)
class LiveSway:
    """A live estimate after the latest block (mm, s); ``progress`` is None without a target."""

    samples: int
    duration_s: float
    path_length_mm: float
    mean_velocity_mm_s: float
    progress: float | None


class SwayScorer:
    """Streaming sway scorer: ``update`` per block, ``finish`` equals ``score_sway`` exactly."""

    def __init__(
        self,
        rate_hz: float,
        *,
        filter: Filter = "none",  # noqa: A002 - same option name as score_sway
        target_duration_s: float | None = None,
        envelope_sector_deg: float = ENVELOPE_SECTOR_DEG,
    ) -> None:
        self.rate_hz = check_rate(rate_hz)
        self.filter = check_filter(filter)
        if target_duration_s is not None and not target_duration_s > 0:
            raise SignalError(f"target duration {target_duration_s} s; expected a positive time")
        self.target_duration_s = target_duration_s
        self.envelope_sector_deg = envelope_sector_deg
        capacity = max(16, math.ceil(INITIAL_CAPACITY_S * self.rate_hz))
        self._ml = np.empty(capacity)
        self._ap = np.empty(capacity)
        self._count = 0
        self._path_mm = 0.0

    @property
    def samples(self) -> int:
        """Number of samples received so far."""
        return self._count

    def _reserve(self, extra: int) -> None:
        """Grow both buffers (doubling) so that ``extra`` more samples fit."""
        needed = self._count + extra
        if needed <= self._ml.size:
            return
        capacity = max(needed, 2 * self._ml.size)
        for name in ("_ml", "_ap"):
            grown = np.empty(capacity)
            grown[: self._count] = getattr(self, name)[: self._count]
            setattr(self, name, grown)

    def update(self, ml_block: npt.ArrayLike, ap_block: npt.ArrayLike) -> LiveSway:
        """Append one block of ML and AP COP samples (mm) and return the live estimate."""
        ml, ap = as_signal(ml_block, "ML"), as_signal(ap_block, "AP")
        size = check_lengths(0, ML=ml, AP=ap)
        if size:
            start = self._count
            self._reserve(size)
            self._ml[start : start + size] = ml
            self._ap[start : start + size] = ap
            first = max(start - 1, 0)
            stop = start + size
            dx = np.diff(self._ml[first:stop])
            dy = np.diff(self._ap[first:stop])
            self._path_mm += float(np.hypot(dx, dy).sum())
            self._count = stop
        return self.live()

    def live(self) -> LiveSway:
        """Return the live estimate for the samples received so far."""
        duration = max(self._count - 1, 0) / self.rate_hz
        progress = None
        if self.target_duration_s is not None:
            progress = min(1.0, duration / self.target_duration_s)
        return LiveSway(
            samples=self._count,
            duration_s=duration,
            path_length_mm=self._path_mm,
            mean_velocity_mm_s=self._path_mm / duration if duration > 0 else 0.0,
            progress=progress,
        )

    def finish(self) -> SwayResult:
        """Return ``score_sway`` of every sample received (raises SignalError if too few)."""
        return score_sway(
            self._ml[: self._count].copy(),
            self._ap[: self._count].copy(),
            self.rate_hz,
            filter=self.filter,
            envelope_sector_deg=self.envelope_sector_deg,
        )
