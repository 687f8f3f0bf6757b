"""``genki demo``: everything on one machine, started together and stopped together.

- an embedded pure-Python MQTT broker (amqtt, MQTT 3.1.1, loopback only; production uses
  Mosquitto, see docs/facility-broker.md);
- a simulated force plate behind a pseudo-terminal, read by the real serial driver, and a
  resident on it who does what the current trial asks (``PlatePerson``: quiet standing for the
  sway tests and the SPPB stances, a tandem stance broken after a few seconds, five sit-to-stands
  for the chair stand, stand-ups while an exercise counts them, nobody on the plate otherwise);
  an emulated Bluetooth grip gauge (``ble+sim://progressor``); an emulated Bluetooth
  blood-pressure cuff and pulse oximeter that measure again and again (``every_s``), so each
  resident's health check is filled in by them a few seconds after it opens;
- a simulated Chronopic timer with photocell gates at 0 and 4 m behind a pseudo-terminal, read by
  the real Chronopic driver (the station's ``timer``), and a resident who walks the 4-m course
  through the gates a moment after each 4-m walk trial starts recording (``GateWalker``: a walk
  on a fixed period would sometimes start in the middle of a recording, and the gates would
  then time gate 2 of one walk to gate 1 of the next);
- an office database where the demo residents are registered, the office ingest (which publishes
  them as the facility's roster) and a kiosk database that receives them through the kiosk's
  roster follower and outbox publisher (sync.roster); the demo waits for the roster, then gives
  some residents an SPPB and a fall-risk assessment on the kiosk, so their programmes differ;
- the station and the kiosk app. Quitting the app stops everything in reverse order.

Nothing here is used outside the demo; the demo's data live in one folder (a temporary one unless
``--data`` names another), printed when it starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import socket
import threading
import time
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.desk import Desk
from kiosk.station.measurements import GAIT_GATES_M, Role
from kiosk.station.service import Station, StationView
from kiosk.station.trial import Phase
from programs.batteries import score_battery
from records import Database, open_database
from records.assessments import assessments_of, save_assessment
from records.profiles import age_on
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository
from simulators.forceplate.device import GkfpPlate, LoadSignal, PlateConfig
from simulators.forceplate.faults import InjectedFaults
from simulators.forceplate.masses import static_load
from simulators.human.scenarios import generate
from simulators.human.walk import WalkTruth, walk_through_gates
from simulators.pty_runner import PtyRunner
from simulators.timer.chronopic import ChronopicBox
from sync.broker import BrokerSettings
from sync.ingest import Ingest
from sync.publisher import Publisher
from sync.roster import RosterFollower

FACILITY, KIOSK = "demo-facility", "demo-kiosk"
DEMO_PIN = "1234"
GAUGE_URL = "ble+sim://progressor?scenario=grip-max&seed=7"
CUFF_URL = "ble+sim://blood-pressure?systolic=128&diastolic=76&pulse=72&inflation_s=2&every_s=3"
OXIMETER_URL = "ble+sim://pulse-oximeter?spo2=97&pulse=72&every_s=2"
RECORD_SECONDS = {"sway_eo": 20.0, "sway_ec": 20.0}  # shorter than the clinic's, for a demo
ROSTER_WAIT_S = 20.0  # the kiosk receives the office's roster within this at start-up
WALK_SPEED_M_S = 0.8  # the demo resident's usual pace: about 5 s over the 4-m course
WALK_LEAD_S = 1.5  # from the start of a gait recording to the first gate
WALK_GAP_S = 1.0  # at least this long between one walk's last beam change and the next walk
PLATE_RATE_HZ = 1000
PERSON_LOOP_S = 60.0  # each of the plate person's signals loops after a minute
TANDEM_HOLD_S = 6.0  # from the start of a tandem recording to the step-out: 1 SPPB point
SEATED_LEAD_S = 1.5  # seated from the start of a chair-stand recording to the first rise
ONE_LEG_LIFT_S, ONE_LEG_HOLD_S = 2.0, 12.0  # a foot lifted 2 s into the recording, for 12 s
EXERCISE_STANDS = 20  # stand-ups in each loop while an exercise counts them (about 55 s)
QUIET_STANDS = {"sway_eo": "quiet-eo", "sway_ec": "quiet-ec", "stance_side_by_side": "quiet-eo",
                "stance_semi_tandem": "quiet-eo"}  # fmt: skip
STARTING = frozenset({Phase.COUNTDOWN, Phase.RECORD})  # a trial's person starts then
HOLDING = frozenset({Phase.SCORE, Phase.REVIEW, Phase.SAVING})  # and stays on until it is done
IDLE, EXERCISE = "idle", "exercise"


def _resident(  # noqa: PLR0917 - a compact table of demo residents
    code: str, names: tuple[str, str, str, str], sex: Sex, born: date, care: CareLevel
) -> ResidentFields:
    family, given, family_kana, given_kana = names
    return ResidentFields(code=code, family_name=family, given_name=given,
                          family_kana=family_kana, given_kana=given_kana, sex=sex,
                          birth_date=born, care_level=care)  # fmt: skip


RESIDENTS = (
    _resident("D001", ("青木", "和子", "アオキ", "カズコ"), Sex.FEMALE, date(1944, 3, 12),
              CareLevel.SUPPORT_1),
    _resident("D002", ("加藤", "茂", "カトウ", "シゲル"), Sex.MALE, date(1940, 8, 30),
              CareLevel.SUPPORT_2),
    _resident("D003", ("佐々木", "花江", "ササキ", "ハナエ"), Sex.FEMALE, date(1938, 1, 5),
              CareLevel.CARE_1),
    _resident("D004", ("田中", "一郎", "タナカ", "イチロウ"), Sex.MALE, date(1946, 11, 2),
              CareLevel.JIGYO_TAISHOSHA),
    _resident("D005", ("山本", "幸子", "ヤマモト", "サチコ"), Sex.FEMALE, date(1935, 6, 21),
              CareLevel.CARE_2),
)  # fmt: skip
ASSESSMENTS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "D001": [("sppb", {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 10,
                       "gait_4m_s": [4.2], "chair_stand_single_ok": True,
                       "chair_stand_5x_s": 10.8}),
             ("fall_risk", {"tug_s": 8.5, "one_leg_stance_s": 25.0})],
    "D002": [("sppb", {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 4.0,
                       "gait_4m_s": [5.2], "chair_stand_single_ok": True,
                       "chair_stand_5x_s": 14.5}),
             ("fall_risk", {"tug_s": 14.2, "one_leg_stance_s": 3.5})],
    "D003": [("sppb", {"side_by_side_s": 10, "semi_tandem_s": 4.0, "gait_4m_s": [7.5],
                       "chair_stand_single_ok": True, "chair_stand_5x_s": 18.0})],
}  # fmt: skip


class GateWalker:
    """The demo's Chronopic box on the 4-m course, and a resident who walks it when asked.

    Firmware for the pty runner (simulators.pty_runner.Firmware): ``walk()`` (any thread) asks
    for a walk; on the runner's clock the walker reaches the first gate ``lead_s`` later, and
    the beam changes of a seeded walk (simulators.human.walk, arm re-cuts included) go to the
    box. ``follow`` is a station subscriber: it asks for a walk whenever a 4-m walk trial starts
    recording, as a resident sets off after the countdown. ``walks`` holds each walk's truth.
    """

    def __init__(
        self, *, seed: int, speed_m_s: float = WALK_SPEED_M_S, lead_s: float = WALK_LEAD_S
    ) -> None:
        self.box = ChronopicBox([], seed=seed)
        self.injected: InjectedFaults = self.box.injected
        self.seed, self.speed_m_s, self.lead_s = seed, speed_m_s, lead_s
        self.walks: list[WalkTruth] = []
        self._asked: queue.SimpleQueue[None] = queue.SimpleQueue()
        self._recording = False  # the last station view showed a gait trial recording

    def walk(self) -> None:
        """Set off through the gates ``lead_s`` from now."""
        self._asked.put(None)

    def follow(self, view: StationView) -> None:
        """Walk when a 4-m walk trial starts recording (a station subscriber)."""
        trial = view.trial
        recording = trial is not None and trial.test == "gait_4m" and trial.phase is Phase.RECORD
        if recording and not self._recording:
            self.walk()
        self._recording = recording

    def power_up(self, now_us: int) -> bytes:
        """Power the box up."""
        return self.box.power_up(now_us)

    def host_opened(self, now_us: int) -> bytes:
        """Tell the box a host opened the port."""
        return self.box.host_opened(now_us)

    def receive(self, data: bytes, now_us: int) -> bytes:
        """Let the box answer the host."""
        return self.box.receive(data, now_us)

    def advance(self, now_us: int, *, online: bool) -> bytes:
        """Start the walks asked for, then report the beam changes due by ``now_us``."""
        while not self._asked.empty():
            self._asked.get()
            changes = self.box.changes_us
            free_s = changes[-1][0] / 1e6 + WALK_GAP_S if changes else 0.0
            walk = walk_through_gates(
                seed=self.seed + len(self.walks), gate_positions_m=GAIT_GATES_M,
                speed_m_s=self.speed_m_s, start_s=max(now_us / 1e6 + self.lead_s, free_s),
            )  # fmt: skip
            changes.extend((round(t * 1e6), cut) for t, cut in walk.changes)
            self.walks.append(walk.truth)
        return self.box.advance(now_us, online=online)


@dataclass(frozen=True, slots=True)
class PlateAct:
    """What the demo's person on the plate does: a scenario and its timing, or None (nobody).

    ``event_s``, ``hold_s`` and ``repetitions`` are simulators.human.scenarios.generate's.
    """

    scenario: str | None
    event_s: float | None = None
    hold_s: float | None = None
    repetitions: int | None = None


class PlatePerson:
    """The demo's force plate and a resident on it who does what the station's trial asks.

    Firmware for the pty runner (simulators.pty_runner.Firmware): a GKFP plate whose load is
    swapped on the runner's thread, so the swap falls between two of the runner's steps and the
    new signal starts from its first row at that moment (``GkfpPlate.place(..., from_us=now)``).
    ``do(act)`` (any thread) asks for a new act. ``follow`` is a station subscriber that asks for
    one only at a phase boundary, when a trial's countdown starts (or its recording, if the
    countdown went by between two views), so a recording never changes scenario midway:

    - a sway test, a side-by-side or semi-tandem stance: quiet standing (eyes closed for
      ``sway_ec``), held past the end of the recording;
    - a tandem stance: held ``TANDEM_HOLD_S`` into the recording, then a step out (a partial hold,
      1 point), so the demo shows a stance that ends by itself;
    - a one-leg stance: on both feet, a foot lifted ``ONE_LEG_LIFT_S`` into the recording and
      held for ``ONE_LEG_HOLD_S``;
    - the five-times chair stand: seated ``SEATED_LEAD_S`` into the recording, then five stands;
    - any other trial (grip, 4-m walk): nobody on the plate.

    The scenario's first row is placed at the countdown's start and the countdown's remaining
    time (the view's ``countdown_s``) is added to the scenario's own lead, so every recording
    starts with what its scorer needs first: the quiet baseline of a stance, a seated chair stand.
    The resident stays on the plate while the trial is scored and reviewed and steps off when it
    is saved or discarded. While the resident's exercise screen counts stand-ups (the view's
    ``counter``), the resident stands up and sits down, EXERCISE_STANDS a loop, so a set is never
    kept waiting for the loop.

    Otherwise nobody is on the plate. The live trace then shows the plate's noise around 0 N and
    each trial the resident stepping on as its countdown starts; a loop of stand-ups there would
    play under a stance's or a sway test's instructions and read as the resident's attempt, and
    the trainer's session zero (device screens) needs the plate empty. ``acts`` lists every act
    placed on the plate, in order (the runner's thread appends).
    """

    def __init__(self, *, seed: int, config: PlateConfig | None = None) -> None:
        self.seed = seed
        self.config = config or PlateConfig(seed=seed, rate_hz=PLATE_RATE_HZ)
        self.plate = GkfpPlate(self._signal(PlateAct(None)), self.config)
        self.injected: InjectedFaults = self.plate.injected
        self.acts: list[PlateAct] = []
        self._asked: queue.SimpleQueue[PlateAct] = queue.SimpleQueue()
        self._doing: Hashable = IDLE  # what the views asked for last (the station thread's)

    def do(self, act: PlateAct) -> None:
        """Do ``act`` from the runner's next step on, from its beginning."""
        self._asked.put(act)

    @staticmethod
    def act_for(test: str, *, lead_s: float) -> PlateAct:
        """Return what the resident does for a ``test`` trial recording ``lead_s`` from now."""
        if test in QUIET_STANDS:
            return PlateAct(QUIET_STANDS[test])
        if test == "stance_tandem":
            return PlateAct("tandem", hold_s=lead_s + TANDEM_HOLD_S)
        if test == "one_leg_stance":
            return PlateAct("one-leg", event_s=lead_s + ONE_LEG_LIFT_S, hold_s=ONE_LEG_HOLD_S)
        if test == "chair_stand_5x":
            return PlateAct("sit-to-stand", event_s=lead_s + SEATED_LEAD_S, repetitions=5)
        return PlateAct(None)

    def follow(self, view: StationView) -> None:
        """Start what the station's view asks for, at a phase boundary (a station subscriber)."""
        trial = view.trial
        wanted: Hashable
        if trial is not None and trial.phase in STARTING:
            wanted = (trial.test, trial.attempt, trial.practice)  # a retake starts again
            act = self.act_for(trial.test, lead_s=trial.countdown_s)
        elif trial is not None and trial.phase in HOLDING and not trial.typed:
            return
        elif view.counter is not None:
            wanted = EXERCISE
            act = PlateAct("sit-to-stand", event_s=SEATED_LEAD_S, repetitions=EXERCISE_STANDS)
        else:
            wanted, act = IDLE, PlateAct(None)
        if wanted != self._doing:
            self._doing = wanted
            self.do(act)

    def _signal(self, act: PlateAct) -> LoadSignal:
        if act.scenario is None:
            return static_load(0.0, rate_hz=self.config.rate_hz)
        return generate(
            act.scenario, rate_hz=self.config.rate_hz, duration_s=PERSON_LOOP_S,
            seed=self.seed + len(self.acts), event_s=act.event_s, hold_s=act.hold_s,
            repetitions=act.repetitions,
        )  # fmt: skip

    def power_up(self, now_us: int) -> bytes:
        """Power the plate up."""
        return self.plate.power_up(now_us)

    def host_opened(self, now_us: int) -> bytes:
        """Tell the plate a host opened the port."""
        return self.plate.host_opened(now_us)

    def receive(self, data: bytes, now_us: int) -> bytes:
        """Let the plate answer the host."""
        return self.plate.receive(data, now_us)

    def advance(self, now_us: int, *, online: bool) -> bytes:
        """Put the acts asked for on the plate from ``now_us``, then send what is due."""
        while not self._asked.empty():
            act = self._asked.get()
            self.plate.place(self._signal(act), from_us=now_us)
            self.acts.append(act)
        return self.plate.advance(now_us, online=online)


def free_port() -> int:
    """Return a TCP port free on the loopback interface now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmbeddedBroker:
    """An amqtt broker on its own thread and loop, listening on loopback only."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="demo-broker",
                                        daemon=True)  # fmt: skip
        self._broker: Any = None

    @property
    def settings(self) -> BrokerSettings:
        """How the demo's kiosk and office reach the broker."""
        return BrokerSettings(host="127.0.0.1", port=self.port, protocol="3.1.1", keepalive_s=10)

    def start(self) -> None:
        """Start listening; returns once the broker accepts connections."""
        from amqtt.broker import Broker  # noqa: PLC0415 - only the demo needs amqtt

        logging.getLogger("amqtt").setLevel(logging.ERROR)
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"127.0.0.1:{self.port}"}},
            "plugins": {"amqtt.plugins.authentication.AnonymousAuthPlugin":
                        {"allow_anonymous": True}},
        }  # fmt: skip
        self._thread.start()

        async def make_and_start() -> None:
            self._broker = Broker(config, loop=self._loop)
            await self._broker.start()

        asyncio.run_coroutine_threadsafe(make_and_start(), self._loop).result(timeout=30)

    def stop(self) -> None:
        """Stop the broker and its thread (a hung shutdown is abandoned after 5 s)."""
        if self._broker is not None:
            future = asyncio.run_coroutine_threadsafe(self._broker.shutdown(), self._loop)
            with contextlib.suppress(Exception):
                future.result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


