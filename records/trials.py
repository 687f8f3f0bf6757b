"""Measured trials: metrics, quality flags and the raw recording, saved in the caller's transaction.

``save_trial`` adds a trial and its raw recording to an open transaction; the caller adds the
outbox message in the same transaction (sync.outbox.enqueue_result), so a trial, its signal and
its announcement to the office are committed together or not at all (RELIABILITY.md, design
point 1). A trial is shown as saved only after that commit has returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from records import models
from records.database import Database
from records.errors import NotFoundError
from records.recordings import RawRecording, store_recording


@dataclass(frozen=True, slots=True)
class SavedTrial:
    """A stored trial as read back."""

    uuid: str
    resident_uuid: str
    test: str
    trial_index: int
    started_at: datetime
    metrics: Mapping[str, Any]
    quality_flags: tuple[str, ...]
    recording_sha256: str | None
    algorithm_version: str


def save_trial(  # noqa: PLR0913 - one keyword per stored field
    session: Session,
    *,
    resident_uuid: str,
    test: str,
    metrics: Mapping[str, Any],
    quality_flags: Sequence[str],
    algorithm_version: str,
    recording: RawRecording | None = None,
    trial_index: int = 1,
) -> str:
    """Add a trial (and its raw recording) to the caller's transaction; return the trial's uuid."""
    resident_id = session.scalar(
        select(models.Resident.id).where(models.Resident.uuid == resident_uuid)
    )
    if resident_id is None:
        raise NotFoundError(f"no resident with uuid {resident_uuid}")
    sha256 = None if recording is None else store_recording(session, recording)
    row = models.Trial(
        resident_id=resident_id,
        test=test,
        trial_index=trial_index,
        metrics=dict(metrics),
        quality_flags=list(quality_flags),
        recording_sha256=sha256,
        algorithm_version=algorithm_version,
        duration_s=None if recording is None else recording.samples.shape[0] / recording.rate_hz,
    )
    session.add(row)
    session.flush()
    return row.uuid


def trials_of(database: Database, resident_uuid: str) -> list[SavedTrial]:
    """Return a resident's trials, oldest first."""
    query = (
        select(models.Trial, models.Resident.uuid)
        .join(models.Resident, models.Trial.resident_id == models.Resident.id)
        .where(models.Resident.uuid == resident_uuid)
        .order_by(models.Trial.id)
    )
    with database.read() as session:
        return [
            SavedTrial(
                uuid=trial.uuid,
                resident_uuid=uuid,
                test=trial.test,
                trial_index=trial.trial_index,
                started_at=trial.started_at,
                metrics=trial.metrics,
                quality_flags=tuple(trial.quality_flags),
                recording_sha256=trial.recording_sha256,
                algorithm_version=trial.algorithm_version,
            )
            for trial, uuid in session.execute(query)
        ]
