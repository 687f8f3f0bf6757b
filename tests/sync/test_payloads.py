"""Payload schemas and topics: round trips, and untrusted bytes refused with a typed reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.errors import PayloadError, TopicError
from sync.payloads import (
    MAX_BACKLOG,
    MAX_PAYLOAD_BYTES,
    AckMessage,
    ResultMessage,
    StatusMessage,
    decode,
)
from sync.topics import Topic, every_kiosk, parse_topic, topic

MESSAGE_ID = "6f1c2b1e-9a53-4a6c-8f0e-3d2b1a0c9e8f"


def _result(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "schema": "genki.result/1",
        "message_id": MESSAGE_ID,
        "kiosk_seq": 7,
        "facility_id": "sakura",
        "kiosk_id": "kiosk-1",
        "created_at": "2026-11-22T10:00:00+00:00",
        "kind": "assessment",
        "body": {"battery": "sppb", "total": 9},
    }
    return document | changes


def test_a_result_round_trips_with_its_schema_name() -> None:
    message = ResultMessage.model_validate(_result())
    encoded = message.encode()
    assert json.loads(encoded)["schema"] == "genki.result/1"
    assert decode(encoded, ResultMessage) == message


def test_acks_and_statuses_round_trip() -> None:
    ack = AckMessage(facility_id="sakura", kiosk_id="kiosk-1", message_ids=(MESSAGE_ID,))
    status = StatusMessage(
        facility_id="sakura", kiosk_id="kiosk-1", online=True, at=datetime.now(UTC)
    )
    assert decode(ack.encode(), AckMessage) == ack
    assert decode(status.encode(), StatusMessage) == status


@pytest.mark.parametrize(
    ("payload", "reason", "words"),
    [
        (b"\xff\xfe", "malformed", "not UTF-8 JSON"),
        (b"{", "malformed", "not UTF-8 JSON"),
        (b"[1, 2]", "unknown_schema", "expected one of genki.result/1"),
        (json.dumps(_result(schema="genki.result/9")).encode(), "unknown_schema", "result/9"),
        (json.dumps(_result(kiosk_seq=0)).encode(), "malformed", "kiosk_seq"),
        (json.dumps(_result(message_id="x")).encode(), "malformed", "message_id"),
        (json.dumps(_result(kiosk_id="a/b")).encode(), "malformed", "kiosk_id"),
        (json.dumps(_result(created_at="2026-11-22T10:00:00")).encode(), "malformed", "created"),
        (json.dumps(_result(extra=1)).encode(), "malformed", "extra"),
        (json.dumps({"schema": "genki.ack/1"}).encode(), "malformed", "on a ResultMessage"),
        (b" " * (MAX_PAYLOAD_BYTES + 1), "oversized", f"at most {MAX_PAYLOAD_BYTES}"),
    ],
)
def test_bad_payloads_are_refused_with_a_reason(payload: bytes, reason: str, words: str) -> None:
    with pytest.raises(PayloadError, match=words) as caught:
        decode(payload, ResultMessage)
    assert caught.value.reason == reason


def _status(**changes: object) -> dict[str, object]:
    document: dict[str, object] = {
        "schema": "genki.status/1",
        "facility_id": "sakura",
        "kiosk_id": "kiosk-1",
        "online": True,
        "at": "2026-11-22T10:00:00+00:00",
        "backlog": 3,
        "oldest_unacked_at": "2026-11-21T08:00:00+00:00",
    }
    return document | changes


def test_a_status_carries_the_backlog_and_one_without_it_is_as_kiosks_wrote_it_before() -> None:
    status = decode(json.dumps(_status()).encode(), StatusMessage)
    assert (status.backlog, status.oldest_unacked_at) == (3, datetime(2026, 11, 21, 8, tzinfo=UTC))
    assert decode(status.encode(), StatusMessage) == status
    empty = decode(json.dumps(_status(backlog=0, oldest_unacked_at=None)).encode(), StatusMessage)
    assert (empty.backlog, empty.oldest_unacked_at) == (0, None)
    older = {"schema": "genki.status/1", "facility_id": "sakura", "kiosk_id": "kiosk-1",
             "online": False}  # fmt: skip  # a last will, or any status of an older kiosk
    status = decode(json.dumps(older).encode(), StatusMessage)
    assert (status.backlog, status.oldest_unacked_at) == (None, None)
    assert set(json.loads(status.encode())) == {*older, "at"}  # no unknown backlog written


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"backlog": -1}, "greater than or equal to 0"),
        ({"backlog": 1_000_000_001}, "less than or equal to 1000000000"),
        ({"backlog": "3"}, "valid integer"),
        ({"backlog": True}, "valid integer"),
        ({"backlog": 2.5}, "valid integer"),
        ({"oldest_unacked_at": "2026-11-21T08:00:00"}, "timezone"),
        ({"oldest_unacked_at": None}, "exactly when the backlog is positive"),
        ({"backlog": 0}, "exactly when the backlog is positive"),
        ({"backlog": None}, "exactly when the backlog is positive"),
        ({"backlog_count": 3}, "Extra inputs"),
    ],
)
def test_bad_backlogs_in_a_status_are_refused(changes: dict[str, object], words: str) -> None:
    with pytest.raises(PayloadError, match=words) as caught:
        decode(json.dumps(_status(**changes)).encode(), StatusMessage)
    assert caught.value.reason == "malformed"


@given(
    st.dictionaries(
        st.sampled_from(["backlog", "oldest_unacked_at", "at", "online"]),
        st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=30), st.booleans(),
                  st.datetimes().map(datetime.isoformat)),
    )
)  # fmt: skip
def test_decoding_arbitrary_statuses_keeps_the_backlog_rules(changes: dict[str, object]) -> None:
    try:
        status = decode(json.dumps(_status(**changes)).encode(), StatusMessage)
    except PayloadError as exc:
        assert exc.reason == "malformed"
        return
    assert status.backlog is None or 0 <= status.backlog <= MAX_BACKLOG
    assert (status.oldest_unacked_at is not None) == bool(status.backlog)
    assert status.oldest_unacked_at is None or status.oldest_unacked_at.tzinfo is not None
    assert decode(status.encode(), StatusMessage) == status


@given(st.binary(max_size=2048))
def test_decoding_arbitrary_bytes_never_crashes(payload: bytes) -> None:
    try:
        decode(payload, ResultMessage)
    except PayloadError as exc:
        assert exc.reason in {"malformed", "unknown_schema", "oversized"}


@given(
    st.dictionaries(
        st.sampled_from(list(_result())),
        st.one_of(st.none(), st.integers(), st.text(max_size=20), st.booleans()),
    )
)
def test_decoding_arbitrary_documents_never_crashes(changes: dict[str, object]) -> None:
    try:
        decode(json.dumps(_result(**changes)).encode(), ResultMessage)
    except PayloadError as exc:
        assert exc.reason in {"malformed", "unknown_schema"}


def test_topics_are_built_and_parsed() -> None:
    text = topic("sakura", "kiosk-1", "results")
    assert text == "genki/v1/sakura/kiosk-1/results"
    assert parse_topic(text) == Topic("sakura", "kiosk-1", "results")
    assert every_kiosk("results") == "genki/v1/+/+/results"
    assert every_kiosk("status", share_group="office") == "$share/office/genki/v1/+/+/status"


@pytest.mark.parametrize(
    "text",
    ["genki/v1/sakura/kiosk-1", "genki/v2/sakura/kiosk-1/results", "genki/v1/+/kiosk-1/results",
     "genki/v1/sakura/kiosk-1/roster", "genki/v1/sakura/#/results", "", "/genki/v1/a/b/results"],
)  # fmt: skip
def test_topics_that_do_not_fit_are_refused(text: str) -> None:
    with pytest.raises(TopicError, match="expected"):
        parse_topic(text)


@given(st.text(max_size=80))
def test_parsing_arbitrary_topics_never_crashes(text: str) -> None:
    try:
        parsed = parse_topic(text)
    except TopicError:
        return
    assert str(parsed) == text
