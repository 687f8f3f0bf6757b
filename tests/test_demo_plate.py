"""The demo's person on the force plate (genki.demo.PlatePerson) does what each trial asks.

Built as ``running_demo`` builds it: the person's plate behind a pseudo-terminal, read by the
real serial driver of a station the person follows. Each trial is run through the Station API
and scored by the station's own scorers, so what is checked is what the demo's trainer would see:
a side-by-side stance held to the 10-s cap, a tandem stance broken about TANDEM_HOLD_S into the
recording (again from the start on a retake), five chair stands from a seated start, a sway
recording of quiet standing, stand-ups while the exercise counter is on, and an empty plate in
between. The countdown is shorter than the demo's to keep the test short; the person's leads are
measured from the countdown the view shows, so they hold for any countdown.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from genki.demo import (
    ONE_LEG_HOLD_S,
    PLATE_RATE_HZ,
    SEATED_LEAD_S,
    TANDEM_HOLD_S,
    PlateAct,
    PlatePerson,
)
from kiosk.station.service import Station, StationView, TrialView
from kiosk.station.trial import Phase
from records import Database, open_database
from records.recordings import load_recording
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from records.trials import trials_of
from simulators.human.scenarios import SEATED_LOAD
from simulators.human.sway import GRAVITY_M_S2
from simulators.pty_runner import PtyRunner

RESIDENT = ResidentFields(
    code="P001", family_name="青木", given_name="和子", family_kana="アオキ", given_kana="カズコ",
    sex=Sex.FEMALE, birth_date=date(1944, 3, 12), care_level=CareLevel.SUPPORT_1,
)  # fmt: skip
COUNTDOWN_S = 1.0
SWAY_SECONDS = 5.0
WEIGHT_N = 60.0 * GRAVITY_M_S2  # the scenarios' default person


class PlateDemo:
    """The demo's plate, its person and a station following the person's plate."""

    def __init__(self, station: Station, person: PlatePerson, database: Database) -> None:
        self.station, self.person, self.database = station, person, database
        self.resident = ResidentRepository(database, "f1").add(RESIDENT, actor="test").uuid

    def wait(self, done: Callable[[StationView], bool], timeout: float = 30) -> StationView:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            view = self.station.view
            if done(view):
                return view
            time.sleep(0.02)
        raise AssertionError(f"timed out; last view: {self.station.view}")

    def reach(self, phase: Phase, timeout: float = 30) -> TrialView:
        view = self.wait(lambda v: v.trial is not None and v.trial.phase is phase, timeout)
        assert view.trial is not None
        return view.trial

    def trial(self, test: str) -> TrialView:
        """Run a trial of ``test`` up to its review."""
        self.station.begin(self.resident, test)
        self.reach(Phase.INSTRUCT)
        self.station.ready()
        return self.reach(Phase.REVIEW)

    def save(self) -> np.ndarray:
        """Save the trial under review; return its stored recording (Fz, ML, AP per row)."""
        self.station.accept()
        saved = self.reach(Phase.SAVED)
        [trial] = [t for t in trials_of(self.database, self.resident)
                   if t.uuid == saved.trial_uuid]  # fmt: skip
        assert trial.recording_sha256 is not None
        recording = load_recording(self.database, trial.recording_sha256)
        assert recording.channels == ("fz_n", "cop_ml_mm", "cop_ap_mm")
        return np.asarray(recording.samples, dtype=np.float64)

    def now_doing(self, expected: str | None) -> None:
        """Wait until the person's latest act is ``expected`` (a scenario, None for nobody)."""
        deadline = time.monotonic() + 5
        while not (self.person.acts and self.person.acts[-1].scenario == expected):
            assert time.monotonic() < deadline, f"the person is doing {self.person.acts[-1:]}"
            time.sleep(0.02)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlateDemo]:
    folder: Path = tmp_path_factory.mktemp("demo-plate")
    database = open_database(f"sqlite:///{folder / 'kiosk.sqlite3'}")
    person = PlatePerson(seed=7)
    runner = PtyRunner(person, rate_hz=PLATE_RATE_HZ)
    runner.start()
    try:
        with Station(database, facility_id="f1", kiosk_id="k1",
                     devices={"plate": f"serial://{runner.path}?protocol=gkfp"},
                     countdown_s=COUNTDOWN_S,
                     record_seconds={"sway_eo": SWAY_SECONDS}) as station:  # fmt: skip
            station.subscribe(person.follow)
            running = PlateDemo(station, person, database)
            running.wait(lambda v: all(d.state == "streaming" for d in v.devices))
            yield running
    finally:
        runner.stop()
        database.close()


