"""The exercise catalogue and the programmes built from it, as checked data.

``programs/data/exercises.toml`` holds the sources, the contraindication vocabulary and the
exercises; ``programs/data/programmes.toml`` the programmes. Both are validated against the
models below when loaded: a problem raises CatalogueError naming the file and the entry. Every
text a resident or staff member reads is a ``Text`` with Japanese and English; every exercise and
programme cites at least one source from the file's ``[sources]``.

The exercises are written in genki's own words from public, evidence-based programmes (the Otago
Exercise Programme, the MHLW 介護予防マニュアル on motor function, いきいき百歳体操); the doses
at each level follow those programmes where they give one and are marked as a project choice
(``dose_basis = "project"``) where they do not.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Capacity = Literal[
    "lower_limb_strength", "balance", "flexibility", "endurance", "hand_grip",
    "adl_standing_up", "adl_stepping_over", "adl_reaching", "adl_walking",
]  # fmt: skip
Position = Literal["seated", "standing_with_support", "standing"]
Equipment = Literal[
    "chair", "sturdy_support", "ankle_weights", "towel", "soft_ball", "resistance_band",
    "low_step", "walking_course", "floor_line", "none",
]  # fmt: skip
Device = Literal["force_plate_sit_to_stand", "grip_squeeze", "balance_hold_timer"]
Section = Literal["warm_up", "main", "cool_down"]
SECONDS_PER_REPETITION = 4.0  # slow tempo (about 2 s up, 2 s down) used to estimate a session
SECONDS_BETWEEN_EXERCISES = 30.0  # moving to the next exercise, explaining it
SESSION_MINUTES = (15, 30)  # a session's length, warm-up to cool-down (issue 7)


class CatalogueError(Exception):
    """A catalogue data file that breaks its schema; the message names file and entry."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


NonEmpty = Annotated[str, Field(min_length=1)]


class Text(_Model):
    """One user-facing text in Japanese and English."""

    ja: NonEmpty
    en: NonEmpty

    def get(self, language: str) -> str:
        """Return the text in ``language`` (``ja`` or ``en``)."""
        return self.en if language == "en" else self.ja


class Source(_Model):
    """A public programme or paper an exercise or programme is written from."""

    title: NonEmpty
    citation: NonEmpty
    url: str = ""


class Dose(_Model):
    """How much of an exercise: sets of repetitions, holds, or a duration."""

    sets: Annotated[int, Field(ge=1, le=5)]
    reps: Annotated[int, Field(ge=1, le=30)] | None = None
    hold_s: Annotated[float, Field(gt=0, le=120)] | None = None
    duration_s: Annotated[float, Field(gt=0, le=1800)] | None = None
    rest_s: Annotated[int, Field(ge=0, le=300)] = 0
    each_side: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if self.reps is None and self.hold_s is None and self.duration_s is None:
            raise ValueError("a dose needs reps, hold_s or duration_s")
        if self.duration_s is not None and (self.reps is not None or self.hold_s is not None):
            raise ValueError("a dose by duration_s has no reps or hold_s")
        return self

    def seconds(self) -> float:
        """Estimated time of the whole dose, rests included (SECONDS_PER_REPETITION a rep)."""
        if self.duration_s is not None:
            one_set = self.duration_s
        else:
            one_set = (self.reps or 1) * (SECONDS_PER_REPETITION + (self.hold_s or 0.0))
        sides = 2 if self.each_side else 1
        return self.sets * one_set * sides + (self.sets * sides - 1) * self.rest_s


class Level(_Model):
    """One step of an exercise: its dose and what changes at this step."""

    level: Annotated[int, Field(ge=1, le=4)]
    dose: Dose
    variation: Text | None = None


class Exercise(_Model):
    """One exercise of the catalogue."""

    id: NonEmpty
    name: Text
    purpose: Text
    steps: Annotated[list[Text], Field(min_length=2)]
    capacities: Annotated[list[Capacity], Field(min_length=1)]
    position: Position
    equipment: Annotated[list[Equipment], Field(min_length=1)]
    contraindications: list[str] = []
    cautions: list[Text] = []
    device: Device | None = None
    levels: Annotated[list[Level], Field(min_length=1)]
    dose_basis: Literal["source", "project"]
    sources: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _levels_in_order(self) -> Self:
        if [level.level for level in self.levels] != list(range(1, len(self.levels) + 1)):
            raise ValueError("levels must be numbered 1, 2, … in order")
        return self

    def level(self, number: int) -> Level:
        """Return the given level, or the highest one when the exercise has fewer."""
        return self.levels[min(number, len(self.levels)) - 1]


class Item(_Model):
    """An exercise at a level, as a programme uses it."""

    exercise: NonEmpty
    level: Annotated[int, Field(ge=1, le=4)] = 1


