"""Typed frames: what every device adapter hands to the station.

Frames are frozen and slotted; physical quantities carry their unit in the field name. Every frame
names its device, carries the device's sequence number where the protocol has one, and the host's
monotonic clock at receipt (``t_mono_ns``). Numeric blocks are numpy arrays that adapters never
modify after creating the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

FORCE_CHANNELS = ("FL", "FR", "BL", "BR")


class ConnectionState(StrEnum):
    """Where a device connection stands; the kiosk shows it."""

    CONNECTING = "connecting"
    CONNECTED = "connected"
    STREAMING = "streaming"
    LOST = "lost"
    RECONNECTING = "reconnecting"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ForceBlock:
    """Consecutive samples of a four-corner force plate.

    ``raw`` holds the values as the device sent them (n × channels) in ``raw_unit`` (ADC counts
    for calibrated plates, or g, kg, N, lb for boards that scale themselves), kept so a recording
    can be re-scored with a corrected calibration; ``forces_n`` are the calibrated corner loads
    in the channel order of ``FORCE_CHANNELS``. ``cop_ml_mm`` (x, to the participant's right)
    and ``cop_ap_mm`` (y, forward) are NaN where the vertical force is below the plate's minimum.
    ``first_sample_index`` counts samples since the stream started, including missing ones, so
    gaps stay visible in time.
    """

    device_id: str
    seq: int | None
    t_mono_ns: int
    rate_hz: float
    first_sample_index: int
    device_time_s: FloatArray
    raw: FloatArray
    raw_unit: str
    forces_n: FloatArray
    fz_n: FloatArray
    cop_ml_mm: FloatArray
    cop_ap_mm: FloatArray

    @property
    def n_samples(self) -> int:
        """Number of samples in the block."""
        return int(self.forces_n.shape[0])


@dataclass(frozen=True, slots=True)
class DeviceStatus:
    """A change a person should see: connection state, data lost, bytes rejected.

    Counters are totals since the stream was opened; ``missing_samples`` and ``lost_frames`` in a
    status caused by one gap are that gap's sizes, and ``message`` says what happened in plain
    words for logs (the kiosk renders its own text from the fields).
    """

    device_id: str
    t_mono_ns: int
    state: ConnectionState
    missing_samples: int = 0
    lost_frames: int = 0
    total_missing_samples: int = 0
    crc_errors: int = 0
    parse_failures: int = 0
    bytes_discarded: int = 0
    discontinuity: bool = False
    message: str = ""


Frame = ForceBlock | DeviceStatus
