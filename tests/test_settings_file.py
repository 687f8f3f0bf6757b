"""Saving settings into genki.toml: a round trip through the loader, comments and other keys kept,
bad values refused before the file is touched, and the file replaced atomically."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from genki.config import ConfigError, LoadedConfig, hash_pin, load_config, verify_pin
from genki.settings_file import SettingsChange, read_settings, save_settings, settings_path

COMMENTED = """\
# The exercise room's kiosk.
language = "ja"  # residents read Japanese

[facility]
id = "sakura"  # given by the office
name = "さくら"

[database]
url = "sqlite:////var/lib/genki/genki.sqlite3"

[devices]
# the plate under the chair
plate = "serial:///dev/ttyACM0?protocol=gkfp"
gauge = "ble://AA:BB:CC:DD:EE:01?profile=progressor"

[broker]
host = "office.local"  # the office PC
port = 8883
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "genki.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    return path


def test_every_setting_round_trips_through_the_loader(config_file: Path) -> None:
    pin_hash = hash_pin("97531")
    devices = {"plate": "serial:///dev/ttyUSB1?protocol=gkfp", "cuff": "ble://AA?profile=x"}
    returned = save_settings(
        config_file,
        SettingsChange(language="en", facility_id="himawari", facility_name="ひまわり",
                       devices=devices, pin_hash=pin_hash),
    )  # fmt: skip
    loaded = load_config(config_file, {}).config
    assert loaded == returned
    assert (loaded.language, loaded.facility.id, loaded.facility.name) == (
        "en", "himawari", "ひまわり"
    )  # fmt: skip
    assert loaded.devices == devices
    assert loaded.trainer.pin_hash is not None
    assert verify_pin("97531", loaded.trainer.pin_hash)
    assert loaded.broker.port == 8883  # untouched keys keep their values
    assert read_settings(config_file) == loaded


def test_comments_order_and_other_keys_are_kept(config_file: Path) -> None:
    save_settings(config_file, SettingsChange(facility_name="さくら東", language="en"))
    expected = COMMENTED.replace('name = "さくら"', 'name = "さくら東"').replace(
        'language = "ja"  #', 'language = "en"  #'
    )
    assert config_file.read_text(encoding="utf-8") == expected


def test_removing_one_device_keeps_the_comments_of_the_others(config_file: Path) -> None:
    save_settings(
        config_file, SettingsChange(devices={"plate": "serial:///dev/ttyACM0?protocol=gkfp"})
    )
    written = config_file.read_text(encoding="utf-8")
    assert "gauge" not in written
    assert "# the plate under the chair\nplate = " in written
    assert '"office.local"  # the office PC' in written


def test_a_new_file_gets_the_new_tables_only(tmp_path: Path) -> None:
    path = tmp_path / "new" / "genki.toml"
    save_settings(path, SettingsChange(devices={"gauge": "ble://AA?profile=progressor"}))
    assert path.read_text(encoding="utf-8") == '[devices]\ngauge = "ble://AA?profile=progressor"\n'
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it will hold the PIN hash


@pytest.mark.parametrize(
    ("change", "key", "expected"),
    [
        (SettingsChange(facility_id="sakura east!"), "facility.id", "an id of 1 to 64 letters"),
        (SettingsChange(devices={"gauge": "AA:BB"}), "devices.gauge", 'a device URL "scheme://'),
        (SettingsChange(devices={"2nd": "ble://AA"}), "devices.2nd", "a device role name"),
        (SettingsChange(pin_hash="1234"), "trainer.pin_hash", "as printed by `genki config"),
    ],
)
def test_a_bad_value_is_refused_with_the_loaders_message_and_the_file_is_unchanged(
    config_file: Path, change: SettingsChange, key: str, expected: str
) -> None:
    before = config_file.read_bytes()
    with pytest.raises(ConfigError) as caught:
        save_settings(config_file, change)
    assert caught.value.key == key
    assert expected in caught.value.expected
    assert str(config_file) in str(caught.value)
    assert config_file.read_bytes() == before
    assert sorted(p.name for p in config_file.parent.iterdir()) == ["genki.toml"]


def test_a_malformed_file_is_refused_as_the_loader_refuses_it(config_file: Path) -> None:
    config_file.write_text('[facility]\nid = "sakura\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"TOML syntax error in .*genki\.toml at line 2"):
        save_settings(config_file, SettingsChange(language="en"))


def test_the_file_is_replaced_not_rewritten_in_place(config_file: Path) -> None:
    config_file.chmod(0o640)
    reader = config_file.open(encoding="utf-8")  # a reader that opened the file before the save
    before = config_file.stat().st_ino
    save_settings(config_file, SettingsChange(language="en"))
    assert config_file.stat().st_ino != before
    assert reader.read() == COMMENTED  # still the whole old file, never a half-written one
    reader.close()
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o640
    assert sorted(p.name for p in config_file.parent.iterdir()) == ["genki.toml"]


def test_a_symlinked_file_stays_a_link_to_the_new_content(config_file: Path) -> None:
    link = config_file.parent / "link.toml"
    link.symlink_to(config_file)
    save_settings(link, SettingsChange(language="en"))
    assert link.is_symlink()
    assert load_config(config_file, {}).config.language == "en"


def test_a_file_that_cannot_be_written_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot write configuration file .*not-a-folder"):
        save_settings(blocker / "genki.toml", SettingsChange(language="en"))


def test_settings_go_to_the_loaded_file_else_to_the_user_config_file(
    config_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert settings_path(load_config(config_file, {})) == config_file
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    nothing = load_config(None, {})
    assert isinstance(nothing, LoadedConfig)
    assert nothing.path is None
    assert settings_path(nothing) == tmp_path / "xdg" / "genki" / "genki.toml"
