"""The facility overview: attendance, assessments and both outcome shares on a hand-checked
example; the §3.1 evaluation value on the worked example of CARE-INSURANCE.md; certifications
read from resident edits and roster syncs, date-only renewals with the level they kept, each
user counted once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from office.data import OfficeData
from office.evaluation import (
    Certification,
    EvaluationCounts,
    certification_change,
    evaluation_report,
    evaluation_value,
    levels_at,
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
        ({"care_level": ["support_2", "support_1"]}, (None, "support_2", "support_1")),
        ({"certified_on": [None, "2026-03-01"]}, (date(2026, 3, 1), None, None)),
        ({"care_level": ["support_2", "support_1"], "certified_on": ["2025-03-01", "2026-03-01"]},
         (date(2026, 3, 1), "support_2", "support_1")),
        ({"certified_on": ["2026-03-01", None]}, None),  # a date removed: no certification
        ({"notes": ["", "x"]}, None),
        ({"source": "k1", "previous": {"care_level": "support_1"},
          "new": {"care_level": "care_1"}}, (None, "support_1", "care_1")),
        ({"source": "office", "previous": {"care_level": "support_1", "certified_on": "2025-04-01"},
          "new": {"care_level": "support_1", "certified_on": "2026-04-01"}},
         (date(2026, 4, 1), None, None)),
        ({"source": "k1", "previous": None, "new": {"care_level": "care_1"}}, None),
        ({"previous": {"care_level": "care_1"}, "new": {"care_level": "care_1"}}, None),
    ],
)  # fmt: skip
def test_certifications_are_read_from_edits_and_roster_syncs(
    details: dict[str, object], change: tuple[date | None, str | None, str | None] | None
) -> None:
    assert certification_change(details) == change


def certified(day: int, before: str | None = None, after: str | None = None,
              uuid: str = "r1") -> Certification:  # fmt: skip
    return Certification(uuid, datetime(2026, 1, day, 9, tzinfo=UTC), None, before, after)


def test_a_renewal_that_kept_the_level_gets_it_from_the_next_change_or_the_current_level() -> None:
    renewed, changed, renewed_again = (
        certified(1),
        certified(2, "support_2", "support_1"),
        (certified(3)),
    )
    filled = levels_at([renewed, changed, renewed_again], current="support_1")
    assert [(c.before, c.after) for c in filled] == [
        ("support_2", "support_2"),
        ("support_2", "support_1"),
        ("support_1", "support_1"),
    ]


def test_a_user_counts_once_from_the_first_certification_to_the_last() -> None:
    """r1 improves then falls back (maintained); r2 starts at a care level (not a support user)."""
    months = {"r1": [date(2026, 1, 1)], "r2": [date(2026, 1, 1)]}
    report = evaluation_report(
        [certified(5, "support_2", "support_1"), certified(20, "support_1", "support_2"),
         certified(6, "care_1", "support_2", uuid="r2")],
        months, start=date(2026, 1, 1), end=date(2026, 1, 31),
    )  # fmt: skip
    assert report.counts.d == 0  # one month of sessions: fewer than three
    months = {"r1": [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1)], "r2": months["r2"]}
    report = evaluation_report(
        [certified(5, "support_2", "support_1"), certified(20, "support_1", "support_2"),
         certified(6, "care_1", "support_2", uuid="r2")],
        months, start=date(2025, 11, 1), end=date(2026, 1, 31),
    )  # fmt: skip
    assert (report.counts, report.worsened, report.certifications, report.undated) == (
        EvaluationCounts(d=1, m=1, i=0), 0, 3, 1)  # fmt: skip
    assert report.value == 1.0


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
    renewed = add(repository, "R5", CareLevel.SUPPORT_2)
    writer = InboxWriter(database)

    def at(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)

    for month in months:  # three months of sessions: R1, R3, R5; two for R2
        writer.session(improved.uuid, started_at=at(month + timedelta(days=2)))
        writer.session(improved.uuid, started_at=at(month + timedelta(days=9)))
        writer.session(worsened.uuid, started_at=at(month + timedelta(days=3)))
        writer.session(renewed.uuid, started_at=at(month + timedelta(days=5)))
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
    repository.edit("R5", {"certified_on": today}, actor="office")  # renewed, kept: M

    overview = OfficeData(database).overview(start=first, end=today)
    assert [(m.month, m.sessions, m.residents) for m in overview.months[:3]] == [
        (months[0], 4, 3), (months[1], 5, 4), (months[2], 5, 4)]  # fmt: skip
    assert overview.attending == 4
    assert overview.assessments == {"sppb": 3, "fall_risk": 1}
    assert overview.assessed == 3
    evaluation = overview.evaluation
    assert evaluation.counts == EvaluationCounts(d=3, m=1, i=1)  # R1 I, R3 worse, R5 M
    assert (evaluation.worsened, evaluation.certifications, evaluation.undated) == (1, 4, 2)
    assert evaluation.value == 1.0  # (1 + 2 × 1) ÷ 3
    share = overview.sppb
    assert (share.maintained_or_improved, share.compared, share.single) == (1, 2, 1)
    assert share.share == 0.5
    lines = outcome_lines(overview, "en")
    assert lines[3] == "Evaluation value: 1.000"
    assert lines[4].startswith("2 of them were entered without the certification date")
    assert lines[0].startswith("事業所評価加算-style")
    assert "50 %: 1 of 2 residents" in lines[-1]
    assert "not an insurance rule" in lines[-2]
