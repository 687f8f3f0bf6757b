"""On-screen and keyboard-button presses give the same timer events as a Chronopic."""

from __future__ import annotations

import pytest

from devices.drivers.manual_timer import ManualTimer
from devices.frames import Frame, TimerEvent
from devices.registry import open_device
from measures.timed import stopwatch


def test_a_start_and_a_stop_press_time_a_test() -> None:
    timer = open_device("manual://buttons")
    assert isinstance(timer, ManualTimer)
    seen: list[Frame] = []
    timer.start(seen.append)
    timer.press("screen", t_mono_ns=5_000_000_000)
    timer.press("keyboard", t_mono_ns=16_840_000_000)
    timer.stop()
    events = [f for f in seen if isinstance(f, TimerEvent)]
    assert [(e.state, e.source, e.first) for e in events] == [
        (1, "screen", True),
        (0, "keyboard", False),
    ]
    assert stopwatch([e.device_time_us / 1e6 for e in events]).time_s == pytest.approx(11.84)
    assert events[1].dt_us == 11_840_000


def test_unknown_sources_and_options_are_refused() -> None:
    with pytest.raises(ValueError, match="expected one of screen, keyboard"):
        ManualTimer().press("foot pedal")
    with pytest.raises(ValueError, match="unknown option 'beep'"):
        open_device("manual://buttons?beep=1")
