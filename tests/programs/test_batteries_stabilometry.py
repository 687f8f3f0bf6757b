"""Stabilometry pair: hand-worked Romberg ratios, both sides of the 60-s protocol, bad entries.

The protocol length (60 s) and the ratio definition are written here from REFERENCE.md §8.1–8.2
independently of the data file. A pair scored from recordings is checked against
measures.stabilometry.romberg here and against published ratios in
tests/measures/test_published_values.py.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
import pytest

from measures.errors import SetupMismatchError
from measures.stabilometry import romberg, score_sway
from programs.batteries import EntryError, Resident, TableError, score_battery
from programs.batteries.stabilometry import results_from_sway, score_stabilometry
from programs.batteries.tables import parse_tables

WOMAN = Resident("F", 78)


def _trial(duration: float | None = 60, path: float | None = None, **more: float) -> dict[str, Any]:
    values = {"duration_s": duration, "path_length_cm": path, **more}
    return {key: value for key, value in values.items() if value is not None}


def _scored(results: dict[str, Any]) -> tuple[Any, ...]:
    r = score_stabilometry(WOMAN, results)
    return (
        r.romberg["path_length"], r.romberg["envelope_area"], r.romberg["mean_velocity"],
        r.quality_flags,
    )  # fmt: skip


HAND_WORKED = [
    # path 135/90 = 1.5; envelope 4.0/2.5 = 1.6; velocity (135/60)/(90/60) = 2.25/1.5 = 1.5
    ({"eyes_open": _trial(path=90, envelope_area_cm2=2.5),
      "eyes_closed": _trial(path=135, envelope_area_cm2=4.0)}, (1.5, 1.6, 1.5, ())),
    # 60 s is the protocol: not short; 120/80 = 1.5
    ({"eyes_open": _trial(60, 80), "eyes_closed": _trial(60, 120)}, (1.5, None, 1.5, ())),
    # 59.9 s < 60 s → short; durations differ → mismatch; velocity (120/60)/(80/59.9) = 1.4975
    ({"eyes_open": _trial(59.9, 80), "eyes_closed": _trial(60, 120)},
     (1.5, None, 1.4975, ("short_recording", "duration_mismatch"))),
    # both 30 s: short, but no mismatch; 60/40 = 1.5, velocities 2/1.3333 = 1.5
    ({"eyes_open": _trial(30, 40), "eyes_closed": _trial(30, 60)},
     (1.5, None, 1.5, ("short_recording",))),
    # eyes-open envelope 0: that ratio undefined and flagged; path 100/100 = 1.0
    ({"eyes_open": _trial(path=100, envelope_area_cm2=0.0),
      "eyes_closed": _trial(path=100, envelope_area_cm2=3.0)},
     (1.0, None, 1.0, ("undefined_ratio",))),
    # eyes closed steadier than eyes open: ratios below 1 are reported as they are: 45/90 = 0.5
    ({"eyes_open": _trial(path=90, envelope_area_cm2=4.0),
      "eyes_closed": _trial(path=45, envelope_area_cm2=3.0)}, (0.5, 0.75, 0.5, ())),
    # entered velocities win over path ÷ duration: 2.4 / 1.6 = 1.5; path 135/90 = 1.5
    ({"eyes_open": _trial(path=90, mean_velocity_cm_s=1.6),
      "eyes_closed": _trial(path=135, mean_velocity_cm_s=2.4)}, (1.5, None, 1.5, ())),
    # no durations: no velocity, no length checks; path 150/100 = 1.5
    ({"eyes_open": _trial(None, 100), "eyes_closed": _trial(None, 150)}, (1.5, None, None, ())),
    # eyes open only: no ratios; 45 s < 60 → short
    ({"eyes_open": _trial(45, 70)}, (None, None, None, ("short_recording",))),
    # eyes closed only, full length: nothing to compare, nothing flagged
    ({"eyes_closed": _trial(60, 140)}, (None, None, None, ())),
    # neither trial: an empty pair
    ({}, (None, None, None, ())),
]  # fmt: skip


@pytest.mark.parametrize(("results", "expected"), HAND_WORKED)
def test_hand_worked_examples(results: dict[str, Any], expected: tuple[Any, ...]) -> None:
    *ratios, flags = _scored(results)
    *expected_ratios, expected_flags = expected
    assert ratios == [None if e is None else pytest.approx(e, rel=1e-9) for e in expected_ratios]
    assert flags == expected_flags


@pytest.mark.parametrize(("seconds", "short"), [(59.99, True), (60.0, False), (60.01, False)])
def test_the_60_second_protocol_on_both_sides(seconds: float, short: bool) -> None:
    results = {"eyes_open": _trial(seconds, 90), "eyes_closed": _trial(seconds, 120)}
    flags = score_stabilometry(WOMAN, results).quality_flags
    assert ("short_recording" in flags) is short


def test_each_trial_gets_path_length_per_area_and_velocity() -> None:
    result = score_stabilometry(WOMAN, {"eyes_open": _trial(path=90, envelope_area_cm2=2.5)})
    assert result.eyes_open is not None
    # 単位面積軌跡長 = 90 / 2.5 = 36 /cm; 単位時間軌跡長 = 90 / 60 = 1.5 cm/s
    assert result.eyes_open["path_length_per_area_1_cm"] == pytest.approx(36.0)
    assert result.eyes_open["mean_velocity_cm_s"] == pytest.approx(1.5)
    assert result.eyes_closed is None


def test_the_pair_cites_its_tables_and_stays_partial() -> None:
    one = score_stabilometry(WOMAN, {"eyes_open": _trial(path=90)})
    pair = score_stabilometry(WOMAN, {"eyes_open": _trial(path=90), "eyes_closed": _trial(path=99)})
    assert [t.id for t in one.tables] == ["protocol_jsner_1988"]
    assert [t.id for t in pair.tables] == ["protocol_jsner_1988", "romberg_ratio"]
    assert pair.table_status == "PARTIAL"
    assert pair.romberg_primary == "envelope_area"


def test_the_protocol_length_comes_from_the_table_file() -> None:
    source = resources.files("programs.data").joinpath("stabilometry.toml").read_text("utf-8")
    tables = parse_tables("edited.toml", source.replace("duration_s = 60", "duration_s = 30"))
    results = {"eyes_open": _trial(45, 90), "eyes_closed": _trial(45, 120)}
    assert score_stabilometry(WOMAN, results, tables=tables).quality_flags == ()
    broken = parse_tables("edited.toml", source.replace('"rms_area"]', '"cop_area"]'))
    with pytest.raises(TableError, match="parameters: expected names from"):
        score_stabilometry(WOMAN, results, tables=broken)


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ({"eyes_open": _trial(path=-1)},
         "results.eyes_open.path_length_cm = -1: expected a number from 0 to 3000 cm"),
        ({"eyes_closed": _trial(path="long")}, "results.eyes_closed.path_length_cm = 'long'"),
        ({"eyes_open": _trial(2, 90)},
         "results.eyes_open.duration_s = 2: expected a number from 5"),
        ({"eyes_open": {"cop_area_cm2": 3}},
         "results.eyes_open.cop_area_cm2 = 3: not a field here"),
        ({"eyes_open": [90, 2.5]}, "results.eyes_open = [90, 2.5]: expected an object"),
        ({"eyes_shut": _trial(path=90)}, "results.eyes_shut"),
    ],
)  # fmt: skip
def test_bad_entries_name_the_field_and_what_is_allowed(
    results: dict[str, Any], message: str
) -> None:
    with pytest.raises(EntryError) as caught:
        score_stabilometry(WOMAN, results)
    assert message in str(caught.value)


def _sway(seed: int, scale: float, rate: float = 20.0, seconds: float = 60.0) -> Any:
    steps = np.random.default_rng(seed).normal(0.0, scale, size=(int(rate * seconds), 2))
    walk = np.cumsum(steps, axis=0)
    return score_sway(walk[:, 0], walk[:, 1], rate)


def test_a_recorded_pair_scores_as_its_romberg_ratios() -> None:
    eyes_open, eyes_closed = _sway(1, 0.3), _sway(2, 0.5)
    scored = score_battery(
        {"battery": "stabilometry", "resident": {"sex": "M", "age_years": 80},
         "results": results_from_sway(eyes_open, eyes_closed)}
    ).result.as_json()  # fmt: skip
    ratios = romberg(eyes_open, eyes_closed)
    assert scored["romberg"]["envelope_area"] == pytest.approx(ratios.envelope_area_ratio)
    assert scored["romberg"]["path_length"] == pytest.approx(ratios.path_length_ratio)
    assert scored["romberg"]["mean_velocity"] == pytest.approx(ratios.mean_velocity_ratio)
    assert scored["romberg"]["rms_area"] == pytest.approx(ratios.rms_area_ratio)
    # 1200 samples at 20 Hz: N / f_s = 60 s, the protocol length; mm → cm
    assert scored["eyes_open"]["duration_s"] == 60.0
    assert scored["eyes_open"]["path_length_cm"] == pytest.approx(eyes_open.path_length_mm / 10)
    assert scored["eyes_open"]["envelope_area_cm2"] == pytest.approx(
        eyes_open.envelope_area_mm2 / 100
    )
    assert scored["quality_flags"] == []


def test_a_recorded_pair_scored_at_different_rates_is_refused() -> None:
    with pytest.raises(SetupMismatchError, match="expected the same for both trials"):
        results_from_sway(_sway(1, 0.3), _sway(2, 0.5, rate=25.0))
