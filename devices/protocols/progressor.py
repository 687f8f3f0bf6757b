"""Tindeq Progressor BLE force gauge: a pure codec (tindeq-progressor.md).

Commands are single bytes written to the control point (§3). Notifications on the data point are
tag-length-value frames (§4.1): weight samples in kilogram-force with u32 microsecond device time
stamps (tag 1, §4.2), command responses (tag 0, §4.3), RFD results (tags 2 and 3, layout
undocumented) and the low-power warning (tag 4). ``decode_notification`` is a pure function of one
notification; ``ProgressorDecoder`` adds the state the protocol needs: the one outstanding query
that gives a tag-0 payload its meaning (§4.3), the counters, and a ``SampleClock`` that unwraps
the device time and finds gaps (§4.2). Bytes that break the protocol raise ``ProtocolError``; the
decoder counts them first.
"""

from __future__ import annotations

import math
import struct
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import IntEnum
from statistics import median
from typing import Final

from devices.errors import ProtocolError

SERVICE_UUID: Final = "7e4e1701-1ea6-40c9-9dcc-13d34ffead57"
DATA_POINT_UUID: Final = "7e4e1702-1ea6-40c9-9dcc-13d34ffead57"  # notify (§1)
CONTROL_POINT_UUID: Final = "7e4e1703-1ea6-40c9-9dcc-13d34ffead57"  # write with response (§1)
NAME_PREFIX: Final = "Progressor"
KGF_TO_N: Final = 9.80665  # standard gravity: 1 kgf in newtons (§4.2)

TAG_RESPONSE, TAG_WEIGHT, TAG_RFD_PEAK, TAG_RFD_SERIES, TAG_LOW_POWER = 0, 1, 2, 3, 4
SAMPLE = struct.Struct("<fI")  # float32 kgf, u32 µs (§4.2)
TIMESTAMP_MODULUS: Final = 1 << 32  # the µs counter wraps after 4294.967296 s (§4.2)
PERIOD_WINDOW: Final = 64  # time-stamp differences kept for the median period (0.8 s at 80 Hz)
PERIOD_MIN_DIFFERENCES: Final = 3  # differences needed before gaps are judged
NOMINAL_RATE_HZ: Final = 80.0  # third-party figure (§4.2, unverified); used until measured
GAP_FACTOR: Final = 1.5  # a difference above 1.5 periods is a gap (§4.2)


class Command(IntEnum):
    """Command tags (§3); which ones genki sends is in ``SENT_IN_SESSION`` and ``STAFF_QUERIES``."""

    TARE_SCALE = 0x64  # sent: after START, while streaming (§2, §5)
    START_WEIGHT_MEAS = 0x65  # sent (§2)
    STOP_WEIGHT_MEAS = 0x66  # sent (§2)
    START_PEAK_RFD_MEAS = 0x67  # never sent
    START_PEAK_RFD_MEAS_SERIES = 0x68  # never sent
    ADD_CALIBRATION_POINT = 0x69  # never sent: the kiosk never recalibrates (§6)
    SAVE_CALIBRATION = 0x6A  # never sent (§6)
    GET_APP_VERSION = 0x6B  # sent (§2)
    GET_ERROR_INFORMATION = 0x6C  # staff screen only
    CLR_ERROR_INFORMATION = 0x6D  # never sent
    ENTER_SLEEP = 0x6E  # sent at the end of the day (§2)
    GET_BATTERY_VOLTAGE = 0x6F  # sent (§2)
    GET_PROGRESSOR_ID = 0x70  # staff screen only; unverified (§3)
    SET_CALIBRATION = 0x71  # never sent; carries a value, so encode_command refuses it
    GET_CALIBRATION = 0x72  # staff screen only; unverified (§3)


