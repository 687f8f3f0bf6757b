"""Plan, record and reassessment documents: doses in words, due dates, PDFs with either font."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from programs import documents
from programs.catalogue import Dose
from programs.documents import (
    DueRow,
    ExerciseDoneRow,
    RecordRow,
    ResidentHeader,
    dose_text,
    draft_plan,
    due_rows,
    write_due_pdf,
    write_plan_pdf,
    write_record_pdf,
)
from programs.explanations import add_months, explain
from programs.prescription import prescribe
from programs.profile import parse_profile

HANAKO = ResidentHeader("R001", "山田 花子", "F", date(1942, 5, 3), "support_2")


@pytest.mark.parametrize(
    ("dose", "ja", "en"),
    [
        (Dose(sets=2, reps=10, rest_s=30), "2セット × 10回、休憩30秒", "2 × 10 times, rest 30 s"),
        (Dose(sets=1, reps=1, hold_s=10, each_side=True),
         "1セット × 1回、10秒保持、左右それぞれ", "1 × 1 times, hold 10 s, each side"),
        (Dose(sets=1, duration_s=300), "1セット × 5分", "1 × 5 min"),
        (Dose(sets=3, duration_s=45, rest_s=15), "3セット × 45秒、休憩15秒", "3 × 45 s, rest 15 s"),
    ],
)  # fmt: skip
def test_doses_read_as_words(dose: Dose, ja: str, en: str) -> None:
    assert (dose_text(dose, "ja"), dose_text(dose, "en")) == (ja, en)


def test_month_arithmetic_clamps_to_the_end_of_the_month() -> None:
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 10, 15), 3) == date(2027, 1, 15)


def test_the_reassessment_schedule_puts_the_never_assessed_and_overdue_first() -> None:
    today = date(2026, 12, 4)
    rows = due_rows(
        [("R1", "a", date(2026, 11, 1)),   # due 2027-02-01: scheduled
         ("R2", "b", date(2026, 9, 10)),   # due 2026-12-10, 6 days: due soon (≤ 14)
         ("R3", "c", date(2026, 8, 1)),    # due 2026-11-01: overdue
         ("R4", "d", None),                # never assessed
         ("R5", "e", date(2026, 9, 18))],  # due 2026-12-18, exactly 14 days: due soon
        today=today,
    )  # fmt: skip
    assert [(r.code, r.status) for r in rows] == [
        ("R4", "never"), ("R3", "overdue"), ("R2", "due_soon"), ("R5", "due_soon"),
        ("R1", "scheduled"),
    ]  # fmt: skip
    assert rows[1].due == date(2026, 11, 1)


@pytest.fixture(params=["embedded", "cid"])
def font(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Render with IPAex Gothic embedded (skipped if not installed) or with the CID font."""
    if request.param == "cid":
        monkeypatch.setattr(documents, "EMBEDDED_FONTS", ())
    elif not any(path.is_file() for path in documents.EMBEDDED_FONTS):
        pytest.skip("fonts-ipaexfont-gothic is not installed")
    documents.pdf_font.cache_clear()
    yield request.param
    documents.pdf_font.cache_clear()


def _descriptor(font: Any) -> dict[str, Any]:
    """The font's descriptor (a CID font keeps it in its descendant), or nothing (base fonts)."""
    if "/DescendantFonts" in font:
        font = font["/DescendantFonts"][0].get_object()
    descriptor = font.get("/FontDescriptor")
    return {} if descriptor is None else dict(descriptor.get_object())


def _read(path: Path) -> tuple[int, str, bool]:
    reader = PdfReader(path)
    fonts = [
        font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()  # type: ignore[index]
    ]
    embedded = any("/FontFile2" in _descriptor(font) for font in fonts)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages), embedded


def test_a_plan_pdf_renders_with_its_text(font: str, tmp_path: Path) -> None:
    profile = parse_profile({"resident": {"sex": "F", "age_years": 84},
                             "contraindications": ["knee_pain"]})  # fmt: skip
    prescription = prescribe(profile, for_today=False)
    draft = draft_plan(HANAKO, prescription, explain(profile, prescription, "ja"),
                       plan_date=date(2026, 12, 4), author="T01")  # fmt: skip
    assert draft.next_review == date(2027, 3, 4)
    path = tmp_path / "plan.pdf"
    write_plan_pdf(draft, path, "ja")
    pages, content, embedded = _read(path)
    assert pages >= 1
    assert embedded == (font == "embedded")
    for expected in ("個別機能訓練計画書（案）", "山田 花子", "2027-03-04", "座ってできる筋力体操",
                     "準備運動", "整理運動", "SPPBの結果がまだない"):  # fmt: skip
        assert expected in content, expected


def test_a_record_pdf_spans_pages_when_there_are_many_sessions(font: str, tmp_path: Path) -> None:
    rows = [
        RecordRow(datetime(2026, 10, 1 + i % 28, 10, 0, tzinfo=UTC),
                  datetime(2026, 10, 1 + i % 28, 10, 25, tzinfo=UTC),
                  "seated_strength", 1, (ExerciseDoneRow("knee_extension", 1, 10, None, True),),
                  "T01", "ok", 11, False, f"session {i}")
        for i in range(60)
    ]  # fmt: skip
    path = tmp_path / "record.pdf"
    write_record_pdf(HANAKO, rows, path, "en")
    pages, content, _embedded = _read(path)
    assert pages >= 2
    assert "Functional-training implementation record" in content
    assert "session 0" in content
    assert "session 59" in content


def test_an_empty_schedule_says_so(font: str, tmp_path: Path) -> None:
    path = tmp_path / "due.pdf"
    write_due_pdf([], path, "ja", today=date(2026, 12, 4))
    assert "利用者がいません。" in _read(path)[1]
    write_due_pdf(
        [DueRow("R1", "山田 花子", None, None, "never")], path, "ja", today=date(2026, 12, 4)
    )
    assert "未評価" in _read(path)[1]
