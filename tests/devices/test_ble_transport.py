"""The BLE transport and the health-profile driver, on unchanged bleak code against bumble.

The peripheral is an emulated heart-rate strap on an in-process bumble link; the transport reaches
it through bleak, bleak-retry-connector and the bumble-backed bleak backend (no Bluetooth
hardware, testing-without-hardware.md §3).
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

import pytest

from devices.drivers.ble_factories import open_ble
from devices.drivers.ble_health import PROFILES, HealthSession
from devices.drivers.streaming import StreamingDriver
from devices.errors import DeviceUnavailableError
from devices.frames import ConnectionState, DeviceStatus, Frame, VitalsReading
from devices.protocols.ble_body import HeartRateMeasurement
from devices.transports.ble import BleBackend, BleTarget, BleTransport, Notification, ble_loop
from devices.url import parse_device_url
from simulators.ble.bleak_backend import BumbleClient, BumbleScanner
from simulators.ble.heart_rate import HeartRatePeripheral
from simulators.ble.link import LocalLink

WAIT_S = 10.0


def on_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return ble_loop().run(coroutine, timeout=WAIT_S)


async def _new_link() -> LocalLink:
    return LocalLink()


@pytest.fixture
def strap() -> Iterator[HeartRatePeripheral]:
    peripheral = HeartRatePeripheral(on_loop(_new_link()), name="GK-HR-T")
    on_loop(peripheral.start())
    yield peripheral
    on_loop(peripheral.stop())


def backend_for(peripheral: HeartRatePeripheral) -> BleBackend:
    return BleBackend(BumbleScanner, BumbleClient, {"link": peripheral.link})


class Collector:
    """The driver's sink: a queue, read until a condition holds."""

    def __init__(self) -> None:
        self.frames: queue.Queue[Frame] = queue.Queue()
        self.seen: list[Frame] = []

    def until(self, done: Callable[[], bool], timeout: float = WAIT_S) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out; frames so far: {self.seen}"
            try:
                self.seen.append(self.frames.get(timeout=remaining))
            except queue.Empty:
                continue

    def until_readings(self, count: int) -> None:
        self.until(lambda: len(self.readings()) == count)

    def until_state(self, state: ConnectionState, count: int = 1) -> None:
        self.until(lambda: self.states().count(state) == count)

    def readings(self) -> list[int]:
        return [
            f.measurement.heart_rate_bpm
            for f in self.seen
            if isinstance(f, VitalsReading) and isinstance(f.measurement, HeartRateMeasurement)
        ]

    def states(self) -> list[ConnectionState]:
        return [f.state for f in self.seen if isinstance(f, DeviceStatus)]


SESSION_UUIDS = HealthSession("strap", PROFILES["heart_rate"]).notify_uuids


def heart_rate_transport(peripheral: HeartRatePeripheral) -> BleTransport:
    return BleTransport(
        BleTarget(name_prefix="GK-HR"),
        notify_uuids=SESSION_UUIDS,
        backend=backend_for(peripheral),
        scan_timeout_s=1.0,
    )


def heart_rate_driver(
    peripheral: HeartRatePeripheral, reconnect_timeout_s: float = 20.0
) -> StreamingDriver[BleTransport]:
    session = HealthSession("strap", PROFILES["heart_rate"])
    transport = heart_rate_transport(peripheral)
    return StreamingDriver(transport, session, reconnect_timeout_s=reconnect_timeout_s)


def notify(peripheral: HeartRatePeripheral, bpms: range) -> None:
    on_loop(peripheral.wait_for_subscriber())
    on_loop(peripheral.notify_measurements([bytes([0, bpm]) for bpm in bpms]))


def test_a_url_opens_the_profile_driver_and_readings_arrive(strap: HeartRatePeripheral) -> None:
    url = parse_device_url("ble://name:GK-HR?profile=heart_rate")
    driver = open_ble(url, None, backend_for(strap))
    sink = Collector()
    driver.start(sink.frames.put)
    try:
        notify(strap, range(60, 80))
        sink.until_readings(20)
    finally:
        driver.stop()
    assert sink.readings() == list(range(60, 80))
    assert sink.states()[:2] == [ConnectionState.CONNECTING, ConnectionState.STREAMING]


def test_after_a_peripheral_disconnect_it_reconnects_and_each_value_arrives_once(
    strap: HeartRatePeripheral,
) -> None:
    driver = heart_rate_driver(strap)
    sink = Collector()
    driver.start(sink.frames.put)
    try:
        notify(strap, range(60, 65))
        sink.until_readings(5)
        for round_ in range(1, 4):
            streaming, readings = round_ + 1, 5 + 5 * round_
            on_loop(strap.disconnect_all())
            sink.until_state(ConnectionState.STREAMING, streaming)
            notify(strap, range(100, 105))
            sink.until_readings(readings)
        time.sleep(0.2)  # anything doubled would arrive now
        sink.until(sink.frames.empty)
    finally:
        driver.stop()
    assert sink.readings() == list(range(60, 65)) + list(range(100, 105)) * 3
    assert sink.states().count(ConnectionState.LOST) == 3
    assert driver.session.device_id == "strap"


def test_a_leftover_callback_of_an_old_connection_is_dropped_and_counted(
    strap: HeartRatePeripheral,
) -> None:
    transport = heart_rate_transport(strap)
    transport.open()
    try:
        stale = transport._callback(transport.notify_uuids[0], generation=0)
        stale(None, bytearray([0, 70]))
        notify(strap, range(61, 62))
        deadline = time.monotonic() + WAIT_S
        received: list[Notification] = []
        while not received and time.monotonic() < deadline:
            received = transport.read()
    finally:
        transport.close()
    assert [n.data for n in received] == [bytes([0, 61])]
    assert transport.counters.stale_callbacks == 1


def test_garbage_is_counted_and_never_becomes_a_reading(strap: HeartRatePeripheral) -> None:
    driver = heart_rate_driver(strap)
    sink = Collector()
    driver.start(sink.frames.put)
    try:
        on_loop(strap.wait_for_subscriber())
        on_loop(strap.notify_measurements([b"", b"\x01\x48", bytes([0, 72])]))
        sink.until_readings(1)
    finally:
        driver.stop()
    failures = [f.parse_failures for f in sink.seen if isinstance(f, DeviceStatus)]
    assert max(failures) == 2
    assert sink.readings() == [72]


def test_a_device_switched_off_is_reported_lost_then_closed_with_a_message(
    strap: HeartRatePeripheral,
) -> None:
    driver = heart_rate_driver(strap, reconnect_timeout_s=1.5)
    sink = Collector()
    driver.start(sink.frames.put)
    try:
        on_loop(strap.wait_for_subscriber())
        started = time.monotonic()
        on_loop(strap.power_off())
        sink.until_state(ConnectionState.LOST)
        lost_after_s = time.monotonic() - started
        sink.until_state(ConnectionState.CLOSED)
    finally:
        driver.stop()
    closed = [
        f for f in sink.seen if isinstance(f, DeviceStatus) and f.state is ConnectionState.CLOSED
    ]
    assert "did not come back" in closed[-1].message
    assert lost_after_s < 5.0


def test_a_device_that_is_not_there_is_a_clear_error() -> None:
    peripheral = HeartRatePeripheral(on_loop(_new_link()), name="GK-HR-T")
    driver = heart_rate_driver(peripheral)  # never started: nothing advertises on the link
    with pytest.raises(DeviceUnavailableError, match="not found within 1 s"):
        driver.start(lambda _frame: None)
