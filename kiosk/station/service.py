"""The acquisition service: devices, the trial state machine, scoring and saving, on its own thread.

``Station`` runs an asyncio loop on a thread of its own. Devices stream from their own threads;
each frame is handed to the loop (``call_soon_threadsafe``), so all state changes happen on one
thread and need no locks. The UI never touches that state: it calls the facade's commands
(``begin``, ``ready``, ``stop``, ``accept``, ``retake``, ``cancel``), which are queued to the
loop, and reads ``view``, an immutable StationView replaced as a whole. Subscribers get views at
most every ``view_interval_s``: updates in between are coalesced into the next one, so a slow
screen never slows acquisition. Scoring runs on a worker thread and saving on a writer thread,
so neither stalls the frames.

A trial records only while it is in ``record``; a device of its role lost while the trial is under
way discards it (trial.py). Saving checks storage first (records.health) and writes the trial, its
raw recording and its outbox message in one transaction; only then is the trial ``saved``.

Device set-up (plate_setup.py) returns futures: ``capture`` collects a plate's next raw samples
on the loop, ``save_calibration`` stores on the writer, ``reopen`` stops and opens a device on
the writer so a new calibration applies. When a plate first reports its serial number, the
writer looks up when it was zeroed and calibrated for its DeviceView.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import importlib
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from devices.calibration import PlateCalibration
from devices.frames import (
    ConnectionState,
    DeviceStatus,
    ForceBlock,
    Frame,
    GaugeBlock,
    TimerEvent,
    VitalsReading,
)
from devices.registry import Device, open_device
from kiosk.station.errors import DeviceCommandError
from kiosk.station.measurements import (
    GAUGE_CHANNELS,
    MEASUREMENTS,
    PLATE_CHANNELS,
    TIMER_CHANNELS,
    Measurement,
    Role,
    timer_recording,
)
from kiosk.station.plate_setup import (
    CAPTURE_GRACE_S,
    CalibrationState,
    PendingCapture,
    PlateCapture,
    battery_mv,
    calibration_state,
)
from kiosk.station.trial import ACTIVE, Event, Phase, Scored, TrialState, advance
from kiosk.station.vitals import readings_from
from measures.chair_stand import detect_stands
from records import Database, check_storage
from records.devices import Calibration, DeviceRepository
from records.errors import StorageError
from records.recordings import RawRecording
from records.trials import save_trial
from sync.outbox import enqueue_result

TRACE_SECONDS = 10.0
TRACE_POINTS = 400
COP_PATH_S, COP_PATH_HZ = 5.0, 25.0
WARM_UP_AFTER_S = 3.0
TICK_S = 0.01
COUNT_EVERY_TICKS = 25  # recount stands (exercise counter, early stop) every 25 ticks
TYPED_FLAG, TYPED_VERSION = "typed_by_trainer", "manual-entry/1"
LOST_STATES = frozenset(
    {ConnectionState.LOST, ConnectionState.RECONNECTING, ConnectionState.CLOSED}
)


@dataclass(frozen=True, slots=True)
class DeviceView:
    """A device as the screen shows it."""

    role: Role
    url: str
    state: str
    device_id: str = ""
    samples: int = 0
    missing_samples: int = 0
    message: str = ""
    battery_mv: int | None = None  # devices that report their battery (a Progressor)
    zeroed_at: datetime | None = None  # a plate's newest stored zero or calibration (UTC)
    calibrated_at: datetime | None = None  # a plate's newest known-weight calibration (UTC)


@dataclass(frozen=True, slots=True)
class TraceView:
    """The live signal of one device: the last TRACE_SECONDS, at most TRACE_POINTS values."""

    role: Role
    values: tuple[float, ...]
    latest_t_mono_ns: int
    # A plate's centre-of-pressure path (medio-lateral, antero-posterior mm), oldest first:
    # the last COP_PATH_S at COP_PATH_HZ; empty for other devices or while nobody stands on it.
    cop_path: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class TrialView:
    """The current trial as the screen shows it."""

    test: str
    phase: Phase
    attempt: int
    countdown_s: float
    recorded_s: float
    target_s: float
    metrics: Mapping[str, Any]
    quality_flags: tuple[str, ...]
    reason: str
    trial_uuid: str | None
    practice: bool = False
    typed: bool = False


@dataclass(frozen=True, slots=True)
class StationView:
    """Everything the screen needs, immutable; ``version`` grows with every change."""

    version: int = 0
    devices: tuple[DeviceView, ...] = ()
    trial: TrialView | None = None
    traces: tuple[TraceView, ...] = ()
    error: str = ""
    counter: int | None = None  # stands counted on the plate since start_counter, if counting
    # The latest value of each vital sign (vitals.py) with its arrival time (monotonic ns).
    vitals: Mapping[str, tuple[float, int]] = field(default_factory=dict)


@dataclass
class _Slot:
    role: Role
    url: str
    device: Device | None = None
    state: ConnectionState = ConnectionState.CONNECTING
    device_id: str = ""
    samples: int = 0
    missing: int = 0
    message: str = ""
    rate_hz: float = 0.0
    live: deque[npt.NDArray[np.float64]] = field(default_factory=deque)
    live_samples: int = 0
    latest_t_mono_ns: int = 0
    cop_path: deque[tuple[float, float]] = field(
        default_factory=lambda: deque(maxlen=round(COP_PATH_S * COP_PATH_HZ))
    )
    cop_at_ns: int = 0
    captures: list[PendingCapture] = field(default_factory=list)
    calibrated: CalibrationState = field(default_factory=CalibrationState)


@dataclass
class _Recording:
    rate_hz: float = 0.0
    blocks: list[npt.NDArray[np.float64]] = field(default_factory=list)
    samples: int = 0  # samples, or a timer's events
    events: list[TimerEvent] = field(default_factory=list)  # a timer records events
    started: float | None = None  # monotonic time the recording began, and ended
    ended: float | None = None

    def seconds(self) -> float:
        """How long it has recorded: by its samples, or by the clock for a timer's events."""
        if self.rate_hz:
            return self.samples / self.rate_hz
        if self.started is None:
            return 0.0
        return (self.ended or time.monotonic()) - self.started

    def raw(self, channels: tuple[str, ...]) -> RawRecording:
        if channels == TIMER_CHANNELS:
            return timer_recording(self.events, self.seconds())
        samples = np.concatenate(self.blocks) if self.blocks else np.empty((0, len(channels)))
        return RawRecording(rate_hz=self.rate_hz, channels=channels, samples=samples)


