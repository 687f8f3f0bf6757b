"""Pulse Oximeter characteristic decoders (ble-health-profiles.md §5.3).

Pure functions of bytes. Spot-check 0x2A5E and Continuous 0x2A5F use different flag bit positions,
so each has its own table. A reading is not reportable when measurement status b13–15 or device
and sensor status b1, b11, b13, b14 or b15 is set (§5.3). A value shorter than its flags announce
raises ``ProtocolError``; bytes after the announced fields are counted in ``trailing_bytes`` (§1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from devices.protocols.ieee11073 import DateTimeFields, FieldReader

MEASUREMENT_STATUS_BLOCKING: Final = 0xE000  # b13 unavailable, b14 questionable, b15 invalid
DEVICE_STATUS_BLOCKING: Final = 0xE802  # b1, b11, b13, b14, b15
SPOT_CHECK_FLAGS: Final = {
    "time_stamp": 0x01,
    "measurement_status": 0x02,
    "device_status": 0x04,
    "pulse_amplitude_index": 0x08,
    "clock_not_set": 0x10,
}
CONTINUOUS_FLAGS: Final = {
    "fast": 0x01,
    "slow": 0x02,
    "measurement_status": 0x04,
    "device_status": 0x08,
    "pulse_amplitude_index": 0x10,
}


def _bit(raw: int, position: int) -> bool:
    return bool(raw >> position & 1)


@dataclass(frozen=True, slots=True)
class PlxMeasurementStatus:
    """PLX measurement status bits (u16, §5.3); also the layout of the support field of 0x2A60."""

    raw: int

    @property
    def measurement_ongoing(self) -> bool:
        """b5: measurement ongoing."""
        return _bit(self.raw, 5)

    @property
    def early_estimated_data(self) -> bool:
        """b6: early estimated data."""
        return _bit(self.raw, 6)

    @property
    def validated_data(self) -> bool:
        """b7: validated data."""
        return _bit(self.raw, 7)

    @property
    def fully_qualified_data(self) -> bool:
        """b8: fully qualified data."""
        return _bit(self.raw, 8)

    @property
    def data_from_storage(self) -> bool:
        """b9: data from measurement storage."""
        return _bit(self.raw, 9)

    @property
    def demonstration_data(self) -> bool:
        """b10: data for demonstration."""
        return _bit(self.raw, 10)

    @property
    def testing_data(self) -> bool:
        """b11: data for testing."""
        return _bit(self.raw, 11)

    @property
    def calibration_ongoing(self) -> bool:
        """b12: calibration ongoing."""
        return _bit(self.raw, 12)

    @property
    def measurement_unavailable(self) -> bool:
        """b13: measurement unavailable."""
        return _bit(self.raw, 13)

    @property
    def questionable_measurement(self) -> bool:
        """b14: questionable measurement detected."""
        return _bit(self.raw, 14)

    @property
    def invalid_measurement(self) -> bool:
        """b15: invalid measurement detected."""
        return _bit(self.raw, 15)

    @property
    def blocks_report(self) -> bool:
        """True when b13, b14 or b15 makes the reading not reportable (§5.3)."""
        return bool(self.raw & MEASUREMENT_STATUS_BLOCKING)


_DEVICE_STATUS_BITS: Final = (
    "extended_display_update",
    "equipment_malfunction",
    "signal_processing_irregularity",
    "inadequate_signal",
    "poor_signal",
    "low_perfusion",
    "erratic_signal",
    "non_pulsatile_signal",
    "questionable_pulse",
    "signal_analysis_ongoing",
    "sensor_interference",
    "sensor_unconnected",
    "unknown_sensor",
    "sensor_displaced",
    "sensor_malfunctioning",
    "sensor_disconnected",
)


@dataclass(frozen=True, slots=True)
class PlxDeviceStatus:
    """PLX device and sensor status bits (u24, §5.3); also the support field of 0x2A60."""

    raw: int

    @property
    def conditions(self) -> frozenset[str]:
        """Names of the set bits b0–b15 (§5.3 order, e.g. ``"low_perfusion"`` for b5)."""
        return frozenset(n for i, n in enumerate(_DEVICE_STATUS_BITS) if _bit(self.raw, i))

    @property
    def equipment_malfunction(self) -> bool:
        """b1: equipment malfunction."""
        return _bit(self.raw, 1)

    @property
    def low_perfusion(self) -> bool:
        """b5: low perfusion."""
        return _bit(self.raw, 5)

    @property
    def sensor_unconnected(self) -> bool:
        """b11: sensor unconnected to user."""
        return _bit(self.raw, 11)

    @property
    def sensor_displaced(self) -> bool:
        """b13: sensor displaced."""
        return _bit(self.raw, 13)

    @property
    def sensor_disconnected(self) -> bool:
        """b15: sensor disconnected."""
        return _bit(self.raw, 15)

    @property
    def blocks_report(self) -> bool:
        """True when b1, b11, b13, b14 or b15 makes the reading not reportable (§5.3)."""
        return bool(self.raw & DEVICE_STATUS_BLOCKING)


def _reportable(measurement: PlxMeasurementStatus | None, device: PlxDeviceStatus | None) -> bool:
    """Apply genki's reportability rule to the optional status fields (§5.3)."""
    return not (
        (measurement is not None and measurement.blocks_report)
        or (device is not None and device.blocks_report)
    )


