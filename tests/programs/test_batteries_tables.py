"""Battery table files: every table carries its provenance, the loader refuses what is malformed.

Also: recording rules, status aggregation, and every battery input field has an entry range.
"""

from __future__ import annotations

import pytest

from programs.batteries import BATTERIES, TableError
from programs.batteries.awgs2019 import FIELDS as AWGS_FIELDS
from programs.batteries.entry import field_ranges
from programs.batteries.fall_risk import FIELDS as FALL_RISK_FIELDS
from programs.batteries.kihon_checklist import FIELDS as KIHON_FIELDS
from programs.batteries.mext65 import FIELDS as MEXT_FIELDS
from programs.batteries.sppb import FIELDS as SPPB_FIELDS
from programs.batteries.stabilometry import TRIAL_FIELDS as STABILOMETRY_FIELDS
from programs.batteries.tables import PROVENANCE_FIELDS, STATUSES, battery_tables, parse_tables

GOOD = """
[tables.example]
title = "An example"
reference = "REFERENCE.md §2.2"
source = "somewhere"
status = "PARTIAL"
check_against = "the primary document, page 1"
notes = ""
units = "s"
resolution = 0.01
rounding = "half_up"
rows = [{ lt = 4.82, result = 4 }, { result = 1 }]
"""


@pytest.mark.parametrize("battery", list(BATTERIES))
def test_every_table_of_every_battery_loads_with_its_provenance(battery: str) -> None:
    tables = battery_tables(battery).tables
    assert tables
    for table in tables.values():
        provenance = table.provenance
        assert provenance.title
        assert provenance.source
        assert provenance.reference.startswith("REFERENCE.md §")
        assert provenance.status in STATUSES
        assert provenance.status == "CONFIRMED" or provenance.check_against


def test_the_unverified_mext_tables_stay_unverified() -> None:
    tables = battery_tables("mext65")
    assert tables["mext65_points"].status == "UNVERIFIED"
    assert tables["mext65_grades"].status == "UNVERIFIED"


@pytest.mark.parametrize("field", PROVENANCE_FIELDS)
def test_a_table_without_a_provenance_field_is_refused(field: str) -> None:
    text = "\n".join(line for line in GOOD.splitlines() if not line.startswith(f"{field} ="))
    with pytest.raises(TableError, match=f"{field}: expected a string"):
        parse_tables("example.toml", text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('status = "PARTIAL"', 'status = "MAYBE"'), "status 'MAYBE'"),
        (('check_against = "the primary document, page 1"', 'check_against = ""'),
         "check_against is required"),
        (("{ result = 1 }]", "{ ge = 9, result = 1 }]"), "not on it"),
        (("{ lt = 4.82, result = 4 }", "{ result = 4 }"), "every row but the last"),
        (("lt = 4.82", "below = 4.82"), "inequality"),
        (("lt = 4.82", 'lt = "4.82"'), "inequality"),
        (('rounding = "half_up"', 'rounding = "nearest"'), "rounding: expected one of"),
        (("[tables.example]", "[example]"), "no \\[tables"),
    ],
)  # fmt: skip
def test_a_malformed_table_is_refused_naming_the_problem(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(TableError, match=message):
        parse_tables("example.toml", GOOD.replace(*change))


@pytest.mark.parametrize(
    ("rounding", "resolution", "raw", "recorded"),
    [
        ("half_up", 0.01, 4.815, 4.82), ("half_up", 0.01, 4.8149, 4.81),
        ("truncate", 1, 14.99, 14), ("truncate", 1, 15.0, 15),
        ("up", 0.1, 7.21, 7.3), ("up", 0.1, 7.2, 7.2), ("none", 0.01, 4.8149, 4.8149),
    ],
)  # fmt: skip
def test_recording_rules(rounding: str, resolution: float, raw: float, recorded: float) -> None:
    text = GOOD.replace('rounding = "half_up"', f'rounding = "{rounding}"').replace(
        "resolution = 0.01", f"resolution = {resolution}"
    )
    assert parse_tables("example.toml", text)["example"].record(raw) == recorded


def test_an_unknown_table_id_names_the_tables_there_are() -> None:
    with pytest.raises(TableError, match="tables: example"):
        parse_tables("example.toml", GOOD)["nothing"]


@pytest.mark.parametrize(
    "fields",
    [SPPB_FIELDS, AWGS_FIELDS, MEXT_FIELDS, FALL_RISK_FIELDS, KIHON_FIELDS, STABILOMETRY_FIELDS],
)
def test_every_numeric_input_field_has_a_unit_and_a_range(fields: tuple[str, ...]) -> None:
    not_numeric = {"chair_stand_single_ok", "smi_method", "answers"}
    for field in set(fields) - not_numeric:
        limits = field_ranges()[field]
        assert limits.unit
        assert limits.low < limits.high
