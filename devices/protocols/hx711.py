"""HX711 ASCII line protocol: a pure, incremental codec (genki-forceplate.md §3).

One record per line, ``<t_ms>,<FL>,<FR>,<BL>,<BR>`` by default (§3.2), or an existing sketch's
format described by an ``Hx711Config`` (§3.4: terminator, separator, column roles, units, lines
to skip). Parsing follows §3.5: malformed lines (wrong field count, anything but plain decimal
numbers, over 128 bytes) are counted and dropped; a clock that runs back by more than 1 s is a
device reset. Gaps follow §3.6: the period is the median of the time differences over the last
2 s, and a difference above 1.5 periods is ``round(Δ/T) − 1`` missing samples. Request/response
sketches (``poll``) and host time-stamping are not supported: every supported board streams with
its own clock.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median

from devices.protocols.gkfp import Discontinuity, Gap

__all__ = [
    "Discontinuity", "Gap", "Hx711Config", "Hx711Decoder", "Hx711Record", "InfoLine",
    "default_slope_n_per_unit",
]  # fmt: skip

CORNERS = ("FL", "FR", "BL", "BR")
ROLES = frozenset({"t_ms", "t_s", "ignore", *CORNERS})
SEPARATORS = {",": ",", ";": ";", "\t": "\t", "tab": "\t", "whitespace": None}
UNIT_SLOPES_N = {"g": 0.00980665, "kg": 9.80665, "N": 1.0, "lb": 4.4482216152605}
UNITS = frozenset({"counts", *UNIT_SLOPES_N})
MAX_RECORD_BYTES = 128
RESET_BACKWARDS_MS = 1000.0
PERIOD_WINDOW_MS = 2000.0
CLOCK_MODULUS_MS = float(1 << 32)
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def default_slope_n_per_unit(units: str) -> float:
    """Newtons per unit for self-scaling boards (g, kg, N, lb); counts need a calibration."""
    if units not in UNIT_SLOPES_N:
        raise ValueError(f"units {units!r} have no default slope; expected one of g, kg, N, lb")
    return UNIT_SLOPES_N[units]


@dataclass(frozen=True, slots=True)
class Hx711Config:
    """How a board formats its records (§3.4)."""

    terminator: str = "\n"
    separator: str = ","
    columns: tuple[str, ...] = ("t_ms", *CORNERS)
    units: str = "counts"
    skip_lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.terminator) != 1:
            raise ValueError(f"terminator {self.terminator!r}; expected exactly one character")
        if self.separator not in SEPARATORS:
            raise ValueError(f"separator {self.separator!r}; expected , ; tab or whitespace")
        unknown = [c for c in self.columns if c not in ROLES]
        roles = [c for c in self.columns if c != "ignore"]
        if unknown or sorted(roles) not in ([*sorted(CORNERS), "t_ms"], [*sorted(CORNERS), "t_s"]):
            raise ValueError(
                f"columns {','.join(self.columns)!r}; expected FL, FR, BL, BR once each, one of "
                "t_ms or t_s, and any number of ignore (e.g. t_ms,FL,FR,BL,BR)"
            )
        if self.units not in UNITS:
            raise ValueError(f"units {self.units!r}; expected one of {', '.join(sorted(UNITS))}")

    @classmethod
    def from_options(cls, options: Mapping[str, str]) -> Hx711Config:
        """Build a configuration from URL options (``columns`` and ``skip_lines`` with commas)."""
        values: dict[str, object] = dict(options)
        if "columns" in options:
            values["columns"] = tuple(part.strip() for part in options["columns"].split(","))
        if "skip_lines" in options:
            values["skip_lines"] = tuple(options["skip_lines"].split("|"))
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Hx711Record:
    """One record: device time in ms and the four corner values (FL, FR, BL, BR) in its units."""

    t_ms: float
    values: tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class InfoLine:
    """A line starting with ``#``; a ``# GKHX/1`` banner means the board has just reset."""

    text: str
    reset: bool


