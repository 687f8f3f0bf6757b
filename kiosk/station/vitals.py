"""Vital-sign readings from Bluetooth devices, as the values the screening reads.

A blood-pressure cuff gives systolic, diastolic and usually the pulse; a pulse oximeter SpO2 and
the pulse (only readings its status does not mark unreportable, GATT PLX §5.3); a thermometer the
temperature. Live cuff pressure and other measurements give nothing.
"""

from __future__ import annotations

from devices.frames import VitalsMeasurement
from devices.protocols.ble_plx import PlxContinuousMeasurement, PlxSpotCheckMeasurement
from devices.protocols.ble_vitals import BloodPressureMeasurement, TemperatureMeasurement


def readings_from(measurement: VitalsMeasurement) -> dict[str, float]:
    """Return the screening values (``sbp_mmhg``, ``spo2_pct`` …) a measurement carries."""
    if isinstance(measurement, BloodPressureMeasurement):
        values = {"sbp_mmhg": measurement.systolic_mmhg, "dbp_mmhg": measurement.diastolic_mmhg}
        if measurement.pulse_rate_bpm is not None:
            values["pulse_bpm"] = measurement.pulse_rate_bpm
        return values
    if isinstance(measurement, PlxSpotCheckMeasurement | PlxContinuousMeasurement):
        if not measurement.reportable:
            return {}
        return {"spo2_pct": measurement.spo2_pct, "pulse_bpm": measurement.pulse_rate_bpm}
    if isinstance(measurement, TemperatureMeasurement):
        return {"temperature_c": measurement.temperature_c}
    return {}
