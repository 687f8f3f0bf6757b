"""The facility overview: attendance, assessments and both outcome shares on a hand-checked
example; the §3.1 evaluation value on the worked example of CARE-INSURANCE.md."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from office.data import OfficeData
from office.evaluation import (
    MISSING_CERTIFICATION_DATES,
    MISSING_RENEWALS,
    EvaluationCounts,
    care_level_change,
    evaluation_value,
    meets_value_criterion,
)
from office.sample import InboxWriter
from office.wording import outcome_lines
from records import Database
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import Resident, ResidentRepository

SPPB = {"side_by_side_s": 10, "semi_tandem_s": 10, "gait_4m_s": [3.5],
        "chair_stand_single_ok": True}  # fmt: skip


def sppb(tandem_s: float, chair_s: float) -> dict[str, object]:
    return {**SPPB, "tandem_s": tandem_s, "chair_stand_5x_s": chair_s}


def test_the_worked_example_of_care_insurance_3_1() -> None:
    value = evaluation_value(EvaluationCounts(d=12, m=6, i=2))
    assert value == pytest.approx(0.8333, abs=1e-4)
    assert meets_value_criterion(value)
    assert not meets_value_criterion(evaluation_value(EvaluationCounts(d=10, m=5, i=0)))


@pytest.mark.parametrize("counts", [EvaluationCounts(0, 0, 0), EvaluationCounts(3, 2, 2)])
def test_counts_that_cannot_be_an_evaluation_are_refused(counts: EvaluationCounts) -> None:
    with pytest.raises(ValueError, match="expected"):
        evaluation_value(counts)


@pytest.mark.parametrize(
    ("details", "change"),
    [
        ({"care_level": ["support_2", "support_1"]}, ("support_2", "support_1")),
        ({"notes": ["", "x"]}, None),
        ({"source": "k1", "previous": {"care_level": "support_1"},
          "new": {"care_level": "care_1"}}, ("support_1", "care_1")),
        ({"source": "k1", "previous": None, "new": {"care_level": "care_1"}}, None),
        ({"previous": {"care_level": "care_1"}, "new": {"care_level": "care_1"}}, None),
    ],
)  # fmt: skip
def test_care_level_changes_are_read_from_edits_and_roster_syncs(
    details: dict[str, object], change: tuple[str, str] | None
) -> None:
    assert care_level_change(details) == change


def add(repository: ResidentRepository, code: str, level: CareLevel) -> Resident:
    return repository.add(ResidentFields(
        code=code, family_name="試験", given_name=code, family_kana="シケン", given_kana=code,
        sex=Sex.FEMALE, birth_date=date(1940, 1, 1), care_level=level), actor="test")  # fmt: skip


def test_overview_of_a_hand_checked_period(database: Database) -> None:
    # Audit events carry the real time of the edit, so the period ends today.
    today = datetime.now(UTC).date()
    first = (today.replace(day=1) - timedelta(days=80)).replace(day=1)
    months = [first, (first + timedelta(days=32)).replace(day=1),
              (first + timedelta(days=64)).replace(day=1)]  # fmt: skip
    repository = ResidentRepository(database, "f1")
    improved = add(repository, "R1", CareLevel.SUPPORT_2)
    too_short = add(repository, "R2", CareLevel.SUPPORT_1)
    worsened = add(repository, "R3", CareLevel.SUPPORT_1)
    unchanged = add(repository, "R4", CareLevel.SUPPORT_1)
    writer = InboxWriter(database)

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)

    for month in months:  # three months of sessions: R1, R3; two for R2
        writer.session(improved.uuid, started_at=at(month + timedelta(days=2)))
        writer.session(improved.uuid, started_at=at(month + timedelta(days=9)))
        writer.session(worsened.uuid, started_at=at(month + timedelta(days=3)))
    for month in months[1:]:
        writer.session(too_short.uuid, started_at=at(month + timedelta(days=4)))
    before = first - timedelta(days=20)  # SPPBs before the period to compare with
    writer.assessment(improved.uuid, "sppb", sppb(2.0, 14.0), performed_at=at(before))  # 8
    writer.assessment(improved.uuid, "sppb", sppb(5.0, 14.0), performed_at=at(months[2]))  # 9
    writer.assessment(worsened.uuid, "sppb", sppb(10.0, 14.0), performed_at=at(before))  # 10
    writer.assessment(worsened.uuid, "sppb", sppb(5.0, 14.0), performed_at=at(months[1]))  # 9
    writer.assessment(unchanged.uuid, "sppb", sppb(10.0, 10.5), performed_at=at(months[0]))
    writer.assessment(unchanged.uuid, "fall_risk", {"tug_s": 9.0},
                      performed_at=at(months[0]))  # fmt: skip
    writer.flush()
    repository.edit("R1", {"care_level": CareLevel.SUPPORT_1}, actor="office")  # I
    repository.edit("R2", {"care_level": CareLevel.INDEPENDENT}, actor="office")  # < 3 months
    repository.edit("R3", {"care_level": CareLevel.CARE_1}, actor="office")  # worsened
    repository.edit("R4", {"care_level": CareLevel.SUPPORT_1}, actor="office")  # no change

    overview = OfficeData(database).overview(start=first, end=today)
    assert [(m.month, m.sessions, m.residents) for m in overview.months[:3]] == [
        (months[0], 3, 2), (months[1], 4, 3), (months[2], 4, 3)]  # fmt: skip
    assert overview.attending == 3
    assert overview.assessments == {"sppb": 3, "fall_risk": 1}
    assert overview.assessed == 3
    evaluation = overview.evaluation
    assert (evaluation.improved, evaluation.worsened, evaluation.changes) == (1, 1, 3)
    assert evaluation.value is None  # D and M are not in the data: renewals without a change
    assert evaluation.missing == (MISSING_RENEWALS, MISSING_CERTIFICATION_DATES)
    share = overview.sppb
    assert (share.maintained_or_improved, share.compared, share.single) == (1, 2, 1)
    assert share.share == 0.5
    lines = outcome_lines(overview, "en")
    assert "no value is given" in lines[3]
    assert lines[0].startswith("事業所評価加算-style")
    assert "50 %: 1 of 2 residents" in lines[-1]
    assert "not an insurance rule" in lines[-2]
