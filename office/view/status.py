"""Kiosks and sync: each kiosk's link, when it was last heard from, what the office stored.

Per kiosk: online/offline (its retained status), the last message or status, the last
acknowledgement, messages stored, the highest sequence number, the missing sequence numbers
below it (a gap means messages the office has not received yet), refused (quarantined)
messages, and the backlog the kiosk last reported (messages saved there and not yet
acknowledged, with when the oldest was saved) and when it counted it; "—" when no backlog was
reported. Quarantined messages whose topic names no kiosk are counted below the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from office.data import KioskStatus
from office.view.base import OfficeScreen
from office.wording import backlog_text, gaps_text, kiosk_link, moment_text

COLUMNS = ("kiosk", "link", "last_seen", "last_ack", "stored", "last_seq", "missing",
           "quarantined", "backlog", "backlog_at")  # fmt: skip


@dataclass(frozen=True, slots=True)
class SyncSnapshot:
    """The kiosks and the quarantined messages of no kiosk."""

    kiosks: tuple[KioskStatus, ...]
    unattributed: int


class KiosksScreen(OfficeScreen):
    """Every kiosk's link and delivery state."""

    name_key = "kiosks"
    AUTO_FOCUS = "#kiosks"
    extra_buttons = ("refresh",)

    def compose(self) -> ComposeResult:
        yield from self.top_bar()
        yield Static(self.t("kiosks_title"), classes="title")
        table: DataTable[str] = DataTable(id="kiosks", cursor_type="row", zebra_stripes=True)
        table.loading = self.snapshot is None
        yield table
        yield Static("", id="gaps")

    def read(self) -> SyncSnapshot:
        data = self.office.data
        return SyncSnapshot(tuple(data.kiosks()), data.unattributed_quarantined())

    def show(self) -> None:
        snapshot: SyncSnapshot = self.snapshot
        lang = self.office.language
        table: DataTable[str] = self.query_one("#kiosks", DataTable)
        table.clear(columns=True)
        table.add_columns(*(self.t(f"column.{c}") for c in COLUMNS))
        for kiosk in snapshot.kiosks:
            table.add_row(f"{kiosk.facility_id}/{kiosk.kiosk_id}", kiosk_link(kiosk, lang),
                          moment_text(kiosk.last_seen), moment_text(kiosk.last_ack_at),
                          str(kiosk.stored), str(kiosk.last_seq), str(kiosk.missing),
                          str(kiosk.quarantined), backlog_text(kiosk, lang),
                          moment_text(kiosk.backlog_at))  # fmt: skip
        table.loading = False
        table.focus()
        lines = [f"{k.facility_id}/{k.kiosk_id}: {gaps_text(k, lang)}" for k in snapshot.kiosks]
        if not snapshot.kiosks:
            lines.append(self.t("no_kiosks"))
        if snapshot.unattributed:
            lines.append(self.t("unattributed", count=snapshot.unattributed))
        self.query_one("#gaps", Static).update("\n".join(lines))

    def action_refresh(self) -> None:
        """Read the state again."""
        self.load()