SENT_IN_SESSION: Final = frozenset(
    {
        Command.TARE_SCALE,
        Command.START_WEIGHT_MEAS,
        Command.STOP_WEIGHT_MEAS,
        Command.GET_APP_VERSION,
        Command.ENTER_SLEEP,
        Command.GET_BATTERY_VOLTAGE,
    }
)
STAFF_QUERIES: Final = frozenset(
    {Command.GET_ERROR_INFORMATION, Command.GET_PROGRESSOR_ID, Command.GET_CALIBRATION}
)
QUERIES: Final = frozenset(
    {
        Command.GET_APP_VERSION,
        Command.GET_ERROR_INFORMATION,
        Command.GET_BATTERY_VOLTAGE,
        Command.GET_PROGRESSOR_ID,
        Command.GET_CALIBRATION,
    }
)  # the commands answered by one tag-0 notification (§4.3)

ResponseValue = str | int | tuple[float, float, float]


def encode_command(command: Command) -> bytes:
    """Return the single-byte form of a command without a value (§3)."""
    command = Command(command)
    if command is Command.SET_CALIBRATION:
        raise ValueError("SET_CALIBRATION carries 12 bytes of calibration; genki never sends it")
    return bytes([command])


@dataclass(frozen=True, slots=True)
class WeightSamples:
    """A tag-1 notification (§4.2): weights (kgf) and their device time stamps (µs, u32).

    NaN weights are left out, with their time stamps, and counted in ``nan_skipped``.
    """

    weights_kgf: tuple[float, ...]
    timestamps_us: tuple[int, ...]
    nan_skipped: int = 0

    @property
    def forces_n(self) -> tuple[float, ...]:
        """The weights in newtons (× 9.80665)."""
        return tuple(weight * KGF_TO_N for weight in self.weights_kgf)


@dataclass(frozen=True, slots=True)
class CommandResponse:
    """A tag-0 notification (§4.3); ``query`` and ``value`` are set once it is matched."""

    payload: bytes
    query: Command | None = None
    value: ResponseValue | None = None


@dataclass(frozen=True, slots=True)
class LowPowerWarning:
    """A tag-4 notification: the battery is low (§4.1, §7); the payload is undocumented."""

    payload: bytes = b""


@dataclass(frozen=True, slots=True)
class RfdNotification:
    """A tag-2 (RFD peak) or tag-3 (RFD peak series) notification; layout undocumented (§4.1)."""

    tag: int
    payload: bytes


Notification = WeightSamples | CommandResponse | LowPowerWarning | RfdNotification


def decode_notification(data: bytes) -> Notification:
    """Decode one data-point notification (§4.1–4.2); raise ``ProtocolError`` if it is malformed."""
    if len(data) < 2:
        raise ProtocolError(
            f"notification of {len(data)} byte(s); expected at least 2 (tag, length)"
        )
    tag, length, payload = data[0], data[1], bytes(data[2:])
    if length != len(payload):
        raise ProtocolError(
            f"tag {tag} announces {length} payload bytes but {len(payload)} follow; "
            "expected the length byte to match"
        )
    if tag == TAG_WEIGHT:
        return _weight_samples(payload)
    if tag == TAG_RESPONSE:
        return CommandResponse(payload)
    if tag in (TAG_RFD_PEAK, TAG_RFD_SERIES):
        return RfdNotification(tag, payload)
    if tag == TAG_LOW_POWER:
        return LowPowerWarning(payload)
    raise ProtocolError(f"unknown notification tag {tag}; expected 0 to 4")


def _weight_samples(payload: bytes) -> WeightSamples:
    """Decode a tag-1 payload of 8-byte samples, skipping NaN weights (§4.2)."""
    if len(payload) % SAMPLE.size:
        raise ProtocolError(
            f"weight notification with {len(payload)} payload bytes; "
            f"expected a multiple of {SAMPLE.size} (float32 kgf + u32 µs per sample)"
        )
    samples = list(SAMPLE.iter_unpack(payload))
    kept = [(weight, stamp) for weight, stamp in samples if not math.isnan(weight)]
    return WeightSamples(
        weights_kgf=tuple(weight for weight, _ in kept),
        timestamps_us=tuple(stamp for _, stamp in kept),
        nan_skipped=len(samples) - len(kept),
    )


