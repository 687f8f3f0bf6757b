"""``genki programs``: list, prescribe from a profile, plan/record/due documents as PDF and CSV.

PDFs are read back with pypdf: page count and the text extracted from them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from genki_home import GenkiHome
from pypdf import PdfReader

from programs.batteries import score_battery
from programs.explanations import add_months
from records import open_database
from records.assessments import ExerciseDone, save_assessment, save_exercise_session
from records.audit import audit_trail
from records.plans import plans_of
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository

HANAKO = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1942, 5, 3),
    care_level=CareLevel.SUPPORT_2,
)  # fmt: skip
TARO = ResidentFields(
    code="R002", family_name="佐藤", given_name="太郎", family_kana="サトウ",
    given_kana="タロウ", sex=Sex.MALE, birth_date=date(1938, 1, 9), care_level=CareLevel.CARE_1,
)  # fmt: skip
SPPB_RESULTS = {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 4, "gait_4m_s": [5.0],
                "chair_stand_single_ok": True, "chair_stand_5x_s": 14.0}  # fmt: skip
# SPPB 3 + 3 + 2 = 8 (tandem 3–9.99 s → balance 3; 5.0 s over 4 m → 3; 14.0 s → 2)
WOMAN_82 = {"sex": "F", "age_years": 82}


def _scored(name: str, results: dict[str, Any]) -> dict[str, Any]:
    return score_battery({"battery": name, "resident": WOMAN_82, "results": results}).as_json()


def _pdf_text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def stored(home: GenkiHome) -> dict[str, Any]:
    """Hanako with an SPPB and fall-risk assessment and two sessions at target; Taro unassessed."""
    database = open_database(f"sqlite:///{home.database_file}")
    residents = ResidentRepository(database, "sakura")
    hanako = residents.add(HANAKO, actor="test").uuid
    residents.add(TARO, actor="test")
    assessed = datetime.now(UTC) - timedelta(days=80)
    sessions = []
    with database.transaction() as session:
        for battery, results in (
            ("sppb", SPPB_RESULTS),
            ("fall_risk", {"tug_s": 9.0, "one_leg_stance_s": 25.0}),
        ):
            save_assessment(session, resident_uuid=hanako, battery=battery,
                            summary=_scored(battery, results), performed_at=assessed,
                            staff="T01")  # fmt: skip
        for day in (1, 3):
            start = (assessed + timedelta(days=day)).replace(hour=10, minute=0)
            sessions.append(start)
            save_exercise_session(
                session, resident_uuid=hanako, programme="standing_strength_balance", level=2,
                started_at=start, ended_at=start + timedelta(minutes=25), staff="T01",
                vitals="ok", rpe=12, pain=False, notes="よくできました",
                exercises=[ExerciseDone("sit_to_stand", 2, 1, 10, completed=True),
                           ExerciseDone("tandem_stance", 1, 1, 1, hold_s=10.0, completed=True)],
            )  # fmt: skip
    database.close()
    return {"hanako": hanako, "assessed": assessed.astimezone().date(), "sessions": sessions}


def test_list_json_holds_the_programmes_and_the_exercises(home: GenkiHome) -> None:
    result = home.run("programs", "list", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert [p["id"] for p in document["programmes"]] == [
        "seated_strength", "standing_strength_balance", "walking", "hand_grip", "flexibility",
    ]  # fmt: skip
    assert len(document["exercises"]) >= 40
    assert document["programmes"][1]["levels"][0]["exercises"][0]["section"] == "warm_up"


def test_prescribe_prints_programme_level_exercises_reasons_and_explanations(
    home: GenkiHome, tmp_path: Path
) -> None:
    profile = {"resident": {**WOMAN_82, "care_level": "support_2"},
               "assessments": [_scored("sppb", SPPB_RESULTS)], "vitals": {"outcome": "ok"},
               "contraindications": ["knee_pain"], "history": []}  # fmt: skip
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(profile), encoding="utf-8")
    result = home.run("programs", "prescribe", "--profile", str(path), "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert (document["programme"], document["level"]) == ("standing_strength_balance", 2)
    assert all({"section", "exercise", "level", "dose"} <= set(e) for e in document["exercises"])
    assert "sit_to_stand" not in [e["exercise"] for e in document["exercises"]]
    assert document["reasons"][0]["code"] == "sppb_band"
    assert "SPPB 8/12点" in document["reasons"][0]["ja"]
    assert "12点中8点" in document["explanation"]["ja"]
    assert "8 out of 12" in document["explanation"]["en"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not a JSON file"),
        ("[1, 2]", "expected a JSON object with resident, assessments"),
        ('{"resident": {"sex": "F", "age_years": 82}, "contraindications": ["wings"]}',
         "contraindications: unknown wings"),
        ('{"resident": {"sex": "F", "age_years": "old"}}', "resident.age_years"),
    ],
)  # fmt: skip
def test_prescribe_refuses_a_bad_profile_with_exit_2(
    home: GenkiHome, tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "profile.json"
    path.write_text(content, encoding="utf-8")
    result = home.run("programs", "prescribe", "--profile", str(path), "--json")
    assert result.exit_code == 2
    assert expected in result.output


def test_plan_writes_the_draft_pdf_in_japanese_and_stores_the_plan(
    home: GenkiHome, stored: dict[str, Any], tmp_path: Path
) -> None:
    pdf = tmp_path / "plan.pdf"
    result = home.run("--lang", "ja", "programs", "plan", "R001", "--pdf", str(pdf),
                      "--staff", "T01")  # fmt: skip
    assert result.exit_code == 0, result.output
    pages, content = _pdf_text(pdf)
    assert pages >= 1
    today = date.today()  # noqa: DTZ011 - the command uses the local date
    for expected in ("個別機能訓練計画書（案）", "山田 花子", "R001", "要支援2",
                     "長期目標（おおむね3か月）", "短期目標（おおむね1か月）",
                     "立って行う筋力・バランス体操", "レベル3", "週2〜3回",
                     add_months(today, 3).isoformat(), "SPPB 8/12点", "T01"):  # fmt: skip
        assert expected in content, expected
    database = open_database(f"sqlite:///{home.database_file}")
    plans = plans_of(database, stored["hanako"])
    assert [(p.programme, p.level, p.status) for p in plans] == [
        ("standing_strength_balance", 3, "draft"),  # two sessions at target: 2 → 3
    ]  # fmt: skip
    assert plans[0].review_due == add_months(today, 3)
    assert [e.action for e in audit_trail(database, "plan", plans[0].uuid)] == ["plan.drafted"]
    database.close()


def test_plan_in_english_for_an_unassessed_resident(home: GenkiHome, stored: dict[str, Any],
                                                    tmp_path: Path) -> None:  # fmt: skip
    pdf = tmp_path / "plan-en.pdf"
    result = home.run("programs", "plan", "R002", "--pdf", str(pdf))
    assert result.exit_code == 0, result.output
    _pages, content = _pdf_text(pdf)
    for expected in ("Individual functional-training plan (draft)", "佐藤 太郎",
                     "Seated strength exercises", "There is no SPPB yet"):  # fmt: skip
        assert expected in content, expected


def test_a_plan_override_needs_a_reason_and_is_audited(
    home: GenkiHome, stored: dict[str, Any], tmp_path: Path
) -> None:
    pdf = tmp_path / "plan.pdf"
    refused = home.run("programs", "plan", "R001", "--pdf", str(pdf), "--override", "walking:2")
    assert refused.exit_code == 2
    assert "--reason and --staff" in refused.output
    assert not pdf.exists()
    bad = home.run("programs", "plan", "R001", "--pdf", str(pdf), "--override", "walking")
    assert bad.exit_code == 2
    assert "PROGRAMME:LEVEL" in bad.output
    result = home.run("programs", "plan", "R001", "--pdf", str(pdf), "--override", "walking:2",
                      "--reason", "wants to walk to the shop", "--staff", "T02")  # fmt: skip
    assert result.exit_code == 0, result.output
    database = open_database(f"sqlite:///{home.database_file}")
    plan = plans_of(database, stored["hanako"])[-1]
    assert (plan.programme, plan.level) == ("walking", 2)
    events = audit_trail(database, "plan", plan.uuid)
    assert [e.action for e in events] == ["plan.drafted", "plan.override"]
    assert dict(events[1].details) == {
        "resident": stored["hanako"], "reason": "wants to walk to the shop",
        "rules_programme": "standing_strength_balance", "rules_level": 3,
        "programme": "walking", "level": 2,
    }  # fmt: skip
    assert events[1].actor == "T02"
    database.close()
    assert "wants to walk to the shop" in _pdf_text(pdf)[1]


def test_record_writes_every_session_as_pdf_and_csv(
    home: GenkiHome, stored: dict[str, Any], tmp_path: Path
) -> None:
    pdf, table = tmp_path / "record.pdf", tmp_path / "record.csv"
    result = home.run("--lang", "ja", "programs", "record", "R001", "--pdf", str(pdf),
                      "--csv", str(table))  # fmt: skip
    assert result.exit_code == 0, result.output
    pages, content = _pdf_text(pdf)
    assert pages >= 1
    assert "機能訓練実施記録" in content
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["日付", "時間", "内容（実施量）", "担当者", "バイタル",
                       "自覚的運動強度", "痛み", "備考"]  # fmt: skip
    starts = [start.astimezone() for start in stored["sessions"]]  # shown in local time
    assert [row[0] for row in rows[1:]] == [start.date().isoformat() for start in starts]
    first = rows[1]
    assert first[1] == f"{starts[0]:%H:%M}–{starts[0] + timedelta(minutes=25):%H:%M}"
    assert "椅子からの立ち上がり 1×10 実施" in first[2]
    assert first[3:] == ["T01", "問題なし", "12", "なし", "よくできました"]
    for cell in (first[0], "T01", "よくできました"):
        assert cell in content


def test_due_lists_every_resident_with_the_date_of_their_next_assessment(
    home: GenkiHome, stored: dict[str, Any], tmp_path: Path
) -> None:
    pdf, table = tmp_path / "due.pdf", tmp_path / "due.csv"
    result = home.run("programs", "due", "--pdf", str(pdf), "--csv", str(table))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    due = add_months(stored["assessed"], 3)  # the test machine's local day
    assert rows == [
        ["Code", "Name", "Last assessment", "Due", "Status"],
        ["R002", "佐藤 太郎", "", "", "never assessed"],
        ["R001", "山田 花子", stored["assessed"].isoformat(), due.isoformat(), "due soon"],
    ]  # assessed 80 days ago: due in about 12 days, within the 14-day warning
    assert "Reassessment schedule" in _pdf_text(pdf)[1]


def test_a_document_command_needs_an_output_and_a_known_resident(home: GenkiHome) -> None:
    assert home.run("programs", "due").exit_code == 2
    missing = home.run("programs", "record", "R999", "--csv", "x.csv")
    assert missing.exit_code == 2
    assert "R999" in missing.output


def test_plan_csv_has_one_row_per_exercise_and_reads_back(
    home: GenkiHome, stored: dict[str, Any], tmp_path: Path
) -> None:
    table = tmp_path / "plan.csv"
    result = home.run("programs", "plan", "R001", "--csv", str(table), "--staff", "T01")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    listed = json.loads(home.run("programs", "list", "--json").output)
    level_3 = listed["programmes"][1]["levels"][2]["exercises"]
    assert len(rows) == len(level_3)
    first = rows[0]
    assert (first["Code"], first["Resident"], first["Drafted by"]) == ("R001", "山田 花子", "T01")
    assert first["Programme"] == "Standing strength and balance exercises level 3"
    assert first["Long-term goal (about 3 months)"].startswith("Walk safely")
    assert first["Next review"] == add_months(date.today(), 3).isoformat()  # noqa: DTZ011
    assert {row["Part"] for row in rows} == {"Warm-up", "Main part", "Cool-down"}
    assert home.run("programs", "plan", "R001").exit_code == 2  # an output is needed