@pytest.fixture(autouse=True)
def no_trial_left_under_way(demo: PlateDemo) -> Iterator[None]:
    """A failed test cancels its trial, so the next test can begin its own."""
    yield
    trial = demo.station.view.trial
    if trial is not None and trial.phase not in {Phase.SAVED, Phase.DISCARDED}:
        demo.station.cancel("test failed")
        demo.reach(Phase.DISCARDED)


def test_nobody_is_on_the_plate_until_a_trial_counts_down(demo: PlateDemo) -> None:
    assert demo.person.acts == []
    fz = demo.wait(lambda v: bool(v.traces)).traces[0].values
    assert max(abs(value) for value in fz) < 5.0  # N: the plate reads only its noise
    demo.station.begin(demo.resident, "stance_side_by_side")
    demo.reach(Phase.INSTRUCT)
    time.sleep(0.2)
    assert demo.person.acts == []  # the instructions are given before the resident steps on
    demo.station.cancel("not this one")
    demo.reach(Phase.DISCARDED)


def test_a_one_leg_stance_is_timed_from_lift_off_to_touchdown_and_stops_there(
    demo: PlateDemo,
) -> None:
    trial = demo.trial("one_leg_stance")
    assert trial.quality_flags == ()
    assert trial.metrics["hold_s"] == pytest.approx(ONE_LEG_HOLD_S, abs=0.5)
    assert trial.metrics["lift_off_s"] > 1.0  # on both feet first: the baseline
    assert trial.recorded_s < trial.metrics["touchdown_s"] + 2.0  # stopped by the touchdown
    demo.station.cancel("checked")
    demo.reach(Phase.DISCARDED)


def test_a_side_by_side_stance_is_held_to_the_10_s_cap(demo: PlateDemo) -> None:
    review = demo.trial("stance_side_by_side")
    assert demo.person.acts[-1] == PlateAct("quiet-eo")
    assert review.metrics["hold_s"] == 10.0
    assert review.quality_flags == ("reached_cap",)
    demo.save()
    demo.now_doing(None)  # saved: the resident steps off


def test_a_tandem_stance_is_broken_after_a_partial_hold_and_again_on_a_retake(
    demo: PlateDemo,
) -> None:
    first = demo.trial("stance_tandem")
    assert demo.person.acts[-1].scenario == "tandem"
    demo.station.retake()
    demo.reach(Phase.RECORD)
    second = demo.reach(Phase.REVIEW)
    for review in (first, second):
        hold = review.metrics["hold_s"]
        assert 1.0 < hold < 9.9  # a partial hold: 1 SPPB point
        assert hold == pytest.approx(TANDEM_HOLD_S, abs=0.5)
        assert review.quality_flags == ()
    assert [act.scenario for act in demo.person.acts[-2:]] == ["tandem", "tandem"]
    demo.save()


def test_a_chair_stand_trial_finds_five_stands_from_a_seated_start(demo: PlateDemo) -> None:
    review = demo.trial("chair_stand_5x")
    assert review.metrics["count"] == 5
    assert len(review.metrics["stand_times_s"]) == 5
    assert review.quality_flags == ()
    fz = demo.save()[:, 0]
    seated = fz[: int(0.5 * PLATE_RATE_HZ)]  # seated for SEATED_LEAD_S into the recording
    assert SEATED_LEAD_S > 0.5
    np.testing.assert_allclose(seated, SEATED_LOAD * WEIGHT_N, rtol=0.1)
    assert fz.max() > WEIGHT_N  # the rises' force peaks


def test_a_sway_trial_records_quiet_standing_throughout(demo: PlateDemo) -> None:
    review = demo.trial("sway_eo")
    assert demo.person.acts[-1] == PlateAct("quiet-eo")
    # score_sway's flags: only that 5 s is shorter than the 60-s protocol; no flat or
    # degenerate COP (measures.results.QualityFlag has no flag for moving or leaving).
    assert review.quality_flags == ("short_recording",)
    assert review.recorded_s == pytest.approx(SWAY_SECONDS, abs=0.05)
    samples = demo.save()
    assert np.isfinite(samples).all()  # somebody on the plate from the first sample to the last
    np.testing.assert_allclose(samples[:, 0], WEIGHT_N, rtol=0.03)  # standing, not rising
    assert np.ptp(samples[:, 1]) < 20.0  # mm: swaying, not stepping


def test_the_exercise_counter_counts_the_persons_stand_ups(demo: PlateDemo) -> None:
    demo.station.start_counter()
    try:
        demo.wait(lambda v: (v.counter or 0) >= 2, timeout=15)
        assert demo.person.acts[-1].scenario == "sit-to-stand"
    finally:
        demo.station.stop_counter()
    demo.now_doing(None)