def interpret_response(query: Command, payload: bytes) -> ResponseValue:
    """Interpret a tag-0 payload as the answer to ``query`` (§4.3).

    Returns the version text (GET_APP_VERSION), the crash log (GET_ERROR_INFORMATION, "" when
    empty or not ASCII), millivolts (GET_BATTERY_VOLTAGE), the id in upper-case hex, most
    significant byte first (GET_PROGRESSOR_ID), or (slope, intercept, trim) (GET_CALIBRATION).
    """
    query = Command(query)
    if query is Command.GET_APP_VERSION:
        try:
            return payload.decode("ascii").rstrip("\x00")
        except UnicodeDecodeError:
            raise ProtocolError(
                f"GET_APP_VERSION answer {payload.hex(' ')} is not ASCII; expected version text"
            ) from None
    if query is Command.GET_ERROR_INFORMATION:
        try:
            return payload.decode("ascii").rstrip("\x00")
        except UnicodeDecodeError:
            return ""
    if query is Command.GET_BATTERY_VOLTAGE:
        _check_length(query, payload, 4)
        return int.from_bytes(payload, "little")
    if query is Command.GET_PROGRESSOR_ID:
        if not 1 <= len(payload) <= 8:
            raise ProtocolError(
                f"GET_PROGRESSOR_ID answer of {len(payload)} bytes; expected 1 to 8 (a u64)"
            )
        return payload[::-1].hex().upper()
    if query is Command.GET_CALIBRATION:
        _check_length(query, payload, 12)
        slope, intercept, trim = struct.unpack("<3f", payload)
        return (slope, intercept, trim)
    raise ValueError(f"{query!r} is not answered by a tag-0 notification; expected one of QUERIES")


def _check_length(query: Command, payload: bytes, expected: int) -> None:
    if len(payload) != expected:
        raise ProtocolError(
            f"{query.name} answer of {len(payload)} bytes; expected {expected}: {payload.hex(' ')}"
        )


@dataclass(frozen=True, slots=True)
class SampleTiming:
    """Device time of one notification's samples (s, unwrapped) and what the clock saw (§4.2).

    ``rate_hz`` is the measured rate, or ``NOMINAL_RATE_HZ`` while ``rate_measured`` is False.
    """

    device_time_s: tuple[float, ...]
    missing_samples: int
    restarted: bool
    wrapped: bool
    rate_hz: float
    rate_measured: bool


class SampleClock:
    """Unwraps the u32 µs time stamps, measures the sample period and finds gaps (§4.2).

    A backwards step larger than half the 2³² µs range is a wrap (2³² µs are added); a smaller
    backwards step is a restart of the counter (START may restart it; unverified), after which
    the unwrapped time continues one period after the last sample, since the time in between is
    unknown. The period ``T`` is the median of the last ``PERIOD_WINDOW`` positive differences
    (``1/T`` is the rate; hangtime counts the samples of the last second instead, which is coarser
    and reads low across gaps). Once ``PERIOD_MIN_DIFFERENCES`` are known, a difference
    ``Δ > 1.5·T`` is a gap of ``round(Δ/T) − 1`` missing samples; a skipped NaN sample therefore
    also shows up as one missing sample. Pure: no clock of its own, no I/O.
    """

    def __init__(self) -> None:
        self._differences_us: deque[int] = deque(maxlen=PERIOD_WINDOW)
        self._last_raw_us: int | None = None
        self._offset_us = 0
        self.samples = 0
        self.missing_samples = 0
        self.wraps = 0
        self.restarts = 0

    @property
    def period_s(self) -> float | None:
        """The measured sample period (s), or None before the first difference."""
        if not self._differences_us:
            return None
        return float(median(self._differences_us)) / 1e6

    @property
    def rate_hz(self) -> float | None:
        """The measured sample rate (Hz), or None before the first difference."""
        period_s = self.period_s
        return None if period_s is None else 1.0 / period_s

    def add(self, timestamps_us: Iterable[int]) -> SampleTiming:
        """Take the next samples' u32 time stamps; return their unwrapped device time."""
        times_us: list[int] = []
        missing = 0
        restarted = wrapped = False
        for raw_us in timestamps_us:
            last_raw_us, self._last_raw_us = self._last_raw_us, raw_us
            self.samples += 1
            if last_raw_us is None:
                times_us.append(raw_us + self._offset_us)
                continue
            difference_us = raw_us - last_raw_us
            if difference_us < 0 and -difference_us > TIMESTAMP_MODULUS // 2:
                self._offset_us += TIMESTAMP_MODULUS
                difference_us += TIMESTAMP_MODULUS
                self.wraps += 1
                wrapped = True
            elif difference_us < 0:
                last_us = last_raw_us + self._offset_us
                period_s = self.period_s
                step_us = 0 if period_s is None else round(period_s * 1e6)
                self._offset_us = last_us + step_us - raw_us
                self.restarts += 1
                restarted = True
                times_us.append(raw_us + self._offset_us)
                continue
            missing += self._gap(difference_us)
            times_us.append(raw_us + self._offset_us)
        self.missing_samples += missing
        rate_hz = self.rate_hz
        return SampleTiming(
            device_time_s=tuple(t / 1e6 for t in times_us),
            missing_samples=missing,
            restarted=restarted,
            wrapped=wrapped,
            rate_hz=NOMINAL_RATE_HZ if rate_hz is None else rate_hz,
            rate_measured=rate_hz is not None,
        )

    def _gap(self, difference_us: int) -> int:
        """Return the samples missing before a forward step (§4.2); the step joins the window."""
        missing = 0
        if len(self._differences_us) >= PERIOD_MIN_DIFFERENCES:
            period_us = float(median(self._differences_us))
            if difference_us > GAP_FACTOR * period_us:
                missing = round(difference_us / period_us) - 1
        if difference_us > 0:
            self._differences_us.append(difference_us)
        return missing


