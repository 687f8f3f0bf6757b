"""Configuration loading, validation errors, PIN hashing and the ``genki config`` commands."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from genki.config import (
    PIN_HASH_PATTERN,
    ConfigError,
    GenkiConfig,
    config_values,
    default_database_url,
    hash_pin,
    load_config,
    user_config_path,
    verify_pin,
)

if TYPE_CHECKING:
    import click
    from click.testing import Result

GOOD_DEVICE = "serial:///dev/ttyACM0?protocol=gkfp"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Point the user config and data directories at tmp dirs so the real home is never read."""
    env = {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("GENKI_CONFIG", raising=False)
    return env


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str) -> GenkiConfig:
    return load_config(write(tmp_path / "genki.toml", text), {}).config


def config_error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    return info.value


# Defaults and lookup order


def test_no_file_gives_defaults(tmp_path: Path) -> None:
    loaded = load_config(None, {})
    assert loaded.path is None
    assert loaded.path_source == "none"
    assert loaded.config == GenkiConfig()
    assert set(loaded.sources.values()) == {"default"}
    assert loaded.config.language == "ja"
    assert loaded.config.broker.port == 1883
    assert loaded.config.devices == {}


def test_default_paths_follow_platform_dirs(tmp_path: Path) -> None:
    assert user_config_path() == tmp_path / "xdg-config" / "genki" / "genki.toml"
    expected = (tmp_path / "xdg-data" / "genki" / "genki.sqlite3").as_posix()
    assert default_database_url() == f"sqlite:///{expected}"
    assert GenkiConfig().database.url == default_database_url()


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path / "empty.toml", ""), {})
    assert loaded.config == GenkiConfig()
    assert loaded.path == tmp_path / "empty.toml"
    assert set(loaded.sources.values()) == {"default"}


def test_user_config_dir_file_is_found() -> None:
    path = write(user_config_path(), "language = 'en'\n")
    loaded = load_config(None, {})
    assert (loaded.path, loaded.path_source) == (path, "user config dir")
    assert loaded.config.language == "en"


def test_genki_config_beats_user_config_dir(tmp_path: Path) -> None:
    write(user_config_path(), "[broker]\nport = 1001\n")
    env_file = write(tmp_path / "env.toml", "[broker]\nport = 1002\n")
    loaded = load_config(None, {"GENKI_CONFIG": str(env_file)})
    assert (loaded.path, loaded.path_source) == (env_file, "GENKI_CONFIG")
    assert loaded.config.broker.port == 1002


def test_cli_path_beats_genki_config(tmp_path: Path) -> None:
    write(user_config_path(), "[broker]\nport = 1001\n")
    env_file = write(tmp_path / "env.toml", "[broker]\nport = 1002\n")
    cli_file = write(tmp_path / "cli.toml", "[broker]\nport = 1003\n")
    loaded = load_config(cli_file, {"GENKI_CONFIG": str(env_file)})
    assert (loaded.path, loaded.path_source) == (cli_file, "--config")
    assert loaded.config.broker.port == 1003


def test_empty_genki_config_is_ignored() -> None:
    assert load_config(None, {"GENKI_CONFIG": ""}).path_source == "none"


@pytest.mark.parametrize("source", ["--config", "GENKI_CONFIG"])
def test_missing_explicit_file_is_an_error(tmp_path: Path, source: str) -> None:
    missing = tmp_path / "nowhere.toml"
    cli_path, environ = (missing, {}) if source == "--config" else (None, {source: str(missing)})
    with pytest.raises(ConfigError) as info:
        load_config(cli_path, environ)
    assert str(info.value) == f"configuration file {missing} (from {source}) does not exist"


def test_directory_as_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load_config(tmp_path, {})


# Values and sources


def test_sources_name_the_file_for_set_keys_only(tmp_path: Path) -> None:
    path = write(
        tmp_path / "genki.toml",
        f"[broker]\nport = 1884\n[devices]\nforce_plate = {GOOD_DEVICE!r}\n",
    )
    loaded = load_config(path, {})
    assert loaded.sources["broker.port"] == str(path)
    assert loaded.sources["devices.force_plate"] == str(path)
    assert loaded.sources["broker.host"] == "default"
    assert loaded.sources["language"] == "default"
    assert set(loaded.sources) == set(config_values(loaded.config))


