"""``genki battery score FILE.json`` scores each battery; bad files and values exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from genki_home import GenkiHome

WOMAN = {"sex": "F", "age_years": 72}
DOCUMENTS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "sppb": (
        {"side_by_side_s": 10, "semi_tandem_s": 10, "tandem_s": 5.2, "gait_4m_s": [5.3, 5.1],
         "chair_stand_single_ok": True, "chair_stand_5x_s": 12.5},
        {"balance_points": 3, "gait_points": 3, "chair_points": 3, "total": 9,
         "band": "intermediate"},
    ),
    "awgs2019": (
        {"grip_kg": 17.0, "gait_speed_m_s": 0.8, "smi_kg_m2": 5.6, "smi_method": "bia"},
        {"status": "severe_sarcopenia", "low_strength": True, "low_performance": True,
         "low_muscle_mass": True},
    ),
    "mext65": (
        {"adl_answers": [3] * 12, "grip_kg": 22, "sit_ups": 9, "sit_and_reach_cm": 40,
         "one_leg_stance_s": 120, "obstacle_walk_10m_s": 7.3, "walk_6min_m": 530},
        {"adl_total": 36, "total_points": 40, "grade": "B", "table_status": "UNVERIFIED",
         "item_points": {"grip_kg": 6, "sit_ups": 6, "sit_and_reach_cm": 6,
                         "one_leg_stance_s": 10, "obstacle_walk_10m_s": 6, "walk_6min_m": 6}},
    ),
    "fall_risk": (
        {"tug_s": 13.5, "one_leg_stance_s": 4.0, "functional_reach_cm": 20},
        {"tug_higher_fall_risk": True, "one_leg_injurious_fall_risk": True,
         "functional_reach_cm": 20.0},
    ),
    "kihon_checklist": (
        {"answers": [n in (6, 7, 8, 16) for n in range(1, 26)]},
        {"total": 4, "jigyo_taishosha": True, "criteria_met": [2, 5], "frailty_band": "pre_frail"},
    ),
    "stabilometry": (
        {"eyes_open": {"duration_s": 60, "path_length_cm": 80, "envelope_area_cm2": 2.0},
         "eyes_closed": {"duration_s": 60, "path_length_cm": 120, "envelope_area_cm2": 5.0}},
        {"romberg": {"envelope_area": 2.5, "path_length": 1.5, "mean_velocity": 1.5,
                     "rect_area": None, "rms_area": None},
         "romberg_primary": "envelope_area", "quality_flags": [], "table_status": "PARTIAL"},
    ),
}  # fmt: skip


def _file(home: GenkiHome, document: object, name: str = "battery.json") -> str:
    path = home.root / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("battery", list(DOCUMENTS))
def test_each_battery_scores_as_json(home: GenkiHome, battery: str) -> None:
    results, expected = DOCUMENTS[battery]
    document = {"battery": battery, "resident": WOMAN, "results": results}
    result = home.run("battery", "score", _file(home, document), "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert (printed["battery"], printed["resident"]) == (battery, WOMAN)
    assert expected.items() <= printed.items()
    assert printed["tables"]
    assert all({"id", "source", "status"} <= table.keys() for table in printed["tables"])


def test_the_text_summary_shows_the_mext_table_status_and_sources(home: GenkiHome) -> None:
    results, _ = DOCUMENTS["mext65"]
    path = _file(home, {"battery": "mext65", "resident": WOMAN, "results": results})
    output = home.run("battery", "score", path).output
    assert output.startswith("MEXT fitness test, ages 65–79")
    assert "Grade (A–E): B" in output
    assert "Status of the tables used" in output
    assert "Source mext65_points: 文部科学省" in output
    japanese = home.run("--lang", "ja", "battery", "score", path).output
    assert "総合評価（A〜E）: B" in japanese
    assert "未確認" in japanese


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ({"grip_kg": 300}, "results.grip_kg = 300: expected a number from 0 to 100 kg"),
        ({"grip_kg": "strong"}, 'results.grip_kg = "strong": expected a number from 0 to 100 kg'),
        ({"grip_kg": 20, "chair_stand_5x_s": -1},
         "results.chair_stand_5x_s = -1: expected a number from 2 to 300 s"),
        ({"grip_kg": 20, "sarc_f": 2.5},
         "results.sarc_f = 2.5: expected a whole number from 0 to 10 points"),
    ],
)  # fmt: skip
def test_bad_values_exit_2_naming_the_field_and_range(
    home: GenkiHome, results: dict[str, Any], message: str
) -> None:
    path = _file(home, {"battery": "awgs2019", "resident": WOMAN, "results": results})
    result = home.run("battery", "score", path)
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"battery": "tug", "resident": WOMAN, "results": {}},
         "expected one of sppb, awgs2019, mext65, fall_risk, kihon_checklist, stabilometry"),
        ({"battery": "sppb", "resident": {"sex": "X", "age_years": 70}, "results": {}},
         'resident.sex = "X": expected one of M, F'),
        ({"battery": "sppb", "resident": {"sex": "F", "age_years": -3}, "results": {}},
         "resident.age_years = -3: expected a whole number from 18 to 125 years"),
        ({"battery": "sppb", "resident": WOMAN}, "results = null: a value is required"),
        ({"battery": "kihon_checklist", "resident": WOMAN, "results": {"answers": [True] * 3}},
         "results.answers = [true, true, true]: expected a list of 25 values"),
        ([1, 2], "expected a JSON object with battery, resident and results"),
    ],
)  # fmt: skip
def test_bad_documents_exit_2(home: GenkiHome, document: object, message: str) -> None:
    result = home.run("battery", "score", _file(home, document))
    assert result.exit_code == 2
    assert message in result.output


def test_a_missing_or_broken_file_exits_2(home: GenkiHome, tmp_path: Path) -> None:
    missing = home.run("battery", "score", str(tmp_path / "none.json"))
    assert (missing.exit_code, "cannot be read" in missing.output) == (2, True)
    broken = tmp_path / "broken.json"
    broken.write_text("{battery: sppb", encoding="utf-8")
    result = home.run("battery", "score", str(broken))
    assert (result.exit_code, "not a JSON file" in result.output) == (2, True)
