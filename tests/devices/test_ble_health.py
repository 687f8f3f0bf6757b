"""BLE health decoders against every golden vector of ble-health-profiles.md §5–§6."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.protocols.ble_health import (
    CHARACTERISTICS,
    DECODERS,
    SERVICES,
    BloodPressureMeasurement,
    DateTimeFields,
    HeartRateMeasurement,
    PlxContinuousMeasurement,
    PlxSpotCheckMeasurement,
    TemperatureMeasurement,
    WeightMeasurement,
    decode_blood_pressure_measurement,
    decode_heart_rate_measurement,
    decode_intermediate_cuff_pressure,
    decode_intermediate_temperature,
    decode_plx_continuous,
    decode_plx_features,
    decode_plx_spot_check,
    decode_temperature_measurement,
    decode_weight_measurement,
    decode_weight_scale_feature,
    uuid128,
)
from devices.protocols.ble_vitals import MMHG_PER_KPA


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(" ".join(text.split()))


BP_FIRST_ROW = "1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00"
APRIL_17 = DateTimeFields(None, 4, 17, 20, 41, 59)
NOV_29 = datetime(2024, 11, 29, 23, 8, 57)  # noqa: DTZ001


# §5.1 and §6: Heart Rate Measurement 0x2A37


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("00 55", HeartRateMeasurement(85, False, False, None, ())),
        ("04 FF", HeartRateMeasurement(255, True, False, None, ())),
        ("1E 55 32 00 21 00", HeartRateMeasurement(85, True, True, 50, (33 / 1024,))),
        (
            "1F 01 01 32 01 01 00 02 01 FF FF",
            HeartRateMeasurement(257, True, True, 306, (1 / 1024, 258 / 1024, 65535 / 1024)),
        ),
        ("10 48 00 04", HeartRateMeasurement(72, False, False, None, (1.0,))),
    ],
)
def test_heart_rate_golden_vectors(wire: str, expected: HeartRateMeasurement) -> None:
    assert decode_heart_rate_measurement(hexbytes(wire)) == expected


@pytest.mark.parametrize("wire", ["17 01 01", "10 48", "10 48 00", "01 48", "08 48 00"])
def test_heart_rate_without_announced_fields_is_invalid(wire: str) -> None:
    with pytest.raises(ProtocolError, match="Heart Rate Measurement 0x2A37"):
        decode_heart_rate_measurement(hexbytes(wire))


def test_heart_rate_rr_list_ignores_an_odd_trailing_byte_and_counts_it() -> None:
    decoded = decode_heart_rate_measurement(hexbytes("10 48 00 04 05"))
    assert decoded.rr_intervals_s == (1.0,)
    assert decoded.trailing_bytes == 1


def test_heart_rate_without_rr_counts_trailing_bytes() -> None:
    assert decode_heart_rate_measurement(hexbytes("00 55 01 02")).trailing_bytes == 2


# §5.2 and §6: Blood Pressure Measurement 0x2A35, Intermediate Cuff Pressure 0x2A36


def test_blood_pressure_first_row_mmhg_with_every_optional_field() -> None:
    decoded = decode_blood_pressure_measurement(hexbytes(BP_FIRST_ROW))
    assert decoded == BloodPressureMeasurement(
        systolic_mmhg=138.0,
        diastolic_mmhg=88.0,
        mean_arterial_pressure_mmhg=120.0,
        unit_sent="mmHg",
        timestamp=None,
        device_time=APRIL_17,
        pulse_rate_bpm=60.0,
        user_id=1,
        status=decoded.status,
    )
    assert decoded.status is not None
    assert decoded.status.raw == 0x0027
    assert decoded.status.body_movement
    assert decoded.status.cuff_too_loose
    assert decoded.status.irregular_pulse
    assert decoded.status.pulse_rate_range == "in_range"
    assert decoded.status.improper_position


def test_blood_pressure_kpa_row_is_reported_in_mmhg_with_sign_extended_exponents() -> None:
    decoded = decode_blood_pressure_measurement(hexbytes("15 BD F0 0B 00 9F F0 3C 00 12 00"))
    assert decoded.unit_sent == "kPa"
    assert decoded.systolic_mmhg == pytest.approx(18.9 * MMHG_PER_KPA)
    assert decoded.systolic_mmhg == pytest.approx(141.76, abs=0.01)
    assert decoded.diastolic_mmhg == pytest.approx(11.0 * MMHG_PER_KPA)
    assert decoded.mean_arterial_pressure_mmhg == pytest.approx(15.9 * MMHG_PER_KPA)
    assert decoded.pulse_rate_bpm == 60.0
    assert (decoded.device_time, decoded.timestamp, decoded.user_id) == (None, None, None)
    assert decoded.status is not None
    assert decoded.status.raw == 0x0012
    assert decoded.status.cuff_too_loose
    assert not decoded.status.body_movement
    assert not decoded.status.irregular_pulse
    assert decoded.status.pulse_rate_range == "below_lower_limit"
    assert not decoded.status.improper_position


def test_blood_pressure_minimal_row_takes_the_unit_flag_at_its_word() -> None:
    decoded = decode_blood_pressure_measurement(hexbytes("00 BD F0 0B 00 9F F0"))
    assert decoded == BloodPressureMeasurement(
        18.9, 11.0, 15.9, "mmHg", None, None, None, None, None
    )


@pytest.mark.parametrize(
    ("wire", "field"),
    [
        ("01 02 03 04 05 06", "mean arterial pressure: needs 2 bytes at offset 5, .* has 6"),
        ("03 02 03 04 05 06 07", "time stamp: needs 7 bytes at offset 7, .* has 7"),
        ("", "flags: needs 1 bytes at offset 0, .* has 0"),
    ],
)
def test_blood_pressure_invalid_rows(wire: str, field: str) -> None:
    with pytest.raises(ProtocolError, match=f"Blood Pressure Measurement 0x2A35 {field}"):
        decode_blood_pressure_measurement(hexbytes(wire))


def test_intermediate_cuff_pressure_row() -> None:
    wire = "1E 04 00 00 00 00 00 00 00 04 11 14 29 3B 3C 00 01 27 00"
    decoded = decode_intermediate_cuff_pressure(hexbytes(wire))
    assert decoded.cuff_pressure_mmhg == 4.0
    assert decoded.unit_sent == "mmHg"
    assert (decoded.device_time, decoded.timestamp) == (APRIL_17, None)
    assert (decoded.pulse_rate_bpm, decoded.user_id) == (60.0, 1)
    assert decoded.status is not None
    assert decoded.status.raw == 0x0027


def test_blood_pressure_nan_pressures_are_missing_and_the_rest_decodes() -> None:
    wire = "1E FF 07 FF 07 FF 07 00 00 04 11 14 29 3B 3C 00 01 27 00"
    decoded = decode_blood_pressure_measurement(hexbytes(wire))
    reference = decode_blood_pressure_measurement(hexbytes(BP_FIRST_ROW))
    assert math.isnan(decoded.systolic_mmhg)
    assert math.isnan(decoded.diastolic_mmhg)
    assert math.isnan(decoded.mean_arterial_pressure_mmhg)
    assert (decoded.device_time, decoded.pulse_rate_bpm, decoded.user_id, decoded.status) == (
        reference.device_time,
        reference.pulse_rate_bpm,
        reference.user_id,
        reference.status,
    )


def test_blood_pressure_with_a_known_date_has_a_naive_local_timestamp() -> None:
    wire = "02 8A 00 58 00 78 00 E2 07 04 11 0F 33 00"
    decoded = decode_blood_pressure_measurement(hexbytes(wire))
    assert decoded.timestamp == datetime(2018, 4, 17, 15, 51, 0)  # noqa: DTZ001


def test_blood_pressure_trailing_bytes_are_counted_not_decoded() -> None:
    decoded = decode_blood_pressure_measurement(hexbytes(BP_FIRST_ROW + " AA BB"))
    assert decoded.trailing_bytes == 2
    assert decoded.systolic_mmhg == 138.0


# §5.3: Pulse oximeter


@pytest.mark.parametrize("wire", ["00 64 00 5A 00", "00 E8 F3 84 F3"])
def test_plx_continuous_minimal_rows_in_both_encodings(wire: str) -> None:
    decoded = decode_plx_continuous(hexbytes(wire))
    assert decoded == PlxContinuousMeasurement(
        100.0, 90.0, None, None, None, None, None, None, None
    )
    assert decoded.reportable


def test_plx_continuous_with_status_and_pulse_amplitude_index() -> None:
    decoded = decode_plx_continuous(hexbytes("1C 5F 00 5A 00 20 00 00 00 00 57 F0"))
    assert (decoded.spo2_pct, decoded.pulse_rate_bpm) == (95.0, 90.0)
    assert decoded.spo2_fast_pct is None
    assert decoded.spo2_slow_pct is None
    assert decoded.measurement_status is not None
    assert decoded.measurement_status.raw == 0x0020
    assert decoded.measurement_status.measurement_ongoing
    assert decoded.device_status is not None
    assert decoded.device_status.raw == 0
    assert decoded.pulse_amplitude_index_pct == 8.7
    assert decoded.reportable


def test_plx_continuous_with_fast_and_slow_values() -> None:
    wire = "1F DE F3 CA F3 CA F3 5A F5 D4 F3 B2 F2 20 01 00 00 00 7A E3"
    decoded = decode_plx_continuous(hexbytes(wire))
    assert (decoded.spo2_pct, decoded.pulse_rate_bpm) == (99.0, 97.0)
    assert (decoded.spo2_fast_pct, decoded.pulse_rate_fast_bpm) == (97.0, 137.0)
    assert (decoded.spo2_slow_pct, decoded.pulse_rate_slow_bpm) == (98.0, 69.0)
    assert decoded.measurement_status is not None
    assert decoded.measurement_status.raw == 0x0120
    assert decoded.measurement_status.measurement_ongoing
    assert decoded.measurement_status.fully_qualified_data
    assert not decoded.measurement_status.validated_data
    assert decoded.device_status is not None
    assert decoded.device_status.raw == 0
    assert decoded.pulse_amplitude_index_pct == pytest.approx(8.90)


def test_plx_spot_check_row() -> None:
    wire = "0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3"
    decoded = decode_plx_spot_check(hexbytes(wire))
    assert (decoded.spo2_pct, decoded.pulse_rate_bpm) == (94.0, 147.0)
    assert decoded.timestamp == NOV_29
    assert decoded.measurement_status is not None
    assert decoded.measurement_status.raw == 0x4020
    assert decoded.measurement_status.measurement_ongoing
    assert decoded.measurement_status.questionable_measurement
    assert decoded.device_status is not None
    assert decoded.device_status.raw == 0x000022
    assert decoded.device_status.equipment_malfunction
    assert decoded.device_status.low_perfusion
    assert decoded.device_status.conditions == {"equipment_malfunction", "low_perfusion"}
    assert decoded.pulse_amplitude_index_pct == 8.70
    assert not decoded.device_clock_not_set
    assert not decoded.reportable


def test_plx_spot_check_clock_not_set_flag() -> None:
    decoded = decode_plx_spot_check(hexbytes("10 AC F3 BE F5"))
    assert decoded == PlxSpotCheckMeasurement(94.0, 147.0, None, None, None, None, None, True)


def test_plx_flag_bit_0_means_different_fields_in_spot_check_and_continuous() -> None:
    wire = hexbytes("01 64 00 5A 00 E8 07 0B 1D 17 08 39")
    assert decode_plx_spot_check(wire).timestamp == NOV_29
    continuous = decode_plx_continuous(wire)
    assert (continuous.spo2_fast_pct, continuous.pulse_rate_fast_bpm) == (2024.0, -7570.0)


def test_plx_features_row() -> None:
    decoded = decode_plx_features(hexbytes("A3 00 40 10 80 01 00"))
    assert decoded.raw == 0x00A3
    assert decoded.measurement_status_supported
    assert decoded.device_status_supported
    assert decoded.spo2pr_slow
    assert decoded.multiple_bonds
    assert not decoded.spo2pr_fast
    assert not decoded.spot_check_storage
    assert not decoded.spot_check_time_stamp
    assert not decoded.pulse_amplitude_index
    assert decoded.measurement_status_support is not None
    assert decoded.measurement_status_support.raw == 0x1040
    assert decoded.measurement_status_support.early_estimated_data
    assert decoded.measurement_status_support.calibration_ongoing
    assert decoded.device_status_support is not None
    assert decoded.device_status_support.raw == 0x000180
    assert decoded.device_status_support.conditions == {
        "non_pulsatile_signal",
        "questionable_pulse",
    }


def test_plx_features_without_support_masks() -> None:
    decoded = decode_plx_features(hexbytes("0C 00"))
    assert decoded.spot_check_storage
    assert decoded.spot_check_time_stamp
    assert decoded.measurement_status_support is None
    assert decoded.device_status_support is None


# §5.4: Health Thermometer


def test_temperature_row_with_time_stamp_and_type() -> None:
    decoded = decode_temperature_measurement(hexbytes("06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"))
    assert decoded == TemperatureMeasurement(
        temperature_c=37.6,
        unit_sent="C",
        timestamp=datetime(2012, 12, 5, 11, 50, 27),  # noqa: DTZ001
        device_time=DateTimeFields(2012, 12, 5, 11, 50, 27),
        temperature_type=4,
    )
    assert decoded.temperature_type_name == "finger"


def test_temperature_with_type_flag_but_no_type_byte_is_invalid() -> None:
    with pytest.raises(ProtocolError, match="temperature type: needs 1 bytes at offset 12"):
        decode_temperature_measurement(hexbytes("06 B0 0E 00 FE DC 07 0C 05 0B 32 1B"))


def test_fahrenheit_is_reported_in_celsius_and_keeps_the_unit_sent() -> None:
    decoded = decode_intermediate_temperature(hexbytes("01 DA 03 00 FF"))
    assert decoded.unit_sent == "F"
    assert decoded.temperature_c == pytest.approx(37.0)
    assert decoded.temperature_type is None
    assert decoded.temperature_type_name is None


# §5.5: Weight Scale


def test_weight_si_row() -> None:
    decoded = decode_weight_measurement(hexbytes("00 B0 36"))
    assert decoded == WeightMeasurement(70.0, 70.0, "SI", None, None, None, None, None, None)


def test_weight_imperial_row_is_reported_in_kg() -> None:
    decoded = decode_weight_measurement(hexbytes("01 54 3D"))
    assert decoded.unit_sent == "imperial"
    assert decoded.weight_as_sent == 157.0
    assert decoded.weight_kg == pytest.approx(157.0 * 0.45359237)


def test_weight_row_with_every_optional_field() -> None:
    decoded = decode_weight_measurement(hexbytes("0E B0 36 E8 07 0B 1D 17 08 39 01 E3 00 DC 06"))
    assert decoded.weight_kg == 70.0
    assert decoded.timestamp == NOV_29
    assert decoded.user_id == 1
    assert decoded.bmi_kg_m2 == 22.7
    assert decoded.height_m == 1.756


def test_weight_imperial_height_is_reported_in_metres() -> None:
    decoded = decode_weight_measurement(hexbytes("09 54 3D E3 00 BC 02"))
    assert decoded.height_as_sent == 70.0
    assert decoded.height_m == pytest.approx(70.0 * 0.0254)


def test_weight_raw_ffff_is_missing() -> None:
    decoded = decode_weight_measurement(hexbytes("00 FF FF"))
    assert decoded.weight_kg is None
    assert decoded.weight_as_sent is None


def test_weight_with_bmi_flag_but_no_height_is_invalid() -> None:
    with pytest.raises(ProtocolError, match="Weight Measurement 0x2A9D height"):
        decode_weight_measurement(hexbytes("08 B0 36 E3 00"))


def test_weight_scale_feature_decodes_support_bits_and_resolutions() -> None:
    decoded = decode_weight_scale_feature(hexbytes("BF 01 00 00"))
    assert decoded.time_stamp_supported
    assert decoded.multiple_users_supported
    assert decoded.bmi_supported
    assert (decoded.weight_resolution_code, decoded.height_resolution_code) == (7, 3)
    assert (decoded.weight_resolution_kg, decoded.weight_resolution_lb) == (0.005, 0.01)
    assert (decoded.height_resolution_m, decoded.height_resolution_in) == (0.001, 0.1)


def test_weight_scale_feature_unspecified_and_reserved_resolutions_are_none() -> None:
    decoded = decode_weight_scale_feature(hexbytes("40 02 00 00"))  # weight 8, height 4
    assert (decoded.weight_resolution_code, decoded.height_resolution_code) == (8, 4)
    assert decoded.weight_resolution_kg is None
    assert decoded.height_resolution_m is None
    assert decode_weight_scale_feature(bytes(4)).weight_resolution_kg is None


# §5 table, §6 and robustness over every decoder

VALID_ROWS: list[tuple[int, str]] = [
    (0x2A35, BP_FIRST_ROW),
    (0x2A35, "15 BD F0 0B 00 9F F0 3C 00 12 00"),
    (0x2A35, "00 BD F0 0B 00 9F F0"),
    (0x2A36, "1E 04 00 00 00 00 00 00 00 04 11 14 29 3B 3C 00 01 27 00"),
    (0x2A5F, "00 64 00 5A 00"),
    (0x2A5F, "1C 5F 00 5A 00 20 00 00 00 00 57 F0"),
    (0x2A5F, "1F DE F3 CA F3 CA F3 5A F5 D4 F3 B2 F2 20 01 00 00 00 7A E3"),
    (0x2A5E, "0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3"),
    (0x2A60, "A3 00 40 10 80 01 00"),
    (0x2A1C, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"),
    (0x2A1E, "06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04"),
    (0x2A9D, "0E B0 36 E8 07 0B 1D 17 08 39 01 E3 00 DC 06"),
    (0x2A9E, "BF 01 00 00"),
    (0x2A37, "1E 55 32 00 21 00"),
]


@pytest.mark.parametrize(("uuid16", "wire"), VALID_ROWS)
def test_every_truncation_of_a_golden_row_is_a_protocol_error(uuid16: int, wire: str) -> None:
    data = hexbytes(wire)
    DECODERS[uuid16](data)
    for length in range(len(data)):
        with pytest.raises(ProtocolError, match=f"{uuid16:#06X}".replace("0X", "0x")):
            DECODERS[uuid16](data[:length])


@pytest.mark.parametrize("uuid16", sorted(DECODERS))
def test_an_empty_value_is_invalid_for_every_characteristic(uuid16: int) -> None:
    with pytest.raises(ProtocolError, match=r"flags|features"):
        DECODERS[uuid16](b"")


def test_a_bad_time_stamp_in_a_measurement_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match=r"0x2A35 time stamp: month 13"):
        decode_blood_pressure_measurement(hexbytes("02 8A 00 58 00 78 00 E2 07 0D 11 0F 33 00"))


def test_uuid_table_covers_every_decoder_and_names_the_services() -> None:
    by_uuid = {c.uuid16: c for c in CHARACTERISTICS}
    assert set(DECODERS) <= set(by_uuid)
    assert by_uuid[0x2A35].service_uuid16 == SERVICES["blood_pressure"] == 0x1810
    assert by_uuid[0x2A37].service_uuid16 == SERVICES["heart_rate"] == 0x180D
    assert by_uuid[0x2A5E].service_uuid16 == SERVICES["pulse_oximeter"] == 0x1822
    assert by_uuid[0x2A1C].service_uuid16 == SERVICES["health_thermometer"] == 0x1809
    assert by_uuid[0x2A9D].service_uuid16 == SERVICES["weight_scale"] == 0x181D
    assert uuid128(0x2A37) == "00002a37-0000-1000-8000-00805f9b34fb"
    with pytest.raises(ValueError, match="16-bit UUID"):
        uuid128(0x10000)


def _decode_or_protocol_error(decoder: Callable[[bytes], object], data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        decoder(data)


@pytest.mark.parametrize("uuid16", sorted(DECODERS))
@given(data=st.binary(max_size=40))
def test_arbitrary_bytes_decode_or_raise_protocol_error(uuid16: int, data: bytes) -> None:
    _decode_or_protocol_error(DECODERS[uuid16], data)


@pytest.mark.parametrize("uuid16", sorted(DECODERS))
@given(flags=st.integers(0, 255), body=st.binary(min_size=0, max_size=30))
def test_any_flags_with_plausible_bodies_decode_or_raise_protocol_error(
    uuid16: int, flags: int, body: bytes
) -> None:
    _decode_or_protocol_error(DECODERS[uuid16], bytes([flags]) + body)
