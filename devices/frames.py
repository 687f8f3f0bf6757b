"""Typed frames: what every device adapter hands to the station.

Frames are frozen and slotted; physical quantities carry their unit in the field name. Every frame
names its device, carries the device's sequence number where the protocol has one, and the host's
monotonic clock at receipt (``t_mono_ns``). Numeric blocks are numpy arrays that adapters never
modify after creating the frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

from devices.protocols.ble_body import HeartRateMeasurement, WeightMeasurement
from devices.protocols.ble_plx import PlxContinuousMeasurement, PlxSpotCheckMeasurement
from devices.protocols.ble_vitals import (
    BloodPressureMeasurement,
    IntermediateCuffPressure,
    TemperatureMeasurement,
)

FloatArray = npt.NDArray[np.float64]
VitalsMeasurement: TypeAlias = (
    BloodPressureMeasurement
    | IntermediateCuffPressure
    | HeartRateMeasurement
    | PlxSpotCheckMeasurement
    | PlxContinuousMeasurement
    | TemperatureMeasurement
    | WeightMeasurement
)
KGF_TO_N = 9.80665  # standard gravity: 1 kgf in newtons

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
class GaugeBlock:
    """Consecutive samples of a single-axis force gauge (a grip dynamometer).

    ``force_kgf`` is what the gauge reports (kilogram-force, the unit of grip-strength norms);
    ``device_time_s`` is the device clock, unwrapped; ``rate_hz`` is the rate measured from the
    device time stamps. ``first_sample_index`` counts samples since the stream started, including
    missing ones.
    """

    device_id: str
    seq: int | None
    t_mono_ns: int
    rate_hz: float
    first_sample_index: int
    device_time_s: FloatArray
    force_kgf: FloatArray

    @property
    def n_samples(self) -> int:
        """Number of samples in the block."""
        return int(self.force_kgf.shape[0])

    @property
    def force_n(self) -> FloatArray:
        """The force in newtons."""
        return self.force_kgf * KGF_TO_N


@dataclass(frozen=True, slots=True)
class VitalsReading:
    """One decoded measurement of a Bluetooth health device (ble-health-profiles.md).

    ``kind`` names the characteristic it came from (``blood_pressure``, ``cuff_pressure``,
    ``heart_rate``, ``plx_spot_check``, ``plx_continuous``, ``temperature``,
    ``intermediate_temperature``, ``weight``); ``measurement`` is the decoder's frozen result.
    """

    device_id: str
    t_mono_ns: int
    kind: str
    measurement: VitalsMeasurement


@dataclass(frozen=True, slots=True)
class TimerEvent:
    """A timer input change: a photocell cut or cleared, a contact mat loaded or unloaded.

    ``state`` is the input's electrical state (1 closed/ON, 0 open/OFF); ``dt_us`` the device
    time since the previous change; ``device_time_us`` the running sum since the first event of
    the connection. ``first``, ``saturated`` (an idle too long to time) and ``after_gap`` (frames
    were lost just before) mark where the time line is not continuous. ``source`` says where the
    event came from: ``chronopic``, ``screen`` (a start/stop press) or ``keyboard`` (a button).
    """

    device_id: str
    seq: int
    t_mono_ns: int
    state: int
    dt_us: int
    device_time_us: int
    first: bool = False
    saturated: bool = False
    after_gap: bool = False
    source: str = "chronopic"


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


Frame = ForceBlock | GaugeBlock | VitalsReading | TimerEvent | DeviceStatus
