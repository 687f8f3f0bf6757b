"""A streaming device: one reader thread, explicit states, reconnect after the device is lost.

One loop serves every transport (a serial port, a BLE peripheral) and every protocol session
(GKFP/1, HX711, Tindeq Progressor, the SIG health profiles). The thread owns the transport. It
runs the session's opening sequence, then reads what the transport received (bytes from a port,
notifications from a peripheral), turns it into frames through the session and hands every frame
to the sink. When the device disappears it reports ``lost``, then ``reconnecting`` while it
retries, and runs the opening sequence again once the device is back; if the device stays away
past ``reconnect_timeout_s`` the driver ends in ``closed`` with a message. The sink is called from
the reader thread and must not block (the station puts frames on a queue).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from devices.calibration import PlateCalibration
from devices.errors import DeviceError, DeviceUnavailableError
from devices.frames import ConnectionState, DeviceStatus, Frame

_LOGGER = logging.getLogger(__name__)

FrameSink = Callable[[Frame], None]
TransportT = TypeVar("TransportT", bound="Transport")
TransportT_contra = TypeVar("TransportT_contra", bound="Transport", contravariant=True)


class Transport(Protocol):
    """A port or peripheral owned by the reader thread."""

    def open(self) -> None:
        """Open or connect; raise DeviceUnavailableError when the device cannot be reached."""

    def close(self) -> None:
        """Close on request (idempotent)."""

    def reopen(self, *, retry_interval_s: float, deadline_s: float) -> bool:
        """Retry opening until ``deadline_s`` (monotonic); True when open."""


class Session(Protocol[TransportT_contra]):
    """What a device protocol provides to the driver, for the transport it reads from."""

    @property
    def device_id(self) -> str:
        """The device's identity (serial number once known)."""

    def open_stream(self, transport: TransportT_contra) -> list[Frame]:
        """Run the opening sequence on a freshly opened transport; return frames it produced."""

    def read(self, transport: TransportT_contra) -> list[Frame]:
        """Read what the transport received (waiting briefly) and turn it into frames."""

    def poll(self, transport: TransportT_contra, t_mono_ns: int) -> list[Frame]:
        """Periodic check (e.g. a stalled stream); may write to the transport."""

    def close_stream(self, transport: TransportT_contra) -> None:
        """Stop streaming before the transport is closed on request."""

    def status(self, state: ConnectionState, t_mono_ns: int, message: str = "") -> DeviceStatus:
        """Return a status frame with the session's counters."""


class StreamingDriver(Generic[TransportT]):
    """Streams frames from a device on a background thread."""

    def __init__(
        self,
        transport: TransportT,
        session: Session[TransportT],
        *,
        reconnect_timeout_s: float = 30.0,
        retry_interval_s: float = 0.2,
    ) -> None:
        self._transport = transport
        self._session = session
        self._reconnect_timeout_s = reconnect_timeout_s
        self._retry_interval_s = retry_interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.state = ConnectionState.CLOSED
        self.error: str = ""

    @property
    def transport(self) -> TransportT:
        """The port or peripheral the driver reads (with its counters)."""
        return self._transport

    @property
    def session(self) -> Session[TransportT]:
        """The protocol session (what the device reported, its counters)."""
        return self._session

    @property
    def calibration(self) -> PlateCalibration | None:
        """A force plate's calibration in use, once reported (None for other devices)."""
        calibration = getattr(self._session, "calibration", None)
        return calibration if isinstance(calibration, PlateCalibration) else None

    @property
    def device_id(self) -> str:
        """The plate's identity (its URL until the plate reports a serial number)."""
        return self._session.device_id

    def start(self, sink: FrameSink) -> None:
        """Open the port, run the opening sequence and start streaming into ``sink``."""
        self._stop.clear()
        self._set_state(sink, ConnectionState.CONNECTING)
        self._transport.open()
        try:
            self._emit(sink, self._session.open_stream(self._transport))
        except DeviceError:
            self._transport.close()
            self._set_state(sink, ConnectionState.CLOSED)
            raise
        self._set_state(sink, ConnectionState.STREAMING)
        self._thread = threading.Thread(
            target=self._run, args=(sink,), name=f"device-{self.device_id}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop streaming, close the port and wait for the reader thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    def _run(self, sink: FrameSink) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self._emit(sink, self._session.read(self._transport))
                    self._emit(sink, self._session.poll(self._transport, time.monotonic_ns()))
                except DeviceUnavailableError as exc:
                    if not self._recover(sink, str(exc)):
                        return
            self._close_on_request()
            self._set_state(sink, ConnectionState.CLOSED)
        except Exception as exc:  # the top of the reader loop: the error becomes a visible state
            _LOGGER.exception("device %s reader stopped", self.device_id)
            self.error = str(exc)
            self._transport.close()
            self._set_state(sink, ConnectionState.CLOSED, f"reader stopped: {exc}")

    def _recover(self, sink: FrameSink, reason: str) -> bool:
        self._set_state(sink, ConnectionState.LOST, reason)
        self._set_state(sink, ConnectionState.RECONNECTING)
        deadline = time.monotonic() + self._reconnect_timeout_s
        while not self._stop.is_set() and time.monotonic() < deadline:
            step = min(deadline, time.monotonic() + self._retry_interval_s * 5)
            if not self._transport.reopen(retry_interval_s=self._retry_interval_s, deadline_s=step):
                continue
            try:
                self._emit(sink, self._session.open_stream(self._transport))
            except DeviceError as exc:
                _LOGGER.info("reopening %s failed: %s", self.device_id, exc)
                self._transport.close()
                continue
            self._set_state(sink, ConnectionState.STREAMING, "reconnected")
            return True
        self._transport.close()
        self.error = f"{reason}; the device did not come back within {self._reconnect_timeout_s} s"
        self._set_state(sink, ConnectionState.CLOSED, self.error)
        return False

    def _close_on_request(self) -> None:
        try:
            self._session.close_stream(self._transport)
        except DeviceError as exc:
            _LOGGER.info("stopping %s: %s", self.device_id, exc)
        self._transport.close()

    def _set_state(self, sink: FrameSink, state: ConnectionState, message: str = "") -> None:
        self.state = state
        sink(self._session.status(state, time.monotonic_ns(), message))

    @staticmethod
    def _emit(sink: FrameSink, frames: list[Frame]) -> None:
        for frame in frames:
            sink(frame)
