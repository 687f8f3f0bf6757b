"""A wireless GKFP/1 force plate (genki-forceplate.md §4a): the plate firmware behind BLE GATT.

The firmware is the serial simulator's ``GkfpPlate``; only the transport differs, as on a real
ESP32 or nRF52 plate. Each write to the command characteristic is one ASCII command line; the
plate's byte stream (STATUS, ACK and SAMPLES frames) leaves through notifications of the stream
characteristic. The stream is cut into notifications of seeded random sizes up to the payload the
MTU allows, deliberately without regard to frame boundaries (§4a: the host re-synchronises on
``A5 5A`` as on serial). The plate's clock (µs since power-up, ``speed`` times real time) runs
from ``start``; a pacing task asks the firmware every ``STEP_S`` for what is due, as the pty
runner's thread does. Frames produced while no host listens are lost, as over the air.

Faults: the firmware's own (``PlateConfig.faults``: CRC errors, dropped frames, garbage after
frames), garbage bursts on demand (``send_garbage``), a slow link (``slow_link_s`` before each
notification) and switching off (the base class's ``power_off``; ``power_on`` boots the plate
again, so its sequence numbers restart at 0).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import numpy as np
from bumble.gatt import Characteristic, Service

from simulators.ble.link import LocalLink
from simulators.ble.peripheral import Peripheral
from simulators.forceplate.device import GkfpPlate
from simulators.forceplate.faults import gkfp_garbage

__all__ = ["COMMAND_UUID", "SERVICE_UUID", "STEP_S", "STREAM_UUID", "BleForcePlatePeripheral"]

SERVICE_UUID = "6b1f0001-9e2d-4c5a-8f4e-67656e6b6931"
STREAM_UUID = "6b1f0002-9e2d-4c5a-8f4e-67656e6b6931"
COMMAND_UUID = "6b1f0003-9e2d-4c5a-8f4e-67656e6b6931"
STEP_S = 0.01


class BleForcePlatePeripheral(Peripheral):
    """A GKFP/1 plate advertising as ``GKFP-<serial>`` with the §4a service."""

    def __init__(
        self,
        link: LocalLink,
        plate: GkfpPlate,
        *,
        speed: float = 1.0,
        slow_link_s: float = 0.0,
        seed: int = 0,
    ) -> None:
        if speed <= 0:
            raise ValueError(f"speed={speed}; expected a positive number")
        self.plate = plate
        self.speed = speed
        self.slow_link_s = slow_link_s
        self.notifications = 0  # notifications sent to a listening host
        self.bytes_sent = 0
        self.garbage_bytes = 0  # queued by send_garbage
        self._rng = np.random.default_rng(seed)
        self._outgoing = bytearray()
        self._clock0 = time.monotonic()
        self._pacer: asyncio.Task[None] | None = None
        self.stream = Characteristic(
            STREAM_UUID, Characteristic.Properties.NOTIFY, Characteristic.READABLE, b""
        )
        self.command = Characteristic(
            COMMAND_UUID, Characteristic.Properties.WRITE, Characteristic.WRITEABLE, b""
        )
        self.command.on("write", self._on_command)
        serial = plate.config.serial
        name = serial if serial.startswith("GKFP-") else f"GKFP-{serial}"
        service = Service(SERVICE_UUID, [self.stream, self.command])
        super().__init__(link, name, [service], [SERVICE_UUID])

    async def start(self) -> None:
        """Power the plate up, join the link and start its clock."""
        if self.is_on:
            return
        self._clock0 = time.monotonic()
        self.plate.power_up(0)  # its STATUS reaches nobody: no host is connected yet
        self._outgoing.clear()
        await super().start()
        self._pacer = asyncio.get_running_loop().create_task(self._pace())

    async def stop(self) -> None:
        """Stop the clock and leave the link."""
        if self._pacer is not None:
            self._pacer.cancel()
            self._pacer = None
        await super().stop()

    def send_garbage(self, bursts: int, seed: int = 0) -> bytes:
        """Queue ``bursts`` random bursts (no ``A5`` byte) at the next frame boundary."""
        rng = np.random.default_rng(seed)
        garbage = b"".join(gkfp_garbage(rng) for _ in range(bursts))
        self._outgoing += garbage
        self.garbage_bytes += len(garbage)
        return garbage

    def _now_us(self) -> int:
        return round((time.monotonic() - self._clock0) * self.speed * 1e6)

    def _on_command(self, _connection: Any, value: bytes) -> None:
        self._outgoing += self.plate.receive(bytes(value), self._now_us())

    async def _pace(self) -> None:
        while True:
            online = self.is_subscribed(self.stream)
            produced = self.plate.advance(self._now_us(), online=online)
            if online:
                self._outgoing += produced
                await self._flush()
            else:
                self._outgoing.clear()
            await asyncio.sleep(STEP_S)

    async def _flush(self) -> None:
        while self._outgoing:
            size = int(self._rng.integers(1, self.max_payload(), endpoint=True))
            chunk = bytes(self._outgoing[:size])
            del self._outgoing[:size]
            if self.slow_link_s:
                await asyncio.sleep(self.slow_link_s)
            await self.notify(self.stream, chunk)
            self.notifications += 1
            self.bytes_sent += len(chunk)
