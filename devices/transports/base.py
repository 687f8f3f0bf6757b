"""The byte-stream port that byte protocols read: a serial port, or a BLE stream characteristic."""

from __future__ import annotations

from typing import Protocol


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
