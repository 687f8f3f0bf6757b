"""A resident's profile for prescription: who, assessments, today's vitals, limits, history.

The profile is what ``genki programs prescribe --profile FILE.json`` reads and what the kiosk and
the office build from their records::

    {"resident": {"sex": "F", "age_years": 84, "care_level": "support_1"},
     "assessments": [<battery output of `genki battery score --json`>, ...],   oldest first
     "vitals": <output of `genki screen vitals --json`> (or {"outcome": "ok"}),
     "contraindications": ["knee_pain", ...],
     "history": [{"date": "2026-11-02", "programme": "standing_strength_balance", "level": 2,
                  "completed": true, "rpe": 12, "pain": false, "vitals": "ok"}, ...],  oldest first
     "override": {"programme": "walking", "level": 1, "staff": "佐藤", "reason": "..."}}

``assessments`` may also be an object keyed by battery name. Battery outputs are taken as they
are (only the fields the rules read are checked); a grip assessment is the output of ``genki
score grip --json`` with ``"battery": "grip"`` added. ``parse_profile`` raises ProfileError naming
the field and what is expected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

Sex = Literal["F", "M"]
CareLevel = Literal[
    "independent", "jigyo_taishosha", "support_1", "support_2",
    "care_1", "care_2", "care_3", "care_4", "care_5",
]  # fmt: skip
VitalsOutcome = Literal["ok", "consult_staff", "pause_recheck", "stop", "do_not_start"]


class ProfileError(ValueError):
    """A profile that breaks its schema; ``problems`` lists each as 'field: what is expected'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ResidentInfo(_Model):
    """Who the prescription is for."""

    sex: Sex
    age_years: Annotated[int, Field(ge=40, le=120)]
    care_level: CareLevel | None = None


class Assessment(BaseModel):
    """One battery output as printed by ``genki battery score --json`` (extra fields kept)."""

    model_config = ConfigDict(frozen=True, extra="allow")

    battery: Literal[
        "sppb", "awgs2019", "mext65", "fall_risk", "kihon_checklist", "stabilometry", "grip"
    ]
    date: dt.date | None = None

    def get(self, key: str, default: Any = None) -> Any:
        """Return a field of the battery output, or ``default``."""
        extra = self.model_extra or {}
        return extra.get(key, default)


class VitalsScreen(BaseModel):
    """Today's pre-exercise screening (``genki screen vitals --json``): outcome and criteria."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    outcome: VitalsOutcome
    criteria: list[dict[str, Any]] = []

    def reasons(self) -> list[str]:
        """Return the criteria's reasons, as printed by the screening."""
        return [str(c.get("reason", c.get("rule", ""))) for c in self.criteria]


class HistorySession(_Model):
    """One exercise session done: programme and level, whether the dose was done, effort, pain."""

    date: dt.date
    programme: Annotated[str, Field(min_length=1)]
    level: Annotated[int, Field(ge=1, le=4)]
    completed: bool
    rpe: Annotated[int, Field(ge=6, le=20)] | None = None
    pain: bool = False
    vitals: VitalsOutcome = "ok"


class Override(_Model):
    """A staff decision that replaces the rules' programme and level, with who and why."""

    programme: Annotated[str, Field(min_length=1)]
    level: Annotated[int, Field(ge=1, le=4)]
    staff: Annotated[str, Field(min_length=1)]
    reason: Annotated[str, Field(min_length=3)]


class Profile(_Model):
    """Everything the prescription reads."""

    resident: ResidentInfo
    assessments: list[Assessment] = []
    vitals: VitalsScreen | None = None
    contraindications: list[str] = []
    history: list[HistorySession] = []
    override: Override | None = None

    @field_validator("assessments", mode="before")
    @classmethod
    def _keyed_or_listed(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return [
                {"battery": name, **item} if isinstance(item, Mapping) else item
                for name, item in value.items()
            ]
        return value

    def latest(self, battery: str) -> Assessment | None:
        """Return the latest assessment of ``battery`` (the last one given), or None."""
        found = [a for a in self.assessments if a.battery == battery]
        return found[-1] if found else None

    def previous(self, battery: str) -> Assessment | None:
        """Return the assessment of ``battery`` before the latest, or None."""
        found = [a for a in self.assessments if a.battery == battery]
        return found[-2] if len(found) > 1 else None


def parse_profile(document: object) -> Profile:
    """Validate a parsed profile document; raise ProfileError listing every problem."""
    try:
        return Profile.model_validate(document)
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc']) or 'profile'}: {error['msg']}"
            for error in exc.errors()
        ]
        raise ProfileError(problems) from exc
