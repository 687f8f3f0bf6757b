"""The trainer flow behind a PIN: device readiness, then a device test with its live trace.

A test runs through the station's trial machine: instructions, ready, countdown, recording with
the live signal, the score with its quality flags, then save or retake. Stop is always visible and
discards the trial; a device lost while recording discards it with the reason shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Digits, Input, Select, Sparkline, Static, Switch

from genki.config import verify_pin
from kiosk.station.measurements import MEASUREMENTS
from kiosk.station.service import Station, StationView, TrialView
from kiosk.station.trial import Phase
from kiosk.ui.base import KioskScreen
from kiosk.ui.cop import CopPath
from kiosk.ui.forms import FORMS, BatteryFormScreen, stand_beside
from kiosk.ui.resident import display_name
from programs.batteries import EntryError
from programs.batteries.entry import field_ranges
from programs.prescription import fall_risk_flags
from records.residents import Resident

SHOWN_METRICS = {  # the metrics a trainer reads first, per test
    "sway_eo": ("path_length_mm", "mean_velocity_mm_s", "envelope_area_mm2"),
    "sway_ec": ("path_length_mm", "mean_velocity_mm_s", "envelope_area_mm2"),
    "chair_stand_5x": ("time_s", "count"),
    "grip": ("peak_kgf", "time_to_peak_s"),
    "stance_side_by_side": ("hold_s",),
    "stance_semi_tandem": ("hold_s",),
    "stance_tandem": ("hold_s",),
    "one_leg_stance": ("hold_s", "lift_off_s"),
    "gait_4m": ("time_s", "speed_m_s"),
}

# Tests whose result a trainer may type when the device is missing or failed: the metric it
# fills and the entry field whose unit and range check it (programs/data/battery_entry.toml).
TYPED_ENTRY = {
    "grip": ("peak_kgf", "grip_kg"),
    "chair_stand_5x": ("time_s", "chair_stand_5x_s"),
    "stance_side_by_side": ("hold_s", "side_by_side_s"),
    "stance_semi_tandem": ("hold_s", "semi_tandem_s"),
    "stance_tandem": ("hold_s", "tandem_s"),
    "one_leg_stance": ("hold_s", "one_leg_stance_s"),
    "gait_4m": ("time_s", "gait_4m_s"),
}

STAND_BESIDE_TESTS = frozenset({"stance_semi_tandem", "stance_tandem", "one_leg_stance"})

STATUS_KEYS = {
    Phase.COUNTDOWN: "kiosk.trainer.countdown", Phase.SCORE: "kiosk.trainer.scoring",
    Phase.REVIEW: "kiosk.trainer.review", Phase.SAVING: "kiosk.trainer.saving",
    Phase.SAVED: "kiosk.trainer.saved",
}  # fmt: skip


class PinScreen(KioskScreen):
    """The trainer's PIN."""

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(self.t("kiosk.trainer.pin"), classes="title")
        if self.kiosk.pin_hash is None:
            yield Static(self.t("kiosk.trainer.pin_missing"), classes="alert", markup=False)
            return
        yield Input(password=True, id="pin")
        yield self.button("kiosk.trainer.enter", "enter", variant="primary", big=True)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "back":
            self.app.pop_screen()
        elif event.button.id == "enter":
            await self._enter(self.query_one("#pin", Input).value)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        await self._enter(event.value)

    async def _enter(self, pin: str) -> None:
        if self.kiosk.pin_hash is not None and verify_pin(pin, self.kiosk.pin_hash):
            self.app.switch_screen(TrainerScreen())
        else:
            self.notify(self.t("kiosk.trainer.pin_wrong"), severity="error")
            self.query_one("#pin", Input).clear()


def device_lines(screen: KioskScreen, view: StationView) -> str:
    """Return one readiness line per device: role, state, id, samples, samples missing."""
    if not view.devices:
        return screen.t("kiosk.trainer.no_devices")
    return "\n".join(
        screen.t("kiosk.trainer.device_line", role=d.role, state=d.state, device=d.device_id,
                 samples=d.samples, missing=d.missing_samples)
        for d in view.devices
    )  # fmt: skip


