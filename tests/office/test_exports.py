"""Office CSV exports read back with identical values, awkward text and exact floats included."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from genki_home import GenkiHome
from office_report_seed import AWKWARD, FACILITY, FLOATS, Seeded, seed_office

from office.exports import (
    MAIN_VALUES,
    RECORD_COLUMNS,
    RESULT_COLUMNS,
    UnknownExportError,
    export_csv,
    number,
    read_csv,
)
from records import Database, open_database
from records.resident_import import parse_resident_csv


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed_office(database)


def test_results_export_reads_back_every_value_identically(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    path = tmp_path / "results.csv"
    assert export_csv(database, "results", path, facility_id=FACILITY) == 9
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, as the residents CSV
    assert raw.count(b"\r\n") >= 10
    rows = read_csv(path)
    assert tuple(rows[0]) == RESULT_COLUMNS
    sent = {b["summary"]["battery"] + b["performed_at"]: b["summary"]
            for b in seeded.bodies["assessment"]}  # fmt: skip
    sent |= {b["test"] + b["recorded_at"]: b["metrics"] for b in seeded.bodies["trial"]}
    assert len(rows) == len(sent)
    for row in rows:
        values = json.loads(row["values_json"])
        original = sent[row["name"] + row["performed_at"]]
        assert {k: values[k] for k in original} == original  # every value, floats exact
    grips = [row for row in rows if row["name"] == "grip"]
    assert [number(row["grip_kg"]) for row in grips] == [15.5, FLOATS[0] + 16, 17.25]
    for grip in grips:
        values = json.loads(grip["values_json"])
        assert (values["tiny"], values["precise"], values["huge"]) == FLOATS[1:]
        assert values["note"] == AWKWARD
    sppb = [row for row in rows if row["name"] == "sppb" and row["resident_code"] == "R001"]
    assert [(number(r["total"]), r["rating"]) for r in sppb] == [(6, "low"), (9, "intermediate")]
    assert sppb[0]["resident_name"] == "髙橋 ミツ"
    assert {row["resident_name"] for row in rows} == {"髙橋 ミツ", "鈴木 キヨ"}


def test_every_main_value_column_comes_from_the_values_column(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    path = tmp_path / "results.csv"
    export_csv(database, "results", path, facility_id=FACILITY)
    filled = 0
    for row in read_csv(path):
        values = json.loads(row["values_json"])
        for column in MAIN_VALUES:
            if row[column]:
                filled += 1
                assert row[column] in (str(v) for v in _leaves(values))
    assert filled >= 20


def _leaves(values: object) -> list[object]:
    if isinstance(values, dict):
        return [leaf for value in values.values() for leaf in _leaves(value)]
    return [repr(values) if isinstance(values, float) else values]


def test_records_export_is_the_implementation_record_with_clock_times(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    path = tmp_path / "records.csv"
    count = export_csv(database, "records", path, facility_id=FACILITY,
                       since=date(2026, 4, 1), until=date(2026, 4, 30))  # fmt: skip
    assert count == 4  # the session of 31 March is outside the period
    rows = read_csv(path)
    assert tuple(rows[0]) == RECORD_COLUMNS
    assert [row["resident_code"] for row in rows] == ["R001", "R001", "R002", "R001"]
    sent = {b["session_uuid"]: b for b in seeded.bodies["exercise_session"]}
    for row in rows:
        body = json.loads(row["body_json"])
        assert body == sent[row["session_uuid"]]
        assert json.loads(row["exercises_json"]) == body["exercises"]
        assert row["programme"] == "standing_strength_balance"
        assert row["vitals_outcome"] == "ok"
        assert row["start_time"]
        assert row["end_time"]
        assert row["start_time"] < row["end_time"]
    assert json.loads(rows[0]["body_json"])["notes"] == AWKWARD
    assert rows[2]["resident_name"] == '佐藤, "一" 太郎'
    assert [number(row["rpe"]) for row in rows] == [12, 12, 13, 12]


def test_residents_export_is_the_residents_csv_and_imports_back(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    path = tmp_path / "residents.csv"
    assert export_csv(database, "residents", path, facility_id=FACILITY) == 3
    imported = parse_resident_csv(path.read_bytes(), date(2026, 4, 30))
    assert {row.fields for row in imported} == {r.fields for r in seeded.residents.values()}
    assert next(r.fields.notes for r in imported if r.fields.code == "R001") == AWKWARD


def test_an_unknown_kind_or_a_residents_export_without_facility_is_refused(
    database: Database, tmp_path: Path
) -> None:
    with pytest.raises(UnknownExportError, match="results, records, residents"):
        export_csv(database, "plans", tmp_path / "x.csv")
    with pytest.raises(UnknownExportError, match="facility"):
        export_csv(database, "residents", tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


@pytest.fixture
def seeded_home(home: GenkiHome) -> GenkiHome:
    home.database_file.parent.mkdir(parents=True, exist_ok=True)
    database = open_database(f"sqlite:///{home.database_file}")
    seed_office(database)
    database.close()
    return home


def test_the_export_command_writes_each_kind(seeded_home: GenkiHome) -> None:
    for kind, rows in (("results", 9), ("records", 5), ("residents", 3)):
        out = seeded_home.root / f"{kind}.csv"
        result = seeded_home.run("office", "export", kind, "--out", str(out))
        assert result.exit_code == 0, result.output
        assert f"Wrote {rows} rows to {out}" in result.output
        assert len(read_csv(out)) == rows


def test_the_export_command_filters_by_days(seeded_home: GenkiHome) -> None:
    out = seeded_home.root / "april.csv"
    result = seeded_home.run("office", "export", "results", "--out", str(out),
                             "--since", "2026-04-01", "--until", "2026-04-08")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {row["performed_at"][:10] for row in read_csv(out)} == {"2026-04-08"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2026-13-01"], "2026-13-01 is not a date. Give it as YYYY-MM-DD"),
        (["--since", "2026-04-09", "--until", "2026-04-01"],
         "The start date 2026-04-09 is after the end date 2026-04-01."),
    ],
)  # fmt: skip
def test_the_export_command_refuses_bad_dates(
    seeded_home: GenkiHome, args: list[str], message: str
) -> None:
    out = seeded_home.root / "x.csv"
    result = seeded_home.run("office", "export", "results", "--out", str(out), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_the_export_command_says_when_the_file_cannot_be_written(seeded_home: GenkiHome) -> None:
    out = seeded_home.root / "no such folder" / "results.csv"
    result = seeded_home.run("office", "export", "results", "--out", str(out))
    assert result.exit_code == 2
    assert f"Cannot write {out}: No such file or directory" in result.output
