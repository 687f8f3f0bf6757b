"""Snapshots of the office viewer's key screens in Japanese and English, at 80×24. Regenerate
after an intended change with ``pytest --snapshot-update``. The kiosks screen is left out: it
shows when the office received each message, which differs on every run (Pilot-tested)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from office_view_support import office_app, settle
from textual.pilot import Pilot
from textual.widgets import DataTable, TabbedContent


async def residents(pilot: Pilot[None]) -> None:
    await settle(pilot)


async def resident(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.screen.query_one("#residents", DataTable).move_cursor(row=2)
    await pilot.press("enter")
    await settle(pilot)


async def trends(pilot: Pilot[None]) -> None:
    await resident(pilot)
    pilot.app.screen.query_one("#tabs", TabbedContent).active = "tab-trends"
    await settle(pilot)


async def overview(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await pilot.click("#nav-overview")
    await settle(pilot)


SCREENS: dict[str, Callable[[Pilot[None]], Awaitable[None]]] = {
    "residents": residents, "resident": resident, "trends": trends, "overview": overview,
}  # fmt: skip


@pytest.mark.usefixtures("tokyo_time")
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_key_screens(snap_compare: Callable[..., bool], tmp_path: Path, screen: str,
                     language: str) -> None:  # fmt: skip
    assert snap_compare(office_app(tmp_path, language), terminal_size=(80, 24),
                        run_before=SCREENS[screen])  # fmt: skip
