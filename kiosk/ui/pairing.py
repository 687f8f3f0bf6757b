"""The devices section of the settings: the ``[devices]`` table and pairing from a BLE scan.

The table lists each role with its device URL, to change or remove (a second touch confirms a
removal). "Find devices" scans for Bluetooth devices on a worker thread, lists those the kiosk can
use as big buttons with their signal strength, and saves the chosen one under the role its kind
suggests, or another role the trainer picks. Devices take effect when the kiosk restarts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial

from textual.containers import Horizontal, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Static
from textual.worker import Worker, WorkerState
from typing_extensions import override

from devices.discovery import FoundDevice, scan_ble
from genki.config import GenkiConfig
from genki.i18n import catalogue
from genki.settings_file import SettingsChange
from kiosk.station.measurements import Role
from kiosk.ui.settings import SettingsSection

SUGGESTED_ROLES: Mapping[str, Role] = {  # discovery's kind of BLE device → the role it fills
    "gkfp": "plate", "progressor": "gauge", "blood_pressure": "cuff",
    "pulse_oximeter": "oximeter", "thermometer": "thermometer",
}  # fmt: skip
BLE_ROLES: tuple[Role, ...] = tuple(dict.fromkeys(SUGGESTED_ROLES.values()))
SCAN_GROUP = "ble-scan"


def roles_for(kind: str) -> tuple[Role, ...]:
    """Return the roles a BLE device of ``kind`` may fill, the suggested one first."""
    suggested = SUGGESTED_ROLES.get(kind)
    return tuple(sorted(BLE_ROLES, key=lambda role: role != suggested))


class DeviceSettingsScreen(SettingsSection):
    """Each role with its device URL: change it, remove it, or find devices to add."""

    TITLE_KEY = "kiosk.settings.devices"

    def __init__(self) -> None:
        super().__init__()
        self.editing: str | None = None  # the role whose URL is being changed
        self.removing: str | None = None  # the role touched once to remove

    @override
    def fields(self, config: GenkiConfig) -> Iterable[Widget]:
        yield Static(self.t("kiosk.settings.restart_note"), classes="message")
        if not config.devices:
            yield Static(self.t("kiosk.settings.no_devices"), classes="message")
        with VerticalScroll():
            for role, url in config.devices.items():
                yield from self._row(role, url)
        yield self.button("kiosk.settings.find", "find", variant="primary", big=True)

    def _row(self, role: str, url: str) -> Iterable[Widget]:
        yield Static(self.t("kiosk.settings.device_row", role=role_label(self, role), url=url))
        if role == self.editing:
            yield Input(url, id="url")
            with Horizontal(classes="row"):
                yield self.button("kiosk.settings.save", "save-url", variant="primary")
                yield self.button("kiosk.settings.cancel", "cancel")
            return
        removing = role == self.removing
        with Horizontal(classes="row"):
            yield self.button("kiosk.settings.edit", f"edit-{role}")
            remove = "kiosk.settings.confirm_remove" if removing else "kiosk.settings.remove"
            yield self.button(remove, f"remove-{role}", variant="error" if removing else "default")

    @override
    async def pressed(self, name: str) -> None:
        devices = dict(self.config.devices) if self.config is not None else {}
        if name == "find":
            self.app.push_screen(PairScreen(), self._paired)
            return
        if name.startswith("edit-"):
            self.editing, self.removing = name.removeprefix("edit-"), None
        elif name == "cancel":
            self.editing = None
        elif name == "save-url" and self.editing is not None:
            role, url = self.editing, self.query_one("#url", Input).value.strip()
            if self.save(SettingsChange(devices={**devices, role: url})) is None:
                return  # refused: the message names the URL and the form expected
            self.editing = None
            self.outcome = (self.t("kiosk.settings.saved_device", role=role, url=url), "good")
        elif name.startswith("remove-"):
            role = name.removeprefix("remove-")
            if role != self.removing:
                self.removing, self.editing = role, None
            else:
                url = devices.pop(role, "")
                if self.save(SettingsChange(devices=devices)) is None:
                    return
                self.removing = None
                self.outcome = (self.t("kiosk.settings.removed_device", role=role, url=url), "good")
        await self.recompose()

    def _paired(self, _result: None) -> None:
        """Show the table again as saved, with what the pairing screen added."""
        self.refresh(recompose=True)


class PairScreen(SettingsSection):
    """Scan for Bluetooth devices, pick one, pick its role: saved into ``[devices]``."""

    TITLE_KEY = "kiosk.settings.find"

    def __init__(self) -> None:
        super().__init__()
        self.scanning = True
        self.found: list[FoundDevice] = []  # the devices the kiosk can use, strongest first
        self.ignored = 0  # devices found that no station role uses
        self.scan_problem = ""
        self.chosen: FoundDevice | None = None

    def on_mount(self) -> None:
        self._scan()

    @override
    def fields(self, config: GenkiConfig) -> Iterable[Widget]:
        yield Static(self.t("kiosk.settings.restart_note"), classes="message")
        if self.scanning:
            seconds = f"{self.kiosk.scan_seconds:g}"
            yield Static(self.t("kiosk.settings.scanning", seconds=seconds), classes="wait",
                         id="scanning")  # fmt: skip
        elif self.chosen is not None:
            yield from self._roles(self.chosen)
        else:
            yield from self._found()

    def _found(self) -> Iterable[Widget]:
        if self.scan_problem:
            yield Static(self.scan_problem, classes="alert")
        elif not self.found:
            yield Static(self.t("kiosk.settings.nothing_found"), classes="message")
        else:
            yield Static(self.t("kiosk.settings.found_title"), classes="message")
        with VerticalScroll():
            for index, device in enumerate(self.found):
                yield Button(self._label(device), id=f"found-{index}", classes="big")
            if self.ignored:
                yield Static(self.t("kiosk.settings.ignored", count=self.ignored))
        yield self.button("kiosk.settings.scan_again", "scan", big=True)

    def _roles(self, device: FoundDevice) -> Iterable[Widget]:
        kind = self.t(f"kiosk.settings.kind_{device.kind}")
        yield Static(self.t("kiosk.settings.choose_role", name=device.name or "—", kind=kind))
        suggested = SUGGESTED_ROLES.get(device.kind)
        with VerticalScroll():
            for role in roles_for(device.kind):
                label = role_label(self, role)
                if role == suggested:
                    label = self.t("kiosk.settings.suggested", role=label)
                yield Button(label, id=f"role-{role}", classes="big",
                             variant="primary" if role == suggested else "default")  # fmt: skip
        yield self.button("kiosk.settings.cancel", "cancel")

    def _label(self, device: FoundDevice) -> str:
        kind = self.t(f"kiosk.settings.kind_{device.kind}")
        rssi = "?" if device.rssi is None else str(device.rssi)
        return self.t("kiosk.settings.found_device", name=device.name or "—", kind=kind, rssi=rssi)

    def _scan(self) -> None:
        self.scanning, self.chosen, self.scan_problem = True, None, ""
        scan = partial(scan_ble, self.kiosk.scan_seconds, self.kiosk.ble_backend)
        self.run_worker(scan, thread=True, group=SCAN_GROUP, exit_on_error=False)

    async def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != SCAN_GROUP or event.state not in (
            WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED,
        ):  # fmt: skip
            return
        self.scanning = False
        if event.state is WorkerState.SUCCESS and isinstance(worker.result, list):
            found: list[FoundDevice] = worker.result
            self.found = [d for d in found if d.kind in SUGGESTED_ROLES]
            self.ignored = len(found) - len(self.found)
        elif event.state is WorkerState.ERROR:
            error = worker.error
            reason = (str(error) or type(error).__name__) if error is not None else ""
            self.found, self.ignored = [], 0
            self.scan_problem = self.t("scan.ble_unavailable", reason=reason)
        await self.recompose()

    @override
    async def pressed(self, name: str) -> None:
        if name == "scan" and not self.scanning:
            self._scan()
        elif name.startswith("found-"):
            self.chosen = self.found[int(name.removeprefix("found-"))]
        elif name == "cancel":
            self.chosen = None
        elif name.startswith("role-") and self.chosen is not None:
            role, url = name.removeprefix("role-"), self.chosen.urls[0]
            devices = dict(self.config.devices) if self.config is not None else {}
            if self.save(SettingsChange(devices={**devices, role: url})) is None:
                return
            self.chosen = None
            self.outcome = (self.t("kiosk.settings.saved_device", role=role, url=url), "good")
        await self.recompose()


def role_label(screen: SettingsSection, role: str) -> str:
    """Return the role's name for people, or the role itself when it has none (an alias)."""
    key = f"kiosk.settings.role_{role}"
    return screen.t(key) if key in catalogue(screen.kiosk.language) else role
