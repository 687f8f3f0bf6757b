"""A force plate on a serial port: one reader thread, explicit states, reconnect after an unplug.

The thread owns the transport. It runs the protocol's opening sequence, then reads bytes, turns
them into frames through the protocol session and hands every frame to the sink. When the port
disappears it reports ``lost``, then ``reconnecting`` while it retries, and runs the opening
sequence again once the port is back; if the port stays away past ``reconnect_timeout_s`` the
driver ends in ``closed`` with a message. The sink is called from the reader thread and must not
block (the station puts frames on a queue).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from devices.calibration import PlateCalibration
from devices.errors import DeviceError, DeviceUnavailableError
from devices.frames import ConnectionState, DeviceStatus, Frame
from devices.transports.serial_port import SerialTransport

_LOGGER = logging.getLogger(__name__)

FrameSink = Callable[[Frame], None]


class PlateSession(Protocol):
    """What a force-plate protocol provides to the serial driver."""

    device_id: str

    @property
    def calibration(self) -> PlateCalibration | None:
        """The calibration in use, once known."""

    def open_stream(self, transport: SerialTransport) -> list[Frame]:
        """Run the opening sequence on a freshly opened port; return frames it produced."""

    def feed(self, data: bytes, t_mono_ns: int) -> list[Frame]:
        """Turn received bytes into frames."""

    def poll(self, transport: SerialTransport, t_mono_ns: int) -> list[Frame]:
        """Periodic check (e.g. a stalled stream); may write to the transport."""

    def close_stream(self, transport: SerialTransport) -> None:
        """Stop streaming before the port is closed on request."""

    def status(self, state: ConnectionState, t_mono_ns: int, message: str = "") -> DeviceStatus:
        """Return a status frame with the session's counters."""


class SerialPlateDriver:
    """Streams frames from a serial force plate on a background thread."""

    def __init__(
        self,
        transport: SerialTransport,
        session: PlateSession,
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
    def calibration(self) -> PlateCalibration:
        """The calibration in use (from the store, the plate or the URL)."""
        calibration = self._session.calibration
        if calibration is None:
            raise DeviceUnavailableError(f"plate {self.device_id} has not reported its calibration")
        return calibration

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
            target=self._run, args=(sink,), name=f"plate-{self.device_id}", daemon=True
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
                    data = self._transport.read()
                    now = time.monotonic_ns()
                    self._emit(sink, self._session.feed(data, now) if data else [])
                    self._emit(sink, self._session.poll(self._transport, now))
                except DeviceUnavailableError as exc:
                    if not self._recover(sink, str(exc)):
                        return
            self._close_on_request()
            self._set_state(sink, ConnectionState.CLOSED)
        except Exception as exc:  # the top of the reader loop: the error becomes a visible state
            _LOGGER.exception("force plate %s reader stopped", self.device_id)
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
        self.error = f"{reason}; the port did not come back within {self._reconnect_timeout_s} s"
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
