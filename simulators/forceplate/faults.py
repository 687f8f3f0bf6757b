"""Fault injection for simulated plates: corrupted and dropped frames, garbage bytes, unplugging.

Spec (``genki simulate forceplate --faults``), comma-separated items:

- ``crc=N`` or ``crc=every:K``: corrupt N frames (or every K-th). GKFP/1: the CRC's low byte is
  inverted, so the header stays valid and the host counts exactly one CRC error per frame. HX711:
  a digit of the record becomes the letter ``O`` (one parse failure, one missing sample).
- ``drop=N`` or ``drop=every:K``: leave frames out, as if lost on the link. GKFP/1 frames keep
  their sequence numbers, so the host sees ``lost_frames`` and ``missing_samples``.
- ``garbage=N`` or ``garbage=every:K``: a burst of random bytes after a frame. GKFP/1 bursts
  never contain 0xA5, so they can never start a phantom frame; HX711 bursts are one line of
  capital letters (one parse failure, never a ``#`` information line).
- ``unplug=T1:T2``: close the pseudo-terminal at T1 s and open a new one at T2 s (from start).

Schedule. Frames (GKFP/1 SAMPLES frames, HX711 records) are counted from the first one sent while
a host has the port open; frames nobody can receive are neither counted nor faulted, so the
counters below say exactly what a listening host was sent. With a count, the k-th fault of a
kind (k = 0…N−1) hits frame ``first_frame + offset + k·interval_frames``, where the offset is
0, ⅓ or ⅔ of the interval for crc, drop and garbage, so kinds never hit the same frame; the
defaults put every fault of ``crc=3,drop=2,garbage=2`` within the first 1.2 s at 100 frames/s.
``every:K`` hits frames K−1, 2K−1, …; a frame both dropped and corrupted is only dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np

FaultKind = Literal["crc", "drop", "garbage"]
FIRST_FRAME = 20
INTERVAL_FRAMES = 37
GARBAGE_BYTES = (3, 40)  # burst length range, model choice
EXAMPLE = "crc=3,drop=every:50,garbage=2,unplug=5:7"


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to inject: counts (or every K-th frame) per kind, and an unplug window (s)."""

    crc: int = 0
    drop: int = 0
    garbage: int = 0
    unplug: tuple[float, float] | None = None
    crc_every: int = 0
    drop_every: int = 0
    garbage_every: int = 0
    first_frame: int = FIRST_FRAME
    interval_frames: int = INTERVAL_FRAMES

    def hits(self, kind: FaultKind, frame_index: int) -> bool:
        """Whether frame ``frame_index`` (0-based, see the module doc) gets a fault of ``kind``."""
        every = {"crc": self.crc_every, "drop": self.drop_every, "garbage": self.garbage_every}
        if every[kind] and (frame_index + 1) % every[kind] == 0:
            return True
        count = {"crc": self.crc, "drop": self.drop, "garbage": self.garbage}[kind]
        offset = {"crc": 0, "drop": 1, "garbage": 2}[kind] * self.interval_frames // 3
        k, rest = divmod(frame_index - self.first_frame - offset, self.interval_frames)
        return rest == 0 and 0 <= k < count


@dataclass(slots=True)
class InjectedFaults:
    """What a simulated plate actually did, to compare with what the adapter reports."""

    frames_sent: int = 0  # SAMPLES frames or records written for a listening host
    samples_sent: int = 0
    corrupted_frames: int = 0
    corrupted_samples: int = 0
    dropped_frames: int = 0
    dropped_samples: int = 0
    garbage_bursts: int = 0
    garbage_bytes: int = 0
    unplugs: int = 0
    replugs: int = 0
    offline_frames: int = 0  # produced while no host had the port open: lost
    offline_samples: int = 0
    overflow_bytes: int = 0  # discarded because the host did not read them

    @property
    def missing_samples(self) -> int:
        """Samples a listening host cannot have received: dropped plus corrupted."""
        return self.dropped_samples + self.corrupted_samples

    def as_dict(self) -> dict[str, int]:
        """Return the counters by name."""
        return asdict(self)

    def summary(self) -> str:
        """One line for people: what was injected."""
        return (
            f"injected: {self.corrupted_frames} corrupted frames ({self.corrupted_samples} "
            f"samples), {self.dropped_frames} dropped frames ({self.dropped_samples} samples), "
            f"{self.garbage_bursts} garbage bursts ({self.garbage_bytes} bytes), "
            f"{self.unplugs} unplugs, {self.replugs} replugs; sent {self.frames_sent} frames "
            f"({self.samples_sent} samples); lost with no host {self.offline_frames} frames "
            f"({self.offline_samples} samples), {self.overflow_bytes} bytes unread"
        )


def gkfp_garbage(rng: np.random.Generator) -> bytes:
    """Return a burst of random bytes that contains no 0xA5 (so no phantom frame can start)."""
    values = rng.integers(0, 255, int(rng.integers(*GARBAGE_BYTES, endpoint=True)))
    return bytes((values + (values >= 0xA5)).astype(np.uint8).tolist())


def hx711_garbage(rng: np.random.Generator) -> bytes:
    """Return a line of random capital letters and CR LF: one unreadable record, no banner."""
    size = int(rng.integers(*GARBAGE_BYTES, endpoint=True))
    letters = rng.integers(ord("A"), ord("Z"), size, endpoint=True)
    return bytes(letters.astype(np.uint8).tolist()) + b"\r\n"


def _bad(item: str) -> ValueError:
    return ValueError(
        f"fault {item!r}; expected crc=N, drop=N, garbage=N (or KIND=every:K) and unplug=T1:T2 "
        f"(seconds, T1 < T2), for example {EXAMPLE}"
    )


def _unplug(item: str, value: str) -> tuple[float, float]:
    try:
        start, end = (float(part) for part in value.split(":"))
    except ValueError:
        raise _bad(item) from None
    if not 0 <= start < end:
        raise _bad(item)
    return start, end


def parse_faults(spec: str) -> FaultPlan:
    """Parse a fault spec such as ``crc=3,drop=every:50,garbage=1,unplug=5:7``."""
    fields: dict[str, int] = {}
    unplug: tuple[float, float] | None = None
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, value = item.partition("=")
        every = value.removeprefix("every:")
        if name == "unplug":
            unplug = _unplug(item, value)
        elif name in ("crc", "drop", "garbage") and every.isdigit() and every != value:
            if int(every) < 1:
                raise _bad(item)
            fields[f"{name}_every"] = int(every)
        elif name in ("crc", "drop", "garbage") and value.isdigit():
            fields[name] = int(value)
        else:
            raise _bad(item)
    return FaultPlan(unplug=unplug, **fields)
