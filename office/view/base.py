"""What every office screen shares: the typed app, texts in the app's language, the top bar.

Screens load their data on a thread worker (office.data reads the database) and apply the
returned snapshot on the UI thread; the worker never touches a widget. A screen keeps its last
snapshot, so switching the language redraws it without reading the database again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Button
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from office.view.app import OfficeApp

NAVIGATION = ("residents", "kiosks", "overview")


class OfficeScreen(Screen[None]):
    """An office screen; ``t(key)`` gives its ``office.view`` texts in the app's language."""

    name_key = ""  # this screen's navigation button (one of NAVIGATION), "" for none
    extra_buttons: tuple[str, ...] = ()  # the screen's own actions, shown in the top bar

    def __init__(self) -> None:
        super().__init__()
        self.snapshot: Any = None
        self.shown_language = ""

    @property
    def office(self) -> OfficeApp:
        """The office app this screen belongs to."""
        return cast("OfficeApp", self.app)

    def t(self, key: str, **params: object) -> str:
        """Return the message ``office.view.<key>`` in the app's language."""
        return self.office.t(key, **params)

    def top_bar(self) -> ComposeResult:
        """Yield the bar of navigation, the screen's actions and the language switch."""
        with Horizontal(classes="bar"):
            if self.name_key not in NAVIGATION:
                yield Button(self.t("nav.back"), id="back", compact=True)
            for key in NAVIGATION:
                yield Button(self.t(f"nav.{key}"), id=f"nav-{key}", compact=True,
                             disabled=key == self.name_key)  # fmt: skip
            for key in self.extra_buttons:
                yield Button(self.t(f"action.{key}"), id=f"action-{key}", compact=True)
            yield Button(self.t("nav.language"), id="language", compact=True)

    def on_mount(self) -> None:
        self.shown_language = self.office.language
        if self.snapshot is None:
            self.load()
        else:
            self.show()

    def on_screen_resume(self) -> None:
        if self.shown_language != self.office.language:
            self.run_worker(self.redraw(), exclusive=False)

    async def redraw(self) -> None:
        """Compose again in the app's language and show the kept snapshot."""
        self.shown_language = self.office.language
        await self.recompose()
        if self.snapshot is not None:
            self.show()

    def load(self) -> None:
        """Start reading this screen's snapshot (a thread worker returning it)."""
        self.run_worker(self.read, thread=True, exclusive=True, group="load")

    def read(self) -> Any:
        """Return this screen's snapshot, read from the office data (on a worker thread)."""
        raise NotImplementedError

    def show(self) -> None:
        """Fill the widgets from ``self.snapshot`` (on the UI thread)."""
        raise NotImplementedError

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "load":
            return
        if event.state is WorkerState.SUCCESS:
            self.snapshot = event.worker.result
            self.show()
        elif event.state is WorkerState.ERROR:
            self.notify(self.t("error.load", reason=str(event.worker.error)), severity="error",
                        timeout=15)  # fmt: skip

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button == "back":
            self.app.pop_screen()
        elif button == "language":
            await self.office.action_toggle_language()
        elif button.startswith("nav-"):
            self.office.show_section(button.removeprefix("nav-"))
        elif button.startswith("action-"):
            await self.run_action(button.removeprefix("action-"))
