"""The office viewer app: residents, a resident's page, kiosks and sync, the facility overview.

The app owns no data: office.data reads the office database, office.reports and office.exports
write the PDF reports and CSV exports. A written file is handed to the person through Textual's
``deliver_binary`` in a browser (``genki office view --serve``), which opens it in a new tab; in
a terminal it is saved in the downloads folder (or ``save_directory``).
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import platformdirs
from textual import events
from textual.app import App
from textual.binding import Binding

from genki.i18n import Language, text
from office.data import OfficeData

SECTIONS = ("residents", "kiosks", "overview")


class OfficeApp(App[None]):
    """The office station's viewer (Japanese by default)."""

    CSS_PATH = Path(__file__).with_name("office.tcss")
    TITLE = "genki"
    BINDINGS = [  # noqa: RUF012 - Textual's class-level binding list
        Binding("f2", "section('residents')", show=False),
        Binding("f3", "section('kiosks')", show=False),
        Binding("f4", "section('overview')", show=False),
        Binding("f9", "toggle_language", show=False),
    ]

    def __init__(
        self,
        data: OfficeData,
        *,
        language: Language = "ja",
        today: date | None = None,
        save_directory: Path | None = None,
    ) -> None:
        """``today`` fixes the day flags are computed for (None: the local day at each read)."""
        super().__init__()
        self.data, self.language, self.fixed_today = data, language, today
        self.save_directory = save_directory

    @property
    def today(self) -> date:
        """The day the flags and due dates are computed for."""
        return self.fixed_today or date.today()  # noqa: DTZ011 - the office's local day

    def t(self, key: str, **params: object) -> str:
        """Return the message ``office.view.<key>`` in the app's language."""
        return text(f"office.view.{key}", self.language, **params)

    def on_mount(self) -> None:
        from office.view.residents import ResidentsScreen  # noqa: PLC0415 - screens import this

        self.title = self.t("title")
        self.push_screen(ResidentsScreen())

    def show_section(self, section: str) -> None:
        """Show one of SECTIONS on top of the residents list."""
        from office.view.overview import OverviewScreen  # noqa: PLC0415 - screens import this
        from office.view.status import KiosksScreen  # noqa: PLC0415

        if section not in SECTIONS:
            raise ValueError(f"section {section!r}; expected one of {', '.join(SECTIONS)}")
        while len(self.screen_stack) > 2:  # the default screen and the residents list stay
            self.pop_screen()
        if section == "kiosks":
            self.push_screen(KiosksScreen())
        elif section == "overview":
            self.push_screen(OverviewScreen())

    def action_section(self, section: str) -> None:
        """Key binding: show a section."""
        self.show_section(section)

    async def action_toggle_language(self) -> None:
        """Switch between Japanese and English and redraw the screen."""
        self.language = "en" if self.language == "ja" else "ja"
        self.title = self.t("title")
        redraw = getattr(self.screen, "redraw", None)
        if redraw is not None:
            await redraw()

    def deliver(self, path: Path) -> None:
        """Hand a written file to the person: the browser opens it, a terminal saves it.

        In a terminal the file is copied to ``save_directory`` (default: the downloads folder)
        here, not by ``deliver_binary``: Textual 8.2.8 writes a binary file there in text mode.
        """
        if self.is_web:
            self.deliver_binary(path, open_method="browser", name=path.name)
            return
        folder = self.save_directory or platformdirs.user_downloads_path()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            saved = Path(shutil.copy2(path, folder / path.name))
        except OSError as exc:
            self.notify(self.t("error.delivery", reason=str(exc)), severity="error", timeout=15)
            return
        self.notify(self.t("delivered", path=str(saved)), timeout=10)

    def on_delivery_complete(self, event: events.DeliveryComplete) -> None:
        where = str(event.path) if event.path is not None else event.name or ""
        self.notify(self.t("delivered", path=where), timeout=10)

    def on_delivery_failed(self, event: events.DeliveryFailed) -> None:
        self.notify(self.t("error.delivery", reason=str(event.exception)), severity="error",
                    timeout=15)  # fmt: skip
