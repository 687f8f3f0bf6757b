"""The SPPB on the kiosk: each part measured by a device or typed by the trainer.

Every result field is measured by a device test (kiosk.ui.measured: the stances on the plate, the
4-m walk through the timer's gates, the five chair stands on the plate) or typed. Skip logic and
scoring are the battery's (programs.batteries.sppb, REFERENCE.md §2). Before the semi-tandem and
tandem stances of a resident flagged at high fall risk, the trainer confirms that someone stands
beside the resident; until then those two stances cannot be measured and nothing can be scored.
The result shows the points, the band, the explanation and the programme it leads to; saving
stores the assessment, with how each value came in, and its outbox message, so it reaches the
office.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static, Switch

from kiosk.ui.forms import result_lines, stand_beside
from kiosk.ui.measured import Measured, MeasuringScreen
from kiosk.ui.resident import display_name
from programs.prescription import fall_risk_flags
from records.residents import Resident

HOLDS = ("side_by_side_s", "semi_tandem_s", "tandem_s")
FIELDS = (*HOLDS, "gait_1_s", "gait_2_s", "chair_stand_5x_s")
BESIDE = frozenset({"semi_tandem_s", "tandem_s"})  # someone beside a resident at high fall risk
MEASURED_BY: Mapping[str, Measured] = {
    "side_by_side_s": Measured("stance_side_by_side", "hold_s"),
    "semi_tandem_s": Measured("stance_semi_tandem", "hold_s"),
    "tandem_s": Measured("stance_tandem", "hold_s"),
    "gait_1_s": Measured("gait_4m", "time_s"),
    "gait_2_s": Measured("gait_4m", "time_s"),
    "chair_stand_5x_s": Measured("chair_stand_5x", "time_s"),
}


class SppbScreen(MeasuringScreen):
    """SPPB measured or typed, with the stand-beside confirmation, the result and the proposal."""

    def __init__(self, resident: Resident) -> None:
        super().__init__(resident, FIELDS, MEASURED_BY, BESIDE)

    def label(self, field: str) -> str:
        return self.t(f"kiosk.sppb.{field}")

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(f"SPPB — {display_name(self.resident)}", classes="title")
        profile = self.kiosk.desk.profile(self.resident, today=date.today())  # noqa: DTZ011
        if fall_risk_flags(profile):
            yield from stand_beside(self, self.BESIDE_WARNING)
        with VerticalScroll():
            for field in FIELDS:
                with Horizontal(classes="reading"):
                    yield Static(self.label(field))
                    yield Input(id=field, type="number")
                    yield self.measure_button(field)
            with Horizontal(classes="reading"):
                yield Static(self.t("kiosk.sppb.chair_stand_single_ok"))
                yield Switch(value=True, id="single_ok")
            yield Static("", id="result")
        with Horizontal(classes="row bar"):
            yield self.button("kiosk.sppb.score", "score", variant="primary")
            yield self.button("kiosk.trainer.accept", "save", variant="success")

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

    def score_entries(self) -> None:
        if not self.beside_confirmed():
            self.notify(self.t(self.BESIDE_WARNING), severity="error")
            return
        s = self.score("sppb", self._results())
        if s is None:
            return
        points = self.t("kiosk.sppb.points", balance=s["balance_points"], gait=s["gait_points"],
                        chair=s["chair_points"], total=s["total"],
                        band=self.t(f"battery.value.{s['band']}"))  # fmt: skip
        self.query_one("#result", Static).update(
            "\n".join([points, *result_lines(self, self.resident, s)])
        )
