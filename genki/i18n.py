"""Message catalogues: every text a person reads, in Japanese (default) and English.

Catalogues are TOML files in ``genki/locales/``, one per language, with the same keys and the same
``{placeholders}``; a test keeps them in step. Code refers to messages by key only.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

Language = Literal["ja", "en"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
DEFAULT_LANGUAGE: Language = "ja"


class UnknownMessageError(KeyError):
    """A message key that no catalogue defines."""


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@cache
def catalogue(language: Language) -> dict[str, str]:
    """Return the flattened catalogue of one language (``"section.key" -> text``)."""
    source = resources.files("genki.locales").joinpath(f"{language}.toml").read_text("utf-8")
    return _flatten(tomllib.loads(source))


def text(key: str, language: Language = DEFAULT_LANGUAGE, **params: object) -> str:
    """Return the message ``key`` in ``language`` with its placeholders filled from ``params``."""
    try:
        template = catalogue(language)[key]
    except KeyError:
        raise UnknownMessageError(f"no message {key!r} in the {language} catalogue") from None
    return template.format(**params)
