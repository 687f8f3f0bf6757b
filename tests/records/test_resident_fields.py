"""Resident field rules: what staff type (and Excel writes) becomes a value, or a named problem."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from records.errors import InvalidRecordError
from records.resident_fields import (
    CareLevel,
    ResidentFields,
    Sex,
    parse_changes,
    parse_field,
    parse_resident,
)

TODAY = date(2026, 11, 22)
HANAKO = {
    "code": "A-001",
    "family_name": "山田",
    "given_name": "花子",
    "family_kana": "ヤマダ",
    "given_kana": "はなこ",
    "sex": "女",
    "birth_date": "1940/3/2",
    "care_level": "要支援1",
}


def _problem_key(name: str, raw: str) -> str:
    with pytest.raises(InvalidRecordError) as caught:
        parse_field(name, raw, TODAY)
    [problem] = caught.value.problems
    assert (problem.field, problem.value) == (name, raw)
    return problem.message_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1940-03-02", date(1940, 3, 2)),
        ("1940/3/2", date(1940, 3, 2)),
        ("1940.3.2", date(1940, 3, 2)),
        ("1940年3月2日", date(1940, 3, 2)),
        ("１９４０／３／２", date(1940, 3, 2)),
        ("昭和15年3月2日", date(1940, 3, 2)),
        ("S15.3.2", date(1940, 3, 2)),
        ("s15/3/2", date(1940, 3, 2)),
        ("大正15年12月24日", date(1926, 12, 24)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("H1.1.8", date(1989, 1, 8)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("  1940/3/2\u3000", date(1940, 3, 2)),
    ],
)
def test_birth_dates_are_read_in_every_form_offices_use(raw: str, expected: date) -> None:
    assert parse_field("birth_date", raw, TODAY) == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("1940/2/30", "problem.date_format"),
        ("平成元年1月7日", "problem.date_format"),  # still Showa on that day
        ("大正15年12月25日", "problem.date_format"),  # already Showa
        ("昭和70年1月1日", "problem.date_format"),
        ("March 2, 1940", "problem.date_format"),
        ("2030-01-01", "problem.date_future"),
        ("1899-12-31", "problem.date_too_early"),
    ],
)
def test_impossible_birth_dates_are_refused(raw: str, key: str) -> None:
    assert _problem_key("birth_date", raw) == key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-04-01", date(2026, 4, 1)), ("令和8年4月1日", date(2026, 4, 1)), ("", None),
     ("2000-04-01", date(2000, 4, 1))],
)  # fmt: skip
def test_a_certification_date_is_read_like_a_birth_date_or_left_empty(
    raw: str, expected: date | None
) -> None:
    assert parse_field("certified_on", raw, TODAY) == expected
    assert parse_resident({**HANAKO, "certified_on": raw}, TODAY).certified_on == expected


@pytest.mark.parametrize(
    ("raw", "key"),
    [("2000-03-31", "problem.certified_too_early"), ("2026-11-23", "problem.certified_future"),
     ("2026-02-30", "problem.date_format")],
)  # fmt: skip
def test_certification_dates_before_the_insurance_or_in_the_future_are_refused(
    raw: str, key: str
) -> None:
    assert _problem_key("certified_on", raw) == key


def test_codes_accept_full_width_digits_and_refuse_other_characters() -> None:
    assert parse_field("code", "Ａ－００１", TODAY) == "A-001"
    assert parse_field("code", "r_0001", TODAY) == "r_0001"
    for bad in ("A 001", "A/001", "山田", "x" * 33):
        assert _problem_key("code", bad) == "problem.code_format"


def test_kana_accepts_hiragana_katakana_and_half_width_katakana() -> None:
    assert parse_field("family_kana", "ヤマダ", TODAY) == "ヤマダ"
    assert parse_field("family_kana", "やまだ", TODAY) == "やまだ"
    assert parse_field("family_kana", "ﾔﾏﾀﾞ", TODAY) == "ヤマダ"
    assert parse_field("given_kana", "メアリー・アン", TODAY) == "メアリー・アン"
    for bad in ("Yamada", "山田", "ヤマダ1"):
        assert _problem_key("family_kana", bad) == "problem.kana"


@pytest.mark.parametrize(
    ("raw", "sex"),
    [("男", Sex.MALE), ("男性", Sex.MALE), ("M", Sex.MALE), ("male", Sex.MALE),
     ("女", Sex.FEMALE), ("女性", Sex.FEMALE), ("f", Sex.FEMALE), ("FEMALE", Sex.FEMALE)],
)  # fmt: skip
def test_sex_accepts_japanese_and_english(raw: str, sex: Sex) -> None:
    assert parse_field("sex", raw, TODAY) is sex


def test_sex_refuses_anything_else() -> None:
    assert _problem_key("sex", "x") == "problem.sex"


def test_care_levels_accept_labels_codes_and_full_width_digits() -> None:
    assert parse_field("care_level", "要介護１", TODAY) is CareLevel.CARE_1
    assert parse_field("care_level", "事業対象者", TODAY) is CareLevel.JIGYO_TAISHOSHA
    assert parse_field("care_level", "support_2", TODAY) is CareLevel.SUPPORT_2
    for bad in ("要介護6", "要支援3", "1"):
        assert _problem_key("care_level", bad) == "problem.care_level"


def test_names_have_a_length_limit_and_no_control_characters() -> None:
    assert _problem_key("family_name", "山" * 51) == "problem.too_long"
    assert _problem_key("given_name", "花\t子") == "problem.control_characters"
    assert parse_field("notes", "右膝痛\n転倒歴あり", TODAY) == "右膝痛\n転倒歴あり"
    assert _problem_key("notes", "x" * 1001) == "problem.too_long"


def test_a_complete_resident_is_parsed() -> None:
    assert parse_resident(HANAKO, TODAY) == ResidentFields(
        code="A-001",
        family_name="山田",
        given_name="花子",
        family_kana="ヤマダ",
        given_kana="はなこ",
        sex=Sex.FEMALE,
        birth_date=date(1940, 3, 2),
        care_level=CareLevel.SUPPORT_1,
        notes="",
    )


def test_every_problem_of_a_resident_is_reported_at_once_with_its_line() -> None:
    raw = {**HANAKO, "family_name": " ", "sex": "?", "care_level": "要介護9", "colour": "red"}
    raw.pop("given_kana")
    with pytest.raises(InvalidRecordError) as caught:
        parse_resident(raw, TODAY, line=7)
    found = {(p.field, p.message_key, p.line) for p in caught.value.problems}
    assert found == {
        ("family_name", "problem.required", 7),
        ("given_kana", "problem.required", 7),
        ("sex", "problem.sex", 7),
        ("care_level", "problem.care_level", 7),
        ("colour", "problem.unknown_field", 7),
    }


def test_changes_parse_only_the_given_fields() -> None:
    assert parse_changes({"care_level": "要介護2", "notes": ""}, TODAY) == {
        "care_level": CareLevel.CARE_2,
        "notes": "",
    }


@given(st.dictionaries(st.sampled_from([*HANAKO, "notes", "x"]), st.text(max_size=40)))
def test_any_text_gives_a_resident_or_named_problems_never_a_crash(raw: dict[str, str]) -> None:
    try:
        parse_resident(raw, TODAY)
    except InvalidRecordError as exc:
        assert exc.problems
        assert all(p.message_key.startswith("problem.") for p in exc.problems)
