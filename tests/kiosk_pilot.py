"""What the kiosk's Pilot tests share: pressing buttons, waiting, notices, measuring a field."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Button

from kiosk.station.service import Station
from kiosk.station.trial import Phase
from kiosk.ui.app import KioskApp
from kiosk.ui.trainer import DeviceTestScreen


def last_notice(app: KioskApp) -> str:
    return list(app._notifications)[-1].message


async def press(app: KioskApp, pilot: Pilot[None], button: str) -> None:
    """Press a button, then wait for the app to be idle."""
    app.screen.query_one(button, Button).press()
    await pilot.pause()


async def press_busy(app: KioskApp, pilot: Pilot[None], button: str) -> None:
    """Press a button without Pilot's wait for an idle app: a station keeps the app busy."""
    app.screen.query_one(button, Button).press()
    await pilot.pause(0.05)


async def until(pilot: Pilot[None], done: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def press_when_enabled(
    app: KioskApp, pilot: Pilot[None], button: str, timeout: float = 20
) -> None:
    """Press a button once it is enabled (a device test's buttons wait for the station's phase;
    a disabled button ignores a press)."""
    widget = app.screen.query_one(button, Button)
    await until(pilot, lambda: not widget.disabled, timeout)
    await press_busy(app, pilot, button)


async def measure(app: KioskApp, pilot: Pilot[None], field: str, station: Station) -> str:
    """Measure ``field`` on its device test screen; return the saved trial's uuid."""
    form = app.screen
    await press(app, pilot, f"#measure-{field}")
    assert isinstance(app.screen, DeviceTestScreen)
    test_screen = app.screen
    await press_when_enabled(app, pilot, "#ready", 60)
    await press_when_enabled(app, pilot, "#accept", 60)
    await until(pilot, lambda: not test_screen.query_one("#another", Button).disabled, 60)
    trial = station.view.trial
    assert trial is not None
    assert trial.phase is Phase.SAVED
    await press(app, pilot, "#another")
    assert app.screen is form
    assert trial.trial_uuid is not None
    return trial.trial_uuid
