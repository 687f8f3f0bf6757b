"""The wireless GKFP/1 plate through unchanged bleak code, its stream decoded by devices' codec."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from bleak import BleakClient
from bumble_central import subscribed

from devices.protocols.gkfp import (
    AckFrame,
    GkfpDecoder,
    GkfpEvent,
    SamplesFrame,
    StatusFrame,
    encode_command,
)
from simulators.ble.force_plate import COMMAND_UUID, STREAM_UUID, BleForcePlatePeripheral
from simulators.ble.link import LocalLink, new_link
from simulators.forceplate.device import GkfpPlate, PlateConfig
from simulators.forceplate.faults import FaultPlan
from simulators.human.scenarios import generate

START, STOP, INFO = 0x01, 0x02, 0x04
RATE_HZ, PER_FRAME, PERIOD_US = 250, 3, 4000


def firmware(serial: str = "GKFP-SIM0007", faults: FaultPlan | None = None) -> GkfpPlate:
    signal = generate("quiet-eo", rate_hz=1000, duration_s=5, seed=1)
    config = PlateConfig(serial=serial, rate_hz=RATE_HZ, faults=faults or FaultPlan(), seed=1)
    return GkfpPlate(signal, config)


class Stream:
    """The notifications of the stream characteristic, fed in order to one GKFP/1 decoder."""

    def __init__(self) -> None:
        self.notifications: list[bytes] = []
        self.decoder = GkfpDecoder(rate_hz=RATE_HZ)
        self.events: list[GkfpEvent] = []

    def __call__(self, _characteristic: object, data: bytearray) -> None:
        self.notifications.append(bytes(data))
        self.events += self.decoder.feed(bytes(data))

    def frames(self) -> list[SamplesFrame | StatusFrame | AckFrame]:
        return [e for e in self.events if isinstance(e, SamplesFrame | StatusFrame | AckFrame)]

    def samples(self) -> int:
        return sum(len(e.counts) for e in self.events if isinstance(e, SamplesFrame))

    def acked(self, command: int) -> bool:
        return any(isinstance(e, AckFrame) and e.command == command for e in self.events)

    async def wait_for(self, condition: Callable[[Stream], bool], timeout: float = 3.0) -> None:
        async with asyncio.timeout(timeout):
            while not condition(self):
                await asyncio.sleep(0.005)


@pytest.fixture
def link() -> LocalLink:
    return new_link()


@asynccontextmanager
async def connected(
    link: LocalLink, plate: BleForcePlatePeripheral, mtu: int = 23, **client_kwargs: Any
) -> AsyncIterator[tuple[BleakClient, Stream]]:
    stream = Stream()
    async with subscribed(link, plate, STREAM_UUID, stream, mtu, **client_kwargs) as client:
        yield client, stream


async def send(client: BleakClient, line: bytes) -> None:
    await client.write_gatt_char(COMMAND_UUID, line, response=True)


def assert_consecutive(frames: list[SamplesFrame | StatusFrame | AckFrame]) -> None:
    seqs = [f.seq for f in frames]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    ticks = [f.tick_us for f in frames if isinstance(f, SamplesFrame)]
    assert all(b - a == PER_FRAME * PERIOD_US for a, b in itertools.pairwise(ticks))


def straddling_frames(notifications: list[bytes]) -> int:
    """How many frames of a clean stream a notification boundary cuts."""
    stream = b"".join(notifications)
    cuts = set(itertools.accumulate(len(n) for n in notifications))
    count = pos = 0
    while pos < len(stream):
        assert stream[pos : pos + 2] == b"\xa5\x5a"
        n, c = stream[pos + 6], stream[pos + 7]
        length = 14 + 4 * n * c if stream[pos + 3] == 1 else 10 + n + 256 * c
        count += any(pos < cut < pos + length for cut in cuts)
        pos += length
    return count


@pytest.mark.parametrize(("mtu", "payload"), [(23, 20), (247, 244)])
async def test_info_start_stop_decode_across_unaligned_notifications(
    link: LocalLink, mtu: int, payload: int
) -> None:
    plate = BleForcePlatePeripheral(link, firmware(), speed=4.0, seed=mtu)
    assert plate.name == "GKFP-SIM0007"
    async with connected(link, plate, mtu) as (client, stream):
        await send(client, encode_command("INFO"))
        await stream.wait_for(lambda s: any(isinstance(e, StatusFrame) for e in s.events))
        await send(client, encode_command("START", RATE_HZ))
        await stream.wait_for(lambda s: s.samples() >= 600)
        await send(client, encode_command("STOP"))
        await stream.wait_for(lambda s: s.acked(STOP))
        await asyncio.sleep(0.05)
    frames, decoder = stream.frames(), stream.decoder
    assert decoder.crc_errors == decoder.bytes_discarded == decoder.lost_frames == 0
    assert_consecutive(frames)
    assert frames[0].seq == 1  # the power-up STATUS (seq 0) went out before anyone listened
    kinds = [type(f).__name__ for f in frames]
    assert kinds[:5] == ["AckFrame", "StatusFrame", "AckFrame", "StatusFrame", "SamplesFrame"]
    assert kinds[-2:] == ["AckFrame", "StatusFrame"]  # ACK(STOP) after the last SAMPLES
    status, ack_start, ack_stop = frames[1], frames[2], frames[-2]
    assert isinstance(status, StatusFrame)
    assert (status.serial, status.rate_hz, status.samples_per_frame) == ("GKFP-SIM0007", 250, 3)
    assert isinstance(ack_start, AckFrame)
    assert (ack_start.command, ack_start.result, ack_start.value) == (START, 0, RATE_HZ)
    assert isinstance(ack_stop, AckFrame)
    assert ack_stop.command == STOP
    assert stream.samples() == plate.plate.injected.samples_sent >= 600
    assert all(len(f.counts) == PER_FRAME for f in frames if isinstance(f, SamplesFrame))
    # notifications are cut without regard to frames: many frames straddle two or more
    assert max(len(n) for n in stream.notifications) <= payload
    straddling = straddling_frames(stream.notifications)
    assert straddling > len(frames) // 5
    assert plate.notifications == len(stream.notifications)
    assert plate.bytes_sent == sum(map(len, stream.notifications))


async def test_the_name_is_gkfp_and_the_serial(link: LocalLink) -> None:
    plate = BleForcePlatePeripheral(link, firmware(serial="000123"))
    assert plate.name == "GKFP-000123"


async def test_garbage_is_skipped_and_frame_faults_are_counted(link: LocalLink) -> None:
    faults = FaultPlan(crc=1, drop=1, first_frame=5, interval_frames=9)
    plate = BleForcePlatePeripheral(link, firmware(faults=faults), speed=4.0)
    async with connected(link, plate) as (client, stream):
        await send(client, encode_command("START"))
        await stream.wait_for(lambda s: s.samples() >= 60)
        garbage = plate.send_garbage(3, seed=5)
        await stream.wait_for(lambda s: s.samples() >= 150)
        await send(client, encode_command("STOP"))
        await stream.wait_for(lambda s: s.acked(STOP))
    decoder, injected = stream.decoder, plate.plate.injected
    assert b"\xa5" not in garbage
    corrupted_frame_bytes = 14 + 4 * PER_FRAME * 4  # skipped while re-synchronising
    assert decoder.bytes_discarded == len(garbage) + corrupted_frame_bytes
    assert plate.garbage_bytes == len(garbage)
    assert decoder.crc_errors == injected.corrupted_frames == 1
    assert decoder.missing_samples == injected.missing_samples == 2 * PER_FRAME
    assert decoder.lost_frames == 2


async def test_power_off_calls_back_and_power_on_boots_the_plate_again(link: LocalLink) -> None:
    plate = BleForcePlatePeripheral(link, firmware(), speed=4.0)
    lost = asyncio.Event()
    async with connected(link, plate, disconnected_callback=lambda _c: lost.set()) as (
        client,
        stream,
    ):
        await send(client, encode_command("START"))
        await stream.wait_for(lambda s: s.samples() >= 30)
        await plate.power_off()
        await asyncio.wait_for(lost.wait(), 2.0)
        assert not client.is_connected

        await plate.power_on()
        await client.connect()
        again = Stream()
        await client.start_notify(STREAM_UUID, again)
        await send(client, encode_command("INFO"))
        await again.wait_for(lambda s: any(isinstance(e, StatusFrame) for e in s.events))
        await send(client, encode_command("START"))
        await again.wait_for(lambda s: s.samples() >= 30)
        await send(client, encode_command("STOP"))
        await again.wait_for(lambda s: s.acked(STOP))
    frames = again.frames()
    assert frames[0].seq == 1  # rebooted: the sequence restarted
    assert_consecutive(frames)
    status = frames[1]
    assert isinstance(status, StatusFrame)
    assert status.state == 0


async def test_a_slow_link_delays_each_notification(link: LocalLink) -> None:
    plate = BleForcePlatePeripheral(link, firmware(), slow_link_s=0.01)
    async with connected(link, plate) as (client, stream):
        loop = asyncio.get_running_loop()
        asked = loop.time()
        await send(client, encode_command("INFO"))
        await stream.wait_for(lambda s: any(isinstance(e, StatusFrame) for e in s.events))
        took = loop.time() - asked
    assert took >= 0.01 * len(stream.notifications)
    assert sum(map(len, stream.notifications)) == 16 + 80  # ACK and STATUS
