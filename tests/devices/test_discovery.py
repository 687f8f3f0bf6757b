"""``genki devices scan``: what a BLE scan and the serial ports offer, each with its URL."""

from __future__ import annotations

import json
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest
from genki_home import GenkiHome

from devices.discovery import ble_profile, scan_ble
from devices.drivers.ble_factories import open_ble
from devices.protocols.ble_health import uuid128
from devices.transports.ble import BleBackend, ble_loop
from devices.url import parse_device_url
from simulators.ble.bleak_backend import BumbleClient, BumbleScanner
from simulators.ble.heart_rate import HeartRatePeripheral
from simulators.ble.link import LocalLink


def on_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return ble_loop().run(coroutine, timeout=10)


async def _new_link() -> LocalLink:
    return LocalLink()


@pytest.fixture
def strap() -> Iterator[HeartRatePeripheral]:
    peripheral = HeartRatePeripheral(on_loop(_new_link()), name="GK-HR-SCAN")
    on_loop(peripheral.start())
    yield peripheral
    on_loop(peripheral.stop())


@pytest.mark.parametrize(
    ("name", "services", "profile"),
    [
        ("Progressor_1A2B", [], "progressor"),
        ("GKFP-0042", [], "gkfp"),
        ("", ["6b1f0001-9e2d-4c5a-8f4e-67656e6b6931"], "gkfp"),
        ("BP cuff", [uuid128(0x1810)], "blood_pressure"),
        ("", [uuid128(0x1822)], "pulse_oximeter"),
        ("", [uuid128(0x1809)], "thermometer"),
        ("", [uuid128(0x181D)], "weight_scale"),
        ("strap", [uuid128(0x180D)], "heart_rate"),
        ("headphones", [uuid128(0x110B)], None),
        (None, [], None),
    ],
)
def test_profiles_are_recognised_by_name_or_service(
    name: str | None, services: list[str], profile: str | None
) -> None:
    assert ble_profile(name, services) == profile


def test_a_scan_lists_the_peripheral_with_a_url_that_opens_it(strap: HeartRatePeripheral) -> None:
    backend = BleBackend(BumbleScanner, BumbleClient, {"link": strap.link})
    found = scan_ble(0.5, backend)
    assert [(d.name, d.kind, d.urls) for d in found] == [
        ("GK-HR-SCAN", "heart_rate", (f"ble://{strap.address}?profile=heart_rate",))
    ]
    driver = open_ble(parse_device_url(found[0].urls[0]), None, backend)
    driver.start(lambda _frame: None)
    try:
        assert strap.connection_count == 1
    finally:
        driver.stop()


def test_without_bluetooth_the_scan_says_why_and_still_lists_serial_ports(home: GenkiHome) -> None:
    result = home.run("devices", "scan", "--seconds", "0.5", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output.splitlines()[0])
    assert all(d["transport"] == "serial" for d in document["devices"])
    # CI machines have no Bluetooth adapter or BlueZ; a machine with one reports no problem.
    if document["ble_problem"]:
        assert "Bluetooth is not available" in document["ble_problem"]
