"""Waiting on a kiosk station's view from a test thread (the station runs on its own loop)."""

from __future__ import annotations

import time
from collections.abc import Callable

from kiosk.station.service import Station, StationView
from kiosk.station.trial import Phase


def wait_for(
    station: Station, done: Callable[[StationView], bool], timeout: float = 20
) -> StationView:
    """Return the first view for which ``done`` holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = station.view
        if done(view):
            return view
        time.sleep(0.02)
    raise AssertionError(f"timed out; last view: {station.view}")


def phase(expected: Phase) -> Callable[[StationView], bool]:
    """Whether the view's trial is in the ``expected`` phase."""
    return lambda view: view.trial is not None and view.trial.phase is expected


def streaming(view: StationView) -> bool:
    """Whether every device of the view streams."""
    return all(device.state == "streaming" for device in view.devices)
