"""``genki score chair-stand|tug-plate``: force-plate CSV files scored within 10 ms of the truth."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from genki_home import GenkiHome

from genki.i18n import Language, text
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.human.scenarios import ScenarioSignal, generate
from simulators.pty_runner import PtyRunner

TOLERANCE_S = 0.010
HEADER = "time_s,fl_n,fr_n,bl_n,br_n,fz_n,cop_ml_mm,cop_ap_mm"


def write_plate_csv(
    path: Path, signal: ScenarioSignal, keep: npt.NDArray[np.bool_] | None = None
) -> Path:
    """Write a scenario as ``genki devices read`` writes a plate, rows ``keep`` only."""
    t = np.arange(signal.fz_n.size) / signal.rate_hz
    columns = [t, signal.loads_n, signal.fz_n, signal.cop_ml_mm, signal.cop_ap_mm]
    rows = np.column_stack(columns)[keep if keep is not None else slice(None)]
    np.savetxt(path, rows, fmt="%.6f", delimiter=",", header=HEADER, comments="")
    return path


def score(home: GenkiHome, command: str, path: Path, *extra: str) -> dict[str, object]:
    result = home.run("score", command, "--input", str(path), *extra, "--json")
    assert result.exit_code == 0, result.output
    values: dict[str, object] = json.loads(result.output)
    return values


def test_a_five_times_chair_stand_recorded_from_the_simulated_plate_is_within_10_ms(
    home: GenkiHome, tmp_path: Path
) -> None:
    signal = generate("sit-to-stand", rate_hz=100, duration_s=30, seed=11, event_s=1.5)
    reps = signal.ground_truth.repetitions
    out = tmp_path / "stands.csv"
    with PtyRunner(GkfpPlate(signal, PlateConfig(rate_hz=100)), rate_hz=100) as runner:
        url = f"serial://{runner.path}?protocol=gkfp"
        seconds = f"{reps[4].end_s + 0.5:.1f}"
        result = home.run("devices", "read", url, "--seconds", seconds, "--out", str(out))
    assert result.exit_code == 0, result.output
    scored = score(home, "chair-stand", out)
    assert scored["time_s"] == pytest.approx(reps[4].rise_s - reps[0].onset_s, abs=TOLERANCE_S)
    assert (scored["count"], scored["quality_flags"], scored["rate_hz"]) == (5, [], 100.0)


@pytest.mark.parametrize("frail", [False, True], ids=["robust", "frail"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_chair_stand_files_are_scored_within_10_ms_with_exact_counts(
    home: GenkiHome, tmp_path: Path, seed: int, frail: bool
) -> None:
    signal = generate(
        "sit-to-stand", rate_hz=100, duration_s=45, seed=seed, frail=frail, repetitions=20
    )
    reps = signal.ground_truth.repetitions
    path = write_plate_csv(tmp_path / "stands.csv", signal)
    five = score(home, "chair-stand", path)
    assert five["time_s"] == pytest.approx(reps[4].rise_s - reps[0].onset_s, abs=TOLERANCE_S)
    assert five["stand_times_s"] == pytest.approx(
        np.diff([reps[0].onset_s, *(rep.rise_s for rep in reps[:5])]), abs=TOLERANCE_S
    )
    thirty = score(home, "chair-stand", path, "--test", "thirty-seconds")
    assert thirty["count"] == sum(rep.rise_s <= reps[0].onset_s + 30 for rep in reps)
    assert (thirty["test"], thirty["duration_s"], thirty["quality_flags"]) == (
        "thirty-seconds",
        30.0,
        [],
    )


@pytest.mark.parametrize("frail", [False, True], ids=["robust", "frail"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_tug_files_are_scored_within_10_ms(
    home: GenkiHome, tmp_path: Path, seed: int, frail: bool
) -> None:
    signal = generate("tug", rate_hz=100, duration_s=25, seed=seed, frail=frail)
    (rep,) = signal.ground_truth.repetitions
    scored = score(home, "tug-plate", write_plate_csv(tmp_path / "tug.csv", signal))
    assert scored["time_s"] == pytest.approx(rep.seated_s - rep.onset_s, abs=TOLERANCE_S)
    assert set(scored) == {
        "time_s", "onset_s", "off_plate_s", "back_on_plate_s", "seated_s", "seated_n",
        "standing_n", "quality_flags", "algorithm_version", "rate_hz",
    }  # fmt: skip


def test_dropped_rows_become_flagged_gaps_and_the_times_still_hold(
    home: GenkiHome, tmp_path: Path
) -> None:
    signal = generate("tug", rate_hz=100, duration_s=25, seed=4)
    (rep,) = signal.ground_truth.repetitions
    keep = np.ones(signal.fz_n.size, dtype=bool)
    keep[600:650] = False  # half a second lost while walking
    scored = score(home, "tug-plate", write_plate_csv(tmp_path / "tug.csv", signal, keep))
    assert scored["time_s"] == pytest.approx(rep.seated_s - rep.onset_s, abs=TOLERANCE_S)
    assert scored["quality_flags"] == ["signal_gap"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_readable_summary_speaks_the_chosen_language(
    home: GenkiHome, tmp_path: Path, language: Language
) -> None:
    signal = generate("sit-to-stand", rate_hz=100, duration_s=12, seed=5, repetitions=3)
    path = write_plate_csv(tmp_path / "stands.csv", signal)
    result = home.run("--lang", language, "score", "chair-stand", "--input", str(path))
    assert result.exit_code == 0, result.output
    assert text("plate_tests.flag.fewer_than_five", language) in result.output
    assert text("plate_tests.definitions", language) in result.output
    tug = home.run("--lang", language, "score", "tug-plate", "--input", str(path))
    assert text("plate_tests.flag.stayed_on_plate", language) in tug.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("time_s,force_n\n0,1\n0.01,2\n", "no column 'fz_n'"),
        ("time_s,fz_n\n0,100\n0,100\n", "time_s must increase"),
        ("time_s,fz_n\n0,100\n0.01,100\n0.02,100\n5,100\n", "more than half of the samples"),
        ("time_s,fz_n\n0,100\n0.01,2e7\n0.02,100\n", "cannot be scored"),
    ],
    ids=["missing-column", "time-order", "gaps", "out-of-range"],
)
def test_bad_files_exit_with_code_2_and_say_why(
    home: GenkiHome, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    for command in ("chair-stand", "tug-plate"):
        result = home.run("--lang", "en", "score", command, "--input", str(path))
        assert result.exit_code == 2
        assert message in result.output
