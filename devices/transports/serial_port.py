"""Serial transport: a port opened through pyserial's ``serial_for_url``, reopened after an unplug.

The transport only moves bytes. Reads block for at most ``read_timeout_s`` so the reader thread that
owns the port can notice a stop request; a vanished port (USB unplugged, simulator closed) raises
DeviceUnavailableError, and ``reopen`` retries until the port is back or the caller gives up.
"""

from __future__ import annotations

import logging

import serial

from devices.errors import DeviceUnavailableError
from devices.transports.base import retry_open

_LOGGER = logging.getLogger(__name__)


class SerialTransport:
    """One serial port, owned by one thread at a time."""

    def __init__(self, port: str, *, baudrate: int, read_timeout_s: float = 0.05) -> None:
        self.port = port
        self._baudrate = baudrate
        self._read_timeout_s = read_timeout_s
        self._serial: serial.SerialBase | None = None

    @property
    def is_open(self) -> bool:
        """Whether the port is open."""
        return self._serial is not None

    def open(self) -> None:
        """Open the port (bytes already buffered by the OS are discarded, as on real hardware)."""
        try:
            self._serial = serial.serial_for_url(
                self.port, baudrate=self._baudrate, timeout=self._read_timeout_s
            )
        except (serial.SerialException, OSError, ValueError) as exc:
            raise DeviceUnavailableError(
                f"cannot open serial port {self.port}: {exc}. Check that the device is plugged "
                "in and that no other program uses the port."
            ) from exc

    def close(self) -> None:
        """Close the port; closing twice is harmless."""
        if self._serial is not None:
            try:
                self._serial.close()
            except (serial.SerialException, OSError) as exc:
                _LOGGER.debug("closing %s: %s", self.port, exc)
            self._serial = None

    def reopen(self, *, retry_interval_s: float, deadline_s: float) -> bool:
        """Close and try to open again until ``deadline_s`` (monotonic); True when open."""
        self.close()
        return retry_open(self.open, retry_interval_s=retry_interval_s, deadline_s=deadline_s)

    def read(self, size: int = 65536) -> bytes:
        """Return the bytes available now (waiting at most the read timeout for the first)."""
        port = self._require_open()
        try:
            first = port.read(1)
            if not first:
                return b""
            return bytes(first) + bytes(port.read(min(size - 1, port.in_waiting)))
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise DeviceUnavailableError(f"serial port {self.port} was lost: {exc}") from exc

    def write(self, data: bytes) -> None:
        """Write all of ``data``."""
        port = self._require_open()
        try:
            port.write(data)
            port.flush()
        except (serial.SerialException, OSError) as exc:
            self.close()
            raise DeviceUnavailableError(f"cannot write to serial port {self.port}: {exc}") from exc

    def _require_open(self) -> serial.SerialBase:
        if self._serial is None:
            raise DeviceUnavailableError(f"serial port {self.port} is not open")
        return self._serial
