"""Run a private Mosquitto with one of genki's shipped configurations (tests, ``genki bench sync``).

``Mosquitto("development")`` copies ``sync/brokers/development.conf`` into a data directory and
starts ``mosquitto -c <copy>`` on a free loopback port; ``Mosquitto("production", ...)`` does the
same with ``production.conf``, the caller's password file and TLS files, and the shipped ACL (or
the caller's). The copy differs from the shipped file only where it must:

- ``listener``: the given (or a free) port, on ``host`` (loopback by default);
- ``persistence_location``: the data directory, so a restart on it finds the saved database;
- ``log_dest``: standard error, which the runner appends to ``mosquitto.log`` in the data
  directory (early configuration errors land there too);
- ``password_file``, ``acl_file``, ``cafile``, ``certfile``, ``keyfile``: copies in the data
  directory; ``pid_file`` is left out.

The broker counts as started once it accepts connections and its log says ``mosquitto version
… running``: Mosquitto opens a listener before it loads that listener's TLS files, so a bad key
file can accept a connection for a moment before the process exits. (The shipped
configurations keep Mosquitto's default log types, which include that notice.)

Started as root, Mosquitto 2.0 switches to the user of its ``user`` directive (``mosquitto``) and,
if that user cannot write the persistence directory, runs without persistence and says nothing
at the default log level. The runner therefore hands the data directory and the copied files to
that user. If the user cannot even reach the data directory (a parent directory is private, as
pytest's ``tmp_path`` and a ``tempfile.TemporaryDirectory`` are), the copy says ``user root``
instead, so persistence still works (logged at INFO). Without ``data_dir`` the runner makes one
with ``tempfile.mkdtemp`` (reachable through ``/tmp``), so the broker runs as ``mosquitto``.
"""

from __future__ import annotations

import logging
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Literal, Self

_LOGGER = logging.getLogger(__name__)

Configuration = Literal["development", "production"]
CONFIGURATIONS: tuple[Configuration, ...] = ("development", "production")
BROKERS_DIR = Path(__file__).with_name("brokers")
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
LOG_NAME = "mosquitto.log"
CONFIG_NAME = "mosquitto.conf"
_POLL_S = 0.02
_RUNNING = re.compile(rb"mosquitto version \S+ running")
_LOG_TAIL_LINES = 15
# Directives whose value names a file the broker reads: the copy in the data directory.
_FILE_DIRECTIVES = {
    "password_file": "passwd",
    "acl_file": "acl",
    "cafile": "ca.crt",
    "certfile": "broker.crt",
    "keyfile": "broker.key",
}
# Of those, the ones the caller must give (the shipped ACL is used unless the caller gives one).
_NEEDED = ("password_file", "cafile", "certfile", "keyfile")


