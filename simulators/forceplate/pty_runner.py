"""Run a simulated plate behind a pseudo-terminal, in real time, from a background thread.

The adapter opens a stable path (a symlink to the pty's slave) exactly like ``/dev/ttyACM0``. The
runner paces output by the monotonic clock: all samples due are sent at each step, so late steps
catch up in a burst and the sample clock never drifts. Unplugging closes the master (the adapter's
next read fails as with a pulled cable) while the plate, powered on its own, keeps sampling and
loses what it cannot send; replugging opens a new pty and points the symlink at it. Output that
the host does not read is buffered up to a limit, then dropped like a real UART.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pty
import select
import tempfile
import threading
import time
import tty
from pathlib import Path
from typing import Protocol

from simulators.forceplate.faults import InjectedFaults

STEP_S = 0.005
MAX_PENDING_BYTES = 1 << 20


class Firmware(Protocol):
    """What the runner needs from a simulated device."""

    injected: InjectedFaults

    def command(self, line: bytes, due_index: int) -> bytes:
        """Answer one command line."""

    def produce(self, due_index: int) -> bytes:
        """Bytes for every sample due before ``due_index``."""

    def skip(self, due_index: int) -> None:
        """Advance the sample clock without sending (the port is unplugged)."""


class PtyRunner:
    """A simulated device on a pty; ``path`` is what the adapter opens."""

    def __init__(
        self,
        firmware: Firmware,
        *,
        rate_hz: float,
        unplug: tuple[float, float] | None = None,
        startup_output: bytes = b"",
        startup_delay_s: float = 0.0,
    ) -> None:
        self._firmware = firmware
        self._rate_hz = rate_hz
        self._unplug = unplug
        self._startup_output = startup_output
        self._startup_delay_s = startup_delay_s
        self._folder = Path(tempfile.mkdtemp(prefix="genki-sim-"))
        self.path = self._folder / "plate"
        self._master: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pending = bytearray()
        self._commands = bytearray()
        self.overflow_bytes = 0

    def _plug(self) -> None:
        master, slave = pty.openpty()
        tty.setraw(master)
        os.set_blocking(master, False)
        link = self._folder / "plate.new"
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(slave))
        link.replace(self.path)
        os.close(slave)
        self._master = master

    def _close_master(self) -> None:
        if self._master is not None:
            os.close(self._master)
            self._master = None
            self._pending.clear()

    def start(self) -> None:
        """Create the pty and start the device thread."""
        self._plug()
        self._thread = threading.Thread(target=self._run, name="plate-simulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the device, close the pty and remove the path."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close_master()
        with contextlib.suppress(OSError):
            self.path.unlink()
            self._folder.rmdir()

    def _run(self) -> None:
        t0 = time.monotonic()
        started = False
        while not self._stop.is_set():
            now = time.monotonic() - t0
            self._apply_unplug(now)
            if self._master is None:
                self._firmware.skip(int((now - self._startup_delay_s) * self._rate_hz))
                time.sleep(STEP_S)
                continue
            if not started and now >= self._startup_delay_s:
                started = True
                self._pending += self._startup_output
            due = int((now - self._startup_delay_s) * self._rate_hz) if started else 0
            self._read_commands(due)
            self._pending += self._firmware.produce(due)
            self._flush()

    def _apply_unplug(self, now: float) -> None:
        if self._unplug is None:
            return
        start, end = self._unplug
        if start <= now < end and self._master is not None:
            self._close_master()
            self._firmware.injected.unplugs += 1
        elif now >= end and self._master is None:
            self._plug()
            self._unplug = None

    def _read_commands(self, due: int) -> None:
        assert self._master is not None  # noqa: S101 - checked by the caller
        ready, _, _ = select.select([self._master], [], [], STEP_S)
        if ready:
            try:
                self._commands += os.read(self._master, 4096)
            except OSError as exc:  # EIO: no host has the port open; EAGAIN: nothing after all
                if exc.errno not in (errno.EIO, errno.EAGAIN):
                    raise
        while b"\n" in self._commands:
            line, _, rest = self._commands.partition(b"\n")
            self._commands = bytearray(rest)
            self._pending += self._firmware.command(bytes(line), due)

    def _flush(self) -> None:
        assert self._master is not None  # noqa: S101 - checked by the caller
        if len(self._pending) > MAX_PENDING_BYTES:
            self.overflow_bytes += len(self._pending)
            self._pending.clear()
        while self._pending:
            try:
                written = os.write(self._master, self._pending)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EIO):
                    return
                raise
            del self._pending[:written]
