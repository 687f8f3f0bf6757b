"""Turning domain errors and records into text for the terminal, through the message catalogues."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from genki.i18n import Language, text
from records.errors import CsvFormatError, FieldProblem
from records.residents import Resident


def field_label(name: str, language: Language) -> str:
    """Return a field's display name (``*`` for a whole row)."""
    return text(f"field.{name}" if name != "*" else "field.row", language)


def problem_line(problem: FieldProblem, language: Language) -> str:
    """Return one problem as a sentence: where, which field, the value, what is allowed."""
    where = text("problem.at_line", language, line=problem.line) if problem.line else ""
    return text(
        "problem.format",
        language,
        where=where,
        field=field_label(problem.field, language),
        value=problem.value,
        expected=text(problem.message_key, language, **problem.params),
    )


def problems_text(problems: Iterable[FieldProblem], language: Language) -> str:
    """Return every problem, one per line."""
    return "\n".join(problem_line(problem, language) for problem in problems)


def csv_error_text(error: CsvFormatError, language: Language) -> str:
    """Return a whole-file CSV problem as a sentence."""
    return text(error.message_key, language, **error.params)


def resident_dict(resident: Resident) -> dict[str, Any]:
    """Return a resident as a JSON-ready dictionary (stable keys, ISO dates, codes for choices)."""
    values = {f.name: getattr(resident.fields, f.name) for f in fields(resident.fields)}
    values["birth_date"] = resident.fields.birth_date.isoformat()
    values["sex"] = str(resident.fields.sex)
    values["care_level"] = str(resident.fields.care_level)
    certified = resident.fields.certified_on
    values["certified_on"] = certified.isoformat() if certified else None
    return {
        "uuid": resident.uuid,
        "facility_id": resident.facility_id,
        **values,
        "active": resident.active,
        "created_at": resident.created_at.isoformat(),
        "updated_at": resident.updated_at.isoformat(),
    }


def residents_json(residents: Iterable[Resident]) -> str:
    """Return residents as a JSON array."""
    return json.dumps([resident_dict(r) for r in residents], ensure_ascii=False, indent=2)
