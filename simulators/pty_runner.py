"""Run a simulated plate behind a pseudo-terminal, in real time, from a background thread.

The host (the adapter) opens the slave side with pyserial exactly as it opens ``/dev/ttyACM0``;
the runner owns the master, in raw mode (testing-without-hardware.md §2.1: no echo, no LF → CR LF
translation) and non-blocking.

Pacing. Time is the monotonic clock since ``start()``; the plate powers up ``startup_delay_s``
later. Every step asks the firmware for everything due by now, so a late step catches up in one
burst and the sample clock never drifts: sample k is taken at k periods after power-up however
the thread is scheduled. A step lasts at most 2 ms (or one sample period, if shorter), less
when the host writes.

The host. Reading the master fails with EIO while no process has the slave open. The runner
therefore knows when a host opens the port (the firmware hears of it: an HX711 board resets)
and when it closes it, and discards what nobody can receive (the firmware counts those frames as
offline). Output the host leaves unread is buffered up to ``MAX_PENDING_BYTES``, then discarded
and counted (``overflow_bytes``), like a device whose transmit buffer overflows.

Unplugging closes the master: the host's next read fails as with a pulled USB cable (pyserial:
"device reports readiness to read but returned no data"). Replugging opens a new pair, while
the plate itself keeps running (a self-powered plate on a USB-serial link). The same path cannot
be promised for the new pair: Linux gives it the lowest free ``/dev/pts`` number, and the old
number stays taken until the host closes its descriptor of the old slave, which it does only
after it notices the unplug. A runner that may be unplugged (an unplug window, or
``stable_path=True``) therefore publishes a symlink it owns, ``$TMPDIR/genki-sim-*/plate``,
re-pointed atomically at each new slave; otherwise ``path`` is the slave itself.
"""

from __future__ import annotations

import contextlib
import errno
import os
import pty
import queue
import select
import tempfile
import threading
import time
import tty
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol

from simulators.forceplate.faults import InjectedFaults

STEP_S = 0.002
MAX_PENDING_BYTES = 1 << 16
READ_BYTES = 4096
REQUEST_TIMEOUT_S = 2.0
Action = Literal["unplug", "replug"]


class Firmware(Protocol):
    """What the runner drives: a simulated plate, with time in µs since its power-up."""

    injected: InjectedFaults

    def power_up(self, now_us: int) -> bytes:
        """Reset to the power-up state; return what the plate sends first."""
        ...

    def host_opened(self, now_us: int) -> bytes:
        """Hear that a host has opened the port; return any reply."""
        ...

    def receive(self, data: bytes, now_us: int) -> bytes:
        """Bytes from the host arrived; return the answers."""
        ...

    def advance(self, now_us: int, *, online: bool) -> bytes:
        """Return everything due by ``now_us`` (``online``: a host has the port open)."""
        ...


