"""An emulated health thermometer: the SIG Health Thermometer service (0x1809, profiles §5.4).

``measure`` indicates a Temperature Measurement (0x2A1C) in °C (FLOAT) with a time stamp and,
when given, the temperature type (1 armpit … 9 tympanum).
"""

from __future__ import annotations

from datetime import datetime

from bumble.gatt import Characteristic

from simulators.ble.link import LocalLink
from simulators.ble.peripheral import sig_uuid
from simulators.ble.sig_encoding import SigPeripheral, characteristic, ieee_float

__all__ = [
    "DEFAULT_NAME",
    "HEALTH_THERMOMETER_SERVICE_UUID",
    "TEMPERATURE_MEASUREMENT_UUID",
    "ThermometerPeripheral",
]

HEALTH_THERMOMETER_SERVICE_UUID = sig_uuid(0x1809)
TEMPERATURE_MEASUREMENT_UUID = sig_uuid(0x2A1C)
DEFAULT_NAME = "GK-HT-SIM"

_FLAGS_CELSIUS_TIME_STAMP = 0x02
_FLAG_TEMPERATURE_TYPE = 0x04


class ThermometerPeripheral(SigPeripheral):
    """A thermometer advertising the Health Thermometer service."""

    def __init__(
        self, link: LocalLink, name: str = DEFAULT_NAME, *, send_delay_s: float = 0.0
    ) -> None:
        self.measurement = characteristic(0x2A1C, Characteristic.Properties.INDICATE)
        super().__init__(link, name, 0x1809, [self.measurement], send_delay_s=send_delay_s)

    async def measure(
        self,
        temperature_c: float,
        *,
        temperature_type: int | None = None,
        timestamp: datetime | None = None,
    ) -> bytes | None:
        """Indicate one temperature; returns it once confirmed, None if switched off.

        ``timestamp`` None uses the device clock.
        """
        flags = _FLAGS_CELSIUS_TIME_STAMP | (
            0 if temperature_type is None else _FLAG_TEMPERATURE_TYPE
        )
        value = (
            bytes([flags])
            + ieee_float(temperature_c)
            + self._timestamp(timestamp)
            + (b"" if temperature_type is None else bytes([temperature_type]))
        )
        return value if await self.send(self.measurement, value) else None
