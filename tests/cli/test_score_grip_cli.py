"""``genki score grip`` as an operator uses it: a force-time CSV in, scores and rules out."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result
from genki_home import GenkiHome

from simulators.human.grip import grip_trial

TRIALS = (("R", "1", 22.3), ("L", "1", 19.6), ("R", "2", 23.1), ("L", "2", 20.2))


def _write_trials(path: Path, trials: tuple[tuple[str, str, float], ...] = TRIALS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["hand", "trial", "time_s", "force_kgf"])
        for seed, (hand, trial, peak) in enumerate(trials):
            signal = grip_trial("grip-max", seed=seed, peak_kgf=peak)
            writer.writerows(
                (hand, trial, f"{t:.4f}", f"{f:.4f}")
                for t, f in zip(signal.time_s, signal.force_kgf, strict=True)
            )
    return path


def _grip(home: GenkiHome, path: Path, *extra: str) -> Result:
    return home.run("score", "grip", "--input", str(path), *extra)


def test_a_file_of_four_trials_gives_scores_rules_and_provenance_as_json(
    home: GenkiHome, tmp_path: Path
) -> None:
    result = _grip(home, _write_trials(tmp_path / "grip.csv"), "--sex", "F", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [(t["hand"], t["trial"]) for t in document["trials"]] == [
        ("right", "1"), ("left", "1"), ("right", "2"), ("left", "2"),
    ]  # fmt: skip
    peaks = [t["peak_kgf"] for t in document["trials"]]
    assert peaks == pytest.approx([peak for _, _, peak in TRIALS], abs=0.1)
    left, right = document["best_kg"]["left"], document["best_kg"]["right"]
    assert (left, right) == (max(peaks[1], peaks[3]), max(peaks[0], peaks[2]))
    assert document["mext"]["recorded_kg"] == int(np.floor((left + right) / 2 + 0.5))
    assert document["mext"]["table"]["status"] == "UNVERIFIED"
    assert document["awgs"]["max_kg"] == max(peaks)
    assert document["awgs_rating"]["low"] is False
    assert document["awgs_rating"]["table"]["source"].startswith("Chen L-K")
    assert document["asymmetry_pct"] == pytest.approx(100 * (right - left) / right)
    assert document["trials"][0]["definitions_status"] == "UNVERIFIED"


def test_a_single_trial_without_hand_or_trial_columns_is_scored(
    home: GenkiHome, tmp_path: Path
) -> None:
    signal = grip_trial("grip-max", seed=5, peak_kgf=26.0)
    path = tmp_path / "one.csv"
    rows = zip(signal.time_s, signal.force_kgf, strict=True)
    path.write_text("time_s,force_kgf\n" + "".join(f"{t},{f}\n" for t, f in rows), "utf-8")
    result = _grip(home, path, "--sex", "M", "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["trials"][0]["hand"] is None
    assert document["trials"][0]["peak_kgf"] == pytest.approx(26.0, abs=0.1)
    assert document["mext"]["missing"] == "both_hands_needed"
    assert document["awgs"]["missing"] == "too_few_trials"
    assert document["awgs_rating"] is None


def test_text_output_is_japanese_by_default(home: GenkiHome, tmp_path: Path) -> None:
    home.config_file.write_text(
        home.config_file.read_text(encoding="utf-8").replace('language = "en"', ""),
        encoding="utf-8",
    )
    result = _grip(home, _write_trials(tmp_path / "grip.csv"), "--sex", "M")
    assert result.exit_code == 0, result.output
    assert "右 1回目: 最大 22.3 kg" in result.stdout
    assert "文部科学省 新体力テスト 握力: 22 kg" in result.stdout
    assert "AWGS 2019 判定（男性、28.0 kg 未満で低下）: 握力低下あり（確認済み）" in result.stdout
    assert "未検証" in result.stdout
    english = home.run("--lang", "en", "score", "grip", "--input", str(tmp_path / "grip.csv"))
    assert "right trial 1: peak 22.3 kg" in english.stdout
    assert "MEXT fitness test grip: 22 kg" in english.stdout


def test_flags_are_named_in_the_text_output(home: GenkiHome, tmp_path: Path) -> None:
    path = tmp_path / "unloaded.csv"
    path.write_text("time_s,force_kgf\n" + "".join(f"{i / 80},0.01\n" for i in range(100)))
    result = _grip(home, path)
    assert result.exit_code == 0, result.output
    assert "quality: no squeeze detected" in result.stdout
    assert "not used by the rules" in result.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("time,force_kgf\n0,1\n", "no column 'time_s'"),
        ("time_s,force_kgf\n", "no data rows"),
        ("time_s,force_kgf\n0,1\n0.1,abc\n", "line 3, column 'force_kgf': 'abc' is not a number"),
        ("time_s,force_kgf\n0,1\n0.1,inf\n", "line 3, column 'force_kgf': 'inf' is not a number"),
        ("time_s,force_kgf\n0,1\n0.2,2\n0.1,3\n", "line 4: time_s 0.1 is not after"),
        ("hand,time_s,force_kgf\nright,0,1\nmiddle,0.1,2\n", "line 3, column 'hand': 'middle'"),
        ("hand,trial,time_s,force_kgf\nL,,0,1\n", "line 2, column 'trial': the trial is empty"),
        ("time_s,force_kgf\n0,1\n0.1,2\n", "cannot be scored (2 samples given; expected at"),
    ],
)
def test_bad_files_are_refused_with_line_column_and_what_is_expected(
    home: GenkiHome, tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    result = _grip(home, path, "--json")
    assert result.exit_code == 2
    assert expected in result.output


def test_time_may_restart_for_each_trial_but_must_increase_within_one(
    home: GenkiHome, tmp_path: Path
) -> None:
    rows = "".join(f"{hand},{i / 80},{5 + i % 7}\n" for hand in "LR" for i in range(40))
    path = tmp_path / "two.csv"
    path.write_text("hand,time_s,force_kgf\n" + rows, encoding="utf-8")
    assert _grip(home, path, "--json").exit_code == 0


def test_a_missing_file_exits_with_code_2(home: GenkiHome, tmp_path: Path) -> None:
    result = _grip(home, tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "nope.csv: cannot be read" in result.output
