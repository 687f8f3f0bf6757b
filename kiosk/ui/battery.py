"""The SPPB on the kiosk: each part measured by a device or typed by the trainer.

Every result field has a "measure" button that runs the matching device test (the stances on the
plate, the 4-m walk through the timer's gates, the five chair stands on the plate; kiosk.station.
measurements) and fills the field with the saved trial's value. Typing stays possible: when a
device is missing (its button is then disabled) and to correct a value. Skip logic and scoring are
the battery's (programs.batteries.sppb, REFERENCE.md §2). Before the semi-tandem and tandem
stances of a resident flagged at high fall risk, the trainer confirms that someone stands beside
the resident; until then those two stances cannot be measured and nothing can be scored. The
result shows the points, the band, the explanation and the programme it leads to; saving stores
the assessment with its outbox message, so it reaches the office. The battery's input takes only
its own fields, so how each value was entered (``sources``: measured by a device, with the trial's
uuid, or typed) is added to the saved summary next to the battery's output.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Static, Switch

from kiosk.station.measurements import MEASUREMENTS
from kiosk.station.service import TrialView
from kiosk.ui.base import KioskScreen
from kiosk.ui.forms import result_lines, stand_beside
from kiosk.ui.resident import display_name
from kiosk.ui.trainer import DeviceTestScreen
from programs.batteries import EntryError, score_battery
from programs.prescription import fall_risk_flags
from programs.profile import Profile
from records.profiles import age_on, sex_code
from records.residents import Resident

HOLDS = ("side_by_side_s", "semi_tandem_s", "tandem_s")
FIELDS = (*HOLDS, "gait_1_s", "gait_2_s", "chair_stand_5x_s")
BESIDE = ("semi_tandem_s", "tandem_s")  # someone stands beside a resident at high fall risk
# field -> (device test, the metric that is the field's value)
MEASURED_BY: Mapping[str, tuple[str, str]] = {
    "side_by_side_s": ("stance_side_by_side", "hold_s"),
    "semi_tandem_s": ("stance_semi_tandem", "hold_s"),
    "tandem_s": ("stance_tandem", "hold_s"),
    "gait_1_s": ("gait_4m", "time_s"),
    "gait_2_s": ("gait_4m", "time_s"),
    "chair_stand_5x_s": ("chair_stand_5x", "time_s"),
}


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
    """Return a measured value as the form shows it (0.01 s, as the battery records), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return f"{value:.2f}"


