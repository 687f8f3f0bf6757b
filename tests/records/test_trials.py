"""A trial, its raw recording and its outbox message are committed together or not at all."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from records import Database
from records.outbox import outbox_status, unacked
from records.recordings import RawRecording, load_recording
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from records.trials import save_trial, trials_of
from sync.outbox import enqueue_result

HANAKO = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1941, 4, 2),
    care_level=CareLevel.SUPPORT_1,
)  # fmt: skip


def _resident(database: Database) -> str:
    return ResidentRepository(database, "f1").add(HANAKO, actor="test").uuid


def _recording() -> RawRecording:
    samples = np.random.default_rng(1).normal(size=(200, 2))
    return RawRecording(rate_hz=100.0, channels=("cop_ml_mm", "cop_ap_mm"), samples=samples)


def test_a_trial_its_recording_and_its_message_are_saved_together(database: Database) -> None:
    resident = _resident(database)
    with database.transaction() as session:
        trial = save_trial(
            session, resident_uuid=resident, test="sway_eo", metrics={"path_length_mm": 812.5},
            quality_flags=["short_recording"], algorithm_version="stabilometry/1",
            recording=_recording(),
        )  # fmt: skip
        enqueue_result(
            session, facility_id="f1", kiosk_id="k1", kind="trial", body={"trial_uuid": trial}
        )
    (saved,) = trials_of(database, resident)
    assert (saved.uuid, saved.test, saved.metrics) == (trial, "sway_eo", {"path_length_mm": 812.5})
    assert saved.recording_sha256 is not None
    np.testing.assert_array_equal(
        load_recording(database, saved.recording_sha256).samples, _recording().samples
    )
    (message,) = unacked(database, "k1", after_seq=0, limit=5)
    assert json.loads(message.payload)["body"] == {"trial_uuid": trial}


def test_a_failure_before_the_commit_leaves_neither(database: Database) -> None:
    resident = _resident(database)

    def save_then_fail() -> None:
        with database.transaction() as session:
            save_trial(
                session, resident_uuid=resident, test="grip", metrics={}, quality_flags=[],
                algorithm_version="grip/1", recording=_recording(),
            )  # fmt: skip
            enqueue_result(session, facility_id="f1", kiosk_id="k1", kind="trial", body={})
            raise RuntimeError

    with pytest.raises(RuntimeError):
        save_then_fail()
    assert trials_of(database, resident) == []
    assert outbox_status(database, "k1").last_seq == 0


def test_an_oversized_message_refuses_the_whole_save(database: Database) -> None:
    resident = _resident(database)

    def save_oversized() -> None:
        with database.transaction() as s:
            save_trial(
                s, resident_uuid=resident, test="grip", metrics={}, quality_flags=[],
                algorithm_version="grip/1",
            )  # fmt: skip
            body = {"x": "y" * 70000}
            enqueue_result(s, facility_id="f1", kiosk_id="k1", kind="trial", body=body)

    with pytest.raises(ValueError, match="the office accepts at most"):
        save_oversized()
    assert trials_of(database, resident) == []