Hx711Event = Hx711Record | InfoLine | Gap | Discontinuity


class Hx711Decoder:
    """Incremental HX711 line decoder with gap and reset detection."""

    def __init__(self, config: Hx711Config | None = None) -> None:
        self.config = config or Hx711Config()
        self._terminator = self.config.terminator.encode("ascii")
        self._buffer = bytearray()
        self._number = _INTEGER if self.config.units == "counts" else _DECIMAL
        self._corner_index = [self.config.columns.index(c) for c in CORNERS]
        time_role = "t_ms" if "t_ms" in self.config.columns else "t_s"
        self._time_index = self.config.columns.index(time_role)
        self._time_scale = 1.0 if time_role == "t_ms" else 1000.0
        self._prev_t_ms: float | None = None
        self._diffs: deque[tuple[float, float]] = deque()
        self.records = 0
        self.parse_failures = 0
        self.missing_samples = 0
        self.discontinuities = 0

    @property
    def period_ms(self) -> float | None:
        """Median time difference over the last 2 s of records, once there is one."""
        return median(d for _, d in self._diffs) if self._diffs else None

    @property
    def rate_hz(self) -> float | None:
        """Measured sample rate (1000 / period)."""
        period = self.period_ms
        return 1000.0 / period if period else None

    def feed(self, data: bytes) -> list[Hx711Event]:
        """Decode every complete line now in the buffer."""
        self._buffer += data
        *lines, rest = self._buffer.split(self._terminator)
        if len(rest) > MAX_RECORD_BYTES:
            self.parse_failures += 1
            rest = bytearray()
        self._buffer = bytearray(rest)
        events: list[Hx711Event] = []
        for line in lines:
            self._line(bytes(line), events)
        return events

    def _line(self, raw: bytes, events: list[Hx711Event]) -> None:
        if len(raw) > MAX_RECORD_BYTES:
            self.parse_failures += 1
            return
        try:
            text = raw.decode("ascii").strip()
        except UnicodeDecodeError:
            self.parse_failures += 1
            return
        if not text or text in self.config.skip_lines:
            return
        if text.startswith("#"):
            reset = text.startswith("# GKHX/1")
            if reset:
                self._restart()
            events.append(InfoLine(text, reset))
            return
        fields = text.split(SEPARATORS[self.config.separator])
        if (
            len(fields) != len(self.config.columns)
            or not all(self._number.fullmatch(fields[i].strip()) for i in [*self._corner_index])
            or not _DECIMAL.fullmatch(fields[self._time_index].strip())
        ):
            self.parse_failures += 1
            return
        t_ms = float(fields[self._time_index]) * self._time_scale
        corners = tuple(float(fields[i]) for i in self._corner_index)
        self._timing(t_ms, events)
        self.records += 1
        events.append(Hx711Record(t_ms, corners))  # type: ignore[arg-type]

    def _timing(self, t_ms: float, events: list[Hx711Event]) -> None:
        previous, self._prev_t_ms = self._prev_t_ms, t_ms
        if previous is None:
            return
        delta = (t_ms - previous) % CLOCK_MODULUS_MS
        if t_ms < previous - RESET_BACKWARDS_MS and delta > CLOCK_MODULUS_MS / 2:
            self.discontinuities += 1
            self._diffs.clear()
            events.append(Discontinuity(f"device clock ran back {previous - t_ms:.0f} ms (reset)"))
            return
        period = self.period_ms
        if period and delta > 1.5 * period:
            missing = round(delta / period) - 1
            self.missing_samples += missing
            events.append(Gap(missing_samples=missing, lost_frames=0))
        else:
            self._diffs.append((t_ms, delta))
        while self._diffs and t_ms - self._diffs[0][0] > PERIOD_WINDOW_MS:
            self._diffs.popleft()

    def _restart(self) -> None:
        self._prev_t_ms = None
        self._diffs.clear()
