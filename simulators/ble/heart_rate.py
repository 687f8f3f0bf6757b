"""An emulated heart-rate strap: the SIG Heart Rate service (0x180D) as a bumble GATT peripheral.

The peripheral stores no physiology: a test or a model hands it the raw Heart Rate Measurement
payloads (0x2A37) to notify, and it paces them by an interval.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Sequence
from typing import Any

from bumble.core import AdvertisingData
from bumble.gatt import Characteristic, Service

from simulators.ble.link import LocalLink, create_device, remove_device

__all__ = [
    "BODY_SENSOR_LOCATION_UUID",
    "DEFAULT_NAME",
    "HEART_RATE_CONTROL_POINT_UUID",
    "HEART_RATE_MEASUREMENT_UUID",
    "HEART_RATE_SERVICE_UUID",
    "HeartRatePeripheral",
]

HEART_RATE_SERVICE_UUID = "0000180d-0000-1000-8000-00805f9b34fb"
HEART_RATE_MEASUREMENT_UUID = "00002a37-0000-1000-8000-00805f9b34fb"
BODY_SENSOR_LOCATION_UUID = "00002a38-0000-1000-8000-00805f9b34fb"
HEART_RATE_CONTROL_POINT_UUID = "00002a39-0000-1000-8000-00805f9b34fb"
DEFAULT_NAME = "GK-HR-SIM"

_BODY_SENSOR_LOCATION_CHEST = b"\x01"
_FLAGS_LE_GENERAL_DISCOVERABLE_NO_BR_EDR = b"\x06"


class HeartRatePeripheral:
    """A connectable peripheral advertising a name and the Heart Rate service."""

    def __init__(self, link: LocalLink, name: str = DEFAULT_NAME) -> None:
        self.link = link
        self.name = name
        self.control_point_writes: list[bytes] = []
        self._device: Any = None
        self._subscribed = asyncio.Event()
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
        self.measurement.on("subscription", self._on_subscription)

    @property
    def address(self) -> str:
        """The peripheral's random static address as a string."""
        if self._device is None:
            raise RuntimeError("peripheral not started")
        return str(self._device.random_address)

    @property
    def connection_count(self) -> int:
        """Number of centrals currently connected."""
        return 0 if self._device is None else len(self._device.connections)

    async def start(self) -> None:
        """Create the device on the link, add the service and start advertising."""
        device = await create_device(self.link, self.name)
        device.add_service(
            Service("180D", [self.measurement, self.body_sensor_location, self.control_point])
        )
        device.advertising_data = bytes(
            AdvertisingData(
                [
                    (AdvertisingData.FLAGS, _FLAGS_LE_GENERAL_DISCOVERABLE_NO_BR_EDR),
                    (AdvertisingData.COMPLETE_LOCAL_NAME, self.name.encode()),
                    (
                        AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
                        struct.pack("<H", 0x180D),
                    ),
                ]
            )
        )
        await device.start_advertising(auto_restart=True, advertising_interval_min=20.0)
        self._device = device

    async def stop(self) -> None:
        """Disconnect centrals, stop advertising and leave the link."""
        device = self._device
        if device is None:
            return
        await self.disconnect_all()
        await device.stop_advertising()
        await device.power_off()
        remove_device(self.link, device)
        self._device = None

    async def wait_for_subscriber(self, timeout: float = 5.0) -> None:
        """Wait until a central has enabled notifications on the measurement."""
        async with asyncio.timeout(timeout):
            await self._subscribed.wait()

    async def notify_measurements(self, payloads: Sequence[bytes], interval: float = 0.0) -> None:
        """Notify each raw measurement payload to the subscribers, ``interval`` seconds apart."""
        if self._device is None:
            raise RuntimeError("peripheral not started")
        for index, payload in enumerate(payloads):
            if index and interval > 0:
                await asyncio.sleep(interval)
            await self._device.notify_subscribers(self.measurement, bytes(payload))

    async def disconnect_all(self) -> None:
        """Disconnect every connected central (a peripheral-initiated disconnect)."""
        if self._device is None:
            return
        for connection in list(self._device.connections.values()):
            await connection.disconnect()

    def _on_subscription(self, _bearer: Any, notify: bool, indicate: bool) -> None:  # noqa: FBT001 (bumble event signature)
        if notify or indicate:
            self._subscribed.set()
        else:
            self._subscribed.clear()

    def _on_control_point_write(self, _connection: Any, value: bytes) -> None:
        self.control_point_writes.append(bytes(value))