def test_every_leaf_key_has_a_source() -> None:
    assert list(load_config(None, {}).sources) == [
        "language",
        "facility.id",
        "facility.name",
        "kiosk.id",
        "database.url",
        "broker.host",
        "broker.port",
        "broker.tls",
        "broker.ca_file",
        "broker.username",
        "broker.password",
        "broker.keepalive_s",
        "trainer.pin_hash",
        "screening.thresholds",
        "devices",
    ]


def test_full_file_is_read(tmp_path: Path) -> None:
    pin_hash = hash_pin("2468")
    config = load_text(
        tmp_path,
        f"""
language = "en"
[facility]
id = "sakura-2"
name = "さくら苑"
[kiosk]
id = "room_1"
[database]
url = "postgresql+psycopg://genki@db/genki"
[broker]
host = "broker.local"
port = 8883
tls = true
ca_file = "/etc/genki/ca.pem"
username = "kiosk"
password = "secret"
keepalive_s = 60
[trainer]
pin_hash = "{pin_hash}"
[devices]
force_plate = "{GOOD_DEVICE}"
grip = "ble://AA:BB:CC:DD:EE:FF"
""",
    )
    assert config.facility.name == "さくら苑"
    assert config.broker.ca_file == Path("/etc/genki/ca.pem")
    assert config.broker.tls is True
    assert config.database.url.startswith("postgresql+psycopg://")
    assert config.devices == {"force_plate": GOOD_DEVICE, "grip": "ble://AA:BB:CC:DD:EE:FF"}
    assert config.trainer.pin_hash is not None
    assert verify_pin("2468", config.trainer.pin_hash)


def test_database_path_with_spaces_is_a_url(tmp_path: Path) -> None:
    url = "sqlite:////Users/Taro Yamada/Library/Application Support/genki/genki.sqlite3"
    assert load_text(tmp_path, f"[database]\nurl = {url!r}\n").database.url == url


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbflanguage = 'en'\n")
    assert load_config(path, {}).config.language == "en"


def test_config_is_frozen() -> None:
    config = GenkiConfig()
    with pytest.raises(ValueError, match="frozen"):
        config.language = "en"  # type: ignore[misc]


# Errors


def test_toml_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    error = config_error(tmp_path, "language = 'en'\n[broker]\nport = = 3\n")
    assert str(error).startswith(f"TOML syntax error in {tmp_path / 'genki.toml'} at line 3, ")
    assert "column 8" in str(error)
    assert "Invalid value" in str(error)
    assert error.key is None


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "sjis.toml"
    path.write_bytes("[facility]\nname = 'さくら'\n".encode("shift_jis"))
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert str(info.value).startswith(f"configuration file {path} is not UTF-8 text")
    assert "line 2" in str(info.value)


def test_unknown_key_lists_the_expected_keys(tmp_path: Path) -> None:
    error = config_error(tmp_path, "[broker]\nprot = 1884\n")
    assert str(error).startswith(
        f'unknown key "broker.prot" in {tmp_path / "genki.toml"}; expected one of: '
        "host, port, tls, ca_file, username, password, keepalive_s"
    )
    assert 'did you mean "port"?' in str(error)
    assert (error.key, error.value) == ("broker.prot", 1884)


def test_unknown_section_lists_the_sections(tmp_path: Path) -> None:
    error = config_error(tmp_path, "[brokers]\nport = 1884\n")
    assert error.key == "brokers"
    assert (
        "expected one of: language, facility, kiosk, database, broker, trainer, screening, devices"
        in str(error)
    )


