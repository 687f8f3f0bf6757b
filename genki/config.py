"""Configuration: one optional ``genki.toml``, validated into frozen models with clear errors.

The file is looked up in this order: the ``--config`` option, then ``$GENKI_CONFIG``, then
``genki.toml`` in the user config directory. Nothing is required: no file, or an empty one, gives a
working default configuration. Each field's ``description`` is the phrase that error messages put
after "expected", so every problem names the key, the bad value and the expected form.
"""

from __future__ import annotations

import difflib
import hashlib
import hmac
import json
import re
import secrets
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError
from pydantic_core import ErrorDetails, PydanticCustomError

from genki.i18n import DEFAULT_LANGUAGE, LANGUAGES, Language

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from pydantic.fields import FieldInfo

APP_NAME = "genki"
CONFIG_FILE_NAME = "genki.toml"
CONFIG_ENV_VAR = "GENKI_CONFIG"
SECRET_KEYS = frozenset({"broker.password", "trainer.pin_hash"})
MASK = "***"

PIN_PATTERN = re.compile(r"[0-9]{4,8}")
PIN_ALGORITHM = "pbkdf2_sha256"
PIN_ITERATIONS = 310_000
PIN_SALT_BYTES = 16
PIN_HASH_PATTERN = r"^pbkdf2_sha256\$[1-9][0-9]*\$[0-9a-f]{32}\$[0-9a-f]{64}$"

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
URL_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*://.+$"
ROLE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"

_ID_EXPECTED = 'an id of 1 to 64 letters, digits, "-" or "_", starting with a letter or digit'
_DEVICE_URL_EXPECTED = 'a device URL "scheme://...", such as "serial:///dev/ttyACM0?protocol=gkfp"'
_ROLE_EXPECTED = 'a device role name of letters, digits and "_" starting with a letter'
_PIN_HASH_EXPECTED = (
    'a hash "pbkdf2_sha256$<iterations>$<salt>$<hash>" as printed by `genki config hash-pin`'
)
_CUSTOM_ERROR = "genki_expected"
_TOML_POSITION = re.compile(
    r"^(?P<msg>.*) \(at (?:line (?P<line>\d+), column (?P<col>\d+)|end of document)\)$"
)


class ConfigError(Exception):
    """An unusable configuration; ``str(exc)`` names the file, key, bad value and expected form."""

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        value: object = None,
        expected: str = "",
        problems: tuple[ConfigError, ...] = (),
    ) -> None:
        super().__init__(message)
        self.key = key
        self.value = value
        self.expected = expected
        self.problems = problems


