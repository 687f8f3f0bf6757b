"""Message catalogues: Japanese and English say the same things with the same placeholders."""

from __future__ import annotations

import string

import pytest

from genki.i18n import LANGUAGES, UnknownMessageError, catalogue, text


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_language_has_the_same_keys() -> None:
    keys = [set(catalogue(language)) for language in LANGUAGES]
    assert all(k == keys[0] for k in keys)
    assert len(keys[0]) > 50


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_every_message_has_the_same_placeholders_in_every_language(key: str) -> None:
    assert _placeholders(catalogue("ja")[key]) == _placeholders(catalogue("en")[key])


def test_japanese_is_the_default_and_placeholders_are_filled() -> None:
    assert text("residents.added", code="A-001") == "利用者 A-001 を登録しました。"
    assert text("residents.added", "en", code="A-001") == "Registered resident A-001."


def test_an_unknown_key_is_an_error_naming_it() -> None:
    with pytest.raises(UnknownMessageError, match=r"no\.such\.key"):
        text("no.such.key")
