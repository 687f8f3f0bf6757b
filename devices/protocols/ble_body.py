"""Heart Rate and Weight Scale characteristic decoders (ble-health-profiles.md §5.1, §5.5).

Pure functions of bytes. Fields are read in table order; a value shorter than its flags announce
raises ``ProtocolError``; bytes after the announced fields are counted in ``trailing_bytes`` so
the adapter can log them (§1). Weight uses the fixed units of the characteristic definition
(0.005 kg, 0.01 lb); whether the Weight Scale Feature resolution rescales it is unverified (§5.5,
§8), so the feature is decoded separately and never applied here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from devices.protocols.ieee11073 import DateTimeFields, FieldReader

UNKNOWN_USER_ID: Final = 255
WEIGHT_UNSUCCESSFUL_RAW: Final = 0xFFFF
KG_PER_LB_NUMERATOR: Final = 45_359_237  # 1 lb = 0.45359237 kg exactly
WEIGHT_RESOLUTIONS_KG_LB: Final = {
    1: (0.5, 1.0),
    2: (0.2, 0.5),
    3: (0.1, 0.2),
    4: (0.05, 0.1),
    5: (0.02, 0.05),
    6: (0.01, 0.02),
    7: (0.005, 0.01),
}
HEIGHT_RESOLUTIONS_M_IN: Final = {1: (0.01, 1.0), 2: (0.005, 0.5), 3: (0.001, 0.1)}


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """Heart Rate Measurement 0x2A37 (§5.1); RR intervals converted from 1/1024 s to seconds."""

    heart_rate_bpm: int
    sensor_contact_supported: bool
    sensor_contact_detected: bool
    energy_expended_kj: int | None
    rr_intervals_s: tuple[float, ...]
    trailing_bytes: int = 0


def decode_heart_rate_measurement(data: bytes) -> HeartRateMeasurement:
    """Decode Heart Rate Measurement 0x2A37 (§5.1); the RR list runs to the end of the value."""
    reader = FieldReader(data, "Heart Rate Measurement 0x2A37")
    flags = reader.uint(1, "flags")
    heart_rate = reader.uint(2 if flags & 0x01 else 1, "heart rate")
    contact = flags >> 1 & 0x03
    energy = reader.uint(2, "energy expended") if flags & 0x08 else None
    intervals: list[float] = []
    if flags & 0x10:
        intervals.append(reader.uint(2, "RR interval") / 1024)
        while reader.remaining >= 2:
            intervals.append(reader.uint(2, "RR interval") / 1024)
    return HeartRateMeasurement(
        heart_rate_bpm=heart_rate,
        sensor_contact_supported=contact >= 2,
        sensor_contact_detected=contact == 3,
        energy_expended_kj=energy,
        rr_intervals_s=tuple(intervals),
        trailing_bytes=reader.remaining,
    )


@dataclass(frozen=True, slots=True)
class WeightMeasurement:
    """Weight Measurement 0x2A9D (§5.5): always in kg and m, with the unit system sent."""

    weight_kg: float | None
    weight_as_sent: float | None
    unit_sent: Literal["SI", "imperial"]
    timestamp: datetime | None
    device_time: DateTimeFields | None
    user_id: int | None
    bmi_kg_m2: float | None
    height_m: float | None
    height_as_sent: float | None
    trailing_bytes: int = 0


def decode_weight_measurement(data: bytes) -> WeightMeasurement:
    """Decode Weight Measurement 0x2A9D (§5.5); raw weight 0xFFFF is treated as missing."""
    reader = FieldReader(data, "Weight Measurement 0x2A9D")
    flags = reader.uint(1, "flags")
    imperial = bool(flags & 0x01)
    raw_weight = reader.uint(2, "weight")
    device_time = reader.date_time() if flags & 0x02 else None
    user_id = reader.uint(1, "user ID") if flags & 0x04 else None
    raw_bmi = reader.uint(2, "BMI") if flags & 0x08 else None
    raw_height = reader.uint(2, "height") if flags & 0x08 else None
    weight_kg: float | None = None
    weight_as_sent: float | None = None
    if raw_weight != WEIGHT_UNSUCCESSFUL_RAW:
        weight_as_sent = raw_weight / 100 if imperial else raw_weight * 5 / 1000
        weight_kg = raw_weight * KG_PER_LB_NUMERATOR / 10**10 if imperial else weight_as_sent
    height_m: float | None = None
    height_as_sent: float | None = None
    if raw_height is not None:
        height_as_sent = raw_height / 10 if imperial else raw_height / 1000
        height_m = raw_height * 254 / 100_000 if imperial else height_as_sent
    return WeightMeasurement(
        weight_kg=weight_kg,
        weight_as_sent=weight_as_sent,
        unit_sent="imperial" if imperial else "SI",
        timestamp=None if device_time is None else device_time.to_datetime(),
        device_time=device_time,
        user_id=user_id,
        bmi_kg_m2=None if raw_bmi is None else raw_bmi / 10,
        height_m=height_m,
        height_as_sent=height_as_sent,
        trailing_bytes=reader.remaining,
    )


@dataclass(frozen=True, slots=True)
class WeightScaleFeature:
    """Weight Scale Feature 0x2A9E (§5.5); resolutions None when not specified or reserved."""

    raw: int
    time_stamp_supported: bool
    multiple_users_supported: bool
    bmi_supported: bool
    weight_resolution_code: int
    weight_resolution_kg: float | None
    weight_resolution_lb: float | None
    height_resolution_code: int
    height_resolution_m: float | None
    height_resolution_in: float | None
    trailing_bytes: int = 0


def decode_weight_scale_feature(data: bytes) -> WeightScaleFeature:
    """Decode Weight Scale Feature 0x2A9E (§5.5): a u32 of support bits and resolution codes."""
    reader = FieldReader(data, "Weight Scale Feature 0x2A9E")
    raw = reader.uint(4, "features")
    weight_code = raw >> 3 & 0x0F
    height_code = raw >> 7 & 0x07
    weight_kg, weight_lb = WEIGHT_RESOLUTIONS_KG_LB.get(weight_code, (None, None))
    height_m, height_in = HEIGHT_RESOLUTIONS_M_IN.get(height_code, (None, None))
    return WeightScaleFeature(
        raw=raw,
        time_stamp_supported=bool(raw & 0x01),
        multiple_users_supported=bool(raw & 0x02),
        bmi_supported=bool(raw & 0x04),
        weight_resolution_code=weight_code,
        weight_resolution_kg=weight_kg,
        weight_resolution_lb=weight_lb,
        height_resolution_code=height_code,
        height_resolution_m=height_m,
        height_resolution_in=height_in,
        trailing_bytes=reader.remaining,
    )
