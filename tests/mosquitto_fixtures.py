"""Real Mosquitto brokers for tests: the shipped development and production configurations.

``mosquitto_dev``
    A ``sync.mosquitto.Mosquitto`` running ``sync/brokers/development.conf`` on a free loopback
    port with a private data directory (anonymous, no TLS). Use ``.host``, ``.port``, ``.url``,
    ``.kill()``, ``.stop()``, ``.restart()`` (same port and persistence), ``.log_path``.

``mosquitto_production``
    A ``ProductionBroker``: ``.broker`` (the runner, with ``sync/brokers/production.conf`` and
    ``production.acl`` as shipped, facility ``facility-1``), ``.ca_file`` (the CA that signed the
    broker's certificate for 127.0.0.1 and localhost), ``.passwords`` (users ``office``,
    ``kiosk-a``, ``kiosk-b``), and ``.settings(user)`` for genki's ``BrokerSettings``.

``mosquitto_credentials`` (session scope)
    The ``Credentials`` behind ``mosquitto_production``: ``.tls`` (``TlsFiles``),
    ``.password_file`` and ``.passwords``, for tests that start a production broker themselves.

The certificates and the password file are made once per test session (``openssl`` and
``mosquitto_passwd``); every test gets a fresh broker on a free port, with its data directory
under ``/tmp`` (reachable by the user ``mosquitto``, so persistence runs as it does in
production). At teardown the broker's log is copied into the test's ``tmp_path`` for diagnosis.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sync.broker import BrokerSettings
from sync.mosquitto import Mosquitto, TlsFiles

FACILITY = "facility-1"  # the facility id written in sync/brokers/production.acl
USERS = ("office", "kiosk-a", "kiosk-b")
_DAYS = "2"


@dataclass(frozen=True)
class Credentials:
    """What a production broker needs besides its configuration, and what clients need."""

    tls: TlsFiles
    password_file: Path
    passwords: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class ProductionBroker:
    """A running broker with the production configuration, and how clients reach it."""

    broker: Mosquitto
    ca_file: Path
    passwords: dict[str, str] = field(repr=False)
    facility: str = FACILITY

    @property
    def host(self) -> str:
        """The broker's host (loopback)."""
        return self.broker.host

    @property
    def port(self) -> int:
        """The broker's TLS port."""
        return self.broker.port

    def settings(self, user: str, *, keepalive_s: int = 5) -> BrokerSettings:
        """Return genki's settings for ``user`` (TLS with the test CA, the user's password)."""
        return BrokerSettings(
            host=self.host, port=self.port, tls=True, ca_file=self.ca_file,
            username=user, password=self.passwords[user], keepalive_s=keepalive_s,
        )  # fmt: skip


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def make_certificates(folder: Path) -> TlsFiles:
    """Make a CA and a broker certificate for 127.0.0.1 and localhost (EC P-256, 2 days)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = folder / "ca.key", folder / "ca.crt"
    key, csr, crt = folder / "broker.key", folder / "broker.csr", folder / "broker.crt"
    extensions = folder / "broker.ext"
    extensions.write_text(
        "basicConstraints = critical, CA:FALSE\n"
        "keyUsage = critical, digitalSignature, keyEncipherment\n"
        "extendedKeyUsage = serverAuth\n"
        "subjectAltName = DNS:localhost, IP:127.0.0.1\n"
        "subjectKeyIdentifier = hash\n"
        "authorityKeyIdentifier = keyid\n",
        encoding="utf-8",
    )
    new_key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _run("openssl", "req", "-x509", *new_key, "-keyout", str(ca_key), "-out", str(ca_crt),
         "-days", _DAYS, "-subj", "/CN=genki test CA",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign")  # fmt: skip
    _run("openssl", "req", "-new", *new_key, "-keyout", str(key), "-out", str(csr),
         "-subj", "/CN=localhost")  # fmt: skip
    _run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
         "-CAcreateserial", "-out", str(crt), "-days", _DAYS,
         "-extfile", str(extensions))  # fmt: skip
    return TlsFiles(cafile=ca_crt, certfile=crt, keyfile=key)


def make_password_file(path: Path, users: tuple[str, ...] = USERS) -> dict[str, str]:
    """Write a Mosquitto password file with a random password per user; return the passwords."""
    passwords = {user: secrets.token_urlsafe(12) for user in users}
    for index, (user, password) in enumerate(passwords.items()):
        create = ("-c",) if index == 0 else ()
        _run("mosquitto_passwd", *create, "-b", str(path), user, password)
    return passwords


@pytest.fixture(scope="session")
def mosquitto_credentials(tmp_path_factory: pytest.TempPathFactory) -> Credentials:
    """Certificates and a password file for production brokers, made once per session."""
    folder = tmp_path_factory.mktemp("mosquitto-credentials")
    tls = make_certificates(folder)
    password_file = folder / "passwd"
    return Credentials(tls, password_file, make_password_file(password_file))


def _keep_log(broker: Mosquitto, folder: Path, name: str) -> None:
    if broker.log_path.exists():
        shutil.copyfile(broker.log_path, folder / name)


@pytest.fixture
def mosquitto_dev(tmp_path: Path) -> Iterator[Mosquitto]:
    """Mosquitto with the development configuration on a free port, its own data directory."""
    broker = Mosquitto("development")
    with broker:
        yield broker
        _keep_log(broker, tmp_path, "mosquitto-dev.log")


@pytest.fixture
def mosquitto_production(
    mosquitto_credentials: Credentials, tmp_path: Path
) -> Iterator[ProductionBroker]:
    """Mosquitto with the production configuration and ACL as shipped, TLS on a free port."""
    broker = Mosquitto(
        "production",
        password_file=mosquitto_credentials.password_file,
        tls=mosquitto_credentials.tls,
    )
    with broker:
        yield ProductionBroker(
            broker, mosquitto_credentials.tls.cafile, dict(mosquitto_credentials.passwords)
        )
        _keep_log(broker, tmp_path, "mosquitto-production.log")
