"""Device calibrations are stored per serial number; the newest one applies; changes are audited."""

from __future__ import annotations

from records import Database
from records.audit import audit_trail
from records.devices import DeviceRepository


def test_the_latest_calibration_of_a_device_is_returned(database: Database) -> None:
    devices = DeviceRepository(database)
    assert devices.latest_calibration("GK-0001") is None
    devices.save_calibration("GK-0001", kind="force_plate", parameters={"slopes": [1.0]}, actor="t")
    devices.save_calibration("GK-0001", kind="force_plate", parameters={"slopes": [2.0]}, actor="t")
    devices.save_calibration("GK-0002", kind="force_plate", parameters={"slopes": [3.0]}, actor="t")
    latest = devices.latest_calibration("GK-0001")
    assert latest is not None
    assert latest.parameters == {"slopes": [2.0]}
    assert latest.calibrated_at.tzinfo is not None
    assert [e.action for e in audit_trail(database, "device", "GK-0001")] == [
        "device.calibrate"
    ] * 2
