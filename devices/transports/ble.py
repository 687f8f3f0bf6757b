"""BLE transport: bleak and bleak-retry-connector on one long-lived event loop, seen as a port.

All BLE work of the process runs on one asyncio loop in one thread (``ble_loop``), because bleak
objects must not cross loops and BlueZ copes badly with concurrent operations. Scans and connects
are serialised by one lock; every GATT operation has a bounded timeout. Each connection scans right
before connecting (BlueZ forgets unconnected devices), connects through
``bleak_retry_connector.establish_connection`` with a fresh ``BleakClient``, and subscribes to the
device's characteristics again. Notifications carry the generation of the connection that
subscribed them, so a callback left over from an earlier connection (bleak issue 2002) is counted
and dropped instead of doubling the data (testing-without-hardware.md §4).

``BleTransport`` presents a connection the way ``SerialTransport`` presents a port (open, read,
write, reopen, close) so one driver loop serves both; ``read`` returns the notifications received
since the last read. The bleak backend is injected (``BleBackend``): production passes nothing and
gets the platform's stack, tests and demos pass the bumble-backed backend of ``simulators.ble``.
"""

from __future__ import annotations

import asyncio
import queue
import threading
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bleak import BleakClient, BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData
from bleak.exc import BleakError
from bleak_retry_connector import establish_connection

from devices.errors import DeviceTimeoutError, DeviceUnavailableError
from devices.transports.base import retry_open

T = TypeVar("T")

SCAN_TIMEOUT_S = 5.0
GATT_TIMEOUT_S = 5.0
CONNECT_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class BleBackend:
    """The bleak backend classes and their extra keyword arguments (none: the platform's stack)."""

    scanner: type[Any] | None = None
    client: type[Any] | None = None
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    def scanner_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``BleakScanner``."""
        return {"backend": self.scanner, **self.kwargs} if self.scanner else dict(self.kwargs)

    def client_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``BleakClient`` (through ``establish_connection``)."""
        return {"backend": self.client, **self.kwargs} if self.client else dict(self.kwargs)


@dataclass(frozen=True, slots=True)
class BleTarget:
    """Which peripheral to connect to: an address, or the first whose name starts with a prefix."""

    address: str | None = None
    name_prefix: str | None = None

    def __post_init__(self) -> None:
        if (self.address is None) == (self.name_prefix is None):
            raise ValueError("a BLE target names either an address or a name prefix")

    def matches(self, device: BLEDevice, advertisement: AdvertisementData) -> bool:
        """Whether an advertising device is this target."""
        if self.address is not None:
            return device.address.upper() == self.address.upper()
        name = advertisement.local_name or device.name or ""
        return name.startswith(self.name_prefix or "")

    def __str__(self) -> str:
        return self.address or f"name:{self.name_prefix}"


@dataclass(frozen=True, slots=True)
class Notification:
    """One notification or indication value, with the host's monotonic clock at receipt."""

    uuid: str
    data: bytes
    t_mono_ns: int


class BleLoop:
    """The process's BLE event loop, running in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ble-loop", daemon=True)
        self._thread.start()
        self.lock = self.run(_make_lock())

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the BLE loop from another thread and return its result."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise DeviceTimeoutError(f"BLE operation took longer than {timeout} s") from None


async def _make_lock() -> asyncio.Lock:
    return asyncio.Lock()


_LOOP: BleLoop | None = None
_LOOP_GUARD = threading.Lock()


def ble_loop() -> BleLoop:
    """Return the process's BLE loop, starting it on first use."""
    global _LOOP  # noqa: PLW0603 (one loop per process, created lazily)
    with _LOOP_GUARD:
        if _LOOP is None:
            _LOOP = BleLoop()
        return _LOOP


@dataclass
class BleCounters:
    """What the transport saw; shown with the device status."""

    connects: int = 0
    stale_callbacks: int = 0
    notifications: int = 0


async def scan(
    backend: BleBackend, seconds: float
) -> dict[str, tuple[BLEDevice, AdvertisementData]]:
    """Scan for ``seconds`` under the connect lock; return devices and advertisements by address."""
    async with ble_loop().lock:
        return await BleakScanner.discover(
            timeout=seconds, return_adv=True, **backend.scanner_kwargs()
        )


