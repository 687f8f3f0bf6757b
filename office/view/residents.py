"""The residents list: who, care level, the latest SPPB/AWGS/fall-risk/grip with ratings, flags.

Enter (or a click) on a row opens the resident's page; the filter shows only residents with one
kind of flag. "Export" writes a CSV export (office.exports) and hands it over.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Select, Static

from office.flags import FlagCode
from office.page import ResidentRow
from office.view.base import OfficeScreen
from office.wording import care_level_short, flags_short, latest_cell, resident_label

LIST_TESTS = ("sppb", "awgs2019", "fall_risk", "grip")
ALL = "all"


class ResidentsScreen(OfficeScreen):
    """Every resident with their latest results and flags."""

    name_key = "residents"
    AUTO_FOCUS = "#residents"
    extra_buttons = ("export",)

    def __init__(self) -> None:
        super().__init__()
        self.flag_filter = ALL

    def compose(self) -> ComposeResult:
        yield from self.top_bar()
        with Horizontal(classes="filters"):
            yield Static(self.t("filter"), classes="label")
            options = [(self.t("filter_all"), ALL)] + [
                (self.t(f"filter_flag.{code.value}"), code.value) for code in FlagCode
            ]
            yield Select(options, value=self.flag_filter, allow_blank=False, id="flag-filter",
                         compact=True)  # fmt: skip
            yield Static("", id="count", classes="label")
        table: DataTable[str] = DataTable(id="residents", cursor_type="row", zebra_stripes=True)
        table.loading = self.snapshot is None
        yield table

    def read(self) -> list[ResidentRow]:
        return self.office.data.residents(today=self.office.today)

    def shown_rows(self) -> list[ResidentRow]:
        """Return the rows the filter lets through."""
        rows: list[ResidentRow] = self.snapshot or []
        if self.flag_filter == ALL:
            return rows
        return [row for row in rows if row.has(FlagCode(self.flag_filter))]

    def show(self) -> None:
        table: DataTable[str] = self.query_one("#residents", DataTable)
        table.clear(columns=True)
        lang = self.office.language
        table.add_columns(self.t("column.name"), self.t("column.code"),
                          self.t("column.care_level"),
                          *(self.t(f"column.{name}") for name in LIST_TESTS),
                          self.t("column.flags"))  # fmt: skip
        rows = self.shown_rows()
        for row in rows:
            table.add_row(resident_label(row, lang), row.code, care_level_short(row, lang),
                          *(latest_cell(row.latest.get(name), lang) for name in LIST_TESTS),
                          flags_short(row.flags, lang), key=row.resident_uuid)  # fmt: skip
        table.loading = False
        table.focus()
        total = len(self.snapshot or [])
        self.query_one("#count", Static).update(self.t("count", shown=len(rows), total=total))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "flag-filter" and isinstance(event.value, str):
            self.flag_filter = event.value
            if self.snapshot is not None:
                self.show()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        from office.view.resident import ResidentScreen  # noqa: PLC0415 - it imports this module

        if event.row_key.value is not None:
            self.app.push_screen(ResidentScreen(event.row_key.value))

    def action_export(self) -> None:
        """Ask which export to write, then write it."""
        self.app.push_screen(ExportScreen(), callback=self.export_chosen)

    def export_chosen(self, kind: str | None) -> None:
        """Write the chosen export (None: cancelled)."""
        if kind is not None:
            self.export(kind)

    @work(thread=True, group="export")
    def export(self, kind: str) -> None:
        """Write the export on a worker thread, then hand the file over on the UI thread."""
        from office.exports import export_csv  # noqa: PLC0415 - only the export needs it

        office = self.office
        path = Path(tempfile.mkdtemp(prefix="genki-export-")) / (
            f"genki-{kind}-{office.today.isoformat()}.csv"
        )
        try:
            rows = export_csv(
                office.data.database, kind, path, facility_id=office.data.facility_id,
                language=office.language,
            )  # fmt: skip
        except (OSError, ValueError) as exc:
            self.app.call_from_thread(self.notify, self.t("error.export", reason=str(exc)),
                                      severity="error", timeout=15)  # fmt: skip
            return
        self.app.call_from_thread(self.notify, self.t("exported", rows=rows))
        self.app.call_from_thread(office.deliver, path)


class ExportScreen(ModalScreen[str | None]):
    """Choose an export: results, implementation records or residents (office.exports)."""

    def compose(self) -> ComposeResult:
        from office.exports import EXPORT_KINDS  # noqa: PLC0415 - only the export needs it
        from office.view.app import OfficeApp  # noqa: PLC0415 - the app imports the screens

        app = self.app
        assert isinstance(app, OfficeApp)  # noqa: S101 - this screen belongs to the office app
        with Vertical(classes="dialog"):
            yield Static(app.t("export.title"))
            for kind in EXPORT_KINDS:
                yield Button(app.t(f"export.{kind}"), id=f"export-{kind}", compact=True)
            yield Button(app.t("export.cancel"), id="cancel", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        self.dismiss(button.removeprefix("export-") if button.startswith("export-") else None)
