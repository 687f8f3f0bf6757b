"""``genki devices``: stream a device to CSV (or the terminal) with an honest summary."""

from __future__ import annotations

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

from devices.calibration import PlateCalibration, tare
from devices.errors import DeviceError
from devices.frames import ConnectionState, DeviceStatus, ForceBlock, Frame
from devices.registry import Device, open_device
from genki.cli.context import BadInputError, CliContext, OperationFailedError
from records.devices import DeviceRepository

pass_cli = click.make_pass_decorator(CliContext)

CSV_HEADER = "time_s,fl_n,fr_n,bl_n,br_n,fz_n,cop_ml_mm,cop_ap_mm"
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


class _Reader:
    """Collects the first ``seconds`` of samples (written as CSV rows when given a stream)."""

    def __init__(self, out: IO[str] | None, seconds: float) -> None:
        self.out = out
        self.seconds = seconds
        self.summary = ReadSummary()
        self.t0: float | None = None
        self.done = False
        self.kept: list[ForceBlock] = []

    def block(self, block: ForceBlock) -> None:
        if self.t0 is None:
            self.t0 = float(block.device_time_s[0])
        t = block.device_time_s - self.t0
        keep = t < self.seconds - 0.5 / block.rate_hz
        if not keep.all():
            self.done = True
        if self.out is None:
            self.kept.append(block)
        else:
            rows = np.column_stack(
                [t, block.forces_n, block.fz_n, block.cop_ml_mm, block.cop_ap_mm]
            )
            np.savetxt(self.out, rows[keep], fmt="%.6f", delimiter=",")
        self.summary.samples += int(keep.sum())
        if self.done:
            self.summary.duration_s = self.seconds
        elif keep.any():
            self.summary.duration_s = float(t[keep][-1])

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
@click.argument("url")
@click.option("--seconds", type=click.FloatRange(min=0.1), default=10.0, show_default=True)
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), help="CSV file to write.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@pass_cli
def read(cli: CliContext, /, url: str, seconds: float, out: Path | None, *, as_json: bool) -> None:
    """Stream a device for SECONDS of device time: loads, Fz and centre of pressure."""
    device = _open(cli, url)
    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        stream.write(CSV_HEADER + "\n")
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
            frame = frames.get(timeout=0.5)
        except queue.Empty:
            if time.monotonic() - last_data > NO_DATA_TIMEOUT_S:
                raise OperationFailedError(
                    f"no data from the device for {NO_DATA_TIMEOUT_S:.0f} s"
                ) from None
            continue
        if isinstance(frame, ForceBlock):
            last_data = time.monotonic()
            reader.block(frame)
        else:
            reader.status(frame)


def _print_summary(summary: ReadSummary, *, as_json: bool, err: bool) -> None:
    values = summary.as_dict()
    if as_json:
        click.echo(json.dumps(values), err=err)
        return
    click.echo(
        f"samples {values['samples']}, achieved rate {values['achieved_rate_hz']} Hz, "
        f"gaps {values['missing_samples']} missing samples, CRC errors {values['crc_errors']}, "
        f"parse failures {values['parse_failures']}, bytes discarded {values['bytes_discarded']}, "
        f"reconnects {values['reconnects']}",
        err=err,
    )


ZERO_LIMIT_N = 20.0  # session zero refuses a plate that does not read near zero (§3.7)


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
