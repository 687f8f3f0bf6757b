"""The common part of every emulated BLE peripheral: a bumble GATT server on a ``LocalLink``.

A peripheral advertises its name and, when they fit in the 31 bytes of legacy advertising data, its
service UUIDs (bumble's virtual controller repeats the advertising data as the scan response, so a
scan response cannot carry more; a long name plus a 128-bit UUID therefore advertises the name
only, and centrals find such devices by name, as genki's drivers do). It accepts connections and
offers the faults every device simulation needs: a peripheral-initiated disconnect, and being
switched off and on again (it leaves the link, then comes back under the same address).
Subclasses declare their characteristics and push values with ``notify`` or ``indicate``.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from typing import Any

from bumble.core import AdvertisingData
from bumble.gatt import Characteristic, Service

from simulators.ble.link import LocalLink, create_device, remove_device

__all__ = ["Peripheral", "sig_uuid"]

_FLAGS_LE_GENERAL_DISCOVERABLE_NO_BR_EDR = b"\x06"
_SIG_BASE_SUFFIX = "-0000-1000-8000-00805f9b34fb"
_LEGACY_ADVERTISING_BYTES = 31


def sig_uuid(uuid16: int) -> str:
    """Return the 128-bit string of a Bluetooth SIG 16-bit UUID (written out here, not imported)."""
    return f"0000{uuid16:04x}{_SIG_BASE_SUFFIX}"


def _advertising_data(name: str, uuids: Sequence[str]) -> bytes:
    entries: list[tuple[int, bytes]] = [
        (AdvertisingData.FLAGS, _FLAGS_LE_GENERAL_DISCOVERABLE_NO_BR_EDR),
        (AdvertisingData.COMPLETE_LOCAL_NAME, name.encode()),
    ]
    with_uuids = bytes(AdvertisingData(entries + _uuid_list_entries(uuids)))
    return (
        with_uuids
        if len(with_uuids) <= _LEGACY_ADVERTISING_BYTES
        else bytes(AdvertisingData(entries))
    )


def _uuid_list_entries(uuids: Sequence[str]) -> list[tuple[int, bytes]]:
    short = [u for u in uuids if u.endswith(_SIG_BASE_SUFFIX) and u.startswith("0000")]
    long = [u for u in uuids if u not in short]
    entries: list[tuple[int, bytes]] = []
    if short:
        data = b"".join(int(u[4:8], 16).to_bytes(2, "little") for u in short)
        entries.append((AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, data))
    if long:
        data = b"".join(uuid.UUID(u).bytes[::-1] for u in long)
        entries.append((AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS, data))
    return entries


class Peripheral:
    """A connectable peripheral: ``start`` it, push values, ``power_off``/``power_on`` as faults."""

    def __init__(
        self, link: LocalLink, name: str, services: Sequence[Service], service_uuids: Sequence[str]
    ) -> None:
        self.link = link
        self.name = name
        self.services = list(services)
        self.service_uuids = [str(u).lower() for u in service_uuids]
        self._address: str | None = None
        self._device: Any = None
        self._subscribed: dict[int, asyncio.Event] = {}
        for service in self.services:
            for characteristic in service.characteristics:
                self._watch_subscription(characteristic)

    @property
    def address(self) -> str:
        """The peripheral's random static address as a string."""
        if self._address is None:
            raise RuntimeError("peripheral not started")
        return self._address

    @property
    def is_on(self) -> bool:
        """Whether the peripheral is on the link (advertising or connected)."""
        return self._device is not None

    @property
    def connection_count(self) -> int:
        """Number of centrals currently connected."""
        return 0 if self._device is None else len(self._device.connections)

    async def start(self) -> None:
        """Join the link (under the same address as before, if restarted) and advertise."""
        if self._device is not None:
            return
        device = await create_device(self.link, self.name, self._address)
        for service in self.services:
            device.add_service(service)
        device.advertising_data = _advertising_data(self.name, self.service_uuids)
        await device.start_advertising(auto_restart=True, advertising_interval_min=20.0)
        self._address = str(device.random_address)
        self._device = device

    async def stop(self) -> None:
        """Disconnect centrals, stop advertising and leave the link."""
        device, self._device = self._device, None
        if device is None:
            return
        for connection in list(device.connections.values()):
            await connection.disconnect()
        await device.stop_advertising()
        await device.power_off()
        remove_device(self.link, device)
        for event in self._subscribed.values():
            event.clear()

    async def power_off(self) -> None:
        """Fault: the device is switched off (links drop, it stops advertising)."""
        await self.stop()

    async def power_on(self) -> None:
        """Switch the device on again: it advertises under its old address."""
        await self.start()

    async def disconnect_all(self) -> None:
        """Disconnect every connected central (a peripheral-initiated disconnect)."""
        if self._device is None:
            return
        for connection in list(self._device.connections.values()):
            await connection.disconnect()

    async def wait_for_subscriber(
        self, characteristic: Characteristic[bytes], timeout: float = 5.0
    ) -> None:
        """Wait until a central has enabled notifications or indications on ``characteristic``."""
        async with asyncio.timeout(timeout):
            await self._subscribed[id(characteristic)].wait()

    def is_subscribed(self, characteristic: Characteristic[bytes]) -> bool:
        """Whether a central currently listens to ``characteristic``."""
        return self._subscribed[id(characteristic)].is_set()

    async def notify(self, characteristic: Characteristic[bytes], value: bytes) -> None:
        """Notify ``value`` to every subscriber (nothing happens while switched off)."""
        if self._device is not None:
            await self._device.notify_subscribers(characteristic, bytes(value))

    async def indicate(self, characteristic: Characteristic[bytes], value: bytes) -> None:
        """Indicate ``value``; returns once every subscriber has confirmed it."""
        if self._device is not None:
            await self._device.indicate_subscribers(characteristic, bytes(value))

    def max_payload(self) -> int:
        """Return the largest notification payload allowed by every connection's ATT MTU."""
        if self._device is None or not self._device.connections:
            return 20
        return min(int(c.att_mtu) for c in self._device.connections.values()) - 3

    def _watch_subscription(self, characteristic: Characteristic[bytes]) -> None:
        event = asyncio.Event()
        self._subscribed[id(characteristic)] = event

        def on_subscription(_bearer: Any, notify: bool, indicate: bool) -> None:  # noqa: FBT001 (bumble event signature)
            if notify or indicate:
                event.set()
            else:
                event.clear()

        characteristic.on("subscription", on_subscription)