def _device_url(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(URL_PATTERN, value):
        raise PydanticCustomError(_CUSTOM_ERROR, _DEVICE_URL_EXPECTED)
    return value


def _role_name(value: object) -> str:
    if not isinstance(value, str) or not re.fullmatch(ROLE_PATTERN, value):
        raise PydanticCustomError(_CUSTOM_ERROR, _ROLE_EXPECTED)
    return value


DeviceRole = Annotated[str, PlainValidator(_role_name)]
DeviceUrl = Annotated[str, PlainValidator(_device_url)]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class FacilityConfig(_Section):
    """The facility this station belongs to."""

    id: str = Field(default="facility-1", pattern=ID_PATTERN, description=_ID_EXPECTED)
    name: str = Field(default="", description="a string (the facility name shown on screens)")


class KioskConfig(_Section):
    """This kiosk's identity within the facility."""

    id: str = Field(default="kiosk-1", pattern=ID_PATTERN, description=_ID_EXPECTED)


def user_config_path() -> Path:
    """Return where ``genki.toml`` is looked for when neither --config nor $GENKI_CONFIG is set."""
    return platformdirs.user_config_path(APP_NAME) / CONFIG_FILE_NAME


def default_database_url() -> str:
    """Return the default database: ``genki.sqlite3`` in the user data directory."""
    return f"sqlite:///{(platformdirs.user_data_path(APP_NAME) / 'genki.sqlite3').as_posix()}"


class DatabaseConfig(_Section):
    """Where records are stored."""

    url: str = Field(
        default_factory=default_database_url,
        pattern=URL_PATTERN,
        description='a database URL such as "sqlite:////var/lib/genki/genki.sqlite3"',
    )


class BrokerConfig(_Section):
    """The MQTT broker that carries messages between kiosks and the office."""

    host: str = Field(default="127.0.0.1", min_length=1, description="a host name or IP address")
    port: int = Field(default=1883, ge=1, le=65535, description="an integer from 1 to 65535")
    tls: bool = Field(default=False, description="true or false")
    ca_file: Path | None = Field(
        default=None, strict=False, description="the path of a CA certificate file (PEM)"
    )
    username: str | None = Field(default=None, description="a string")
    password: str | None = Field(default=None, description="a string")
    keepalive_s: int = Field(
        default=30, ge=5, le=3600, description="an integer from 5 to 3600 (seconds)"
    )


class TrainerConfig(_Section):
    """Access to the trainer screens of the kiosk."""

    pin_hash: str | None = Field(
        default=None, pattern=PIN_HASH_PATTERN, description=_PIN_HASH_EXPECTED
    )


class ScreeningConfig(_Section):
    """Facility thresholds for the vital-sign screen, by rule id, within each rule's range."""

    thresholds: dict[str, float] = Field(
        default_factory=dict,
        description='a table of rule ids to numbers, e.g. "jarm_2018.spo2_low" = 88',
    )


class GenkiConfig(_Section):
    """The whole effective configuration of one station."""

    language: Language = Field(
        default=DEFAULT_LANGUAGE, description=" or ".join(f'"{lang}"' for lang in LANGUAGES)
    )
    facility: FacilityConfig = Field(
        default_factory=FacilityConfig, description="a [facility] table"
    )
    kiosk: KioskConfig = Field(default_factory=KioskConfig, description="a [kiosk] table")
    database: DatabaseConfig = Field(
        default_factory=DatabaseConfig, description="a [database] table"
    )
    broker: BrokerConfig = Field(default_factory=BrokerConfig, description="a [broker] table")
    trainer: TrainerConfig = Field(default_factory=TrainerConfig, description="a [trainer] table")
    screening: ScreeningConfig = Field(
        default_factory=ScreeningConfig, description="a [screening] table"
    )
    devices: dict[DeviceRole, DeviceUrl] = Field(
        default_factory=dict, description="a [devices] table of role names to device URLs"
    )


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A validated configuration with the file it came from and the source of every key."""

    config: GenkiConfig
    path: Path | None
    path_source: str
    sources: Mapping[str, str]


def load_config(cli_path: Path | None, environ: Mapping[str, str]) -> LoadedConfig:
    """Find, read and validate the configuration (--config, then $GENKI_CONFIG, then user dir)."""
    path, path_source = _locate(cli_path, environ)
    raw: dict[str, Any] = {} if path is None else read_toml_file(path)
    config = validate_config(raw, path)
    source = "default" if path is None else str(path)
    sources = {
        _dotted(parts): source if _present(raw, parts) else "default"
        for parts, _ in _leaves(config.model_dump(mode="json"), ())
    }
    return LoadedConfig(config=config, path=path, path_source=path_source, sources=sources)


def config_values(config: GenkiConfig) -> dict[str, object]:
    """Return every dotted leaf key with its JSON-ready value (an empty table counts as a leaf)."""
    return {_dotted(parts): value for parts, value in _leaves(config.model_dump(mode="json"), ())}


def masked(key: str, value: object) -> object:
    """Return ``value``, or ``"***"`` when ``key`` holds a secret that is set."""
    return MASK if key in SECRET_KEYS and value is not None else value


def format_value(value: object) -> str:
    """Render a configuration value the way it is written in TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{}" if not value else "a table"
    if isinstance(value, list):
        return "an array"
    return str(value)


def check_pin(pin: str) -> str:
    """Return the PIN as ASCII digits (full-width digits accepted); ValueError unless 4-8 digits."""
    digits = _normalize_pin(pin)
    if not PIN_PATTERN.fullmatch(digits):
        raise ValueError("a trainer PIN must be 4 to 8 digits (0-9) and nothing else")
    return digits


def hash_pin(pin: str) -> str:
    """Hash a trainer PIN (4 to 8 digits) as ``pbkdf2_sha256$<iterations>$<salt>$<hash>``."""
    digits = check_pin(pin)
    salt = secrets.token_bytes(PIN_SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", digits.encode("ascii"), salt, PIN_ITERATIONS)
    return f"{PIN_ALGORITHM}${PIN_ITERATIONS}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, pin_hash: str) -> bool:
    """Tell whether ``pin`` matches ``pin_hash`` (constant-time; False for a malformed hash)."""
    digits = _normalize_pin(pin)
    if not re.fullmatch(PIN_HASH_PATTERN, pin_hash) or not PIN_PATTERN.fullmatch(digits):
        return False
    _, iterations, salt, expected = pin_hash.split("$")
    digest = hashlib.pbkdf2_hmac(
        "sha256", digits.encode("ascii"), bytes.fromhex(salt), int(iterations)
    )
    return hmac.compare_digest(digest, bytes.fromhex(expected))


def _normalize_pin(pin: str) -> str:
    # Full-width digits typed through a Japanese input method count as the same PIN.
    return unicodedata.normalize("NFKC", pin).strip()


def _locate(cli_path: Path | None, environ: Mapping[str, str]) -> tuple[Path | None, str]:
    if cli_path is not None:
        path, path_source = cli_path, "--config"
    elif environ.get(CONFIG_ENV_VAR):
        path, path_source = Path(environ[CONFIG_ENV_VAR]).expanduser(), CONFIG_ENV_VAR
    else:
        user_path = user_config_path()
        return (user_path, "user config dir") if user_path.exists() else (None, "none")
    if not path.exists():
        raise ConfigError(
            f"configuration file {path} (from {path_source}) does not exist",
            value=str(path),
            expected="an existing TOML file",
        )
    return path, path_source


def read_toml_file(path: Path) -> dict[str, Any]:
    """Read and parse a TOML file; ConfigError when it is unreadable, not UTF-8 or malformed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            f"cannot read configuration file {path}: {reason}", expected="a readable TOML file"
        ) from None
    try:
        source = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"configuration file {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line "
            f"{line}); save it with the UTF-8 encoding",
            expected="UTF-8 text",
        ) from None
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_syntax_message(path, exc), expected="valid TOML") from None


def _syntax_message(path: Path, exc: tomllib.TOMLDecodeError) -> str:
    match = _TOML_POSITION.match(str(exc))
    if match is None:
        return f"TOML syntax error in {path}: {exc}"
    if match["line"] is None:
        return f"TOML syntax error in {path} at the end of the file: {match['msg']}"
    return (
        f"TOML syntax error in {path} at line {match['line']}, column {match['col']}: "
        f"{match['msg']}"
    )


def validate_config(raw: dict[str, Any], path: Path | None) -> GenkiConfig:
    """Validate parsed TOML as GenkiConfig; each ConfigError names key, value and expectation."""
    try:
        return GenkiConfig.model_validate(raw)
    except ValidationError as exc:
        problems = tuple(_problem(error, path) for error in exc.errors())
    if len(problems) == 1:
        raise problems[0]
    first = problems[0]
    raise ConfigError(
        "\n".join(str(problem) for problem in problems),
        key=first.key,
        value=first.value,
        expected=first.expected,
        problems=problems,
    )


def _problem(error: ErrorDetails, path: Path | None) -> ConfigError:
    loc = tuple(str(part) for part in error["loc"])
    where = "the configuration" if path is None else str(path)
    if error["type"] == "extra_forbidden":
        return _unknown_key(loc, error["input"], where)
    is_key = loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    key = ".".join(loc)
    value = masked(key, error["input"])
    expected = _expected(error, loc)
    shown = "(hidden)" if key in SECRET_KEYS else format_value(value)
    if is_key:
        message = f'invalid key "{key}" in {where}; expected {expected}'
    else:
        message = f'invalid value for "{key}" in {where}: {shown}; expected {expected}'
    return ConfigError(message, key=key, value=value, expected=expected)


def _unknown_key(loc: tuple[str, ...], value: object, where: str) -> ConfigError:
    key = ".".join(loc)
    model = _model_at(loc[:-1])
    choices = list(model.model_fields) if model is not None else []
    expected = "one of: " + ", ".join(choices)
    message = f'unknown key "{key}" in {where}; expected {expected}'
    close = difflib.get_close_matches(loc[-1], choices, n=1)
    if close:
        message += f' (did you mean "{close[0]}"?)'
    return ConfigError(message, key=key, value=masked(key, value), expected=expected)


def _expected(error: ErrorDetails, loc: tuple[str, ...]) -> str:
    if error["type"] == _CUSTOM_ERROR:
        return error["msg"]
    field = _field_at(loc)
    if field is not None and field.description:
        return field.description
    return error["msg"]


def _model_at(loc: tuple[str, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] = GenkiConfig
    for part in loc:
        field = model.model_fields.get(part)
        annotation = None if field is None else field.annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return None
        model = annotation
    return model


def _field_at(loc: tuple[str, ...]) -> FieldInfo | None:
    if not loc:
        return None
    model = _model_at(loc[:-1])
    return None if model is None else model.model_fields.get(loc[-1])


def _leaves(
    data: Mapping[str, Any], prefix: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], object]]:
    for name, value in data.items():
        path = (*prefix, name)
        if isinstance(value, dict) and value:
            yield from _leaves(value, path)
        else:
            yield path, value


def _dotted(parts: tuple[str, ...]) -> str:
    """Join key parts as TOML does, quoting a part that itself contains a dot."""
    return ".".join(f'"{part}"' if "." in part else part for part in parts)


def _present(raw: Mapping[str, Any], parts: tuple[str, ...]) -> bool:
    node: object = raw
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True
