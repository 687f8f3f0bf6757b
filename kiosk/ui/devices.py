"""Device screens behind the trainer's PIN: readiness, session zero, known-weight calibration.

The readiness panel shows one row per device (role, state, battery, when the plate was zeroed and
calibrated, samples missing) and opens the plate's two set-up screens. Both measure through the
station (``capture``), compute with devices.calibration (genki-forceplate.md §3.7), store through
the station's writer (``save_calibration``) and ``reopen`` the plate so what was stored applies.
Captures run in a worker of the screen, so Stop stays answerable and leaving the screen ends the
wait; a capture or a save that fails is shown and can be tried again.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import numpy as np
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Button, Input, Static

from devices.calibration import (
    CHANNEL_NAMES,
    ZERO_PROCEDURE,
    Check,
    KnownWeightCalibration,
    Linearity,
    Loading,
    PlateCalibration,
    PlateNotEmptyError,
    PlateUnsteadyError,
    calibrate_known_weight,
    known_weight_positions,
    session_zero,
)
from kiosk.station.errors import DeviceCommandError
from kiosk.station.measurements import Role
from kiosk.station.plate_setup import PlateCapture
from kiosk.station.service import DeviceView, StationView
from kiosk.ui.base import KioskScreen
from records.errors import StorageError

PLATE: Role = "plate"
ZERO_SECONDS = 1.0  # §3.7 session zero: average 1 s
CAPTURE_SECONDS = 5.0  # §3.7 steps 2-3: record 5 s unloaded and per position
MASS_RANGE_KG = (1.0, 200.0)
MINUTE_S, HOUR_S, DAY_S = 60, 3600, 86400
CALIBRATION_STEPS = ("mass", "zero", "FL", "FR", "BL", "BR", "centre", "result")
WITH_SECOND_MASS = (*CALIBRATION_STEPS[:-1], "both", "result")  # §3.7 step 5, linearity


def age(screen: KioskScreen, then: datetime | None, now: datetime) -> str:
    """Return how long ago ``then`` was, in words ("never" when None)."""
    if then is None:
        return screen.t("kiosk.devices.never")
    seconds = (now - then).total_seconds()
    if seconds < MINUTE_S:
        return screen.t("kiosk.devices.just_now")
    units = ((DAY_S, "days_ago"), (HOUR_S, "hours_ago"), (MINUTE_S, "minutes_ago"))
    unit, key = next((unit, key) for unit, key in units if seconds >= unit)
    return screen.t(f"kiosk.devices.{key}", count=int(seconds // unit))


def device_row(screen: KioskScreen, device: DeviceView, now: datetime) -> str:
    """Return one readiness row: role, state, battery, zeroed, calibrated, samples missing."""
    battery = (
        screen.t("kiosk.devices.battery_none")
        if device.battery_mv is None
        else screen.t("kiosk.devices.battery_volts", volts=device.battery_mv / 1000)
    )
    return screen.t(
        "kiosk.devices.row", role=device.role, state=device.state, battery=battery,
        zeroed=age(screen, device.zeroed_at, now),
        calibrated=age(screen, device.calibrated_at, now), missing=device.missing_samples,
    )  # fmt: skip


def channel_values(values: tuple[float, ...], fmt: str) -> dict[str, str]:
    """Name four per-channel values fl, fr, bl, br for a message, formatted with ``fmt``."""
    return {name.lower(): format(v, fmt) for name, v in zip(CHANNEL_NAMES, values, strict=True)}


def parse_mass_kg(typed: str) -> float | None:
    """Return the typed calibration mass in kg, or None when it is not a number in range."""
    try:
        mass = float(typed.strip().replace(",", "."))
    except ValueError:
        return None
    low, high = MASS_RANGE_KG
    return mass if low <= mass <= high else None


class DevicesScreen(KioskScreen):
    """The readiness panel: every device's state, and the plate's zero and calibration."""

    def __init__(self, capture_s: float = CAPTURE_SECONDS) -> None:
        """Open the calibration wizard with captures of ``capture_s`` seconds."""
        super().__init__()
        self.capture_s = capture_s

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(self.t("kiosk.devices.title"), classes="title")
        with VerticalScroll():
            yield Static("", id="device-rows", classes="message")
            yield self.button("kiosk.devices.zero", "zero", variant="primary", big=True)
            yield self.button("kiosk.devices.calibrate", "calibrate", big=True)

    def on_mount(self) -> None:
        self.show_station(self.kiosk.station_view)

    def show_station(self, view: StationView) -> None:
        now = datetime.now(UTC)
        rows = [device_row(self, device, now) for device in view.devices]
        has_plate = any(device.role == PLATE for device in view.devices)
        if not has_plate:
            rows.append(self.t("kiosk.devices.no_plate"))
        self.query_one("#device-rows", Static).update("\n".join(rows))
        for button in ("#zero", "#calibrate"):
            self.query_one(button, Button).disabled = not has_plate or self.kiosk.station is None

    def on_button_pressed(self, event: Button.Pressed) -> None:
        match event.button.id:
            case "back":
                self.app.pop_screen()
            case "zero":
                self.app.push_screen(ZeroScreen())
            case "calibrate":
                self.app.push_screen(CalibrationScreen(self.capture_s))


class _PlateSetupScreen(KioskScreen):
    """What both set-up screens share: capture, save and reopen through the station."""

    async def capture(self, seconds: float) -> PlateCapture | None:
        """Capture ``seconds`` of the plate; on failure show why and return None."""
        station = self.kiosk.station
        if station is None:
            self.say(self.t("kiosk.devices.no_plate"), alert=True)
            return None
        try:
            return await asyncio.wrap_future(station.capture(PLATE, seconds))
        except DeviceCommandError as exc:
            self.say(self.t("kiosk.devices.capture_failed", reason=exc), alert=True)
            return None

    async def store(self, device_id: str, parameters: dict[str, object]) -> bool:
        """Save a calibration and reopen the plate with it; on failure show why, return False."""
        station = self.kiosk.station
        if station is None:
            self.say(self.t("kiosk.devices.no_plate"), alert=True)
            return False
        try:
            await asyncio.wrap_future(station.save_calibration(device_id, parameters))
            await asyncio.wrap_future(station.reopen(PLATE))
        except (StorageError, DeviceCommandError) as exc:
            self.say(self.t("kiosk.devices.save_failed", reason=exc), alert=True)
            return False
        return True

    def say(self, message: str, *, alert: bool = False, good: bool = False) -> None:
        """Show ``message`` in the screen's message line."""
        line = self.query_one("#message", Static)
        line.update(message)
        line.set_class(alert, "alert")
        line.set_class(good, "good")


