"""A bleak backend whose scanner and client drive a bumble central on an in-process ``LocalLink``.

Pass the classes to bleak with the link as an extra keyword argument::

    device = await BleakScanner.find_device_by_name("GK-HR-SIM", backend=BumbleScanner, link=link)
    client = BleakClient(device, backend=BumbleClient, link=link)

Adapter code keeps calling the public bleak API only; the peripherals are bumble devices on the
same link (see ``simulators.ble.heart_rate``). Like BlueZ, the client exchanges the ATT MTU right
after connecting: it asks for 247 (``mtu=`` in the client's keyword arguments changes that;
``mtu=23`` keeps the default MTU without an exchange). Bonding and other BlueZ-specific behaviour
are not modelled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Literal

from bleak.assigned_numbers import CharacteristicPropertyName
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, AdvertisementDataCallback, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError
from bleak.uuids import normalize_uuid_str
from bumble.core import AdvertisingData
from bumble.device import Peer
from bumble.hci import Address

from simulators.ble.link import LocalLink, create_device, remove_device

__all__ = ["BumbleClient", "BumbleScanner"]

_ATT_DEFAULT_MTU = 23
_ATT_HEADER_SIZE = 3
_NO_PAIRING = "pairing is not modelled by the bumble backend; bonding is tested on hardware"
_REQUESTED_MTU = 247  # what BlueZ asks for by default

_PROPERTY_NAMES: tuple[tuple[int, CharacteristicPropertyName], ...] = (
    (0x01, "broadcast"),
    (0x02, "read"),
    (0x04, "write-without-response"),
    (0x08, "write"),
    (0x10, "notify"),
    (0x20, "indicate"),
    (0x40, "authenticated-signed-writes"),
    (0x80, "extended-properties"),
)

_SERVICE_UUID_LISTS = (
    AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.COMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.INCOMPLETE_LIST_OF_32_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
)
_SERVICE_DATA_TYPES = (
    AdvertisingData.SERVICE_DATA_16_BIT_UUID,
    AdvertisingData.SERVICE_DATA_32_BIT_UUID,
    AdvertisingData.SERVICE_DATA_128_BIT_UUID,
)


def _uuid_str(bumble_uuid: Any) -> str:
    """Return bleak's normalised 128-bit string for a bumble ``UUID``."""
    return normalize_uuid_str(str(bumble_uuid.to_hex_str("-")))


def _require_link(link: LocalLink | None, who: str) -> LocalLink:
    if link is None:
        raise BleakError(f"{who} needs the bumble LocalLink as the link= keyword argument")
    return link


def _advertisement_data(advertisement: Any) -> tuple[str | None, AdvertisementData]:
    """Translate a bumble ``Advertisement`` into the local name and bleak's advertisement data."""
    data = advertisement.data
    name = data.get(AdvertisingData.COMPLETE_LOCAL_NAME) or data.get(
        AdvertisingData.SHORTENED_LOCAL_NAME
    )
    service_uuids = list(
        dict.fromkeys(  # an active scan merges the scan response: keep each UUID once
            _uuid_str(uuid)
            for ad_type in _SERVICE_UUID_LISTS
            for uuids in data.get_all(ad_type)
            for uuid in uuids
        )
    )
    service_data = {
        _uuid_str(uuid): bytes(value)
        for ad_type in _SERVICE_DATA_TYPES
        for uuid, value in data.get_all(ad_type)
    }
    manufacturer_data = {
        int(company): bytes(value)
        for company, value in data.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA)
    }
    tx_power = data.get(AdvertisingData.TX_POWER_LEVEL)
    local_name = None if name is None else str(name)
    adv = AdvertisementData(
        local_name=local_name,
        manufacturer_data=manufacturer_data,
        service_data=service_data,
        service_uuids=service_uuids,
        tx_power=None if tx_power is None else int(tx_power),
        rssi=int(advertisement.rssi),
        platform_data=(advertisement,),
    )
    return local_name, adv


