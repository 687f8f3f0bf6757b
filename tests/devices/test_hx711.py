"""HX711 line codec against the golden vectors of genki-forceplate.md §3.8, and fuzzed."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.calibration import PlateCalibration, centre_of_pressure, forces_n
from devices.protocols.hx711 import (
    Discontinuity,
    Gap,
    Hx711Config,
    Hx711Decoder,
    Hx711Record,
    InfoLine,
    default_slope_n_per_unit,
)

V5_CALIBRATION = PlateCalibration((2**-10,) * 4, (-12.5, 3.25, 0.0, -7.75), 500.0, 400.0)


def test_canonical_vectors() -> None:
    decoder = Hx711Decoder()
    events = decoder.feed(
        b"12345,217600,180992,163840,161536\r\n"
        b"12358,218624,179968,164352,161536\n"
        b"# GKHX/1 fw=1.0.0 sn=HX-0042 rate=80\r\n"
        b"12345,217600,180992,163840\r\n"
        b"12345,2176O0,180992,163840,161536\r\n"
        b"\r\n"
    )
    first, second, info = events
    assert isinstance(first, Hx711Record)
    assert isinstance(second, Hx711Record)
    assert (first.t_ms, second.t_ms) == (12345.0, 12358.0)
    forces = forces_n(V5_CALIBRATION, [first.values, second.values])
    np.testing.assert_allclose(forces, [[200, 180, 160, 150], [201, 179, 160.5, 150]])
    fz, ml, ap = centre_of_pressure(V5_CALIBRATION, forces)
    assert fz[0] == 690.0
    np.testing.assert_allclose([ml[0], ap[0]], [-10.8696, 20.2899], atol=5e-5)
    assert info == InfoLine("# GKHX/1 fw=1.0.0 sn=HX-0042 rate=80", reset=True)
    assert decoder.parse_failures == 2


def test_variant_1_sketch_in_kilograms() -> None:
    config = Hx711Config.from_options(
        {"terminator": "#", "separator": ";", "columns": "t_ms,FR,FL,BR,BL", "units": "kg"}
    )
    [record] = Hx711Decoder(config).feed(b"5230;18.35;20.39;15.29;16.31#")
    assert isinstance(record, Hx711Record)
    slope = default_slope_n_per_unit("kg")
    calibration = PlateCalibration((slope,) * 4, (0.0,) * 4, 433.0, 238.0)
    forces = forces_n(calibration, [record.values])
    np.testing.assert_allclose(forces[0], [199.9576, 179.9520, 159.9465, 149.9437], atol=5e-5)
    fz, ml, ap = centre_of_pressure(calibration, forces)
    np.testing.assert_allclose([fz[0], ml[0], ap[0]], [689.7998, -9.4184, 12.0793], atol=5e-5)


def test_a_gap_in_the_device_clock_counts_missing_samples() -> None:
    decoder = Hx711Decoder()
    events = []
    for t in (1000, 1013, 1025, 1038, 1088):
        events += decoder.feed(f"{t},1,2,3,4\n".encode())
    assert [e for e in events if isinstance(e, Gap)] == [Gap(missing_samples=3, lost_frames=0)]
    assert decoder.rate_hz == pytest.approx(1000 / 12.5, rel=0.05)


def test_a_clock_running_back_is_a_reset() -> None:
    decoder = Hx711Decoder()
    events = decoder.feed(b"50000,1,2,3,4\n50013,1,2,3,4\n20,1,2,3,4\n")
    assert sum(isinstance(e, Discontinuity) for e in events) == 1


@pytest.mark.parametrize(
    "line",
    [b"1,nan,2,3,4\n", b"1,inf,2,3,4\n", b"1,+2,2,3,4\n", b"1,2.5,2,3,4\n", b"1,2,3,4,5,6\n"],
)
def test_non_numbers_and_wrong_field_counts_are_parse_failures(line: bytes) -> None:
    decoder = Hx711Decoder()
    assert decoder.feed(line) == []
    assert decoder.parse_failures == 1


def test_a_lost_terminator_cannot_grow_the_buffer() -> None:
    decoder = Hx711Decoder()
    decoder.feed(b"1" * 500)
    assert decoder.parse_failures == 1
    assert decoder.feed(b"\n12,1,2,3,4\n")[-1] == Hx711Record(12.0, (1.0, 2.0, 3.0, 4.0))


def test_bad_configurations_name_the_option() -> None:
    with pytest.raises(ValueError, match="columns"):
        Hx711Config.from_options({"columns": "t_ms,FL,FR"})
    with pytest.raises(ValueError, match="units"):
        Hx711Config.from_options({"units": "stone"})


@given(st.lists(st.binary(max_size=200), max_size=10))
def test_arbitrary_bytes_never_raise(chunks: list[bytes]) -> None:
    decoder = Hx711Decoder()
    for chunk in chunks:
        decoder.feed(chunk)
