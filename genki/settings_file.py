"""Saving settings into genki.toml: change a few keys, keep the rest of the file as it was.

The kiosk's settings screens change the language, the facility's id and name, the ``[devices]``
table and the trainer's ``pin_hash``. ``save_settings`` edits the file with tomlkit, so comments,
key order and every other key survive; it validates the result with the loader's own model and
messages (``genki.config.validate_config``) before anything touches the disk, and then replaces the
file atomically: a temporary file in the same folder, flushed and fsynced, ``os.replace``, and the
folder fsynced. A refused change raises ``ConfigError`` and leaves the file exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import InlineTable, Table
from tomlkit.toml_document import TOMLDocument

from genki.config import (
    ConfigError,
    GenkiConfig,
    LoadedConfig,
    load_config,
    read_toml_file,
    user_config_path,
    validate_config,
)
from genki.i18n import Language

NEW_FILE_MODE = 0o600  # a new file holds the trainer's PIN hash: readable by its owner only


@dataclass(frozen=True, slots=True)
class SettingsChange:
    """What to change in genki.toml; ``None`` leaves that setting as it is.

    ``devices`` is the whole new ``[devices]`` table (role → device URL): roles missing from it are
    removed, unchanged entries keep their comments.
    """

    language: Language | None = None
    facility_id: str | None = None
    facility_name: str | None = None
    devices: Mapping[str, str] | None = None
    pin_hash: str | None = None


def settings_path(loaded: LoadedConfig) -> Path:
    """Return the file to save settings to: the one loaded, else the user config file."""
    return loaded.path if loaded.path is not None else user_config_path()


def read_settings(path: Path) -> GenkiConfig:
    """Return the configuration saved in ``path``; the defaults while there is no file yet."""
    if not path.exists():
        return validate_config({}, path)
    return load_config(path, {}).config


def save_settings(path: Path, change: SettingsChange) -> GenkiConfig:
    """Apply ``change`` to ``path`` (created if missing); return the validated configuration.

    Raises ConfigError, the file untouched, when the result is not a valid configuration or the
    file cannot be read or written.
    """
    document = _read_document(path)
    _apply(document, change)
    config = validate_config(document.unwrap(), path)
    _replace_atomically(path, tomlkit.dumps(document))
    return config


def _read_document(path: Path) -> TOMLDocument:
    if not path.exists():
        return tomlkit.document()
    read_toml_file(path)  # the loader's messages for an unreadable, non-UTF-8 or malformed file
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8-sig"))
    except ParseError as exc:
        raise ConfigError(f"TOML syntax error in {path}: {exc}", expected="valid TOML") from None


def _apply(document: TOMLDocument, change: SettingsChange) -> None:
    if change.language is not None:
        document["language"] = change.language
    if change.facility_id is not None:
        _table(document, "facility")["id"] = change.facility_id
    if change.facility_name is not None:
        _table(document, "facility")["name"] = change.facility_name
    if change.pin_hash is not None:
        _table(document, "trainer")["pin_hash"] = change.pin_hash
    if change.devices is not None:
        devices = _table(document, "devices")
        for role in [role for role in devices if role not in change.devices]:
            del devices[role]
        for role, url in change.devices.items():
            if devices.get(role) != url:
                devices[role] = url


def _table(document: TOMLDocument, name: str) -> Table | InlineTable:
    """Return the table ``name`` (a [table], an inline or a dotted one), adding it when missing."""
    if not isinstance(document.get(name), Mapping):
        document[name] = tomlkit.table()
    return cast("Table | InlineTable", document[name])


def _replace_atomically(path: Path, content: str) -> None:
    target = path.resolve()  # a symlinked genki.toml stays a link to the replaced file
    data = content.encode("utf-8")
    try:
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else NEW_FILE_MODE
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(descriptor, "wb") as file:
                os.fchmod(file.fileno(), mode)
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_folder(target.parent)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            f"cannot write configuration file {path}: {reason}",
            expected="a writable file in a writable folder",
        ) from exc


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; elsewhere a folder cannot be opened)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # some file systems refuse to fsync a folder
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
