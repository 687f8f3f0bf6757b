"""The office viewer driven by Textual's Pilot over a real SQLite office database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from office_view_support import UNKNOWN, office_app, settle
from textual.widgets import DataTable, Select, Sparkline, Static, TabbedContent

from office.flags import FlagCode
from office.view.charts import TrendChart
from office.view.overview import OverviewScreen
from office.view.resident import ResidentScreen
from office.view.residents import ResidentsScreen
from office.view.status import KiosksScreen
from records.inbox import KioskStatus, store_batch
from records.residents import ResidentRepository


def cells(table: DataTable[str]) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_the_viewer_opens_on_every_resident_with_latest_results_and_flags(
    tmp_path: Path,
) -> None:
    app = office_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ResidentsScreen)
        rows = cells(app.screen.query_one("#residents", DataTable))
        assert [r[0] for r in rows] == ["佐藤 節子", "山口 健", "山田 花子",
                                        "unknown resident 0f0e0d0c"]  # fmt: skip
        hanako = rows[2]
        assert hanako[3] == "8 mid ▼"  # SPPB 8 (intermediate), worse than 10 the time before
        assert hanako[6] == "17 low ▼"  # grip 17 kg: below the AWGS 2019 cut-off for women
        assert "SPPB↓" in hanako[7]
        assert "Grip↓" in hanako[7]
        assert rows[1][4] == "none"
        assert "overdue" in rows[1][7]
        assert rows[0][7] == "never assessed, no session yet"


async def test_the_flag_filter_shows_only_residents_with_that_flag(tmp_path: Path) -> None:
    app = office_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one("#flag-filter", Select).value = FlagCode.UNKNOWN_RESIDENT.value
        await pilot.pause()
        rows = cells(app.screen.query_one("#residents", DataTable))
        assert [r[0] for r in rows] == ["unknown resident 0f0e0d0c"]
        assert "1 of 4" in str(app.screen.query_one("#count", Static).render())


async def test_enter_opens_the_resident_page_with_trend_charts_and_records(
    tmp_path: Path,
) -> None:
    app = office_app(tmp_path)
    ResidentRepository(app.data.database, "f1").edit(
        "R001", {"certified_on": date(2026, 4, 1)}, actor="office"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#residents", DataTable)
        table.move_cursor(row=2)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ResidentScreen)
        who = str(screen.query_one("#who", Static).render())
        assert "山田 花子  R001" in who
        assert who.endswith("certified 2026-04-01")
        summary = "\n".join(str(s.render()) for s in screen.query("#summary-body Static"))
        assert "(Short Physical Performance Battery): 10 last time, 8 now (worse)." in summary
        assert "cannot say whether the change is more than chance" in summary
        screen.query_one("#tabs", TabbedContent).active = "tab-trends"
        await settle(pilot)
        charts = list(screen.query(TrendChart))
        assert [c.key for c in charts][:2] == ["sppb.total", "sppb.gait_time_s"]
        assert charts[0].query_one(Sparkline).data == [
            12.0,
            10.0,
            10.0,
            8.0,
        ]  # hand-scored: 4+4+4, 3+4+3, 3+4+3, 2+4+2
        screen.query_one("#tabs", TabbedContent).active = "tab-records"
        await settle(pilot)
        assert screen.query_one("#records-table", DataTable).row_count == 16
        screen.query_one("#tabs", TabbedContent).active = "tab-explanation"
        await settle(pilot)
        explanation = "\n".join(str(s.render()) for s in screen.query("#explanation-body Static"))
        assert "Your score is 8 out of 12" in explanation
        await pilot.click("#back")
        await pilot.pause()
        assert isinstance(app.screen, ResidentsScreen)


async def test_a_resident_the_roster_lacks_has_a_page_but_no_report(tmp_path: Path) -> None:
    app = office_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ResidentScreen(UNKNOWN))
        await settle(pilot)
        assert "unknown resident 0f0e0d0c" in str(app.screen.query_one("#who", Static).render())
        await pilot.click("#action-report")
        await pilot.pause()
        assert not (tmp_path / "downloads").exists()


async def test_the_report_action_hands_over_a_pdf(tmp_path: Path) -> None:
    app = office_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.screen.query_one("#residents", DataTable).move_cursor(row=2)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.click("#action-report")
        await settle(pilot)
        for _ in range(100):
            delivered = list((tmp_path / "downloads").glob("*.pdf"))
            if delivered:
                break
            await pilot.pause(0.05)
        assert len(delivered) == 1
        assert delivered[0].read_bytes().startswith(b"%PDF")


async def test_kiosks_and_overview_screens_show_the_sync_state_and_the_period(
    tmp_path: Path,
) -> None:
    app = office_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#nav-kiosks")
        await settle(pilot)
        assert isinstance(app.screen, KiosksScreen)
        [row] = cells(app.screen.query_one("#kiosks", DataTable))
        assert row[0] == "f1/k1"
        assert row[4:7] == [
            "29",
            "29",
            "0",
        ]
        assert row[8:10] == ["—", "—"]  # no backlog reported by the kiosk yet
        oldest = datetime(2026, 5, 9, 23, 30, tzinfo=UTC)
        counted = datetime(2026, 5, 10, 1, 15, tzinfo=UTC)
        store_batch(app.data.database, [], [], [
            KioskStatus("f1", "k1", True, backlog=3, oldest_unacked_at=oldest, backlog_at=counted),
        ])  # fmt: skip
        await pilot.click("#action-refresh")
        await settle(pilot)
        [row] = cells(app.screen.query_one("#kiosks", DataTable))
        assert row[8] == f"3 (oldest saved {oldest.astimezone():%Y-%m-%d %H:%M})"
        assert row[9] == f"{counted.astimezone():%Y-%m-%d %H:%M}"
        await pilot.click("#nav-overview")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        months = cells(app.screen.query_one("#months", DataTable))
        assert ["2026-01", "4", "1"] in months
        assert ["2026-05", "1", "1"] in months
        app.screen.query_one("#period", Select).value = "this_year"
        await settle(pilot)
        lines = str(app.screen.query_one("#overview-lines", Static).render())
        assert "Period 2026-01-01 – 2026-12-31" in lines


async def test_the_language_switch_redraws_in_japanese_and_back(tmp_path: Path) -> None:
    app = office_app(tmp_path, "en")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click("#language")
        await settle(pilot)
        assert app.language == "ja"
        rows = cells(app.screen.query_one("#residents", DataTable))
        assert rows[3][0] == "未登録の利用者 0f0e0d0c"
        assert rows[2][3] == "8 中 ▼"
        await pilot.press("f9")
        await settle(pilot)
        assert cells(app.screen.query_one("#residents", DataTable))[2][3] == "8 mid ▼"
