"""``ble+sim://`` URLs: an emulated peripheral read through the real BLE driver."""

from __future__ import annotations

import json

from genki_home import GenkiHome


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
