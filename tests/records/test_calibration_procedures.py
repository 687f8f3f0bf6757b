"""A device's calibrations may name their procedure; the newest of one procedure can be read."""

from __future__ import annotations

from records import Database
from records.devices import DeviceRepository


def test_the_latest_calibration_of_a_procedure_skips_other_procedures(database: Database) -> None:
    devices = DeviceRepository(database)
    save = devices.save_calibration
    save("GK-0001", kind="force_plate", parameters={"procedure": "known_weight", "n": 1}, actor="t")
    save("GK-0001", kind="force_plate", parameters={"procedure": "zero", "n": 2}, actor="t")
    save("GK-0001", kind="force_plate", parameters={"n": 3}, actor="t")
    save("GK-0002", kind="force_plate", parameters={"procedure": "known_weight"}, actor="t")
    known_weight = devices.latest_calibration("GK-0001", procedure="known_weight")
    assert known_weight is not None
    assert known_weight.parameters == {"procedure": "known_weight", "n": 1}
    latest = devices.latest_calibration("GK-0001")
    assert latest is not None
    assert latest.parameters == {"n": 3}
    assert devices.latest_calibration("GK-0003", procedure="known_weight") is None