class ProgressorDecoder:
    """Decodes notifications with the protocol's state: the outstanding query and the counters.

    At most one query is outstanding (§4.3): ``expect(query)`` before writing it; the next tag-0
    notification is interpreted for it and clears it. A tag-0 notification with no outstanding
    query is counted in ``unexpected_responses`` and dropped (``feed`` returns None). A malformed
    notification or answer is counted in ``protocol_errors`` and re-raised as ``ProtocolError``.
    ``clock`` unwraps the time stamps of the weight samples; the caller feeds it.
    """

    def __init__(self) -> None:
        self.clock = SampleClock()
        self._query: Command | None = None
        self.protocol_errors = 0
        self.nan_skipped = 0
        self.unexpected_responses = 0
        self.low_power_warnings = 0

    @property
    def outstanding(self) -> Command | None:
        """The query waiting for its tag-0 answer, if any."""
        return self._query

    def expect(self, query: Command | None) -> None:
        """Mark ``query`` as outstanding, or clear it with None (after a timeout, §4.3)."""
        if query is None:
            self._query = None
            return
        if query not in QUERIES:
            raise ValueError(f"{query!r} gets no tag-0 answer; expected one of QUERIES")
        if self._query is not None:
            raise RuntimeError(
                f"{query.name} asked while {self._query.name} is outstanding; at most one query "
                "may be outstanding (§4.3): wait for its answer or clear it with expect(None)"
            )
        self._query = Command(query)

    def reset_stream(self) -> None:
        """Start a new stream: a fresh clock and no outstanding query; counters are kept."""
        self.clock = SampleClock()
        self._query = None

    def feed(self, data: bytes) -> Notification | None:
        """Decode one notification; a tag-0 answer comes back with its query and value."""
        try:
            message = decode_notification(data)
        except ProtocolError:
            self.protocol_errors += 1
            raise
        if isinstance(message, WeightSamples):
            self.nan_skipped += message.nan_skipped
        elif isinstance(message, LowPowerWarning):
            self.low_power_warnings += 1
        elif isinstance(message, CommandResponse):
            return self._answer(message)
        return message

    def _answer(self, message: CommandResponse) -> CommandResponse | None:
        query, self._query = self._query, None
        if query is None:
            self.unexpected_responses += 1
            return None
        try:
            value = interpret_response(query, message.payload)
        except ProtocolError:
            self.protocol_errors += 1
            raise
        return replace(message, query=query, value=value)
