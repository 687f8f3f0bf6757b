"""The exercise catalogue and programmes: schema, cross-references, sessions, both languages."""

from __future__ import annotations

import copy
import re
import tomllib
from importlib import resources
from typing import Any

import pytest
from pydantic import BaseModel

from programs.catalogue import (
    SESSION_MINUTES,
    CatalogueError,
    Text,
    catalogue,
    parse_catalogue,
    session_seconds,
)
from programs.prescription import rules

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _data(name: str) -> dict[str, Any]:
    source = resources.files("programs.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(source)


def _texts(model: object) -> list[Text]:
    """Every Text inside a model, however deep."""
    if isinstance(model, Text):
        return [model]
    if isinstance(model, BaseModel):
        return [t for name in type(model).model_fields for t in _texts(getattr(model, name))]
    if isinstance(model, list | tuple):
        return [t for item in model for t in _texts(item)]
    if isinstance(model, dict):
        return [t for item in model.values() for t in _texts(item)]
    return []


def test_the_shipped_catalogue_validates_with_enough_exercises_and_the_five_programmes() -> None:
    book = catalogue()
    assert len(book.exercises) >= 40
    assert {p: len(x.levels) for p, x in book.programmes.items()} == {
        "seated_strength": 2, "standing_strength_balance": 4, "walking": 3, "hand_grip": 2,
        "flexibility": 2,
    }  # fmt: skip


def test_every_user_facing_text_is_in_japanese_and_english() -> None:
    book = catalogue()
    texts = _texts(book)
    assert len(texts) >= 4 * len(book.exercises)  # name, purpose and at least two steps each
    for item in texts:
        assert JAPANESE.search(item.ja), item
        assert item.en.strip()
        assert not JAPANESE.search(item.en.replace("運動器不安定症", "")), item


def test_every_exercise_and_programme_cites_known_sources_and_every_capacity_is_covered() -> None:
    book = catalogue()
    for entry in [*book.exercises.values(), *book.programmes.values()]:
        assert entry.sources
        assert all(source in book.sources for source in entry.sources)
    capacities = {c for exercise in book.exercises.values() for c in exercise.capacities}
    assert {"lower_limb_strength", "balance", "flexibility", "endurance", "hand_grip",
            "adl_standing_up", "adl_stepping_over", "adl_reaching"} <= capacities  # fmt: skip
    devices = {exercise.device for exercise in book.exercises.values()}
    assert {"force_plate_sit_to_stand", "grip_squeeze", "balance_hold_timer"} <= devices


def test_every_session_is_15_to_30_minutes_with_a_warm_up_and_a_cool_down() -> None:
    book = catalogue()
    for programme in book.programmes.values():
        low, high = programme.sessions_per_week
        assert 1 <= low <= high <= 7
        for level in programme.levels:
            minutes = session_seconds(book, level) / 60
            assert SESSION_MINUTES[0] <= minutes <= SESSION_MINUTES[1], (programme.id, level.level)
            assert level.warm_up
            assert level.cool_down


def test_the_seated_programme_never_stands_and_standing_exercises_exclude_the_unable() -> None:
    book = catalogue()
    for level in book.programmes["seated_strength"].levels:
        assert {book.exercises[item.exercise].position for _s, item in level.entries()} == {
            "seated"
        }
    for exercise in book.exercises.values():
        standing = exercise.position != "seated"
        assert ("unable_to_stand" in exercise.contraindications) == standing, exercise.id


def test_the_prescription_rules_name_only_programmes_and_levels_that_exist() -> None:
    book = catalogue()
    table = rules()
    for start in table["start"].values():
        assert 1 <= start["level"] <= len(book.programmes[start["programme"]].levels)
    for programme in table["also"]:
        assert programme in book.programmes
    assert table["provenance"]["status"] == "PROJECT DECISION"
    assert table["provenance"]["basis"]


def _broken(change: str) -> tuple[dict[str, Any], dict[str, Any]]:
    exercises, programmes = (
        copy.deepcopy(_data("exercises.toml")),
        copy.deepcopy(_data("programmes.toml")),
    )
    sit = exercises["exercises"]["sit_to_stand"]
    seated = programmes["programmes"]["seated_strength"]
    if change == "english_missing":
        del sit["name"]["en"]
    elif change == "one_step":
        sit["steps"] = sit["steps"][:1]
    elif change == "unknown_source":
        sit["sources"] = ["nowhere"]
    elif change == "unknown_contraindication":
        sit["contraindications"] = ["flying"]
    elif change == "no_dose":
        sit["levels"][0]["dose"] = {"sets": 1}
    elif change == "levels_out_of_order":
        sit["levels"][0]["level"] = 2
    elif change == "unknown_exercise":
        seated["levels"][0]["main"].append({"exercise": "juggling", "level": 1})
    elif change == "missing_level":
        seated["levels"][0]["main"].append({"exercise": "sit_to_stand", "level": 4})
        sit["levels"] = sit["levels"][:2]
    elif change == "too_long":
        seated["levels"][0]["main"] = seated["levels"][0]["main"] * 4
    elif change == "bad_frequency":
        seated["sessions_per_week"] = [3, 1]
    return exercises, programmes


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("english_missing", r"exercises\.sit_to_stand\.name\.en: Field required"),
        ("one_step", r"exercises\.sit_to_stand\.steps: List should have at least 2 items"),
        ("unknown_source", r"exercise sit_to_stand: unknown source 'nowhere'"),
        ("unknown_contraindication", r"exercise sit_to_stand: unknown contraindication 'flying'"),
        ("no_dose", r"a dose needs reps, hold_s or duration_s"),
        ("levels_out_of_order", r"levels must be numbered 1, 2"),
        ("unknown_exercise", r"programme seated_strength level 1: unknown exercise 'juggling'"),
        ("missing_level", r"sit_to_stand has no level 4"),
        ("too_long", r"programme seated_strength level 1: the session takes about \d+ min"),
        ("bad_frequency", r"sessions_per_week is \[fewest, most\]"),
    ],
)
def test_a_broken_entry_is_refused_naming_it(change: str, message: str) -> None:
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(*_broken(change))
