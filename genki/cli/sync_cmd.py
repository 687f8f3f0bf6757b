"""``genki sync status | drain``: the kiosk's outbox backlog and its link to the office.

``status`` reads the kiosk database only (backlog, oldest unacknowledged row, last office
acknowledgement, the link state the publisher recorded), so it works while the kiosk app runs.
``drain`` runs the publisher until the office has acknowledged every row or the time is up.
"""

from __future__ import annotations

import json
import time
from datetime import datetime

import click

from genki.cli.context import CliContext, OperationFailedError
from genki.config import BrokerConfig
from genki.i18n import Language, text
from records.links import LinkState, link_states
from records.outbox import OutboxStatus, outbox_status
from sync.broker import BrokerSettings
from sync.publisher import Publisher

pass_cli = click.make_pass_decorator(CliContext)
POLL_S = 0.1


def broker_settings(config: BrokerConfig) -> BrokerSettings:
    """Return the broker settings of the ``[broker]`` table."""
    return BrokerSettings(
        host=config.host,
        port=config.port,
        tls=config.tls,
        ca_file=config.ca_file,
        username=config.username,
        password=config.password,
        keepalive_s=config.keepalive_s,
    )


def _when(moment: datetime | None, language: Language) -> str:
    if moment is None:
        return text("sync.never", language)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


def _link(cli: CliContext) -> LinkState | None:
    """Return this kiosk's link state as its publisher last recorded it."""
    kiosk_id = cli.loaded.config.kiosk.id
    return next((s for s in link_states(cli.database()) if s.kiosk_id == kiosk_id), None)


def _status_lines(cli: CliContext, status: OutboxStatus, link: LinkState | None) -> list[str]:
    config, language = cli.loaded.config, cli.language
    lines = [
        text("sync.title", language, kiosk=config.kiosk.id, facility=config.facility.id),
        text(
            "sync.backlog",
            language,
            count=status.backlog,
            oldest=_when(status.oldest_unacked_at, language),
        ),
        text(
            "sync.acknowledged",
            language,
            count=status.acknowledged,
            last=_when(status.last_acked_at, language),
        ),
    ]
    if link is None:
        return [*lines, text("sync.link_unknown", language)]
    key = "sync.link_online" if link.online else "sync.link_offline"
    since = _when(link.changed_at, language)
    return [*lines, text(key, language, since=since, reason=link.last_error or "—")]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


@click.group(name="sync")
def sync_group() -> None:
    """Show or drain the kiosk's outbox and its link to the office."""


@sync_group.command(name="status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@pass_cli
def status_command(cli: CliContext, /, *, as_json: bool) -> None:
    """Backlog, oldest unacknowledged result, last acknowledgement and the broker link."""
    kiosk_id = cli.loaded.config.kiosk.id
    status, link = outbox_status(cli.database(), kiosk_id), _link(cli)
    if not as_json:
        click.echo("\n".join(_status_lines(cli, status, link)))
        return
    figures = {
        "kiosk_id": kiosk_id,
        "backlog": status.backlog,
        "acknowledged": status.acknowledged,
        "last_seq": status.last_seq,
        "oldest_unacked_at": _iso(status.oldest_unacked_at),
        "last_acked_at": _iso(status.last_acked_at),
        "online": None if link is None else link.online,
        "link_changed_at": None if link is None else _iso(link.changed_at),
        "last_error": "" if link is None else link.last_error,
    }
    click.echo(json.dumps(figures))


@sync_group.command(name="drain")
@click.option(
    "--timeout",
    "timeout_s",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Give up after this many seconds.",
)
@pass_cli
def drain_command(cli: CliContext, /, *, timeout_s: float) -> None:
    """Send every unacknowledged result now and wait for the office's acknowledgements."""
    config, language, database = cli.loaded.config, cli.language, cli.database()
    before = outbox_status(database, config.kiosk.id)
    settings = broker_settings(config.broker)
    publisher = Publisher(database, settings, config.facility.id, config.kiosk.id)
    publisher.start()
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            if outbox_status(database, config.kiosk.id).backlog == 0:
                break
            time.sleep(POLL_S)
    finally:
        publisher.stop()
    after = outbox_status(database, config.kiosk.id)
    delivered = after.acknowledged - before.acknowledged
    if after.backlog:
        raise OperationFailedError(
            text(
                "sync.drain_incomplete",
                language,
                delivered=delivered,
                backlog=after.backlog,
                seconds=f"{timeout_s:g}",
                reason=publisher.last_error or text("sync.no_acks", language),
            )
        )
    click.echo(text("sync.drained", language, delivered=delivered))
