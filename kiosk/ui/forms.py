"""Batteries entered by the trainer: the fall-risk set, AWGS 2019 and the MEXT 65–79 battery.

Each form lists its battery's raw results (programs.batteries, REFERENCE.md §1, §3, §6, §7), any
of which may be left empty where the battery allows it; units and ranges come from
programs/data/battery_entry.toml and a value outside them is refused with the field and what is
allowed. The results a device test gives are measured or typed (kiosk.ui.measured): the one-leg
stance on the force plate (the better of the trials, §6.1), AWGS grip strength on the dynamometer
(the maximum of the trials, §1.5) and AWGS's five chair stands on the plate. The MEXT grip is typed:
it is the mean of the best right and best left hands (§7.1), and the grip test does not record
the hand. A one-leg stance for a resident flagged at high fall risk needs the trainer to confirm
that someone stands beside the resident. Scoring shows the battery's explanation and the
programme it leads to; saving stores the assessment with its outbox message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Select, Static, Switch

from kiosk.ui.base import KioskScreen
from kiosk.ui.measured import Measured, MeasuringScreen
from kiosk.ui.resident import display_name
from programs.catalogue import catalogue
from programs.explanations import battery_lines, programme_label
from programs.prescription import fall_risk_flags, prescribe
from programs.profile import parse_profile
from records.residents import Resident

FORMS: Mapping[str, tuple[str, ...]] = {
    "fall_risk": ("tug_s", "one_leg_stance_s", "functional_reach_cm"),
    "awgs2019": ("grip_kg", "gait_speed_m_s", "gait_course_m", "chair_stand_5x_s", "sppb_total",
                 "calf_cm", "sarc_f", "smi_kg_m2"),
    "mext65": ("adl_answers", "grip_kg", "sit_ups", "sit_and_reach_cm", "one_leg_stance_s",
               "obstacle_walk_10m_s", "walk_6min_m"),
}  # fmt: skip
STANCES = frozenset({"one_leg_stance_s"})  # entered only after the stand-beside confirmation
ONE_LEG = Measured("one_leg_stance", "hold_s", best=True)
MEASURED_BY: Mapping[str, Mapping[str, Measured]] = {
    "fall_risk": {"one_leg_stance_s": ONE_LEG},
    "awgs2019": {"grip_kg": Measured("grip", "peak_kgf", best=True),
                 "chair_stand_5x_s": Measured("chair_stand_5x", "time_s")},
    "mext65": {"one_leg_stance_s": ONE_LEG},
}  # fmt: skip
SMI_METHODS = ("dxa", "bia")
ADL_ANSWERS = 12


class FormError(ValueError):
    """A typed value that is not a number (or not 12 ADL answers)."""

    def __init__(self, field: str, key: str) -> None:
        super().__init__(f"{field}: {key}")
        self.field, self.key = field, key


def read_value(field: str, raw: str) -> float | list[int]:
    """Return the typed ``raw`` as the battery expects it; ranges are checked by the battery."""
    if field == "adl_answers":
        answers = raw.replace(",", " ").split()
        if len(answers) != ADL_ANSWERS or not all(a in {"1", "2", "3"} for a in answers):
            raise FormError(field, "kiosk.forms.adl_expected")
        return [int(a) for a in answers]
    try:
        return float(raw)
    except ValueError:
        raise FormError(field, "kiosk.forms.number_expected") from None


class BatteryFormScreen(MeasuringScreen):
    """A battery measured or typed: fields, score, explanation and proposal, save."""

    BESIDE_WARNING = "kiosk.forms.stand_beside"

    def __init__(self, resident: Resident, battery: str) -> None:
        if battery not in FORMS:
            raise ValueError(f"no typed form for {battery!r}; expected one of {sorted(FORMS)}")
        super().__init__(resident, FORMS[battery], MEASURED_BY[battery], STANCES)
        self.battery = battery

    def compose(self) -> ComposeResult:
        yield self.button("kiosk.back", "back")
        yield Static(f"{self.t(f'battery.name.{self.battery}')} — {display_name(self.resident)}",
                     classes="title")  # fmt: skip
        fields = FORMS[self.battery]
        today = date.today()  # noqa: DTZ011 - the kiosk's local day
        if STANCES & set(fields) and fall_risk_flags(
            self.kiosk.desk.profile(self.resident, today=today)
        ):
            yield from stand_beside(self, self.BESIDE_WARNING)
        with VerticalScroll():
            for field in fields:
                with Horizontal(classes="reading"):
                    yield Static(self.label(field))
                    yield Input(id=field, type="text" if field == "adl_answers" else "number")
                    if field in self.measured_by:
                        yield self.measure_button(field)
            if "smi_kg_m2" in fields:
                with Horizontal(classes="reading"):
                    yield Static(self.t("kiosk.forms.smi_method"))
                    yield Select([(m.upper(), m) for m in SMI_METHODS], id="smi_method")
            yield Static("", id="result")
        with Horizontal(classes="row bar"):
            yield self.button("kiosk.sppb.score", "score", variant="primary")
            yield self.button("kiosk.trainer.accept", "save", variant="success")

    def _results(self) -> dict[str, Any]:
        """Return the typed results; raise FormError for a value that is not a number."""
        results: dict[str, Any] = {}
        for field in FORMS[self.battery]:
            raw = self.query_one(f"#{field}", Input).value.strip()
            if raw:
                results[field] = read_value(field, raw)
        for method in self.query("#smi_method").results(Select):
            if isinstance(method.value, str):
                results["smi_method"] = method.value
        return results

    def score_entries(self) -> None:
        try:
            results = self._results()
        except FormError as exc:
            self.notify(f"{self.label(exc.field)}: {self.t(exc.key)}", severity="error")
            return
        beside = self.query("#beside").results(Switch)
        if STANCES & set(results) and any(not switch.value for switch in beside):
            self.notify(self.t(self.BESIDE_WARNING), severity="error")
            return
        summary = self.score(self.battery, results)
        if summary is not None:
            lines = result_lines(self, self.resident, summary)
            self.query_one("#result", Static).update("\n".join(lines))


def stand_beside(screen: KioskScreen, warning: str) -> ComposeResult:
    """Yield the high-fall-risk warning and the switch confirming someone stands beside."""
    yield Static(screen.t(warning), classes="alert")
    with Horizontal(classes="reading"):
        yield Static(screen.t("kiosk.sppb.confirm"))
        yield Switch(id="beside")


def result_lines(screen: KioskScreen, resident: Resident, summary: Mapping[str, Any]) -> list[str]:
    """Return the explanation of a just-scored battery and the programme it leads to."""
    lang = screen.kiosk.language
    document = screen.kiosk.desk.profile(resident, today=date.today())  # noqa: DTZ011
    profile_json = document.model_dump(mode="json", exclude_none=True)
    profile_json["assessments"] = [*profile_json.get("assessments", []), dict(summary)]
    profile = parse_profile(profile_json)
    prescription = prescribe(profile, for_today=False)
    proposal = screen.t("kiosk.sppb.proposal",
                        programme=programme_label(prescription, lang, catalogue()),
                        level=prescription.level)  # fmt: skip
    return [*battery_lines(profile, str(summary["battery"]), lang), proposal]
