"""``ble+sim://DEVICE?PARAMS``: an emulated BLE peripheral in this process, and the real driver.

The peripheral (``simulators.ble``) joins a fresh bumble link on the process's BLE loop; the
driver is the one ``ble://`` URLs get, built with the bumble-backed bleak backend instead of the
platform's, so the bytes go through bleak, bleak-retry-connector, the transport and the codec
unchanged. This module lives at the top layer because it is the one place that joins ``devices``
and ``simulators``, which never import each other.

Parameters common to every device: ``seed`` (default 1), ``off_after_s`` (the device is switched
off that many seconds after it starts; a fault), ``on_after_s`` (switched on again that much later).
Vital-sign devices also take ``garbage`` (that many undecodable values first), ``slow_link_s`` (a
delay before each value sent) and ``every_s`` (measure again that many seconds after each
measurement; 0, the default: once).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from bumble.gatt import Characteristic

from devices.calibration import PlateCalibration
from devices.drivers.ble_factories import open_ble
from devices.drivers.gkfp import CalibrationLookup
from devices.drivers.streaming import FrameSink
from devices.errors import DeviceUrlError
from devices.transports.ble import BleBackend, ble_loop
from devices.url import DeviceUrl, parse_device_url
from simulators.ble.bleak_backend import BumbleClient, BumbleScanner
from simulators.ble.blood_pressure import BloodPressurePeripheral
from simulators.ble.force_plate import BleForcePlatePeripheral
from simulators.ble.heart_rate import HeartRatePeripheral
from simulators.ble.link import LocalLink, new_link
from simulators.ble.peripheral import Peripheral
from simulators.ble.progressor import ProgressorFaults, ProgressorPeripheral
from simulators.ble.pulse_oximeter import PulseOximeterPeripheral
from simulators.ble.sig_encoding import SigPeripheral
from simulators.ble.thermometer import ThermometerPeripheral
from simulators.ble.weight_scale import WeightScalePeripheral
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.forceplate.faults import parse_faults
from simulators.human.grip import grip_trial
from simulators.human.scenarios import generate

# The ATT MTU of emulated links: the 23-byte default (2 Progressor samples per notification),
# because how many samples a real Progressor packs is unverified (tindeq-progressor.md §4.2).
SIM_MTU = 23
COMMON_OPTIONS = frozenset({"seed", "off_after_s", "on_after_s"})


class Options:
    """A simulated device URL's parameters, read with their types and checked for strays."""

    def __init__(self, url: DeviceUrl, allowed: frozenset[str]) -> None:
        url.check_options(allowed | COMMON_OPTIONS)
        self.url = url

    def number(self, name: str, default: float) -> float:
        """Return a numeric parameter."""
        text = self.url.option(name)
        if text is None:
            return default
        try:
            return float(text)
        except ValueError:
            raise DeviceUrlError(
                f"{name}={text!r} in {self.url.text!r}; expected a number"
            ) from None

    def integer(self, name: str, default: int) -> int:
        """Return an integer parameter."""
        value = self.number(name, default)
        if value != int(value):
            raise DeviceUrlError(f"{name}={value:g} in {self.url.text!r}; expected a whole number")
        return int(value)

    def text(self, name: str, default: str) -> str:
        """Return a text parameter."""
        return self.url.option(name) or default


