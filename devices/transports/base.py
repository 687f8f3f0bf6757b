"""The byte-stream port that byte protocols read: a serial port, or a BLE stream characteristic."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from devices.errors import DeviceUnavailableError


class ByteTransport(Protocol):
    """A port that moves bytes, owned by one reader thread."""

    def open(self) -> None:
        """Open the port; raise DeviceUnavailableError when it cannot be reached."""

    def close(self) -> None:
        """Close the port on request (idempotent)."""

    def reopen(self, *, retry_interval_s: float, deadline_s: float) -> bool:
        """Retry opening until ``deadline_s`` (monotonic); True when open."""

    def read(self) -> bytes:
        """Return the bytes received now (waiting at most a short timeout for the first)."""

    def write(self, data: bytes) -> None:
        """Write all of ``data``."""


def retry_open(open_: Callable[[], None], *, retry_interval_s: float, deadline_s: float) -> bool:
    """Call ``open_`` until it succeeds or ``deadline_s`` (monotonic) passes; True when open."""
    while time.monotonic() < deadline_s:
        try:
            open_()
        except DeviceUnavailableError:
            time.sleep(retry_interval_s)
        else:
            return True
    return False
