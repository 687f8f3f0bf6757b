"""Simulated Chronopic firmware (chronopic-timer.md §2-§3), driven by the pty runner's clock.

An independent implementation: the frame bytes are written here from the specification, not
imported from ``devices``. The input's stable changes come from a list of (time, closed) pairs;
the firmware reports each change one debounce period after its edge, with the time since the
previous reported edge in 8 µs counts, MSB first, the top byte saturating at FF while the low
16 bits keep wrapping (§3). It answers ``J`` with ``4A``, ``E`` with ``45 ss``, ``a`` with the
debounce byte and anything else with ``2D 31`` (the multitest build).

Faults: ``drop`` leaves event frames out (the host sees two equal states in a row), ``invalid``
sends a frame with state byte 2 (the host must resynchronise) and ``garbage`` sends random bytes
between frames.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulators.forceplate.faults import InjectedFaults

_COUNT_US = 8
_SATURATED = 0xFF0000


@dataclass(frozen=True, slots=True)
class TimerFaults:
    """Indices (0-based, among event frames) of the frames to drop or to corrupt, and garbage."""

    drop: frozenset[int] = frozenset()
    invalid: frozenset[int] = frozenset()
    garbage_after: frozenset[int] = frozenset()


@dataclass
class ChronopicBox:
    """The firmware: input changes in, frames out; time in µs since power-up."""

    changes_us: list[tuple[int, bool]]
    debounce_ms: int = 50
    faults: TimerFaults = field(default_factory=TimerFaults)
    seed: int = 0
    injected: InjectedFaults = field(default_factory=InjectedFaults)
    sent_events: list[tuple[int, int]] = field(default_factory=list)  # (state, counts)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        self._next = 0
        self._state = 0
        self._last_edge_us = 0
        self._frame_index = 0

    def power_up(self, now_us: int) -> bytes:
        """Reset: input open, counter from now, nothing sent."""
        self._next, self._state, self._last_edge_us = 0, 0, now_us
        return b""

    def host_opened(self, now_us: int) -> bytes:  # noqa: ARG002 (the runner's firmware interface)
        """Ignore the port opening: the box does not reset."""
        return b""

    def receive(self, data: bytes, now_us: int) -> bytes:  # noqa: ARG002 (firmware interface)
        """Answer each command byte."""
        out = bytearray()
        for byte in data:
            if byte == 0x4A:  # 'J'
                out += b"J"
            elif byte == 0x45:  # 'E'
                out += bytes([0x45, self._state])
            elif byte == 0x61:  # 'a'
                out.append(0x30 + self.debounce_ms // 10)
            else:
                out += b"-1"
        return bytes(out)

    def advance(self, now_us: int, *, online: bool) -> bytes:
        """Report the changes whose debounce period has ended by ``now_us``."""
        out = bytearray()
        debounce_us = self.debounce_ms * 1000
        while self._next < len(self.changes_us):
            edge_us, closed = self.changes_us[self._next]
            if edge_us + debounce_us > now_us:
                break
            self._next += 1
            state = int(closed)
            if state == self._state:
                continue  # not a change: a pulse shorter than the debounce leaves no trace
            counts = (edge_us - self._last_edge_us) // _COUNT_US
            self._state, self._last_edge_us = state, edge_us
            if online:
                out += self._frame(state, counts)
        return bytes(out)

    def _frame(self, state: int, counts: int) -> bytes:
        index, self._frame_index = self._frame_index, self._frame_index + 1
        if counts >= _SATURATED:
            counts = _SATURATED | (counts & 0xFFFF)
        self.injected.frames_sent += 1
        if index in self.faults.drop:
            self.injected.dropped_frames += 1
            return b""
        sent_state = 2 if index in self.faults.invalid else state
        if index in self.faults.invalid:
            self.injected.corrupted_frames += 1
        frame = bytes([0x58, sent_state]) + counts.to_bytes(3, "big")
        self.sent_events.append((sent_state, counts))
        if index in self.faults.garbage_after:
            burst = bytes(self._rng.choice([0x00, 0x13, 0x7E, 0xC0, 0xFF], size=6))
            self.injected.garbage_bursts += 1
            self.injected.garbage_bytes += len(burst)
            frame += burst
        return frame


def beam_box(
    changes_s: tuple[tuple[float, bool], ...],
    *,
    blocked_state: int = 1,
    faults: TimerFaults | None = None,
    seed: int = 0,
) -> ChronopicBox:
    """Return a box following beam changes (``True`` = cut); a cut reads ``blocked_state``."""
    changes_us = [(round(t * 1e6), cut == (blocked_state == 1)) for t, cut in changes_s]
    return ChronopicBox(changes_us, faults=faults or TimerFaults(), seed=seed)