class TrainerScreen(KioskScreen):
    """Choose the resident and the test; see whether the devices are ready."""

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(self.t("kiosk.trainer.title"), classes="title")
        residents = self.kiosk.desk.residents()
        choices = [(display_name(r), r.code) for r in residents]
        prompt = self.t("kiosk.trainer.choose_resident")
        yield Select(choices, prompt=prompt, id="resident")
        yield Static(self.t("kiosk.trainer.devices"))
        yield Static(device_lines(self, self.kiosk.station_view), id="devices", markup=False)
        with VerticalScroll():
            yield Button(self.t("kiosk.sppb.title"), id="battery-sppb", classes="big")
            for battery in FORMS:
                yield Button(self.t(f"battery.name.{battery}"), id=f"battery-{battery}",
                             classes="big")  # fmt: skip
            for test in MEASUREMENTS:
                yield Button(self.t(f"kiosk.trainer.test_{test}"), id=f"test-{test}", classes="big")
            yield self.button("kiosk.settings.open", "settings-screen", big=True)
            yield self.button("kiosk.devices.open", "devices-screen", big=True)

    def show_station(self, view: StationView) -> None:
        self.query_one("#devices", Static).update(device_lines(self, view))

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        name = event.button.id or ""
        if name == "back":
            self.app.pop_screen()
        elif name == "settings-screen":
            from kiosk.ui.settings import SettingsScreen  # noqa: PLC0415 - loads the BLE scan

            self.app.push_screen(SettingsScreen())
        elif name == "devices-screen":
            from kiosk.ui.devices import DevicesScreen  # noqa: PLC0415 - loaded when first opened

            self.app.push_screen(DevicesScreen())
        elif name.startswith(("test-", "battery-")):
            code = self.query_one("#resident", Select).value
            resident = self.kiosk.desk.find(str(code)) if isinstance(code, str) else None
            if resident is None:
                self.notify(self.t("kiosk.trainer.choose_resident"), severity="warning")
            elif name == "battery-sppb":
                from kiosk.ui.battery import SppbScreen  # noqa: PLC0415 - battery imports this

                self.app.push_screen(SppbScreen(resident))
            elif name.startswith("battery-"):
                self.app.push_screen(BatteryFormScreen(resident, name.removeprefix("battery-")))
            else:
                self.app.push_screen(DeviceTestScreen(resident, name.removeprefix("test-")))