class ProgrammeLevel(_Model):
    """One step of a programme: a whole session, warm-up to cool-down."""

    level: Annotated[int, Field(ge=1, le=4)]
    summary: Text
    warm_up: Annotated[list[Item], Field(min_length=1)]
    main: Annotated[list[Item], Field(min_length=1)]
    cool_down: Annotated[list[Item], Field(min_length=1)]

    def entries(self) -> list[tuple[Section, Item]]:
        """Every item of the session with its section, in order."""
        sections: tuple[tuple[Section, list[Item]], ...] = (
            ("warm_up", self.warm_up), ("main", self.main), ("cool_down", self.cool_down),
        )  # fmt: skip
        return [(name, item) for name, items in sections for item in items]


class Programme(_Model):
    """A programme: its purpose, who it is for, how often, and its levels."""

    id: NonEmpty
    name: Text
    purpose: Text
    for_whom: Text
    sessions_per_week: Annotated[list[int], Field(min_length=2, max_length=2)]
    levels: Annotated[list[ProgrammeLevel], Field(min_length=1)]
    sources: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _levels_in_order(self) -> Self:
        if [level.level for level in self.levels] != list(range(1, len(self.levels) + 1)):
            raise ValueError("levels must be numbered 1, 2, … in order")
        low, high = self.sessions_per_week
        if not 1 <= low <= high <= 7:
            raise ValueError("sessions_per_week is [fewest, most] within 1–7")
        return self

    def level(self, number: int) -> ProgrammeLevel:
        """Return the given level, clamped to the programme's levels."""
        return self.levels[max(1, min(number, len(self.levels))) - 1]


class Catalogue(_Model):
    """Sources, contraindications, exercises and programmes, cross-checked."""

    sources: Mapping[str, Source]
    contraindications: Mapping[str, Text]
    exercises: Mapping[str, Exercise]
    programmes: Mapping[str, Programme]

    @model_validator(mode="after")
    def _references_exist(self) -> Self:
        problems: list[str] = []
        for exercise in self.exercises.values():
            problems += [f"exercise {exercise.id}: unknown source {s!r}"
                         for s in exercise.sources if s not in self.sources]  # fmt: skip
            problems += [f"exercise {exercise.id}: unknown contraindication {c!r}"
                         for c in exercise.contraindications
                         if c not in self.contraindications]  # fmt: skip
        for programme in self.programmes.values():
            problems += [f"programme {programme.id}: unknown source {s!r}"
                         for s in programme.sources if s not in self.sources]  # fmt: skip
            for level in programme.levels:
                where = f"programme {programme.id} level {level.level}"
                for _section, item in level.entries():
                    used = self.exercises.get(item.exercise)
                    if used is None:
                        problems.append(f"{where}: unknown exercise {item.exercise!r}")
                    elif item.level > len(used.levels):
                        problems.append(f"{where}: {item.exercise} has no level {item.level}")
                minutes = session_seconds(self, level) / 60
                if not SESSION_MINUTES[0] <= minutes <= SESSION_MINUTES[1]:
                    problems.append(
                        f"{where}: the session takes about {minutes:.0f} min, "
                        f"not {SESSION_MINUTES[0]}–{SESSION_MINUTES[1]}"
                    )
        if problems:
            raise ValueError("; ".join(problems))
        return self


def session_seconds(catalogue: Catalogue, level: ProgrammeLevel) -> float:
    """Estimated length of one session of a programme level (unknown exercises count 0)."""
    total = 0.0
    for _section, item in level.entries():
        exercise = catalogue.exercises.get(item.exercise)
        if exercise is not None and item.level <= len(exercise.levels):
            total += exercise.level(item.level).dose.seconds() + SECONDS_BETWEEN_EXERCISES
    return total


def _keyed(entries: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Give each ``[what.<id>]`` table its id."""
    if not isinstance(entries, Mapping):
        raise CatalogueError(f"[{what}] must be a table of entries")
    return {key: {"id": key, **value} for key, value in entries.items()}


def parse_catalogue(exercises: Mapping[str, Any], programmes: Mapping[str, Any]) -> Catalogue:
    """Validate the two parsed data files; raise CatalogueError listing every problem."""
    try:
        return Catalogue(
            sources=exercises.get("sources", {}),
            contraindications=exercises.get("contraindications", {}),
            exercises=_keyed(exercises.get("exercises", {}), "exercises"),
            programmes=_keyed(programmes.get("programmes", {}), "programmes"),
        )
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        ]
        raise CatalogueError("exercises.toml / programmes.toml: " + "; ".join(problems)) from exc


@cache
def catalogue() -> Catalogue:
    """Return the catalogue shipped with genki (programs/data/exercises.toml, programmes.toml)."""
    data = resources.files("programs.data")
    try:
        exercises = tomllib.loads(data.joinpath("exercises.toml").read_text(encoding="utf-8"))
        programmes = tomllib.loads(data.joinpath("programmes.toml").read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"a catalogue file is not valid TOML: {exc}") from exc
    return parse_catalogue(exercises, programmes)
