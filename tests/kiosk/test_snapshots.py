"""Snapshots of the kiosk's key screens in Japanese and English, at 80×24 (the smallest size the
kiosk supports). Regenerate after an intended change with ``pytest --snapshot-update``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Select

from kiosk.desk import Desk
from kiosk.ui.app import KioskApp
from kiosk.ui.trainer import TrainerScreen
from records import open_database
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository

RESIDENTS = (
    ResidentFields(code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
                   given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1942, 5, 3),
                   care_level=CareLevel.SUPPORT_1),
    ResidentFields(code="R002", family_name="山口", given_name="健", family_kana="ヤマグチ",
                   given_kana="ケン", sex=Sex.MALE, birth_date=date(1939, 2, 11),
                   care_level=CareLevel.CARE_1),
)  # fmt: skip
GOOD = {"sbp": "128", "dbp": "76", "pulse": "72", "spo2": "97", "temperature": "36.4"}


def app(tmp_path: Path, language: str) -> KioskApp:
    database = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    residents = ResidentRepository(database, "f1")
    for fields in RESIDENTS:
        residents.add(fields, actor="test")
    return KioskApp(Desk(database, facility_id="f1", kiosk_id="k1"), language=language,  # type: ignore[arg-type]
                    pin_hash="pbkdf2_sha256$1$c2FsdA$aGFzaA")  # fmt: skip


async def identify(pilot: Pilot[None]) -> None:
    await pilot.click("#start")
    await pilot.pause()


async def vitals(pilot: Pilot[None]) -> None:
    await identify(pilot)
    await pilot.click("#kana-7")
    await pilot.click("#who-0")
    await pilot.pause()


async def exercise(pilot: Pilot[None]) -> None:
    await vitals(pilot)
    for field, value in GOOD.items():
        pilot.app.screen.query_one(f"#{field}", Input).value = value
    pilot.app.screen.query_one("#check").press()  # type: ignore[attr-defined]
    await pilot.pause()


async def feeling(pilot: Pilot[None]) -> None:
    await exercise(pilot)
    await pilot.click("#stop")
    await pilot.pause()


async def rest(pilot: Pilot[None]) -> None:
    await vitals(pilot)
    for field, value in {**GOOD, "sbp": "205"}.items():
        pilot.app.screen.query_one(f"#{field}", Input).value = value
    pilot.app.screen.query_one("#check").press()  # type: ignore[attr-defined]
    await pilot.pause()


async def pin(pilot: Pilot[None]) -> None:
    await pilot.click("#trainer")
    await pilot.pause()


async def home(pilot: Pilot[None]) -> None:
    await pilot.pause()


async def trainer(pilot: Pilot[None]) -> None:
    pilot.app.push_screen(TrainerScreen())  # behind the PIN (tested in test_trainer_flow)
    await pilot.pause()
    pilot.app.screen.query_one("#resident", Select).value = "R001"
    await pilot.pause()


async def grip_test(pilot: Pilot[None]) -> None:
    await trainer(pilot)
    pilot.app.screen.query_one("#test-grip").press()  # type: ignore[attr-defined]
    await pilot.pause()


async def sppb(pilot: Pilot[None]) -> None:
    await trainer(pilot)
    pilot.app.screen.query_one("#battery-sppb").press()  # type: ignore[attr-defined]
    await pilot.pause()


async def devices(pilot: Pilot[None]) -> None:
    await trainer(pilot)
    pilot.app.screen.query_one("#devices-screen").press()  # type: ignore[attr-defined]
    await pilot.pause()


async def settings(pilot: Pilot[None]) -> None:
    await trainer(pilot)
    pilot.app.screen.query_one("#settings-screen").press()  # type: ignore[attr-defined]
    await pilot.pause()


SCREENS: dict[str, Callable[[Pilot[None]], Awaitable[None]]] = {
    "home": home, "identify": identify, "vitals": vitals, "exercise": exercise,
    "feeling": feeling, "rest": rest, "pin": pin, "trainer": trainer, "grip_test": grip_test,
    "sppb": sppb, "devices": devices, "settings": settings,
}  # fmt: skip


@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_key_screens(snap_compare: Callable[..., bool], tmp_path: Path, screen: str,
                     language: str) -> None:  # fmt: skip
    assert snap_compare(app(tmp_path, language), terminal_size=(80, 24),
                        run_before=SCREENS[screen])  # fmt: skip
