"""An emulated heart-rate strap: the SIG Heart Rate service (0x180D) as a bumble GATT peripheral.

The peripheral stores no physiology: a test or a model hands it the raw Heart Rate Measurement
payloads (0x2A37) to notify, and it paces them by an interval.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from bumble.gatt import Characteristic, Service

from simulators.ble.link import LocalLink
from simulators.ble.peripheral import Peripheral, sig_uuid

__all__ = [
    "BODY_SENSOR_LOCATION_UUID",
    "DEFAULT_NAME",
    "HEART_RATE_CONTROL_POINT_UUID",
    "HEART_RATE_MEASUREMENT_UUID",
    "HEART_RATE_SERVICE_UUID",
    "HeartRatePeripheral",
]

HEART_RATE_SERVICE_UUID = sig_uuid(0x180D)
HEART_RATE_MEASUREMENT_UUID = sig_uuid(0x2A37)
BODY_SENSOR_LOCATION_UUID = sig_uuid(0x2A38)
HEART_RATE_CONTROL_POINT_UUID = sig_uuid(0x2A39)
DEFAULT_NAME = "GK-HR-SIM"

_BODY_SENSOR_LOCATION_CHEST = b"\x01"


class HeartRatePeripheral(Peripheral):
    """A connectable peripheral advertising a name and the Heart Rate service."""

    def __init__(self, link: LocalLink, name: str = DEFAULT_NAME) -> None:
        self.control_point_writes: list[bytes] = []
        self.measurement = Characteristic(
            "2A37", Characteristic.Properties.NOTIFY, Characteristic.READABLE, b""
        )
        self.body_sensor_location = Characteristic(
            "2A38",
            Characteristic.Properties.READ,
            Characteristic.READABLE,
            _BODY_SENSOR_LOCATION_CHEST,
        )
        self.control_point = Characteristic(
            "2A39", Characteristic.Properties.WRITE, Characteristic.WRITEABLE, b""
        )
        self.control_point.on("write", self._on_control_point_write)
        service = Service("180D", [self.measurement, self.body_sensor_location, self.control_point])
        super().__init__(link, name, [service], [HEART_RATE_SERVICE_UUID])

    async def wait_for_subscriber(
        self, characteristic: Characteristic[bytes] | None = None, timeout: float = 5.0
    ) -> None:
        """Wait until a central has enabled notifications on the measurement."""
        await super().wait_for_subscriber(characteristic or self.measurement, timeout)

    async def notify_measurements(self, payloads: Sequence[bytes], interval: float = 0.0) -> None:
        """Notify each raw measurement payload to the subscribers, ``interval`` seconds apart."""
        if not self.is_on:
            raise RuntimeError("peripheral not started")
        for index, payload in enumerate(payloads):
            if index and interval > 0:
                await asyncio.sleep(interval)
            await self.notify(self.measurement, payload)

    def _on_control_point_write(self, _connection: Any, value: bytes) -> None:
        self.control_point_writes.append(bytes(value))
