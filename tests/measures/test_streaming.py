"""Streaming equals batch: ``SwayScorer.finish()`` is exactly ``score_sway`` on the same samples."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.stabilometry import score_sway
from measures.stabilometry_stream import SwayScorer

RNG = np.random.default_rng(20261122)
ML = np.cumsum(RNG.normal(0, 0.05, 3000))
AP = np.cumsum(RNG.normal(0, 0.05, 3000))


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.integers(1, 400), min_size=1, max_size=40), st.sampled_from(["none", "lowpass10"])
)
def test_finish_equals_batch_for_any_chunking(sizes: list[int], filter_name: str) -> None:
    scorer = SwayScorer(100.0, filter=filter_name)  # type: ignore[arg-type]
    start = 0
    for size in sizes:
        scorer.update(ML[start : start + size], AP[start : start + size])
        start += size
    scorer.update(ML[start:], AP[start:])
    assert scorer.finish() == score_sway(ML, AP, 100.0, filter=filter_name)  # type: ignore[arg-type]


def test_live_figures_track_path_and_progress() -> None:
    scorer = SwayScorer(100.0, target_s=20.0)
    live = None
    for start in range(0, 3000, 2):
        live = scorer.update(ML[start : start + 2], AP[start : start + 2])
    assert live is not None
    batch = score_sway(ML, AP, 100.0)
    assert live.path_length_mm == pytest.approx(batch.path_length_mm, rel=1e-9)
    assert live.samples == 3000
    assert live.progress == 1.0
