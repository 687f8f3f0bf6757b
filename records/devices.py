"""Devices and their calibrations, keyed by the device's serial number; the latest one applies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from records import models
from records.audit import add_audit_event
from records.database import Database


@dataclass(frozen=True, slots=True)
class Calibration:
    """One stored calibration of a device (parameters as the device package defines them)."""

    serial_number: str
    calibrated_at: datetime
    parameters: Mapping[str, Any]


class DeviceRepository:
    """Devices known to this station and their calibrations."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def save_calibration(
        self, serial_number: str, *, kind: str, parameters: Mapping[str, Any], actor: str
    ) -> Calibration:
        """Store a new calibration (registering the device on first use); audited."""
        with self._database.transaction() as session:
            device = session.scalar(
                select(models.Device).where(models.Device.serial_number == serial_number)
            )
            if device is None:
                device = models.Device(serial_number=serial_number, kind=kind)
                session.add(device)
                session.flush()
            row = models.DeviceCalibration(device_id=device.id, parameters=dict(parameters))
            session.add(row)
            session.flush()
            add_audit_event(
                session,
                actor=actor,
                action="device.calibrate",
                entity="device",
                entity_id=serial_number,
                details=dict(parameters),
            )
            return Calibration(serial_number, row.calibrated_at, dict(row.parameters))

    def latest_calibration(
        self, serial_number: str, *, procedure: str | None = None
    ) -> Calibration | None:
        """Return the newest calibration of a device, or None if it has none.

        With ``procedure``, only calibrations whose parameters name that ``procedure`` count
        (e.g. a force plate's known-weight calibration rather than a session zero).
        """
        query = (
            select(models.DeviceCalibration)
            .join(models.Device)
            .where(models.Device.serial_number == serial_number)
        )
        if procedure is not None:
            stored = models.DeviceCalibration.parameters["procedure"].as_string()
            query = query.where(stored == procedure)
        newest_first = (
            models.DeviceCalibration.calibrated_at.desc(),
            models.DeviceCalibration.id.desc(),
        )
        query = query.order_by(*newest_first).limit(1)
        with self._database.read() as session:
            row = session.scalar(query)
            if row is None:
                return None
            return Calibration(serial_number, row.calibrated_at, dict(row.parameters))