def register(office_database: Database) -> None:
    """Register the demo residents at the office (once; a second call changes nothing)."""
    residents = ResidentRepository(office_database, FACILITY)
    if not residents.list(include_inactive=True):
        for fields in RESIDENTS:
            residents.add(fields, actor="demo")


def seed(kiosk_database: Database, *, timeout_s: float = ROSTER_WAIT_S) -> None:
    """Wait for the roster on the kiosk, then add the demo assessments (those not there yet)."""
    residents = ResidentRepository(kiosk_database, FACILITY)
    deadline = time.monotonic() + timeout_s
    while len(residents.list()) < len(RESIDENTS):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kiosk did not receive the office's roster in {timeout_s:g} s")
        time.sleep(0.05)
    assessed = datetime.now(UTC) - timedelta(days=60)
    for fields in RESIDENTS:
        uuid = residents.get(fields.code).uuid
        if assessments_of(kiosk_database, uuid):
            continue
        age = age_on(fields.birth_date, date.today())  # noqa: DTZ011 - the local date
        sex = "F" if fields.sex is Sex.FEMALE else "M"
        with kiosk_database.transaction() as session:
            for battery, results in ASSESSMENTS.get(fields.code, []):
                document = {"battery": battery, "resident": {"sex": sex, "age_years": age},
                            "results": results}  # fmt: skip
                summary = score_battery(document).as_json()
                save_assessment(session, resident_uuid=uuid, battery=battery, summary=summary,
                                performed_at=assessed, staff="demo")  # fmt: skip


