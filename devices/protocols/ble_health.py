"""Bluetooth SIG health profiles: UUID table and one decoder per characteristic (§5).

The decoders live in ``ble_body`` (Heart Rate §5.1, Weight Scale §5.5), ``ble_vitals`` (Blood
Pressure §5.2, Health Thermometer §5.4) and ``ble_plx`` (Pulse Oximeter §5.3); this module
re-exports them and maps each measurement characteristic's 16-bit UUID to its decoder. All are
pure functions of bytes that raise ``ProtocolError`` for a value that breaks the profile.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from devices.protocols.ble_body import (
    HeartRateMeasurement,
    WeightMeasurement,
    WeightScaleFeature,
    decode_heart_rate_measurement,
    decode_weight_measurement,
    decode_weight_scale_feature,
)
from devices.protocols.ble_plx import (
    PlxContinuousMeasurement,
    PlxDeviceStatus,
    PlxFeatures,
    PlxMeasurementStatus,
    PlxSpotCheckMeasurement,
    decode_plx_continuous,
    decode_plx_features,
    decode_plx_spot_check,
)
from devices.protocols.ble_vitals import (
    BloodPressureMeasurement,
    BloodPressureStatus,
    IntermediateCuffPressure,
    TemperatureMeasurement,
    decode_blood_pressure_measurement,
    decode_intermediate_cuff_pressure,
    decode_intermediate_temperature,
    decode_temperature_measurement,
)
from devices.protocols.ieee11073 import DateTimeFields

__all__ = [
    "CHARACTERISTICS", "DECODERS", "SERVICES", "BloodPressureMeasurement", "BloodPressureStatus",
    "DateTimeFields", "GattCharacteristic", "HeartRateMeasurement", "IntermediateCuffPressure",
    "PlxContinuousMeasurement", "PlxDeviceStatus", "PlxFeatures", "PlxMeasurementStatus",
    "PlxSpotCheckMeasurement", "TemperatureMeasurement", "WeightMeasurement", "WeightScaleFeature",
    "decode_blood_pressure_measurement", "decode_heart_rate_measurement",
    "decode_intermediate_cuff_pressure", "decode_intermediate_temperature",
    "decode_plx_continuous", "decode_plx_features", "decode_plx_spot_check",
    "decode_temperature_measurement", "decode_weight_measurement", "decode_weight_scale_feature",
    "uuid128",
]  # fmt: skip

BASE_UUID_SUFFIX: Final = "-0000-1000-8000-00805f9b34fb"

SERVICES: Final[Mapping[str, int]] = {
    "blood_pressure": 0x1810,
    "heart_rate": 0x180D,
    "pulse_oximeter": 0x1822,
    "health_thermometer": 0x1809,
    "weight_scale": 0x181D,
    "current_time": 0x1805,
}


@dataclass(frozen=True, slots=True)
class GattCharacteristic:
    """One row of the §5 table: characteristic, its service, requirement and access."""

    uuid16: int
    name: str
    service_uuid16: int
    requirement: Literal["M", "O", "C"]
    properties: tuple[str, ...]


CHARACTERISTICS: Final[tuple[GattCharacteristic, ...]] = (
    GattCharacteristic(0x2A35, "Blood Pressure Measurement", 0x1810, "M", ("indicate",)),
    GattCharacteristic(0x2A36, "Intermediate Cuff Pressure", 0x1810, "O", ("notify",)),
    GattCharacteristic(0x2A49, "Blood Pressure Feature", 0x1810, "M", ("read",)),
    GattCharacteristic(0x2A37, "Heart Rate Measurement", 0x180D, "M", ("notify",)),
    GattCharacteristic(0x2A38, "Body Sensor Location", 0x180D, "O", ("read",)),
    GattCharacteristic(0x2A39, "Heart Rate Control Point", 0x180D, "C", ("write",)),
    GattCharacteristic(0x2A5E, "PLX Spot-check Measurement", 0x1822, "C", ("indicate",)),
    GattCharacteristic(0x2A5F, "PLX Continuous Measurement", 0x1822, "C", ("notify",)),
    GattCharacteristic(0x2A60, "PLX Features", 0x1822, "M", ("read",)),
    GattCharacteristic(0x2A52, "Record Access Control Point", 0x1822, "C", ("write", "indicate")),
    GattCharacteristic(0x2A1C, "Temperature Measurement", 0x1809, "M", ("indicate",)),
    GattCharacteristic(0x2A1D, "Temperature Type", 0x1809, "O", ("read",)),
    GattCharacteristic(0x2A1E, "Intermediate Temperature", 0x1809, "O", ("notify",)),
    GattCharacteristic(0x2A21, "Measurement Interval", 0x1809, "O", ("read",)),
    GattCharacteristic(0x2A9D, "Weight Measurement", 0x181D, "M", ("indicate",)),
    GattCharacteristic(0x2A9E, "Weight Scale Feature", 0x181D, "M", ("read",)),
)

DECODERS: Final[Mapping[int, Callable[[bytes], object]]] = {
    0x2A37: decode_heart_rate_measurement,
    0x2A35: decode_blood_pressure_measurement,
    0x2A36: decode_intermediate_cuff_pressure,
    0x2A5E: decode_plx_spot_check,
    0x2A5F: decode_plx_continuous,
    0x2A60: decode_plx_features,
    0x2A1C: decode_temperature_measurement,
    0x2A1E: decode_intermediate_temperature,
    0x2A9D: decode_weight_measurement,
    0x2A9E: decode_weight_scale_feature,
}


def uuid128(uuid16: int) -> str:
    """Return the 128-bit form (``0000xxxx-0000-1000-8000-00805f9b34fb``) of a 16-bit UUID (§1)."""
    if not 0 <= uuid16 <= 0xFFFF:
        raise ValueError(f"16-bit UUID expected, got {uuid16:#x}")
    return f"0000{uuid16:04x}{BASE_UUID_SUFFIX}"
