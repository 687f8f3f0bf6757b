"""The resident flow: home → who are you → health check → exercises → how it felt → progress.

Each step replaces the previous one (``switch_screen``), so the stack stays home + one screen and
the always-visible stop leads back home from anywhere. A failed health check ends the visit kindly,
records it and alerts staff; nothing else is offered.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Sparkline, Static

from kiosk.desk import KANA_ROWS, Visit, kana_row
from kiosk.station.service import StationView
from kiosk.ui.base import KioskScreen
from kiosk.ui.exercise import ExerciseScreen
from programs.screening import Outcome, Vitals
from records.residents import Resident

READINGS = (  # (input id, message key, Vitals field, stored reading)
    ("sbp", "kiosk.vitals.sbp", "sbp_mmhg", "systolic_mmhg"),
    ("dbp", "kiosk.vitals.dbp", "dbp_mmhg", "diastolic_mmhg"),
    ("pulse", "kiosk.vitals.pulse", "pulse_bpm", "pulse_bpm"),
    ("spo2", "kiosk.vitals.spo2", "spo2_pct", "spo2_pct"),
    ("temperature", "kiosk.vitals.temperature", "temperature_c", "temperature_c"),
)


def display_name(resident: Resident) -> str:
    """Return the resident's name as the kiosk shows it."""
    return f"{resident.fields.family_name} {resident.fields.given_name}"


class HomeScreen(KioskScreen):
    """The welcome screen: start, trainer, language."""

    def compose(self) -> ComposeResult:
        yield Static(self.t("kiosk.title"), classes="title")
        yield Static(self.t("kiosk.welcome"), classes="message")
        yield self.button("kiosk.start", "start", variant="success", big=True)
        yield self.button("kiosk.trainer_mode", "trainer", big=True)
        yield self.button("kiosk.language", "language")
        if self.kiosk.hint:
            yield Static(self.kiosk.hint, classes="message", id="hint")

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.app.push_screen(IdentifyScreen())
        elif event.button.id == "trainer":
            from kiosk.ui.trainer import PinScreen  # noqa: PLC0415 - trainer imports this module

            self.app.push_screen(PinScreen())
        elif event.button.id == "language":
            await self.app.run_action("toggle_language")


class IdentifyScreen(KioskScreen):
    """Who are you: a kana index and name buttons, or a card reader that types a number."""

    def __init__(self) -> None:
        super().__init__()
        self.row: str | None = None  # the first row with residents, chosen when composed
        self.shown: list[Resident] = []  # the residents of the row, as their buttons show them

    def compose(self) -> ComposeResult:
        rows: dict[str, list[Resident]] = {}
        for resident in self.kiosk.desk.residents():
            rows.setdefault(kana_row(resident.fields.family_kana), []).append(resident)
        if self.row is None:
            self.row = next((row for row in KANA_ROWS if rows.get(row)), KANA_ROWS[0])
        self.shown = rows.get(self.row, [])
        yield self.button("kiosk.stop", "stop", variant="error")
        yield Static(self.t("kiosk.identify"), classes="title")
        with Horizontal(classes="row kana"):
            for index, row in enumerate(KANA_ROWS):
                yield Button(row, id=f"kana-{index}",
                             variant="primary" if row == self.row else "default")  # fmt: skip
        with VerticalScroll(id="names"):
            if not self.shown:
                yield Static(self.t("kiosk.nobody"), classes="message")
            for index, resident in enumerate(self.shown):
                yield Button(display_name(resident), id=f"who-{index}", classes="big")
        yield Input(placeholder=self.t("kiosk.card"), id="card")

    def on_mount(self) -> None:
        self.query_one("#card", Input).focus()  # a card reader types into the focused input

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        name = event.button.id or ""
        if name == "stop":
            self.app.pop_screen()
        elif name.startswith("kana-"):
            self.row = KANA_ROWS[int(name.removeprefix("kana-"))]
            await self.recompose()
            self.on_mount()
        elif name.startswith("who-"):
            resident = self.shown[int(name.removeprefix("who-"))]
            self.app.switch_screen(VitalsScreen(resident))

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        resident = self.kiosk.desk.find(event.value)
        if resident is None:
            self.notify(self.t("kiosk.not_found", code=event.value.strip()), severity="warning")
            event.input.clear()
            return
        self.app.switch_screen(VitalsScreen(resident))


