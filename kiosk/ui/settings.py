"""The trainer's settings: language, facility, devices and the trainer PIN, one section a screen.

Every change is saved at once into genki.toml through ``genki.settings_file`` (comments and other
keys kept, validated before writing, replaced atomically); the screen then says what was saved, or
which field was refused and what it expects. The language applies at once; devices and the
facility id take effect when the kiosk restarts, as the screens say.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Button, Input, Static
from typing_extensions import override

from genki.config import ConfigError, GenkiConfig, check_pin, format_value, hash_pin, verify_pin
from genki.i18n import LANGUAGES
from genki.settings_file import SettingsChange, read_settings, save_settings
from kiosk.ui.base import KioskScreen

PIN_FIELDS = ("current", "new", "repeat")


def pin_change_problem(pin_hash: str | None, current: str, new: str, repeat: str) -> str | None:
    """Return the message key of what is wrong with a PIN change, or None when it may be saved."""
    if pin_hash is not None and not verify_pin(current, pin_hash):
        return "kiosk.settings.pin_current_wrong"
    try:
        digits = check_pin(new)
    except ValueError:
        return "kiosk.settings.pin_rule"
    try:
        repeated = check_pin(repeat)
    except ValueError:
        return "kiosk.settings.pin_mismatch"
    return None if repeated == digits else "kiosk.settings.pin_mismatch"


class SettingsSection(KioskScreen):
    """A settings screen: back, a title, its fields, then what the last save did."""

    TITLE_KEY = "kiosk.settings.title"

    def __init__(self) -> None:
        super().__init__()
        self.outcome = ("", "")  # (text, CSS class) of the last save, kept across recomposes
        self.config: GenkiConfig | None = None  # as saved in the file, read when composed

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(self.t(self.TITLE_KEY), classes="title")
        try:
            self.config = self._saved()
        except ConfigError as exc:
            yield Static(self.t("kiosk.settings.not_saved", reason=str(exc)), classes="alert",
                         markup=False)  # fmt: skip
        else:
            yield from self.fields(self.config)
        text, css = self.outcome
        yield Static(text, id="outcome", classes=css, markup=False)  # errors name [tables]

    def fields(self, config: GenkiConfig) -> Iterable[Widget]:
        """Yield the section's widgets, showing ``config`` as saved (each section has its own)."""
        raise NotImplementedError

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        name = event.button.id or ""
        if name == "back":
            self.dismiss()
        else:
            await self.pressed(name)

    async def pressed(self, name: str) -> None:
        """Handle the section's button ``name`` (every button but back)."""

    def save(self, change: SettingsChange) -> GenkiConfig | None:
        """Save ``change``; on refusal show which field is wrong and return None."""
        path = self.kiosk.config_path
        if path is None:
            self.show(self.t("kiosk.settings.no_file"), ok=False)
            return None
        try:
            return save_settings(path, change)
        except ConfigError as exc:
            self.show(self._problem(exc), ok=False)
            return None

    def show(self, text: str, *, ok: bool) -> None:
        """Show what a save did: saved (``ok``) or refused."""
        self.outcome = (text, "good" if ok else "alert")
        outcome = self.query_one("#outcome", Static)
        outcome.update(text)
        outcome.set_classes(self.outcome[1])

    def _saved(self) -> GenkiConfig:
        path = self.kiosk.config_path
        return read_settings(path) if path is not None else GenkiConfig()

    def _problem(self, exc: ConfigError) -> str:
        key = exc.key or ""
        if key == "facility.id":
            field = self.t("kiosk.settings.facility_id")
            expected = self.t("kiosk.settings.expected_facility_id")
        elif key.startswith("devices."):
            field = self.t("kiosk.settings.device_url", role=key.removeprefix("devices."))
            expected = self.t("kiosk.settings.expected_url")
        else:  # not a field of these screens: the loader's own sentence
            return self.t("kiosk.settings.not_saved", reason=str(exc))
        value = format_value(exc.value)
        return self.t("kiosk.settings.invalid", field=field, value=value, expected=expected)


