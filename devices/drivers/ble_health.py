"""Bluetooth SIG health devices (ble-health-profiles.md): measurements in, ``VitalsReading`` out.

One session serves every profile; a profile is a row of data naming the service, the
characteristics to subscribe to and the kind of reading each one gives. The session sends no
commands: cuffs, oximeters, thermometers and scales start measuring from their own button and
push the result (indications for stored results, notifications for live values). A value the
decoder rejects is counted and dropped, never turned into a reading.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from devices.drivers.plate_frames import CountedSession, StreamCounters
from devices.errors import DeviceUrlError, ProtocolError
from devices.frames import ConnectionState, Frame, VitalsMeasurement, VitalsReading
from devices.protocols.ble_health import (
    SERVICES,
    decode_blood_pressure_measurement,
    decode_heart_rate_measurement,
    decode_intermediate_cuff_pressure,
    decode_intermediate_temperature,
    decode_plx_continuous,
    decode_plx_spot_check,
    decode_temperature_measurement,
    decode_weight_measurement,
    uuid128,
)
from devices.transports.ble import BleTransport

_LOGGER = logging.getLogger(__name__)


# measurement characteristic -> (reading kind, decoder)
READINGS: Mapping[int, tuple[str, Callable[[bytes], VitalsMeasurement]]] = {
    0x2A35: ("blood_pressure", decode_blood_pressure_measurement),
    0x2A36: ("cuff_pressure", decode_intermediate_cuff_pressure),
    0x2A37: ("heart_rate", decode_heart_rate_measurement),
    0x2A5E: ("plx_spot_check", decode_plx_spot_check),
    0x2A5F: ("plx_continuous", decode_plx_continuous),
    0x2A1C: ("temperature", decode_temperature_measurement),
    0x2A1E: ("intermediate_temperature", decode_intermediate_temperature),
    0x2A9D: ("weight", decode_weight_measurement),
}


@dataclass(frozen=True, slots=True)
class HealthProfile:
    """A SIG profile: its service, the measurements it must offer and those it may offer."""

    service: str
    required: tuple[int, ...]
    optional: tuple[int, ...] = ()


PROFILES: Mapping[str, HealthProfile] = {
    "blood_pressure": HealthProfile("blood_pressure", (0x2A35,), (0x2A36,)),
    "heart_rate": HealthProfile("heart_rate", (0x2A37,)),
    "pulse_oximeter": HealthProfile("pulse_oximeter", (), (0x2A5E, 0x2A5F)),
    "thermometer": HealthProfile("health_thermometer", (0x2A1C,), (0x2A1E,)),
    "weight_scale": HealthProfile("weight_scale", (0x2A9D,)),
}


def profile_named(name: str) -> HealthProfile:
    """Return a profile by its URL name, or raise DeviceUrlError listing the known ones."""
    if name not in PROFILES:
        raise DeviceUrlError(
            f"unknown BLE profile {name!r}; expected one of {', '.join(sorted(PROFILES))}"
        )
    return PROFILES[name]


def service_uuid(profile: HealthProfile) -> str:
    """Return the profile's service UUID (128-bit string)."""
    return uuid128(SERVICES[profile.service])


class HealthSession(CountedSession):
    """Decodes a health device's measurements into readings; counts what it must reject."""

    def __init__(self, device_id: str, profile: HealthProfile) -> None:
        self.device_id = device_id
        self.profile = profile
        self._readings = {uuid128(u): READINGS[u] for u in (*profile.required, *profile.optional)}
        self._counters = StreamCounters()

    @property
    def notify_uuids(self) -> tuple[str, ...]:
        """Characteristics the device must offer."""
        return tuple(uuid128(u) for u in self.profile.required)

    @property
    def optional_uuids(self) -> tuple[str, ...]:
        """Characteristics subscribed to when the device offers them."""
        return tuple(uuid128(u) for u in self.profile.optional)

    def open_stream(self, transport: BleTransport) -> list[Frame]:  # noqa: ARG002 (protocol)
        """Nothing to send: the transport has subscribed, the device measures on its own."""
        return []

    def read(self, transport: BleTransport) -> list[Frame]:
        """Decode the values received since the last read."""
        frames: list[Frame] = []
        for notification in transport.read():
            kind, decode = self._readings[notification.uuid]
            try:
                measurement = decode(notification.data)
            except ProtocolError as exc:
                self._counters.parse_failures += 1
                _LOGGER.info("%s: rejected %s: %s", self.device_id, notification.data.hex(), exc)
                frames.append(self.status(ConnectionState.STREAMING, notification.t_mono_ns))
                continue
            frames.append(
                VitalsReading(
                    device_id=self.device_id,
                    t_mono_ns=notification.t_mono_ns,
                    kind=kind,
                    measurement=measurement,
                )
            )
        return frames

    def poll(self, transport: BleTransport, t_mono_ns: int) -> list[Frame]:  # noqa: ARG002
        """Health devices have no stream to watch."""
        return []

    def close_stream(self, transport: BleTransport) -> None:
        """Nothing to stop."""
