"""The emulated Progressor through unchanged bleak code; the bytes are decoded here with struct."""

from __future__ import annotations

import asyncio
import itertools
import math
import struct
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import numpy as np
import pytest
from bleak import BleakClient
from bumble_central import subscribed

from simulators.ble.link import LocalLink, new_link
from simulators.ble.progressor import (
    CONTROL_POINT_UUID,
    DATA_POINT_UUID,
    DEFAULT_NAME,
    ProgressorFaults,
    ProgressorPeripheral,
)

RATE_HZ = 80.0
PERIOD_US = 12_500
WRAP = 1 << 32
START, STOP, TARE, VERSION, SLEEP, BATTERY = b"\x65", b"\x66", b"\x64", b"\x6b", b"\x6e", b"\x6f"


def trial(count: int, first_kgf: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``count`` samples at 80 Hz rising by 0.25 kg (exact in float32)."""
    return np.arange(count) / RATE_HZ, first_kgf + 0.25 * np.arange(count)


def samples(notification: bytes) -> list[tuple[float, int]]:
    assert notification[0] == 1
    assert notification[1] == len(notification) - 2
    assert notification[1] % 8 == 0
    return [struct.unpack_from("<fI", notification, 2 + 8 * k) for k in range(notification[1] // 8)]


class Inbox:
    """Every notification of the data point, in arrival order."""

    def __init__(self) -> None:
        self.notifications: list[bytes] = []

    def __call__(self, _characteristic: object, data: bytearray) -> None:
        self.notifications.append(bytes(data))

    def tagged(self, tag: int) -> list[bytes]:
        return [n for n in self.notifications if n and n[0] == tag]

    def samples(self) -> list[tuple[float, int]]:
        return [s for n in self.tagged(1) if n[1] % 8 == 0 for s in samples(n) if s[0] == s[0]]

    async def wait_for(self, condition: Callable[[Inbox], bool], timeout: float = 3.0) -> None:
        async with asyncio.timeout(timeout):
            while not condition(self):
                await asyncio.sleep(0.005)


@pytest.fixture
def link() -> LocalLink:
    return new_link()


@asynccontextmanager
async def gauge_and_client(
    link: LocalLink, gauge: ProgressorPeripheral, mtu: int = 23, **client_kwargs: Any
) -> AsyncIterator[tuple[BleakClient, Inbox]]:
    inbox = Inbox()
    async with subscribed(link, gauge, DATA_POINT_UUID, inbox, mtu, **client_kwargs) as client:
        yield client, inbox


async def command(client: BleakClient, value: bytes) -> None:
    await client.write_gatt_char(CONTROL_POINT_UUID, value, response=True)


async def test_streams_exactly_the_source_samples_two_per_notification(link: LocalLink) -> None:
    time_s, force = trial(41)
    gauge = ProgressorPeripheral(link, time_s, force, speed=8.0)
    assert gauge.name == DEFAULT_NAME
    async with gauge_and_client(link, gauge) as (client, inbox):
        await command(client, START)
        await inbox.wait_for(lambda box: len(box.samples()) >= 50)
        await command(client, STOP)
        await asyncio.sleep(0.05)
        count = len(inbox.notifications)
        await asyncio.sleep(0.1)
        assert len(inbox.notifications) == count  # nothing after STOP
    received = inbox.samples()
    assert received == gauge.trace.samples
    assert received[:41] == [(float(f), k * PERIOD_US) for k, f in enumerate(force)]
    assert {w for w, _ in received[41:]} == {0.0}  # the gauge reads zero after the trial
    assert [t for _, t in received] == [k * PERIOD_US for k in range(len(received))]
    assert {len(samples(n)) for n in inbox.tagged(1)} == {2}
    assert gauge.trace.notifications == len(inbox.tagged(1)) == len(received) // 2
    assert not gauge.streaming


async def test_a_larger_mtu_packs_more_samples_per_notification(link: LocalLink) -> None:
    time_s, force = trial(90)
    gauge = ProgressorPeripheral(link, time_s, force, speed=20.0)
    async with gauge_and_client(link, gauge, mtu=247) as (client, inbox):
        assert client.mtu_size == 247
        assert gauge.samples_per_notification() == 30
        await command(client, START)
        await inbox.wait_for(lambda box: len(box.samples()) >= 90)
        await command(client, STOP)
    assert [len(samples(n)) for n in inbox.tagged(1)] == [30, 30, 30]
    assert [w for w, _ in inbox.samples()] == [float(f) for f in force]


async def test_tare_zeroes_the_reading_only_while_streaming(link: LocalLink) -> None:
    time_s = np.arange(400) / RATE_HZ
    force = np.where(time_s < 1.0, 0.0, 10.0)  # unloaded for 1 s, then 10 kg
    gauge = ProgressorPeripheral(link, time_s, force, speed=10.0, tare_offset_kgf=2.5)
    async with gauge_and_client(link, gauge) as (client, inbox):
        await command(client, TARE)  # ignored: not streaming
        await command(client, START)
        await inbox.wait_for(lambda box: len(box.samples()) >= 10)
        await command(client, TARE)
        await inbox.wait_for(lambda box: len(box.samples()) >= 100)
        await command(client, STOP)
    weights = [w for w, _ in inbox.samples()]
    assert weights[0] == 2.5
    assert weights[79] == 0.0  # tared while unloaded
    assert weights[80:100] == [10.0] * 20


async def test_queries_answer_in_both_command_forms_and_unknown_tags_are_ignored(
    link: LocalLink,
) -> None:
    time_s, force = trial(10)
    gauge = ProgressorPeripheral(link, time_s, force, battery_mv=3915, version="2.5.7")
    async with gauge_and_client(link, gauge) as (client, inbox):
        for value in (VERSION, VERSION + b"\x00", BATTERY, BATTERY + b"\x00", b"\x99", b"\x99\x00"):
            await command(client, value)
            await asyncio.sleep(0.02)
        await inbox.wait_for(lambda box: len(box.notifications) >= 4)
        await asyncio.sleep(0.05)
        await command(client, START + b"\x00")
        await inbox.wait_for(lambda box: len(box.samples()) >= 2)
        await command(client, STOP + b"\x00")
    version, battery = b"\x00\x05" + b"2.5.7", bytes.fromhex("00 04 4B 0F 00 00")
    assert inbox.notifications[:5] == [version, version, battery, battery, *inbox.tagged(1)[:1]]
    both_forms = [VERSION, VERSION + b"\x00", BATTERY, BATTERY + b"\x00", b"\x99", b"\x99\x00"]
    assert gauge.commands[:6] == both_forms


async def test_timestamps_wrap_at_2_to_the_32(link: LocalLink) -> None:
    time_s, force = trial(40)
    start_us = WRAP - 10 * PERIOD_US + 3
    gauge = ProgressorPeripheral(link, time_s, force, speed=10.0, clock_start_us=start_us)
    async with gauge_and_client(link, gauge) as (client, inbox):
        await command(client, START)
        await inbox.wait_for(lambda box: len(box.samples()) >= 20)
        await command(client, STOP)
    stamps = [t for _, t in inbox.samples()]
    assert stamps[:12] == [(start_us + k * PERIOD_US) % WRAP for k in range(12)]
    assert stamps[10] == 3  # wrapped
    assert all((b - a) % WRAP == PERIOD_US for a, b in itertools.pairwise(stamps))


async def test_power_off_mid_trial_calls_back_and_power_on_allows_a_reconnect(
    link: LocalLink,
) -> None:
    time_s, force = trial(400)
    gauge = ProgressorPeripheral(link, time_s, force, speed=8.0, clock_start_us=1000)
    lost = asyncio.Event()
    async with gauge_and_client(link, gauge, disconnected_callback=lambda _client: lost.set()) as (
        client,
        inbox,
    ):
        await command(client, START)
        await inbox.wait_for(lambda box: len(box.samples()) >= 10)
        await gauge.power_off()
        await asyncio.wait_for(lost.wait(), 2.0)
        assert not client.is_connected
        assert not gauge.streaming
        sent = len(gauge.trace.samples)

        await gauge.power_on()
        await client.connect()
        await client.start_notify(DATA_POINT_UUID, inbox)
        await command(client, START)
        await inbox.wait_for(lambda box: len(box.samples()) >= sent + 4)
        await command(client, STOP)
    received = inbox.samples()
    assert received == gauge.trace.samples
    assert received[sent] == (1.0, 1000)  # the trial replays; the clock restarted at power-up


async def test_enter_sleep_switches_the_gauge_off(link: LocalLink) -> None:
    time_s, force = trial(10)
    gauge = ProgressorPeripheral(link, time_s, force)
    lost = asyncio.Event()
    async with gauge_and_client(link, gauge, disconnected_callback=lambda _c: lost.set()) as (
        client,
        _inbox,
    ):
        await command(client, SLEEP)
        await asyncio.wait_for(lost.wait(), 2.0)
    assert not gauge.is_on


async def test_garbage_every_n_notifications_is_sent_as_recorded(link: LocalLink) -> None:
    time_s, force = trial(60)
    gauge = ProgressorPeripheral(
        link, time_s, force, speed=10.0, faults=ProgressorFaults(garbage_every=3)
    )
    async with gauge_and_client(link, gauge) as (client, inbox):
        await command(client, START)
        await inbox.wait_for(lambda box: len(box.samples()) >= 36)
        await command(client, STOP)
    garbage = gauge.trace.garbage
    assert len(garbage) >= 6
    assert inbox.notifications[3] == garbage[0]  # after the third data notification
    received_garbage = [n for n in inbox.notifications if n in garbage]
    assert received_garbage == garbage
    assert_invalid(garbage)
    assert inbox.samples() == gauge.trace.samples  # the NaN weights are not samples


async def test_send_garbage_is_seeded(link: LocalLink) -> None:
    time_s, force = trial(10)
    gauge = ProgressorPeripheral(link, time_s, force)
    async with gauge_and_client(link, gauge) as (_client, inbox):
        await gauge.wait_for_subscriber(gauge.data_point)
        first = await gauge.send_garbage(12, seed=4)
        second = await gauge.send_garbage(12, seed=4)
        await inbox.wait_for(lambda box: len(box.notifications) >= 24)
    assert first == second
    assert inbox.notifications == first + second == gauge.trace.garbage
    assert_invalid(first)
    assert {kind(g) for g in first} == {"length", "tag", "nan"}


def kind(notification: bytes) -> str:
    tag, length = notification[0], notification[1]
    if tag not in (0, 1, 2, 3, 4):
        return "tag"
    if tag == 1 and (length % 8 or length != len(notification) - 2):
        return "length"
    assert tag == 1
    assert math.isnan(samples(notification)[0][0])
    return "nan"


def assert_invalid(garbage: list[bytes]) -> None:
    assert all(kind(g) in {"tag", "length", "nan"} for g in garbage)


async def test_dropped_notifications_leave_timestamp_gaps(link: LocalLink) -> None:
    time_s, force = trial(40)
    gauge = ProgressorPeripheral(
        link, time_s, force, speed=10.0, faults=ProgressorFaults(drop_notifications=(1, 3))
    )
    async with gauge_and_client(link, gauge) as (client, inbox):
        await command(client, START)
        await inbox.wait_for(lambda box: len(box.samples()) >= 12)
        await command(client, STOP)
    stamps = [t // PERIOD_US for _, t in inbox.samples()]
    assert stamps[:8] == [0, 1, 4, 5, 8, 9, 10, 11]
    assert gauge.trace.dropped_notifications == 2
    assert gauge.trace.dropped_samples == 4
    assert inbox.samples() == gauge.trace.samples


async def test_random_drops_are_reproducible(link: LocalLink) -> None:
    time_s, force = trial(80)
    faults = ProgressorFaults(drop_probability=0.3, seed=7)
    gauge = ProgressorPeripheral(link, time_s, force, speed=20.0, faults=faults)
    async with gauge_and_client(link, gauge) as (client, inbox):
        await command(client, START)
        trace = gauge.trace
        await inbox.wait_for(
            lambda box: (
                trace.notifications + trace.dropped_notifications >= 40
                and len(box.tagged(1)) == trace.notifications
            )
        )
        await command(client, STOP)
    missing = sorted(set(range(80)) - {t // PERIOD_US for _, t in inbox.samples()})
    expected = np.flatnonzero(np.random.default_rng(7).random(40) < 0.3)
    assert missing == sorted(2 * k + j for k in expected.tolist() for j in (0, 1))


async def test_low_power_warning_on_demand_and_a_slow_link(link: LocalLink) -> None:
    time_s, force = trial(10)
    gauge = ProgressorPeripheral(link, time_s, force, faults=ProgressorFaults(slow_link_s=0.1))
    async with gauge_and_client(link, gauge) as (client, inbox):
        await gauge.send_low_power_warning()
        await inbox.wait_for(lambda box: box.notifications == [b"\x04\x00"])
        loop = asyncio.get_running_loop()
        asked = loop.time()
        await command(client, BATTERY)
        await inbox.wait_for(lambda box: len(box.notifications) == 2)
        assert loop.time() - asked >= 0.1
    assert gauge.trace.low_power_warnings == 1
