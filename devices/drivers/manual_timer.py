"""A timer operated by people: the on-screen start/stop button and a USB button that types a key.

Each press becomes a ``TimerEvent`` exactly like a Chronopic input change (the state toggles:
1 at a start press, 0 at a stop press), so the same scorers serve both. Times come from the host's
monotonic clock at the press; ``source`` says which button was used (``screen`` or
``keyboard``). A keyboard-wedge button is read by the user interface, which owns the keyboard,
and handed to ``press``. URL: ``manual://buttons``.
"""

from __future__ import annotations

import threading
import time

from devices.drivers.streaming import FrameSink
from devices.frames import ConnectionState, DeviceStatus, TimerEvent
from devices.url import DeviceUrl

SOURCES = ("screen", "keyboard")


class ManualTimer:
    """Start/stop presses as timer events."""

    def __init__(self, device_id: str = "manual") -> None:
        self.device_id = device_id
        self._sink: FrameSink | None = None
        self._lock = threading.Lock()
        self._seq = 0
        self._first_ns: int | None = None
        self._last_ns = 0
        self._state = 0

    def start(self, sink: FrameSink) -> None:
        """Start taking presses; they go to ``sink``."""
        self._sink = sink
        sink(DeviceStatus(self.device_id, time.monotonic_ns(), ConnectionState.STREAMING))

    def stop(self) -> None:
        """Stop taking presses."""
        sink, self._sink = self._sink, None
        if sink is not None:
            sink(DeviceStatus(self.device_id, time.monotonic_ns(), ConnectionState.CLOSED))

    def press(self, source: str = "screen", t_mono_ns: int | None = None) -> TimerEvent:
        """Record one press now (or at ``t_mono_ns``) and hand its event to the sink."""
        if source not in SOURCES:
            raise ValueError(f"press source {source!r}; expected one of {', '.join(SOURCES)}")
        now = time.monotonic_ns() if t_mono_ns is None else t_mono_ns
        with self._lock:
            first = self._first_ns is None
            if self._first_ns is None:
                self._first_ns = self._last_ns = now
            self._state = 1 - self._state
            event = TimerEvent(
                device_id=self.device_id,
                seq=self._seq,
                t_mono_ns=now,
                state=self._state,
                dt_us=(now - self._last_ns) // 1000,
                device_time_us=(now - self._first_ns) // 1000,
                first=first,
                source=source,
            )
            self._seq += 1
            self._last_ns = now
        if self._sink is not None:
            self._sink(event)
        return event


def open_manual_timer(url: DeviceUrl, lookup: object) -> ManualTimer:  # noqa: ARG001 (registry)
    """Return the manual timer a ``manual://NAME`` URL names."""
    url.check_options(frozenset())
    return ManualTimer(f"manual:{url.location}")