class DeviceTestScreen(KioskScreen):
    """One device test: instructions, countdown, live trace, result, save or retake."""

    def __init__(
        self,
        resident: Resident,
        test: str,
        on_saved: Callable[[TrialView], None] | None = None,
        *,
        beside_confirmed: bool = False,
    ) -> None:
        """``on_saved`` is called once with the trial when it has been saved (a battery's part).

        ``beside_confirmed``: the battery screen has already confirmed that someone stands beside
        a resident at high fall risk, so this screen does not ask again.
        """
        super().__init__()
        self.resident, self.test, self.on_saved = resident, test, on_saved
        self.beside_confirmed = beside_confirmed
        self._earlier_uuid: str | None = None  # a trial saved before this screen opened

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.stop", "stop", variant="error")
        yield Static(f"{self.t(f'kiosk.trainer.test_{self.test}')} — {display_name(self.resident)}",
                     classes="title")  # fmt: skip
        yield Static(self.t(f"kiosk.trainer.instructions_{self.test}"), classes="message")
        if self.test in STAND_BESIDE_TESTS and not self.beside_confirmed:
            profile = self.kiosk.desk.profile(self.resident, today=date.today())  # noqa: DTZ011
            if fall_risk_flags(profile):
                yield from stand_beside(self, "kiosk.trainer.stand_beside")
        yield Static("", id="status")
        countdown = Digits("", id="countdown")
        countdown.display = False  # shown while counting down
        yield countdown
        with Horizontal(id="live"):
            yield Sparkline([], id="trace")
            if MEASUREMENTS[self.test].role == "plate":
                yield CopPath(id="cop")
        yield Static("", id="result")
        if self.test in TYPED_ENTRY:
            unit = field_ranges()[TYPED_ENTRY[self.test][1]].unit
            with Horizontal(classes="reading", id="typed-row"):
                yield Static(self.t("kiosk.trainer.typed_label",
                                    unit=self.t(f"battery.unit.{unit}")))  # fmt: skip
                yield Input(id="typed", type="number")
                yield self.button("kiosk.trainer.typed_save", "typed-save")
        else:
            yield Static(self.t("kiosk.trainer.typed_none"))
        with Horizontal(classes="row bar"):
            yield self.button("kiosk.trainer.practice", "practice")
            yield self.button("kiosk.trainer.ready", "ready", variant="primary")
            yield self.button("kiosk.trainer.accept", "accept", variant="success")
            yield self.button("kiosk.trainer.retake", "retake")
            yield self.button("kiosk.trainer.another", "another")

    def on_mount(self) -> None:
        station = self.kiosk.station
        earlier = self.kiosk.station_view.trial
        self._earlier_uuid = earlier.trial_uuid if earlier is not None else None
        if station is not None:
            station.begin(self.resident.uuid, self.test)
        self.show_station(self.kiosk.station_view)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        station = self.kiosk.station
        match event.button.id:
            case "stop":
                if station is not None:
                    station.cancel(self.t("kiosk.stop"))
                self.app.pop_screen()
            case "another":
                self.app.pop_screen()
            case "ready" | "practice" if not self._beside_ok():
                self.notify(self.t("kiosk.trainer.stand_beside"), severity="error")
            case "ready" if station is not None:
                station.ready()
            case "practice" if station is not None:
                station.practice()
            case "typed-save" if station is not None:
                self._type_result(station)
            case "accept" if station is not None:
                station.accept()
            case "retake" if station is not None:
                station.retake()

    async def on_input_submitted(self, _event: Input.Submitted) -> None:
        if self.kiosk.station is not None:
            self._type_result(self.kiosk.station)

    def _type_result(self, station: Station) -> None:
        """Check the typed value against its field's range, then put it up for review."""
        metric, field = TYPED_ENTRY[self.test]
        raw = self.query_one("#typed", Input).value.strip()
        try:
            value = field_ranges()[field].check(field, float(raw) if raw else None)
        except (EntryError, ValueError) as exc:
            expected = exc.expected(self.kiosk.language) if isinstance(exc, EntryError) else ""
            self.notify(f"{raw or '—'}: {expected or exc}", severity="error", timeout=10)
            return
        station.type_result({metric: value})

    def show_station(self, view: StationView) -> None:
        trial = view.trial
        role = MEASUREMENTS[self.test].role
        trace = next((t for t in view.traces if t.role == role), None)
        if trace is not None:
            self.query_one("#trace", Sparkline).data = list(trace.values)
            for cop in self.query("#cop").results(CopPath):
                cop.show(trace.cop_path)
            if self.kiosk.trace_latencies_ns is not None:
                self.call_after_refresh(self._on_screen, trace.latest_t_mono_ns)
        if trial is None or trial.test != self.test:
            return
        status, result = self._status(view), self._result(view)
        self.query_one("#status", Static).update(status)
        self.query_one("#result", Static).update(result)
        counting = trial.phase is Phase.COUNTDOWN
        countdown = self.query_one("#countdown", Digits)
        countdown.update(f"{trial.countdown_s:.0f}" if counting else "")
        countdown.display = counting
        phases = {"ready": Phase.INSTRUCT, "practice": Phase.INSTRUCT, "accept": Phase.REVIEW,
                  "retake": Phase.REVIEW}  # fmt: skip
        for button, phase in phases.items():
            self.query_one(f"#{button}", Button).disabled = trial.phase is not phase
        self.query_one("#accept", Button).disabled |= trial.practice
        for start in ("#ready", "#practice"):
            self.query_one(start, Button).disabled |= not self._beside_ok()
        retake = "kiosk.trainer.real_trial" if trial.practice else "kiosk.trainer.retake"
        self.query_one("#retake", Button).label = self.t(retake)
        typing = trial.phase in {Phase.INSTRUCT, Phase.REVIEW, Phase.DISCARDED}
        for row in self.query("#typed-row"):
            row.display = typing
        finished = trial.phase in (Phase.SAVED, Phase.DISCARDED)
        saved_now = trial.phase is Phase.SAVED and trial.trial_uuid != self._earlier_uuid
        if saved_now and self.on_saved is not None:
            on_saved, self.on_saved = self.on_saved, None
            on_saved(trial)
        self.query_one("#another", Button).disabled = not finished

    def _beside_ok(self) -> bool:
        """Whether someone stands beside the resident, where that must be confirmed."""
        return all(switch.value for switch in self.query("#beside").results(Switch))

    def on_switch_changed(self, _event: Switch.Changed) -> None:
        self.show_station(self.kiosk.station_view)

    def _on_screen(self, sample_t_mono_ns: int) -> None:
        """Record how long the newest sample took from its arrival to the screen."""
        if self.kiosk.trace_latencies_ns is not None:
            self.kiosk.trace_latencies_ns.append(time.monotonic_ns() - sample_t_mono_ns)

    def _status(self, view: StationView) -> str:
        trial = view.trial
        assert trial is not None  # noqa: S101 - called with a trial
        if trial.phase is Phase.RECORD:
            return self.t("kiosk.trainer.recording", recorded=trial.recorded_s,
                          target=trial.target_s)  # fmt: skip
        if trial.phase is Phase.REVIEW and trial.reason:
            return self.t("kiosk.trainer.save_failed", reason=trial.reason)
        if trial.phase is Phase.REVIEW and trial.practice:
            return self.t("kiosk.trainer.practice_review")
        if trial.phase is Phase.REVIEW and trial.typed:
            return self.t("kiosk.trainer.typed_review")
        if trial.phase is Phase.DISCARDED:
            return self.t("kiosk.trainer.discarded", reason=trial.reason)
        key = STATUS_KEYS.get(trial.phase)
        return self.t(key) if key else view.error

    def _result(self, view: StationView) -> str:
        trial = view.trial
        if trial is None or not trial.metrics:
            return ""
        lines = [
            self.t("kiosk.trainer.metric", name=name, value=_shown(trial.metrics.get(name)))
            for name in SHOWN_METRICS.get(self.test, ())
            if name in trial.metrics
        ]
        if trial.quality_flags:
            lines.append(self.t("kiosk.trainer.flags", flags=", ".join(trial.quality_flags)))
        return "\n".join(lines)


def _shown(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)
