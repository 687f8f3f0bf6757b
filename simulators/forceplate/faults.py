"""Fault injection for simulated plates: corrupted and dropped frames, garbage, unplugging.

Spec (``--faults``): comma-separated ``crc=N``, ``drop=N``, ``garbage=N`` and ``unplug=T1:T2``.
Corrupted, dropped and garbage events are spread deterministically: the k-th event of a kind hits
frame ``FIRST_FRAME + k * INTERVAL_FRAMES`` (garbage between frames, half an interval later), so
a run long enough for them injects exactly N of each, and the counters say what was injected.
Garbage bytes never contain 0xA5, so they can never start a phantom frame.
"""

from __future__ import annotations

from dataclasses import dataclass

FIRST_FRAME = 20
INTERVAL_FRAMES = 37


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """How many faults of each kind to inject, and when to unplug and replug (s)."""

    crc: int = 0
    drop: int = 0
    garbage: int = 0
    unplug: tuple[float, float] | None = None

    def hits(self, kind: str, frame_index: int) -> bool:
        """Whether frame ``frame_index`` gets a fault of ``kind`` (crc, drop or garbage)."""
        count = {"crc": self.crc, "drop": self.drop, "garbage": self.garbage}[kind]
        offset = {"crc": 0, "drop": INTERVAL_FRAMES // 3, "garbage": 2 * INTERVAL_FRAMES // 3}[kind]
        k, rest = divmod(frame_index - FIRST_FRAME - offset, INTERVAL_FRAMES)
        return rest == 0 and 0 <= k < count


@dataclass
class InjectedFaults:
    """What was actually injected, for comparison with what the adapter reports."""

    corrupted_frames: int = 0
    dropped_frames: int = 0
    dropped_samples: int = 0
    garbage_bursts: int = 0
    garbage_bytes: int = 0
    unplugs: int = 0


def _bad(item: str) -> ValueError:
    return ValueError(
        f"fault {item!r}; expected crc=N, drop=N, garbage=N or unplug=T1:T2 "
        "(seconds, T1 < T2), for example crc=3,drop=2,unplug=5:7"
    )


def _unplug(item: str, value: str) -> tuple[float, float]:
    try:
        start, end = (float(v) for v in value.split(":"))
    except ValueError:
        raise _bad(item) from None
    if not 0 <= start < end:
        raise _bad(item)
    return start, end


def parse_faults(spec: str) -> FaultPlan:
    """Parse a fault spec such as ``crc=3,drop=2,garbage=1,unplug=5:7``."""
    counts: dict[str, int] = {}
    unplug: tuple[float, float] | None = None
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, value = item.partition("=")
        if name == "unplug":
            unplug = _unplug(item, value)
        elif name in ("crc", "drop", "garbage") and value.isdigit():
            counts[name] = int(value)
        else:
            raise _bad(item)
    return FaultPlan(unplug=unplug, **counts)
