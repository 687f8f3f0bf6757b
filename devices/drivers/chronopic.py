"""A Chronopic timer on a serial port (chronopic-timer.md §4): bytes in, ``TimerEvent`` out.

Opening (§4.1): ``J`` must be answered by ``4A`` within 200 ms (otherwise the port is not a
Chronopic), then ``E`` gives the initial state. Every event frame becomes a ``TimerEvent`` on the
device time line; two events with the same state mean lost frames and produce a status with
``lost_frames``; an invalid frame starts a resynchronisation after which ``E`` is sent again and
the time line restarts. The box stays silent while nothing moves, so silence is not a fault.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from devices.drivers.plate_frames import CountedSession, StreamCounters
from devices.errors import DeviceTimeoutError
from devices.frames import Frame, TimerEvent
from devices.protocols.chronopic import (
    BAUDRATE,
    ChronopicDecoder,
    EventFrame,
    Message,
    ProbeReply,
    StatusReply,
    TimerEventBuilder,
    probe_command,
    status_command,
)
from devices.transports.base import ByteTransport
from devices.url import DeviceUrl

PROBE_TIMEOUT_S = 0.2
URL_OPTIONS = frozenset({"protocol", "baudrate"})
DEFAULT_BAUDRATE = BAUDRATE


class ChronopicSession(CountedSession):
    """One Chronopic box: probe, initial state, events and resynchronisation."""

    def __init__(self, url: DeviceUrl) -> None:
        url.check_options(URL_OPTIONS)
        self.device_id = url.location
        self.state: int | None = None
        self._decoder = ChronopicDecoder()
        self._builder = TimerEventBuilder()
        self._counters = StreamCounters()
        self._pending: list[Frame] = []

    def open_stream(self, transport: ByteTransport) -> list[Frame]:
        """Probe with ``J``, then ask the state with ``E`` (§4.1)."""
        self._builder.restart()
        transport.write(probe_command())
        self._await(transport, lambda m: isinstance(m, ProbeReply), "4A (probe reply)")
        transport.write(status_command())
        self._await(transport, lambda m: isinstance(m, StatusReply), "45 ss (state)")
        frames, self._pending = self._pending, []
        return frames

    def _await(self, transport: ByteTransport, done: Callable[[Message], bool], what: str) -> None:
        deadline = time.monotonic() + PROBE_TIMEOUT_S
        while time.monotonic() < deadline:
            data = transport.read()
            messages = self._decoder.feed(data, time.monotonic_ns()) if data else []
            self._pending.extend(self._frames(messages, time.monotonic_ns()))
            if any(done(m) for m in messages):
                return
        raise DeviceTimeoutError(
            f"{self.device_id} sent no {what} within {PROBE_TIMEOUT_S * 1000:.0f} ms; check that "
            "it is a Chronopic and that the port is right"
        )

    def read(self, transport: ByteTransport) -> list[Frame]:
        """Decode the bytes the transport received now."""
        data = transport.read()
        now = time.monotonic_ns()
        return self._frames(self._decoder.feed(data, now), now) if data else []

    def _frames(self, messages: list[Message], t_mono_ns: int) -> list[Frame]:
        frames: list[Frame] = []
        for message in messages:
            if isinstance(message, StatusReply):
                self.state = message.state
            elif isinstance(message, EventFrame):
                frames.extend(self._event(message, t_mono_ns))
        if (self._decoder.bytes_discarded, self._decoder.invalid_frames) != (
            self._counters.bytes_discarded,
            self._counters.parse_failures,
        ):
            self._counters.bytes_discarded = self._decoder.bytes_discarded
            self._counters.parse_failures = self._decoder.invalid_frames
            frames.append(self._status(t_mono_ns, message="bytes discarded"))
        return frames

    def _event(self, frame: EventFrame, t_mono_ns: int) -> list[Frame]:
        built = self._builder.add(frame)
        self.state = built.state
        frames: list[Frame] = []
        if built.lost_frames:
            frames.append(
                self._status(t_mono_ns, lost_frames=built.lost_frames, message="timer frame lost")
            )
        frames.append(
            TimerEvent(
                device_id=self.device_id,
                seq=built.seq,
                t_mono_ns=t_mono_ns,
                state=built.state,
                dt_us=built.dt_us,
                device_time_us=built.device_time_us,
                first=built.first,
                saturated=built.saturated,
                after_gap=built.after_gap,
            )
        )
        return frames

    def poll(self, transport: ByteTransport, t_mono_ns: int) -> list[Frame]:
        """After a resynchronisation's silence, ask the state again and restart the time line."""
        self._decoder.poll(t_mono_ns)
        if self._decoder.needs_status:
            transport.write(status_command())
            self._decoder.status_sent()
            self._builder.restart()
            return [self._status(t_mono_ns, discontinuity=True, message="resynchronised")]
        return []

    def close_stream(self, transport: ByteTransport) -> None:
        """Nothing to stop: the box only reports changes."""
