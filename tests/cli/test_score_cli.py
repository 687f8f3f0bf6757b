"""``genki score sway|romberg`` and ``genki bench sway`` as an operator uses them."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result
from genki_home import GenkiHome

from measures.results import SWAY_JSON_KEYS

BDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "bds"
needs_bds = pytest.mark.skipif(
    not BDS.exists(), reason="../shared/data is not beside this checkout"
)
BDS_OPTIONS = ["--rate", "100", "--ap", "COPx[cm]", "--ml", "COPy[cm]", "--unit", "cm"]


def _write_trial(path: Path, *, delimiter: str = ",", samples: int = 1200, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    ml, ap = np.cumsum(rng.normal(size=(2, samples)), axis=1) * 0.001  # metres
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["time_s", "cop_ml_m", "cop_ap_m"])
        writer.writerows(zip(np.arange(samples) / 20, ml, ap, strict=True))
    return path


def _sway(home: GenkiHome, path: Path, *extra: str) -> Result:
    return home.run(
        "score", "sway", "--input", str(path), "--rate", "20", "--ml", "cop_ml_m",
        "--ap", "cop_ap_m", "--unit", "m", *extra,
    )  # fmt: skip


def test_sway_json_has_exactly_the_documented_keys(home: GenkiHome, tmp_path: Path) -> None:
    result = _sway(home, _write_trial(tmp_path / "trial.csv"), "--json")
    assert result.exit_code == 0, result.output
    values = json.loads(result.stdout)
    assert tuple(values) == SWAY_JSON_KEYS
    assert (values["samples"], values["rate_hz"], values["filter"]) == (1200, 20.0, "none")
    assert values["duration_s"] == pytest.approx(1199 / 20)


def test_semicolon_and_tab_files_and_the_filter_option_are_read(
    home: GenkiHome, tmp_path: Path
) -> None:
    comma = json.loads(_sway(home, _write_trial(tmp_path / "a.csv"), "--json").stdout)
    for delimiter, name in ((";", "b.csv"), ("\t", "c.tsv")):
        path = _write_trial(tmp_path / name, delimiter=delimiter)
        assert json.loads(_sway(home, path, "--json").stdout) == comma
    resampled = _sway(home, tmp_path / "a.csv", "--filter", "resample20", "--json")
    assert json.loads(resampled.stdout)["filter"] == "resample20"


def test_sway_without_json_prints_a_readable_summary(home: GenkiHome, tmp_path: Path) -> None:
    result = _sway(home, _write_trial(tmp_path / "trial.csv"))
    assert result.exit_code == 0, result.output
    assert "1200 samples at 20 Hz" in result.stdout
    assert "ellipse95_area_mm2" in result.stdout
    assert "Spectral features depend on the estimator set-up" in result.stdout


@needs_bds
def test_a_bds_file_is_read_directly_and_reproduces_the_published_area(home: GenkiHome) -> None:
    trial = str(BDS / "BDS00098.txt")
    result = home.run("score", "sway", "--input", trial, *BDS_OPTIONS, "--json")
    assert result.exit_code == 0, result.output
    values = json.loads(result.stdout)
    assert values["ellipse95_area_mm2"] / 100 == pytest.approx(0.9226216509891709, rel=1e-6)
    assert values["samples"] == 6000


@needs_bds
def test_romberg_prints_the_ratios_of_a_bds_pair(home: GenkiHome) -> None:
    eo, ec = str(BDS / "BDS00072.txt"), str(BDS / "BDS00071.txt")
    result = home.run("score", "romberg", "--eo", eo, "--ec", ec, *BDS_OPTIONS, "--json")
    assert result.exit_code == 0, result.output
    ratios = json.loads(result.stdout)
    assert ratios["ellipse95_area_ratio"] == pytest.approx(1.295432269663526 / 0.8198687259061085)
    assert round(ratios["mean_velocity_ratio"], 3) == 1.609
    assert {"envelope_area_ratio", "path_length_ratio", "rate_hz", "filter"} <= set(ratios)
    text = home.run("score", "romberg", "--eo", eo, "--ec", ec, *BDS_OPTIONS)
    assert "envelope_area_ratio" in text.stdout


def test_a_missing_column_lists_the_available_ones(home: GenkiHome, tmp_path: Path) -> None:
    path = _write_trial(tmp_path / "trial.csv")
    result = home.run(
        "score", "sway", "--input", str(path), "--rate", "20", "--ml", "cop_x", "--ap",
        "cop_ap_m", "--unit", "m",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no column 'cop_x'" in result.output
    assert "'time_s', 'cop_ml_m', 'cop_ap_m'" in result.output


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("abc", "line 5, column 'cop_ap_m': 'abc' is not a number"),
     ("", "line 5, column 'cop_ap_m': '' is not a number"),
     ("nan", "line 5, column 'cop_ap_m': 'nan' is not a finite number")],
)  # fmt: skip
def test_a_bad_cell_is_named_by_line_and_column(
    home: GenkiHome, tmp_path: Path, cell: str, expected: str
) -> None:
    path = _write_trial(tmp_path / "trial.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = lines[4].split(",")
    lines[4] = ",".join([*fields[:2], cell])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _sway(home, path, "--json")
    assert result.exit_code == 2
    assert expected in result.output


def test_too_few_samples_and_missing_files_exit_with_code_2(
    home: GenkiHome, tmp_path: Path
) -> None:
    short = _sway(home, _write_trial(tmp_path / "short.csv", samples=5), "--json")
    assert short.exit_code == 2
    assert "5 samples given; expected at least 10" in short.output
    missing = _sway(home, tmp_path / "nope.csv", "--json")
    assert missing.exit_code == 2
    assert "nope.csv: cannot be read" in missing.output


def test_romberg_of_a_flat_eyes_open_trial_prints_null_ratios(
    home: GenkiHome, tmp_path: Path
) -> None:
    flat = tmp_path / "flat.csv"
    flat.write_text("cop_ml_m,cop_ap_m\n" + "0,0\n" * 50, encoding="utf-8")
    moving = _write_trial(tmp_path / "moving.csv", samples=50)
    result = home.run(
        "score", "romberg", "--eo", str(flat), "--ec", str(moving), "--rate", "20", "--ml",
        "cop_ml_m", "--ap", "cop_ap_m", "--unit", "m", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ratios = json.loads(result.stdout)
    assert ratios["envelope_area_ratio"] is None
    assert "undefined_ratio" in ratios["quality_flags"]
    assert not any(isinstance(v, float) and math.isnan(v) for v in ratios.values())


def test_bench_sway_prints_its_figures_as_json(home: GenkiHome) -> None:
    result = home.run("bench", "sway", "--repeats", "1", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures) == {"score_60s_1khz_ms", "stream_update_ms"}
    assert all(value > 0 for value in figures.values())
