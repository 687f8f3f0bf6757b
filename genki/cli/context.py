"""What every command shares: the effective configuration, the language and the open database."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import click

from genki.config import ConfigError, LoadedConfig, load_config
from genki.i18n import Language

if TYPE_CHECKING:
    from records import Database


class _CommandError(click.ClickException):
    """An error whose message is a complete sentence in the user's language, shown as it is."""

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the message on stderr without click's English "Error:" prefix."""
        click.echo(self.format_message(), file=file, err=True)


class BadInputError(_CommandError):
    """Bad input from the operator (arguments, files, configuration): exit code 2."""

    exit_code = 2


class OperationFailedError(_CommandError):
    """An operation that could not be carried out (storage, devices): exit code 1."""

    exit_code = 1


class CliContext:
    """Lazily loaded configuration and database for one command invocation."""

    def __init__(self, config_path: Path | None, language_override: str | None) -> None:
        self._config_path = config_path
        self._language_override = language_override
        self._database: Database | None = None

    @cached_property
    def loaded(self) -> LoadedConfig:
        """The effective configuration; an invalid file ends the command with exit code 2."""
        try:
            return load_config(self._config_path, os.environ)
        except ConfigError as exc:
            raise BadInputError(str(exc)) from exc

    @property
    def language(self) -> Language:
        """The language for messages: ``--lang`` first, then the configuration."""
        if self._language_override is not None:
            return cast("Language", self._language_override)
        return self.loaded.config.language

    def database(self) -> Database:
        """Open (once) the configured database, migrating it to the current schema."""
        if self._database is None:
            from records import open_database  # noqa: PLC0415 - only commands that need it pay
            from records.errors import StorageError  # noqa: PLC0415

            try:
                self._database = open_database(self.loaded.config.database.url)
            except StorageError as exc:
                raise OperationFailedError(str(exc)) from exc
        return self._database

    def close(self) -> None:
        """Release the database connection pool."""
        if self._database is not None:
            self._database.close()
            self._database = None