def _load_scorer_libraries() -> None:
    """Import scipy on the scorer thread, a few seconds after the station started.

    measures/ import scipy on first use, so the kiosk's first screen does not wait for it
    (DESIGN.md: start to first screen ≤ 2 s); loading it here means no trial waits for it either.
    """
    for name in ("scipy.signal", "scipy.stats", "scipy.integrate"):
        importlib.import_module(name)


def stored_calibration(database: Database, serial_number: str) -> PlateCalibration | None:
    """Return the newest calibration stored for a plate's serial number, or None."""
    stored = DeviceRepository(database).latest_calibration(serial_number)
    return None if stored is None else PlateCalibration.from_dict(stored.parameters)


class Station:
    """The kiosk's acquisition service (module docstring); use as a context manager."""

    def __init__(  # noqa: PLR0913 - the station's settings, each a keyword
        self,
        database: Database,
        *,
        facility_id: str,
        kiosk_id: str,
        devices: Mapping[Role, str],
        countdown_s: float = 3.0,
        view_interval_s: float = 1 / 30,
        record_seconds: Mapping[str, float] | None = None,
        opener: Callable[[str], Device] | None = None,
    ) -> None:
        """``record_seconds`` shortens (or lengthens) tests' recordings, e.g. for the demo.

        Devices are opened with the calibrations stored for their serial numbers (``genki devices
        zero``, known-weight calibration) unless another ``opener`` is given.
        """
        self.database = database
        self.facility_id, self.kiosk_id = facility_id, kiosk_id
        self.countdown_s, self.view_interval_s = countdown_s, view_interval_s
        self._opener = opener or functools.partial(
            open_device, calibration_lookup=functools.partial(stored_calibration, database)
        )
        self._record_seconds = dict(record_seconds or {})
        self._slots = {role: _Slot(role, url) for role, url in devices.items()}
        self._view = StationView()
        self._subscribers: list[Callable[[StationView], None]] = []
        self._trial: TrialState | None = None
        self._recording = _Recording()
        self._phase_started = 0.0
        self._error = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="station", daemon=True)
        self._scorer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="scorer")
        self._writer = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="writer")
        self._vitals: dict[str, tuple[float, int]] = {}
        self._counting: list[npt.NDArray[np.float64]] | None = None
        self._count: int | None = None
        self._ticks = 0
        self._last_publish = 0.0
        self._publish_pending = False
        self._ticker: asyncio.Task[None] | None = None

    # --- facade: any thread -------------------------------------------------------------------

    @property
    def view(self) -> StationView:
        """The latest view (replaced as a whole; safe to read from any thread)."""
        return self._view

    def subscribe(self, callback: Callable[[StationView], None]) -> None:
        """Call ``callback(view)`` on the station thread after changes, coalesced (docstring)."""
        self._loop.call_soon_threadsafe(self._subscribers.append, callback)

    def begin(self, resident_uuid: str, test: str) -> None:
        """Start a trial of ``test`` for the resident (its instructions come first)."""
        if test not in MEASUREMENTS:
            known = ", ".join(MEASUREMENTS)
            raise ValueError(f"no device test {test!r}; expected one of {known}")
        self._call(self._begin, resident_uuid, test)

    def ready(self) -> None:
        """Start the countdown: the resident is in position."""
        self._call(self._event, Event("ready"))

    def practice(self) -> None:
        """Start a practice trial's countdown: recorded and scored, never saved (trial.py)."""
        self._call(self._event, Event("practice"))

    def type_result(self, metrics: Mapping[str, float]) -> None:
        """Put a result the trainer typed (no device, or a failed one) up for review."""
        scored = Scored(dict(metrics), (TYPED_FLAG,), TYPED_VERSION)
        self._call(self._event, Event("typed", scored=scored))

    def stop(self) -> None:
        """Stop recording now (the trainer's stop)."""
        self._call(self._stop_recording)

    def retake(self) -> None:
        """Discard the score under review and record again."""
        self._call(self._event, Event("retake"))

    def accept(self) -> None:
        """Save the trial under review."""
        self._call(self._accept)

    def cancel(self, reason: str = "cancel") -> None:
        """Discard the trial (the always-visible stop)."""
        self._call(self._event, Event("cancel", reason=reason))

    def start_counter(self) -> None:
        """Count sit-to-stands on the plate from now (an exercise's repetition counter)."""
        self._call(functools.partial(self._set_counting, on=True))

    def stop_counter(self) -> None:
        """Stop counting sit-to-stands."""
        self._call(functools.partial(self._set_counting, on=False))

    def capture(self, role: Role, seconds: float) -> concurrent.futures.Future[PlateCapture]:
        """Collect the next ``seconds`` of a plate's raw samples (plate_setup.py).

        The future fails with DeviceCommandError when the device is lost, is not a calibrated
        plate, or has not sent the samples CAPTURE_GRACE_S after they were due.
        """
        if role not in self._slots:
            raise ValueError(
                f"no {role} device at this station; expected one of {list(self._slots)}"
            )
        future = concurrent.futures.Future[PlateCapture]()
        self._call(self._start_capture, role, PendingCapture(role, seconds, future))
        return future

    def reopen(self, role: Role) -> concurrent.futures.Future[None]:
        """Stop the device of ``role`` and open it again (so a newly stored calibration applies)."""
        done = concurrent.futures.Future[None]()
        self._call(self._reopen, role, done)
        return done

    def save_calibration(
        self, serial_number: str, parameters: Mapping[str, Any]
    ) -> concurrent.futures.Future[Calibration]:
        """Store a device's calibration on the writer thread (audited); ``reopen`` applies it."""
        return self._writer.submit(
            DeviceRepository(self.database).save_calibration, serial_number,
            kind="force_plate", parameters=dict(parameters), actor=f"kiosk:{self.kiosk_id}",
        )  # fmt: skip

    def __enter__(self) -> Station:
        self._thread.start()
        started = concurrent.futures.Future[None]()
        self._loop.call_soon_threadsafe(self._open_devices, started)
        started.result(timeout=30)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the devices, the loop and the worker threads."""
        if not self._thread.is_alive():
            return
        done = concurrent.futures.Future[None]()
        self._loop.call_soon_threadsafe(self._shutdown, done)
        done.result(timeout=30)
        self._thread.join(timeout=10)
        self._scorer.shutdown(wait=True)
        self._writer.shutdown(wait=True)

    # --- the station thread -------------------------------------------------------------------

    def _call(self, function: Callable[..., None], *args: Any) -> None:
        self._loop.call_soon_threadsafe(function, *args)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.close()

    def _open_devices(self, started: concurrent.futures.Future[None]) -> None:
        for slot in self._slots.values():
            try:
                slot.device = self._opener(slot.url)
                slot.device.start(functools.partial(self._from_device, slot.role))
            except Exception as exc:  # noqa: BLE001 - a bad device URL is shown, not raised
                # after any status the device queued before failing, so "closed" stays shown
                self._loop.call_soon(self._open_failed, slot, str(exc))
        self._ticker = self._loop.create_task(self._tick())
        self._changed()
        started.set_result(None)
        # scipy is loaded once the first screen is up (measures/ load it on first use)
        self._loop.call_later(WARM_UP_AFTER_S, self._scorer.submit, _load_scorer_libraries)

    def _open_failed(self, slot: _Slot, message: str) -> None:
        slot.state, slot.message = ConnectionState.CLOSED, message
        self._changed()

    def _shutdown(self, done: concurrent.futures.Future[None]) -> None:
        for slot in self._slots.values():
            for pending in slot.captures:
                pending.fail("the station stopped")
            if slot.device is not None:
                slot.device.stop()
        self._loop.stop()
        done.set_result(None)

    def _from_device(self, role: Role, frame: Frame) -> None:
        """Hand a frame from a device thread to the loop."""
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._on_frame, role, frame)

    def _on_frame(self, role: Role, frame: Frame) -> None:
        slot = self._slots[role]
        if isinstance(frame, DeviceStatus):
            slot.state, slot.message = frame.state, frame.message
            slot.missing = frame.total_missing_samples or slot.missing + frame.missing_samples
            if frame.state in LOST_STATES:
                self._device_lost(role, frame.message or frame.state.value)
        elif isinstance(frame, ForceBlock | GaugeBlock):
            self._on_block(slot, frame)
        elif isinstance(frame, TimerEvent):
            self._on_timer_event(slot, frame)
        elif isinstance(frame, VitalsReading):
            slot.state, slot.device_id = ConnectionState.STREAMING, frame.device_id
            for name, value in readings_from(frame.measurement).items():
                self._vitals[name] = (value, frame.t_mono_ns)
        self._changed()

    def _on_block(self, slot: _Slot, block: ForceBlock | GaugeBlock) -> None:
        if isinstance(block, ForceBlock):
            columns = np.column_stack([block.fz_n, block.cop_ml_mm, block.cop_ap_mm])
            self._follow_cop(slot, block)
        else:
            columns = np.asarray(block.force_kgf, dtype=np.float64).reshape(-1, 1)
        slot.state = ConnectionState.STREAMING
        if isinstance(block, ForceBlock) and block.device_id != slot.device_id:
            self._look_up_calibrations(slot, block.device_id)
        for pending in slot.captures:
            calibration = getattr(slot.device, "calibration", None)
            pending.add(block, calibration, slot.calibrated.noise_counts)
        slot.captures = [pending for pending in slot.captures if not pending.finished]
        slot.device_id, slot.rate_hz = block.device_id, block.rate_hz
        slot.samples += block.n_samples
        slot.latest_t_mono_ns = block.t_mono_ns
        slot.live.append(columns[:, 0])
        slot.live_samples += block.n_samples
        while slot.live and slot.live_samples - slot.live[0].size >= TRACE_SECONDS * block.rate_hz:
            slot.live_samples -= slot.live.popleft().size
        if self._counting is not None and isinstance(block, ForceBlock):
            self._counting.append(np.asarray(block.fz_n, dtype=np.float64))
        trial = self._trial
        if trial is not None and trial.phase is Phase.RECORD and self._role() == slot.role:
            # exactly the test's length, however late the loop runs: the rest of a block is cut
            target = round(self._target_s(trial.test) * block.rate_hz)
            kept = columns[: max(0, target - self._recording.samples)]
            self._recording.rate_hz = block.rate_hz
            self._recording.blocks.append(kept)
            self._recording.samples += kept.shape[0]
            if self._recording.samples >= target:
                self._stop_recording()

    @staticmethod
    def _follow_cop(slot: _Slot, block: ForceBlock) -> None:
        """Keep the plate's COP at COP_PATH_HZ; a block without a COP (nobody on) clears it."""
        ml, ap = float(block.cop_ml_mm[-1]), float(block.cop_ap_mm[-1])
        if not (np.isfinite(ml) and np.isfinite(ap)):
            slot.cop_path.clear()
        elif block.t_mono_ns - slot.cop_at_ns >= 1e9 / COP_PATH_HZ:
            slot.cop_path.append((ml, ap))
            slot.cop_at_ns = block.t_mono_ns

    def _on_timer_event(self, slot: _Slot, event: TimerEvent) -> None:
        """Keep a timer's input change while a trial of its role records (chronopic-timer.md §6)."""
        slot.state, slot.device_id = ConnectionState.STREAMING, event.device_id
        slot.samples += 1
        slot.latest_t_mono_ns = event.t_mono_ns
        trial = self._trial
        if trial is not None and trial.phase is Phase.RECORD and self._role() == slot.role:
            self._recording.events.append(event)
            self._recording.samples += 1

    def _role(self) -> Role | None:
        return None if self._trial is None else MEASUREMENTS[self._trial.test].role

    def _measurement(self) -> Measurement:
        assert self._trial is not None  # noqa: S101 - only called with a trial
        return MEASUREMENTS[self._trial.test]

    def _target_s(self, test: str) -> float:
        return self._record_seconds.get(test, MEASUREMENTS[test].seconds)

    def _device_lost(self, role: Role, message: str) -> None:
        for pending in self._slots[role].captures:
            pending.fail(f"the device was lost: {message}")
        self._slots[role].captures.clear()
        if self._trial is not None and self._role() == role and self._trial.phase in ACTIVE:
            self._event(Event("device_lost", reason=f"{role}: {message}"))

    def _start_capture(self, role: Role, pending: PendingCapture) -> None:
        if not pending.future.set_running_or_notify_cancel():
            return  # cancelled before it started
        slot = self._slots[role]
        if slot.state in LOST_STATES:
            pending.fail(f"the device is {slot.state.value}: {slot.message}")
            return
        slot.captures.append(pending)
        self._loop.call_later(pending.seconds + CAPTURE_GRACE_S, pending.time_up)

    def _reopen(self, role: Role, done: concurrent.futures.Future[None]) -> None:
        """Stop and reopen on the writer thread: opening waits for the device's answers."""
        done.set_running_or_notify_cancel()  # reopened even when nobody waits any more
        slot, sink = self._slots[role], functools.partial(self._from_device, role)
        opened = self._loop.run_in_executor(
            self._writer, self._replace, slot.device, slot.url, sink
        )
        opened.add_done_callback(functools.partial(self._reopened, slot, done))

    def _replace(self, old: Device | None, url: str, sink: Callable[[Frame], None]) -> Device:
        if old is not None:
            old.stop()
        device = self._opener(url)
        device.start(sink)
        return device

    def _reopened(
        self, slot: _Slot, done: concurrent.futures.Future[None], opened: asyncio.Future[Device]
    ) -> None:
        error = None if opened.cancelled() else opened.exception()
        if opened.cancelled() or error is not None:
            slot.device, slot.state = None, ConnectionState.CLOSED
            slot.message = str(error or "the station stopped")
            failure = DeviceCommandError(f"could not reopen {slot.role}: {slot.message}")
            if not done.cancelled():
                done.set_exception(failure)
        else:
            slot.device, slot.device_id = opened.result(), ""  # its next block looks up its times
            if not done.cancelled():
                done.set_result(None)
        self._changed()

    def _look_up_calibrations(self, slot: _Slot, serial_number: str) -> None:
        """Read when the plate was zeroed and calibrated, on the writer thread."""
        found = self._loop.run_in_executor(
            self._writer, calibration_state, self.database, serial_number
        )
        found.add_done_callback(functools.partial(self._calibrations_found, slot))

    def _calibrations_found(self, slot: _Slot, found: asyncio.Future[CalibrationState]) -> None:
        if found.cancelled():
            return
        error = found.exception()
        if error is None:
            slot.calibrated = found.result()
        else:
            slot.message = f"could not read the stored calibration: {error}"
        self._changed()

    def _begin(self, resident_uuid: str, test: str) -> None:
        """Check storage on the writer thread (RELIABILITY.md test 8), then start the trial."""
        if self._trial is not None and self._trial.phase not in {Phase.SAVED, Phase.DISCARDED}:
            self._error = f"a {self._trial.test} trial is under way; finish or cancel it first"
            self._changed()
            return
        checked = self._loop.run_in_executor(self._writer, self._check_storage)
        checked.add_done_callback(lambda done: self._begin_checked(done, resident_uuid, test))

    def _check_storage(self) -> None:
        check_storage(self.database, quick_check=False)

    def _begin_checked(self, done: asyncio.Future[None], resident_uuid: str, test: str) -> None:
        error = done.exception()
        if error is not None:  # a resident is not asked to do a test that cannot be stored
            self._error = str(error)
        else:
            self._trial = advance(TrialState(test, resident_uuid), Event("begin"))
            self._error = ""
        self._changed()

    def _event(self, event: Event) -> None:
        if self._trial is None:
            return
        try:
            self._trial = advance(self._trial, event)
        except ValueError as exc:
            self._error = str(exc)
        else:
            self._error = ""
            self._phase_started = time.monotonic()
            if self._trial.phase is Phase.COUNTDOWN:
                self._recording = _Recording()
            elif self._trial.phase is Phase.RECORD:
                self._recording.started = self._phase_started
        self._changed()

    def _set_counting(self, *, on: bool) -> None:
        self._counting = [] if on else None
        self._count = 0 if on else None
        self._changed()

    def _update_count(self) -> None:
        plate = self._slots.get("plate")
        if not self._counting or plate is None or not plate.rate_hz:
            return
        fz = np.concatenate(self._counting)
        if fz.size < plate.rate_hz:
            return
        count = len(detect_stands(fz, plate.rate_hz).stands)
        if count != self._count:
            self._count = count
            self._changed()

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self._ticks += 1
            if self._counting is not None and self._ticks % COUNT_EVERY_TICKS == 0:
                self._update_count()
            trial = self._trial
            if trial is None:
                continue
            elapsed = time.monotonic() - self._phase_started
            if trial.phase is Phase.COUNTDOWN and elapsed >= self.countdown_s:
                self._event(Event("countdown_done"))
            elif trial.phase is Phase.RECORD:
                self._check_recording()
            elif trial.phase is Phase.COUNTDOWN:
                self._changed()  # the countdown number moves

    def _check_recording(self) -> None:
        measurement = self._measurement()
        recording = self._recording
        seconds = self._target_s(measurement.id)
        target = seconds * recording.rate_hz if recording.rate_hz else float("inf")
        # A timer sends events only when something moves: its recording is timed by the clock.
        timed_out = self._role() == "timer" and recording.seconds() >= seconds
        done_early = (
            measurement.done_early is not None
            and recording.samples > 0
            and self._ticks % COUNT_EVERY_TICKS == 0
            and measurement.done_early(recording.raw(self._channels()))
        )
        if recording.samples >= target or timed_out or done_early:
            self._stop_recording()

    def _channels(self) -> tuple[str, ...]:
        channels = {"plate": PLATE_CHANNELS, "timer": TIMER_CHANNELS}
        return channels.get(self._role() or "", GAUGE_CHANNELS)

    def _stop_recording(self) -> None:
        if self._trial is None or self._trial.phase is not Phase.RECORD:
            return
        self._recording.ended = time.monotonic()
        self._event(Event("stop"))
        measurement, raw = self._measurement(), self._recording.raw(self._channels())
        future = self._loop.run_in_executor(self._scorer, measurement.score, raw)
        future.add_done_callback(self._scored)

    def _scored(self, future: asyncio.Future[Any]) -> None:
        error = future.exception()
        if error is not None:
            self._event(Event("cancel", reason=f"could not score the trial: {error}"))
        else:
            self._event(Event("scored", scored=future.result()))

    def _accept(self) -> None:
        trial = self._trial
        if trial is None or trial.phase is not Phase.REVIEW:
            self._event(Event("accept"))  # reports why it does not apply
            return
        self._event(Event("accept"))
        raw = None if trial.typed else self._recording.raw(self._channels())
        future = self._loop.run_in_executor(self._writer, self._save, trial, raw)
        future.add_done_callback(self._saved)

    def _save(self, trial: TrialState, raw: RawRecording | None) -> str:
        """On the writer thread: check storage, then trial + recording + outbox in one commit."""
        assert trial.scored is not None  # noqa: S101 - review has a score
        check_storage(self.database, quick_check=False)
        with self.database.transaction() as session:
            uuid = save_trial(
                session, resident_uuid=trial.resident_uuid, test=trial.test,
                metrics=dict(trial.scored.metrics), quality_flags=trial.scored.quality_flags,
                algorithm_version=trial.scored.algorithm_version, recording=raw,
                trial_index=trial.attempt,
            )  # fmt: skip
            enqueue_result(
                session, facility_id=self.facility_id, kiosk_id=self.kiosk_id, kind="trial",
                body={"trial_uuid": uuid, "resident_uuid": trial.resident_uuid,
                      "test": trial.test, "attempt": trial.attempt,
                      "metrics": dict(trial.scored.metrics),
                      "quality_flags": list(trial.scored.quality_flags),
                      "algorithm_version": trial.scored.algorithm_version,
                      "recorded_at": datetime.now(UTC).isoformat()},
            )  # fmt: skip
        return uuid

    def _saved(self, future: asyncio.Future[str]) -> None:
        error = future.exception()
        if error is None:
            self._event(Event("saved", trial_uuid=future.result()))
        elif isinstance(error, StorageError):
            self._event(Event("save_failed", reason=str(error)))
        else:
            self._event(Event("save_failed", reason=f"{type(error).__name__}: {error}"))

    # --- views --------------------------------------------------------------------------------

    def _changed(self) -> None:
        """Build the view now; notify subscribers now or at the end of the interval."""
        self._view = self._build_view()
        if self._publish_pending or not self._subscribers:
            return
        wait = self._last_publish + self.view_interval_s - time.monotonic()
        if wait <= 0:
            self._publish()
        else:
            self._publish_pending = True
            self._loop.call_later(wait, self._publish)

    def _publish(self) -> None:
        self._publish_pending = False
        self._last_publish = time.monotonic()
        view = self._view
        for callback in self._subscribers:
            callback(view)

    def _build_view(self) -> StationView:
        devices = tuple(
            DeviceView(s.role, s.url, s.state.value, s.device_id, s.samples, s.missing, s.message,
                       battery_mv(s.device), s.calibrated.zeroed_at, s.calibrated.calibrated_at)
            for s in self._slots.values()
        )  # fmt: skip
        traces = tuple(self._trace(slot) for slot in self._slots.values() if slot.live)
        return StationView(
            self._view.version + 1,
            devices,
            self._trial_view(),
            traces,
            self._error,
            self._count,
            dict(self._vitals),
        )

    def _trace(self, slot: _Slot) -> TraceView:
        values = np.concatenate(slot.live)
        step = max(1, values.size // TRACE_POINTS)
        shown = tuple(float(v) for v in values[::-1][::step][::-1])
        return TraceView(slot.role, shown, slot.latest_t_mono_ns, tuple(slot.cop_path))

    def _trial_view(self) -> TrialView | None:
        trial = self._trial
        if trial is None:
            return None
        elapsed = time.monotonic() - self._phase_started
        scored = trial.scored
        return TrialView(
            test=trial.test, phase=trial.phase, attempt=trial.attempt,
            countdown_s=max(0.0, self.countdown_s - elapsed)
            if trial.phase is Phase.COUNTDOWN else 0.0,
            recorded_s=self._recording.seconds(),
            target_s=self._target_s(trial.test),
            metrics=dict(scored.metrics) if scored else {},
            quality_flags=scored.quality_flags if scored else (),
            reason=trial.reason, trial_uuid=trial.trial_uuid, practice=trial.practice,
            typed=trial.typed,
        )  # fmt: skip