@pytest.mark.parametrize(
    ("text", "key", "shown", "expected"),
    [
        ("[broker]\nport = 70000", "broker.port", "70000", "an integer from 1 to 65535"),
        ("[broker]\nport = '1883'", "broker.port", '"1883"', "an integer from 1 to 65535"),
        ("[broker]\nport = 1883.0", "broker.port", "1883.0", "an integer from 1 to 65535"),
        ("[broker]\nkeepalive_s = 2", "broker.keepalive_s", "2", "an integer from 5 to 3600"),
        ("[broker]\ntls = 'yes'", "broker.tls", '"yes"', "true or false"),
        ("[broker]\ntls = 1", "broker.tls", "1", "true or false"),
        ("[broker]\nhost = ''", "broker.host", '""', "a host name or IP address"),
        ("language = 'fr'", "language", '"fr"', '"ja" or "en"'),
        ("[kiosk]\nid = 'room 1'", "kiosk.id", '"room 1"', "an id of 1 to 64 letters"),
        ("[database]\nurl = 'genki.db'", "database.url", '"genki.db"', "a database URL"),
        ("[devices]\nscale = '/dev/ttyUSB0'", "devices.scale", '"/dev/ttyUSB0"', "a device URL"),
        ("[devices]\nscale = 3", "devices.scale", "3", 'a device URL "scheme://..."'),
        ("broker = 5", "broker", "5", "a [broker] table"),
    ],
)
def test_bad_value_names_key_value_and_expected_form(
    tmp_path: Path, text: str, key: str, shown: str, expected: str
) -> None:
    error = config_error(tmp_path, text + "\n")
    prefix = f'invalid value for "{key}" in {tmp_path / "genki.toml"}: {shown}; expected '
    assert str(error).startswith(prefix + expected)
    assert error.key == key
    assert error.expected.startswith(expected)
    assert error.__cause__ is None


def test_bad_device_role_name(tmp_path: Path) -> None:
    error = config_error(tmp_path, f'[devices]\n"force plate" = "{GOOD_DEVICE}"\n')
    assert str(error).startswith('invalid key "devices.force plate"')
    assert "expected a device role name" in str(error)


def test_bad_pin_hash_points_to_hash_pin_and_hides_the_value(tmp_path: Path) -> None:
    error = config_error(tmp_path, "[trainer]\npin_hash = '1234'\n")
    assert error.key == "trainer.pin_hash"
    assert "1234" not in str(error)
    assert error.value == "***"
    assert "pbkdf2_sha256$" in str(error)
    assert "genki config hash-pin" in str(error)


def test_bad_password_type_does_not_echo_the_password(tmp_path: Path) -> None:
    error = config_error(tmp_path, "[broker]\npassword = 987654\n")
    assert "987654" not in str(error)
    assert "(hidden); expected a string" in str(error)


def test_several_errors_are_reported_one_per_line(tmp_path: Path) -> None:
    error = config_error(tmp_path, "language = 'de'\n[broker]\nport = 0\nprot = 1\n")
    lines = str(error).splitlines()
    assert len(lines) == 3
    assert lines[0].startswith('invalid value for "language"')
    assert lines[1].startswith('invalid value for "broker.port"')
    assert lines[2].startswith('unknown key "broker.prot"')
    assert [problem.key for problem in error.problems] == ["language", "broker.port", "broker.prot"]
    assert (error.key, error.value) == ("language", "de")


# PIN hashing


def test_hash_pin_round_trip() -> None:
    pin_hash = hash_pin("0123")
    assert re.fullmatch(PIN_HASH_PATTERN, pin_hash)
    algorithm, iterations, salt, digest = pin_hash.split("$")
    assert algorithm == "pbkdf2_sha256"
    assert int(iterations) >= 200_000
    assert len(bytes.fromhex(salt)) == 16
    assert len(bytes.fromhex(digest)) == 32
    assert verify_pin("0123", pin_hash)
    assert not verify_pin("0124", pin_hash)
    assert not verify_pin("123", pin_hash)


def test_hash_pin_uses_a_fresh_salt() -> None:
    assert hash_pin("12345678") != hash_pin("12345678")


def test_full_width_digits_are_the_same_pin() -> None:
    assert verify_pin("\uff11\uff12\uff13\uff14", hash_pin("1234"))


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "12 34", "-1234", "\uff11\uff12"])
def test_hash_pin_rejects_bad_pins(pin: str) -> None:
    with pytest.raises(ValueError, match="4 to 8 digits"):
        hash_pin(pin)


@pytest.mark.parametrize("pin_hash", ["", "1234", "pbkdf2_sha256$1$00$00", "md5$1$ab$cd"])
def test_verify_pin_rejects_malformed_hashes(pin_hash: str) -> None:
    assert not verify_pin("1234", pin_hash)


# The command line


def genki_cli() -> click.Group:
    """Return the real ``genki`` command group."""
    from genki.cli import cli  # noqa: PLC0415 - an unimportable sibling command fails these only

    return cli


def run(args: list[str], env: dict[str, str], input_text: str | None = None) -> Result:
    return CliRunner().invoke(genki_cli(), args, env=env, input=input_text)


