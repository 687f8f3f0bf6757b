"""Resident fields: the rules every value must follow, as pure functions from text to values.

Values arrive as text (command-line options, CSV cells, kiosk forms). Each is stripped, normalised
where Japanese input methods and Excel produce variants (full-width digits, half-width katakana,
Japanese era dates), and checked. Every problem names the field, the value given and a catalogue
key saying what is allowed; a whole resident is checked field by field so that all problems are
reported at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from records.errors import FieldProblem, InvalidRecordError


class Sex(StrEnum):
    """Sex as used by the sex-specific norm tables."""

    MALE = "male"
    FEMALE = "female"


class CareLevel(StrEnum):
    """Long-term care insurance level (介護度); values are stable codes."""

    INDEPENDENT = "independent"
    JIGYO_TAISHOSHA = "jigyo_taishosha"
    SUPPORT_1 = "support_1"
    SUPPORT_2 = "support_2"
    CARE_1 = "care_1"
    CARE_2 = "care_2"
    CARE_3 = "care_3"
    CARE_4 = "care_4"
    CARE_5 = "care_5"


CARE_LEVEL_LABELS_JA: Mapping[CareLevel, str] = {
    CareLevel.INDEPENDENT: "自立",
    CareLevel.JIGYO_TAISHOSHA: "事業対象者",
    CareLevel.SUPPORT_1: "要支援1",
    CareLevel.SUPPORT_2: "要支援2",
    CareLevel.CARE_1: "要介護1",
    CareLevel.CARE_2: "要介護2",
    CareLevel.CARE_3: "要介護3",
    CareLevel.CARE_4: "要介護4",
    CareLevel.CARE_5: "要介護5",
}
SEX_LABELS_JA: Mapping[Sex, str] = {Sex.MALE: "男", Sex.FEMALE: "女"}
SEX_ALIASES: Mapping[str, Sex] = {
    "male": Sex.MALE, "m": Sex.MALE, "男": Sex.MALE, "男性": Sex.MALE,
    "female": Sex.FEMALE, "f": Sex.FEMALE, "女": Sex.FEMALE, "女性": Sex.FEMALE,
}  # fmt: skip

RESIDENT_FIELDS: tuple[str, ...] = (
    "code", "family_name", "given_name", "family_kana", "given_kana",
    "sex", "birth_date", "care_level", "certified_on", "notes",
)  # fmt: skip
# Optional fields and their value when left empty.
EMPTY_VALUES: Mapping[str, object] = {"certified_on": None, "notes": ""}
REQUIRED_FIELDS: frozenset[str] = frozenset(RESIDENT_FIELDS) - set(EMPTY_VALUES)

CODE_MAX = 32
NAME_MAX = 50
NOTES_MAX = 1000
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
LTCI_START = date(2000, 4, 1)  # long-term care insurance began: no certification before it

# Japanese eras (元号) that cover living residents: name, one-letter abbreviation, first day.
ERAS: tuple[tuple[str, str, date], ...] = (
    ("大正", "T", date(1912, 7, 30)),
    ("昭和", "S", date(1926, 12, 25)),
    ("平成", "H", date(1989, 1, 8)),
    ("令和", "R", date(2019, 5, 1)),
)

_CODE = re.compile(r"[A-Za-z0-9_-]+")
_KANA = re.compile(r"[\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe・ ]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WESTERN_DATE = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
_ERA_DATE = re.compile(
    r"(?P<era>大正|昭和|平成|令和|[TSHRtshr])\s*(?P<year>元|\d{1,2})\s*(?:年|[-/.])\s*"
    r"(?P<month>\d{1,2})\s*(?:月|[-/.])\s*(?P<day>\d{1,2})\s*日?"
)


@dataclass(frozen=True, slots=True)
class ResidentFields:
    """A resident's registered details, all validated."""

    code: str
    family_name: str
    given_name: str
    family_kana: str
    given_kana: str
    sex: Sex
    birth_date: date
    care_level: CareLevel
    # The day the current care-need certification (要介護・要支援認定) was made, new, renewed or
    # changed; a renewal that keeps the level changes only this (office.evaluation counts it).
    certified_on: date | None = None
    notes: str = ""


class _InvalidValueError(Exception):
    def __init__(self, message_key: str, **params: str) -> None:
        self.message_key = message_key
        self.params = params


def _clean(raw: str) -> str:
    return raw.strip().strip("\u3000").strip()


def _nfkc(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw)


def _code(value: str) -> str:
    value = _nfkc(value)
    if len(value) > CODE_MAX or not _CODE.fullmatch(value):
        raise _InvalidValueError("problem.code_format", max=str(CODE_MAX))
    return value


