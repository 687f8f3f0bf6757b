"""``genki score sway | romberg`` on recorded files, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from genki_home import GenkiHome

BDS = Path(__file__).resolve().parents[3] / "shared" / "data" / "bds"
OPTIONS = ["--rate", "100", "--ap", "COPx[cm]", "--ml", "COPy[cm]", "--unit", "cm", "--json"]
needs_data = pytest.mark.skipif(
    not BDS.exists(), reason="../shared/data is not beside this checkout"
)


@needs_data
def test_score_sway_prints_the_published_ellipse_area(home: GenkiHome) -> None:
    result = home.run("score", "sway", "--input", str(BDS / "BDS00098.txt"), *OPTIONS)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["ellipse95_area_mm2"] / 100 == pytest.approx(0.9226216509891709, rel=1e-6)
    assert summary["samples"] == 6000
    assert summary["filter"] == "none"


@needs_data
def test_score_romberg_prints_ratios(home: GenkiHome) -> None:
    result = home.run(
        "score", "romberg", "--eo", str(BDS / "BDS00098.txt"), "--ec", str(BDS / "BDS00101.txt"),
        *OPTIONS,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ratios = json.loads(result.output)
    assert ratios["romberg_ellipse95_area"] == pytest.approx(
        0.9946389110157955 / 0.9226216509891709, rel=1e-6
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b\n1,2\n", "column 'COPy[cm]' is not in"),
        ("COPx[cm],COPy[cm]\n1,2\n1,x\n", "line 3, column 'COPy[cm]'"),
        ("COPx[cm],COPy[cm]\n1,2\nnan,2\n", "is not a finite number"),
        ("COPx[cm],COPy[cm]\n1,2\n3,4\n", "expected at least 10"),
        ("", "is empty"),
    ],
)
def test_bad_files_name_the_problem_and_exit_2(
    home: GenkiHome, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "cop.csv"
    path.write_text(content, encoding="utf-8")
    result = home.run("score", "sway", "--input", str(path), *OPTIONS)
    assert result.exit_code == 2
    assert message in result.output


def test_bench_sway_prints_its_figures(home: GenkiHome) -> None:
    result = home.run("bench", "sway", "--repeats", "2", "--json")
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output.splitlines()[-1])) == {
        "score_60s_1khz_ms",
        "stream_update_ms",
    }