@dataclass
class Demo:
    """The running demo's parts."""

    folder: Path
    kiosk_database: Database
    office_database: Database
    broker: EmbeddedBroker
    plate: PtyRunner
    publisher: Publisher
    ingest: Ingest
    station: Station
    desk: Desk
    timer: PtyRunner
    walker: GateWalker
    person: PlatePerson


@contextlib.contextmanager
def running_demo(folder: Path) -> Iterator[Demo]:
    """Start every part of the demo in ``folder``; stop them all when the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        kiosk_db = open_database(f"sqlite:///{folder / 'kiosk.sqlite3'}")
        stack.callback(kiosk_db.close)
        office_db = open_database(f"sqlite:///{folder / 'office.sqlite3'}")
        stack.callback(office_db.close)
        register(office_db)
        broker = EmbeddedBroker(free_port())
        broker.start()
        stack.callback(broker.stop)
        ingest = Ingest(office_db, broker.settings, client_id="demo-office")
        ingest.start()
        stack.callback(ingest.stop)
        publisher = RosterFollower(kiosk_db, broker.settings, FACILITY, KIOSK, resend_after_s=5.0)
        publisher.start()
        stack.callback(publisher.stop)
        seed(kiosk_db)
        person = PlatePerson(seed=7)
        plate = PtyRunner(person, rate_hz=PLATE_RATE_HZ)
        plate.start()
        stack.callback(plate.stop)
        walker = GateWalker(seed=7)
        timer = PtyRunner(walker)
        timer.start()
        stack.callback(timer.stop)
        devices: dict[Role, str] = {
            "plate": f"serial://{plate.path}?protocol=gkfp", "gauge": GAUGE_URL,
            "timer": f"serial://{timer.path}?protocol=chronopic", "cuff": CUFF_URL,
            "oximeter": OXIMETER_URL,
        }  # fmt: skip
        station = stack.enter_context(
            Station(kiosk_db, facility_id=FACILITY, kiosk_id=KIOSK, devices=devices,
                    record_seconds=RECORD_SECONDS)
        )  # fmt: skip
        station.subscribe(walker.follow)
        station.subscribe(person.follow)
        desk = Desk(kiosk_db, facility_id=FACILITY, kiosk_id=KIOSK)
        yield Demo(folder, kiosk_db, office_db, broker, plate, publisher, ingest, station, desk,
                   timer, walker, person)  # fmt: skip