class BumbleScanner(BaseBleakScanner):
    """bleak scanner backend: a bumble central scanning on the ``LocalLink`` given as ``link=``."""

    def __init__(
        self,
        detection_callback: AdvertisementDataCallback | None,
        service_uuids: list[str] | None,
        scanning_mode: Literal["active", "passive"] = "active",
        *,
        link: LocalLink | None = None,
        **_kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._link = _require_link(link, "BumbleScanner")
        self._active = scanning_mode != "passive"
        self._device: Any = None

    async def start(self) -> None:
        """Create the central on the link and start scanning."""
        self.seen_devices = {}
        if self._device is not None:
            return
        device = await create_device(self._link, "bleak-scanner")
        device.on("advertisement", self._on_advertisement)
        await device.start_scanning(active=self._active, filter_duplicates=False)
        self._device = device

    async def stop(self) -> None:
        """Stop scanning and remove the central from the link."""
        device, self._device = self._device, None
        if device is None:
            return
        device.remove_listener("advertisement", self._on_advertisement)
        await device.stop_scanning()
        await device.power_off()
        remove_device(self._link, device)

    def _on_advertisement(self, advertisement: Any) -> None:
        local_name, adv = _advertisement_data(advertisement)
        if not self.is_allowed_uuid(adv.service_uuids):
            return
        address = advertisement.address
        key = str(address)
        previous = self.seen_devices.get(key)
        name = local_name if local_name is not None else previous[0].name if previous else None
        device = self.create_or_update_device(key, key, name, address, adv)
        self.call_detection_callbacks(device, adv)


class BumbleClient(BaseBleakClient):
    """bleak client backend: a bumble central connecting over the ``LocalLink`` in ``link=``."""

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        link: LocalLink | None = None,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        mtu: int = _REQUESTED_MTU,
        **_kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        if not _ATT_DEFAULT_MTU <= mtu <= 0xFFFF:
            raise BleakError(f"mtu={mtu} given; expected {_ATT_DEFAULT_MTU} to 65535")
        self._link = _require_link(link, "BumbleClient")
        self._requested_mtu = mtu
        details = (
            address_or_ble_device.details if isinstance(address_or_ble_device, BLEDevice) else None
        )
        self._peer_address: Any = details if isinstance(details, Address) else Address(self.address)
        self._device_name = (
            address_or_ble_device.name if isinstance(address_or_ble_device, BLEDevice) else None
        )
        self._device: Any = None
        self._connection: Any = None
        self._peer: Any = None
        self._disconnect_requested = False
        self._subscribers: dict[int, Callable[[bytes], None]] = {}

    @property
    def name(self) -> str:
        """The advertised name if known, else the address."""
        return self._device_name or self.address

    @property
    def mtu_size(self) -> int:
        """The connection's ATT MTU (23 until exchanged while connecting)."""
        if self._connection is None:
            return _ATT_DEFAULT_MTU
        return int(self._connection.att_mtu)

    @property
    def is_connected(self) -> bool:
        """Whether the link to the peripheral is up."""
        return self._connection is not None

    async def connect(
        self,
        pair: bool,  # noqa: ARG002, FBT001 (signature fixed by BaseBleakClient; no bonding)
        **kwargs: Any,
    ) -> None:
        """Connect within the timeout, exchange the MTU, discover the GATT database."""
        timeout = float(kwargs.get("timeout", self._timeout))
        self._device = await create_device(self._link, "bleak-central")
        self._disconnect_requested = False
        try:
            async with asyncio.timeout(timeout):
                connection = await self._device.connect(self._peer_address, timeout=timeout)
        except TimeoutError as error:
            await self._release_device()
            raise BleakDeviceNotFoundError(
                self.address, f"Device with address {self.address} was not found."
            ) from error
        self._connection = connection
        connection.on("disconnection", self._on_disconnection)
        self._peer = Peer(connection)
        try:
            async with asyncio.timeout(timeout):
                if self._requested_mtu > _ATT_DEFAULT_MTU:
                    await self._peer.request_mtu(self._requested_mtu)
                await self._peer.discover_all()
        except BaseException:
            await self.disconnect()
            raise
        self.services = self._build_services()

    async def disconnect(self) -> None:
        """Disconnect on request; the disconnected callback is not called."""
        connection = self._connection
        if connection is not None:
            self._disconnect_requested = True
            await connection.disconnect()
        self._clear_connection()
        await self._release_device()

    async def pair(self, *_args: Any, **_kwargs: Any) -> None:
        """Refuse: bonding is not modelled here (it is tested on hardware)."""
        raise BleakError(_NO_PAIRING)

    async def unpair(self) -> None:
        """Refuse: bonding is not modelled here (it is tested on hardware)."""
        raise BleakError(_NO_PAIRING)

    async def read_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        *,
        use_cached: bool = False,  # noqa: ARG002 (no cache: always read from the peripheral)
        **kwargs: Any,  # noqa: ARG002 (backend-specific options; none apply here)
    ) -> bytearray:
        """Read a characteristic value from the peripheral."""
        return bytearray(await self._require_peer().read_value(characteristic.obj))

    async def read_gatt_descriptor(
        self,
        descriptor: BleakGATTDescriptor,
        *,
        use_cached: bool = False,  # noqa: ARG002 (no cache: always read from the peripheral)
        **kwargs: Any,  # noqa: ARG002 (backend-specific options; none apply here)
    ) -> bytearray:
        """Read a descriptor value from the peripheral."""
        return bytearray(await self._require_peer().read_value(descriptor.obj))

    async def write_gatt_char(
        self,
        characteristic: BleakGATTCharacteristic,
        data: Any,
        response: bool,  # noqa: FBT001 (signature fixed by BaseBleakClient)
    ) -> None:
        """Write a characteristic value, with or without response."""
        await self._require_peer().write_value(
            characteristic.obj, bytes(data), with_response=response
        )

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        """Write a descriptor value (always with response)."""
        await self._require_peer().write_value(descriptor.obj, bytes(data), with_response=True)

    async def start_notify(
        self,
        characteristic: BleakGATTCharacteristic,
        callback: NotifyCallback,
        **kwargs: Any,  # noqa: ARG002 (backend-specific options; none apply here)
    ) -> None:
        """Subscribe, preferring notifications over indications; values go to ``callback``."""

        def on_value(value: bytes) -> None:
            callback(bytearray(value))

        self._subscribers[characteristic.handle] = on_value
        await self._require_peer().subscribe(characteristic.obj, on_value, prefer_notify=True)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        """Unsubscribe from a characteristic."""
        subscriber = self._subscribers.pop(characteristic.handle, None)
        await self._require_peer().unsubscribe(characteristic.obj, subscriber)

    def _require_peer(self) -> Any:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    def _build_services(self) -> BleakGATTServiceCollection:
        services = BleakGATTServiceCollection()
        for service_proxy in self._peer.services:
            service = BleakGATTService(
                service_proxy, service_proxy.handle, _uuid_str(service_proxy.uuid)
            )
            services.add_service(service)
            for char_proxy in service_proxy.characteristics:
                properties = [
                    name for bit, name in _PROPERTY_NAMES if int(char_proxy.properties) & bit
                ]
                characteristic = BleakGATTCharacteristic(
                    char_proxy,
                    char_proxy.handle,
                    _uuid_str(char_proxy.uuid),
                    properties,
                    lambda: self.mtu_size - _ATT_HEADER_SIZE,
                    service,
                )
                services.add_characteristic(characteristic)
                for descriptor_proxy in char_proxy.descriptors:
                    services.add_descriptor(
                        BleakGATTDescriptor(
                            descriptor_proxy,
                            descriptor_proxy.handle,
                            _uuid_str(descriptor_proxy.type),
                            characteristic,
                        )
                    )
        return services

    def _clear_connection(self) -> None:
        if self._connection is not None:
            self._connection.remove_listener("disconnection", self._on_disconnection)
        self._connection = None
        self._peer = None
        self._subscribers.clear()

    async def _release_device(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            await device.power_off()
            remove_device(self._link, device)

    def _on_disconnection(self, _reason: Any) -> None:
        requested = self._disconnect_requested
        self._clear_connection()
        device, self._device = self._device, None
        if device is not None:
            remove_device(self._link, device)
        if not requested and self._disconnected_callback is not None:
            self._disconnected_callback()
