"""Taking SQLite's write lock without SQLite's busy handler.

SQLite's handler (what Python's `timeout` sets) sleeps in steps that grow to 100 ms
and retries on its own schedule, so with many writers a waiter sleeps through the
moments the lock is free and the unlucky one runs out of time: measured with 64
annotator processes, p99 157 ms at one document a second each, 1 s at full speed,
and "database is locked" for some. Two parts replace it:

- a queue in the kernel: each write first takes an exclusive `flock` on a file beside
  the database (`annotations.db-writer`, opened read-only, created when missing);
  the waiting processes sleep in the kernel and one is woken the moment the holder
  lets go, so a waiter costs no CPU and loses no time. The lock dies with its
  process (even a killed one), so a crash leaves nothing to clean up. Where the file
  cannot be opened (a folder no one may create it in), writes go without it;
- BEGIN IMMEDIATE polled in short random sleeps, for writers outside the queue (the
  `sqlite3` shell, another tool) and for the no-queue case.

Both give up after the store's busy timeout, as DatabaseBusy.
"""

from __future__ import annotations

import fcntl
import os
import random
import sqlite3
import threading
import time
from pathlib import Path

# SQLite's primary result codes (sqlite3.h) for "another connection has it".
SQLITE_BUSY, SQLITE_LOCKED = 5, 6

# The polling of BEGIN IMMEDIATE: the first sleep and the longest, full jitter.
_WAIT_FIRST_S = 0.0005
_WAIT_MAX_S = 0.004


class Timeout(Exception):
    """The write lock was not had within the busy timeout."""


def primary(error: sqlite3.Error) -> int:
    """SQLite's primary result code of an error (-1: none given)."""
    code = getattr(error, "sqlite_errorcode", None)
    return -1 if code is None else code & 0xFF


def queue_path(db: Path) -> Path:
    return db.with_name(db.name + "-writer")


def enter_queue(path: Path, timeout: float) -> int | None:
    """Wait (up to `timeout` s) for the exclusive lock on `path`; returns the file
    descriptor holding it (close it to let go), or None where there is no queue file.
    Raises Timeout."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        pass
    except OSError:
        os.close(fd)
        return None
    # flock has no timeout: a thread waits in the kernel, this one waits for it. If
    # the time runs out first, the thread lets go of the lock as soon as it has it.
    got = threading.Event()
    gate = threading.Lock()
    abandoned = False

    def wait() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            return
        with gate:
            if abandoned:
                os.close(fd)
            else:
                got.set()

    threading.Thread(target=wait, name="workbench-write-queue", daemon=True).start()
    if got.wait(timeout):
        return fd
    with gate:
        if got.is_set():
            return fd
        abandoned = True
    raise Timeout


def begin_immediate(conn: sqlite3.Connection, timeout: float, busy_ms: int) -> None:
    """BEGIN IMMEDIATE, retried in short random sleeps for up to `timeout` seconds;
    SQLite's own handler is off for this statement only (`busy_ms` is put back) and
    the last failure is raised as it came."""
    deadline = time.monotonic() + timeout
    wait = _WAIT_FIRST_S
    conn.execute("PRAGMA busy_timeout=0")
    try:
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if primary(e) not in (SQLITE_BUSY, SQLITE_LOCKED) or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(0.0, wait))
            wait = min(wait * 2, _WAIT_MAX_S)
    finally:
        conn.execute(f"PRAGMA busy_timeout={busy_ms}")