# What a simulated device does once the driver is connected (e.g. a cuff measures).
Scenario = Callable[[], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class Emulation:
    """An emulated peripheral, the driver profile that reads it, and what it does when connected."""

    peripheral: Peripheral
    profile: str
    scenario: Scenario | None = None
    truth: object | None = None


def _heart_rate(link: LocalLink, options: Options) -> Emulation:
    """Emulate a chest strap notifying a steady heart rate each second (``bpm``, ``seconds``)."""
    strap = HeartRatePeripheral(link)
    bpm = options.integer("bpm", 72)
    count = options.integer("seconds", 600)
    if not 20 <= bpm <= 250:
        raise DeviceUrlError(f"bpm={bpm} in {options.url.text!r}; expected 20 to 250")

    async def beat() -> None:
        await strap.wait_for_subscriber()
        await strap.notify_measurements([bytes([0x00, bpm])] * count, interval=1.0)

    return Emulation(strap, "heart_rate", beat)


def _after_subscription(
    peripheral: SigPeripheral, characteristic: Characteristic[bytes], options: Options
) -> Callable[[Callable[[], Coroutine[Any, Any, object]]], Scenario]:
    """Wrap a measurement: wait for the driver's subscription, send ``garbage`` values first."""
    garbage = options.integer("garbage", 0)
    seed = options.integer("seed", 1)
    every_s = options.number("every_s", 0.0)
    if every_s < 0:
        raise DeviceUrlError(f"every_s={every_s:g} in {options.url.text!r}; expected 0 or more")

    def wrap(measure: Callable[[], Coroutine[Any, Any, object]]) -> Scenario:
        async def scenario() -> None:
            await peripheral.wait_for_subscriber(characteristic)
            if garbage:
                await peripheral.send_garbage(characteristic, garbage, seed)
            await measure()
            while every_s > 0:
                await asyncio.sleep(every_s)
                await measure()

        return scenario

    return wrap


def _blood_pressure(link: LocalLink, options: Options) -> Emulation:
    """Emulate a cuff: inflation with cuff pressures, then the indicated result."""
    cuff = BloodPressurePeripheral(link, send_delay_s=options.number("slow_link_s", 0.0))
    wrap = _after_subscription(cuff, cuff.measurement, options)
    measure = wrap(
        lambda: cuff.measure(
            options.number("systolic", 128),
            options.number("diastolic", 76),
            options.number("pulse", 72),
            seed=options.integer("seed", 1),
            inflation_s=options.number("inflation_s", 4.0),
        )
    )
    return Emulation(cuff, "blood_pressure", measure)


def _pulse_oximeter(link: LocalLink, options: Options) -> Emulation:
    """Emulate a finger oximeter: ``count`` continuous values each second, then a spot check."""
    oximeter = PulseOximeterPeripheral(link, send_delay_s=options.number("slow_link_s", 0.0))
    spo2, pulse = options.number("spo2", 97), options.number("pulse", 72)

    async def measure() -> None:
        await oximeter.stream(
            spo2, pulse, seed=options.integer("seed", 1), count=options.integer("count", 3)
        )
        await oximeter.spot_check(spo2, pulse)

    return Emulation(
        oximeter,
        "pulse_oximeter",
        _after_subscription(oximeter, oximeter.spot_check_measurement, options)(measure),
    )


def _thermometer(link: LocalLink, options: Options) -> Emulation:
    """Emulate a thermometer indicating one temperature (``temperature_c``)."""
    thermometer = ThermometerPeripheral(link, send_delay_s=options.number("slow_link_s", 0.0))
    wrap = _after_subscription(thermometer, thermometer.measurement, options)
    measure = wrap(lambda: thermometer.measure(options.number("temperature_c", 36.5)))
    return Emulation(thermometer, "thermometer", measure)


def _weight_scale(link: LocalLink, options: Options) -> Emulation:
    """Emulate a scale indicating one weight (``weight_kg``)."""
    scale = WeightScalePeripheral(link, send_delay_s=options.number("slow_link_s", 0.0))
    wrap = _after_subscription(scale, scale.measurement, options)
    measure = wrap(lambda: scale.measure(options.number("weight_kg", 52.4)))
    return Emulation(scale, "weight_scale", measure)


def _progressor(link: LocalLink, options: Options) -> Emulation:
    """Emulate a Progressor replaying a seeded grip trial (simulators.human.grip)."""
    peak = options.url.option("peak_kgf")
    try:
        signal = grip_trial(
            options.text("scenario", "grip-max"),
            seed=options.integer("seed", 1),
            rate_hz=options.number("rate_hz", 80.0),
            peak_kgf=None if peak is None else options.number("peak_kgf", 0.0),
        )
    except ValueError as exc:
        raise DeviceUrlError(f"{exc} (in {options.url.text!r})") from exc
    gauge = ProgressorPeripheral(
        link,
        signal.time_s,
        signal.force_kgf,
        tare_offset_kgf=options.number("tare_offset_kgf", 0.35),
        speed=options.number("speed", 1.0),
        faults=ProgressorFaults(
            drop_every=options.integer("drop_every", 0),
            garbage_every=options.integer("garbage_every", 0),
            slow_link_s=options.number("slow_link_s", 0.0),
            low_power_after=options.integer("low_power_after", 0),
        ),
    )
    return Emulation(gauge, "progressor", truth=signal.truth)


def _force_plate(link: LocalLink, options: Options) -> Emulation:
    """Emulate a GKFP/1 plate over BLE (default 250 Hz) under a seeded person."""
    name = options.text("scenario", "quiet-eo")
    try:
        signal = generate(
            name,
            rate_hz=1000.0,
            duration_s=options.number("duration_s", 60.0),
            seed=options.integer("seed", 1),
            frail=options.text("profile", "robust") == "frail",
        )
        config = PlateConfig(
            serial="GKFP-SIM0001",
            rate_hz=options.integer("rate", 250),
            faults=parse_faults(options.text("faults", "")),
            seed=options.integer("seed", 1),
        )
    except ValueError as exc:
        raise DeviceUrlError(f"{exc} (in {options.url.text!r})") from exc
    plate = BleForcePlatePeripheral(
        link, GkfpPlate(signal, config), slow_link_s=options.number("slow_link_s", 0.0)
    )
    return Emulation(plate, "gkfp", truth=signal.ground_truth)


PROGRESSOR_OPTIONS = frozenset(
    {"scenario", "rate_hz", "peak_kgf", "tare_offset_kgf", "speed", "drop_every",
     "garbage_every", "slow_link_s", "low_power_after"}
)  # fmt: skip
VITALS_OPTIONS = frozenset({"garbage", "slow_link_s", "every_s"})
EMULATIONS: Mapping[str, tuple[frozenset[str], Callable[[LocalLink, Options], Emulation]]] = {
    "heart-rate": (frozenset({"bpm", "seconds"}), _heart_rate),
    "progressor": (PROGRESSOR_OPTIONS, _progressor),
    "force-plate": (
        frozenset({"scenario", "duration_s", "profile", "rate", "faults", "slow_link_s"}),
        _force_plate,
    ),
    "blood-pressure": (
        VITALS_OPTIONS | {"systolic", "diastolic", "pulse", "inflation_s"},
        _blood_pressure,
    ),
    "pulse-oximeter": (VITALS_OPTIONS | {"spo2", "pulse", "count"}, _pulse_oximeter),
    "thermometer": (VITALS_OPTIONS | {"temperature_c"}, _thermometer),
    "weight-scale": (VITALS_OPTIONS | {"weight_kg"}, _weight_scale),
}


class SimulatedBleDevice:
    """An emulated peripheral and the real driver connected to it, started and stopped together."""

    def __init__(self, emulation: Emulation, options: Options, lookup: CalibrationLookup | None):
        self.emulation = emulation
        self.peripheral = emulation.peripheral
        backend = BleBackend(
            BumbleScanner, BumbleClient, {"link": self.peripheral.link, "mtu": SIM_MTU}
        )
        url = parse_device_url(f"ble://name:{self.peripheral.name}?profile={emulation.profile}")
        self.driver = open_ble(url, lookup, backend)
        self._off_after_s = options.number("off_after_s", 0.0)
        self._on_after_s = options.number("on_after_s", 0.0)
        self._tasks: list[concurrent.futures.Future[None]] = []

    @property
    def device_id(self) -> str:
        """The driver's device id."""
        return self.driver.device_id

    @property
    def calibration(self) -> PlateCalibration | None:
        """A simulated force plate's calibration."""
        return self.driver.calibration

    def start(self, sink: FrameSink) -> None:
        """Switch the peripheral on, connect the driver, then run the scenario and the faults."""
        loop = ble_loop()
        loop.run(self.peripheral.start(), timeout=10)
        self.driver.start(sink)
        if self.emulation.scenario is not None:
            self._spawn(self.emulation.scenario())
        if self._off_after_s > 0:
            self._spawn(self._switch_off_and_on())

    def stop(self) -> None:
        """Stop the driver, then the peripheral and its scenario."""
        self.driver.stop()
        for task in self._tasks:
            task.cancel()
        ble_loop().run(self.peripheral.stop(), timeout=10)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.run_coroutine_threadsafe(coroutine, ble_loop().loop))

    async def _switch_off_and_on(self) -> None:
        await asyncio.sleep(self._off_after_s)
        await self.peripheral.power_off()
        if self._on_after_s > 0:
            await asyncio.sleep(self._on_after_s)
            await self.peripheral.power_on()


async def _new_link() -> LocalLink:
    return new_link()


def open_simulated_ble(url: DeviceUrl, lookup: CalibrationLookup | None) -> SimulatedBleDevice:
    """Return the emulated device ``url`` names, with its driver (not yet started)."""
    if url.location not in EMULATIONS:
        raise DeviceUrlError(
            f"no emulated BLE device {url.location!r}; expected one of "
            f"{', '.join(sorted(EMULATIONS))}, e.g. ble+sim://progressor?scenario=grip-max&seed=3"
        )
    logging.getLogger("bumble").setLevel(logging.ERROR)  # link teardown chatter, not news
    allowed, build = EMULATIONS[url.location]
    options = Options(url, allowed)
    link = ble_loop().run(_new_link(), timeout=10)
    return SimulatedBleDevice(build(link, options), options, lookup)
