"""The kiosk app: a home screen, the resident flow and the trainer flow, Japanese by default.

The app owns no data: the Desk (kiosk.desk) reads and saves, the Station (kiosk.station) measures.
Station views arrive on the station's thread; the app keeps only the latest and posts itself one
message at a time (``post_message`` is thread-safe), so a busy screen skips stale views instead of
queueing them, and the station never waits for the screen.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.css.query import NoMatches
from textual.message import Message

from genki.i18n import Language, text
from kiosk.desk import Desk
from kiosk.station.service import Station, StationView

if TYPE_CHECKING:
    from devices.transports.ble import BleBackend

SCAN_SECONDS = 5.0  # how long the pairing screen listens for Bluetooth devices


class StationUpdated(Message):
    """A new station view is waiting in ``KioskApp.station_view``."""


class KioskApp(App[None]):
    """The exercise-room kiosk."""

    CSS_PATH = Path(__file__).with_name("kiosk.tcss")
    TITLE = "genki"

    def __init__(
        self,
        desk: Desk,
        *,
        station: Station | None = None,
        language: Language = "ja",
        pin_hash: str | None = None,
        hint: str = "",
        config_path: Path | None = None,
        ble_backend: BleBackend | None = None,
    ) -> None:
        """``hint`` is shown on the home screen (the demo's PIN and data folder).

        The settings screens save to ``config_path`` (None: they cannot save); the pairing screen
        scans with ``ble_backend`` (None: the platform's Bluetooth stack) for ``scan_seconds``.
        """
        super().__init__()
        self.desk, self.station, self.pin_hash, self.hint = desk, station, pin_hash, hint
        self.config_path, self.ble_backend = config_path, ble_backend
        self.scan_seconds = SCAN_SECONDS
        self.language: Language = language
        self.station_view = station.view if station is not None else StationView()
        self._update_pending = False
        # When a list, the live trace appends (screen refresh time − sample arrival time) in ns:
        # the sensor → screen latency that genki bench ui reports.
        self.trace_latencies_ns: list[int] | None = None

    @staticmethod
    def demo_hint(language: Language, **params: object) -> str:
        """Return the demo's hint (trainer PIN, data folder) in ``language``."""
        return text("kiosk.demo_hint", language, **params)

    def t(self, key: str, **params: object) -> str:
        """Return the message ``key`` in the app's language."""
        return text(key, self.language, **params)

    def on_mount(self) -> None:
        from kiosk.ui.resident import HomeScreen  # noqa: PLC0415 - screens import this module

        if self.station is not None:
            self.station.subscribe(self._from_station)
        self.push_screen(HomeScreen())

    def _from_station(self, view: StationView) -> None:
        """Keep the latest view (station thread) and wake the app once."""
        self.station_view = view
        if not self._update_pending:
            self._update_pending = True
            self.post_message(StationUpdated())

    def on_station_updated(self, _message: StationUpdated) -> None:
        self._update_pending = False
        if not self.screen_stack:  # starting up or shutting down: no screen to show it on
            return
        show = getattr(self.screen, "show_station", None)
        if show is None:
            return
        with contextlib.suppress(NoMatches):  # a screen not yet composed, or being torn down
            show(self.station_view)

    async def action_toggle_language(self) -> None:
        """Switch between Japanese and English and redraw the screen."""
        self.language = "en" if self.language == "ja" else "ja"
        await self.screen.recompose()
