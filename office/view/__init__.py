"""The office viewer: a Textual app for a terminal or, through textual-serve, a browser."""

from office.view.app import OfficeApp

__all__ = ["OfficeApp"]
