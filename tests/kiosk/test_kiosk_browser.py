"""`genki kiosk --serve` in a real browser: Debian's Chromium (headless) loads the kiosk, a resident
starts a session with their card and reaches the health check (tests/browser_support.py says how
the page is read)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from browser_support import chromium, free_port, served
from selenium.webdriver.common.keys import Keys

from records import open_database
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository

HANAKO = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1942, 5, 3),
    care_level=CareLevel.SUPPORT_1,
)  # fmt: skip


def test_the_served_kiosk_loads_in_chromium_and_a_resident_starts(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    ResidentRepository(open_database(f"sqlite:///{database}"), "facility-1").add(HANAKO, actor="t")
    config = tmp_path / "genki.toml"
    config.write_text(f'language = "en"\n[database]\nurl = "sqlite:///{database}"\n')
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    arguments = ["--config", str(config), "kiosk"]
    log = tmp_path / "serve.log"
    with served(arguments, port=free_port(), log=log) as url, chromium(url, downloads) as page:
        page.wait_for("Welcome! Touch the button to start.", "Start exercising")
        page.forget()
        page.press(Keys.ENTER)  # the start button has the focus
        page.wait_for("Who are you? Touch your name.")
        page.forget()
        page.press("R001", Keys.ENTER)  # the card reader types the resident's number
        page.wait_for("Hello, 山田 花子.", "Blood pressure, upper (mmHg)")
