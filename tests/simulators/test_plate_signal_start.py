"""``GkfpPlate.place(signal, from_us=…)``: a person's scenario put on a running plate starts from
its first row at ``from_us``, so a host that starts recording then sees the scenario's beginning
(the demo's person on the plate, genki.demo.PlatePerson, relies on it); without ``from_us`` a
placed signal stays in step with power-up."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulators.forceplate.device import GkfpPlate, PlateConfig

RATE_HZ = 100
SLOPE = 2.0**-10  # N per count


@dataclass(frozen=True)
class Ramp:
    """Row k loads every cell with (k + 1) counts' worth of force, so a count names its row."""

    rows: int
    rate_hz: float = RATE_HZ

    @property
    def loads_n(self) -> npt.NDArray[np.float64]:
        return np.repeat((np.arange(self.rows, dtype=np.float64)[:, None] + 1) * SLOPE, 4, axis=1)


def sampled_rows(stream: bytes) -> list[tuple[int, int]]:
    """(tick µs, signal row) of every sample in the SAMPLES frames of a stream of whole frames."""
    found, at = [], 0
    while at < len(stream):
        assert stream[at : at + 3] == b"\xa5\x5a\x01"
        kind = stream[at + 3]
        if kind == 0x01:
            n, c = stream[at + 6], stream[at + 7]
            tick = struct.unpack_from("<I", stream, at + 8)[0]
            counts = np.frombuffer(stream, "<i4", n * c, at + 12).reshape(n, c)
            assert (counts == counts[:, :1]).all()  # every cell carries the same load
            found += [(tick + k * 1_000_000 // RATE_HZ, int(counts[k, 0]) - 1) for k in range(n)]
            at += 14 + 4 * n * c
        else:
            at += 10 + struct.unpack_from("<H", stream, at + 6)[0]
    return found


def streaming_plate() -> GkfpPlate:
    config = PlateConfig(rate_hz=RATE_HZ, offsets=(0.0,) * 4, adc_noise_counts=0)
    plate = GkfpPlate(Ramp(1000), config)
    plate.power_up(0)
    plate.receive(b"START\n", 0)
    plate.advance(200_000, online=True)  # the samples of the first 0.2 s are sent
    return plate


def test_a_signal_placed_from_now_starts_at_its_first_row_and_loops_from_there() -> None:
    plate = streaming_plate()
    plate.place(Ramp(50), from_us=250_000)
    after = sampled_rows(plate.advance(1_000_000, online=True))
    rows = dict(after)
    # 0.25 s after power-up the scenario's first row; 0.5 s later (50 rows) it loops back to it.
    assert [rows[t] for t in (250_000, 260_000, 740_000, 750_000, 760_000)] == [0, 1, 49, 0, 1]
    # The samples taken before from_us but not yet sent read the end of the loop.
    assert [rows[t] for t in (210_000, 240_000)] == [46, 49]


def test_a_signal_placed_without_from_us_stays_in_step_with_power_up() -> None:
    plate = streaming_plate()
    plate.place(Ramp(50))
    rows = dict(sampled_rows(plate.advance(1_000_000, online=True)))
    assert [rows[t] for t in (250_000, 500_000, 990_000)] == [25, 0, 49]
