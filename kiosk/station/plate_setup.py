"""Setting up devices at the station: raw captures of a plate and when it was zeroed or calibrated.

A ``PendingCapture`` lives on the station loop: the station hands it every block of its device
and fails it when the device is lost or the time is up; the future it resolves is the caller's
(any thread). ``calibration_state`` reads the records and runs on the station's writer thread.
A session zero and a known-weight calibration are told apart by their stored ``procedure``
(devices.calibration): the plate was zeroed by the newest of either, calibrated by the newest
known-weight one.
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from devices.calibration import KNOWN_WEIGHT_PROCEDURE, PlateCalibration
from devices.frames import ForceBlock, GaugeBlock
from kiosk.station.errors import DeviceCommandError
from records import Database
from records.devices import DeviceRepository

CAPTURE_GRACE_S = 5.0  # a capture fails when its samples have not arrived this long after due


@dataclass(frozen=True, slots=True)
class PlateCapture:
    """Consecutive blocks of one plate, the calibration of their forces, the commissioning noise.

    ``noise_counts`` is the noise per channel measured at the plate's known-weight calibration
    (None: not known).
    """

    device_id: str
    calibration: PlateCalibration
    blocks: tuple[ForceBlock, ...]
    noise_counts: tuple[float, ...] | None = None

    @property
    def raw(self) -> npt.NDArray[np.float64]:
        """The raw counts (n × 4: FL, FR, BL, BR)."""
        return np.concatenate([block.raw for block in self.blocks])

    @property
    def fz_n(self) -> npt.NDArray[np.float64]:
        """The vertical force (N) of every sample, with the calibration in use."""
        return np.concatenate([block.fz_n for block in self.blocks])


class PendingCapture:
    """A capture under way: collects ``seconds`` of blocks, then resolves ``future``."""

    def __init__(
        self, role: str, seconds: float, future: concurrent.futures.Future[PlateCapture]
    ) -> None:
        if not seconds > 0:
            raise ValueError(f"capture of {seconds} s asked for; expected a positive duration")
        self.role, self.seconds, self.future = role, seconds, future
        self._blocks: list[ForceBlock] = []
        self._samples = 0

    @property
    def finished(self) -> bool:
        """Whether the future has its result or error."""
        return self.future.done()

    def add(
        self,
        block: ForceBlock | GaugeBlock,
        calibration: object,
        noise_counts: tuple[float, ...] | None = None,
    ) -> None:
        """Take the next block of the device; resolve once ``seconds`` of samples are in."""
        if self.finished:
            return
        if not isinstance(block, ForceBlock) or not isinstance(calibration, PlateCalibration):
            self.fail(f"the {self.role} device {block.device_id} is not a calibrated force plate")
            return
        self._blocks.append(block)
        self._samples += block.n_samples
        if self._samples >= round(self.seconds * block.rate_hz):
            self.future.set_result(
                PlateCapture(block.device_id, calibration, tuple(self._blocks), noise_counts)
            )

    def fail(self, reason: str) -> None:
        """Fail the capture with ``reason`` (unless it has finished)."""
        if not self.finished:
            self.future.set_exception(DeviceCommandError(f"capture from {self.role}: {reason}"))

    def time_up(self) -> None:
        """Fail the capture when its samples did not arrive in time."""
        self.fail(
            f"{self._samples} samples in {self.seconds + CAPTURE_GRACE_S:g} s, not "
            f"{self.seconds:g} s of them; check that the plate is connected and streaming"
        )


@dataclass(frozen=True, slots=True)
class CalibrationState:
    """When a plate was last zeroed and calibrated, and the noise measured at its calibration.

    Zeroed by any procedure; calibrated with a known weight, which measured ``noise_counts``.
    """

    zeroed_at: datetime | None = None
    calibrated_at: datetime | None = None
    noise_counts: tuple[float, ...] | None = None


def calibration_state(database: Database, serial_number: str) -> CalibrationState:
    """Look up a plate's newest zero and known-weight calibration (the writer thread's work)."""
    devices = DeviceRepository(database)
    latest = devices.latest_calibration(serial_number)
    known = devices.latest_calibration(serial_number, procedure=KNOWN_WEIGHT_PROCEDURE)
    noise = known.parameters.get("noise_counts") if known else None
    return CalibrationState(
        latest.calibrated_at if latest else None,
        known.calibrated_at if known else None,
        tuple(float(v) for v in noise) if isinstance(noise, list) else None,
    )


def battery_mv(device: object) -> int | None:
    """Return a device's battery voltage (mV) when its protocol session reports one (a Progressor).

    The session sits in the streaming driver (``session``), which a simulated device wraps
    (``driver``); the first ``battery_mv`` found on the way down is the answer.
    """
    driver = getattr(device, "driver", device)
    for source in (device, driver, getattr(driver, "session", None)):
        value = getattr(source, "battery_mv", None)
        if isinstance(value, int):
            return value
    return None
