"""A walk timed through the command line: the simulated Chronopic recorded, then scored."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from genki_home import GenkiHome

from simulators.human.walk import walk_through_gates
from simulators.pty_runner import PtyRunner
from simulators.timer.chronopic import beam_box


def record_walk(home: GenkiHome, out: Path, gates: tuple[float, ...], seed: int) -> float:
    walk = walk_through_gates(seed=seed, gate_positions_m=gates, speed_m_s=1.2, start_s=0.3)
    with PtyRunner(beam_box(walk.changes, seed=seed)) as runner:
        url = f"serial://{runner.path}?protocol=chronopic"
        seconds = f"{walk.changes[-1][0] + 0.4:.2f}"
        result = home.run("devices", "read", url, "--seconds", seconds, "--out", str(out))
    assert result.exit_code == 0, result.output
    return walk.truth.walking_time_s


def test_a_recorded_walk_is_scored_within_10_ms(home: GenkiHome, tmp_path: Path) -> None:
    events = tmp_path / "walk.csv"
    truth_s = record_walk(home, events, (0.0, 2.4), seed=4)
    assert events.read_text().splitlines()[0].startswith("seq,state,dt_us,device_time_us")
    result = home.run("score", "gait", "--input", str(events), "--gates", "0,2.4", "--json")
    assert result.exit_code == 0, result.output
    scored = json.loads(result.output)
    assert scored["valid"]
    assert scored["total_time_s"] == pytest.approx(truth_s, abs=0.010)
    assert scored["mean_speed_m_s"] == pytest.approx(2.4 / truth_s, rel=0.01)


def test_a_hand_timed_tug_and_a_six_minute_walk(home: GenkiHome, tmp_path: Path) -> None:
    presses = tmp_path / "tug.csv"
    presses.write_text("seq,state,device_time_us\n0,1,0\n1,0,11840000\n")
    result = home.run("score", "tug", "--input", str(presses), "--json")
    assert json.loads(result.output)["time_s"] == pytest.approx(11.84)
    # start crossing at 0 s, laps at 60 s and 125 s (each beam cut 0.4 s), 20 m laps + 7.5 m
    laps = tmp_path / "laps.csv"
    rows = [
        (1, 0),
        (0, 400_000),
        (1, 60_000_000),
        (0, 60_400_000),
        (1, 125_000_000),
        (0, 125_400_000),
    ]
    laps.write_text(
        "state,device_time_us,first,saturated,after_gap\n"
        + "".join(f"{s},{t},0,0,0\n" for s, t in rows)
    )
    result = home.run(
        "score", "six-minute-walk", "--input", str(laps), "--lap-length", "20",
        "--final-partial", "7.5", "--protocol", "mext_usual_pace", "--json",
    )  # fmt: skip
    walk = json.loads(result.output)
    assert (walk["laps"], walk["distance_m"]) == (2, 47.5)


def test_bad_gates_are_named(home: GenkiHome, tmp_path: Path) -> None:
    events = tmp_path / "e.csv"
    events.write_text("state,device_time_us,first,saturated,after_gap\n1,0,1,0,0\n")
    result = home.run("score", "gait", "--input", str(events), "--gates", "4,0")
    assert result.exit_code == 2
    assert "expected two or more gate positions" in result.output


def test_the_standalone_timer_simulator_is_timed_within_10_ms(
    home: GenkiHome, tmp_path: Path
) -> None:
    command = [
        sys.executable, "-m", "genki", "simulate", "timer", "--gates", "0,2", "--speed", "1.2",
        "--start-s", "1.0", "--seed", "7", "--duration", "5",
    ]  # fmt: skip
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as sim:
        assert sim.stdout is not None
        url = sim.stdout.readline().strip()
        events = tmp_path / "walk.csv"
        result = home.run("devices", "read", url, "--seconds", "3.5", "--out", str(events))
        assert result.exit_code == 0, result.output
        _, stderr = sim.communicate(timeout=15)
    truth_s = float(re.search(r"walking time ([0-9.]+) s", stderr).group(1))  # type: ignore[union-attr]
    scored = home.run("score", "gait", "--input", str(events), "--gates", "0,2", "--json")
    assert json.loads(scored.output)["total_time_s"] == pytest.approx(truth_s, abs=0.010)
