"""A fault-injecting TCP proxy: a test tool standing in for a real network.

The programs on either side are real (Mosquitto on the upstream side, a real paho client on the
other); only the wire between them is simulated. ``FaultyProxy`` listens on a free loopback port
and forwards every accepted connection to ``upstream_host:upstream_port``. Its controls are
thread-safe and may be changed while connections are open:

``latency_s``
    Every chunk read from one side is delivered to the other side ``latency_s`` later (each
    direction, so a round trip takes twice as long). Chunks are timestamped when read, so latency
    delays data without cutting throughput.
``bandwidth_bytes_per_s``
    A cap on the bytes delivered per second in each direction of each connection; ``None`` means
    unlimited.
``reset_all()``
    Closes every open connection, both sides, with a TCP reset (``SO_LINGER`` on, zero timeout),
    as a router or NAT dropping its state does.
``blackhole(on)``
    Half-open sockets: while on, nothing is read or delivered in either direction and nothing is
    closed, so neither side sees data, a FIN or a reset (a dead network). New connections are
    still accepted (and connected upstream) but carry nothing. When turned off, forwarding
    resumes with whatever the sockets buffered, as TCP retransmission delivers it after a network
    heals; a side that closed meanwhile is seen closing then.

A side closing normally (FIN) is passed on after the data before it; an error on one side (a
reset, say) resets both. ``close()`` (or leaving the ``with`` block) stops everything.
Only the standard library is used: one thread accepts, and each direction of each connection has
a reader and a writer thread.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections import deque
from types import TracebackType

_RECV_BYTES = 65536
_POLL_S = 0.1  # how often blocked socket calls look at the proxy's state
_SLICE_BYTES = 1024  # bandwidth pacing granularity


def _abort(sock: socket.socket) -> None:
    """Close ``sock`` with a reset instead of a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class _Link:
    """One proxied connection: the client's socket, the upstream socket, two directions."""

    def __init__(self, proxy: FaultyProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.proxy = proxy
        self.sockets = (client, upstream)
        self.closed = False
        self._finished = 0
        self.pipes = (
            _Pipe(self, client, upstream, "up"),
            _Pipe(self, upstream, client, "down"),
        )

    def start(self) -> None:
        for pipe in self.pipes:
            pipe.start()

    def threads(self) -> list[threading.Thread]:
        return [thread for pipe in self.pipes for thread in pipe.threads]

    def abort(self) -> bool:
        """Reset both sides; return False if the link was already closed."""
        with self.proxy.changed:
            if self.closed:
                return False
            self.closed = True
            self.proxy.links.discard(self)
            self.proxy.changed.notify_all()
        for sock in self.sockets:
            _abort(sock)
        return True

    def direction_finished(self) -> None:
        """One direction delivered its end of stream; close normally when both have."""
        with self.proxy.changed:
            self._finished += 1
            if self._finished < 2 or self.closed:
                return
            self.closed = True
            self.proxy.links.discard(self)
            self.proxy.changed.notify_all()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.close()


class _Pipe:
    """One direction of a link: a reader timestamping chunks, a writer delivering them."""

    def __init__(self, link: _Link, src: socket.socket, dst: socket.socket, name: str) -> None:
        self.link, self.src, self.dst = link, src, dst
        self.queue: deque[tuple[float, bytes]] = deque()  # (deliver at, data); b"" = end
        port = src.getpeername()[1]
        self.threads = (
            threading.Thread(target=self._read, name=f"proxy-{port}-{name}-read", daemon=True),
            threading.Thread(target=self._write, name=f"proxy-{port}-{name}-write", daemon=True),
        )

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def _read(self) -> None:
        proxy, link = self.link.proxy, self.link
        while True:
            with proxy.changed:
                while proxy.blackholed and not link.closed:
                    proxy.changed.wait()
                if link.closed:
                    return
            try:
                data = self.src.recv(_RECV_BYTES)
            except TimeoutError:
                continue
            except (OSError, ValueError):  # reset by the peer, or closed by the proxy
                link.abort()
                return
            with proxy.changed:
                if link.closed:
                    return
                self.queue.append((time.monotonic() + proxy.latency_s, data))
                proxy.changed.notify_all()
            if not data:
                return

    def _next_chunk(self) -> tuple[bytes, float | None] | None:
        """Wait until a chunk is due and the network is up; None when the link is closed."""
        proxy = self.link.proxy
        with proxy.changed:
            while not self.link.closed:
                if proxy.blackholed or not self.queue:
                    proxy.changed.wait()
                    continue
                due, data = self.queue[0]
                wait = due - time.monotonic()
                if wait > 0:
                    proxy.changed.wait(wait)
                    continue
                self.queue.popleft()
                return data, proxy.bandwidth_bytes_per_s
            return None

    def _write(self) -> None:
        while (chunk := self._next_chunk()) is not None:
            data, bandwidth = chunk
            if not data:
                with contextlib.suppress(OSError):
                    self.dst.shutdown(socket.SHUT_WR)
                self.link.direction_finished()
                return
            try:
                self._deliver(memoryview(data), bandwidth)
            except (OSError, ValueError):
                self.link.abort()
                return

    def _deliver(self, view: memoryview, bandwidth: float | None) -> None:
        proxy = self.link.proxy
        while view:
            with proxy.changed:
                if self.link.closed:
                    return
                if proxy.blackholed:  # hold the rest until the network is back
                    self.queue.appendleft((0.0, bytes(view)))
                    return
            piece = view if bandwidth is None else view[:_SLICE_BYTES]
            try:
                sent = self.dst.send(piece)
            except TimeoutError:
                continue
            view = view[sent:]
            if bandwidth is not None:
                time.sleep(sent / bandwidth)


class FaultyProxy:
    """A TCP proxy on 127.0.0.1 that injects network faults (see the module docstring)."""

    def __init__(self, upstream_host: str, upstream_port: int, *, host: str = "127.0.0.1") -> None:
        self.upstream = (upstream_host, upstream_port)
        self.host = host
        self.changed = threading.Condition()
        self.links: set[_Link] = set()
        self._latency_s = 0.0
        self._bandwidth: float | None = None
        self._blackholed = False
        self._closed = False
        self.accepted = 0  # connections accepted so far
        self.resets = 0  # connections closed by reset_all()
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(_POLL_S)
        self.port: int = self._listener.getsockname()[1]
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(
            target=self._accept, name=f"proxy-{self.port}-accept", daemon=True
        )
        self._acceptor.start()

    # Controls (any thread).
    @property
    def latency_s(self) -> float:
        """The delay of every chunk, each direction."""
        with self.changed:
            return self._latency_s

    @latency_s.setter
    def latency_s(self, value: float) -> None:
        with self.changed:
            self._latency_s = value
            self.changed.notify_all()

    @property
    def bandwidth_bytes_per_s(self) -> float | None:
        """The cap per direction of each connection; None means unlimited."""
        with self.changed:
            return self._bandwidth

    @bandwidth_bytes_per_s.setter
    def bandwidth_bytes_per_s(self, value: float | None) -> None:
        with self.changed:
            self._bandwidth = value
            self.changed.notify_all()

    @property
    def blackholed(self) -> bool:
        """Whether the network is dead (see ``blackhole``)."""
        with self.changed:
            return self._blackholed

    def blackhole(self, on: bool) -> None:
        """Stop (``True``) or resume (``False``) forwarding, keeping every socket open."""
        with self.changed:
            self._blackholed = on
            self.changed.notify_all()

    def reset_all(self) -> int:
        """Reset every open connection on both sides; return how many there were."""
        with self.changed:
            links = list(self.links)
        count = sum(link.abort() for link in links)
        with self.changed:
            self.resets += count
        return count

    @property
    def open_connections(self) -> int:
        """Connections currently open through the proxy."""
        with self.changed:
            return len(self.links)

    def threads(self) -> list[threading.Thread]:
        """Every thread the proxy started (alive or not)."""
        with self.changed:
            return [self._acceptor, *self._threads]

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop accepting, reset every connection, and wait for the threads to end."""
        with self.changed:
            self._closed = True
            self.changed.notify_all()
        self._listener.close()
        self.reset_all()
        deadline = time.monotonic() + timeout_s
        for thread in self.threads():
            thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> FaultyProxy:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            with self.changed:
                if self._closed:
                    return
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:  # the listener was closed
                return
            try:
                upstream = socket.create_connection(self.upstream, timeout=2.0)
            except OSError:
                _abort(client)  # nothing listens upstream: a reset, as a real host sends
                continue
            for sock in (client, upstream):
                sock.settimeout(_POLL_S)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(self, client, upstream)
            with self.changed:
                if self._closed:
                    _abort(client)
                    _abort(upstream)
                    return
                self.accepted += 1
                self.links.add(link)
                self._threads.extend(link.threads())
            link.start()
