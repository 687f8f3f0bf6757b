"""The office inbox: one row per message id, sequence reuse quarantined, gaps found.

Runs on SQLite here and on PostgreSQL through the ``office_database`` fixture parameters.
"""

from __future__ import annotations

import uuid

from records import Database
from records.inbox import (
    IncomingMessage,
    KioskStatus,
    Outcome,
    RefusedMessage,
    inbox_status,
    quarantined,
    sequence_gaps,
    store_batch,
)
from records.links import link_states

TOPIC = "genki/v1/f1/k1/results"


def _message(seq: int, message_id: str | None = None, kiosk_id: str = "k1") -> IncomingMessage:
    return IncomingMessage(
        message_id=message_id or str(uuid.uuid4()),
        facility_id="f1",
        kiosk_id=kiosk_id,
        kiosk_seq=seq,
        schema="genki.result/1",
        payload=f'{{"seq": {seq}}}',
    )


def _store(database: Database, *messages: IncomingMessage) -> list[Outcome]:
    return store_batch(database, [(TOPIC, m) for m in messages])


def test_each_message_is_stored_once_and_a_repeat_is_a_duplicate(
    office_database: Database,
) -> None:
    first = _message(1)
    assert _store(office_database, first, _message(2)) == [Outcome.STORED, Outcome.STORED]
    assert _store(office_database, first) == [Outcome.DUPLICATE]
    status = inbox_status(office_database)
    assert (status.stored, status.distinct_messages, status.quarantined) == (2, 2, 0)


def test_a_message_twice_in_one_batch_is_stored_once(office_database: Database) -> None:
    message = _message(1)
    assert _store(office_database, message, message) == [Outcome.STORED, Outcome.DUPLICATE]
    assert inbox_status(office_database).stored == 1


def test_a_new_message_id_reusing_a_sequence_number_is_quarantined(
    office_database: Database,
) -> None:
    _store(office_database, _message(1))
    assert _store(office_database, _message(1)) == [Outcome.SEQUENCE_REUSED]
    (item,) = quarantined(office_database)
    assert item.reason == "sequence_reused"
    assert "sequence 1 is already stored" in item.detail
    assert inbox_status(office_database).stored == 1


def test_refused_messages_are_kept_with_their_reason(office_database: Database) -> None:
    big = b"x" * 10_000
    store_batch(office_database, [], [RefusedMessage(TOPIC, "oversized", "too big", big)])
    (item,) = quarantined(office_database)
    assert (item.reason, item.detail, item.payload_size) == ("oversized", "too big", 10_000)


def test_gaps_are_the_missing_runs_below_each_kiosks_highest_number(
    office_database: Database,
) -> None:
    _store(office_database, *(_message(seq) for seq in (2, 3, 6, 7, 10)))
    _store(office_database, *(_message(seq, kiosk_id="k2") for seq in (1, 2, 3)))
    gaps = [(g.kiosk_id, g.first, g.last, g.missing) for g in sequence_gaps(office_database)]
    assert gaps == [("k1", 1, 1, 1), ("k1", 4, 5, 2), ("k1", 8, 9, 2)]


def test_messages_and_statuses_update_the_kiosk_link(office_database: Database) -> None:
    store_batch(office_database, [(TOPIC, _message(1))], statuses=[KioskStatus("f1", "k1", True)])
    (link,) = link_states(office_database)
    assert link.online
    assert link.last_message_at is not None


def test_the_link_notes_when_the_office_acknowledged_the_kiosks_messages(
    office_database: Database,
) -> None:
    _store(office_database, _message(1), _message(1, kiosk_id="k2"))
    before = {link.kiosk_id: link.last_ack_at for link in link_states(office_database)}
    reused = _message(1, kiosk_id="k2")  # a new id for a stored number: quarantined, not acked
    assert _store(office_database, _message(2), reused) == [Outcome.STORED, Outcome.SEQUENCE_REUSED]
    after = {link.kiosk_id: link.last_ack_at for link in link_states(office_database)}
    assert before["k1"] is not None
    assert before["k2"] is not None
    assert after["k1"] is not None
    assert after["k1"] > before["k1"]
    assert after["k2"] == before["k2"]