class VitalsScreen(KioskScreen):
    """The health check: readings typed by staff (or filled by devices), then go or no-go."""

    def __init__(self, resident: Resident) -> None:
        super().__init__()
        self.resident = resident
        self.visit: Visit | None = None
        self.stored: dict[str, float | None] = {}
        self.started_at = datetime.now(UTC)
        self.opened_ns = time.monotonic_ns()
        self.from_devices: set[str] = set()  # inputs a device filled (a newer reading replaces)

    def on_mount(self) -> None:
        self.opened_ns = time.monotonic_ns()
        self.show_station(self.kiosk.station_view)

    def show_station(self, view: StationView) -> None:
        """Fill in readings the devices sent since this check began (typed values stay)."""
        for input_id, _key, field, _stored in READINGS:
            reading = view.vitals.get(field)
            box = self.query_one(f"#{input_id}", Input)
            if reading is None or reading[1] < self.opened_ns:
                continue
            if not box.value or input_id in self.from_devices:
                box.value = f"{reading[0]:g}"
                self.from_devices.add(input_id)

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.stop", "stop", variant="error")
        yield Static(self.t("kiosk.hello", name=display_name(self.resident)), classes="title")
        yield Static(self.t("kiosk.vitals.explain"), classes="message")
        with VerticalScroll():
            for input_id, key, _field, _stored in READINGS:
                with Horizontal(classes="reading"):
                    yield Static(self.t(key))
                    yield Input(id=input_id, type="number")
        yield self.button("kiosk.vitals.check", "check", variant="success", big=True)
        yield Static("", id="outcome")

    def readings(self) -> tuple[Vitals, dict[str, float | None]] | None:
        """Return the typed readings, or None after saying which one is not a number."""
        values: dict[str, float | None] = {}
        for input_id, key, field, _stored in READINGS:
            raw = self.query_one(f"#{input_id}", Input).value.strip()
            try:
                values[field] = float(raw) if raw else None
            except ValueError:
                self.notify(self.t("kiosk.vitals.bad_number", field=self.t(key)), severity="error")
                return None
        stored = {stored: values[field] for _i, _k, field, stored in READINGS}
        return Vitals(**values), stored

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "stop":
            self.app.pop_screen()
        elif event.button.id == "check":
            await self.check()
        elif event.button.id == "confirmed" and self.visit is not None:
            self.app.switch_screen(ExerciseScreen(self.visit, self.started_at, self.stored))

    async def check(self) -> None:
        """Screen the readings and go on, wait for staff, or end the visit kindly."""
        parsed = self.readings()
        if parsed is None:
            return
        vitals, self.stored = parsed
        visit = self.kiosk.desk.check(self.resident, vitals, today=date.today())  # noqa: DTZ011
        self.visit = visit
        outcome = visit.screening.outcome
        if outcome is Outcome.DO_NOT_START:
            self.app.switch_screen(RestScreen(visit, self.started_at, self.stored))
        elif outcome is Outcome.OK:
            self.app.switch_screen(ExerciseScreen(visit, self.started_at, self.stored))
        else:
            note = self.query_one("#outcome", Static)
            note.update(self.t("kiosk.vitals.consult"))
            note.set_classes("wait")
            await self.mount(self.button("kiosk.vitals.staff_confirmed", "confirmed", big=True))


class RestScreen(KioskScreen):
    """No exercise today: a kind message for the resident, an alert for staff, the visit saved."""

    def __init__(
        self, visit: Visit, started_at: datetime, readings: dict[str, float | None]
    ) -> None:
        super().__init__()
        self.visit = visit
        self.kiosk_started_at, self.readings = started_at, readings

    def alert(self) -> str:
        """Return the staff alert: who, and the criteria that stopped the visit."""
        reasons = "; ".join(c.reason for c in self.visit.screening.criteria)
        return self.t("kiosk.vitals.staff_alert", name=display_name(self.visit.resident),
                      reasons=reasons)  # fmt: skip

    def compose(self) -> ComposeResult:
        yield Static(self.t("kiosk.vitals.rest"), classes="wait")
        yield Static(self.alert(), classes="alert", id="staff-alert")
        yield self.button("kiosk.finish", "finish", big=True)

    def on_mount(self) -> None:
        self.kiosk.desk.save_visit(
            self.visit, started_at=self.kiosk_started_at, done=[], rpe=None, pain=False,
            readings=self.readings,
        )  # fmt: skip
        self.app.bell()
        self.notify(self.alert(), severity="error", timeout=60)

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.app.pop_screen()


class ProgressScreen(KioskScreen):
    """After the session: thanks, sessions this month, how hard the last sessions felt."""

    def __init__(self, resident: Resident) -> None:
        super().__init__()
        self.resident = resident

    def compose(self) -> ComposeResult:
        sessions = self.kiosk.desk.sessions(self.resident)
        month = datetime.now(UTC).astimezone().strftime("%Y-%m")
        this_month = [s for s, _rpe in sessions if s.astimezone().strftime("%Y-%m") == month]
        efforts = [float(rpe) for _s, rpe in sessions if rpe is not None][-10:]
        yield Static(self.t("kiosk.progress.title", name=display_name(self.resident)),
                     classes="title")  # fmt: skip
        yield Static(self.t("kiosk.progress.sessions", count=len(this_month)), classes="message")
        if len(efforts) > 1:
            yield Static(self.t("kiosk.progress.effort"))
            yield Sparkline(efforts)
        else:
            yield Static(self.t("kiosk.progress.none"), classes="message")
        yield self.button("kiosk.finish", "finish", variant="success", big=True)

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.app.pop_screen()
