"""An emulated pulse oximeter: the SIG Pulse Oximeter service (0x1822, profiles §5.3).

``spot_check`` indicates a PLX Spot-check Measurement (0x2A5E) with a time stamp; ``stream``
notifies PLX Continuous Measurements (0x2A5F), by default once a second, with seeded variation
of ±1 % SpO₂ and ±2 bpm. The stream alternates two encodings of the same numbers (exponent 0 and
−1, e.g. ``64 00`` and ``E8 F3`` for 100 %), as decoders must accept both (§2.1).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import numpy as np
from bumble.gatt import Characteristic

from simulators.ble.link import LocalLink
from simulators.ble.peripheral import sig_uuid
from simulators.ble.sig_encoding import SigPeripheral, characteristic, sfloat

__all__ = [
    "DEFAULT_NAME",
    "PLX_CONTINUOUS_UUID",
    "PLX_FEATURES_UUID",
    "PLX_SERVICE_UUID",
    "PLX_SPOT_CHECK_UUID",
    "PulseOximeterPeripheral",
]

PLX_SERVICE_UUID = sig_uuid(0x1822)
PLX_SPOT_CHECK_UUID = sig_uuid(0x2A5E)
PLX_CONTINUOUS_UUID = sig_uuid(0x2A5F)
PLX_FEATURES_UUID = sig_uuid(0x2A60)
DEFAULT_NAME = "GK-PLX-SIM"

_FEATURES = b"\x08\x00"  # b3 time stamp for spot-check
_SPOT_CHECK_FLAGS_TIME_STAMP = b"\x01"
_CONTINUOUS_FLAGS_NONE = b"\x00"


class PulseOximeterPeripheral(SigPeripheral):
    """A finger oximeter advertising the Pulse Oximeter service."""

    def __init__(
        self, link: LocalLink, name: str = DEFAULT_NAME, *, send_delay_s: float = 0.0
    ) -> None:
        self.spot_check_measurement = characteristic(0x2A5E, Characteristic.Properties.INDICATE)
        self.continuous_measurement = characteristic(0x2A5F, Characteristic.Properties.NOTIFY)
        self.features = characteristic(0x2A60, Characteristic.Properties.READ, _FEATURES)
        characteristics = [self.spot_check_measurement, self.continuous_measurement, self.features]
        super().__init__(link, name, 0x1822, characteristics, send_delay_s=send_delay_s)

    async def spot_check(
        self, spo2: float, pulse: float, *, timestamp: datetime | None = None
    ) -> bytes | None:
        """Indicate one spot-check reading; returns it once confirmed, None if switched off.

        ``timestamp`` None uses the device clock.
        """
        value = (
            _SPOT_CHECK_FLAGS_TIME_STAMP + sfloat(spo2) + sfloat(pulse) + self._timestamp(timestamp)
        )
        return value if await self.send(self.spot_check_measurement, value) else None

    async def stream(
        self, spo2: float, pulse: float, *, seed: int, count: int, interval_s: float = 1.0
    ) -> list[tuple[int, int]]:
        """Notify ``count`` continuous readings ``interval_s`` apart around ``spo2`` and ``pulse``.

        Returns the (SpO₂ %, pulse bpm) pairs actually sent: the ground truth; the list is short
        when the oximeter was switched off.
        """
        rng = np.random.default_rng(seed)
        spo2s = np.clip(round(spo2) + rng.integers(-1, 2, count), 0, 100)
        pulses = np.maximum(round(pulse) + rng.integers(-2, 3, count), 0)
        sent: list[tuple[int, int]] = []
        for index, (saturation, rate) in enumerate(
            zip(spo2s.tolist(), pulses.tolist(), strict=True)
        ):
            if index:
                await asyncio.sleep(interval_s)
            exponent = None if index % 2 == 0 else -1
            value = _CONTINUOUS_FLAGS_NONE + sfloat(saturation, exponent) + sfloat(rate, exponent)
            if not await self.send(self.continuous_measurement, value):
                break
            sent.append((saturation, rate))
        return sent
