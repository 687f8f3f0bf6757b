"""What every kiosk screen shares: the typed app, messages in the app's language, buttons."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen
from textual.widgets import Button

if TYPE_CHECKING:
    from kiosk.ui.app import KioskApp


class KioskScreen(Screen[None]):
    """A kiosk screen; ``t(key)`` gives its texts in the app's language."""

    @property
    def kiosk(self) -> KioskApp:
        """The kiosk app this screen belongs to."""
        return cast("KioskApp", self.app)

    def t(self, key: str, **params: object) -> str:
        """Return the message ``key`` in the app's language."""
        return self.kiosk.t(key, **params)

    def button(self, key: str, id: str, *, variant: str = "default", big: bool = False) -> Button:  # noqa: A002
        """Return a button labelled with the message ``key``."""
        return Button(
            self.t(key), id=id, variant=variant,  # type: ignore[arg-type]
            classes="big" if big else "",
        )  # fmt: skip
