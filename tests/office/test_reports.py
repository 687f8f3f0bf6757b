"""Office PDF reports: a resident's outcome report and the facility's monthly report."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from genki_home import GenkiHome
from office_report_seed import FACILITY, Seeded, seed_office
from pypdf import PdfReader
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Flowable, Table

from office.data import OfficeData
from office.report_content import build_outcome, trend_charts
from office.report_monthly import build_monthly
from office.reports import monthly_report, monthly_story, outcome_report, outcome_story
from programs.explanations import explain
from programs.prescription import prescribe
from programs.profile import parse_profile
from records import Database, open_database
from records.profiles import local_day

TODAY = date(2026, 4, 30)
SERIES_STROKE = re.compile(r"(?m)^\.1 \.4 \.7 RG$")  # report_charts.SERIES_COLOUR, stroked


@pytest.fixture
def seeded(database: Database) -> Seeded:
    return seed_office(database)


def _pdf(path: Path) -> tuple[int, str, int]:
    """Pages, the text without white space, and how often the chart colour strokes a path."""
    reader = PdfReader(path)
    text = "".join(page.extract_text() for page in reader.pages)
    strokes = 0
    for page in reader.pages:
        contents = page.get_contents()
        assert contents is not None
        strokes += len(SERIES_STROKE.findall(contents.get_data().decode("latin-1")))
    return len(reader.pages), re.sub(r"\s+", "", text), strokes


def _drawings(story: list[Flowable]) -> int:
    """Count the Drawing flowables, also inside the layout tables that hold them."""
    count = 0
    for item in story:
        inner = getattr(item, "_content", None)  # KeepTogether
        if inner is not None:
            count += _drawings(inner)
        elif isinstance(item, Table):
            count += sum(isinstance(c, Drawing) for row in item._cellvalues for c in row)
        elif isinstance(item, Drawing):
            count += 1
    return count


def _squash(line: str) -> str:
    return re.sub(r"\s+", "", line)


def test_the_outcome_report_prints_name_results_explanation_and_charts(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    mitsu = seeded.residents["R001"]
    path = outcome_report(database, mitsu.uuid, path=tmp_path / "r.pdf", facility_id=FACILITY,
                          today=TODAY)  # fmt: skip
    pages, text, strokes = _pdf(path)
    assert 1 <= pages <= 3
    assert "髙橋ミツ" in text
    assert "R001" in text
    assert "運動機能の評価報告書" in text
    assert "9/12点" in text
    assert "中程度" in text
    assert "TUG13秒" in text
    assert "やや悪い" in text
    # the explanation, computed here independently from what the kiosk sent
    summaries = [{**b["summary"], "date": b["performed_at"][:10]}
                 for b in seeded.bodies["assessment"]
                 if b["resident_uuid"] == mitsu.uuid]  # fmt: skip
    history = [
        {
            "date": b["started_at"][:10],
            "programme": b["programme"],
            "level": b["level"],
            "completed": True,
            "rpe": b["rpe"],
            "pain": b["pain"],
            "vitals": "ok",
        }
        for b in seeded.bodies["exercise_session"]
        if b["resident_uuid"] == mitsu.uuid
    ]
    profile = parse_profile({"resident": {"sex": "F", "age_years": 86, "care_level": "support_1"},
                             "assessments": summaries, "history": history})  # fmt: skip
    prescription = prescribe(profile, for_today=False)
    for line in explain(profile, prescription, "ja").resident:
        assert _squash(line) in text
    assert "立って行う筋力・バランス体操レベル1" in text  # the current programme
    assert "2026-07-08" in text  # next assessment: 3 months after the last
    # five measures have values: SPPB, grip (trials), TUG, 4-m walk and chair stands
    assert strokes == 5
    for title in ("SPPB合計（点）", "握力（kg）", "TUG（秒）", "4m歩行時間（秒）",
                  "5回椅子立ち上がり（秒）"):  # fmt: skip
        assert title in text


def test_the_outcome_story_has_one_drawing_per_measure_with_values(
    database: Database, seeded: Seeded
) -> None:
    data = OfficeData(database, FACILITY)
    for code, charts in (("R001", 5), ("R003", 3), ("R002", 0)):
        resident = seeded.residents[code]
        page = data.resident_page(resident.uuid, today=TODAY)
        report = build_outcome(resident, page.profile, page.prescription, page.series,
                               today=TODAY, language="en")  # fmt: skip
        assert len(report.charts) == charts
        assert _drawings(outcome_story(report, "en")) == charts
        assert all(chart.points for chart in report.charts)


def test_the_grip_of_an_awgs_form_is_charted_where_no_grip_trial_was_saved() -> None:
    """The kiosk saves a battery with the results it was scored from (kiosk.ui.measured)."""
    day = datetime(2026, 5, 1, 10, tzinfo=UTC)
    series = {"awgs2019.results.grip_kg": [(day, 22.0)], "sppb.total": [(day, 9.0)]}
    grip = [chart for chart in trend_charts(series, "en") if "grip" in chart.measure]
    assert [(c.measure, c.title, c.points) for c in grip] == [
        ("awgs2019.results.grip_kg", "Grip strength (kg)", ((local_day(day), 22.0),))
    ]


def test_a_resident_without_results_gets_a_report_that_says_so(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    taro = seeded.residents["R002"]
    path = outcome_report(database, taro.uuid, path=tmp_path / "r.pdf", language="en",
                          facility_id=FACILITY, today=TODAY)  # fmt: skip
    _, text, strokes = _pdf(path)
    assert "Physicalfunctionreport" in text
    assert '佐藤,"一"太郎' in text
    assert "Noresultshavebeenmeasuredyet." in text
    assert "Therearenoresultstoshowatrendyet." in text
    assert strokes == 0


def test_the_monthly_report_totals_match_the_seeded_month(
    database: Database, seeded: Seeded, tmp_path: Path
) -> None:
    data = OfficeData(database, FACILITY)
    report = build_monthly(
        year=2026, month=4, facility=FACILITY, residents=list(data.roster().values()),
        results=data.results(), sessions=data.sessions(),
        overview=data.overview(start=date(2026, 4, 1), end=date(2026, 4, 30)), today=TODAY,
        language="en",
    )  # fmt: skip
    assert dict(report.totals) == {"attending": 2, "sessions": 4, "session_days": 3,
                                   "assessments": 2, "assessed_residents": 1}  # fmt: skip
    assert len(report.daily.days) == 30
    assert {d.day: n for d, n in zip(report.daily.days, report.daily.counts, strict=True)
            if n} == {1: 1, 3: 2, 8: 1}  # fmt: skip
    assert [row[0] for row in report.due_rows] == ["R002", "R003"]  # never, overdue
    assert [row[-1] for row in report.due_rows] == ["never assessed", "overdue"]
    assert report.overview[0].startswith("Of 1 residents whose SPPB could be compared")
    assert _drawings(monthly_story(report, "en")) == 1
    path = monthly_report(database, year=2026, month=4, path=tmp_path / "m.pdf", language="en",
                          facility_id=FACILITY, today=TODAY)  # fmt: skip
    pages, text, strokes = _pdf(path)
    assert pages == 1
    assert "sakuramonthlyreport,2026-04" in text
    assert "Residentswhoattended2" in text
    assert "Exercisesessions4" in text
    assert "Dayswithsessions3" in text
    assert "Assessments2" in text
    assert "1(100%)keptorimprovedtheirtotal" in text
    assert strokes >= 1  # the bars of sessions per day


def test_a_month_without_sessions_has_zero_totals(database: Database, seeded: Seeded,
                                                  tmp_path: Path) -> None:  # fmt: skip
    path = monthly_report(database, year=2026, month=6, path=tmp_path / "m.pdf", language="en",
                          facility_id=FACILITY, today=TODAY)  # fmt: skip
    _, text, _ = _pdf(path)
    assert "Residentswhoattended0" in text
    assert "Exercisesessions0" in text


@pytest.fixture
def seeded_home(home: GenkiHome) -> GenkiHome:
    home.database_file.parent.mkdir(parents=True, exist_ok=True)
    database = open_database(f"sqlite:///{home.database_file}")
    seed_office(database)
    database.close()
    return home


def test_the_report_commands_write_pdfs(seeded_home: GenkiHome) -> None:
    out = seeded_home.root / "r001.pdf"
    result = seeded_home.run("office", "report", "R001", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    assert "Physicalfunctionreport" in _pdf(out)[1]
    out = seeded_home.root / "april.pdf"
    result = seeded_home.run("--lang", "ja", "office", "monthly", "2026-04", "--pdf", str(out))
    assert result.exit_code == 0, result.output
    assert "sakura月次報告2026年4月" in _pdf(out)[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "R999"], "There is no resident with code R999."),
        (["monthly", "2026-13"], "2026-13 is not a month. Give it as YYYY-MM"),
        (["monthly", "April"], "April is not a month."),
    ],
)
def test_the_report_commands_refuse_bad_input(
    seeded_home: GenkiHome, args: list[str], message: str
) -> None:
    out = seeded_home.root / "x.pdf"
    result = seeded_home.run("office", *args, "--pdf", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert not out.exists()


def test_the_report_command_says_when_the_pdf_cannot_be_written(seeded_home: GenkiHome) -> None:
    out = seeded_home.root / "missing" / "r.pdf"
    result = seeded_home.run("office", "report", "R001", "--pdf", str(out))
    assert result.exit_code == 2
    assert f"Cannot write {out}" in result.output
