"""Raw recordings: every trial's signal kept as compressed numpy arrays, verified by SHA-256.

A recording is stored in the same transaction as the trial that references it, so a result and
its raw signal are saved together or not at all. Reading recomputes the checksum and refuses bytes
that do not match, so a recomputation never runs on a damaged signal.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from records import models
from records.database import Database
from records.errors import NotFoundError, RecordingIntegrityError

SAMPLES_KEY = "samples"  # the array name inside the archive
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class RawRecording:
    """A multichannel signal: ``samples`` is n_samples × len(channels), sampled at ``rate_hz``."""

    rate_hz: float
    channels: tuple[str, ...]
    samples: npt.NDArray[np.generic]

    def __post_init__(self) -> None:
        if self.samples.ndim != 2 or self.samples.shape[1] != len(self.channels):
            raise ValueError(
                f"samples of shape {self.samples.shape} given for {len(self.channels)} channels; "
                "expected n_samples × channels"
            )
        if not self.rate_hz > 0:
            raise ValueError(f"rate_hz {self.rate_hz} given; expected a positive rate")


def encode_recording(recording: RawRecording) -> tuple[str, bytes]:
    """Return the SHA-256 (hex) and the compressed bytes of a recording."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, samples=np.ascontiguousarray(recording.samples))
    content = buffer.getvalue()
    return hashlib.sha256(content).hexdigest(), content


def decode_samples(sha256: str, content: bytes) -> npt.NDArray[np.generic]:
    """Return the samples stored in ``content`` after checking it against ``sha256``."""
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        raise RecordingIntegrityError(
            f"raw recording {sha256} is damaged: its bytes hash to {actual}. "
            "Restore the database from a backup to recover it."
        )
    if not content.startswith(ZIP_MAGIC):
        raise RecordingIntegrityError(f"raw recording {sha256} is not a compressed numpy archive")
    try:
        with np.load(io.BytesIO(content), allow_pickle=False) as archive:
            return np.asarray(archive[SAMPLES_KEY])
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise RecordingIntegrityError(f"raw recording {sha256} cannot be decoded: {exc}") from exc


def store_recording(session: Session, recording: RawRecording) -> str:
    """Add a recording to the caller's transaction (once per content) and return its SHA-256."""
    sha256, content = encode_recording(recording)
    if session.get(models.Recording, sha256) is None:
        session.add(
            models.Recording(
                sha256=sha256,
                rate_hz=recording.rate_hz,
                channels=list(recording.channels),
                n_samples=recording.samples.shape[0],
                size_bytes=len(content),
                content=content,
            )
        )
    return sha256


def load_recording(database: Database, sha256: str) -> RawRecording:
    """Read and verify a stored recording."""
    with database.read() as session:
        row = session.get(models.Recording, sha256)
        if row is None:
            raise NotFoundError(f"no raw recording {sha256}")
        samples = decode_samples(row.sha256, row.content)
        channels = tuple(str(name) for name in row.channels)
        rate_hz, n_samples = row.rate_hz, row.n_samples
    if samples.ndim != 2 or samples.shape != (n_samples, len(channels)):
        raise RecordingIntegrityError(
            f"raw recording {sha256} holds {samples.shape} samples; expected "
            f"{(n_samples, len(channels))}"
        )
    return RawRecording(rate_hz=rate_hz, channels=channels, samples=samples)
