"""An emulated blood-pressure cuff: the SIG Blood Pressure service (0x1810, profiles §5.2).

``measure`` notifies the cuff pressure (0x2A36) along a seeded inflate/deflate ramp, then indicates
the Blood Pressure Measurement (0x2A35) in mmHg with time stamp, pulse rate and, when a flag is
asked for, the measurement status.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import numpy as np
import numpy.typing as npt
from bumble.gatt import Characteristic

from simulators.ble.link import LocalLink
from simulators.ble.peripheral import sig_uuid
from simulators.ble.sig_encoding import SFLOAT_NAN, SigPeripheral, characteristic, sfloat

__all__ = [
    "BLOOD_PRESSURE_FEATURE_UUID",
    "BLOOD_PRESSURE_MEASUREMENT_UUID",
    "BLOOD_PRESSURE_SERVICE_UUID",
    "DEFAULT_NAME",
    "INTERMEDIATE_CUFF_PRESSURE_UUID",
    "BloodPressurePeripheral",
    "cuff_pressures",
    "mean_arterial_pressure",
]

BLOOD_PRESSURE_SERVICE_UUID = sig_uuid(0x1810)
BLOOD_PRESSURE_MEASUREMENT_UUID = sig_uuid(0x2A35)
INTERMEDIATE_CUFF_PRESSURE_UUID = sig_uuid(0x2A36)
BLOOD_PRESSURE_FEATURE_UUID = sig_uuid(0x2A49)
DEFAULT_NAME = "GK-BP-SIM"

_FEATURES = b"\x05\x00"  # b0 body-movement detection, b2 irregular-pulse detection
_FLAGS_TIME_STAMP_PULSE = 0x06  # mmHg, b1 time stamp, b2 pulse rate
_FLAG_STATUS = 0x10
_STATUS_BODY_MOVEMENT = 0x0001
_STATUS_IRREGULAR_PULSE = 0x0004


def mean_arterial_pressure(systolic: float, diastolic: float) -> int:
    """MAP = DBP + (SBP − DBP) / 3, rounded (half to even) to whole mmHg."""
    return round(diastolic + (systolic - diastolic) / 3)


def cuff_pressures(
    systolic: float, diastolic: float, *, seed: int, inflation_s: float, step_s: float
) -> npt.NDArray[np.float64]:
    """Whole-mmHg cuff pressures, one per step: up from 0 to 35–45 mmHg above systolic, then down.

    Deflation takes twice as long as inflation and ends 20 mmHg below diastolic (at least 0);
    each reading carries ±1 mmHg of seeded jitter.
    """
    rng = np.random.default_rng(seed)
    peak = systolic + 35 + rng.uniform(0, 10)
    steps = max(2, round(inflation_s / step_s))
    ramp = np.concatenate(
        [np.linspace(0, peak, steps), np.linspace(peak, diastolic - 20, 2 * steps)[1:]]
    )
    return np.maximum(np.round(ramp + rng.uniform(-1, 1, ramp.size)), 0)


class BloodPressurePeripheral(SigPeripheral):
    """A cuff advertising the Blood Pressure service; ``measure`` runs one seeded measurement."""

    def __init__(
        self, link: LocalLink, name: str = DEFAULT_NAME, *, send_delay_s: float = 0.0
    ) -> None:
        self.measurement = characteristic(0x2A35, Characteristic.Properties.INDICATE)
        self.intermediate_cuff_pressure = characteristic(0x2A36, Characteristic.Properties.NOTIFY)
        self.feature = characteristic(0x2A49, Characteristic.Properties.READ, _FEATURES)
        characteristics = [self.measurement, self.intermediate_cuff_pressure, self.feature]
        super().__init__(link, name, 0x1810, characteristics, send_delay_s=send_delay_s)

    async def measure(  # noqa: PLR0913 (the scenario parameters of one measurement)
        self,
        systolic: float,
        diastolic: float,
        pulse: float,
        *,
        seed: int,
        inflation_s: float = 8.0,
        step_s: float = 0.5,
        body_movement: bool = False,
        irregular_pulse: bool = False,
        timestamp: datetime | None = None,
    ) -> bytes | None:
        """Notify the cuff ramp ``step_s`` apart, then indicate the result (mmHg).

        Returns the measurement value once confirmed, or None when the cuff was switched off
        before the end. ``timestamp`` None uses the device clock.
        """
        ramp = cuff_pressures(
            systolic, diastolic, seed=seed, inflation_s=inflation_s, step_s=step_s
        )
        for pressure in ramp:
            cuff = b"\x00" + sfloat(float(pressure)) + SFLOAT_NAN + SFLOAT_NAN
            if not await self.send(self.intermediate_cuff_pressure, cuff):
                return None
            await asyncio.sleep(step_s)
        status = (_STATUS_BODY_MOVEMENT if body_movement else 0) | (
            _STATUS_IRREGULAR_PULSE if irregular_pulse else 0
        )
        value = (
            bytes([_FLAGS_TIME_STAMP_PULSE | (_FLAG_STATUS if status else 0)])
            + sfloat(systolic)
            + sfloat(diastolic)
            + sfloat(mean_arterial_pressure(systolic, diastolic))
            + self._timestamp(timestamp)
            + sfloat(pulse)
            + (status.to_bytes(2, "little") if status else b"")
        )
        return value if await self.send(self.measurement, value) else None
