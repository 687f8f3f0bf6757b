"""Test helper: start an emulated peripheral and connect unchanged bleak code to it over bumble."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from bleak import BleakClient, BleakScanner

from simulators.ble.bleak_backend import BumbleClient, BumbleScanner
from simulators.ble.link import LocalLink
from simulators.ble.peripheral import Peripheral


@asynccontextmanager
async def subscribed(
    link: LocalLink,
    peripheral: Peripheral,
    notify_uuid: str,
    on_value: Callable[[Any, bytearray], None],
    mtu: int = 23,
    **client_kwargs: Any,
) -> AsyncIterator[BleakClient]:
    """Start ``peripheral``, find it by name, connect, subscribe; stop everything afterwards."""
    await peripheral.start()
    try:
        device = await BleakScanner.find_device_by_name(
            peripheral.name, timeout=3.0, backend=BumbleScanner, link=link
        )
        assert device is not None
        client = BleakClient(
            device, backend=BumbleClient, link=link, timeout=3.0, mtu=mtu, **client_kwargs
        )
        await client.connect()
        await client.start_notify(notify_uuid, on_value)
        try:
            yield client
        finally:
            if client.is_connected:
                await client.disconnect()
    finally:
        await asyncio.wait_for(peripheral.stop(), 5)