class BleTransport:
    """One BLE peripheral seen as a port: connect and subscribe, read notifications, write."""

    def __init__(
        self,
        target: BleTarget,
        *,
        notify_uuids: tuple[str, ...],
        optional_uuids: tuple[str, ...] = (),
        write_uuid: str | None = None,
        backend: BleBackend | None = None,
        read_timeout_s: float = 0.05,
        scan_timeout_s: float = SCAN_TIMEOUT_S,
    ) -> None:
        self.target = target
        self.notify_uuids = notify_uuids
        self.optional_uuids = optional_uuids
        self.write_uuid = write_uuid
        self.backend = backend or BleBackend()
        self.counters = BleCounters()
        self._read_timeout_s = read_timeout_s
        self._scan_timeout_s = scan_timeout_s
        self._client: BleakClient | None = None
        self._generation = 0
        self._lost: str | None = None
        self._received: queue.SimpleQueue[Notification] = queue.SimpleQueue()

    @property
    def is_open(self) -> bool:
        """Whether the peripheral is connected."""
        return self._client is not None and self._lost is None

    def open(self) -> None:
        """Scan for the target, connect and subscribe (bounded by the scan and connect timeouts)."""
        timeout = self._scan_timeout_s + CONNECT_ATTEMPTS * (GATT_TIMEOUT_S + 20.0)
        ble_loop().run(self._connect(), timeout=timeout)

    def close(self) -> None:
        """Disconnect on request; closing twice is harmless."""
        client, self._client = self._client, None
        self._generation += 1
        if client is not None:
            ble_loop().run(_quietly(client.disconnect()), timeout=GATT_TIMEOUT_S + 1)

    def reopen(self, *, retry_interval_s: float, deadline_s: float) -> bool:
        """Close and try to connect again until ``deadline_s`` (monotonic); True when connected."""
        self.close()
        return retry_open(self.open, retry_interval_s=retry_interval_s, deadline_s=deadline_s)

    def read(self) -> list[Notification]:
        """Return the notifications received so far (waiting at most the read timeout for one)."""
        self._raise_if_lost()
        try:
            received = [self._received.get(timeout=self._read_timeout_s)]
        except queue.Empty:
            return []
        while not self._received.empty():
            received.append(self._received.get_nowait())
        return received

    def write(self, data: bytes, uuid: str | None = None, *, response: bool = True) -> None:
        """Write ``data`` to ``uuid`` (default: the transport's command characteristic)."""
        target = uuid or self.write_uuid
        if target is None:
            raise DeviceUnavailableError(f"{self.target} has no command characteristic")
        client = self._require_client()
        ble_loop().run(
            _gatt(client.write_gatt_char(target, data, response=response), f"write to {target}"),
            timeout=GATT_TIMEOUT_S + 1,
        )

    def read_characteristic(self, uuid: str) -> bytes:
        """Read a characteristic's value."""
        client = self._require_client()
        value = ble_loop().run(
            _gatt(client.read_gatt_char(uuid), f"read of {uuid}"), timeout=GATT_TIMEOUT_S + 1
        )
        return bytes(value)

    async def _connect(self) -> None:
        async with ble_loop().lock:
            device = await BleakScanner.find_device_by_filter(
                self.target.matches, timeout=self._scan_timeout_s, **self.backend.scanner_kwargs()
            )
            if device is None:
                raise DeviceUnavailableError(
                    f"BLE device {self.target} not found within {self._scan_timeout_s:g} s; check "
                    "that it is switched on and near the kiosk"
                )
            try:
                client = await establish_connection(
                    BleakClient,
                    device,
                    str(self.target),
                    disconnected_callback=self._on_disconnected,
                    max_attempts=CONNECT_ATTEMPTS,
                    **self.backend.client_kwargs(),
                )
            except (BleakError, TimeoutError) as exc:
                raise DeviceUnavailableError(f"cannot connect to {self.target}: {exc}") from exc
        self._generation += 1
        self._client, self._lost = client, None
        self.counters.connects += 1
        offered = {c.uuid for s in client.services for c in s.characteristics}
        subscribe = self.notify_uuids + tuple(u for u in self.optional_uuids if u in offered)
        try:
            for uuid in subscribe:
                await _gatt(
                    client.start_notify(uuid, self._callback(uuid, self._generation)),
                    f"subscription to {uuid}",
                )
        except DeviceUnavailableError:
            self._client = None
            await _quietly(client.disconnect())
            raise

    def _callback(self, uuid: str, generation: int) -> Callable[[Any, bytearray], None]:
        def on_value(_characteristic: Any, data: bytearray) -> None:
            if generation != self._generation:
                self.counters.stale_callbacks += 1
                return
            self.counters.notifications += 1
            self._received.put(Notification(uuid, bytes(data), time.monotonic_ns()))

        return on_value

    def _on_disconnected(self, client: BleakClient) -> None:
        if client is self._client:
            self._lost = f"BLE device {self.target} disconnected"

    def _raise_if_lost(self) -> None:
        if self._lost is not None:
            message, self._client = self._lost, None
            self._generation += 1
            raise DeviceUnavailableError(message)

    def _require_client(self) -> BleakClient:
        self._raise_if_lost()
        if self._client is None:
            raise DeviceUnavailableError(f"BLE device {self.target} is not connected")
        return self._client


async def _gatt(operation: Coroutine[Any, Any, T], what: str) -> T:
    """Run one GATT operation within ``GATT_TIMEOUT_S``; failures become device errors."""
    try:
        async with asyncio.timeout(GATT_TIMEOUT_S):
            return await operation
    except TimeoutError as exc:
        raise DeviceTimeoutError(f"BLE {what} did not finish within {GATT_TIMEOUT_S} s") from exc
    except (BleakError, EOFError, OSError) as exc:
        raise DeviceUnavailableError(f"BLE {what} failed: {exc}") from exc


async def _quietly(operation: Coroutine[Any, Any, Any]) -> None:
    """Run a clean-up operation, ignoring the errors of a link that is already gone."""
    try:
        async with asyncio.timeout(GATT_TIMEOUT_S):
            await operation
    except (BleakError, TimeoutError, EOFError, OSError):
        return


class BleByteStream:
    """A byte protocol over BLE (GKFP/1 §4a): notifications of one characteristic form the stream.

    Notification boundaries mean nothing: the bytes are handed on in order, as a serial port
    would. Each command line written goes to the command characteristic as one write.
    """

    def __init__(self, transport: BleTransport) -> None:
        self.transport = transport

    def open(self) -> None:
        """Connect and subscribe to the stream characteristic."""
        self.transport.open()

    def close(self) -> None:
        """Disconnect on request."""
        self.transport.close()

    def reopen(self, *, retry_interval_s: float, deadline_s: float) -> bool:
        """Reconnect until ``deadline_s``; True when connected."""
        return self.transport.reopen(retry_interval_s=retry_interval_s, deadline_s=deadline_s)

    def read(self) -> bytes:
        """Return the stream bytes received so far."""
        return b"".join(n.data for n in self.transport.read())

    def write(self, data: bytes) -> None:
        """Write each command line with response."""
        for line in data.splitlines(keepends=True):
            self.transport.write(line)
