"""``genki residents``: registering, listing, editing, importing and exporting through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from genki_home import GenkiHome
from residents_csv_factory import csv_bytes, resident_lines

ADD_HANAKO = [
    "residents",
    "add",
    "--code",
    "A-001",
    "--family-name",
    "山田",
    "--given-name",
    "花子",
    "--family-kana",
    "ヤマダ",
    "--given-kana",
    "ハナコ",
    "--sex",
    "女",
    "--birth-date",
    "昭和15年3月2日",
    "--care-level",
    "要支援1",
]


def _listed(home: GenkiHome, *flags: str) -> list[dict[str, object]]:
    result = home.run("residents", "list", "--json", *flags)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_a_trainer_registers_a_resident_and_sees_them_listed(home: GenkiHome) -> None:
    result = home.run(*ADD_HANAKO)
    assert result.exit_code == 0, result.output
    assert "A-001" in result.output
    [resident] = _listed(home)
    assert resident["code"] == "A-001"
    assert resident["birth_date"] == "1940-03-02"
    assert resident["sex"] == "female"
    assert resident["care_level"] == "support_1"
    assert resident["facility_id"] == "sakura"
    assert resident["active"] is True
    assert home.database_file.exists()


def test_the_table_listing_shows_names_and_care_levels(home: GenkiHome) -> None:
    home.run(*ADD_HANAKO)
    result = home.run("residents", "list")
    assert result.exit_code == 0
    assert "山田 花子" in result.output
    assert "support level 1" in result.output


def test_messages_are_japanese_by_default(home: GenkiHome) -> None:
    home.config_file.write_text(
        home.config_file.read_text(encoding="utf-8").replace('language = "en"', ""),
        encoding="utf-8",
    )
    result = home.run(*ADD_HANAKO)
    assert "登録しました" in result.output


def test_a_second_resident_with_the_same_code_is_refused(home: GenkiHome) -> None:
    home.run(*ADD_HANAKO)
    result = home.run(*ADD_HANAKO)
    assert result.exit_code == 2
    assert "already registered" in result.output
    assert len(_listed(home)) == 1


def test_bad_values_are_named_with_what_is_allowed(home: GenkiHome) -> None:
    bad = [*ADD_HANAKO]
    bad[bad.index("要支援1")] = "要介護9"
    bad[bad.index("ヤマダ")] = "Yamada"
    result = home.run(*bad)
    assert result.exit_code == 2
    assert 'care level = "要介護9": expected one of 自立' in result.output
    assert 'family name (kana) = "Yamada": expected hiragana or katakana' in result.output
    assert _listed(home) == []


def test_edit_changes_only_the_given_fields_and_is_audited(home: GenkiHome) -> None:
    home.run(*ADD_HANAKO)
    result = home.run("residents", "edit", "A-001", "--care-level", "要介護1", "--notes", "右膝痛")
    assert result.exit_code == 0, result.output
    shown = json.loads(home.run("residents", "show", "A-001", "--json").output)
    assert shown["care_level"] == "care_1"
    assert shown["notes"] == "右膝痛"
    assert shown["family_name"] == "山田"
    actions = [event["action"] for event in shown["audit"]]
    assert actions == ["resident.add", "resident.edit"]
    assert shown["audit"][1]["details"]["care_level"] == ["support_1", "care_1"]
    assert shown["audit"][1]["actor"].startswith("cli:")


def test_edit_without_options_and_unknown_codes_are_clear_errors(home: GenkiHome) -> None:
    home.run(*ADD_HANAKO)
    assert "Nothing to change" in home.run("residents", "edit", "A-001").output
    result = home.run("residents", "edit", "Z-999", "--notes", "x")
    assert result.exit_code == 2
    assert 'No resident with code "Z-999"' in result.output


def test_deactivated_residents_are_kept_but_hidden_until_asked(home: GenkiHome) -> None:
    home.run(*ADD_HANAKO)
    assert home.run("residents", "deactivate", "A-001", "--reason", "moved").exit_code == 0
    assert _listed(home) == []
    [kept] = _listed(home, "--all")
    assert kept["active"] is False
    assert home.run("residents", "reactivate", "A-001").exit_code == 0
    assert len(_listed(home)) == 1
    shown = json.loads(home.run("residents", "show", "A-001", "--json").output)
    assert [e["action"] for e in shown["audit"]] == [
        "resident.add",
        "resident.deactivate",
        "resident.activate",
    ]
    assert shown["audit"][1]["details"] == {"reason": "moved"}


def test_a_200_row_shift_jis_file_imports_completely(home: GenkiHome, tmp_path: Path) -> None:
    path = tmp_path / "residents.csv"
    path.write_bytes(csv_bytes(resident_lines(200), "cp932"))
    result = home.run("residents", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "200 added" in result.output
    listed = _listed(home)
    assert len(listed) == 200
    assert {r["code"] for r in listed} == {f"R{n:04d}" for n in range(1, 201)}
    assert any(r["family_name"] == "髙橋" for r in listed)


def test_a_file_with_three_bad_rows_imports_nothing_and_names_each(
    home: GenkiHome, tmp_path: Path
) -> None:
    lines = resident_lines(50)
    lines[9] = lines[9].replace("/", "-", 1).replace(",男,", ",X,").replace(",女,", ",X,")
    lines[19] = lines[19].split(",", 1)[0] + ",,太郎,ヤマダ,タロウ,男,1940/2/30,要介護1,"
    lines[29] = (
        lines[29].replace("要", "超", 1) if "要" in lines[29] else lines[29][:-1] + "x,extra"
    )
    path = tmp_path / "residents.csv"
    path.write_bytes(csv_bytes(lines, "cp932"))
    result = home.run("residents", "import", str(path))
    assert result.exit_code == 2
    assert "Nothing was imported: 3 row(s) have problems" in result.output
    for line in (11, 21, 31):
        assert f"line {line}: " in result.output
    assert 'sex = "X"' in result.output
    assert 'family name = "": a value is required' in result.output
    assert 'birth date = "1940/2/30"' in result.output
    assert _listed(home, "--all") == []


def test_dry_run_reports_and_saves_nothing(home: GenkiHome, tmp_path: Path) -> None:
    path = tmp_path / "residents.csv"
    path.write_bytes(csv_bytes(resident_lines(20), "utf-8-sig"))
    result = home.run("residents", "import", "--dry-run", str(path))
    assert result.exit_code == 0, result.output
    assert "20 would be added" in result.output
    assert _listed(home, "--all") == []


def test_import_of_registered_codes_needs_update(home: GenkiHome, tmp_path: Path) -> None:
    path = tmp_path / "residents.csv"
    path.write_bytes(csv_bytes(resident_lines(5), "utf-8"))
    assert home.run("residents", "import", str(path)).exit_code == 0
    again = home.run("residents", "import", str(path))
    assert again.exit_code == 2
    assert "already registered" in again.output
    changed = resident_lines(5)
    changed[0] = changed[0].rstrip(",") + ",転倒歴あり"
    path.write_bytes(csv_bytes(changed, "utf-8"))
    result = home.run("residents", "import", "--update", str(path))
    assert result.exit_code == 0, result.output
    assert "0 added, 1 updated, 4 unchanged" in result.output


def test_export_then_import_gives_back_identical_residents(home: GenkiHome, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(csv_bytes(resident_lines(30), "cp932"))
    home.run("residents", "import", str(source))
    home.run("residents", "deactivate", "R0003")
    exported = tmp_path / "out.csv"
    assert home.run("residents", "export", str(exported)).exit_code == 0
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")
    before = _listed(home, "--all")
    other = GenkiHome(tmp_path / "other", tmp_path / "other.toml", tmp_path / "other.sqlite3")
    other.config_file.write_text(
        f'language = "en"\n[facility]\nid = "sakura"\n[database]\nurl = "sqlite:///{other.database_file}"\n',
        encoding="utf-8",
    )
    result = other.run("residents", "import", str(exported))
    assert result.exit_code == 0, result.output
    after = _listed(other, "--all")
    keys = (
        "code",
        "family_name",
        "given_name",
        "family_kana",
        "given_kana",
        "sex",
        "birth_date",
        "care_level",
        "notes",
        "active",
    )
    assert [{k: r[k] for k in keys} for r in after] == [{k: r[k] for k in keys} for r in before]


def test_an_undecodable_or_headerless_file_is_a_clear_error(
    home: GenkiHome, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x81\x00\xff\xfe\xfd garbage")
    result = home.run("residents", "import", str(path))
    assert result.exit_code == 2
    assert "neither UTF-8 nor Shift_JIS" in result.output
    path.write_text("code,name\nA,B\n", encoding="utf-8")
    result = home.run("residents", "import", str(path))
    assert result.exit_code == 2
    assert 'unknown column "name"' in result.output


def test_a_corrupt_database_is_reported_and_left_untouched(home: GenkiHome) -> None:
    home.database_file.parent.mkdir(parents=True)
    home.database_file.write_bytes(b"not a database" * 500)
    before = home.database_file.read_bytes()
    result = home.run("residents", "list")
    assert result.exit_code == 1
    assert "failed its integrity check" in result.output
    assert "has not been changed" in result.output
    assert home.database_file.read_bytes() == before
