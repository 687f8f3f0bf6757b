"""RELIABILITY #1: ``kill -9`` of the kiosk process at random points during scoring and commit.

Kiosk-like processes (tests/records/save_worker.py) score seeded synthetic grip trials and save
each one (trial + raw recording + outbox row, one transaction), printing ``saved <trial_uuid>
<message_id>`` only after the commit has returned. ``PARALLEL`` of them write to the same SQLite
file at once (concurrent writers queue on ``BEGIN IMMEDIATE``); each is killed with SIGKILL a
seeded random 5–120 ms after it said ``ready``, so the kills land while it builds or scores a
signal, while it waits for the write lock, inside the transaction or the commit, and between
the commit and its ``saved`` line. Every worker must die by our SIGKILL (not by an error).

Start-up is the cost: a fresh interpreter needs about 0.5 s to import numpy, SQLAlchemy, Alembic
and pydantic (about 2.5 s when four start at once on two cores), so 200 fresh starts do not fit
in a minute. ``COLD_KILLS`` workers are therefore fresh ``python save_worker.py`` processes, and
``FORKED_KILLS`` more are forked by ``save_worker.py --fork-server``, which has imported the code
but opens no database; each forked child opens the database itself (``open_database``) and is
doing the same real work as a fresh process when it is killed.

After the cold kills and after every ``BATCH`` forked kills the database is reopened as after a
restart (``open_database``: quick_check, migrations) and checked: every trial reported saved
exists with its outbox row (the message id it printed, announcing that trial); no trial without
an outbox row, no outbox row without its trial, no trial without its recording, no orphan
recording; every recording loads with a valid checksum and its force maximum equals the stored
``peak_kgf``; the kiosk's ``kiosk_seq`` runs 1..n without gaps; ``PRAGMA integrity_check`` is ok.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Protocol

import numpy as np
import pytest
from sqlalchemy import select, text

from records import open_database
from records.models import Outbox, Recording, Trial
from records.recordings import load_recording
from records.resident_fields import CareLevel, ResidentFields, Sex
from records.residents import ResidentRepository

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("save_worker.py")
SEED = 20_240_601
PARALLEL = 4
COLD_KILLS = 20
FORKED_KILLS = 200
BATCH = 50
KILL_DELAY_S = (0.005, 0.120)
READY_TIMEOUT_S = 30.0
INDEX_BLOCK = 10_000  # trial indices (signal seeds) per worker

Event = tuple[str, int, str]  # (kind, pid, text)
RESIDENT = ResidentFields(
    code="R001", family_name="山田", given_name="花子", family_kana="ヤマダ",
    given_kana="ハナコ", sex=Sex.FEMALE, birth_date=date(1941, 4, 2),
    care_level=CareLevel.SUPPORT_1,
)  # fmt: skip


class Launcher(Protocol):
    """Starts, kills and reaps workers; reports ``spawned/out/tail/eof/reaped`` on ``events``."""

    events: queue.Queue[Event]

    def spawn(self, first_index: int) -> None: ...
    def kill(self, pid: int) -> None: ...
    def reap(self, pid: int) -> None: ...
    def close(self) -> None: ...


def _worker_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}


def _relay(stream: IO[bytes], emit: Callable[[bytes], None]) -> None:
    for raw in stream:
        emit(raw)


class ColdLauncher:
    """Each worker a freshly started interpreter."""

    def __init__(self, events: queue.Queue[Event], path: Path, resident: str) -> None:
        self.events, self.path, self.resident = events, path, resident
        self.procs: dict[int, subprocess.Popen[bytes]] = {}

    def spawn(self, first_index: int) -> None:
        command = [sys.executable, str(WORKER), str(self.path), self.resident, str(first_index)]
        proc = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=_worker_env()
        )
        self.procs[proc.pid] = proc
        self.events.put(("spawned", proc.pid, ""))
        assert proc.stdout is not None
        threading.Thread(target=self._read, args=(proc.pid, proc.stdout), daemon=True).start()

    def _read(self, pid: int, stream: IO[bytes]) -> None:
        def emit(raw: bytes) -> None:
            kind = "out" if raw.endswith(b"\n") else "tail"
            self.events.put((kind, pid, raw.decode(errors="replace").rstrip("\n")))

        _relay(stream, emit)
        self.events.put(("eof", pid, ""))

    def kill(self, pid: int) -> None:
        self.procs[pid].send_signal(signal.SIGKILL)

    def reap(self, pid: int) -> None:
        code = self.procs.pop(pid).wait(timeout=10)
        how = signal.Signals(-code).name if code < 0 else str(code)
        self.events.put(("reaped", pid, how))

    def close(self) -> None:
        for proc in self.procs.values():
            proc.kill()
            proc.wait(timeout=10)


class ForkLauncher:
    """Each worker forked by ``save_worker.py --fork-server`` (which reaps only on request)."""

    def __init__(self, events: queue.Queue[Event], path: Path, resident: str) -> None:
        self.events = events
        self.server = subprocess.Popen(
            [sys.executable, str(WORKER), "--fork-server", str(path), resident],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_worker_env(),
        )
        self.unreaped: set[int] = set()
        assert self.server.stdout is not None
        threading.Thread(target=self._read, args=(self.server.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        def emit(raw: bytes) -> None:
            kind, pid, rest = [*raw.decode(errors="replace").rstrip("\n").split(" ", 2), ""][:3]
            self.events.put((kind, int(pid), rest))

        _relay(stream, emit)
        self.events.put(("server_eof", 0, ""))

    def _send(self, command: str) -> None:
        assert self.server.stdin is not None
        self.server.stdin.write(command.encode() + b"\n")
        self.server.stdin.flush()

    def spawn(self, first_index: int) -> None:
        self._send(f"spawn {first_index}")

    def kill(self, pid: int) -> None:
        # Safe by pid: the server has not reaped this child, so the pid cannot have been reused.
        os.kill(pid, signal.SIGKILL)

    def reap(self, pid: int) -> None:
        self._send(f"reap {pid}")

    def close(self) -> None:
        try:
            assert self.server.stdin is not None
            self.server.stdin.close()
            self.server.wait(timeout=10)
        finally:
            if self.server.poll() is None:
                self.server.kill()
                self.server.wait(timeout=10)


@dataclass
class Child:
    """One worker process as the test sees it."""

    pid: int
    spawned_at: float
    kill_at: float | None = None
    killed: bool = False
    last_line: str = ""


@dataclass
class Tally:
    """What happened across all kill rounds."""

    kills: Counter[str] = field(default_factory=Counter)
    died_after: Counter[str] = field(default_factory=Counter)  # the worker's last line
    saved: dict[str, str] = field(default_factory=dict)  # trial uuid -> message id
    cut_lines: int = 0
    next_index: int = 0

    def first_index(self) -> int:
        self.next_index += INDEX_BLOCK
        return self.next_index


def _on_line(child: Child, line: str, tally: Tally, rng: random.Random) -> None:
    child.last_line = line
    verb, *rest = line.split()
    if verb == "ready":
        child.kill_at = time.monotonic() + rng.uniform(*KILL_DELAY_S)
    elif verb == "saved":
        trial_uuid, message_id = rest
        tally.saved[trial_uuid] = message_id


def kill_rounds(
    launcher: Launcher, kind: str, kills: int, tally: Tally, rng: random.Random
) -> None:
    """Keep PARALLEL workers saving; kill each at a random moment; return after ``kills``."""
    events = launcher.events
    children: dict[int, Child] = {}
    requested = done = 0
    try:
        while done < kills:
            while requested - done < PARALLEL and requested < kills:
                launcher.spawn(tally.first_index())
                requested += 1
            now = time.monotonic()
            due = [c.kill_at for c in children.values() if c.kill_at and not c.killed]
            try:
                event: Event = events.get(timeout=max(0.0, min(due, default=now + 0.5) - now))
            except queue.Empty:
                pass
            else:
                done += _handle(event, children, launcher, kind, tally, rng)
            now = time.monotonic()
            for child in children.values():
                if child.kill_at is not None and not child.killed and child.kill_at <= now:
                    launcher.kill(child.pid)
                    child.killed = True
                    tally.kills[kind] += 1
                elif child.kill_at is None and now - child.spawned_at > READY_TIMEOUT_S:
                    pytest.fail(f"worker {child.pid} not ready after {READY_TIMEOUT_S} s")
    finally:
        for child in children.values():
            if not child.killed:
                launcher.kill(child.pid)


def _handle(
    event: Event,
    children: dict[int, Child],
    launcher: Launcher,
    kind: str,
    tally: Tally,
    rng: random.Random,
) -> int:
    """Apply one event; return 1 when a killed worker has been reaped."""
    verb, pid, line = event
    if verb == "spawned":
        children[pid] = Child(pid, time.monotonic())
    elif verb == "out":
        _on_line(children[pid], line, tally, rng)
    elif verb == "tail":
        tally.cut_lines += 1
    elif verb == "eof":
        if not children[pid].killed:
            pytest.fail(f"{kind} worker {pid} ended by itself after {children[pid].last_line!r}")
        launcher.reap(pid)
    elif verb == "reaped":
        child = children.pop(pid)
        assert line == "SIGKILL", f"worker {pid} ended with {line}, not by our SIGKILL"
        tally.died_after[child.last_line.split()[0] if child.last_line else "start"] += 1
        return 1
    else:
        pytest.fail(f"unexpected event {event}")
    return 0


@dataclass
class Findings:
    """The state of the database after a restart."""

    trials: int
    missing: int
    partial: int
    bad_recordings: int
    seq_gaps: int
    integrity: str


def check_after_restart(path: Path, saved: dict[str, str], verified: set[str]) -> Findings:
    """Reopen as the kiosk does after a crash and check everything (see the module docstring)."""
    database = open_database(f"sqlite:///{path}")
    try:
        with database.read() as session:
            integrity = "; ".join(
                str(row[0]) for row in session.execute(text("PRAGMA integrity_check"))
            )
            trials = {
                uuid: (sha, metrics)
                for uuid, sha, metrics in session.execute(
                    select(Trial.uuid, Trial.recording_sha256, Trial.metrics)
                )
            }
            announced = {
                message_id: (seq, json.loads(payload)["body"]["trial_uuid"])
                for message_id, seq, payload in session.execute(
                    select(Outbox.message_id, Outbox.kiosk_seq, Outbox.payload)
                )
            }
            recordings = set(session.scalars(select(Recording.sha256)))
        missing = sum(
            trial not in trials or announced.get(message_id, (0, None))[1] != trial
            for trial, message_id in saved.items()
        )
        announced_trials = [trial for _, trial in announced.values()]
        referenced = {sha for sha, _ in trials.values()}
        partial = (
            len(set(trials) - set(announced_trials))  # a trial nobody will announce
            + len(set(announced_trials) - set(trials))  # a message about no trial
            + sum(sha not in recordings for sha in referenced)  # a trial without its signal
            + len(recordings - referenced)  # a signal without its trial
        )
        bad = 0
        for uuid, (sha, metrics) in trials.items():
            if uuid in verified or sha not in recordings:
                continue
            samples = load_recording(database, sha).samples  # raises on a checksum mismatch
            bad += float(np.max(samples[:, 1])) != metrics["peak_kgf"]
            verified.add(uuid)
        seqs = sorted(seq for seq, _ in announced.values())
        return Findings(
            trials=len(trials),
            missing=missing,
            partial=partial,
            bad_recordings=bad,
            seq_gaps=int(seqs != list(range(1, len(seqs) + 1))),
            integrity=integrity,
        )
    finally:
        database.close()


@pytest.fixture
def kiosk_file(tmp_path: Path) -> tuple[Path, str]:
    """A migrated database file holding one resident; yields (path, resident uuid)."""
    path = tmp_path / "kiosk.sqlite3"
    database = open_database(f"sqlite:///{path}")
    resident = ResidentRepository(database, "f1").add(RESIDENT, actor="test").uuid
    database.close()
    return path, resident


def test_kill_9_during_scoring_and_commit_loses_nothing_and_leaves_nothing_partial(
    kiosk_file: tuple[Path, str],
) -> None:
    path, resident = kiosk_file
    rng = random.Random(SEED)
    tally, checks = Tally(), []
    verified: set[str] = set()
    started = time.monotonic()
    plan: list[tuple[str, int]] = [("cold", COLD_KILLS)] + [("forked", BATCH)] * (
        FORKED_KILLS // BATCH
    )
    forked: ForkLauncher | None = None
    phase_s: Counter[str] = Counter()
    try:
        for kind, kills in plan:
            events: queue.Queue[Event] = queue.Queue()
            if kind == "cold":
                launcher: Launcher = ColdLauncher(events, path, resident)
            else:
                forked = forked or ForkLauncher(events, path, resident)
                launcher = forked
            phase_started = time.monotonic()
            try:
                kill_rounds(launcher, kind, kills, tally, rng)
            finally:
                if launcher is not forked:
                    launcher.close()
            phase_s[kind] += time.monotonic() - phase_started
            findings = check_after_restart(path, dict(tally.saved), verified)
            checks.append(findings)
            assert (findings.missing, findings.partial, findings.bad_recordings) == (0, 0, 0)
            assert (findings.seq_gaps, findings.integrity) == (0, "ok")
    finally:
        if forked is not None:
            forked.close()
    final = checks[-1]
    wall_s = time.monotonic() - started
    print(
        f"\nkill_during_save: kills={sum(tally.kills.values())} "
        f"(cold={tally.kills['cold']}, forked={tally.kills['forked']}, parallel={PARALLEL}) "
        f"died_after={dict(tally.died_after)} saved_reported={len(tally.saved)} "
        f"trials_found={final.trials} "
        f"committed_unreported={final.trials - len(tally.saved)} missing={final.missing} "
        f"partial={final.partial} bad_recordings={final.bad_recordings} "
        f"seq_gaps={final.seq_gaps} cut_lines={tally.cut_lines} integrity={final.integrity} "
        f"restarts_checked={len(checks)} cold_s={phase_s['cold']:.1f} "
        f"forked_s={phase_s['forked']:.1f} wall_s={wall_s:.1f}"
    )
    assert sum(tally.kills.values()) >= 200
    assert tally.cut_lines == 0
    assert len(tally.saved) > 0
    # The worker's last line tells where it died: "ready"/"saved" while building or scoring a
    # signal, "scored" waiting for the write lock, "locked" inside the transaction (trial and
    # recording written), "written" in the commit or between the commit and its "saved" line.
    assert tally.died_after["ready"] + tally.died_after["saved"] > 0
    assert tally.died_after["locked"] > 0
    assert tally.died_after["written"] > 0
