"""Battery entry screens whose fields a device test can fill, or the trainer can type.

A field measured by a device test (kiosk.station.measurements) has a "measure" button beside its
input: it runs the test on the trainer's device-test screen and fills the field with the saved
trial's value. Its button is disabled while the test's device is missing. Where a battery records
the best of several trials (``Measured.best``: AWGS grip strength takes the maximum, REFERENCE.md
§1.5; the one-leg stance the better trial, §6.1), measuring again keeps the better value;
otherwise the latest trial's value replaces the field. Typing stays possible, to correct a value
or when there is no device. The results as entered (``results``: not every battery repeats them
in its output) and how each value came in (``sources``: measured, with the trial's uuid, or
typed) are saved next to the battery's output. Fields for the harder stances of a resident
flagged at high fall risk can be measured only once the trainer confirms that someone stands
beside the resident. Only the score of the values as they stand can be saved: a change after
scoring needs a new score.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual.widgets import Button, Input, Select, Switch

from kiosk.station.measurements import MEASUREMENTS
from kiosk.station.service import TrialView
from kiosk.ui.base import KioskScreen
from programs.batteries import EntryError, score_battery
from programs.batteries.entry import field_ranges
from records.profiles import age_on, sex_code
from records.residents import Resident


@dataclass(frozen=True, slots=True)
class Measured:
    """How a field is measured: the device test, its metric, and whether the best trial counts."""

    test: str
    metric: str
    best: bool = False  # the largest value of the trials measured is recorded


@dataclass(frozen=True, slots=True)
class Filled:
    """A field filled from a saved trial: the text put in, the test, the trial, whether typed."""

    text: str
    test: str
    trial_uuid: str | None
    typed: bool

    def source(self, text: str) -> dict[str, Any]:
        """Return how the field's current ``text`` was entered (typed over, it is typed)."""
        if text != self.text:
            return {"entry": "typed"}
        entry = "typed" if self.typed else "device"
        return {"entry": entry, "test": self.test, "trial_uuid": self.trial_uuid}


