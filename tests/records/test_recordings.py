"""Raw recordings: stored with the trial's transaction, verified by SHA-256 when read."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sqlalchemy import update

from records import Database
from records.errors import NotFoundError, RecordingIntegrityError
from records.models import Recording
from records.recordings import (
    RawRecording,
    decode_samples,
    encode_recording,
    load_recording,
    store_recording,
)

CHANNELS = ("load_fl_n", "load_fr_n", "load_rl_n", "load_rr_n")


def _force_plate_recording(seed: int = 7, n_samples: int = 60_000) -> RawRecording:
    rng = np.random.default_rng(seed)
    samples = (150.0 + rng.normal(0.0, 2.0, size=(n_samples, 4))).astype(np.float32)
    return RawRecording(rate_hz=1000.0, channels=CHANNELS, samples=samples)


def test_a_stored_recording_reads_back_identical_and_compressed(database: Database) -> None:
    recording = _force_plate_recording()
    with database.transaction() as session:
        sha256 = store_recording(session, recording)
    loaded = load_recording(database, sha256)
    assert loaded.channels == CHANNELS
    assert loaded.rate_hz == 1000.0
    assert loaded.samples.dtype == np.float32
    np.testing.assert_array_equal(loaded.samples, recording.samples)
    with database.read() as session:
        row = session.get(Recording, sha256)
        assert row is not None
        assert row.size_bytes < recording.samples.nbytes
        assert hashlib.sha256(row.content).hexdigest() == sha256


def test_storing_the_same_signal_twice_keeps_one_copy(database: Database) -> None:
    recording = _force_plate_recording(n_samples=1000)
    with database.transaction() as session:
        first = store_recording(session, recording)
        second = store_recording(session, recording)
    with database.read() as session:
        count = session.query(Recording).count()
    assert first == second
    assert count == 1


def test_a_damaged_recording_is_refused_when_read(database: Database) -> None:
    with database.transaction() as session:
        sha256 = store_recording(session, _force_plate_recording(n_samples=1000))
    with database.transaction() as session:
        content = session.get(Recording, sha256).content  # type: ignore[union-attr]
        damaged = content[:100] + bytes([content[100] ^ 0xFF]) + content[101:]
        session.execute(update(Recording).values(content=damaged))
    with pytest.raises(RecordingIntegrityError, match="damaged"):
        load_recording(database, sha256)


def test_an_unknown_recording_is_not_found(database: Database) -> None:
    with pytest.raises(NotFoundError):
        load_recording(database, "0" * 64)


def test_samples_must_match_the_channels() -> None:
    with pytest.raises(ValueError, match="expected n_samples × channels"):
        RawRecording(rate_hz=100.0, channels=("a", "b"), samples=np.zeros((10, 3)))
    with pytest.raises(ValueError, match="positive rate"):
        RawRecording(rate_hz=0.0, channels=("a",), samples=np.zeros((10, 1)))


@given(
    arrays(
        dtype=st.sampled_from([np.float32, np.float64, np.int32, np.uint16]),
        shape=st.tuples(st.integers(0, 300), st.integers(1, 8)),
    )
)
def test_encoding_round_trips_any_numeric_block(samples: np.ndarray) -> None:
    channels = tuple(f"ch{i}" for i in range(samples.shape[1]))
    sha256, content = encode_recording(RawRecording(50.0, channels, samples))
    np.testing.assert_array_equal(decode_samples(sha256, content), samples)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_decode_as_a_recording(content: bytes) -> None:
    sha256 = hashlib.sha256(content).hexdigest()
    with pytest.raises(RecordingIntegrityError):
        decode_samples(sha256, content)
