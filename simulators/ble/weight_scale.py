"""An emulated weight scale: the SIG Weight Scale service (0x181D, profiles §5.5).

``measure`` indicates a Weight Measurement (0x2A9D) in SI units with a time stamp. The weight is
a u16 of 0.005 kg (rounded half to even; at most 327.67 kg, since 0xFFFF means "unsuccessful").
The Weight Scale Feature (0x2A9E) announces time stamps and the 0.005 kg resolution (code 7), the
one case in which both readings of the resolution field agree (§5.5).
"""

from __future__ import annotations

from datetime import datetime

from bumble.gatt import Characteristic

from simulators.ble.link import LocalLink
from simulators.ble.peripheral import sig_uuid
from simulators.ble.sig_encoding import SigPeripheral, characteristic, fixed_point

__all__ = [
    "DEFAULT_NAME",
    "WEIGHT_MEASUREMENT_UUID",
    "WEIGHT_SCALE_FEATURE_UUID",
    "WEIGHT_SCALE_SERVICE_UUID",
    "WeightScalePeripheral",
]

WEIGHT_SCALE_SERVICE_UUID = sig_uuid(0x181D)
WEIGHT_MEASUREMENT_UUID = sig_uuid(0x2A9D)
WEIGHT_SCALE_FEATURE_UUID = sig_uuid(0x2A9E)
DEFAULT_NAME = "GK-WS-SIM"

_FEATURES = (0x01 | 7 << 3).to_bytes(4, "little")  # b0 time stamp, b3–6 resolution 0.005 kg
_FLAGS_SI_TIME_STAMP = b"\x02"
_WEIGHT_UNSUCCESSFUL = 0xFFFF


class WeightScalePeripheral(SigPeripheral):
    """A scale advertising the Weight Scale service."""

    def __init__(
        self, link: LocalLink, name: str = DEFAULT_NAME, *, send_delay_s: float = 0.0
    ) -> None:
        self.measurement = characteristic(0x2A9D, Characteristic.Properties.INDICATE)
        self.feature = characteristic(0x2A9E, Characteristic.Properties.READ, _FEATURES)
        characteristics = [self.measurement, self.feature]
        super().__init__(link, name, 0x181D, characteristics, send_delay_s=send_delay_s)

    async def measure(self, weight_kg: float, *, timestamp: datetime | None = None) -> bytes | None:
        """Indicate one weight; returns it once confirmed, None if switched off.

        ``timestamp`` None uses the device clock.
        """
        raw = fixed_point(weight_kg, "0.005")
        if not 0 <= raw < _WEIGHT_UNSUCCESSFUL:
            raise ValueError(f"weight {weight_kg!r} kg outside 0 to 327.67 kg")
        value = _FLAGS_SI_TIME_STAMP + raw.to_bytes(2, "little") + self._timestamp(timestamp)
        return value if await self.send(self.measurement, value) else None
