"""A calibration mass on the simulated plate: its loads weigh m·g at the given centre of pressure,
and ``place`` changes what the plate's SAMPLES frames carry from then on (nothing else)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.forceplate.masses import static_load

SPACING = (500.0, 400.0)


def samples(stream: bytes) -> list[tuple[int, np.ndarray]]:
    """(seq, counts n × c) of every SAMPLES frame in a byte stream of whole frames."""
    found, at = [], 0
    while at < len(stream):
        assert stream[at : at + 3] == b"\xa5\x5a\x01"
        kind, seq = stream[at + 3], struct.unpack_from("<H", stream, at + 4)[0]
        if kind == 0x01:
            n, c = stream[at + 6], stream[at + 7]
            counts = np.frombuffer(stream, "<i4", n * c, at + 12).reshape(n, c)
            found.append((seq, counts))
            at += 14 + 4 * n * c
        else:
            at += 10 + struct.unpack_from("<H", stream, at + 6)[0]
    return found


@pytest.mark.parametrize("position", [(-250.0, 200.0), (250.0, -200.0), (0.0, 0.0), (60.0, 35.0)])
def test_a_resting_mass_weighs_m_g_at_its_position(position: tuple[float, float]) -> None:
    mass = static_load(20.0, position, rate_hz=100, spacing_mm=SPACING)
    fl, fr, bl, br = mass.loads_n.T
    fz = fl + fr + bl + br
    np.testing.assert_allclose(fz, 20.0 * 9.80665)
    np.testing.assert_allclose(SPACING[0] / 2 * ((fr + br) - (fl + bl)) / fz, position[0])
    np.testing.assert_allclose(SPACING[1] / 2 * ((fl + fr) - (bl + br)) / fz, position[1])
    assert mass.loads_n.shape == (100, 4)
    assert not mass.loads_n.flags.writeable


def test_a_mass_off_the_plate_or_negative_is_refused() -> None:
    with pytest.raises(ValueError, match=r"off the 500 x 400 mm sensor rectangle"):
        static_load(10.0, (300.0, 0.0), spacing_mm=SPACING)
    with pytest.raises(ValueError, match=r"expected a mass of 0 kg \(empty plate\) or more"):
        static_load(-1.0)


def test_placing_a_mass_changes_the_counts_of_the_following_samples_only() -> None:
    slope = 2.0**-10
    config = PlateConfig(rate_hz=100, slopes=(slope,) * 4, offsets=(0.0,) * 4, adc_noise_counts=0)
    plate = GkfpPlate(static_load(0.0, rate_hz=100), config)
    plate.power_up(0)
    before = samples(plate.receive(b"START\n", 0) + plate.advance(100_000, online=True))
    plate.place(static_load(10.0, (-250.0, 200.0), rate_hz=100, spacing_mm=SPACING))
    after = samples(plate.advance(200_000, online=True))
    assert [counts.tolist() for _, counts in before] == [[[0, 0, 0, 0]]] * 11
    weight = 10.0 * 9.80665
    expected = np.rint(np.array([3, 1, 1, -1]) * weight / 4 / slope)
    assert [counts.tolist() for _, counts in after] == [[expected.tolist()]] * 10
    assert [seq for seq, _ in after] == list(range(before[-1][0] + 1, before[-1][0] + 11))
