"""``ble+sim://`` URLs: an emulated peripheral read through the real BLE driver."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from genki_home import GenkiHome

from devices.frames import VitalsReading
from devices.url import parse_device_url
from genki.simulated_devices import open_simulated_ble
from simulators.human.grip import grip_trial


def test_a_heart_rate_strap_is_read_as_json_lines(home: GenkiHome) -> None:
    result = home.run("devices", "read", "ble+sim://heart-rate?bpm=80", "--seconds", "1.5")
    assert result.exit_code == 0, result.output
    readings = [json.loads(line) for line in result.stdout.splitlines()]
    assert readings
    assert {(r["kind"], r["heart_rate_bpm"]) for r in readings} == {("heart_rate", 80)}


def test_unknown_devices_and_parameters_are_named(home: GenkiHome) -> None:
    result = home.run("devices", "read", "ble+sim://toaster")
    assert result.exit_code == 2
    assert "no emulated BLE device 'toaster'; expected one of" in result.output
    result = home.run("devices", "read", "ble+sim://heart-rate?bpm=fast")
    assert result.exit_code == 2
    assert "bpm='fast'" in result.output
    result = home.run("devices", "read", "ble+sim://heart-rate?colour=red")
    assert result.exit_code == 2
    assert "unknown option 'colour'" in result.output


def test_a_cuff_sends_cuff_pressures_then_the_result_it_was_given(home: GenkiHome) -> None:
    url = "ble+sim://blood-pressure?systolic=142&diastolic=88&pulse=77&inflation_s=0.5"
    result = home.run("devices", "read", url, "--seconds", "10")
    assert result.exit_code == 0, result.output
    readings = [json.loads(line) for line in result.stdout.splitlines()]
    assert {r["kind"] for r in readings[:-1]} == {"cuff_pressure"}
    assert max(r["cuff_pressure_mmhg"] for r in readings[:-1]) > 142 + 30
    final = readings[-1]
    assert (final["kind"], final["systolic_mmhg"], final["diastolic_mmhg"]) == (
        "blood_pressure",
        142.0,
        88.0,
    )
    assert final["pulse_rate_bpm"] == 77.0


def test_oximeter_thermometer_and_scale_give_their_values(home: GenkiHome) -> None:
    for url, key, value in [
        ("ble+sim://pulse-oximeter?spo2=95&count=1", "spo2_pct", 95.0),
        ("ble+sim://thermometer?temperature_c=37.2", "temperature_c", 37.2),
        ("ble+sim://weight-scale?weight_kg=48.35", "weight_kg", 48.35),
    ]:
        result = home.run("devices", "read", url, "--seconds", "10")
        assert result.exit_code == 0, result.output
        final = json.loads(result.stdout.splitlines()[-1])
        assert final[key] == pytest.approx(value, abs=1e-6)


def test_garbage_from_a_device_is_counted_and_dropped(home: GenkiHome) -> None:
    # With seed 1 all three random values are too short to be a weight measurement.
    url = "ble+sim://weight-scale?weight_kg=60&garbage=3&seed=1"
    result = home.run("devices", "read", url, "--seconds", "10", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stderr.splitlines()[-1])["parse_failures"] == 3
    assert [json.loads(line)["weight_kg"] for line in result.stdout.splitlines()] == [60.0]


def test_a_grip_trial_recorded_from_the_emulated_gauge_is_scored(
    home: GenkiHome, tmp_path: Path
) -> None:
    trial = tmp_path / "g.csv"
    url = "ble+sim://progressor?scenario=grip-max&seed=3&speed=4"
    result = home.run("devices", "read", url, "--seconds", "8", "--out", str(trial))
    assert result.exit_code == 0, result.output
    assert trial.read_text().splitlines()[0] == "time_s,force_kgf,force_n"
    scored = home.run("score", "grip", "--input", str(trial), "--sex", "F", "--json")
    assert scored.exit_code == 0, scored.output
    peak = json.loads(scored.output)["trials"][0]["peak_kgf"]
    truth = grip_trial("grip-max", seed=3).truth.peak_kgf
    assert abs(peak - truth) <= 0.1


def test_a_device_asked_to_measure_every_few_seconds_measures_again(home: GenkiHome) -> None:
    """The emulated thermometer through the real driver: each measurement is a reading."""
    url = "ble+sim://thermometer?temperature_c=36.8&every_s=0.3"
    device = open_simulated_ble(parse_device_url(url), None)
    readings: list[VitalsReading] = []
    device.start(lambda frame: readings.append(frame) if isinstance(frame, VitalsReading) else None)
    try:
        deadline = time.monotonic() + 15
        while len(readings) < 3:
            assert time.monotonic() < deadline, f"{len(readings)} readings"
            time.sleep(0.05)
    finally:
        device.stop()
    assert [r.measurement.temperature_c for r in readings[:3]] == [pytest.approx(36.8)] * 3
    refused = home.run("devices", "read", "ble+sim://thermometer?every_s=-1")
    assert refused.exit_code == 2
    assert "every_s=-1" in refused.output
    assert "expected 0 or more" in refused.output
