"""基本チェックリスト (REFERENCE.md §10): answers → total, domains, 事業対象者 criteria, frailty.

Raw results: ``answers``, 25 booleans in item order, true for the risk answer (§10.1). Item 12
(BMI < 18.5) may instead be null with ``height_cm`` and ``weight_kg`` entered, from which genki
computes it (the BMI is compared with the cut-off unrounded).

``criteria_met`` lists which of the criteria ①–⑦ (§10.2) are met and ``jigyo_taishosha`` is
true when any is; whether ⑤–⑦ alone make a person 事業対象者 is PARTIAL, so the result then
carries that status and the administrative decision stays with staff. The frailty band comes
from the Satake 2016 bands by default, or from another frailty table named by the caller (§10.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from programs.batteries.entry import Entry, boolean
from programs.batteries.errors import EntryError
from programs.batteries.tables import (
    ALGORITHM_VERSION,
    BatteryTables,
    Table,
    battery_tables,
    cited,
    result_json,
    weakest,
)
from programs.grip import Provenance

FIELDS = ("answers", "height_cm", "weight_kg")
JIGYO_TABLES = ("kihon_jigyo", "kihon_jigyo_attention")
FRAILTY_TABLES = ("kihon_frailty_satake2016", "kihon_frailty_kameoka2022")


@dataclass(frozen=True, slots=True)
class KihonResult:
    """Total, domain scores, criteria met, 事業対象者, frailty band and the tables used."""

    total: int
    domains: Mapping[str, int]
    jigyo_taishosha: bool
    criteria_met: tuple[int, ...]
    frailty_band: str
    frailty_table: str
    bmi_kg_m2: float | None
    table_status: str
    tables: tuple[Provenance, ...]
    algorithm_version: str = ALGORITHM_VERSION

    def as_json(self) -> dict[str, Any]:
        """Return the result as printed by ``genki battery score --json``."""
        return result_json(self)


def _bmi(entry: Entry) -> float | None:
    """Return weight (kg) / height (m)², or None when neither is entered."""
    height, weight = entry.number("height_cm"), entry.number("weight_kg")
    if (height is None) != (weight is None):
        name, other = ("height_cm", "weight_kg") if weight is None else ("weight_kg", "height_cm")
        raise entry.error(name, "requires", other=other)
    if height is None or weight is None:
        return None
    return round(weight / (height / 100) ** 2, 9)  # representation noise must not decide 18.5


def _answers(entry: Entry, items: Table) -> tuple[bool, ...]:
    """Return the 25 risk answers, item 12 computed from height and weight when it is null."""
    bmi_item = int(items.number("bmi_item"))
    answers = list(
        entry.answers(
            "answers",
            int(items.number("items")),
            lambda field, value: None if value is None else boolean(field, value),
        )
    )
    for number, answer in enumerate(answers, 1):
        if answer is None and number != bmi_item:
            raise EntryError(f"{entry.field('answers')}[{number}]", answer, "bool")
    bmi, field = _bmi(entry), f"{entry.field('answers')}[{bmi_item}]"
    if bmi is not None and answers[bmi_item - 1] is not None:
        raise EntryError(field, answers[bmi_item - 1], "conflict", other="height_cm, weight_kg")
    if bmi is not None:
        answers[bmi_item - 1] = items.condition("bmi_risk").met(bmi)
    if answers[bmi_item - 1] is None:
        raise EntryError(field, None, "requires", other="height_cm, weight_kg")
    return tuple(bool(answer) for answer in answers)


def _criteria_met(answers: tuple[bool, ...], table: Table) -> tuple[int, ...]:
    met = []
    for index in range(len(table.get(tuple, "criteria"))):
        first, last, at_least = (
            int(table.number("criteria", index, key)) for key in ("first", "last", "at_least")
        )
        if sum(answers[first - 1 : last]) >= at_least:
            met.append(int(table.number("criteria", index, "id")))
    return tuple(met)


def score_kihon_checklist(
    results: object,
    *,
    tables: BatteryTables | None = None,
    frailty_table: str = FRAILTY_TABLES[0],
) -> KihonResult:
    """Score the 基本チェックリスト from its raw results (see the module docstring)."""
    if frailty_table not in FRAILTY_TABLES:
        raise ValueError(f"frailty_table {frailty_table!r}; expected one of {FRAILTY_TABLES}")
    tables = tables or battery_tables("kihon_checklist")
    entry = Entry(results, "results", FIELDS)
    items = tables["kihon_items"]
    answers = _answers(entry, items)
    total = sum(answers)
    domains = {
        name: sum(answers[number - 1] for number in items.items(int, "domains", name))
        for name in items.get(MappingProxyType, "domains")
    }
    met = {table_id: _criteria_met(answers, tables[table_id]) for table_id in JIGYO_TABLES}
    frailty = tables[frailty_table]
    used = [
        items,
        tables[JIGYO_TABLES[0]],
        *(tables[t] for t in JIGYO_TABLES[1:] if met[t]),
        frailty,
    ]
    criteria = tuple(number for numbers in met.values() for number in numbers)
    return KihonResult(
        total=total,
        domains=MappingProxyType(domains),
        jigyo_taishosha=bool(criteria),
        criteria_met=criteria,
        frailty_band=str(frailty.lookup(total, "rows").result),
        frailty_table=frailty.id,
        bmi_kg_m2=_bmi(entry),
        table_status=weakest(t.status for t in used),
        tables=cited(t.provenance for t in used),
    )
