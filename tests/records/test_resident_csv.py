"""The residents CSV file: encodings Excel writes, Japanese or English headers, line numbers."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from residents_csv_factory import HEADER_JA, csv_bytes, resident_lines

from records import Database
from records.errors import CsvFormatError, InvalidRecordError
from records.resident_csv import (
    decode_csv_bytes,
    parse_active,
    read_resident_rows,
    write_residents_csv,
)
from records.resident_fields import CareLevel, ResidentFields, Sex, parse_resident
from records.resident_import import parse_resident_csv
from records.residents import ResidentRepository

TODAY = date(2026, 11, 22)


def _csv_error(text: str) -> CsvFormatError:
    with pytest.raises(CsvFormatError) as caught:
        read_resident_rows(text)
    return caught.value


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_files_decode_in_every_encoding_excel_writes(encoding: str) -> None:
    data = csv_bytes(resident_lines(3), encoding)
    assert decode_csv_bytes(data).lstrip("\ufeff").startswith(HEADER_JA)


def test_undecodable_and_empty_files_are_named() -> None:
    with pytest.raises(CsvFormatError) as caught:
        decode_csv_bytes(b"\x81\x00\xff\xfe")
    assert caught.value.message_key == "csv.encoding"
    with pytest.raises(CsvFormatError) as caught:
        decode_csv_bytes(b" \r\n")
    assert caught.value.message_key == "csv.empty"


def test_japanese_header_variants_map_to_fields() -> None:
    text = (
        "利用者番号,氏,名,姓（カナ）,名(カナ),性別,生年月日,要介護度,備考,有効\n"
        "A,山田,花子,ヤマダ,ハナコ,女,1940/3/2,要支援1,,はい\n"
    )
    [row], problems = read_resident_rows(text)
    assert problems == []
    assert row.line == 2
    assert row.values["family_kana"] == "ヤマダ"
    assert row.values["active"] == "はい"


def test_header_problems_name_the_column() -> None:
    unknown = _csv_error("code,name\n")
    assert (unknown.message_key, unknown.params["column"]) == ("csv.unknown_column", "name")
    assert "family_name" in unknown.params["expected"]
    missing = _csv_error("code,family_name,given_name,family_kana,given_kana,sex,birth_date\n")
    assert (missing.message_key, missing.params["column"]) == ("csv.missing_column", "care_level")
    twice = _csv_error("code,利用者コード\n")
    assert twice.message_key == "csv.duplicate_column"


def test_line_numbers_count_physical_lines_across_quoted_line_breaks() -> None:
    lines = resident_lines(3)
    lines[0] = lines[0] + '"右膝痛\n転倒歴あり"'
    text = csv_bytes(lines, "utf-8").decode()
    text = text.replace(lines[2], lines[2] + ",extra")
    rows, problems = read_resident_rows(text)
    assert [r.line for r in rows] == [2, 4]
    assert rows[0].values["notes"] == "右膝痛\n転倒歴あり"
    assert [(p.line, p.message_key, p.value) for p in problems] == [
        (5, "problem.extra_cells", "extra")
    ]


def test_blank_lines_are_skipped() -> None:
    text = HEADER_JA + "\n\n" + resident_lines(1)[0] + "\n,,,,,,,,\n"
    rows, problems = read_resident_rows(text)
    assert len(rows) == 1
    assert problems == []


def test_codes_repeated_in_a_file_are_problems_naming_the_first_line() -> None:
    lines = resident_lines(3)
    lines[2] = lines[0]
    with pytest.raises(InvalidRecordError) as caught:
        parse_resident_csv(csv_bytes(lines, "utf-8"), TODAY)
    [problem] = caught.value.problems
    assert (problem.line, problem.message_key, problem.params["first_line"]) == (
        4, "problem.duplicate_in_file", "2",
    )  # fmt: skip


def test_active_cells() -> None:
    assert parse_active("はい") is True
    assert parse_active("FALSE") is False
    assert parse_active("") is True
    with pytest.raises(InvalidRecordError):
        parse_active("maybe")


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=20
).filter(lambda s: s.strip() == s and s)
residents = st.builds(
    ResidentFields,
    code=st.from_regex(r"[A-Za-z0-9_-]{1,32}", fullmatch=True),
    family_name=names,
    given_name=names,
    family_kana=st.from_regex(r"[ア-ン]{1,10}", fullmatch=True),
    given_kana=st.from_regex(r"[あ-ん]{1,10}", fullmatch=True),
    sex=st.sampled_from(Sex),
    birth_date=st.dates(date(1900, 1, 1), TODAY),
    care_level=st.sampled_from(CareLevel),
    certified_on=st.none() | st.dates(date(2000, 4, 1), TODAY),
    notes=st.text(alphabet=st.sampled_from('ab,"\n膝 '), max_size=30).map(str.strip),
)


@pytest.mark.parametrize("language", ["ja", "en"])
@given(resident=residents, active=st.booleans())
def test_written_files_read_back_identical(
    language: str, resident: ResidentFields, active: bool
) -> None:
    data = write_residents_csv([(resident, active)], language)  # type: ignore[arg-type]
    assert data.startswith(b"\xef\xbb\xbf")
    [row] = parse_resident_csv(data, TODAY)
    assert row.fields == resident
    assert row.active is active


@given(st.text(max_size=300))
def test_any_text_is_rows_or_a_named_error_never_a_crash(text: str) -> None:
    try:
        rows, _problems = read_resident_rows(text)
    except CsvFormatError as exc:
        assert exc.message_key.startswith("csv.")
        return
    for row in rows:
        with contextlib.suppress(InvalidRecordError):
            parse_resident(row.values, TODAY, line=row.line)


@given(st.binary(max_size=300))
def test_any_bytes_import_or_fail_with_named_errors(data: bytes) -> None:
    with contextlib.suppress(CsvFormatError, InvalidRecordError):
        parse_resident_csv(data, TODAY)


def test_an_update_from_a_file_without_an_optional_column_keeps_the_stored_value(
    database: Database,
) -> None:
    """A file written before the certification date existed clears neither it nor the notes."""
    repository = ResidentRepository(database, "f1")
    text = "code,family_name,given_name,family_kana,given_kana,sex,birth_date,care_level,{}\r\n"
    hanako = "A-1,山田,花子,ヤマダ,ハナコ,女,1940-03-02"
    first = text.format("certified_on,notes") + f"{hanako},要支援2,2026-04-01,膝\r\n"
    repository.import_all(parse_resident_csv(first.encode(), TODAY), actor="test",
                          update_existing=False)  # fmt: skip
    later = text.format("active") + f"{hanako},要支援1,はい\r\n"
    repository.import_all(parse_resident_csv(later.encode(), TODAY), actor="test",
                          update_existing=True)  # fmt: skip
    fields = repository.get("A-1").fields
    assert (fields.care_level, fields.certified_on, fields.notes) == (
        CareLevel.SUPPORT_1, date(2026, 4, 1), "膝")  # fmt: skip