def test_show_without_file(isolated_dirs: dict[str, str]) -> None:
    result = run(["config", "show"], isolated_dirs)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("configuration file: none found")
    assert str(user_config_path()) in lines[0]
    assert re.search(r'^language = "ja"\s+# default$', result.stdout, re.MULTILINE)
    assert re.search(r"^broker\.port = 1883\s+# default$", result.stdout, re.MULTILINE)
    assert re.search(r"^broker\.password = \(not set\)\s+# default$", result.stdout, re.MULTILINE)


def test_show_with_file_masks_secrets(tmp_path: Path, isolated_dirs: dict[str, str]) -> None:
    path = write(
        tmp_path / "genki.toml",
        "[broker]\nport = 1884\npassword = 'hunter2'\n"
        f"[trainer]\npin_hash = '{hash_pin('1234')}'\n",
    )
    result = run(["--config", str(path), "config", "show"], isolated_dirs)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"configuration file: {path} (found by --config)"
    assert re.search(
        rf"^broker\.port = 1884\s+# {re.escape(str(path))}$", result.stdout, re.MULTILINE
    )
    assert 'broker.password = "***"' in result.stdout
    assert 'trainer.pin_hash = "***"' in result.stdout
    assert "hunter2" not in result.stdout
    assert "pbkdf2" not in result.stdout


def test_show_json(tmp_path: Path, isolated_dirs: dict[str, str]) -> None:
    path = write(
        tmp_path / "env.toml", f"[broker]\npassword = 'x'\n[devices]\nfp = '{GOOD_DEVICE}'\n"
    )
    result = run(["config", "show", "--json"], {**isolated_dirs, "GENKI_CONFIG": str(path)})
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["file"] == str(path)
    assert document["found_by"] == "GENKI_CONFIG"
    values = document["values"]
    assert values["broker.port"] == {"value": 1883, "source": "default"}
    assert values["broker.password"] == {"value": "***", "source": str(path)}
    assert values["trainer.pin_hash"] == {"value": None, "source": "default"}
    assert values["devices.fp"] == {"value": GOOD_DEVICE, "source": str(path)}


def test_show_json_without_file(isolated_dirs: dict[str, str]) -> None:
    document = json.loads(run(["config", "show", "--json"], isolated_dirs).stdout)
    assert (document["file"], document["found_by"]) == (None, "none")
    assert document["values"]["devices"] == {"value": {}, "source": "default"}


def test_invalid_file_exits_with_code_2(tmp_path: Path, isolated_dirs: dict[str, str]) -> None:
    path = write(tmp_path / "genki.toml", "[broker]\nport = 70000\n")
    result = run(["--config", str(path), "config", "show"], isolated_dirs)
    assert result.exit_code == 2
    assert 'invalid value for "broker.port"' in result.output
    assert "expected an integer from 1 to 65535" in result.output
    assert "Traceback" not in result.output


def test_missing_config_file_exits_with_code_2(
    tmp_path: Path, isolated_dirs: dict[str, str]
) -> None:
    env = {**isolated_dirs, "GENKI_CONFIG": str(tmp_path / "missing.toml")}
    result = run(["config", "show"], env)
    assert result.exit_code == 2
    assert "(from GENKI_CONFIG) does not exist" in result.output


def test_hash_pin_command(isolated_dirs: dict[str, str]) -> None:
    result = run(
        ["config", "hash-pin"], isolated_dirs, input_text="\uff11\uff12\uff13\uff145\n" * 2
    )
    assert result.exit_code == 0, result.output
    match = re.fullmatch(r'pin_hash = "(?P<hash>[^"]+)"\n', result.stdout)
    assert match is not None
    assert verify_pin("12345", match["hash"])
    assert "12345" not in result.output


def test_hash_pin_command_asks_again_for_a_bad_pin(isolated_dirs: dict[str, str]) -> None:
    result = run(["config", "hash-pin"], isolated_dirs, input_text="12\n9876\n9876\n")
    assert result.exit_code == 0, result.output
    assert "4 to 8 digits" in result.output
    assert result.stdout.startswith('pin_hash = "pbkdf2_sha256$')


def test_hash_pin_command_works_with_a_broken_config(
    tmp_path: Path, isolated_dirs: dict[str, str]
) -> None:
    path = write(tmp_path / "genki.toml", "not toml")
    result = run(["--config", str(path), "config", "hash-pin"], isolated_dirs, "4321\n4321\n")
    assert result.exit_code == 0, result.output
