"""The vital-sign peripherals, reached through unchanged bleak code and decoded by devices/."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from bleak import BleakClient, BleakScanner
from bleak.backends.characteristic import BleakGATTCharacteristic

from devices.errors import ProtocolError
from devices.protocols.ble_health import (
    decode_blood_pressure_measurement,
    decode_intermediate_cuff_pressure,
    decode_plx_continuous,
    decode_plx_features,
    decode_plx_spot_check,
    decode_temperature_measurement,
    decode_weight_measurement,
    decode_weight_scale_feature,
)
from devices.protocols.ieee11073 import decode_float, decode_sfloat, split_sfloat
from simulators.ble import blood_pressure as bp
from simulators.ble import pulse_oximeter as plx
from simulators.ble import thermometer as ht
from simulators.ble import weight_scale as ws
from simulators.ble.bleak_backend import BumbleClient, BumbleScanner
from simulators.ble.link import LocalLink, new_link
from simulators.ble.sig_encoding import SigPeripheral, date_time, ieee_float, sfloat

MOMENT = datetime(2025, 4, 1, 9, 30, 5, tzinfo=UTC)
P = TypeVar("P", bound=SigPeripheral)
INFLATION_S, STEP_S = 0.02, 0.002  # a fast cuff ramp: 10 steps up, 19 down


class Inbox:
    """A bleak notify callback that keeps (characteristic UUID, value) in arrival order."""

    def __init__(self) -> None:
        self.values: list[tuple[str, bytes]] = []
        self._changed = asyncio.Event()

    def __call__(self, characteristic: BleakGATTCharacteristic, data: bytearray) -> None:
        self.values.append((characteristic.uuid, bytes(data)))
        self._changed.set()

    async def wait_for(self, count: int, timeout: float = 2.0) -> None:
        async with asyncio.timeout(timeout):
            while len(self.values) < count:
                self._changed.clear()
                await self._changed.wait()

    def of(self, uuid: str) -> list[bytes]:
        return [value for u, value in self.values if u == uuid]


class DisconnectProbe:
    def __init__(self) -> None:
        self.event = asyncio.Event()

    def __call__(self, _client: BleakClient) -> None:
        self.event.set()


@pytest.fixture
def link() -> LocalLink:
    return new_link()


@asynccontextmanager
async def running(peripheral: P) -> AsyncIterator[P]:
    await peripheral.start()
    try:
        yield peripheral
    finally:
        await asyncio.wait_for(peripheral.stop(), 5)


@asynccontextmanager
async def connected(
    link: LocalLink,
    name: str,
    subscribe: list[str],
    inbox: Inbox,
    probe: DisconnectProbe | None = None,
) -> AsyncIterator[BleakClient]:
    """Find the peripheral by name, connect and subscribe, all through the public bleak API."""
    backend: dict[str, Any] = {"backend": BumbleScanner, "link": link}
    device = await BleakScanner.find_device_by_name(name, timeout=3.0, **backend)
    assert device is not None
    async with BleakClient(
        device, disconnected_callback=probe, backend=BumbleClient, link=link, timeout=3.0
    ) as client:
        for uuid in subscribe:
            await client.start_notify(uuid, inbox)
        yield client


# --- encoders against the golden vectors of ble-health-profiles.md §2.4 and §3.1 ---


@pytest.mark.parametrize(
    ("value", "exponent", "expected"),
    [
        (138, None, "8A 00"),
        (18.9, None, "BD F0"),
        (15.9, None, "9F F0"),
        (100, None, "64 00"),
        (100, -1, "E8 F3"),
        (8.7, None, "57 F0"),
        (8.7, -2, "66 E3"),
        (-1.0, -1, "F6 FF"),
        (9.8e-7, None, "62 80"),
        (1.0e8, 7, "0A 70"),
        (36.65, -1, "6E F1"),  # 366.5 rounds half to even: 366 × 10⁻¹
        (98.123, None, "D5 F3"),  # 98123 does not fit 12 bits: 981 × 10⁻¹
    ],
)
def test_sfloat_golden_vectors(value: float, exponent: int | None, expected: str) -> None:
    assert sfloat(value, exponent) == bytes.fromhex(expected)


def test_float_and_date_time_golden_vectors() -> None:
    assert ieee_float(37.6, -2) == bytes.fromhex("B0 0E 00 FE")
    assert decode_float(int.from_bytes(ieee_float(37.6), "little")) == 37.6
    moment = datetime(2012, 12, 5, 11, 50, 27, tzinfo=UTC)
    assert date_time(moment) == bytes.fromhex("DC 07 0C 05 0B 32 1B")


def test_sfloat_round_trips_within_half_a_unit() -> None:
    for value in [0, 1, -1, 36.6, 120, 2045, 99.95, 180.5, 0.001234, -20.47, 1234567]:
        raw = int.from_bytes(sfloat(value), "little")
        _mantissa, exponent = split_sfloat(raw)
        assert math.isclose(decode_sfloat(raw), value, abs_tol=10**exponent / 2)


@pytest.mark.parametrize(
    ("value", "exponent"), [(math.nan, None), (5000, 0), (1, -9), (1e12, None)]
)
def test_sfloat_rejects_what_it_cannot_encode(value: float, exponent: int | None) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (the message names the value; any is fine)
        sfloat(value, exponent)


# --- GATT layouts ---


@pytest.mark.parametrize(
    ("make", "name", "layout"),
    [
        (
            bp.BloodPressurePeripheral,
            "GK-BP-SIM",
            {"2a35": ["indicate"], "2a36": ["notify"], "2a49": ["read"]},
        ),
        (
            plx.PulseOximeterPeripheral,
            "GK-PLX-SIM",
            {"2a5e": ["indicate"], "2a5f": ["notify"], "2a60": ["read"]},
        ),
        (ht.ThermometerPeripheral, "GK-HT-SIM", {"2a1c": ["indicate"]}),
        (ws.WeightScalePeripheral, "GK-WS-SIM", {"2a9d": ["indicate"], "2a9e": ["read"]}),
    ],
)
async def test_gatt_layout_and_advertised_name(
    link: LocalLink,
    make: Callable[[LocalLink], SigPeripheral],
    name: str,
    layout: dict[str, list[str]],
) -> None:
    async with running(make(link)) as peripheral, connected(link, name, [], Inbox()) as client:
        assert peripheral.name == name
        [service] = [s for s in client.services if s.uuid == peripheral.service_uuids[0]]
        found = {c.uuid[4:8]: c.properties for c in service.characteristics}
        assert found == layout


# --- blood pressure ---


async def test_cuff_ramp_precedes_the_indicated_measurement(link: LocalLink) -> None:
    inbox = Inbox()
    subscribe = [bp.INTERMEDIATE_CUFF_PRESSURE_UUID, bp.BLOOD_PRESSURE_MEASUREMENT_UUID]
    async with (
        running(bp.BloodPressurePeripheral(link)) as cuff,
        connected(link, bp.DEFAULT_NAME, subscribe, inbox) as client,
    ):
        feature = await client.read_gatt_char(bp.BLOOD_PRESSURE_FEATURE_UUID)
        final = await cuff.measure(
            138, 88, 61, seed=4, timestamp=MOMENT, inflation_s=INFLATION_S, step_s=STEP_S
        )
        # indicate() returns after the confirmation, so the client already holds the value
        assert inbox.values[-1] == (bp.BLOOD_PRESSURE_MEASUREMENT_UUID, final)
    assert bytes(feature) == b"\x05\x00"
    assert inbox.values == cuff.sent
    assert [u for u, _ in inbox.values[:-1]] == [bp.INTERMEDIATE_CUFF_PRESSURE_UUID] * (
        len(inbox.values) - 1
    )
    pressures = [
        decode_intermediate_cuff_pressure(v).cuff_pressure_mmhg
        for v in inbox.of(bp.INTERMEDIATE_CUFF_PRESSURE_UUID)
    ]
    peak = pressures.index(max(pressures))
    assert 0 < peak < len(pressures) - 1
    assert max(pressures) > 138 + 30
    assert pressures[-1] < 88
    measurement = decode_blood_pressure_measurement(final or b"")
    assert (measurement.systolic_mmhg, measurement.diastolic_mmhg) == (138, 88)
    assert measurement.mean_arterial_pressure_mmhg == 105  # 88 + 50/3 = 104.67
    assert measurement.pulse_rate_bpm == 61
    assert measurement.unit_sent == "mmHg"
    assert measurement.timestamp == MOMENT.replace(tzinfo=None)
    assert measurement.status is None


async def test_blood_pressure_status_bits_and_sfloat_resolution(link: LocalLink) -> None:
    inbox = Inbox()
    async with (
        running(bp.BloodPressurePeripheral(link)) as cuff,
        connected(link, bp.DEFAULT_NAME, [bp.BLOOD_PRESSURE_MEASUREMENT_UUID], inbox),
    ):
        await cuff.measure(
            121.5,
            79.25,
            72,
            seed=1,
            body_movement=True,
            irregular_pulse=True,
            inflation_s=INFLATION_S,
            step_s=STEP_S,
        )
    [value] = inbox.of(bp.BLOOD_PRESSURE_MEASUREMENT_UUID)
    measurement = decode_blood_pressure_measurement(value)
    assert measurement.systolic_mmhg == 121.5
    assert measurement.diastolic_mmhg == pytest.approx(79.2, abs=0.05)  # 792 × 10⁻¹, half-even
    assert measurement.mean_arterial_pressure_mmhg == 93  # 79.25 + 42.25/3 = 93.33
    assert measurement.status is not None
    assert measurement.status.body_movement
    assert measurement.status.irregular_pulse
    assert not measurement.status.cuff_too_loose
    assert measurement.timestamp is not None


# --- pulse oximeter ---


async def test_oximeter_spot_check_stream_and_features(link: LocalLink) -> None:
    inbox = Inbox()
    subscribe = [plx.PLX_SPOT_CHECK_UUID, plx.PLX_CONTINUOUS_UUID]
    async with (
        running(plx.PulseOximeterPeripheral(link)) as oximeter,
        connected(link, plx.DEFAULT_NAME, subscribe, inbox) as client,
    ):
        features = decode_plx_features(bytes(await client.read_gatt_char(plx.PLX_FEATURES_UUID)))
        spot = await oximeter.spot_check(97, 64, timestamp=MOMENT)
        assert inbox.values == [(plx.PLX_SPOT_CHECK_UUID, spot)]
        truth = await oximeter.stream(100, 90, seed=7, count=8, interval_s=0.001)
        await inbox.wait_for(9)
    assert features.spot_check_time_stamp
    assert not features.measurement_status_supported
    reading = decode_plx_spot_check(spot or b"")
    assert (reading.spo2_pct, reading.pulse_rate_bpm) == (97, 64)
    assert reading.timestamp == MOMENT.replace(tzinfo=None)
    assert not reading.device_clock_not_set
    continuous = inbox.of(plx.PLX_CONTINUOUS_UUID)
    decoded = [decode_plx_continuous(v) for v in continuous]
    assert [(d.spo2_pct, d.pulse_rate_bpm) for d in decoded] == truth
    assert all(99 <= s <= 100 and 88 <= p <= 92 for s, p in truth)
    assert len(set(truth)) > 1
    exponents = {split_sfloat(int.from_bytes(v[1:3], "little"))[1] for v in continuous}
    assert exponents == {0, -1}


async def test_slow_link_delays_every_value(link: LocalLink) -> None:
    inbox = Inbox()
    async with (
        running(plx.PulseOximeterPeripheral(link, send_delay_s=0.03)) as oximeter,
        connected(link, plx.DEFAULT_NAME, [plx.PLX_CONTINUOUS_UUID], inbox),
    ):
        started = time.monotonic()
        truth = await oximeter.stream(95, 70, seed=2, count=4, interval_s=0)
        elapsed = time.monotonic() - started
        await inbox.wait_for(4)
    assert elapsed >= 4 * 0.03
    assert [
        (d.spo2_pct, d.pulse_rate_bpm)
        for d in map(decode_plx_continuous, inbox.of(plx.PLX_CONTINUOUS_UUID))
    ] == truth


# --- thermometer and scale ---


async def test_thermometer_indicates_celsius_with_optional_type(link: LocalLink) -> None:
    inbox = Inbox()
    async with (
        running(ht.ThermometerPeripheral(link)) as thermometer,
        connected(link, ht.DEFAULT_NAME, [ht.TEMPERATURE_MEASUREMENT_UUID], inbox),
    ):
        await thermometer.measure(36.6, temperature_type=4, timestamp=MOMENT)
        await thermometer.measure(37.25)
    first, second = map(decode_temperature_measurement, inbox.of(ht.TEMPERATURE_MEASUREMENT_UUID))
    assert (first.temperature_c, first.unit_sent, first.temperature_type) == (36.6, "C", 4)
    assert first.timestamp == MOMENT.replace(tzinfo=None)
    assert (second.temperature_c, second.temperature_type) == (37.25, None)
    assert second.timestamp is not None


async def test_scale_indicates_weight_in_steps_of_5_grams(link: LocalLink) -> None:
    inbox = Inbox()
    async with (
        running(ws.WeightScalePeripheral(link)) as scale,
        connected(link, ws.DEFAULT_NAME, [ws.WEIGHT_MEASUREMENT_UUID], inbox) as client,
    ):
        feature = decode_weight_scale_feature(
            bytes(await client.read_gatt_char(ws.WEIGHT_SCALE_FEATURE_UUID))
        )
        for kg in (70.0, 68.4, 52.3375):
            await scale.measure(kg, timestamp=MOMENT)
        with pytest.raises(ValueError, match="outside"):
            await scale.measure(400)
    assert feature.weight_resolution_kg == 0.005
    assert feature.time_stamp_supported
    weights = [decode_weight_measurement(v) for v in inbox.of(ws.WEIGHT_MEASUREMENT_UUID)]
    assert [w.weight_kg for w in weights] == [70.0, 68.4, 52.34]  # 10467.5 steps → 10468
    assert weights[0].timestamp == MOMENT.replace(tzinfo=None)
    assert inbox.of(ws.WEIGHT_MEASUREMENT_UUID)[0] == bytes.fromhex("02 B0 36") + date_time(MOMENT)


# --- faults on every peripheral ---


@dataclass(frozen=True)
class Case:
    make: Callable[[LocalLink], SigPeripheral]
    name: str
    uuid: str
    measure: Callable[[SigPeripheral], Awaitable[bytes | None]]


async def _measure_bp(peripheral: SigPeripheral) -> bytes | None:
    assert isinstance(peripheral, bp.BloodPressurePeripheral)
    return await peripheral.measure(130, 85, 70, seed=3, inflation_s=INFLATION_S, step_s=STEP_S)


async def _measure_plx(peripheral: SigPeripheral) -> bytes | None:
    assert isinstance(peripheral, plx.PulseOximeterPeripheral)
    return await peripheral.spot_check(96, 80)


async def _measure_ht(peripheral: SigPeripheral) -> bytes | None:
    assert isinstance(peripheral, ht.ThermometerPeripheral)
    return await peripheral.measure(36.9)


async def _measure_ws(peripheral: SigPeripheral) -> bytes | None:
    assert isinstance(peripheral, ws.WeightScalePeripheral)
    return await peripheral.measure(61.25)


CASES = {
    "blood-pressure": Case(
        bp.BloodPressurePeripheral, bp.DEFAULT_NAME, bp.BLOOD_PRESSURE_MEASUREMENT_UUID, _measure_bp
    ),
    "pulse-oximeter": Case(
        plx.PulseOximeterPeripheral, plx.DEFAULT_NAME, plx.PLX_SPOT_CHECK_UUID, _measure_plx
    ),
    "thermometer": Case(
        ht.ThermometerPeripheral, ht.DEFAULT_NAME, ht.TEMPERATURE_MEASUREMENT_UUID, _measure_ht
    ),
    "weight-scale": Case(
        ws.WeightScalePeripheral, ws.DEFAULT_NAME, ws.WEIGHT_MEASUREMENT_UUID, _measure_ws
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
async def test_power_cycle_then_a_new_client_receives_again(link: LocalLink, case: Case) -> None:
    async with running(case.make(link)) as peripheral:
        probe = DisconnectProbe()
        async with connected(link, case.name, [case.uuid], Inbox(), probe):
            await peripheral.power_off()
            await asyncio.wait_for(probe.event.wait(), 2.0)
            assert await case.measure(peripheral) is None
        assert peripheral.sent == []
        await peripheral.power_on()
        inbox = Inbox()
        async with connected(link, case.name, [case.uuid], inbox):
            value = await case.measure(peripheral)
        assert value is not None
        assert inbox.of(case.uuid) == [value]


async def test_cuff_switched_off_mid_ramp(link: LocalLink) -> None:
    inbox = Inbox()
    probe = DisconnectProbe()
    subscribe = [bp.INTERMEDIATE_CUFF_PRESSURE_UUID, bp.BLOOD_PRESSURE_MEASUREMENT_UUID]
    async with running(bp.BloodPressurePeripheral(link)) as cuff:
        async with connected(link, bp.DEFAULT_NAME, subscribe, inbox, probe):
            task = asyncio.create_task(
                cuff.measure(140, 90, 70, seed=5, inflation_s=1.0, step_s=0.01)
            )
            await inbox.wait_for(5)
            await cuff.power_off()
            await asyncio.wait_for(probe.event.wait(), 2.0)
            assert await asyncio.wait_for(task, 1.0) is None
        assert inbox.of(bp.BLOOD_PRESSURE_MEASUREMENT_UUID) == []
        assert {u for u, _ in cuff.sent} == {bp.INTERMEDIATE_CUFF_PRESSURE_UUID}
        await cuff.power_on()
        inbox = Inbox()
        async with connected(link, bp.DEFAULT_NAME, subscribe, inbox):
            final = await cuff.measure(140, 90, 70, seed=5, inflation_s=INFLATION_S, step_s=STEP_S)
        assert inbox.of(bp.BLOOD_PRESSURE_MEASUREMENT_UUID) == [final]


async def test_oximeter_switched_off_mid_stream(link: LocalLink) -> None:
    inbox = Inbox()
    probe = DisconnectProbe()
    async with running(plx.PulseOximeterPeripheral(link)) as oximeter:
        async with connected(link, plx.DEFAULT_NAME, [plx.PLX_CONTINUOUS_UUID], inbox, probe):
            task = asyncio.create_task(oximeter.stream(98, 60, seed=1, count=100, interval_s=0.01))
            await inbox.wait_for(3)
            await oximeter.power_off()
            await asyncio.wait_for(probe.event.wait(), 2.0)
            truth = await asyncio.wait_for(task, 1.0)
        assert 3 <= len(truth) < 100
        assert [
            (d.spo2_pct, d.pulse_rate_bpm)
            for d in map(decode_plx_continuous, inbox.of(plx.PLX_CONTINUOUS_UUID))
        ] == truth


GARBAGE = {
    "bp-measurement": (bp.BloodPressurePeripheral, "measurement", 7),
    "bp-cuff": (bp.BloodPressurePeripheral, "intermediate_cuff_pressure", 7),
    "plx-spot-check": (plx.PulseOximeterPeripheral, "spot_check_measurement", 5),
    "plx-continuous": (plx.PulseOximeterPeripheral, "continuous_measurement", 5),
    "ht-measurement": (ht.ThermometerPeripheral, "measurement", 5),
    "ws-measurement": (ws.WeightScalePeripheral, "measurement", 3),
}
DECODERS: dict[str, Callable[[bytes], object]] = {
    bp.BLOOD_PRESSURE_MEASUREMENT_UUID: decode_blood_pressure_measurement,
    bp.INTERMEDIATE_CUFF_PRESSURE_UUID: decode_intermediate_cuff_pressure,
    plx.PLX_SPOT_CHECK_UUID: decode_plx_spot_check,
    plx.PLX_CONTINUOUS_UUID: decode_plx_continuous,
    ht.TEMPERATURE_MEASUREMENT_UUID: decode_temperature_measurement,
    ws.WEIGHT_MEASUREMENT_UUID: decode_weight_measurement,
}


@pytest.mark.parametrize(("make", "attribute", "minimum"), GARBAGE.values(), ids=GARBAGE.keys())
async def test_garbage_arrives_and_short_values_are_rejected(
    link: LocalLink,
    make: Callable[[LocalLink], SigPeripheral],
    attribute: str,
    minimum: int,
) -> None:
    peripheral = make(link)
    target = getattr(peripheral, attribute)
    uuid = f"0000{target.uuid.to_hex_str().lower()}-0000-1000-8000-00805f9b34fb"
    inbox = Inbox()
    async with running(peripheral), connected(link, peripheral.name, [uuid], inbox):
        garbage = await peripheral.send_garbage(target, 12, seed=11)
        await inbox.wait_for(12)
    decode = DECODERS[uuid]
    assert inbox.of(uuid) == garbage
    assert peripheral.sent == [(uuid, g) for g in garbage]
    rejected = 0
    for value in garbage:
        try:
            decode(value)
        except ProtocolError:
            rejected += 1
        else:
            assert len(value) >= minimum
    assert rejected >= sum(len(v) < minimum for v in garbage) >= 3