def _text(maximum: int, *, multiline: bool = False) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value) > maximum:
            raise _InvalidValueError("problem.too_long", max=str(maximum))
        if _CONTROL.search(value.replace("\r\n", "").replace("\n", "") if multiline else value):
            raise _InvalidValueError("problem.control_characters")
        return value

    return check


def _kana(value: str) -> str:
    value = _nfkc(value)
    if len(value) > NAME_MAX:
        raise _InvalidValueError("problem.too_long", max=str(NAME_MAX))
    if not _KANA.fullmatch(value):
        raise _InvalidValueError("problem.kana")
    return value


def _sex(value: str) -> Sex:
    sex = SEX_ALIASES.get(_nfkc(value).casefold())
    if sex is None:
        raise _InvalidValueError("problem.sex")
    return sex


def _care_level(value: str) -> CareLevel:
    value = _nfkc(value).replace(" ", "")
    for level, label in CARE_LEVEL_LABELS_JA.items():
        if value in (level.value, label):
            return level
    raise _InvalidValueError("problem.care_level")


def _era_date(match: re.Match[str]) -> date:
    era = match["era"].upper()
    name, _letter, start = next(e for e in ERAS if era in (e[0], e[1]))
    year = 1 if match["year"] == "元" else int(match["year"])
    born = date(start.year + year - 1, int(match["month"]), int(match["day"]))
    following = [e[2] for e in ERAS if e[2] > start]
    if born < start or (following and born >= following[0]):
        raise ValueError(f"{born} is outside the {name} era")
    return born


def _parse_date(value: str) -> date:
    """Parse a date in ISO, Excel (1940/3/2), 年月日 or Japanese-era form."""
    text = _nfkc(value).strip()
    try:
        if (western := _WESTERN_DATE.fullmatch(text)) is not None:
            return date(int(western[1]), int(western[2]), int(western[3]))
        if (era := _ERA_DATE.fullmatch(text)) is not None:
            return _era_date(era)
    except ValueError:
        raise _InvalidValueError("problem.date_format") from None
    raise _InvalidValueError("problem.date_format")


# A date field's bounds: (earliest day, problem when after today, problem when too early)
BIRTH_DATES = (EARLIEST_BIRTH_DATE, "problem.date_future", "problem.date_too_early")
CERTIFICATION_DATES = (LTCI_START, "problem.certified_future", "problem.certified_too_early")


def _date_within(value: str, today: date, bounds: tuple[date, str, str]) -> date:
    """Parse a date (``_parse_date``) that is neither after ``today`` nor before its earliest."""
    earliest, future, too_early = bounds
    day = _parse_date(value)
    if day > today:
        raise _InvalidValueError(future)
    if day < earliest:
        raise _InvalidValueError(too_early)
    return day


def _parser(name: str, today: date) -> Callable[[str], object]:
    parsers: dict[str, Callable[[str], object]] = {
        "code": _code,
        "family_name": _text(NAME_MAX),
        "given_name": _text(NAME_MAX),
        "family_kana": _kana,
        "given_kana": _kana,
        "sex": _sex,
        "birth_date": lambda value: _date_within(value, today, BIRTH_DATES),
        "care_level": _care_level,
        "certified_on": lambda value: _date_within(value, today, CERTIFICATION_DATES),
        "notes": _text(NOTES_MAX, multiline=True),
    }
    return parsers[name]


def parse_field(name: str, raw: str, today: date, line: int | None = None) -> object:
    """Return the value of one field, or raise InvalidRecordError with its problem."""
    if name not in RESIDENT_FIELDS:
        raise InvalidRecordError([FieldProblem(name, raw, "problem.unknown_field", line=line)])
    value = _clean(raw)
    if not value:
        if name in REQUIRED_FIELDS:
            raise InvalidRecordError([FieldProblem(name, raw, "problem.required", line=line)])
        return EMPTY_VALUES[name]
    try:
        return _parser(name, today)(value)
    except _InvalidValueError as exc:
        problem = FieldProblem(name, raw, exc.message_key, exc.params, line=line)
        raise InvalidRecordError([problem]) from None


def parse_changes(
    raw: Mapping[str, str], today: date, line: int | None = None
) -> dict[str, object]:
    """Return the parsed values of the given fields; every problem is reported at once."""
    values: dict[str, object] = {}
    problems: list[FieldProblem] = []
    for name, text in raw.items():
        try:
            values[name] = parse_field(name, text, today, line)
        except InvalidRecordError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidRecordError(problems)
    return values


def parse_resident(raw: Mapping[str, str], today: date, line: int | None = None) -> ResidentFields:
    """Return a complete resident; missing and bad fields are all reported at once."""
    given = {name: raw.get(name, "") for name in RESIDENT_FIELDS}
    extra = {name: text for name, text in raw.items() if name not in RESIDENT_FIELDS}
    values = parse_changes({**given, **extra}, today, line)
    return ResidentFields(**values)  # type: ignore[arg-type]
