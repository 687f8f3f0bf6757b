"""``genki devices``: stream a device to CSV (or the terminal) with an honest summary."""

from __future__ import annotations

import dataclasses
import getpass
import json
import queue
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import click
import numpy as np
from bleak.exc import BleakError

from devices.calibration import ZERO_LIMIT_N, PlateCalibration, tare
from devices.discovery import scan_ble, serial_ports
from devices.errors import DeviceError
from devices.frames import (
    ConnectionState,
    DeviceStatus,
    ForceBlock,
    Frame,
    GaugeBlock,
    TimerEvent,
    VitalsReading,
)
from devices.registry import Device, open_device
from genki.cli.context import BadInputError, CliContext, OperationFailedError
from genki.i18n import text
from records.devices import DeviceRepository

pass_cli = click.make_pass_decorator(CliContext)

NO_DATA_TIMEOUT_S = 10.0


@dataclass
class ReadSummary:
    """What a read received and what it lost."""

    samples: int = 0
    missing_samples: int = 0
    crc_errors: int = 0
    parse_failures: int = 0
    bytes_discarded: int = 0
    reconnects: int = 0
    readings: int = 0
    duration_s: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Return the summary as JSON-ready numbers, with the achieved sample rate."""
        rate = self.samples / self.duration_s if self.duration_s > 0 else 0.0
        return {**self.__dict__, "achieved_rate_hz": round(rate, 3)}


def _actor() -> str:
    return f"cli:{getpass.getuser()}"


def _open(cli: CliContext, url: str) -> Device:
    """Open the device at ``url``, with calibrations looked up by serial number in the records."""
    repository = DeviceRepository(cli.database())

    def lookup(serial_number: str) -> PlateCalibration | None:
        stored = repository.latest_calibration(serial_number)
        return None if stored is None else PlateCalibration.from_dict(stored.parameters)

    try:
        return open_device(url, calibration_lookup=lookup)
    except (DeviceError, ValueError) as exc:
        raise BadInputError(str(exc)) from exc


def _stream(device: Device, reader: _Reader) -> None:
    """Stream the device into ``reader`` until it has its seconds, then release the device."""
    frames: queue.Queue[Frame] = queue.Queue()
    try:
        device.start(frames.put)
        _pump(frames, reader)
    except DeviceError as exc:
        raise OperationFailedError(str(exc)) from exc
    finally:
        device.stop()


PLATE_COLUMNS = "time_s,fl_n,fr_n,bl_n,br_n,fz_n,cop_ml_mm,cop_ap_mm"
GAUGE_COLUMNS = "time_s,force_kgf,force_n"
TIMER_COLUMNS = "seq,state,dt_us,device_time_us,first,saturated,after_gap,source"
FINAL_READINGS = frozenset({"blood_pressure", "plx_spot_check", "temperature", "weight"})


class _Reader:
    """Collects the first ``seconds`` of a device's output, written to ``out`` when given.

    Force plates and gauges become CSV rows over ``seconds`` of device time; health devices
    become one JSON object per reading, until a final result or ``seconds`` of host time.
    """

    def __init__(self, out: IO[str] | None, seconds: float) -> None:
        self.out = out
        self.seconds = seconds
        self.summary = ReadSummary()
        self.t0: float | None = None
        self.started = time.monotonic()
        self.done = False
        self.kept: list[ForceBlock] = []

    def frame(self, frame: Frame) -> None:
        if isinstance(frame, DeviceStatus):
            self.status(frame)
        elif isinstance(frame, VitalsReading):
            self.reading(frame)
        elif isinstance(frame, TimerEvent):
            self.event(frame)
        else:
            self.block(frame)

    def block(self, block: ForceBlock | GaugeBlock) -> None:
        if self.t0 is None:
            self.t0 = float(block.device_time_s[0])
            self._write_header(PLATE_COLUMNS if isinstance(block, ForceBlock) else GAUGE_COLUMNS)
        t = block.device_time_s - self.t0
        keep = t < self.seconds - 0.5 / block.rate_hz
        if not keep.all():
            self.done = True
        if isinstance(block, ForceBlock):
            self.kept.append(block)
            columns = [t, block.forces_n, block.fz_n, block.cop_ml_mm, block.cop_ap_mm]
        else:
            columns = [t, block.force_kgf, block.force_n]
        if self.out is not None:
            np.savetxt(self.out, np.column_stack(columns)[keep], fmt="%.6f", delimiter=",")
        self.summary.samples += int(keep.sum())
        if self.done:
            self.summary.duration_s = self.seconds
        elif keep.any():
            self.summary.duration_s = float(t[keep][-1])

    def reading(self, reading: VitalsReading) -> None:
        if self.out is not None:
            values = {"kind": reading.kind, **dataclasses.asdict(reading.measurement)}
            self.out.write(json.dumps(values, default=str, ensure_ascii=False) + "\n")
        self.summary.readings += 1
        self.summary.duration_s = time.monotonic() - self.started
        self.done = reading.kind in FINAL_READINGS

    def event(self, event: TimerEvent) -> None:
        if not self.summary.readings:
            self._write_header(TIMER_COLUMNS)
        if self.out is not None:
            values = [getattr(event, name) for name in TIMER_COLUMNS.split(",")]
            self.out.write(",".join(str(int(v) if isinstance(v, bool) else v) for v in values))
            self.out.write("\n")
        self.summary.readings += 1

    def check_time(self) -> None:
        """End a read without device time (health devices) after ``seconds`` of host time."""
        if self.t0 is not None or time.monotonic() - self.started < self.seconds:
            return
        if not self.summary.readings:
            raise OperationFailedError(f"the device sent nothing within {self.seconds:g} s")
        self.done = True

    def _write_header(self, columns: str) -> None:
        if self.out is not None:
            self.out.write(columns + "\n")

    def status(self, status: DeviceStatus) -> None:
        if self.t0 is not None:
            self.summary.missing_samples += status.missing_samples
        self.summary.crc_errors = status.crc_errors
        self.summary.parse_failures = status.parse_failures
        self.summary.bytes_discarded = status.bytes_discarded
        if status.state is ConnectionState.LOST:
            self.summary.reconnects += 1
        if status.state is ConnectionState.CLOSED and not self.done:
            raise OperationFailedError(f"device {status.device_id} closed: {status.message}")


@click.group()
def devices() -> None:
    """Find and read sensors."""


@devices.command()
@click.option("--seconds", type=click.FloatRange(min=0.5), default=5.0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_cli
def scan(cli: CliContext, /, seconds: float, *, as_json: bool) -> None:
    """List the BLE and serial devices genki can open, with their URLs."""
    found = serial_ports()
    problem = ""
    try:
        found = scan_ble(seconds) + found
    except (DeviceError, BleakError, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        problem = text("scan.ble_unavailable", cli.language, reason=reason)
    if as_json:
        document = {"devices": [dataclasses.asdict(d) for d in found], "ble_problem": problem}
        click.echo(json.dumps(document, ensure_ascii=False))
        return
    for device in found:
        signal = "" if device.rssi is None else f" ({device.rssi} dBm)"
        click.echo(f"{device.kind}: {device.name}{signal}")
        for device_url in device.urls:
            click.echo(f"  {device_url}")
    if problem:
        click.echo(problem, err=True)
    if not found:
        click.echo(text("scan.nothing_found", cli.language, seconds=f"{seconds:g}"), err=True)


@devices.command()
@click.argument("url")
@click.option("--seconds", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="CSV file to write.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_cli
def read(cli: CliContext, /, url: str, seconds: float, out: Path | None, *, as_json: bool) -> None:
    """Stream a device for SECONDS: plate loads and centre of pressure, gauge force, or readings.

    Force plates and grip gauges give CSV over SECONDS of device time; health devices (blood
    pressure, pulse oximeter, thermometer, scale, heart rate) give one JSON line per reading and
    stop at the first final result or after SECONDS; timers give one CSV row per input change.
    """
    device = _open(cli, url)
    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        reader = _Reader(stream, seconds)
        _stream(device, reader)
    finally:
        if out:
            stream.close()
    _print_summary(reader.summary, as_json=as_json, err=out is None)


def _pump(frames: queue.Queue[Frame], reader: _Reader) -> None:
    last_data = time.monotonic()
    while not reader.done:
        try:
            frame = frames.get(timeout=0.1)
        except queue.Empty:
            reader.check_time()
            if reader.t0 is not None and time.monotonic() - last_data > NO_DATA_TIMEOUT_S:
                raise OperationFailedError(
                    f"no data from the device for {NO_DATA_TIMEOUT_S:.0f} s"
                ) from None
            continue
        if not isinstance(frame, DeviceStatus):
            last_data = time.monotonic()
        reader.frame(frame)


def _print_summary(summary: ReadSummary, *, as_json: bool, err: bool) -> None:
    values = summary.as_dict()
    if as_json:
        click.echo(json.dumps(values), err=err)
        return
    click.echo(
        f"samples {values['samples']}, achieved rate {values['achieved_rate_hz']} Hz, "
        f"gaps {values['missing_samples']} missing samples, CRC errors {values['crc_errors']}, "
        f"parse failures {values['parse_failures']}, bytes discarded {values['bytes_discarded']}, "
        f"readings {values['readings']}, reconnects {values['reconnects']}",
        err=err,
    )


@devices.command()
@click.argument("url")
@click.option("--seconds", type=click.FloatRange(min=0.2), default=1.0, show_default=True)
@pass_cli
def zero(cli: CliContext, /, url: str, seconds: float) -> None:
    """Zero a force plate with nobody on it and store the offsets under its serial number."""
    device = _open(cli, url)
    reader = _Reader(None, seconds)
    _stream(device, reader)
    plate_calibration = getattr(device, "calibration", None)
    if not isinstance(plate_calibration, PlateCalibration) or not reader.kept:
        raise BadInputError(f"{url} is not a force plate; only force plates can be zeroed")
    fz = float(np.median(np.concatenate([b.fz_n for b in reader.kept])))
    if abs(fz) > ZERO_LIMIT_N:
        raise BadInputError(
            f"the plate reads {fz:.0f} N; ask everyone to step off the plate and zero it again"
        )
    calibration = tare(plate_calibration, np.concatenate([b.raw for b in reader.kept]))
    DeviceRepository(cli.database()).save_calibration(
        device.device_id, kind="force_plate", parameters=calibration.to_dict(), actor=_actor()
    )
    offsets = ", ".join(f"{v:+.3f}" for v in calibration.offsets)
    click.echo(f"plate {device.device_id} zeroed: offsets FL, FR, BL, BR = {offsets} N (saved)")
