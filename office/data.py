"""The office's view of its database: residents with their latest results, pages, kiosks, overview.

Results reach the office as inbox payloads (sync/ingest.py, records/inbox.py); this module reads
them, never writes. Each query reads the payloads it needs once, filtered in SQL by schema,
facility, ``kind`` and (for one resident) ``body.resident_uuid`` through the database's JSON
functions (SQLite ``json_extract``, PostgreSQL ``jsonb_extract_path_text``), then parses them in
Python (office/results.py). Times in bodies are compared in Python, as aware datetimes: their
text need not sort.

Residents come from the office's own roster (records/residents.py); a result whose resident the
roster does not know (yet) is shown under that resident's uuid, never dropped. Flags and
ratings: office/flags.py; a resident's page: office/page.py; the period's outcome shares:
office/evaluation.py.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from office.evaluation import (
    Certification,
    EvaluationReport,
    SppbShare,
    certification_change,
    evaluation_report,
    levels_at,
    sppb_share,
)
from office.flags import Latest, best_trial_per_day, latest_by_test, resident_flags
from office.page import ResidentPage, ResidentRow, build_profile, proposal
from office.results import (
    RESULT_KINDS,
    SESSION_KIND,
    InboxRow,
    Result,
    SessionRecord,
    numeric_leaves,
    read_document,
    to_result,
    to_session,
)
from records.database import Database
from records.errors import NotFoundError
from records.inbox import sequence_gaps
from records.links import link_states
from records.models import AuditEvent, Facility, Inbox, Quarantine
from records.plans import plans_of
from records.profiles import local_day, sex_code
from records.residents import Resident, ResidentRepository
from sync.errors import TopicError
from sync.payloads import RESULT_SCHEMA
from sync.topics import parse_topic

__all__ = [
    "FacilityOverview",
    "KioskStatus",
    "MonthAttendance",
    "OfficeData",
    "ResidentPage",
    "ResidentRow",
    "Result",
    "SessionRecord",
]
RESIDENT_ENTITY = "resident"  # records/residents.py ENTITY
ALL_KINDS = (*RESULT_KINDS, SESSION_KIND)


@dataclass(frozen=True, slots=True)
class KioskStatus:
    """One kiosk as the office sees it: link, messages stored, gaps, refusals and backlog.

    The backlog is what the kiosk last reported in its status: ``backlog`` messages saved there and
    not yet acknowledged by the office, the oldest saved at ``oldest_unacked_at``, counted at
    ``backlog_at``. All three are None until the kiosk reports a backlog.
    """

    facility_id: str
    kiosk_id: str
    online: bool | None  # None: no status message received yet
    last_seen: datetime | None  # the last message or status from the kiosk
    last_ack_at: datetime | None
    stored: int
    last_seq: int  # the highest kiosk_seq stored (0: none)
    gaps: tuple[tuple[int, int], ...]  # missing kiosk_seq runs (first, last) below last_seq
    quarantined: int
    backlog: int | None = None
    oldest_unacked_at: datetime | None = None
    backlog_at: datetime | None = None

    @property
    def missing(self) -> int:
        """How many sequence numbers below the highest stored one have not arrived."""
        return sum(last - first + 1 for first, last in self.gaps)


@dataclass(frozen=True, slots=True)
class MonthAttendance:
    """One calendar month: exercise sessions and the distinct residents who came."""

    month: date  # the first day of the month
    sessions: int
    residents: int


@dataclass(frozen=True, slots=True)
class FacilityOverview:
    """A period [start, end] (local days, both included) of the facility."""

    start: date
    end: date
    months: tuple[MonthAttendance, ...]
    attending: int  # distinct residents with a session in the period
    assessments: Mapping[str, int]  # assessments in the period by battery
    assessed: int  # distinct residents assessed in the period
    evaluation: EvaluationReport  # 事業所評価加算-style, CARE-INSURANCE.md §3.1
    sppb: SppbShare  # the functional counterpart genki computes itself


def _month(day: date) -> date:
    return day.replace(day=1)


def _months(start: date, end: date) -> list[date]:
    months, month = [], _month(start)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _in(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment < until)


class OfficeData:
    """Read-only access to the office database for the viewer, reports and exports."""

    def __init__(self, database: Database, facility_id: str | None = None) -> None:
        """Read every facility's data, or only ``facility_id``'s."""
        self.database = database
        self.facility_id = facility_id

    # --- reading ------------------------------------------------------------------------------

    def _json_text(self, session: Session, *path: str) -> ColumnElement[Any]:
        if session.get_bind().dialect.name == "postgresql":
            return func.jsonb_extract_path_text(cast(Inbox.payload, JSONB), *path)
        return func.json_extract(Inbox.payload, "$." + ".".join(path))

    def _inbox(self, kinds: Sequence[str], resident_uuid: str | None = None) -> list[InboxRow]:
        with self.database.read() as session:
            query = (
                select(Inbox.message_id, Inbox.facility_id, Inbox.kiosk_id, Inbox.payload)
                .where(Inbox.schema == RESULT_SCHEMA,
                       self._json_text(session, "kind").in_(kinds))
                .order_by(Inbox.id)
            )  # fmt: skip
            if self.facility_id is not None:
                query = query.where(Inbox.facility_id == self.facility_id)
            if resident_uuid is not None:
                query = query.where(
                    self._json_text(session, "body", "resident_uuid") == resident_uuid
                )
            return [InboxRow(*row) for row in session.execute(query)]

    def _read(
        self, kinds: Sequence[str], resident_uuid: str | None = None
    ) -> tuple[list[Result], list[SessionRecord]]:
        """Read the payloads of ``kinds`` once; return results and sessions, oldest first."""
        results, sessions = [], []
        for row in self._inbox(kinds, resident_uuid):
            document = read_document(row)
            if document is None:
                continue
            if document.get("kind") == SESSION_KIND:
                record = to_session(row, document)
                if record is not None:
                    sessions.append(record)
            else:
                result = to_result(row, document)
                if result is not None:
                    results.append(result)
        results.sort(key=lambda r: r.performed_at)
        sessions.sort(key=lambda s: s.started_at)
        return results, sessions

    def _results(self, resident_uuid: str | None = None) -> list[Result]:
        return self._read(RESULT_KINDS, resident_uuid)[0]

    def _sessions(self, resident_uuid: str | None = None) -> list[SessionRecord]:
        return self._read((SESSION_KIND,), resident_uuid)[1]

    def _facilities(self) -> list[str]:
        if self.facility_id is not None:
            return [self.facility_id]
        with self.database.read() as session:
            return list(session.scalars(select(Facility.id).order_by(Facility.id)))

    def roster(self) -> dict[str, Resident]:
        """Return every resident the office knows (active or not), by uuid, in kana order."""
        return {
            resident.uuid: resident
            for facility_id in self._facilities()
            for resident in ResidentRepository(self.database, facility_id).list(
                include_inactive=True
            )
        }

    # --- the interface ------------------------------------------------------------------------

    def results(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[Result]:
        """Return every readable assessment and trial performed in [since, until), oldest first."""
        return [r for r in self._results() if _in(r.performed_at, since, until)]

    def sessions(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> list[SessionRecord]:
        """Return every readable exercise session started in [since, until), oldest first."""
        return [s for s in self._sessions() if _in(s.started_at, since, until)]

    def residents(self, *, today: date) -> list[ResidentRow]:
        """Return one row per active resident and per resident with results, known ones first."""
        roster = self.roster()
        results: dict[str, list[Result]] = defaultdict(list)
        sessions: dict[str, list[SessionRecord]] = defaultdict(list)
        all_results, all_sessions = self._read(ALL_KINDS)
        for result in all_results:
            results[result.resident_uuid].append(result)
        for record in all_sessions:
            sessions[record.resident_uuid].append(record)
        shown = [uuid for uuid, r in roster.items() if r.active or uuid in results or
                 uuid in sessions]  # fmt: skip
        unknown = sorted((set(results) | set(sessions)) - set(roster))
        return [
            _row(uuid, roster.get(uuid), results[uuid], sessions[uuid], today=today)
            for uuid in [*shown, *unknown]
        ]

    def resident_page(self, resident_uuid: str, *, today: date) -> ResidentPage:
        """Return the page of one resident; NotFoundError if nothing at all is known of them."""
        roster = self.roster()
        results, sessions = self._read(ALL_KINDS, resident_uuid)
        resident = roster.get(resident_uuid)
        if resident is None and not results and not sessions:
            raise NotFoundError(f"no resident {resident_uuid} and no results for that uuid")
        plans: tuple[Any, ...] = ()
        if resident is not None:
            try:
                plans = tuple(plans_of(self.database, resident_uuid))
            except NotFoundError:
                plans = ()
        profile, problem, unreadable = build_profile(resident, results, sessions, today=today)
        prescription, prescription_problem = proposal(profile)
        return ResidentPage(
            row=_row(resident_uuid, resident, results, sessions, today=today),
            results=tuple(results), sessions=tuple(sessions), series=_series(results),
            plans=plans, profile=profile, prescription=prescription,
            profile_problem=problem or prescription_problem, unreadable_sessions=unreadable,
        )  # fmt: skip

    def series(self, resident_uuid: str) -> Mapping[str, list[tuple[datetime, float]]]:
        """Return every numeric value of the resident's results as time series, oldest first.

        A test's trials of one day give one point, the day's best (flags.best_trial_per_day).

        Keys are ``<battery or test>.<dotted path>``: ``sppb.total``, ``grip.peak_kgf``,
        ``fall_risk.tug_s``, ``mext65.recorded.grip_kg``, ``awgs2019.results.grip_kg`` (a battery
        saved by the kiosk keeps the results it was scored from). A value a summary does not hold
        has no series.
        """
        return _series(self._results(resident_uuid))

    def kiosks(self) -> list[KioskStatus]:
        """Return every kiosk heard of: link state, messages stored, gaps, refusals, backlog."""
        links = {(s.facility_id, s.kiosk_id): s for s in link_states(self.database)}
        with self.database.read() as session:
            stored = {
                (f, k): (int(n), int(last), received)
                for f, k, n, last, received in session.execute(
                    select(Inbox.facility_id, Inbox.kiosk_id, func.count(),
                           func.max(Inbox.kiosk_seq), func.max(Inbox.received_at))
                    .group_by(Inbox.facility_id, Inbox.kiosk_id)
                )
            }  # fmt: skip
            topics = list(session.scalars(select(Quarantine.topic)))
        gaps: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
        for gap in sequence_gaps(self.database):
            gaps[(gap.facility_id, gap.kiosk_id)].append((gap.first, gap.last))
        refused = _quarantined_by_kiosk(topics)
        statuses = []
        named = {key for key in refused if key is not None}
        for key in sorted(set(links) | set(stored) | named):
            if self.facility_id is not None and key[0] != self.facility_id:
                continue
            link = links.get(key)
            count, last_seq, received = stored.get(key, (0, 0, None))
            heard = (link.last_message_at, link.changed_at) if link is not None else ()
            seen = [t for t in (*heard, received) if t is not None]
            statuses.append(KioskStatus(
                key[0], key[1], None if link is None else link.online,
                max(seen) if seen else None, None if link is None else link.last_ack_at,
                count, last_seq, tuple(gaps[key]), refused.get(key, 0),
                None if link is None else link.backlog,
                None if link is None else link.oldest_unacked_at,
                None if link is None else link.backlog_at,
            ))  # fmt: skip
        return statuses

    def unattributed_quarantined(self) -> int:
        """Return how many quarantined messages came on a topic that names no kiosk."""
        with self.database.read() as session:
            topics = list(session.scalars(select(Quarantine.topic)))
        return _quarantined_by_kiosk(topics).get(None, 0)

    def overview(self, *, start: date, end: date) -> FacilityOverview:
        """Return attendance, assessments and outcome shares of [start, end] (local days)."""
        if end < start:
            raise ValueError(f"period {start} – {end}; expected the end on or after the start")
        results, all_sessions = self._read(ALL_KINDS)
        sessions = [s for s in all_sessions if start <= local_day(s.started_at) <= end]
        per_month: dict[date, list[str]] = defaultdict(list)
        session_months: dict[str, set[date]] = defaultdict(set)
        for record in sessions:
            month = _month(local_day(record.started_at))
            per_month[month].append(record.resident_uuid)
            session_months[record.resident_uuid].add(month)
        assessed = [
            r for r in results
            if r.kind == "assessment" and start <= local_day(r.performed_at) <= end
        ]  # fmt: skip
        sppb: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
        for result in results:
            total = result.values.get("total") if result.name == "sppb" else None
            if result.kind == "assessment" and isinstance(total, int | float):
                sppb[result.resident_uuid].append((result.performed_at, float(total)))
        return FacilityOverview(
            start=start, end=end,
            months=tuple(MonthAttendance(m, len(per_month[m]), len(set(per_month[m])))
                         for m in _months(start, end)),
            attending=len(session_months), assessments=dict(Counter(r.name for r in assessed)),
            assessed=len({r.resident_uuid for r in assessed}),
            evaluation=evaluation_report(self.certifications(), session_months, start=start,
                                         end=end),
            sppb=sppb_share(sppb, start=start, end=end),
        )  # fmt: skip

    def certifications(self) -> list[Certification]:
        """Return every recorded renewal or change of a resident's certification, oldest first.

        The levels a date-only renewal kept are filled in (office/evaluation.py ``levels_at``).
        records/residents.py audits an edit or import with ``details[field] = [before, after]``
        for each changed field, a roster sync with the previous and new values; an edit that
        changes nothing writes none.
        """
        residents = self.roster()
        query = (
            select(AuditEvent.entity_id, AuditEvent.occurred_at, AuditEvent.details)
            .where(AuditEvent.entity == RESIDENT_ENTITY)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
        recorded: dict[str, list[Certification]] = defaultdict(list)
        with self.database.read() as session:
            for uuid, occurred_at, details in session.execute(query):
                change = certification_change(details)
                if change is not None and uuid in residents:
                    recorded[uuid].append(Certification(uuid, occurred_at, *change))
        return sorted(
            (c for uuid, found in recorded.items()
             for c in levels_at(found, residents[uuid].fields.care_level.value)),
            key=lambda c: c.entered_at,
        )  # fmt: skip


def _quarantined_by_kiosk(topics: Iterable[str]) -> dict[tuple[str, str] | None, int]:
    counts: Counter[tuple[str, str] | None] = Counter()
    for text in topics:
        try:
            parsed = parse_topic(text)
        except TopicError:
            counts[None] += 1
            continue
        counts[(parsed.facility_id, parsed.kiosk_id)] += 1
    return dict(counts)


def _series(results: Iterable[Result]) -> dict[str, list[tuple[datetime, float]]]:
    series: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
    for result in best_trial_per_day(results):  # oldest first, one trial a day per test
        if "no_effort" in (result.values.get("quality_flags") or ()):
            continue
        for path, value in numeric_leaves(result.values).items():
            series[f"{result.name}.{path}"].append((result.performed_at, value))
    return dict(series)


def _summary_sex(results: Sequence[Result]) -> str | None:
    for result in reversed(results):
        who = result.values.get("resident") if result.kind == "assessment" else None
        if isinstance(who, Mapping) and who.get("sex") in ("F", "M"):
            return str(who["sex"])
    return None


def _row(
    uuid: str,
    resident: Resident | None,
    results: Sequence[Result],
    sessions: Sequence[SessionRecord],
    *,
    today: date,
) -> ResidentRow:
    sex = sex_code(resident) if resident is not None else _summary_sex(results)
    latest: dict[str, Latest] = latest_by_test(results, sex)
    assessed = [local_day(r.performed_at) for r in results if r.kind == "assessment"]
    last_assessed = max(assessed) if assessed else None
    last_session = local_day(sessions[-1].started_at) if sessions else None
    flags = resident_flags(latest=latest, last_assessed=last_assessed, last_session=last_session,
                           known=resident is not None, today=today)  # fmt: skip
    return ResidentRow(uuid, resident, latest, flags, last_assessed, last_session, sex)
