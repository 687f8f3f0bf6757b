"""``genki simulate forceplate``: the URL first, real bytes on the port, a clean exit on signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial
from click.testing import CliRunner

from genki.cli.simulate import simulate


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "genki", "simulate", "forceplate", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


@pytest.fixture
def gkfp() -> Iterator[subprocess.Popen[str]]:
    process = _start("--seed", "3", "--scenario", "one-leg", "--profile", "frail")
    yield process
    if process.poll() is None:
        process.kill()
        process.wait(timeout=10)


def _read(port: serial.Serial, seconds: float) -> bytes:
    data, end = bytearray(), time.monotonic() + seconds
    while time.monotonic() < end:
        data += port.read(4096)
    return bytes(data)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_the_url_comes_first_and_a_signal_ends_the_stream_with_exit_code_0(
    gkfp: subprocess.Popen[str], stop_signal: signal.Signals
) -> None:
    assert gkfp.stdout is not None
    url = gkfp.stdout.readline().strip()
    match = re.fullmatch(r"serial://(/dev/pts/\d+)\?protocol=gkfp", url)
    assert match, url
    with serial.Serial(match.group(1), timeout=0.05) as port:
        port.write(b"STOP\nINFO\n")
        idle = _read(port, 0.3)
        assert idle.count(b"\xa5\x5a\x01\x03") == 2  # two ACKs, nothing streams before START
        port.write(b"START 1000\n")
        streamed = _read(port, 0.5)
    assert streamed.count(b"\xa5\x5a\x01\x01") >= 40  # SAMPLES frames, 100 per second
    gkfp.send_signal(stop_signal)
    _, stderr = gkfp.communicate(timeout=10)
    assert gkfp.returncode == 0
    assert stderr.strip().splitlines()[-1].startswith("injected: 0 corrupted frames")


def test_an_hx711_url_carries_what_its_adapter_needs_and_the_board_streams_lines() -> None:
    process = _start("--protocol", "hx711", "--startup-wait", "0.2", "--duration", "5")
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        match = re.fullmatch(
            r"serial://(/dev/pts/\d+)\?protocol=hx711&slope=0\.0009765625"
            r"&offset=-12\.5,3\.25,0,-7\.75&spacing_mm=500x400&startup_wait_s=0\.2",
            url,
        )
        assert match, url
        with serial.Serial(match.group(1), timeout=0.05) as port:
            lines = _read(port, 0.8).split(b"\r\n")
        assert lines[0] == b"# GKHX/1 fw=1.0.0 sn=HX-SIM0001 rate=80"
        assert len(lines) > 30
        assert re.fullmatch(rb"\d+(,-?\d+){4}", lines[1])
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_a_plate_that_will_be_unplugged_is_published_at_a_stable_symlink() -> None:
    process = _start("--faults", "unplug=5:6", "--duration", "1")
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    path = Path(url.removeprefix("serial://").removesuffix("?protocol=gkfp"))
    assert path.name == "plate"
    assert path.is_symlink()
    assert str(path.readlink()).startswith("/dev/pts/")
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "0 unplugs" in stderr
    assert not path.exists()


def test_a_run_with_a_duration_ends_by_itself_and_summarises_what_it_injected() -> None:
    result = CliRunner().invoke(
        simulate,
        ["forceplate", "--scenario", "sit-to-stand", "--repetitions", "2", "--duration", "0.3"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("serial:///dev/pts/")
    assert result.stderr.startswith("injected: 0 corrupted frames (0 samples)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate", "300"], "dividing 1000000"),
        (["--protocol", "hx711", "--rate", "100"], "at most 80"),
        (["--faults", "crc=x"], "for example crc=3"),
        (["--faults", "unplug=7:5"], "T1 < T2"),
        (["--scenario", "jump"], "one-leg"),
        (["--weight-kg", "5"], "20<=x<=250"),
    ],
)
def test_bad_options_are_refused_with_exit_code_2_and_a_hint(args: list[str], message: str) -> None:
    result = CliRunner().invoke(simulate, ["forceplate", *args])
    assert result.exit_code == 2
    assert message in result.output