class MosquittoError(RuntimeError):
    """Mosquitto is missing, cannot be configured as asked, or did not start."""


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """The PEM files of a TLS listener: the CA certificate, the broker certificate and its key."""

    cafile: Path
    certfile: Path
    keyfile: Path


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def _check_port_free(host: str, port: int) -> None:
    """Raise if something listens on ``host:port`` (connections left in TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise MosquittoError(
                f"cannot start Mosquitto on {host}:{port}: the port is in use ({exc.strerror})"
            ) from None


def mosquitto_binary() -> str:
    """Return the path of the ``mosquitto`` program, or raise saying how to install it."""
    found = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise MosquittoError(
            "the mosquitto broker is not installed; install the Debian package `mosquitto` "
            "(sudo apt-get install mosquitto)"
        )
    return found


class Mosquitto:
    """One private Mosquitto process on one port with one data directory (see the module doc).

    Use it as a context manager, or call ``start`` and ``close``. ``stop`` ends the broker
    gracefully (it saves its database), ``kill`` ends it at once (a crash), ``restart`` starts it
    again on the same port with the same data directory. Without ``data_dir`` the runner makes a
    temporary one and removes it in ``close``.
    """

    def __init__(
        self,
        configuration: Configuration = "development",
        *,
        data_dir: Path | None = None,
        port: int | None = None,
        host: str = "127.0.0.1",
        password_file: Path | None = None,
        acl_file: Path | None = None,
        tls: TlsFiles | None = None,
    ) -> None:
        if configuration not in CONFIGURATIONS:
            raise MosquittoError(
                f"configuration {configuration!r}; expected one of {', '.join(CONFIGURATIONS)}"
            )
        self.configuration = configuration
        self.host = host
        self.port = port if port is not None else free_port(host)
        self._own_data_dir = data_dir is None
        self.data_dir = (
            data_dir if data_dir is not None else Path(tempfile.mkdtemp(prefix="genki-mosquitto-"))
        )
        self._inputs: dict[str, Path | None] = {
            "password_file": password_file,
            "acl_file": acl_file,
            "cafile": tls.cafile if tls else None,
            "certfile": tls.certfile if tls else None,
            "keyfile": tls.keyfile if tls else None,
        }
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # --- Where it is --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The broker's URL, ``mqtt://host:port`` (development) or ``mqtts://host:port``."""
        scheme = "mqtts" if self.configuration == "production" else "mqtt"
        return f"{scheme}://{self.host}:{self.port}"

    @property
    def log_path(self) -> Path:
        """The broker's log: everything it wrote since the first start, restarts appended."""
        return self.data_dir / LOG_NAME

    @property
    def config_path(self) -> Path:
        """The private copy of the configuration the broker runs with."""
        return self.data_dir / CONFIG_NAME

    @property
    def pid(self) -> int | None:
        """The broker's process id while it runs."""
        return self._process.pid if self.is_running and self._process else None

    @property
    def is_running(self) -> bool:
        """Whether the broker process is alive."""
        return self._process is not None and self._process.poll() is None

    # --- Life cycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Write the private configuration, start the broker and wait until it accepts clients."""
        if self.is_running:
            return self
        self._end(signal.SIGKILL, STOP_TIMEOUT_S)  # forget a process that ended by itself
        binary = mosquitto_binary()
        _check_port_free(self.host, self.port)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(self._private_config(), encoding="utf-8")
        self._log = self.log_path.open("ab")
        log_start = self._log.tell()
        self._process = process = subprocess.Popen(  # noqa: S603  (our program, our file)
            [binary, "-c", str(self.config_path)],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
        )
        self._wait_until_running(process, log_start)
        return self

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        """End the broker gracefully (SIGTERM: it saves its database) and wait for it."""
        self._end(signal.SIGTERM, timeout_s)

    def kill(self) -> None:
        """End the broker at once (SIGKILL), as a crash would: nothing more is saved."""
        self._end(signal.SIGKILL, STOP_TIMEOUT_S)

    def restart(self) -> None:
        """Start the broker again on the same port with the same data directory."""
        if self.is_running:
            self.stop()
        self.start()

    def close(self) -> None:
        """Stop the broker; remove the data directory if the runner made it."""
        try:
            self.stop()
        finally:
            if self._own_data_dir:
                shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        try:
            return self.start()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Mosquitto({self.configuration!r}, url={self.url!r}, data_dir={self.data_dir})"

    # --- Inside -------------------------------------------------------------------------------

    def _end(self, signal_number: int, timeout_s: float) -> None:
        process, self._process = self._process, None
        try:
            if process is not None and process.poll() is None:
                process.send_signal(signal_number)
                try:
                    process.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout_s)
                    raise MosquittoError(
                        f"Mosquitto did not end within {timeout_s:g} s and was killed; "
                        f"see its log {self.log_path}"
                    ) from None
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None

    def _wait_until_running(self, process: subprocess.Popen[bytes], log_start: int) -> None:
        """Return once the broker accepts connections and says it runs (module docstring)."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            exit_code = process.poll()
            if exit_code is not None:
                self._end(signal.SIGKILL, STOP_TIMEOUT_S)
                raise MosquittoError(
                    f"Mosquitto ({self.configuration}) exited with code {exit_code} at start; "
                    f"its log {self.log_path} ends with:\n{self._log_tail()}"
                )
            if self._accepting() and _RUNNING.search(self._log_since(log_start)):
                return
            if time.monotonic() > deadline:
                self._end(signal.SIGKILL, STOP_TIMEOUT_S)
                raise MosquittoError(
                    f"Mosquitto ({self.configuration}) did not start on {self.host}:{self.port} "
                    f"within {START_TIMEOUT_S:g} s (accepting connections and logging that it "
                    f"runs); its log {self.log_path} ends with:\n{self._log_tail()}"
                )
            time.sleep(_POLL_S)

    def _accepting(self) -> bool:
        try:
            socket.create_connection((self.host, self.port), timeout=0.2).close()
        except OSError:
            return False
        return True

    def _log_since(self, offset: int) -> bytes:
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                return log.read()
        except OSError:
            return b""

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            return f"(unreadable: {exc})"
        return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(empty)"

    def _private_config(self) -> str:
        """Return the shipped configuration with only the directives that must differ rewritten."""
        shipped = BROKERS_DIR / f"{self.configuration}.conf"
        lines = shipped.read_text(encoding="utf-8").splitlines()
        present = {_directive(line) for line in lines} - {""}
        for directive, given in self._inputs.items():
            if given is not None and directive not in present:
                raise MosquittoError(
                    f"the {self.configuration} configuration has no {directive}; "
                    f"do not pass one for it"
                )
        missing = [d for d in _NEEDED if d in present and self._inputs[d] is None]
        if missing:
            raise MosquittoError(
                f"the {self.configuration} configuration needs {', '.join(missing)}; "
                "pass password_file=... and tls=TlsFiles(cafile, certfile, keyfile)"
            )
        broker_user = None
        if os.geteuid() == 0:
            broker_user = self._hand_over(_switch_user(_configured_user(lines)))
        out: list[str] = []
        for line in lines:
            rewritten = self._rewrite(line, broker_user)
            if rewritten is not None and not (rewritten == "log_dest stderr" and rewritten in out):
                out.append(rewritten)
        if broker_user is not None and "user" not in present:
            out.append(f"user {broker_user.pw_name}")
        return "\n".join(out) + "\n"

    def _rewrite(self, line: str, broker_user: pwd.struct_passwd | None) -> str | None:
        """Return ``line`` as the private copy has it (None: left out)."""
        directive = _directive(line)
        fixed = {
            "listener": f"listener {self.port} {self.host}",
            "persistence_location": f"persistence_location {self.data_dir}/",
            "log_dest": "log_dest stderr",  # appended to the log file by the runner
            "pid_file": None,
        }
        if directive in fixed:
            return fixed[directive]
        if directive == "user" and broker_user is not None:
            return f"user {broker_user.pw_name}"
        if directive in _FILE_DIRECTIVES:
            return f"{directive} {self._copy_input(directive, broker_user)}"
        return line

    def _copy_input(self, directive: str, owner: pwd.struct_passwd | None) -> Path:
        """Copy the file a directive names (the caller's, or the shipped ACL) into the data dir."""
        given = self._inputs[directive] or BROKERS_DIR / f"{self.configuration}.acl"
        if not given.is_file():
            raise MosquittoError(f"{directive} {given}: no such file")
        target = self.data_dir / _FILE_DIRECTIVES[directive]
        shutil.copyfile(given, target)
        target.chmod(0o600)
        if owner is not None:
            os.chown(target, owner.pw_uid, owner.pw_gid)
        return target

    def _hand_over(self, user: pwd.struct_passwd) -> pwd.struct_passwd:
        """Give the data directory to ``user``; return the user the broker should run as."""
        if not _reachable(self.data_dir.parent, user):
            _LOGGER.info(
                "the user %s cannot reach %s (a parent directory is private); "
                "running Mosquitto as root so that its persistence works",
                user.pw_name,
                self.data_dir,
            )
            return pwd.getpwuid(0)
        os.chown(self.data_dir, user.pw_uid, user.pw_gid)
        self.data_dir.chmod(0o700)
        for saved in self.data_dir.glob("mosquitto.db*"):
            os.chown(saved, user.pw_uid, user.pw_gid)
        return user


def _directive(line: str) -> str:
    """Return the directive a configuration line sets ("" for blank lines and comments)."""
    words = line.split()
    return words[0] if words and not words[0].startswith("#") else ""


def _configured_user(lines: list[str]) -> str:
    """Return the ``user`` directive's value (Mosquitto's default is ``mosquitto``)."""
    for line in lines:
        words = line.split()
        if len(words) == 2 and words[0] == "user":
            return words[1]
    return "mosquitto"


def _switch_user(name: str) -> pwd.struct_passwd:
    """Return the account Mosquitto switches to when started as root."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        if name != "mosquitto":
            raise MosquittoError(f"the configuration's user {name!r} does not exist") from None
    try:
        return pwd.getpwnam("nobody")  # what Mosquitto does without a `mosquitto` account
    except KeyError:
        raise MosquittoError("neither the user `mosquitto` nor `nobody` exists") from None


def _reachable(directory: Path, user: pwd.struct_passwd) -> bool:
    """Whether ``user`` may traverse ``directory`` and every directory above it."""
    if user.pw_uid == 0:
        return True
    groups = set(os.getgrouplist(user.pw_name, user.pw_gid))
    for folder in (directory.resolve(), *directory.resolve().parents):
        mode = folder.stat()
        if mode.st_uid == user.pw_uid:
            allowed = mode.st_mode & stat.S_IXUSR
        elif mode.st_gid in groups:
            allowed = mode.st_mode & stat.S_IXGRP
        else:
            allowed = mode.st_mode & stat.S_IXOTH
        if not allowed:
            return False
    return True
