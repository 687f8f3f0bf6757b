"""``genki battery score``: score a whole battery from raw results in a JSON file.

The file is ``{"battery": NAME, "resident": {"sex": "F"|"M", "age_years": N}, "results": {...}}``
(programs.batteries describes each battery's results). ``--json`` prints one JSON object: the
battery, the resident and the battery's result with the tables it used; otherwise the result is
printed as readable lines with the tables' sources and status. A file that cannot be read, is not
JSON, or holds a value outside its field's range ends the command with exit code 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from genki.cli.context import BadInputError, CliContext
from genki.i18n import Language, catalogue, text
from programs.batteries import EntryError, ScoredBattery, score_battery

pass_cli = click.make_pass_decorator(CliContext)


def read_json_object(
    path: Path, language: Language, not_object: str = "battery.error.not_object"
) -> dict[str, object]:
    """Return the JSON object in ``path``; exit 2 naming the file (message ``not_object``)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise BadInputError(
            text("battery.error.unreadable", language, file=path, reason=exc.strerror)
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(
            text("battery.error.not_json", language, file=path, reason=exc)
        ) from exc
    if not isinstance(document, dict):
        raise BadInputError(text(not_object, language, file=path))
    return document


def _entry_error(path: Path, error: EntryError, language: Language) -> str:
    """Return an entry error as a sentence: file, field, value and what is allowed."""
    return text(
        "battery.error.format",
        language,
        file=path,
        field=error.field,
        value=json.dumps(error.value, ensure_ascii=False),
        expected=error.expected(language),
    )


def _label(code: str, language: Language) -> str:
    """Return the display name of a code or field name, or the code itself if it has none."""
    messages = catalogue(language)
    for key in (f"battery.value.{code}", f"battery.field.{code}"):
        if key in messages:
            return messages[key]
    return code


def _shown(value: object, language: Language) -> str:
    """Return a result value as text: codes and names translated, lists and objects joined."""
    if value is None or value in ([], {}):
        return text("battery.none", language)
    if isinstance(value, bool):
        return text("battery.yes" if value else "battery.no", language)
    if isinstance(value, list):
        return ", ".join(_shown(item, language) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{_label(k, language)} {_shown(v, language)}" for k, v in value.items())
    if isinstance(value, int | float):
        return f"{value:g}"
    return _label(str(value), language)


def _summary(scored: ScoredBattery, language: Language) -> str:
    """Return the scored battery as readable lines in ``language``."""
    resident = scored.resident
    sex = text("sex.male" if resident.sex == "M" else "sex.female", language)
    values = scored.result.as_json()
    lines = [
        text(
            "battery.title",
            language,
            battery=text(f"battery.name.{scored.battery}", language),
            sex=sex,
            age=resident.age_years,
        )
    ]
    lines += [
        text("battery.line", language, label=_label(key, language), value=_shown(value, language))
        for key, value in values.items()
        if key != "tables"
    ]
    lines += [
        text(
            "battery.source",
            language,
            table=table["id"],
            source=table["source"],
            status=text(f"battery.status.{table['status']}", language),
        )
        for table in values["tables"]
    ]
    return "\n".join(lines)


@click.group(name="battery")
def battery_group() -> None:
    """Standardized test batteries (SPPB, AWGS 2019, MEXT 65–79, fall risk, 基本チェックリスト)."""


@battery_group.command(name="score")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_cli
def score_command(cli: CliContext, /, *, file: Path, as_json: bool) -> None:
    """Score a battery from raw results: FILE.json with battery, resident and results."""
    document = read_json_object(file, cli.language)
    try:
        scored = score_battery(document)
    except EntryError as exc:
        raise BadInputError(_entry_error(file, exc, cli.language)) from exc
    if as_json:
        click.echo(json.dumps(scored.as_json(), ensure_ascii=False, allow_nan=False))
        return
    click.echo(_summary(scored, cli.language))
