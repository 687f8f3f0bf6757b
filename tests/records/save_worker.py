"""A kiosk-like process that scores grip trials and saves them until it is killed (RELIABILITY #1).

Two ways to run it, both used by tests/records/test_kill_during_save.py:

``python save_worker.py DATABASE_FILE RESIDENT_UUID FIRST_INDEX``
    A freshly started interpreter. It opens the database the way the kiosk does
    (``open_database``: quick_check, migrations, connection settings), prints ``ready <pid>``
    and then, for index = FIRST_INDEX, FIRST_INDEX + 1, …: builds a synthetic grip force signal
    seeded by the index, scores it with ``measures.grip.score_grip``, prints ``scored <index>``,
    saves the trial, its raw recording and its outbox message in ONE transaction, and only after
    the commit has returned prints ``saved <trial_uuid> <message_id>`` (flushed each time). It
    never stops by itself: the test ends it with SIGKILL. Two more lines only tell the test where
    a kill landed: ``locked`` once ``BEGIN IMMEDIATE`` holds the write lock, and
    ``written <index>`` when the trial, recording and outbox row are added, just before the
    commit.

``python save_worker.py --fork-server DATABASE_FILE RESIDENT_UUID``
    The same worker without the interpreter start-up (about 0.5 s of imports per process,
    2.5 s when four start together on two cores), so that hundreds of kills fit in a minute.
    This process imports everything, opens NO database, and reads commands on stdin:
    ``spawn <first_index>`` forks a child that runs exactly the loop above (its own
    ``open_database``, its own connections) with its stdout on a pipe of its own;
    ``reap <pid>`` waits for a child the test has killed. It reports on stdout:
    ``spawned <pid>``, ``out <pid> <the child's line>``, ``tail <pid> <text>`` (a line cut off
    without its newline), ``eof <pid>`` (the child's pipe closed) and
    ``reaped <pid> <signal name | exit code>``. A child is reaped only on request, so its pid
    cannot be reused before the test has killed it.
"""

from __future__ import annotations

import os
import selectors
import signal
import sys
import traceback

import numpy as np
import numpy.typing as npt
from sqlalchemy import event

from measures.grip import score_grip
from records import Database, open_database
from records.recordings import RawRecording
from records.trials import save_trial
from sync.outbox import enqueue_result

RATE_HZ = 1000.0
DURATION_S = 2.0
FACILITY_ID, KIOSK_ID = "f1", "k1"

FloatArray = npt.NDArray[np.float64]


def grip_signal(index: int) -> tuple[FloatArray, FloatArray]:
    """Return (time_s, force_kgf) of a seeded squeeze: rise, fatiguing hold, release, noise."""
    rng = np.random.default_rng(index)
    time = np.arange(int(RATE_HZ * DURATION_S)) / RATE_HZ
    peak = rng.uniform(12.0, 35.0)
    onset, rise, release = rng.uniform(0.2, 0.4), rng.uniform(0.2, 0.4), rng.uniform(1.3, 1.6)
    force = peak * np.clip((time - onset) / rise, 0.0, 1.0)
    force *= np.exp(-0.08 * np.clip(time - onset - rise, 0.0, None))
    late = time > release
    force[late] *= np.exp(-12.0 * (time[late] - release))
    return time, force + rng.normal(0.0, 0.05, time.shape)


def recording_of(index: int) -> RawRecording:
    """Return the raw recording of trial ``index`` (time and force columns)."""
    time, force = grip_signal(index)
    return RawRecording(
        rate_hz=RATE_HZ, channels=("time_s", "force_kgf"), samples=np.column_stack([time, force])
    )


