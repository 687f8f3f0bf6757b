"""Pilot tests of the settings screens against a real genki.toml: the language, the facility, the
trainer PIN, the devices table and pairing a device from a scan of an emulated BLE oximeter."""

from __future__ import annotations

from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from kiosk_pilot import press, until
from textual.css.query import NoMatches
from textual.pilot import Pilot
from textual.widgets import Button, Input, Static

from devices.transports.ble import BleBackend, ble_loop
from genki.config import hash_pin, load_config, verify_pin
from kiosk.desk import Desk
from kiosk.ui.app import KioskApp
from kiosk.ui.pairing import DeviceSettingsScreen, PairScreen
from kiosk.ui.resident import HomeScreen
from kiosk.ui.settings import FacilityScreen, LanguageScreen, PinChangeScreen, SettingsScreen
from kiosk.ui.trainer import PinScreen, TrainerScreen
from records import Database
from simulators.ble.bleak_backend import BumbleClient, BumbleScanner
from simulators.ble.link import LocalLink
from simulators.ble.pulse_oximeter import PulseOximeterPeripheral

PIN = "2468"
PLATE = "serial:///dev/ttyACM0?protocol=gkfp"
GAUGE = "ble://AA:BB:CC:DD:EE:01?profile=progressor"
CONFIG = f"""\
# The exercise room's kiosk.
language = "ja"

[facility]
id = "sakura"  # given by the office
name = "さくら"

[devices]
# the plate under the chair
plate = "{PLATE}"
gauge = "{GAUGE}"
"""


@pytest.fixture(scope="module")
def pin_hash() -> str:
    return hash_pin(PIN)


@pytest.fixture
def config_file(tmp_path: Path, pin_hash: str) -> Path:
    path = tmp_path / "genki.toml"
    path.write_text(f'{CONFIG}\n[trainer]\npin_hash = "{pin_hash}"\n', encoding="utf-8")
    return path


def kiosk(database: Database, config_file: Path, **options: Any) -> KioskApp:
    """The kiosk as ``genki kiosk`` starts it from ``config_file`` (``options`` override)."""
    saved = load_config(config_file, {}).config
    started = {"language": saved.language, "pin_hash": saved.trainer.pin_hash, **options}
    return KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), config_path=config_file,
                    **started)  # fmt: skip


def shown(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def label(app: KioskApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Button).label)


async def enter_pin(app: KioskApp, pilot: Pilot[None], pin: str) -> None:
    await press(pilot.app, pilot, "#trainer")
    assert isinstance(app.screen, PinScreen)
    field = app.screen.query_one("#pin", Input)
    field.value = pin
    await field.action_submit()
    await pilot.pause()


async def open_section(app: KioskApp, pilot: Pilot[None], section: str) -> None:
    await enter_pin(app, pilot, PIN)
    await until(pilot, lambda: isinstance(app.screen, TrainerScreen))
    await press(pilot.app, pilot, "#settings-screen")
    assert isinstance(app.screen, SettingsScreen)
    await press(pilot.app, pilot, f"#settings-{section}")


async def test_the_language_switches_at_once_and_is_saved(
    database: Database, config_file: Path
) -> None:
    app = kiosk(database, config_file)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_section(app, pilot, "language")
        assert isinstance(app.screen, LanguageScreen)
        assert shown(app, ".title") == "言語"
        await press(pilot.app, pilot, "#lang-en")
        assert app.language == "en"
        assert shown(app, ".title") == "Language"
        assert shown(app, "#outcome") == "Saved: the kiosk now speaks English."
        await press(pilot.app, pilot, "#back")
        assert shown(app, ".title") == "Settings"  # the screens underneath speak it too
        await press(pilot.app, pilot, "#back")
        assert isinstance(app.screen, TrainerScreen)
        assert label(app, "#settings-screen") == "Settings"
    assert load_config(config_file, {}).config.language == "en"
    written = config_file.read_text(encoding="utf-8")
    assert written.startswith('# The exercise room\'s kiosk.\nlanguage = "en"\n')
    assert "# the plate under the chair" in written


