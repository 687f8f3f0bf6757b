"""Shared by the device sessions: calibrated plate blocks and counter-carrying status frames."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from devices.calibration import PlateCalibration, centre_of_pressure, forces_n
from devices.frames import ConnectionState, DeviceStatus, ForceBlock


@dataclass
class StreamCounters:
    """Totals since the stream was opened, reported in every status frame."""

    total_missing_samples: int = 0
    crc_errors: int = 0
    parse_failures: int = 0
    bytes_discarded: int = 0
    next_sample_index: int = 0


def force_block(  # noqa: PLR0913 - one keyword per frame field
    *,
    device_id: str,
    seq: int | None,
    t_mono_ns: int,
    rate_hz: float,
    first_sample_index: int,
    device_time_s: npt.NDArray[np.float64],
    raw: npt.NDArray[np.float64],
    raw_unit: str,
    calibration: PlateCalibration,
) -> ForceBlock:
    """Calibrate raw corner values and compute vertical force and centre of pressure."""
    forces = forces_n(calibration, raw)
    fz, cop_ml, cop_ap = centre_of_pressure(calibration, forces)
    return ForceBlock(
        device_id=device_id,
        seq=seq,
        t_mono_ns=t_mono_ns,
        rate_hz=rate_hz,
        first_sample_index=first_sample_index,
        device_time_s=device_time_s,
        raw=raw,
        raw_unit=raw_unit,
        forces_n=forces,
        fz_n=fz,
        cop_ml_mm=cop_ml,
        cop_ap_mm=cop_ap,
    )


def status_frame(
    device_id: str,
    counters: StreamCounters,
    state: ConnectionState,
    t_mono_ns: int,
    **details: int | bool | str,
) -> DeviceStatus:
    """Return a status frame carrying the stream's totals plus the details of one event."""
    return DeviceStatus(
        device_id=device_id,
        t_mono_ns=t_mono_ns,
        state=state,
        total_missing_samples=counters.total_missing_samples,
        crc_errors=counters.crc_errors,
        parse_failures=counters.parse_failures,
        bytes_discarded=counters.bytes_discarded,
        **details,  # type: ignore[arg-type]
    )


class CountedSession:
    """A session's identity and counters, and the status frames that carry them."""

    device_id: str
    _counters: StreamCounters

    def status(self, state: ConnectionState, t_mono_ns: int, message: str = "") -> DeviceStatus:
        """Return a status frame with this stream's totals."""
        return status_frame(self.device_id, self._counters, state, t_mono_ns, message=message)

    def _status(self, t_mono_ns: int, **details: int | bool | str) -> DeviceStatus:
        """Return a streaming-state status frame for one event (a gap, rejected bytes)."""
        return status_frame(
            self.device_id, self._counters, ConnectionState.STREAMING, t_mono_ns, **details
        )