class SppbScreen(KioskScreen):
    """SPPB measured or typed, with the stand-beside confirmation, the result and the proposal."""

    DEFAULT_CSS = """
    SppbScreen .reading Button {
        width: auto;
        min-width: 10;
        margin: 0 0 0 1;
    }
    """

    def __init__(self, resident: Resident) -> None:
        super().__init__()
        self.resident = resident
        self.summary: dict[str, Any] | None = None
        self.scored_from: dict[str, object] = {}  # the entries the summary was scored from
        self.filled: dict[str, Filled] = {}  # fields filled from a saved trial

    def _profile(self) -> Profile:
        return self.kiosk.desk.profile(self.resident, today=date.today())  # noqa: DTZ011

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(f"SPPB — {display_name(self.resident)}", classes="title")
        flagged = bool(fall_risk_flags(self._profile()))
        if flagged:
            yield from stand_beside(self, "kiosk.sppb.stand_beside")
        with VerticalScroll():
            for field in FIELDS:
                with Horizontal(classes="reading"):
                    yield Static(self.t(f"kiosk.sppb.{field}"))
                    yield Input(id=field, type="number")
                    yield self.button("kiosk.sppb.measure", f"measure-{field}")
            with Horizontal(classes="reading"):
                yield Static(self.t("kiosk.sppb.chair_stand_single_ok"))
                yield Switch(value=True, id="single_ok")
            yield Static("", id="result")
        with Horizontal(classes="row bar"):
            yield self.button("kiosk.sppb.score", "score", variant="primary")
            yield self.button("kiosk.trainer.accept", "save", variant="success")

    def on_mount(self) -> None:
        self.query_one("#save", Button).disabled = True
        self._enable_measuring()

    def _beside_confirmed(self) -> bool:
        """Whether the stances needing someone beside may go ahead (confirmed, or not needed)."""
        beside = self.query("#beside")
        return not beside or self.query_one("#beside", Switch).value

    def _enable_measuring(self) -> None:
        """Enable each measure button whose device is there (the harder stances: once confirmed)."""
        roles = {device.role for device in self.kiosk.station_view.devices}
        confirmed = self._beside_confirmed()
        for field, (test, _metric) in MEASURED_BY.items():
            missing = self.kiosk.station is None or MEASUREMENTS[test].role not in roles
            waiting = field in BESIDE and not confirmed
            self.query_one(f"#measure-{field}", Button).disabled = missing or waiting

    def on_switch_changed(self, event: Switch.Changed) -> None:
        if event.switch.id == "beside":
            self._enable_measuring()
        self._enable_saving()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._enable_saving()

    def _entries(self) -> dict[str, object]:
        """Return what the trainer has entered, as it stands."""
        entries: dict[str, object] = {
            f: self.query_one(f"#{f}", Input).value.strip() for f in FIELDS
        }
        entries["single_ok"] = self.query_one("#single_ok", Switch).value
        return entries

    def _enable_saving(self) -> None:
        """Allow saving only the score of the values as they stand (changed: score again)."""
        current = self.summary is not None and self.scored_from == self._entries()
        self.query_one("#save", Button).disabled = not current

    def _results(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for field in FIELDS:
            raw = self.query_one(f"#{field}", Input).value.strip()
            if raw:
                values[field] = float(raw)
        results = {k: v for k, v in values.items() if k in HOLDS}
        results["gait_4m_s"] = [values[g] for g in ("gait_1_s", "gait_2_s") if g in values]
        results["chair_stand_single_ok"] = self.query_one("#single_ok", Switch).value
        results["chair_stand_5x_s"] = values.get("chair_stand_5x_s")
        return results

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        name = event.button.id or ""
        match name:
            case "back":
                self.app.pop_screen()
            case _ if name.startswith("measure-"):
                self._measure(name.removeprefix("measure-"))
            case "score":
                self._score()
            case "save" if self.summary is not None and self.scored_from == self._entries():
                self.kiosk.desk.save_assessment(self.resident, self.summary)
                self.notify(self.t("kiosk.trainer.saved"))
                self.app.pop_screen()

    def _measure(self, field: str) -> None:
        """Run the field's device test; its saved value fills the field (``_measured``)."""
        if field in BESIDE and not self._beside_confirmed():
            self.notify(self.t("kiosk.sppb.stand_beside"), severity="error")
            return
        test, _metric = MEASURED_BY[field]
        on_saved = functools.partial(self._measured, field)
        screen = DeviceTestScreen(self.resident, test, on_saved=on_saved,
                                  beside_confirmed=self._beside_confirmed())  # fmt: skip
        self.app.push_screen(screen)

    def _measured(self, field: str, trial: TrialView) -> None:
        """Fill ``field`` with the saved trial's value, or say that it gave none."""
        test, metric = MEASURED_BY[field]
        text = entered(trial.metrics.get(metric))
        name = self.t(f"kiosk.sppb.{field}")
        if text is None:
            flags = ", ".join(trial.quality_flags) or "—"
            self.notify(self.t("kiosk.sppb.not_measured", field=name, flags=flags),
                        severity="warning", timeout=15)  # fmt: skip
            return
        self.query_one(f"#{field}", Input).value = text
        self.filled[field] = Filled(text, test, trial.trial_uuid, trial.typed)
        self.notify(self.t("kiosk.sppb.measured", field=name, value=text))

    def _sources(self) -> dict[str, dict[str, Any]]:
        """How each entered value came in: measured by a device (its trial) or typed."""
        sources: dict[str, dict[str, Any]] = {}
        for field in FIELDS:
            text = self.query_one(f"#{field}", Input).value.strip()
            if text:
                filled = self.filled.get(field)
                sources[field] = filled.source(text) if filled else {"entry": "typed"}
        return sources

    def _score(self) -> None:
        if not self._beside_confirmed():
            self.notify(self.t("kiosk.sppb.stand_beside"), severity="error")
            return
        fields = self.resident.fields
        document = {
            "battery": "sppb",
            "resident": {"sex": sex_code(self.resident),
                         "age_years": age_on(fields.birth_date, date.today())},  # noqa: DTZ011
        }  # fmt: skip
        try:
            scored = score_battery({**document, "results": self._results()})
        except EntryError as exc:
            problem = f"{exc.field} = {exc.value}: {exc.expected(self.kiosk.language)}"
            self.notify(problem, severity="error", timeout=15)
            return
        self.summary = {**scored.as_json(), "sources": self._sources()}
        self.scored_from = self._entries()
        self.query_one("#result", Static).update(self._result_text())
        self.query_one("#save", Button).disabled = False

    def _result_text(self) -> str:
        assert self.summary is not None  # noqa: S101 - called after scoring
        s = self.summary
        points = self.t("kiosk.sppb.points", balance=s["balance_points"], gait=s["gait_points"],
                        chair=s["chair_points"], total=s["total"],
                        band=self.t(f"battery.value.{s['band']}"))  # fmt: skip
        return "\n".join([points, *result_lines(self, self.resident, s)])
