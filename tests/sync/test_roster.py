"""Roster sync between the office and two kiosks: real Mosquitto, real SQLite files, no mocks.

The office runs sync.ingest.Ingest (which applies residents announced by kiosks and publishes the
retained roster); each kiosk runs sync.roster.RosterFollower (its outbox publisher, following
the roster). Residents are registered and edited through records.residents as ``genki
residents`` does, in each station's own database. The parsers and the last-writer-wins rule are
also checked as pure functions, with hypothesis.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from sync_support import backlog, running, settings_for, wait_for

from kiosk.desk import Desk
from records import Database, open_database
from records.audit import AuditRecord, audit_trail
from records.inbox import quarantined
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.resident_stamps import OFFICE_WRITER, Stamp, SyncedResident, Verdict, judge
from records.residents import (
    ENTITY,
    Resident,
    ResidentRepository,
    SyncOutcome,
    apply_synced,
    claim_unannounced,
)
from sync.errors import PayloadError
from sync.ingest import Ingest
from sync.payloads import MAX_PAYLOAD_BYTES, ResultMessage
from sync.roster import RosterFollower, announced_resident, entry_of, parse_roster, roster_message
from sync.topics import roster_filter, roster_topic

FACILITY, KIOSK_A, KIOSK_B = "sakura", "kiosk-a", "kiosk-b"
UUID = "6f1c2b1e-9a53-4a6c-8f0e-3d2b1a0c9e8f"
SYNC_S = 15.0
HANAKO = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1941, 4, 3),
    care_level=CareLevel.SUPPORT_1,
)  # fmt: skip
TARO = ResidentFields(
    code="K001", family_name="鈴木", given_name="太郎", family_kana="スズキ",
    given_kana="タロウ", sex=Sex.MALE, birth_date=date(1938, 9, 21),
    care_level=CareLevel.CARE_1,
)  # fmt: skip


def _synced(uuid: str, values: ResidentFields, at: str, by: str = OFFICE_WRITER) -> SyncedResident:
    stamp = Stamp(datetime.fromisoformat(at).replace(tzinfo=UTC), by)
    return SyncedResident(uuid, values, active=True, stamp=stamp)


class Stations:
    """The office and two kiosks: their databases and their sync workers."""

    def __init__(self, folder: Path, broker: Any) -> None:
        self.settings = settings_for(broker)
        self.databases = {
            name: open_database(f"sqlite:///{folder / f'{name}.sqlite3'}")
            for name in (OFFICE_WRITER, KIOSK_A, KIOSK_B)
        }

    @property
    def office(self) -> Database:
        return self.databases[OFFICE_WRITER]

    def residents(self, name: str) -> ResidentRepository:
        return ResidentRepository(self.databases[name], FACILITY)

    def ingest(self) -> Ingest:
        return Ingest(self.office, self.settings)

    def kiosk(self, kiosk_id: str) -> RosterFollower:
        return RosterFollower(self.databases[kiosk_id], self.settings, FACILITY, kiosk_id)

    def resident(self, name: str, code: str) -> Resident | None:
        found = [r for r in self.residents(name).list(include_inactive=True) if r.code == code]
        return found[0] if found else None

    def has(self, name: str, code: str, **expected: object) -> bool:
        """Whether station ``name`` holds resident ``code`` with these field values."""
        resident = self.resident(name, code)
        return resident is not None and all(
            getattr(resident.fields, key, None) == value or getattr(resident, key, None) == value
            for key, value in expected.items()
        )

    def wait_until_has(self, name: str, code: str, **expected: object) -> None:
        """Wait (bounded) until station ``name`` holds resident ``code`` with these values."""
        wait_for(lambda: self.has(name, code, **expected), SYNC_S, f"{code} {expected} on {name}")

    def close(self) -> None:
        for database in self.databases.values():
            database.close()


@pytest.fixture
def stations(tmp_path: Path, mosquitto_dev: Any) -> Iterator[Stations]:
    found = Stations(tmp_path, mosquitto_dev)
    yield found
    found.close()


def _actions(database: Database, uuid: str) -> list[str]:
    return [event.action for event in audit_trail(database, ENTITY, uuid)]


def _events(database: Database, uuid: str, action: str) -> list[AuditRecord]:
    return [e for e in audit_trail(database, ENTITY, uuid) if e.action == action]


# --- Over the broker ---------------------------------------------------------------------------


def test_a_resident_registered_at_the_office_reaches_both_kiosks_even_one_connecting_later(
    stations: Stations,
) -> None:
    uuid = stations.residents(OFFICE_WRITER).add(HANAKO, actor="cli:office").uuid
    with running(stations.ingest()) as ingest, running(stations.kiosk(KIOSK_A)) as kiosk_a:
        wait_for(lambda: stations.has(KIOSK_A, "R001"), SYNC_S, "the resident on kiosk A")
        assert ingest.roster.counts.published >= 1
        assert kiosk_a.roster.outcomes[SyncOutcome.ADDED] == 1
    # The office is gone now: kiosk B gets the resident from the broker's retained message.
    with running(stations.kiosk(KIOSK_B)) as kiosk_b:
        wait_for(lambda: stations.has(KIOSK_B, "R001"), SYNC_S, "the resident on kiosk B")
        assert kiosk_b.roster.outcomes[SyncOutcome.ADDED] == 1
    office = stations.residents(OFFICE_WRITER).get("R001")
    assert office.updated_by == OFFICE_WRITER  # stamped when it was published
    for kiosk_id in (KIOSK_A, KIOSK_B):
        kiosk = stations.residents(kiosk_id).get("R001")
        assert (kiosk.uuid, kiosk.fields, kiosk.active) == (uuid, HANAKO, True)
        assert (kiosk.updated_at, kiosk.updated_by) == (office.updated_at, OFFICE_WRITER)
        (added,) = _events(stations.databases[kiosk_id], uuid, "resident.sync")
        assert added.details["source"] == OFFICE_WRITER
        assert added.details["previous"] is None
        assert added.details["new"]["family_name"] == "山田"
        assert backlog(stations.databases[kiosk_id], kiosk_id) == 0  # nothing to announce back
        desk = Desk(stations.databases[kiosk_id], facility_id=FACILITY, kiosk_id=kiosk_id)
        assert [r.uuid for r in desk.residents()] == [uuid]


def test_a_resident_registered_at_kiosk_a_reaches_the_office_and_then_kiosk_b(
    stations: Stations,
) -> None:
    uuid = stations.residents(KIOSK_A).add(TARO, actor="cli:kiosk").uuid
    with (
        running(stations.ingest()) as ingest,
        running(stations.kiosk(KIOSK_A)) as kiosk_a,
        running(stations.kiosk(KIOSK_B)),
    ):
        wait_for(lambda: stations.has(KIOSK_B, "K001"), SYNC_S, "the resident on kiosk B")
        wait_for(lambda: backlog(stations.databases[KIOSK_A], KIOSK_A) == 0, SYNC_S, "acked")
        assert kiosk_a.roster.announced == 1
        assert ingest.roster.counts.outcomes[SyncOutcome.ADDED] == 1
    stamps = {
        name: (r.uuid, r.fields, r.updated_at, r.updated_by)
        for name in stations.databases
        if (r := stations.resident(name, "K001")) is not None
    }
    assert len(stamps) == 3
    assert len(set(stamps.values())) == 1  # the same values and stamp in all three databases
    assert stamps[KIOSK_B][3] == KIOSK_A
    (applied,) = _events(stations.office, uuid, "resident.sync")
    assert applied.details["source"] == KIOSK_A
    assert _actions(stations.databases[KIOSK_A], uuid) == ["resident.add"]
    desk = Desk(stations.databases[KIOSK_B], facility_id=FACILITY, kiosk_id=KIOSK_B)
    assert [r.code for r in desk.residents()] == ["K001"]


def _synced_everywhere(stations: Stations) -> str:
    """Register HANAKO at the office and wait until both kiosks have her; return her uuid."""
    uuid = stations.residents(OFFICE_WRITER).add(HANAKO, actor="cli:office").uuid
    with (
        running(stations.ingest()),
        running(stations.kiosk(KIOSK_A)),
        running(stations.kiosk(KIOSK_B)),
    ):
        for kiosk_id in (KIOSK_A, KIOSK_B):
            stations.wait_until_has(kiosk_id, "R001")
    return uuid


@pytest.mark.parametrize("later", [OFFICE_WRITER, KIOSK_A])
def test_concurrent_edits_resolve_to_the_later_writer_in_all_three_databases(
    stations: Stations, later: str
) -> None:
    uuid = _synced_everywhere(stations)
    earlier = KIOSK_A if later == OFFICE_WRITER else OFFICE_WRITER
    # Both edit while nothing runs; the second edit is the later one.
    stations.residents(earlier).edit("R001", {"notes": f"by {earlier}"}, actor=f"cli:{earlier}")
    stations.residents(later).edit("R001", {"notes": f"by {later}"}, actor=f"cli:{later}")
    with running(stations.ingest()) as ingest:
        wait_for(lambda: ingest.roster.counts.published >= 1, SYNC_S, "the office's roster out")
        with running(stations.kiosk(KIOSK_A)), running(stations.kiosk(KIOSK_B)):
            for name in stations.databases:
                stations.wait_until_has(name, "R001", notes=f"by {later}")
            wait_for(lambda: backlog(stations.databases[KIOSK_A], KIOSK_A) == 0, SYNC_S, "acked")
    stamps = {(r.updated_at, r.updated_by) for n in stations.databases
              if (r := stations.resident(n, "R001")) is not None}  # fmt: skip
    assert len(stamps) == 1
    assert stamps.pop()[1] == later
    kiosk_a = stations.databases[KIOSK_A]
    if later == KIOSK_A:
        # The office recorded its own edit and then the kiosk's, with its own values as previous.
        assert _actions(stations.office, uuid)[-2:] == ["resident.edit", "resident.sync"]
        (applied,) = _events(stations.office, uuid, "resident.sync")
        assert (applied.details["source"], applied.details["previous"]["notes"]) == (
            KIOSK_A,
            f"by {OFFICE_WRITER}",
        )
        # Kiosk A recorded its own edit and the office's earlier one, ignored.
        (ignored,) = _events(kiosk_a, uuid, "resident.sync_ignored")
        assert ignored.details["incoming"]["notes"] == f"by {OFFICE_WRITER}"
        assert ignored.details["stored"]["updated_by"] == KIOSK_A
    else:
        # Kiosk A's edit lost: kiosk A recorded both, with its own values as previous; the office
        # never applied it (it ignores it if kiosk A announced it before the roster came).
        assert _actions(kiosk_a, uuid)[-2:] == ["resident.edit", "resident.sync"]
        last = _events(kiosk_a, uuid, "resident.sync")[-1]
        assert last.details["previous"]["notes"] == f"by {KIOSK_A}"
        assert last.details["new"]["notes"] == f"by {OFFICE_WRITER}"
        assert _events(stations.office, uuid, "resident.sync") == []


def test_an_older_change_arriving_late_at_the_office_is_ignored_and_audited(
    stations: Stations,
) -> None:
    uuid = _synced_everywhere(stations)
    stations.residents(KIOSK_A).edit("R001", {"notes": "older, from kiosk A"}, actor="cli:a")
    with running(stations.kiosk(KIOSK_A)) as kiosk_a:  # the office is down: its session queues
        wait_for(lambda: kiosk_a.status().sent >= 1, SYNC_S, "kiosk A's change sent")
    stations.residents(OFFICE_WRITER).edit("R001", {"notes": "newer, office"}, actor="cli:o")
    with running(stations.ingest()) as ingest, running(stations.kiosk(KIOSK_A)):
        wait_for(lambda: ingest.roster.counts.outcomes[SyncOutcome.IGNORED] == 1, SYNC_S, "late")
        wait_for(lambda: stations.has(KIOSK_A, "R001", notes="newer, office"), SYNC_S, "kiosk A")
        wait_for(lambda: backlog(stations.databases[KIOSK_A], KIOSK_A) == 0, SYNC_S, "acked")
    assert stations.residents(OFFICE_WRITER).get("R001").fields.notes == "newer, office"
    (ignored,) = _events(stations.office, uuid, "resident.sync_ignored")
    assert ignored.details["source"] == KIOSK_A
    assert ignored.details["incoming"]["notes"] == "older, from kiosk A"
    assert ignored.details["stored"]["updated_by"] == OFFICE_WRITER
    assert ingest.roster.counts.outcomes[SyncOutcome.UPDATED] == 0


class _RawPublisher:
    """A plain MQTT client (the development broker has no ACL) sending hand-made roster bytes."""

    def __init__(self, broker: Any) -> None:
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id="rogue", protocol=MQTTProtocolVersion.MQTTv5
        )
        accepted = threading.Event()
        self.client.on_connect = lambda *_args: accepted.set()
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()
        assert accepted.wait(5), "no CONNACK"  # publishing before it fails in paho

    def publish(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _roster_document(
    resident: dict[str, object] | None = None, **changes: object
) -> dict[str, Any]:
    _topic, payload = roster_message(FACILITY, _synced(UUID, HANAKO, "2026-12-01T09:00:00"))
    document: dict[str, Any] = json.loads(payload)
    return {**document, "resident": {**document["resident"], **(resident or {})}, **changes}


BAD_ROSTER = [
    (roster_topic(FACILITY, UUID), b"{not json", "malformed"),
    (roster_topic(FACILITY, UUID), b"", "malformed"),
    (roster_topic(FACILITY, UUID), json.dumps(_roster_document(schema="genki.roster/9")).encode(),
     "unknown_schema"),
    (roster_topic(FACILITY, UUID), json.dumps(_roster_document(facility_id="ume")).encode(),
     "topic_mismatch"),
    (roster_topic(FACILITY, "00000000-0000-4000-8000-000000000000"),
     json.dumps(_roster_document()).encode(), "topic_mismatch"),
    (roster_topic(FACILITY, UUID),
     json.dumps(_roster_document(resident={"family_kana": "yamada"})).encode(), "malformed"),
    (roster_topic(FACILITY, UUID),
     json.dumps(_roster_document(resident={"updated_at": "2026-12-01T09:00:00"})).encode(),
     "malformed"),
    (roster_topic(FACILITY, UUID),
     json.dumps(_roster_document(resident={"birth_date": "2030-01-01"})).encode(), "malformed"),
    (roster_topic(FACILITY, UUID),
     json.dumps(_roster_document(resident={"care_level": "care_9"})).encode(), "malformed"),
    (f"genki/v1/{FACILITY}/roster/not-a-uuid", json.dumps(_roster_document()).encode(),
     "bad_topic"),
    (roster_topic(FACILITY, UUID), b" " * (MAX_PAYLOAD_BYTES + 1), "oversized"),
]  # fmt: skip


def test_malformed_roster_messages_are_refused_counted_and_never_stored(
    stations: Stations, mosquitto_dev: Any
) -> None:
    rogue = _RawPublisher(mosquitto_dev)
    kiosk_db = stations.databases[KIOSK_A]
    try:
        with running(stations.kiosk(KIOSK_A)) as kiosk:
            first = _synced("0d9a3c52-7f0e-4b6a-9a51-5b0f8e1c2d3e", TARO, "2026-12-01T09:00:00")
            rogue.publish(*roster_message(FACILITY, first))
            wait_for(lambda: stations.has(KIOSK_A, "K001"), SYNC_S, "the kiosk subscribed")
            for topic, payload, _reason in BAD_ROSTER:
                rogue.publish(topic, payload)
            later = Stamp(first.stamp.updated_at + timedelta(days=1), OFFICE_WRITER)
            last = replace(first, fields=replace(TARO, notes="after the bad ones"), stamp=later)
            rogue.publish(*roster_message(FACILITY, last))
            wait_for(lambda: stations.has(KIOSK_A, "K001", notes=last.fields.notes), SYNC_S, "last")
            assert kiosk.roster.rejected == len(BAD_ROSTER)
            assert kiosk.roster.outcomes == {SyncOutcome.ADDED: 1, SyncOutcome.UPDATED: 1}
            assert kiosk.is_connected
    finally:
        rogue.close()
    assert [r.uuid for r in stations.residents(KIOSK_A).list(include_inactive=True)] == [first.uuid]
    assert audit_trail(kiosk_db, ENTITY, UUID) == []


def test_a_kiosk_announcing_a_change_it_did_not_write_is_quarantined(
    stations: Stations, mosquitto_dev: Any
) -> None:
    office_change = entry_of(_synced(UUID, HANAKO, "2026-12-01T09:00:00"))  # sent as kiosk A
    forged = ResultMessage(
        message_id="5b6c7d8e-1f2a-4b3c-8d4e-5f6a7b8c9d0e", kiosk_seq=1, facility_id=FACILITY,
        kiosk_id=KIOSK_A, created_at=datetime.now(UTC), kind="resident",
        body=office_change.model_dump(mode="json"),
    )  # fmt: skip
    rogue = _RawPublisher(mosquitto_dev)
    try:
        with running(stations.ingest()) as ingest:
            rogue.client.publish(f"genki/v1/{FACILITY}/{KIOSK_A}/results", forged.encode(), qos=1)
            wait_for(lambda: ingest.quarantined == 1, SYNC_S, "the forged change quarantined")
    finally:
        rogue.close()
    assert [q.reason for q in quarantined(stations.office)] == ["kiosk_mismatch"]
    assert stations.residents(OFFICE_WRITER).list(include_inactive=True) == []


# --- The rule and the storage, without a broker ------------------------------------------------


def test_apply_synced_follows_last_writer_wins_and_audits_each_verdict_once(
    database: Database,
) -> None:
    first = _synced(UUID, HANAKO, "2026-12-01T09:00:00")
    at = first.stamp.updated_at
    tie = Stamp(at, "zz-kiosk")  # the same time: the larger writer id wins
    later = replace(first, fields=replace(HANAKO, notes="later"), stamp=tie)
    before = Stamp(at - timedelta(seconds=1), KIOSK_B)
    older = replace(first, fields=replace(HANAKO, notes="older"), stamp=before)
    steps = [(first, SyncOutcome.ADDED), (first, SyncOutcome.UNCHANGED),
             (later, SyncOutcome.UPDATED), (older, SyncOutcome.IGNORED),
             (older, SyncOutcome.IGNORED)]  # fmt: skip
    for incoming, expected in steps:
        with database.transaction() as session:
            outcome = apply_synced(session, FACILITY, incoming, local_writer=KIOSK_A, source="t")
        assert outcome is expected
    assert _actions(database, UUID) == ["resident.sync", "resident.sync", "resident.sync_ignored"]
    stored = ResidentRepository(database, FACILITY).get("R001")
    assert (stored.fields.notes, stored.updated_by) == ("later", "zz-kiosk")


def test_a_code_held_by_another_resident_is_a_conflict_not_a_corruption(
    database: Database,
) -> None:
    local = ResidentRepository(database, FACILITY).add(HANAKO, actor="cli:kiosk")
    other = _synced(UUID, HANAKO, "2030-01-01T00:00:00")  # same code, another uuid, later
    for _ in range(2):
        with database.transaction() as session:
            outcome = apply_synced(session, FACILITY, other, local_writer=KIOSK_A, source="t")
        assert outcome is SyncOutcome.CONFLICT
    assert [r.uuid for r in ResidentRepository(database, FACILITY).list()] == [local.uuid]
    (conflict,) = _events(database, UUID, "resident.sync_conflict")
    assert conflict.details["code_held_by"] == local.uuid


def test_an_unannounced_local_change_competes_with_the_local_writer_id(database: Database) -> None:
    residents = ResidentRepository(database, FACILITY)
    local = residents.add(HANAKO, actor="cli:kiosk")
    assert local.updated_by is None
    incoming = _synced(local.uuid, replace(HANAKO, notes="office"), "2000-01-01T00:00:00")
    with database.transaction() as session:
        outcome = apply_synced(session, FACILITY, incoming, local_writer=KIOSK_A, source="t")
        claimed = claim_unannounced(session, writer=KIOSK_A, facility_id=FACILITY)
    assert outcome is SyncOutcome.IGNORED  # the local change (now) is later than 2000
    assert [(facility, r.uuid, r.stamp.updated_by) for facility, r in claimed] == [
        (FACILITY, local.uuid, KIOSK_A)
    ]
    assert residents.get("R001").updated_by == KIOSK_A


stamps = st.builds(
    Stamp,
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 1, 2),  # noqa: DTZ001
                 timezones=st.just(UTC)),
    st.sampled_from([OFFICE_WRITER, KIOSK_A, KIOSK_B]),
)  # fmt: skip


@given(st.lists(stamps, min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_the_winner_does_not_depend_on_the_order_of_arrival(
    arriving: list[Stamp], shuffle: Any
) -> None:
    def fold(order: list[Stamp]) -> Stamp:
        kept: Stamp | None = None
        for stamp in order:
            if judge(kept, stamp) in {Verdict.NEW, Verdict.LATER}:
                kept = stamp
        assert kept is not None
        return kept

    other = list(arriving)
    shuffle.shuffle(other)
    assert fold(arriving) == fold(other) == max(arriving)


# --- The roster payload parser (pure) ----------------------------------------------------------


@pytest.mark.parametrize(("topic", "payload", "reason"), BAD_ROSTER)
def test_bad_roster_messages_are_refused_with_a_typed_reason(
    topic: str, payload: bytes, reason: str
) -> None:
    with pytest.raises(PayloadError, match=r"expected|UTF-8|resident") as caught:
        parse_roster(topic, payload)
    assert caught.value.reason == reason


_KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)
_NAMES = "山田花子鈴木太郎佐藤一二三青木和子加藤茂田中"
residents_fields = st.builds(
    ResidentFields,
    code=st.text("ABCZabz019_-", min_size=1, max_size=32),
    family_name=st.text(_NAMES, min_size=1, max_size=50),
    given_name=st.text(_NAMES, min_size=1, max_size=50),
    family_kana=st.text(_KATAKANA, min_size=1, max_size=50),
    given_kana=st.text(_KATAKANA, min_size=1, max_size=50),
    sex=st.sampled_from(Sex),
    birth_date=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    care_level=st.sampled_from(CareLevel),
    certified_on=st.none() | st.dates(min_value=date(2000, 4, 1), max_value=date(2025, 12, 31)),
    notes=st.text(_NAMES + "abc 。", max_size=200).map(str.strip),
)
synced_residents = st.builds(
    SyncedResident, uuid=st.uuids(version=4).map(str), fields=residents_fields,
    active=st.booleans(), stamp=stamps,
)  # fmt: skip


@given(synced_residents)
def test_a_roster_message_round_trips(resident: SyncedResident) -> None:
    topic, payload = roster_message(FACILITY, resident)
    assert topic == f"genki/v1/{FACILITY}/roster/{resident.uuid}"
    assert parse_roster(topic, payload) == (FACILITY, resident)
    # Without a certification date the entry is what versions before the field wrote.
    entry = json.loads(payload)["resident"]
    assert ("certified_on" in entry) is (resident.fields.certified_on is not None)


@given(st.binary(max_size=2048))
def test_parsing_arbitrary_roster_bytes_raises_only_payload_errors(payload: bytes) -> None:
    try:
        parse_roster(roster_topic(FACILITY, UUID), payload)
    except PayloadError as exc:
        assert exc.reason in {"malformed", "unknown_schema"}


@given(
    st.dictionaries(
        st.sampled_from([*_roster_document()["resident"], "extra"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=60), st.booleans()),
    ),
    st.sampled_from([roster_topic(FACILITY, UUID), roster_filter(FACILITY), "genki/v1/x/y/z"]),
)
def test_parsing_arbitrary_roster_documents_raises_only_payload_errors(
    changes: dict[str, object], topic: str
) -> None:
    payload = json.dumps(_roster_document(resident=changes)).encode()
    try:
        facility_id, resident = parse_roster(topic, payload)
    except PayloadError as exc:
        assert exc.reason in {"malformed", "bad_topic", "topic_mismatch"}
    else:  # anything accepted is a well-formed resident of the topic
        assert (facility_id, resident.uuid) == (FACILITY, UUID)
        assert resident.stamp.updated_at.tzinfo is not None


def test_a_kiosk_announces_only_its_own_changes() -> None:
    body = entry_of(_synced(UUID, HANAKO, "2026-12-01T09:00:00", by=KIOSK_A)).model_dump(
        mode="json"
    )
    message = ResultMessage(
        message_id=UUID, kiosk_seq=1, facility_id=FACILITY, kiosk_id=KIOSK_A,
        created_at=datetime.now(UTC), kind="resident", body=body,
    )  # fmt: skip
    assert announced_resident(message) == _synced(UUID, HANAKO, "2026-12-01T09:00:00", by=KIOSK_A)
    with pytest.raises(PayloadError, match="expected its own changes") as caught:
        announced_resident(message.model_copy(update={"kiosk_id": KIOSK_B}))
    assert caught.value.reason == "kiosk_mismatch"
    with pytest.raises(PayloadError, match="resident body") as caught:
        announced_resident(message.model_copy(update={"body": {**body, "sex": "?"}}))
    assert caught.value.reason == "malformed"
