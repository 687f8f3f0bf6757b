"""Streaming equals batch: ``SwayScorer.finish()`` is ``score_sway`` on the same samples, exactly.

Random inputs come from a seed that hypothesis draws (and prints with any failing example).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.errors import NonFiniteSampleError, SignalError, TooFewSamplesError
from measures.filters import FILTERS, Filter
from measures.results import SwayResult
from measures.stabilometry import score_sway
from measures.stabilometry_stream import SwayScorer


def _trial(seed: int, samples: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return np.cumsum(rng.normal(size=samples)), np.cumsum(rng.normal(size=samples))


def _chunks(samples: int, cuts: list[int]) -> list[slice]:
    edges = sorted({0, samples, *(cut % (samples + 1) for cut in cuts)})
    return [slice(a, b) for a, b in itertools.pairwise(edges)]


def _identical(a: SwayResult, b: SwayResult) -> None:
    """Every field equal bit for bit: float reprs round-trip exactly, and NaN shows as nan."""
    assert repr(a) == repr(b)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    samples=st.integers(10, 2500),
    cuts=st.lists(st.integers(0, 10**6), max_size=40),
    filter_name=st.sampled_from(FILTERS),
)
def test_finish_equals_batch_for_random_chunkings(
    seed: int, samples: int, cuts: list[int], filter_name: Filter
) -> None:
    ml, ap = _trial(seed, samples)
    rate = 100.0
    if filter_name == "resample20" and samples < 50:
        samples, ml, ap = 50, *_trial(seed, 50)
    scorer = SwayScorer(rate, filter=filter_name)
    parts = _chunks(samples, cuts)
    for part in parts:
        scorer.update(ml[part], ap[part])
    ml_all = np.concatenate([ml[part] for part in parts])
    ap_all = np.concatenate([ap[part] for part in parts])
    _identical(scorer.finish(), score_sway(ml_all, ap_all, rate, filter=filter_name))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(0, 10**6), max_size=20))
def test_live_path_length_tracks_the_batch_value(seed: int, cuts: list[int]) -> None:
    samples = 400
    ml, ap = _trial(seed, samples)
    scorer = SwayScorer(20.0, target_duration_s=10.0)
    live = scorer.live()
    for part in _chunks(samples, cuts):
        live = scorer.update(ml[part], ap[part])
        stop = part.stop
        expected = score_sway(ml[:stop], ap[:stop], 20.0) if stop >= 10 else None
        if expected is not None:
            assert live.path_length_mm == pytest.approx(expected.path_length_mm, rel=1e-12)
            assert live.mean_velocity_mm_s == pytest.approx(expected.mean_velocity_mm_s, rel=1e-12)
    assert live.samples == samples
    assert live.duration_s == pytest.approx(399 / 20)
    assert live.progress == 1.0


def test_progress_follows_the_target_duration_and_is_none_without_one() -> None:
    ml, ap = _trial(1, 201)
    with_target = SwayScorer(20.0, target_duration_s=20.0)
    assert with_target.update(ml[:101], ap[:101]).progress == pytest.approx(0.25)
    assert SwayScorer(20.0).update(ml, ap).progress is None
    assert SwayScorer(20.0).live() == SwayScorer(20.0).live()


def test_buffer_grows_past_its_initial_capacity() -> None:
    ml, ap = _trial(2, 5000)
    scorer = SwayScorer(1.0)  # initial capacity: 65 samples at 1 Hz
    for start in range(0, 5000, 37):
        scorer.update(ml[start : start + 37], ap[start : start + 37])
    assert scorer.samples == 5000
    _identical(scorer.finish(), score_sway(ml, ap, 1.0))


def test_empty_blocks_are_accepted_and_bad_blocks_refused() -> None:
    scorer = SwayScorer(20.0)
    assert scorer.update([], []).samples == 0
    with pytest.raises(NonFiniteSampleError, match="AP sample 1"):
        scorer.update([0.0, 1.0], [0.0, math.nan])
    with pytest.raises(SignalError, match="different lengths"):
        scorer.update([0.0, 1.0], [0.0])
    assert scorer.samples == 0
    scorer.update(np.arange(5.0), np.arange(5.0))
    with pytest.raises(TooFewSamplesError):
        scorer.finish()


def test_scorer_checks_its_parameters_up_front() -> None:
    with pytest.raises(SignalError, match="positive finite"):
        SwayScorer(0.0)
    with pytest.raises(SignalError, match="expected one of"):
        SwayScorer(20.0, filter="median")  # type: ignore[arg-type]
    with pytest.raises(SignalError, match="positive time"):
        SwayScorer(20.0, target_duration_s=0.0)
