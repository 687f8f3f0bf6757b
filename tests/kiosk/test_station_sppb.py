"""The SPPB's device-timed parts on the station, against real simulators behind pseudo-terminals.

Stances (REFERENCE.md §2.1) on the GKFP plate simulator read by the serial driver; the 4-m walk
(§2.2) through two photocell gates on the simulated Chronopic box read by the Chronopic driver
(chronopic-timer.md §6), walked by the demo's walker (genki.demo.GateWalker). The walker sets off
only once the station records, as a resident does after the countdown, so the test does not
depend on how fast the station starts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date

import numpy as np
import pytest
from sqlalchemy import select
from station_waits import phase, streaming, wait_for

from genki.demo import GateWalker
from kiosk.station.measurements import MEASUREMENTS, TIMER_CHANNELS
from kiosk.station.service import Station
from kiosk.station.trial import Phase
from measures.gait import find_crossings, time_gates
from records import Database
from records.models import Outbox
from records.recordings import RawRecording, load_recording
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from records.trials import trials_of
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.human.scenarios import generate
from simulators.pty_runner import PtyRunner

RESIDENT = ResidentFields(
    code="R002", family_name="佐藤", given_name="清", family_kana="サトウ", given_kana="キヨシ",
    sex=Sex.MALE, birth_date=date(1939, 4, 1), care_level=CareLevel.SUPPORT_2,
)  # fmt: skip
STEP_OUT_S = 8.0  # when the simulated resident steps out of the tandem stance (runner time)
GATE_TOLERANCE_S = 0.002  # 8-µs counts per interval, a handful of intervals per walk


@pytest.fixture
def resident(database: Database) -> str:
    return ResidentRepository(database, "f1").add(RESIDENT, actor="test").uuid


@pytest.fixture
def gates() -> Iterator[tuple[GateWalker, str]]:
    walker = GateWalker(seed=4)  # re-cuts by an arm at the second gate
    with PtyRunner(walker) as runner:
        yield walker, f"serial://{runner.path}?protocol=chronopic"


def plate(scenario: str, hold_s: float | None = None) -> tuple[PtyRunner, float]:
    """Start a plate with a person doing ``scenario``; return it and its start (monotonic s)."""
    person = generate(scenario, rate_hz=1000, duration_s=60, seed=5, hold_s=hold_s)
    runner = PtyRunner(GkfpPlate(person, PlateConfig(seed=5)), rate_hz=1000)
    started = time.monotonic()
    runner.start()
    return runner, started


def test_a_side_by_side_stance_held_to_the_cap_scores_10_s_and_stops_there(
    database: Database, resident: str
) -> None:
    runner, _ = plate("quiet-eo")
    try:
        with Station(database, facility_id="f1", kiosk_id="k1",
                     devices={"plate": f"serial://{runner.path}?protocol=gkfp"},
                     countdown_s=0.1) as station:  # fmt: skip
            wait_for(station, streaming)
            station.begin(resident, "stance_side_by_side")
            wait_for(station, phase(Phase.INSTRUCT))
            station.ready()
            review = wait_for(station, phase(Phase.REVIEW), timeout=30)
    finally:
        runner.stop()
    assert review.trial is not None
    assert review.trial.metrics["hold_s"] == 10.0
    assert review.trial.quality_flags == ("reached_cap",)
    # Stopped by itself at the cap, before the 11-s recording ran out.
    assert 10.0 <= review.trial.recorded_s < 10.9


def test_a_tandem_stance_broken_after_4_s_scores_4_s_and_stops_at_the_step_out(
    database: Database, resident: str
) -> None:
    runner, started = plate("tandem", hold_s=STEP_OUT_S)
    try:
        with Station(database, facility_id="f1", kiosk_id="k1",
                     devices={"plate": f"serial://{runner.path}?protocol=gkfp"},
                     countdown_s=0.1) as station:  # fmt: skip
            wait_for(station, streaming)
            station.begin(resident, "stance_tandem")
            wait_for(station, phase(Phase.INSTRUCT))
            ready_at = started + STEP_OUT_S - 4.0 - station.countdown_s
            assert time.monotonic() < ready_at, "the plate took too long to start streaming"
            time.sleep(ready_at - time.monotonic())
            station.ready()
            recording = wait_for(station, phase(Phase.RECORD))
            recording_from = time.monotonic() - (
                recording.trial.recorded_s if recording.trial else 0
            )
            review = wait_for(station, phase(Phase.REVIEW), timeout=30)
            station.accept()
            saved = wait_for(station, phase(Phase.SAVED))
    finally:
        runner.stop()
    assert review.trial is not None
    hold = review.trial.metrics["hold_s"]
    # The COP leaves the stance over 0.3 s around the step-out; the rule fires at 30 of 80 mm.
    assert hold == pytest.approx(4.0, abs=0.3)
    assert hold == pytest.approx(started + STEP_OUT_S - recording_from, abs=0.15)
    assert review.trial.quality_flags == ()
    assert review.trial.recorded_s < 6.0  # stopped by the step-out, not after 11 s
    [trial] = trials_of(database, resident)
    assert (trial.uuid, trial.test) == (saved.trial.trial_uuid, "stance_tandem")  # type: ignore[union-attr]
    assert trial.metrics["hold_s"] == hold


def test_a_4m_walk_between_two_gates_is_timed_by_the_gates_and_stops_by_itself(
    database: Database, resident: str, gates: tuple[GateWalker, str]
) -> None:
    walker, url = gates
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"timer": url},
                 countdown_s=0.1) as station:  # fmt: skip
        wait_for(station, streaming)
        station.begin(resident, "gait_4m")
        wait_for(station, phase(Phase.INSTRUCT))
        station.ready()
        wait_for(station, phase(Phase.RECORD))
        walker.walk()
        review = wait_for(station, phase(Phase.REVIEW), timeout=30)
        station.accept()
        saved = wait_for(station, phase(Phase.SAVED))
    [truth] = walker.walks
    assert review.trial is not None
    metrics = review.trial.metrics
    assert metrics["time_s"] == pytest.approx(truth.walking_time_s, abs=GATE_TOLERANCE_S)
    assert metrics["speed_m_s"] == pytest.approx(4.0 / truth.walking_time_s, rel=1e-3)
    assert metrics["crossings"] == 2
    assert review.trial.quality_flags == ()
    # Stopped once the second gate cleared: well before the 30-s timeout.
    assert review.trial.recorded_s < truth.walking_time_s + 3.0
    [trial] = trials_of(database, resident)
    assert trial.uuid == saved.trial.trial_uuid  # type: ignore[union-attr]
    assert trial.recording_sha256 is not None
    stored = load_recording(database, trial.recording_sha256)
    assert stored.channels == TIMER_CHANNELS
    assert stored.samples.shape[0] >= 4  # a cut and a clear at each gate, arm re-cuts besides
    # The stored events re-score to the same walking time.
    state, time_us, continuous = stored.samples.T
    rescored = time_gates(find_crossings(state, time_us, continuous.astype(bool)), (0.0, 4.0))
    assert rescored.total_time_s == metrics["time_s"]
    with database.read() as session:
        [body] = [json.loads(p)["body"] for p in session.scalars(select(Outbox.payload))]
    assert (body["test"], body["metrics"]["time_s"]) == ("gait_4m", metrics["time_s"])


def test_a_gait_trial_nobody_walks_times_out_flagged(
    database: Database, resident: str, gates: tuple[GateWalker, str]
) -> None:
    _, url = gates
    with Station(database, facility_id="f1", kiosk_id="k1", devices={"timer": url},
                 countdown_s=0.1, record_seconds={"gait_4m": 1.0}) as station:  # fmt: skip
        wait_for(station, streaming)
        station.begin(resident, "gait_4m")
        wait_for(station, phase(Phase.INSTRUCT))
        station.ready()
        review = wait_for(station, phase(Phase.REVIEW), timeout=10)
    assert review.trial is not None
    assert review.trial.recorded_s == pytest.approx(1.0, abs=0.1)
    assert review.trial.metrics["time_s"] is None
    assert review.trial.quality_flags == ("wrong_crossing_count",)


def test_a_resident_who_leaves_the_plate_ends_the_stance_there() -> None:
    """The plate reports no COP once nobody stands on it; the hold ends there (pure scorer)."""
    person = generate("quiet-eo", rate_hz=100, duration_s=11, seed=2)
    standing = np.column_stack([person.fz_n, person.cop_ml_mm, person.cop_ap_mm])
    signal = standing.copy()
    signal[620:] = [0.0, np.nan, np.nan]  # gone at 6.2 s
    recording = RawRecording(100.0, ("fz_n", "cop_ml_mm", "cop_ap_mm"), signal)
    measurement = MEASUREMENTS["stance_semi_tandem"]
    scored = measurement.score(recording)
    assert measurement.done_early is not None
    assert measurement.done_early(recording)
    assert scored.metrics["hold_s"] == pytest.approx(6.2)
    assert scored.quality_flags == ("left_the_plate",)
    held = measurement.score(RawRecording(100.0, recording.channels, standing[:1000]))
    assert held.metrics["hold_s"] == pytest.approx(9.99)
    assert held.quality_flags == ("recording_ended_before_touchdown",)
