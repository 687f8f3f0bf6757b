"""The kiosk outbox: identity and order fixed at insert, closed only by the office's ack."""

from __future__ import annotations

import pytest

from records import Database
from records.links import link_states, set_online
from records.outbox import enqueue, ensure_kiosk, mark_acked, mark_sent, outbox_status, unacked


def _add(database: Database, count: int, kiosk_id: str = "k1") -> list[str]:
    ids = []
    with database.transaction() as session:
        ensure_kiosk(session, "f1", kiosk_id)
        for _ in range(count):
            message = enqueue(
                session,
                kiosk_id=kiosk_id,
                topic=f"genki/v1/f1/{kiosk_id}/results",
                schema="test/1",
                build=lambda message_id, seq: f"{message_id}:{seq}",
            )
            ids.append(message.message_id)
    return ids


def test_sequence_numbers_count_from_one_per_kiosk_and_payloads_carry_them(
    database: Database,
) -> None:
    first, second = _add(database, 2), _add(database, 1, "k2")
    rows = unacked(database, "k1", after_seq=0, limit=10)
    assert [(r.message_id, r.kiosk_seq) for r in rows] == [(first[0], 1), (first[1], 2)]
    assert rows[0].payload == f"{first[0]}:1"
    assert [r.kiosk_seq for r in unacked(database, "k2", after_seq=0, limit=10)] == [1]
    assert second[0] not in first


def test_unacked_pages_in_order_after_a_sequence_number(database: Database) -> None:
    _add(database, 5)
    assert [r.kiosk_seq for r in unacked(database, "k1", after_seq=2, limit=2)] == [3, 4]


def test_a_row_is_closed_only_by_an_ack_naming_it_for_its_own_kiosk(database: Database) -> None:
    ids = _add(database, 3)
    mark_sent(database, ids)
    assert outbox_status(database, "k1").backlog == 3
    assert mark_acked(database, "f1", "k2", ids) == 0  # another kiosk's ack closes nothing
    assert mark_acked(database, "f1", "k1", [ids[1], "not-ours"]) == 1
    assert mark_acked(database, "f1", "k1", [ids[1]]) == 0  # a repeated ack changes nothing
    status = outbox_status(database, "k1")
    assert (status.backlog, status.acknowledged, status.last_seq) == (2, 1, 3)
    assert status.oldest_unacked_at is not None
    assert status.last_acked_at is not None
    assert status.last_acked_at.tzinfo is not None
    assert [r.kiosk_seq for r in unacked(database, "k1", after_seq=0, limit=10)] == [1, 3]


def test_a_rolled_back_transaction_leaves_no_row_and_no_sequence_number(
    database: Database,
) -> None:
    _add(database, 1)

    def enqueue_then_fail() -> None:
        with database.transaction() as session:
            enqueue(session, kiosk_id="k1", topic="t", schema="s", build=lambda m, s: "x")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    _add(database, 1)
    assert [r.kiosk_seq for r in unacked(database, "k1", after_seq=0, limit=10)] == [1, 2]


def test_sequence_numbers_never_restart_after_everything_is_acknowledged(
    database: Database,
) -> None:
    mark_acked(database, "f1", "k1", _add(database, 3))
    _add(database, 1)
    assert [r.kiosk_seq for r in unacked(database, "k1", after_seq=0, limit=10)] == [4]


def test_the_link_state_is_recorded(database: Database) -> None:
    set_online(database, "f1", "k1", online=False, error="connection refused")
    (link,) = link_states(database)
    assert (link.kiosk_id, link.online, link.last_error) == ("k1", False, "connection refused")
    set_online(database, "f1", "k1", online=True)
    assert link_states(database)[0].online