class PtyRunner:
    """A simulated device on a pseudo-terminal pair; the host opens ``path``."""

    def __init__(
        self,
        firmware: Firmware,
        *,
        unplug: tuple[float, float] | None = None,
        stable_path: bool | None = None,
        rate_hz: float | None = None,
        startup_output: bytes = b"",
        startup_delay_s: float = 0.0,
    ) -> None:
        """Prepare the runner; ``start()`` creates the pair.

        ``unplug`` is a (T1, T2) window in seconds from ``start()``; ``rate_hz`` the sample rate
        (it caps the step at one period); ``startup_output`` is written when the plate powers
        up, ``startup_delay_s`` after ``start()``.
        """
        self.firmware = firmware
        self._window = unplug
        self._step_s = STEP_S if not rate_hz else min(STEP_S, 1.0 / rate_hz)
        self._startup_output = startup_output
        self._startup_delay_s = startup_delay_s
        use_link = unplug is not None if stable_path is None else stable_path
        self._folder = Path(tempfile.mkdtemp(prefix="genki-sim-")) if use_link else None
        self._master: int | None = None
        self.slave_path = ""
        self._powered = False
        self.host_connected = False
        self._pending = bytearray()
        self._requests: queue.SimpleQueue[tuple[Action, threading.Event]] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0 = 0.0

    @property
    def path(self) -> Path:
        """What the host opens: the stable symlink, or the slave itself."""
        return self._folder / "plate" if self._folder else Path(self.slave_path)

    @property
    def plugged(self) -> bool:
        """Whether the pseudo-terminal is open (not unplugged)."""
        return self._master is not None

    def __enter__(self) -> PtyRunner:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Create the pair and start the device thread (the plate powers up after the delay)."""
        self._plug()
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="plate-simulator", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the device, close the pair and remove the symlink."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close_master()
        if self._folder is not None:
            with contextlib.suppress(OSError):
                (self._folder / "plate").unlink()
                self._folder.rmdir()

    def unplug(self) -> None:
        """Close the master now, as if the cable were pulled (the plate keeps running)."""
        self._request("unplug")

    def replug(self) -> None:
        """Open a new pair after an unplug; with a symlink, ``path`` stays the same."""
        self._request("replug")

    def _request(self, action: Action) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._apply(action)
            return
        done = threading.Event()
        self._requests.put((action, done))
        if not done.wait(REQUEST_TIMEOUT_S):
            raise TimeoutError(
                f"the simulator thread did not {action} within {REQUEST_TIMEOUT_S} s"
            )

    def _apply(self, action: Action) -> None:
        if action == "unplug" and self._master is not None:
            self._close_master()
            self.firmware.injected.unplugs += 1
        elif action == "replug" and self._master is None:
            self._plug()
            self.firmware.injected.replugs += 1

    def _plug(self) -> None:
        master, slave = pty.openpty()
        tty.setraw(master)
        os.set_blocking(master, False)
        self.slave_path = os.ttyname(slave)
        os.close(slave)
        if self._folder is not None:
            link = self._folder / "plate.new"
            link.unlink(missing_ok=True)
            link.symlink_to(self.slave_path)
            link.replace(self._folder / "plate")
        self._master = master

    def _close_master(self) -> None:
        master, self._master = self._master, None  # unplugged before the host can notice
        if master is not None:
            os.close(master)
        self._pending.clear()
        self.host_connected = False

    def _run(self) -> None:
        while not self._stop.is_set():
            elapsed_s = time.monotonic() - self._t0
            self._follow_requests(elapsed_s)
            data, connected = self._poll()
            now_us = int((time.monotonic() - self._t0 - self._startup_delay_s) * 1e6)
            if now_us < 0:
                continue
            out = bytearray()
            if not self._powered:
                self._powered = True
                out += self._startup_output + self.firmware.power_up(now_us)
            if connected and not self.host_connected:
                out += self.firmware.host_opened(now_us)
            self.host_connected = connected
            if data:
                out += self.firmware.receive(data, now_us)
            out += self.firmware.advance(now_us, online=connected)
            self._send(bytes(out))

    def _follow_requests(self, elapsed_s: float) -> None:
        while not self._requests.empty():
            action, done = self._requests.get()
            self._apply(action)
            done.set()
        if self._window is not None:
            start_s, end_s = self._window
            if start_s <= elapsed_s < end_s and self._master is not None:
                self._apply("unplug")
            elif elapsed_s >= end_s:
                self._apply("replug")
                self._window = None

    def _poll(self) -> tuple[bytes, bool]:
        """Wait up to one step for host bytes; return them and whether a host has the port."""
        if self._master is None:
            self._stop.wait(self._step_s)
            return b"", False
        ready, _, _ = select.select([self._master], [], [], self._step_s)
        if not ready:
            return b"", True
        try:
            return os.read(self._master, READ_BYTES), True
        except BlockingIOError:
            return b"", True
        except OSError as exc:
            if exc.errno != errno.EIO:
                raise
        self._stop.wait(self._step_s)  # EIO: nobody has the slave open
        return b"", False

    def _send(self, data: bytes) -> None:
        if self._master is None or not self.host_connected:
            self._pending.clear()
            return
        self._pending += data
        if len(self._pending) > MAX_PENDING_BYTES:
            self.firmware.injected.overflow_bytes += len(self._pending)
            self._pending.clear()
        while self._pending:
            try:
                written = os.write(self._master, self._pending)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno != errno.EIO:
                    raise
                self._pending.clear()
                return
            del self._pending[:written]
