"""The bumble-backed bleak backend, exercised only through the public bleak API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.exc import BleakDeviceNotFoundError, BleakError

from simulators.ble.bleak_backend import BumbleClient, BumbleScanner
from simulators.ble.heart_rate import (
    BODY_SENSOR_LOCATION_UUID,
    DEFAULT_NAME,
    HEART_RATE_CONTROL_POINT_UUID,
    HEART_RATE_MEASUREMENT_UUID,
    HEART_RATE_SERVICE_UUID,
    HeartRatePeripheral,
)
from simulators.ble.link import LocalLink

# Heart Rate Measurement payloads: flags 0x00 (uint8 bpm), then bpm; one with RR intervals.
PAYLOADS = [bytes([0x00, bpm]) for bpm in range(60, 100)] + [bytes.fromhex("1048a0030004")]


@pytest.fixture
def link() -> LocalLink:
    return LocalLink()


@pytest.fixture
async def strap(link: LocalLink) -> AsyncIterator[HeartRatePeripheral]:
    peripheral = HeartRatePeripheral(link)
    await peripheral.start()
    yield peripheral
    await asyncio.wait_for(peripheral.stop(), 5)


@pytest.fixture
async def strap_device(link: LocalLink, strap: HeartRatePeripheral) -> BLEDevice:
    device = await BleakScanner.find_device_by_name(
        DEFAULT_NAME, timeout=3.0, backend=BumbleScanner, link=link
    )
    assert device is not None
    return device


class CallbackProbe:
    """Records disconnected-callback calls and lets a test wait for one."""

    def __init__(self) -> None:
        self.calls = 0
        self.event = asyncio.Event()

    def __call__(self, _client: BleakClient) -> None:
        self.calls += 1
        self.event.set()


async def test_scanner_finds_the_strap_by_name(strap: HeartRatePeripheral, link: LocalLink) -> None:
    device = await BleakScanner.find_device_by_name(
        DEFAULT_NAME, timeout=3.0, backend=BumbleScanner, link=link
    )
    assert device is not None
    assert device.name == DEFAULT_NAME
    assert device.address == strap.address


async def test_discover_reports_advertised_service_and_name(
    strap: HeartRatePeripheral, link: LocalLink
) -> None:
    found = await BleakScanner.discover(
        timeout=0.3,
        return_adv=True,
        service_uuids=[HEART_RATE_SERVICE_UUID],
        backend=BumbleScanner,
        link=link,
    )
    assert list(found) == [strap.address]
    _device, adv = found[strap.address]
    assert adv.local_name == DEFAULT_NAME
    assert adv.service_uuids == [HEART_RATE_SERVICE_UUID]


async def test_service_filter_drops_other_peripherals(
    strap: HeartRatePeripheral, link: LocalLink
) -> None:
    found = await BleakScanner.discover(
        timeout=0.2,
        service_uuids=["0000181d-0000-1000-8000-00805f9b34fb"],
        backend=BumbleScanner,
        link=link,
    )
    assert found == []


async def test_find_returns_none_when_nothing_advertises(link: LocalLink) -> None:
    device = await BleakScanner.find_device_by_name(
        DEFAULT_NAME, timeout=0.2, backend=BumbleScanner, link=link
    )
    assert device is None


async def test_backend_requires_the_link() -> None:
    with pytest.raises(BleakError, match="link="):
        BleakScanner(backend=BumbleScanner)
    with pytest.raises(BleakError, match="link="):
        BleakClient("C0:00:00:00:00:01", backend=BumbleClient)


async def test_connect_populates_services(strap_device: BLEDevice, link: LocalLink) -> None:
    async with BleakClient(strap_device, backend=BumbleClient, link=link, timeout=3.0) as client:
        assert client.is_connected
        assert client.mtu_size == 247  # exchanged while connecting, as BlueZ does
        measurement = client.services.get_characteristic(HEART_RATE_MEASUREMENT_UUID)
        assert measurement is not None
        assert measurement.service_uuid == HEART_RATE_SERVICE_UUID
        assert measurement.properties == ["notify"]
        assert measurement.max_write_without_response_size == 244
        assert [d.uuid for d in measurement.descriptors] == ["00002902-0000-1000-8000-00805f9b34fb"]
    assert not client.is_connected


@pytest.mark.parametrize(("mtu", "payload"), [(23, 20), (100, 97)])
async def test_mtu_keyword_sets_the_exchanged_mtu(
    strap: HeartRatePeripheral, strap_device: BLEDevice, link: LocalLink, mtu: int, payload: int
) -> None:
    async with BleakClient(
        strap_device, backend=BumbleClient, link=link, timeout=3.0, mtu=mtu
    ) as client:
        assert client.mtu_size == mtu
        measurement = client.services.get_characteristic(HEART_RATE_MEASUREMENT_UUID)
        assert measurement is not None
        assert measurement.max_write_without_response_size == payload
        assert strap.max_payload() == payload


async def test_notifications_arrive_exactly_and_in_order(
    strap: HeartRatePeripheral, strap_device: BLEDevice, link: LocalLink
) -> None:
    received: list[bytes] = []
    all_received = asyncio.Event()

    def on_measurement(_char: object, data: bytearray) -> None:
        assert isinstance(data, bytearray)
        received.append(bytes(data))
        if len(received) >= len(PAYLOADS):
            all_received.set()

    async with BleakClient(strap_device, backend=BumbleClient, link=link, timeout=3.0) as client:
        await client.start_notify(HEART_RATE_MEASUREMENT_UUID, on_measurement)
        await strap.wait_for_subscriber(timeout=2.0)
        await strap.notify_measurements(PAYLOADS, interval=0.001)
        await asyncio.wait_for(all_received.wait(), 3.0)
        await asyncio.sleep(0.05)  # nothing extra may follow
        await client.stop_notify(HEART_RATE_MEASUREMENT_UUID)
    assert received == PAYLOADS


async def test_stop_notify_stops_delivery(
    strap: HeartRatePeripheral, strap_device: BLEDevice, link: LocalLink
) -> None:
    received: list[bytes] = []
    async with BleakClient(strap_device, backend=BumbleClient, link=link, timeout=3.0) as client:
        await client.start_notify(
            HEART_RATE_MEASUREMENT_UUID, lambda _c, d: received.append(bytes(d))
        )
        await strap.wait_for_subscriber(timeout=2.0)
        await strap.notify_measurements(PAYLOADS[:1])
        await asyncio.sleep(0.05)
        await client.stop_notify(HEART_RATE_MEASUREMENT_UUID)
        await strap.notify_measurements(PAYLOADS[1:3])
        await asyncio.sleep(0.05)
    assert received == PAYLOADS[:1]


async def test_read_and_write_characteristics(
    strap: HeartRatePeripheral, strap_device: BLEDevice, link: LocalLink
) -> None:
    async with BleakClient(strap_device, backend=BumbleClient, link=link, timeout=3.0) as client:
        location = await client.read_gatt_char(BODY_SENSOR_LOCATION_UUID)
        assert location == bytearray(b"\x01")
        assert isinstance(location, bytearray)
        await client.write_gatt_char(HEART_RATE_CONTROL_POINT_UUID, b"\x01", response=True)
    assert strap.control_point_writes == [b"\x01"]


async def test_requested_disconnect_does_not_call_back(
    strap: HeartRatePeripheral, strap_device: BLEDevice, link: LocalLink
) -> None:
    probe = CallbackProbe()
    client = BleakClient(
        strap_device, disconnected_callback=probe, backend=BumbleClient, link=link, timeout=3.0
    )
    await client.connect()
    await client.disconnect()
    await asyncio.sleep(0.1)
    assert not client.is_connected
    assert probe.calls == 0
    assert strap.connection_count == 0


async def test_peripheral_disconnect_calls_back_and_reconnect_works(
    strap: HeartRatePeripheral, strap_device: BLEDevice, link: LocalLink
) -> None:
    probe = CallbackProbe()
    client = BleakClient(
        strap_device, disconnected_callback=probe, backend=BumbleClient, link=link, timeout=3.0
    )
    await client.connect()
    await strap.disconnect_all()
    await asyncio.wait_for(probe.event.wait(), 2.0)
    assert probe.calls == 1
    assert not client.is_connected

    await client.connect()
    assert client.is_connected
    assert await client.read_gatt_char(BODY_SENSOR_LOCATION_UUID) == bytearray(b"\x01")
    await client.disconnect()
    assert probe.calls == 1


async def test_connect_to_absent_device_raises_not_found(link: LocalLink) -> None:
    client = BleakClient("C1:22:33:44:55:66", backend=BumbleClient, link=link, timeout=0.5)
    with pytest.raises(BleakDeviceNotFoundError):
        await asyncio.wait_for(client.connect(), 3.0)
    assert not client.is_connected