def entered(value: object) -> str | None:
    """Return a measured value as the form shows it (0.01, as the batteries record), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return f"{value:.2f}"


class MeasuringScreen(KioskScreen):
    """A battery's entry screen with measure buttons, the stand-beside switch and sources."""

    DEFAULT_CSS = """
    MeasuringScreen .reading Button {
        width: auto;
        min-width: 10;
        margin: 0 0 0 1;
    }
    """

    BESIDE_WARNING = "kiosk.sppb.stand_beside"  # the message key asking for someone beside
    # Each screen scores its own entries (the "score" button): reads them, then ``score``.
    score_entries: Callable[[], None]

    def __init__(
        self,
        resident: Resident,
        fields: tuple[str, ...],
        measured_by: Mapping[str, Measured],
        beside: frozenset[str],
    ) -> None:
        """``fields`` are typed into inputs; ``beside`` need someone beside a flagged resident."""
        super().__init__()
        self.resident, self.entry_fields = resident, fields
        self.measured_by, self.beside = measured_by, beside
        self.summary: dict[str, Any] | None = None
        self.scored_from: dict[str, object] = {}  # the entries the summary was scored from
        self.filled: dict[str, Filled] = {}  # fields filled from a saved trial

    def label(self, field: str) -> str:
        """Return a field's name as the screen shows it, with the unit of its entry range."""
        label = self.t(f"kiosk.forms.{field}")
        if field in field_ranges():
            return f"{label} ({self.t(f'battery.unit.{field_ranges()[field].unit}')})"
        return label

    def measure_button(self, field: str) -> Button:
        return self.button("kiosk.sppb.measure", f"measure-{field}")

    def beside_confirmed(self) -> bool:
        """Whether the stances needing someone beside may go ahead (confirmed, or not needed)."""
        beside = self.query("#beside")
        return not beside or self.query_one("#beside", Switch).value

    def enable_measuring(self) -> None:
        """Enable each measure button whose device is there (the harder stances: once confirmed)."""
        roles = {device.role for device in self.kiosk.station_view.devices}
        confirmed = self.beside_confirmed()
        for field, measured in self.measured_by.items():
            missing = self.kiosk.station is None or MEASUREMENTS[measured.test].role not in roles
            waiting = field in self.beside and not confirmed
            self.query_one(f"#measure-{field}", Button).disabled = missing or waiting

    def entries(self) -> dict[str, object]:
        """Return what the trainer has entered, as it stands."""
        values: dict[str, object] = {
            f: self.query_one(f"#{f}", Input).value.strip() for f in self.entry_fields
        }
        for switch in self.query(Switch).results(Switch):
            values[f"switch:{switch.id}"] = switch.value
        for select in self.query(Select).results(Select):
            values[f"select:{select.id}"] = select.value
        return values

    def enable_saving(self) -> None:
        """Allow saving only the score of the values as they stand (changed: score again)."""
        current = self.summary is not None and self.scored_from == self.entries()
        self.query_one("#save", Button).disabled = not current

    def score(self, battery: str, results: Mapping[str, Any]) -> dict[str, Any] | None:
        """Score ``results`` of ``battery`` for the resident; keep the summary for saving.

        The kept summary holds the results and their sources too. On a value the battery refuses,
        say which and return None.
        """
        fields = self.resident.fields
        document = {
            "battery": battery,
            "resident": {"sex": sex_code(self.resident),
                         "age_years": age_on(fields.birth_date, date.today())},  # noqa: DTZ011
            "results": results,
        }  # fmt: skip
        try:
            scored = score_battery(document)
        except EntryError as exc:
            name = exc.field.removeprefix("results.").split("[")[0].split(".")[0]
            label = self.label(name) if name in self.entry_fields else exc.field
            problem = f"{label} = {exc.value}: {exc.expected(self.kiosk.language)}"
            self.notify(problem, severity="error", timeout=15)
            return None
        self.summary = {**scored.as_json(), "results": dict(results), "sources": self.sources()}
        self.scored_from = self.entries()
        self.enable_saving()
        return self.summary

    def save(self) -> None:
        """Save the scored summary, if it is the score of the values as they stand."""
        if self.summary is None or self.scored_from != self.entries():
            return
        self.kiosk.desk.save_assessment(self.resident, self.summary)
        self.notify(self.t("kiosk.trainer.saved"))
        self.app.pop_screen()

    def on_mount(self) -> None:
        self.query_one("#save", Button).disabled = True
        self.enable_measuring()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        name = event.button.id or ""
        match name:
            case "back":
                self.app.pop_screen()
            case _ if name.startswith("measure-"):
                self.measure(name.removeprefix("measure-"))
            case "score":
                self.score_entries()
            case "save":
                self.save()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        if event.switch.id == "beside":
            self.enable_measuring()
        self.enable_saving()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.enable_saving()

    def on_select_changed(self, _event: Select.Changed) -> None:
        self.enable_saving()

    def measure(self, field: str) -> None:
        """Run the field's device test; its saved value fills the field (``fill``)."""
        if field in self.beside and not self.beside_confirmed():
            self.notify(self.t(self.BESIDE_WARNING), severity="error")
            return
        from kiosk.ui.trainer import DeviceTestScreen  # noqa: PLC0415 - the trainer imports this

        on_saved = functools.partial(self.fill, field)
        test, ok = self.measured_by[field].test, self.beside_confirmed()
        screen = DeviceTestScreen(self.resident, test, on_saved=on_saved, beside_confirmed=ok)
        self.app.push_screen(screen)

    def fill(self, field: str, trial: TrialView) -> None:
        """Fill ``field`` with the saved trial's value, keep a better one, or say it gave none."""
        measured = self.measured_by[field]
        text = entered(trial.metrics.get(measured.metric))
        name = self.label(field)
        if text is None:
            flags = ", ".join(trial.quality_flags) or "—"
            self.notify(self.t("kiosk.sppb.not_measured", field=name, flags=flags),
                        severity="warning", timeout=15)  # fmt: skip
            return
        field_input = self.query_one(f"#{field}", Input)
        earlier = self.filled.get(field)
        if (measured.best and earlier is not None and earlier.text == field_input.value.strip()
                and float(earlier.text) >= float(text)):  # fmt: skip
            self.notify(self.t("kiosk.sppb.kept_best", field=name, value=earlier.text, new=text))
            return
        field_input.value = text
        self.filled[field] = Filled(text, measured.test, trial.trial_uuid, trial.typed)
        self.notify(self.t("kiosk.sppb.measured", field=name, value=text))

    def sources(self) -> dict[str, dict[str, Any]]:
        """How each entered value came in: measured by a device (its trial) or typed."""
        sources: dict[str, dict[str, Any]] = {}
        for field in self.entry_fields:
            text = self.query_one(f"#{field}", Input).value.strip()
            if text:
                filled = self.filled.get(field)
                sources[field] = filled.source(text) if filled else {"entry": "typed"}
        return sources