async def test_a_bad_facility_id_is_refused_then_a_good_one_is_saved(
    database: Database, config_file: Path
) -> None:
    app = kiosk(database, config_file, language="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_section(app, pilot, "facility")
        assert isinstance(app.screen, FacilityScreen)
        assert app.screen.query_one("#facility-id", Input).value == "sakura"
        before = config_file.read_bytes()
        app.screen.query_one("#facility-name", Input).value = "ひまわり"
        app.screen.query_one("#facility-id", Input).value = "himawari east!"
        await press(pilot.app, pilot, "#save")
        assert shown(app, "#outcome") == (
            'Not saved. Facility id: "himawari east!" cannot be used; expected 1 to 64 letters, '
            "digits, - or _, starting with a letter or digit."
        )
        assert config_file.read_bytes() == before
        app.screen.query_one("#facility-id", Input).value = " himawari-east "
        await press(pilot.app, pilot, "#save")
        assert shown(app, "#outcome") == "Saved: facility name “ひまわり”, id “himawari-east”."
    facility = load_config(config_file, {}).config.facility
    assert (facility.id, facility.name) == ("himawari-east", "ひまわり")
    assert "# given by the office" in config_file.read_text(encoding="utf-8")


async def test_a_wrong_current_pin_is_refused_and_the_new_pin_opens_the_trainer_screen(
    database: Database, config_file: Path
) -> None:
    app = kiosk(database, config_file, language="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_section(app, pilot, "pin")
        assert isinstance(app.screen, PinChangeScreen)
        before = config_file.read_bytes()

        async def change(current: str, new: str, repeat: str) -> str:
            for field, value in (("current", current), ("new", new), ("repeat", repeat)):
                app.screen.query_one(f"#pin-{field}", Input).value = value
            await press(pilot.app, pilot, "#save")
            return shown(app, "#outcome")

        wrong = await change("0000", "13579", "13579")
        assert wrong == "The current PIN is wrong. The PIN was not changed."
        assert await change(PIN, "135", "135") == (
            "New PIN: expected 4 to 8 digits (0-9) and nothing else. The PIN was not changed."
        )
        assert (await change(PIN, "13579", "13570")).startswith("The two new PINs differ")
        assert config_file.read_bytes() == before
        saved = await change(PIN, "13579", "１３５７９")  # full-width digits are the same PIN
        assert saved == "Saved: the new PIN opens the trainer screens from now on."
        for _ in range(3):  # PIN → settings → trainer → home
            await press(pilot.app, pilot, "#back")
        assert isinstance(app.screen, HomeScreen)
        await enter_pin(app, pilot, PIN)
        assert isinstance(app.screen, PinScreen)  # the old PIN no longer opens the door
        await press(pilot.app, pilot, "#back")
        await enter_pin(app, pilot, "13579")
        await until(pilot, lambda: isinstance(app.screen, TrainerScreen))
    pin_hash = load_config(config_file, {}).config.trainer.pin_hash
    assert pin_hash is not None
    assert verify_pin("13579", pin_hash)


async def test_a_device_is_removed_and_an_invalid_url_is_refused_with_the_file_unchanged(
    database: Database, config_file: Path
) -> None:
    app = kiosk(database, config_file, language="en")
    async with app.run_test(size=(100, 40)) as pilot:
        await open_section(app, pilot, "devices")
        assert isinstance(app.screen, DeviceSettingsScreen)
        before = config_file.read_bytes()
        await press(pilot.app, pilot, "#remove-gauge")
        assert label(app, "#remove-gauge") == "Touch again to remove"
        assert config_file.read_bytes() == before  # one touch removes nothing
        await press(pilot.app, pilot, "#remove-gauge")
        assert shown(app, "#outcome") == f"Removed: gauge ({GAUGE})"
        assert not app.screen.query("#remove-gauge")

        await press(pilot.app, pilot, "#edit-plate")
        url = app.screen.query_one("#url", Input)
        assert url.value == PLATE
        before = config_file.read_bytes()
        url.value = "/dev/ttyACM1"
        await press(pilot.app, pilot, "#save-url")
        assert shown(app, "#outcome") == (
            'Not saved. Device URL (plate): "/dev/ttyACM1" cannot be used; expected a device URL '
            "such as ble://AA:BB:CC:DD:EE:FF?profile=progressor or "
            "serial:///dev/ttyACM0?protocol=gkfp."
        )
        assert config_file.read_bytes() == before
        url.value = "serial:///dev/ttyACM1?protocol=gkfp"
        await press(pilot.app, pilot, "#save-url")
        assert shown(app, "#outcome") == "Saved: plate = serial:///dev/ttyACM1?protocol=gkfp"
    devices = load_config(config_file, {}).config.devices
    assert devices == {"plate": "serial:///dev/ttyACM1?protocol=gkfp"}
    assert "# the plate under the chair" in config_file.read_text(encoding="utf-8")


def on_ble_loop(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return ble_loop().run(coroutine, timeout=10)


async def _new_link() -> LocalLink:
    return LocalLink()


@pytest.fixture
def oximeter() -> Iterator[PulseOximeterPeripheral]:
    """An emulated pulse oximeter advertising on its own bumble link."""
    peripheral = PulseOximeterPeripheral(on_ble_loop(_new_link()), name="GK-PLX-PAIR")
    on_ble_loop(peripheral.start())
    yield peripheral
    on_ble_loop(peripheral.stop())


async def test_a_scanned_oximeter_is_paired_under_the_suggested_role(
    database: Database, config_file: Path, oximeter: PulseOximeterPeripheral
) -> None:
    backend = BleBackend(BumbleScanner, BumbleClient, {"link": oximeter.link})
    app = kiosk(database, config_file, language="en", ble_backend=backend)
    app.scan_seconds = 0.5
    async with app.run_test(size=(100, 40)) as pilot:
        await open_section(app, pilot, "devices")
        await press(pilot.app, pilot, "#find")
        assert isinstance(app.screen, PairScreen)
        assert shown(app, "#scanning") == "Looking for Bluetooth devices (0.5 s)…"
        await until(pilot, lambda: bool(app.screen.query("#found-0")))
        found = label(app, "#found-0")
        assert found.startswith("GK-PLX-PAIR — pulse oximeter — signal ")
        await press(pilot.app, pilot, "#found-0")
        roles = list(app.screen.query(".big").results(Button))
        assert [b.id for b in roles] == [
            "role-oximeter", "role-plate", "role-gauge", "role-cuff", "role-thermometer"
        ]  # fmt: skip
        assert str(roles[0].label) == "Pulse oximeter (suggested)"
        assert roles[0].variant == "primary"
        await press(pilot.app, pilot, "#role-oximeter")
        url = f"ble://{oximeter.address}?profile=pulse_oximeter"
        assert shown(app, "#outcome") == f"Saved: oximeter = {url}"
        await press(pilot.app, pilot, "#back")
        assert isinstance(app.screen, DeviceSettingsScreen)
        await until(pilot, lambda: bool(app.screen.query("#edit-oximeter")))
    devices = load_config(config_file, {}).config.devices
    assert devices == {"plate": PLATE, "gauge": GAUGE, "oximeter": url}


async def test_a_scan_without_bluetooth_says_why_and_offers_to_look_again(
    database: Database, config_file: Path
) -> None:
    app = kiosk(database, config_file, language="en")  # the machine's own Bluetooth stack
    app.scan_seconds = 0.5
    async with app.run_test(size=(100, 40)) as pilot:
        await open_section(app, pilot, "devices")
        await press(pilot.app, pilot, "#find")
        await until(pilot, lambda: bool(app.screen.query("#scan")), timeout=15)
        with pytest.raises(NoMatches):
            app.screen.query_one("#scanning")
        # CI machines have no Bluetooth adapter; a machine with one lists what it found.
        problems = [str(s.content) for s in app.screen.query(".alert").results(Static)]
        assert all(p.startswith("Bluetooth is not available (") for p in problems)