@dataclass(frozen=True, slots=True)
class PlxSpotCheckMeasurement:
    """PLX Spot-check Measurement 0x2A5E (§5.3)."""

    spo2_pct: float
    pulse_rate_bpm: float
    timestamp: datetime | None
    device_time: DateTimeFields | None
    measurement_status: PlxMeasurementStatus | None
    device_status: PlxDeviceStatus | None
    pulse_amplitude_index_pct: float | None
    device_clock_not_set: bool
    trailing_bytes: int = 0

    @property
    def reportable(self) -> bool:
        """False when a status bit marks the reading as not reportable (§5.3)."""
        return _reportable(self.measurement_status, self.device_status)


def decode_plx_spot_check(data: bytes) -> PlxSpotCheckMeasurement:
    """Decode PLX Spot-check Measurement 0x2A5E (§5.3), with its own flag positions."""
    reader = FieldReader(data, "PLX Spot-check Measurement 0x2A5E")
    flags = reader.uint(1, "flags")
    spo2 = reader.sfloat("SpO2")
    pulse_rate = reader.sfloat("pulse rate")
    has = {name for name, mask in SPOT_CHECK_FLAGS.items() if flags & mask}
    device_time = reader.date_time() if "time_stamp" in has else None
    status = reader.uint(2, "measurement status") if "measurement_status" in has else None
    device = reader.uint(3, "device and sensor status") if "device_status" in has else None
    pai = reader.sfloat("pulse amplitude index") if "pulse_amplitude_index" in has else None
    return PlxSpotCheckMeasurement(
        spo2_pct=spo2,
        pulse_rate_bpm=pulse_rate,
        timestamp=None if device_time is None else device_time.to_datetime(),
        device_time=device_time,
        measurement_status=None if status is None else PlxMeasurementStatus(status),
        device_status=None if device is None else PlxDeviceStatus(device),
        pulse_amplitude_index_pct=pai,
        device_clock_not_set="clock_not_set" in has,
        trailing_bytes=reader.remaining,
    )


@dataclass(frozen=True, slots=True)
class PlxContinuousMeasurement:
    """PLX Continuous Measurement 0x2A5F (§5.3); fast and slow pairs None when absent."""

    spo2_pct: float
    pulse_rate_bpm: float
    spo2_fast_pct: float | None
    pulse_rate_fast_bpm: float | None
    spo2_slow_pct: float | None
    pulse_rate_slow_bpm: float | None
    measurement_status: PlxMeasurementStatus | None
    device_status: PlxDeviceStatus | None
    pulse_amplitude_index_pct: float | None
    trailing_bytes: int = 0

    @property
    def reportable(self) -> bool:
        """False when a status bit marks the reading as not reportable (§5.3)."""
        return _reportable(self.measurement_status, self.device_status)


def decode_plx_continuous(data: bytes) -> PlxContinuousMeasurement:
    """Decode PLX Continuous Measurement 0x2A5F (§5.3), with its own flag positions."""
    reader = FieldReader(data, "PLX Continuous Measurement 0x2A5F")
    flags = reader.uint(1, "flags")
    spo2 = reader.sfloat("SpO2")
    pulse_rate = reader.sfloat("pulse rate")
    has = {name for name, mask in CONTINUOUS_FLAGS.items() if flags & mask}
    fast = (reader.sfloat("SpO2 fast"), reader.sfloat("pulse rate fast")) if "fast" in has else None
    slow = (reader.sfloat("SpO2 slow"), reader.sfloat("pulse rate slow")) if "slow" in has else None
    status = reader.uint(2, "measurement status") if "measurement_status" in has else None
    device = reader.uint(3, "device and sensor status") if "device_status" in has else None
    pai = reader.sfloat("pulse amplitude index") if "pulse_amplitude_index" in has else None
    return PlxContinuousMeasurement(
        spo2_pct=spo2,
        pulse_rate_bpm=pulse_rate,
        spo2_fast_pct=None if fast is None else fast[0],
        pulse_rate_fast_bpm=None if fast is None else fast[1],
        spo2_slow_pct=None if slow is None else slow[0],
        pulse_rate_slow_bpm=None if slow is None else slow[1],
        measurement_status=None if status is None else PlxMeasurementStatus(status),
        device_status=None if device is None else PlxDeviceStatus(device),
        pulse_amplitude_index_pct=pai,
        trailing_bytes=reader.remaining,
    )


@dataclass(frozen=True, slots=True)
class PlxFeatures:
    """PLX Features 0x2A60 (§5.3): supported features and the optional status-support masks."""

    raw: int
    measurement_status_supported: bool
    device_status_supported: bool
    spot_check_storage: bool
    spot_check_time_stamp: bool
    spo2pr_fast: bool
    spo2pr_slow: bool
    pulse_amplitude_index: bool
    multiple_bonds: bool
    measurement_status_support: PlxMeasurementStatus | None
    device_status_support: PlxDeviceStatus | None
    trailing_bytes: int = 0


def decode_plx_features(data: bytes) -> PlxFeatures:
    """Decode PLX Features 0x2A60 (§5.3)."""
    reader = FieldReader(data, "PLX Features 0x2A60")
    raw = reader.uint(2, "supported features")
    status = reader.uint(2, "measurement status support") if raw & 0x01 else None
    device = reader.uint(3, "device and sensor status support") if raw & 0x02 else None
    return PlxFeatures(
        raw=raw,
        measurement_status_supported=_bit(raw, 0),
        device_status_supported=_bit(raw, 1),
        spot_check_storage=_bit(raw, 2),
        spot_check_time_stamp=_bit(raw, 3),
        spo2pr_fast=_bit(raw, 4),
        spo2pr_slow=_bit(raw, 5),
        pulse_amplitude_index=_bit(raw, 6),
        multiple_bonds=_bit(raw, 7),
        measurement_status_support=None if status is None else PlxMeasurementStatus(status),
        device_status_support=None if device is None else PlxDeviceStatus(device),
        trailing_bytes=reader.remaining,
    )
