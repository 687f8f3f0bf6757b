"""The SPPB on the kiosk by manual entry: the trainer times each part and types the results.

Skip logic and scoring are the battery's (programs.batteries.sppb, REFERENCE.md §2). Before the
semi-tandem and tandem stances of a resident flagged at high fall risk, the trainer confirms that
someone stands beside the resident; nothing can be scored until then. The result shows the points,
the band, the explanation and the programme it leads to; saving stores the assessment with its
outbox message, so it reaches the office.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Static, Switch

from kiosk.ui.base import KioskScreen
from kiosk.ui.resident import display_name
from programs.batteries import EntryError, score_battery
from programs.catalogue import catalogue
from programs.explanations import explain, programme_label
from programs.prescription import fall_risk_flags, prescribe
from programs.profile import Profile, parse_profile
from records.profiles import age_on, sex_code
from records.residents import Resident

HOLDS = ("side_by_side_s", "semi_tandem_s", "tandem_s")
FIELDS = (*HOLDS, "gait_1_s", "gait_2_s", "chair_stand_5x_s")


class SppbScreen(KioskScreen):
    """SPPB by manual entry, with the stand-beside confirmation, the result and the proposal."""

    def __init__(self, resident: Resident) -> None:
        super().__init__()
        self.resident = resident
        self.summary: dict[str, Any] | None = None

    def _profile(self) -> Profile:
        return self.kiosk.desk.profile(self.resident, today=date.today())  # noqa: DTZ011

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(f"SPPB — {display_name(self.resident)}", classes="title")
        flagged = bool(fall_risk_flags(self._profile()))
        if flagged:
            yield Static(self.t("kiosk.sppb.stand_beside"), classes="alert")
            with Horizontal(classes="reading"):
                yield Static(self.t("kiosk.sppb.confirm"))
                yield Switch(id="beside")
        with VerticalScroll():
            for field in FIELDS:
                with Horizontal(classes="reading"):
                    yield Static(self.t(f"kiosk.sppb.{field}"))
                    yield Input(id=field, type="number")
            with Horizontal(classes="reading"):
                yield Static(self.t("kiosk.sppb.chair_stand_single_ok"))
                yield Switch(value=True, id="single_ok")
            yield Static("", id="result")
        with Horizontal(classes="row bar"):
            yield self.button("kiosk.sppb.score", "score", variant="primary")
            yield self.button("kiosk.trainer.accept", "save", variant="success")

    def on_mount(self) -> None:
        self.query_one("#save", Button).disabled = True

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
        match event.button.id:
            case "back":
                self.app.pop_screen()
            case "score":
                self._score()
            case "save" if self.summary is not None:
                self.kiosk.desk.save_assessment(self.resident, self.summary)
                self.notify(self.t("kiosk.trainer.saved"))
                self.app.pop_screen()

    def _score(self) -> None:
        beside = self.query("#beside")
        if beside and not self.query_one("#beside", Switch).value:
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
        self.summary = scored.as_json()
        self.query_one("#result", Static).update(self._result_text())
        self.query_one("#save", Button).disabled = False

    def _result_text(self) -> str:
        assert self.summary is not None  # noqa: S101 - called after scoring
        lang = self.kiosk.language
        document = self._profile().model_dump(mode="json", exclude_none=True)
        document["assessments"] = [*document.get("assessments", []), self.summary]
        profile = parse_profile(document)
        prescription = prescribe(profile, for_today=False)
        explanation = explain(profile, prescription, lang)
        s = self.summary
        lines = [
            self.t("kiosk.sppb.points", balance=s["balance_points"], gait=s["gait_points"],
                   chair=s["chair_points"], total=s["total"],
                   band=self.t(f"battery.value.{s['band']}")),
            *explanation.resident[:4],
            self.t("kiosk.sppb.proposal",
                   programme=programme_label(prescription, lang, catalogue()),
                   level=prescription.level),
        ]  # fmt: skip
        return "\n".join(lines)
