"""The serial transport on a real pseudo-terminal: bytes both ways, unplug, and reopening."""

from __future__ import annotations

import contextlib
import os
import pty
import time
import tty
from collections.abc import Iterator

import pytest

from devices.errors import DeviceUnavailableError
from devices.transports.serial_port import SerialTransport


@pytest.fixture
def pty_pair() -> Iterator[tuple[int, str]]:
    master, slave = pty.openpty()
    tty.setraw(master)
    path = os.ttyname(slave)
    yield master, path
    for fd in (master, slave):
        with contextlib.suppress(OSError):
            os.close(fd)


def _read_until(transport: SerialTransport, size: int, timeout_s: float = 2.0) -> bytes:
    data = b""
    deadline = time.monotonic() + timeout_s
    while len(data) < size and time.monotonic() < deadline:
        data += transport.read()
    return data


def test_bytes_travel_both_ways(pty_pair: tuple[int, str]) -> None:
    master, path = pty_pair
    transport = SerialTransport(path, baudrate=921_600)
    transport.open()
    os.write(master, b"\xa5\x5a" + bytes(range(100)))
    assert _read_until(transport, 102) == b"\xa5\x5a" + bytes(range(100))
    transport.write(b"INFO\n")
    assert os.read(master, 100) == b"INFO\n"
    transport.close()
    assert not transport.is_open


def test_a_vanished_port_is_reported_as_unavailable(pty_pair: tuple[int, str]) -> None:
    master, path = pty_pair
    transport = SerialTransport(path, baudrate=115_200)
    transport.open()
    os.close(master)

    def read_until_lost() -> None:
        for _ in range(50):
            transport.read()

    with pytest.raises(DeviceUnavailableError):
        read_until_lost()
    assert not transport.is_open


def test_opening_a_missing_port_says_what_to_check() -> None:
    transport = SerialTransport("/dev/genki-no-such-port", baudrate=115_200)
    with pytest.raises(DeviceUnavailableError, match="plugged in"):
        transport.open()
    assert not transport.reopen(retry_interval_s=0.01, deadline_s=time.monotonic() + 0.05)