def say(line: str) -> None:
    """Write one line to stdout and flush it (one short write: a pipe keeps it whole)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def save_forever(database: Database, resident_uuid: str, first_index: int) -> None:
    """Score and save trials first_index, first_index + 1, …; announce each after its commit."""
    index = first_index
    while True:
        recording = recording_of(index)
        result = score_grip(recording.samples[:, 0], recording.samples[:, 1])
        metrics = result.as_json()
        flags = [str(flag) for flag in result.quality_flags]
        del metrics["quality_flags"]
        say(f"scored {index}")
        with database.transaction() as session:
            trial_uuid = save_trial(
                session,
                resident_uuid=resident_uuid,
                test="grip",
                metrics=metrics,
                quality_flags=flags,
                algorithm_version=result.algorithm_version,
                recording=recording,
                trial_index=index,
            )
            message = enqueue_result(
                session,
                facility_id=FACILITY_ID,
                kiosk_id=KIOSK_ID,
                kind="trial",
                body={"trial_uuid": trial_uuid, "peak_kgf": result.peak_kgf},
            )
            say(f"written {index}")  # next: flush of the outbox row and COMMIT
        # The with-block has committed (BEGIN IMMEDIATE … COMMIT, synchronous=FULL): only now.
        say(f"saved {trial_uuid} {message.message_id}")
        index += 1


def run_worker(path: str, resident_uuid: str, first_index: int) -> None:
    """Open the database as the kiosk does, say ``ready`` and save until killed."""
    database = open_database(f"sqlite:///{path}")
    # Runs after the database's own listener has issued BEGIN IMMEDIATE: the write lock is held.
    event.listen(database.engine, "begin", lambda _connection: say("locked"))
    say(f"ready {os.getpid()}")
    save_forever(database, resident_uuid, first_index)


def _child(path: str, resident_uuid: str, first_index: int, write_end: int) -> None:
    """Run in a forked child: stdout on its own pipe, then the worker loop; never returns."""
    try:
        os.dup2(write_end, 1)
        os.close(write_end)
        run_worker(path, resident_uuid, first_index)
    except BaseException:  # noqa: BLE001 - report anything on stderr, the test sees the exit code
        traceback.print_exc()
    finally:
        os._exit(1)


def fork_server(path: str, resident_uuid: str) -> None:
    """Fork workers on ``spawn``, reap them on ``reap``, relay their lines tagged with the pid."""
    selector = selectors.DefaultSelector()
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, None)
    pending = b""
    buffers: dict[int, bytes] = {}
    while True:
        for key, _ in selector.select():
            fd = key.fd
            chunk = os.read(fd, 65536)
            if key.data is None:  # a command from the test
                if not chunk:
                    return
                pending += chunk
                while b"\n" in pending:
                    command, pending = pending.split(b"\n", 1)
                    _command(command.decode(), path, resident_uuid, selector, buffers)
                continue
            pid = key.data
            buffers[pid] += chunk
            *lines, buffers[pid] = buffers[pid].split(b"\n")
            for line in lines:
                say(f"out {pid} {line.decode()}")
            if not chunk:
                selector.unregister(fd)
                os.close(fd)
                if buffers[pid]:  # a line cut in the middle; the test counts these
                    say(f"tail {pid} {buffers[pid].decode(errors='replace')}")
                say(f"eof {pid}")


def _command(
    command: str,
    path: str,
    resident_uuid: str,
    selector: selectors.BaseSelector,
    buffers: dict[int, bytes],
) -> None:
    verb, argument = command.split()
    if verb == "spawn":
        read_end, write_end = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            # Keep none of the server's descriptors (stdin, other workers' pipes): a worker must
            # get EPIPE, and die, once nobody reads it any more.
            os.close(read_end)
            for key in list(selector.get_map().values()):
                os.close(key.fd)
            selector.close()
            _child(path, resident_uuid, int(argument), write_end)
        os.close(write_end)
        buffers[pid] = b""
        selector.register(read_end, selectors.EVENT_READ, pid)
        say(f"spawned {pid}")
    elif verb == "reap":
        pid = int(argument)
        _, status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(status):
            how = signal.Signals(os.WTERMSIG(status)).name
        else:
            how = str(os.waitstatus_to_exitcode(status))
        say(f"reaped {pid} {how}")
    else:
        raise ValueError(f"unknown command {command!r}")


def main() -> None:
    """Dispatch on the command line (see the module docstring)."""
    if sys.argv[1] == "--fork-server":
        fork_server(sys.argv[2], sys.argv[3])
    else:
        run_worker(sys.argv[1], sys.argv[2], int(sys.argv[3]))


if __name__ == "__main__":
    main()
