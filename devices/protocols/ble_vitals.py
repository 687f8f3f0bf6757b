"""Blood Pressure and Health Thermometer decoders (ble-health-profiles.md §5.2, §5.4).

Pure functions of bytes. Pressures are always reported in mmHg and temperatures in °C, with the
unit the device sent kept alongside. SFLOAT/FLOAT special values stay ``nan``/``inf`` (§2.3). A
value shorter than its flags announce raises ``ProtocolError``; bytes after the announced fields
are counted in ``trailing_bytes`` so the adapter can log them (§1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from devices.protocols.ieee11073 import DateTimeFields, FieldReader

MMHG_PER_KPA: Final = 1000 / 133.322387415  # 1 mmHg = 133.322387415 Pa
UNKNOWN_USER_ID: Final = 255
TEMPERATURE_TYPE_NAMES: Final = {
    1: "armpit",
    2: "body",
    3: "ear",
    4: "finger",
    5: "gastro-intestinal tract",
    6: "mouth",
    7: "rectum",
    8: "toe",
    9: "tympanum",
}
PulseRateRange = Literal["in_range", "above_upper_limit", "below_lower_limit", "reserved"]
_PULSE_RATE_RANGES: Final[tuple[PulseRateRange, ...]] = (
    "in_range",
    "above_upper_limit",
    "below_lower_limit",
    "reserved",
)


@dataclass(frozen=True, slots=True)
class BloodPressureStatus:
    """Blood pressure measurement status bits (u16, §5.2)."""

    raw: int

    @property
    def body_movement(self) -> bool:
        """b0: body movement detected."""
        return bool(self.raw & 0x0001)

    @property
    def cuff_too_loose(self) -> bool:
        """b1: cuff too loose."""
        return bool(self.raw & 0x0002)

    @property
    def irregular_pulse(self) -> bool:
        """b2: irregular pulse detected."""
        return bool(self.raw & 0x0004)

    @property
    def pulse_rate_range(self) -> PulseRateRange:
        """b3–4: pulse rate within range, above the upper or below the lower limit."""
        return _PULSE_RATE_RANGES[self.raw >> 3 & 0x03]

    @property
    def improper_position(self) -> bool:
        """b5: improper measurement position."""
        return bool(self.raw & 0x0020)


@dataclass(frozen=True, slots=True)
class BloodPressureMeasurement:
    """Blood Pressure Measurement 0x2A35 (§5.2), in mmHg whatever unit was sent."""

    systolic_mmhg: float
    diastolic_mmhg: float
    mean_arterial_pressure_mmhg: float
    unit_sent: Literal["mmHg", "kPa"]
    timestamp: datetime | None
    device_time: DateTimeFields | None
    pulse_rate_bpm: float | None
    user_id: int | None
    status: BloodPressureStatus | None
    trailing_bytes: int = 0


@dataclass(frozen=True, slots=True)
class IntermediateCuffPressure:
    """Intermediate Cuff Pressure 0x2A36 (§5.2): the live cuff pressure in mmHg."""

    cuff_pressure_mmhg: float
    unit_sent: Literal["mmHg", "kPa"]
    timestamp: datetime | None
    device_time: DateTimeFields | None
    pulse_rate_bpm: float | None
    user_id: int | None
    status: BloodPressureStatus | None
    trailing_bytes: int = 0


def _decode_blood_pressure(data: bytes, name: str) -> BloodPressureMeasurement:
    """Decode the layout shared by 0x2A35 and 0x2A36 (§5.2)."""
    reader = FieldReader(data, name)
    flags = reader.uint(1, "flags")
    kpa = bool(flags & 0x01)
    scale = MMHG_PER_KPA if kpa else 1.0
    systolic = reader.sfloat("systolic") * scale
    diastolic = reader.sfloat("diastolic") * scale
    mean = reader.sfloat("mean arterial pressure") * scale
    device_time = reader.date_time() if flags & 0x02 else None
    pulse_rate = reader.sfloat("pulse rate") if flags & 0x04 else None
    user_id = reader.uint(1, "user ID") if flags & 0x08 else None
    status = reader.uint(2, "measurement status") if flags & 0x10 else None
    return BloodPressureMeasurement(
        systolic_mmhg=systolic,
        diastolic_mmhg=diastolic,
        mean_arterial_pressure_mmhg=mean,
        unit_sent="kPa" if kpa else "mmHg",
        timestamp=None if device_time is None else device_time.to_datetime(),
        device_time=device_time,
        pulse_rate_bpm=pulse_rate,
        user_id=user_id,
        status=None if status is None else BloodPressureStatus(status),
        trailing_bytes=reader.remaining,
    )


def decode_blood_pressure_measurement(data: bytes) -> BloodPressureMeasurement:
    """Decode Blood Pressure Measurement 0x2A35 (§5.2); kPa values are converted to mmHg."""
    return _decode_blood_pressure(data, "Blood Pressure Measurement 0x2A35")


def decode_intermediate_cuff_pressure(data: bytes) -> IntermediateCuffPressure:
    """Decode Intermediate Cuff Pressure 0x2A36 (§5.2); diastolic and MAP are ignored."""
    full = _decode_blood_pressure(data, "Intermediate Cuff Pressure 0x2A36")
    return IntermediateCuffPressure(
        cuff_pressure_mmhg=full.systolic_mmhg,
        unit_sent=full.unit_sent,
        timestamp=full.timestamp,
        device_time=full.device_time,
        pulse_rate_bpm=full.pulse_rate_bpm,
        user_id=full.user_id,
        status=full.status,
        trailing_bytes=full.trailing_bytes,
    )


@dataclass(frozen=True, slots=True)
class TemperatureMeasurement:
    """Temperature Measurement 0x2A1C or Intermediate Temperature 0x2A1E (§5.4), in °C."""

    temperature_c: float
    unit_sent: Literal["C", "F"]
    timestamp: datetime | None
    device_time: DateTimeFields | None
    temperature_type: int | None
    trailing_bytes: int = 0

    @property
    def temperature_type_name(self) -> str | None:
        """Body site of ``temperature_type`` (§5.4); None when absent or reserved."""
        return TEMPERATURE_TYPE_NAMES.get(self.temperature_type or 0)


def _decode_temperature(data: bytes, name: str) -> TemperatureMeasurement:
    """Decode the layout shared by 0x2A1C and 0x2A1E (§5.4)."""
    reader = FieldReader(data, name)
    flags = reader.uint(1, "flags")
    fahrenheit = bool(flags & 0x01)
    value = reader.float32("temperature")
    device_time = reader.date_time() if flags & 0x02 else None
    temperature_type = reader.uint(1, "temperature type") if flags & 0x04 else None
    return TemperatureMeasurement(
        temperature_c=(value - 32) * 5 / 9 if fahrenheit else value,
        unit_sent="F" if fahrenheit else "C",
        timestamp=None if device_time is None else device_time.to_datetime(),
        device_time=device_time,
        temperature_type=temperature_type,
        trailing_bytes=reader.remaining,
    )


def decode_temperature_measurement(data: bytes) -> TemperatureMeasurement:
    """Decode Temperature Measurement 0x2A1C (§5.4); °F values are converted to °C."""
    return _decode_temperature(data, "Temperature Measurement 0x2A1C")


def decode_intermediate_temperature(data: bytes) -> TemperatureMeasurement:
    """Decode Intermediate Temperature 0x2A1E (§5.4); same layout as 0x2A1C."""
    return _decode_temperature(data, "Intermediate Temperature 0x2A1E")
