"""``genki simulate forceplate`` and ``genki devices read`` together, as a trainer uses them."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from genki_home import GenkiHome

from records import open_database
from records.devices import DeviceRepository


@pytest.fixture
def simulator(request: pytest.FixtureRequest) -> Iterator[str]:
    extra: list[str] = getattr(request, "param", [])
    process = subprocess.Popen(
        [sys.executable, "-m", "genki", "simulate", "forceplate", "--seed", "4", "--duration", "30",
         *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )  # fmt: skip
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_reading_a_simulated_plate_writes_csv_and_an_honest_summary(
    home: GenkiHome, simulator: str, tmp_path: Path
) -> None:
    assert simulator.startswith("serial://")
    assert simulator.endswith("?protocol=gkfp")
    out = tmp_path / "plate.csv"
    result = home.run("devices", "read", simulator, "--seconds", "2", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert summary["samples"] + summary["missing_samples"] == 2000
    assert summary["crc_errors"] == 0
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == [
        "time_s",
        "fl_n",
        "fr_n",
        "bl_n",
        "br_n",
        "fz_n",
        "cop_ml_mm",
        "cop_ap_mm",
    ]
    assert len(rows) == summary["samples"]
    assert float(rows[0]["fz_n"]) == pytest.approx(60 * 9.80665, abs=0.01)


@pytest.mark.parametrize("simulator", [["--faults", "crc=2"]], indirect=True)
def test_injected_crc_errors_appear_in_the_summary(home: GenkiHome, simulator: str) -> None:
    result = home.run("devices", "read", simulator, "--seconds", "2", "--json")
    assert result.stdout.splitlines()[0].startswith("time_s,")
    summary = json.loads(result.stderr.strip().splitlines()[-1])
    assert summary["crc_errors"] == 2
    assert summary["missing_samples"] == 20


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("serial:///dev/genki-none?protocol=gkfp", "cannot open serial port"),
        ("serial:///dev/ttyACM0?protocol=wii", "known device URLs"),
        ("ttyACM0", "has no scheme"),
    ],
)
def test_bad_device_urls_are_clear_errors(home: GenkiHome, url: str, message: str) -> None:
    result = home.run("devices", "read", url, "--seconds", "1")
    assert result.exit_code in (1, 2)
    assert message in result.output


def test_bad_fault_specs_are_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "genki", "simulate", "forceplate", "--faults", "crc=x"],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "for example crc=3" in result.stderr


@pytest.mark.parametrize("simulator", [["--scenario", "step-on-off"]], indirect=True)
def test_zeroing_an_empty_plate_stores_offsets_that_later_reads_use(
    home: GenkiHome, simulator: str
) -> None:
    result = home.run("devices", "zero", simulator)
    assert result.exit_code == 0, result.output
    assert "GKFP-SIM0001 zeroed" in result.output
    database = open_database(f"sqlite:///{home.database_file}")
    devices = DeviceRepository(database)
    stored = devices.latest_calibration("GKFP-SIM0001")
    assert stored is not None
    assert stored.parameters["offsets"] == pytest.approx([-12.5, 3.25, 0.0, -7.75], abs=1e-3)
    shifted = {**stored.parameters, "offsets": [v + 10.0 for v in stored.parameters["offsets"]]}
    devices.save_calibration("GKFP-SIM0001", kind="force_plate", parameters=shifted, actor="test")
    database.close()
    read = home.run("devices", "read", simulator, "--seconds", "0.5")
    first_row = read.stdout.splitlines()[1].split(",")
    assert float(first_row[5]) == pytest.approx(40.0, abs=0.01)  # empty plate + 4 × 10 N


def test_zeroing_refuses_a_plate_with_someone_on_it(home: GenkiHome, simulator: str) -> None:
    result = home.run("devices", "zero", simulator)
    assert result.exit_code == 2
    assert "step off the plate" in result.output