class ZeroScreen(_PlateSetupScreen):
    """Session zero (§3.7): nobody on the plate, 1 s averaged.

    Refused when it reads more than 20 N, or varies more than three times the noise measured at
    its known-weight calibration.
    """

    def __init__(self, seconds: float = ZERO_SECONDS) -> None:
        """Average the empty plate over ``seconds``."""
        super().__init__()
        self.seconds = seconds

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.stop", "stop", variant="error")
        yield Static(self.t("kiosk.devices.zero_title"), classes="title")
        yield Static(self.t("kiosk.devices.step_off"), id="message", classes="message")
        yield self.button("kiosk.devices.zero_now", "zero-now", variant="primary", big=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "stop":
            self.app.pop_screen()
        elif event.button.id == "zero-now":
            event.button.disabled = True
            self.say(self.t("kiosk.devices.measuring"))
            self.run_worker(self._zero(), exclusive=True)

    async def _zero(self) -> None:
        capture = await self.capture(self.seconds)
        if capture is not None:
            await self._zero_with(capture)
        self.query_one("#zero-now", Button).disabled = False

    async def _zero_with(self, capture: PlateCapture) -> None:
        try:
            zeroed = session_zero(capture.calibration, capture.raw, capture.fz_n,
                                  capture.noise_counts)  # fmt: skip
        except PlateNotEmptyError as exc:
            self.say(self.t("kiosk.devices.loaded", force=exc.fz_n), alert=True)
            return
        except PlateUnsteadyError as exc:
            self.say(self.t("kiosk.devices.unsteady", channel=exc.channel,
                            sd=f"{exc.sd_counts:.1f}", limit=f"{exc.limit_counts:.1f}"),
                     alert=True)  # fmt: skip
            return
        parameters = {**zeroed.to_dict(), "procedure": ZERO_PROCEDURE}
        if await self.store(capture.device_id, parameters):
            offsets = channel_values(zeroed.offsets, "+.2f")
            self.say(self.t("kiosk.devices.zeroed", **offsets), good=True)


class CalibrationScreen(_PlateSetupScreen):
    """Known-weight calibration (§3.7): mass, zero, five positions, solve, verify, save if good.

    With a second mass, both are put in the centre at the end: the linearity check of step 5.
    """

    def __init__(self, capture_s: float = CAPTURE_SECONDS) -> None:
        """Record the empty plate and each position for ``capture_s`` seconds."""
        super().__init__()
        self.capture_s = capture_s
        self._step = 0
        self._steps: tuple[str, ...] = CALIBRATION_STEPS
        self._mass_kg = 0.0
        self._second_kg: float | None = None
        self._unloaded: PlateCapture | None = None
        self._loadings: list[Loading] = []
        self._both: Loading | None = None

    @property
    def step(self) -> str:
        """The current step: mass, zero, a position (FL, FR, BL, BR, centre), both or result."""
        return self._steps[self._step]

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.stop", "stop", variant="error")
        yield Static(self.t("kiosk.devices.calibration_title"), classes="title")
        with VerticalScroll():
            yield Static("", id="step")
            yield Static("", id="prompt", classes="message")
            yield Input(id="mass", type="number", placeholder="kg")
            yield Input(id="second-mass", type="number",
                        placeholder=self.t("kiosk.devices.second_mass_placeholder"))  # fmt: skip
            yield Static("", id="message", classes="message")
            yield self.button("kiosk.next", "next", variant="primary", big=True)
            yield self.button("kiosk.devices.again", "again", big=True)
            yield Static("", id="result")

    def on_mount(self) -> None:
        self._show_step()

    def _show_step(self) -> None:
        step, last = self.step, len(self._steps)
        self.query_one("#step", Static).update(
            self.t("kiosk.devices.step", number=self._step + 1, total=last)
        )
        seconds = f"{self.capture_s:g}"
        if step == "mass":
            prompt = self.t("kiosk.devices.mass_prompt")
        elif step == "zero":
            prompt = self.t("kiosk.devices.zero_prompt", seconds=seconds)
        elif step == "result":
            prompt = ""
        elif step == "both":
            both = self._mass_kg + (self._second_kg or 0.0)
            prompt = self.t("kiosk.devices.place_both", mass=f"{both:g}", seconds=seconds)
        else:
            where = self.t(f"kiosk.devices.where_{step}")
            prompt = self.t("kiosk.devices.place", mass=f"{self._mass_kg:g}", where=where,
                            seconds=seconds)  # fmt: skip
        self.query_one("#prompt", Static).update(prompt)
        self.query_one("#mass", Input).display = step == "mass"
        self.query_one("#second-mass", Input).display = step == "mass"
        next_button = self.query_one("#next", Button)
        next_button.label = self.t("kiosk.next" if step == "mass" else "kiosk.devices.measure")
        next_button.display = step != "result"
        next_button.disabled = False
        self.query_one("#again", Button).display = step == "result"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        match event.button.id:
            case "stop":
                self.app.pop_screen()
            case "again":
                self._restart()
            case "next" if self.step == "mass":
                self._take_masses()
            case "next":
                event.button.disabled = True
                self.say(self.t("kiosk.devices.measuring"))
                self.run_worker(self._measure(), exclusive=True)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._take_masses()

    def _take_masses(self) -> None:
        """Take the weight's mass and the optional second one; a second adds the linearity step."""
        mass = parse_mass_kg(self.query_one("#mass", Input).value)
        typed_second = self.query_one("#second-mass", Input).value.strip()
        second = parse_mass_kg(typed_second) if typed_second else None
        low, high = (f"{limit:g}" for limit in MASS_RANGE_KG)
        if mass is None:
            self.say(self.t("kiosk.devices.mass_bad", low=low, high=high), alert=True)
            return
        if typed_second and second is None:
            self.say(self.t("kiosk.devices.second_mass_bad", low=low, high=high), alert=True)
            return
        self._mass_kg, self._second_kg = mass, second
        self._steps = CALIBRATION_STEPS if second is None else WITH_SECOND_MASS
        self._advance()

    def _restart(self) -> None:
        self._step, self._unloaded, self._loadings, self._both = 1, None, [], None
        self.query_one("#result", Static).update("")
        self.say("")
        self._show_step()

    def _advance(self) -> None:
        self._step += 1
        self.say("")
        self._show_step()

    async def _measure(self) -> None:
        step = self.step
        capture = await self.capture(self.capture_s)
        if capture is None:
            self.query_one("#next", Button).disabled = False
            return
        if step == "zero":
            self._unloaded = capture
        elif step == "both":
            self._both = Loading((0.0, 0.0), tuple(capture.raw.mean(axis=0)))
        else:
            spacing = capture.calibration.spacing_x_mm, capture.calibration.spacing_y_mm
            position = known_weight_positions(*spacing)[step]
            self._loadings.append(Loading(position, tuple(capture.raw.mean(axis=0))))
        self._advance()
        if self.step == "result":
            await self._finish()

    async def _finish(self) -> None:
        assert self._unloaded is not None  # noqa: S101 - the zero step comes first
        previous: PlateCalibration = self._unloaded.calibration
        linearity = None
        if self._both is not None and self._second_kg is not None:
            linearity = Linearity(self._second_kg, self._both)
        try:
            result = calibrate_known_weight(previous, self._unloaded.raw, self._loadings,
                                            self._mass_kg, linearity=linearity)  # fmt: skip
        except ValueError:
            self.say(self.t("kiosk.devices.unsolvable"), alert=True)
            return
        self.query_one("#result", Static).update(self._report(result))
        if not result.verification.passed:
            self.say(self.t("kiosk.devices.failed"), alert=True)
        elif await self.store(self._unloaded.device_id, result.to_parameters()):
            self.say(self.t("kiosk.devices.passed"), good=True)

    def _report(self, result: KnownWeightCalibration) -> str:
        lines = [self._check_line(check) for check in result.verification.checks]
        slopes = channel_values(result.calibration.slopes, ".4g")
        noise = channel_values(tuple(np.round(result.noise_counts, 1)), "g")
        lines += [self.t("kiosk.devices.slopes", **slopes), self.t("kiosk.devices.noise", **noise)]
        return "\n".join(lines)

    def _check_line(self, check: Check) -> str:
        mark = self.t("kiosk.devices.check_ok" if check.passed else "kiosk.devices.check_failed")
        return self.t(f"kiosk.devices.check_{check.name}", mark=mark, measured=check.measured,
                      limit=check.limit)  # fmt: skip