class SettingsScreen(KioskScreen):
    """The settings menu: one big button per section."""

    SECTIONS = ("language", "facility", "devices", "pin")

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(self.t("kiosk.settings.title"), classes="title")
        path = self.kiosk.config_path
        if path is None:
            yield Static(self.t("kiosk.settings.no_file"), classes="alert")
        else:
            yield Static(self.t("kiosk.settings.file", path=path), classes="message")
        for section in self.SECTIONS:
            yield self.button(f"kiosk.settings.{section}", f"settings-{section}", big=True)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        from kiosk.ui.pairing import DeviceSettingsScreen  # noqa: PLC0415 - pairing imports this

        sections: dict[str, type[KioskScreen]] = {
            "settings-language": LanguageScreen, "settings-facility": FacilityScreen,
            "settings-devices": DeviceSettingsScreen, "settings-pin": PinChangeScreen,
        }  # fmt: skip
        name = event.button.id or ""
        if name == "back":
            self.app.pop_screen()
        elif name in sections:
            self.app.push_screen(sections[name]())


class LanguageScreen(SettingsSection):
    """日本語 or English: applies at once to every screen and is saved."""

    TITLE_KEY = "kiosk.settings.language"

    @override
    def fields(self, config: GenkiConfig) -> Iterable[Widget]:
        for language in LANGUAGES:
            current = language == self.kiosk.language
            yield Button(self.t(f"kiosk.settings.lang_{language}"), id=f"lang-{language}",
                         variant="primary" if current else "default", classes="big")  # fmt: skip

    @override
    async def pressed(self, name: str) -> None:
        language = next((lang for lang in LANGUAGES if name == f"lang-{lang}"), None)
        if language is None:
            return
        self.kiosk.language = language
        if self.save(SettingsChange(language=language)) is not None:
            shown = self.t(f"kiosk.settings.lang_{language}")
            self.outcome = (self.t("kiosk.settings.saved_language", name=shown), "good")
        for screen in self.app.screen_stack:  # the screens underneath speak it when shown again
            if screen is not self:
                screen.refresh(recompose=True)
        await self.recompose()


class FacilityScreen(SettingsSection):
    """The facility's name and id."""

    TITLE_KEY = "kiosk.settings.facility"

    @override
    def fields(self, config: GenkiConfig) -> Iterable[Widget]:
        yield Static(self.t("kiosk.settings.facility_name"))
        yield Input(config.facility.name, id="facility-name")
        yield Static(self.t("kiosk.settings.facility_id"))
        yield Input(config.facility.id, id="facility-id")
        yield Static(self.t("kiosk.settings.restart_note"), classes="message")
        yield self.button("kiosk.settings.save", "save", variant="primary", big=True)

    @override
    async def pressed(self, name: str) -> None:
        if name != "save":
            return
        facility_name = self.query_one("#facility-name", Input).value.strip()
        facility_id = self.query_one("#facility-id", Input).value.strip()
        change = SettingsChange(facility_name=facility_name, facility_id=facility_id)
        if self.save(change) is not None:
            saved = self.t("kiosk.settings.saved_facility", name=facility_name, id=facility_id)
            self.show(saved, ok=True)


class PinChangeScreen(SettingsSection):
    """The current PIN, then the new PIN twice."""

    TITLE_KEY = "kiosk.settings.pin_title"

    @override
    def fields(self, config: GenkiConfig) -> Iterable[Widget]:
        for field in PIN_FIELDS:
            yield Static(self.t(f"kiosk.settings.pin_{field}"))
            yield Input(password=True, id=f"pin-{field}")
        yield self.button("kiosk.settings.save", "save", variant="primary", big=True)

    @override
    async def pressed(self, name: str) -> None:
        if name != "save":
            return
        inputs = [self.query_one(f"#pin-{field}", Input) for field in PIN_FIELDS]
        current, new, repeat = (field.value for field in inputs)
        for field in inputs:
            field.clear()
        problem = pin_change_problem(self.kiosk.pin_hash, current, new, repeat)
        if problem is not None:
            self.show(self.t(problem), ok=False)
            return
        pin_hash = hash_pin(new)
        if self.save(SettingsChange(pin_hash=pin_hash)) is not None:
            self.kiosk.pin_hash = pin_hash
            self.show(self.t("kiosk.settings.saved_pin"), ok=True)
