"""`genki office view --serve` in a real browser: Debian's Chromium (headless) loads the viewer,
opens a resident's page and gets the resident's outcome report as a PDF download
(tests/browser_support.py says how the page is read and typed into)."""

from __future__ import annotations

from pathlib import Path

from browser_support import chromium, free_port, served
from office_view_support import fill
from pypdf import PdfReader
from selenium.webdriver.common.keys import Keys

from records import open_database


def test_the_served_viewer_opens_a_resident_and_delivers_the_report(tmp_path: Path) -> None:
    database = tmp_path / "office.sqlite3"
    fill(open_database(f"sqlite:///{database}"))
    config = tmp_path / "genki.toml"
    config.write_text(f'language = "en"\n[database]\nurl = "sqlite:///{database}"\n')
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    arguments = ["--config", str(config), "office", "view"]
    log = tmp_path / "serve.log"
    with served(arguments, port=free_port(), log=log) as url, chromium(url, downloads) as page:
        page.wait_for("Residents", "山田 花子", "山口 健", "佐藤 節子")
        page.forget()
        page.press(Keys.ENTER)  # the first row of the residents list has the cursor
        resident_page = page.wait_for("Summary", "Trends", "Report (PDF)")
        page.press("p")  # the report
        report = page.wait_for_download(".pdf")
    text = "".join(p.extract_text() for p in PdfReader(report).pages)
    assert text.startswith("Page 1\nPhysical function report")
    [name] = [n for n in ("山田 花子", "山口 健", "佐藤 節子") if f"\n{n}\n" in text]
    assert name in resident_page  # the report is of the resident whose page was open
