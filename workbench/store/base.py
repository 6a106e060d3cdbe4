"""The store's foundation: the connection, transactions, the events row, row mapping.

Only the store package knows SQL and the schema.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import orjson
from sqlite_utils import Database

from ..model import (
    FLAGGED,
    REVIEWED,
    REVIEWING,
    SKIPPED,
    SUBMITTED,
    AnnotatedSpan,
    Annotation,
    Change,
    Document,
    Event,
    Span,
)
from ..model import NewDocument as NewDocument  # the readers' data object, re-exported
from . import schema, writelock
from .chain import CHAINED, event_hash
from .errors import (
    DatabaseBusy,
    DatabaseReadOnly,
    DiskFull,
    ReviewedError,
    StoreError,
)

# How long a command waits for another writer's lock before giving up.
BUSY_TIMEOUT_S = 30.0
# The annotator gives up sooner: the screen must not freeze for 30 s on a keystroke.
INTERACTIVE_BUSY_TIMEOUT_S = 3.0
DONE_STATUSES = (SUBMITTED, SKIPPED, FLAGGED)

# SQLite's primary result codes (sqlite3.h) that mean "not now", not "bad request".
_SQLITE_READONLY, _SQLITE_FULL, _SQLITE_CANTOPEN = 8, 13, 14


@dataclass(frozen=True)
class ImportResult:
    added: int
    duplicates: int


@dataclass
class GoldResult:
    """What `save_gold` did: documents new to the store, annotations added and kept."""

    documents_added: int = 0
    annotations_added: int = 0
    kept: int = 0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _loads(value: str | None) -> Any:
    return orjson.loads(value) if value else None


class StoreBase:
    """One connection to an `annotations.db`; the mixins add intent-named methods.

    `busy_timeout` (seconds) is how long a write waits for another writer before it
    raises DatabaseBusy; the annotator passes INTERACTIVE_BUSY_TIMEOUT_S.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: str = "FULL",
        busy_timeout: float = BUSY_TIMEOUT_S,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._busy_ms = int(busy_timeout * 1000)
        self._queue = writelock.queue_path(self.path)
        self.read_only = read_only
        # Set when a read-only open had to fall back to immutable=1 (see _open_read_only).
        self.immutable_note: str | None = None
        if read_only:
            self.db = Database(self._open_read_only(), execute_plugins=False)
            return
        conn = sqlite3.connect(str(self.path), timeout=busy_timeout, isolation_level=None)
        # No sqlite-utils plugins: finding them reads every installed package's entry
        # points (a tenth of a second at each start), and the store runs only its own SQL.
        self.db = Database(conn, execute_plugins=False)
        try:
            with self._errors_mapped():
                # Before anything is written: a newer schema is refused untouched.
                schema.check_not_newer(self.db, str(self.path))
                # WAL lets reviewers read while annotators write; FULL: a commit
                # survives power loss.
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute(f"PRAGMA synchronous={synchronous}")
                self.db.execute("PRAGMA foreign_keys=ON")
                self.db.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
            if schema.migrations.pending(self.db):
                # Under the write lock, so two processes opening a new file never race.
                with self._write():
                    schema.check_not_newer(self.db, str(self.path))
                    schema.migrations.apply(self.db)
                    self.db.execute(f"PRAGMA user_version={schema.SCHEMA_VERSION}")
        except BaseException:
            conn.close()
            raise

    def _open_read_only(self) -> sqlite3.Connection:
        """A connection SQLite itself refuses to write through (`mode=ro`).

        A WAL database is read through its -shm file: a reader who cannot write the
        folder can still read once the -wal and -shm exist (SQLite 3.22+). Where they do
        not (the last writer closed cleanly) and nothing here is writable, the file is
        opened `immutable=1`, which is only sound while no one writes it; that is said
        in `immutable_note`.
        """
        if not self.path.exists():
            raise StoreError(f"no database at {self.path}")
        uri = self.path.resolve().as_uri()
        try:
            conn = self._connect_checked(f"{uri}?mode=ro")
        except sqlite3.OperationalError as e:
            if not _read_only(self.path):
                raise self._read_only_error(e) from e
            try:
                conn = self._connect_checked(f"{uri}?immutable=1")
            except sqlite3.Error as e2:
                raise self._read_only_error(e2) from e2
            self.immutable_note = (
                f"{self.path}: opened as immutable (its folder cannot be written and it has"
                " no -shm file to read a WAL through): changes others make while this runs"
                " are not seen"
            )
        return conn

    def _connect_checked(self, uri: str) -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=self.busy_timeout, isolation_level=None)
        try:
            schema.check_not_newer(self.db_of(conn), str(self.path))
            conn.execute("PRAGMA query_only=ON")
            conn.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
            if schema.migrations.pending(self.db_of(conn)):
                raise StoreError(
                    f"{self.path} needs upgrading to this workbench's schema: open it once"
                    " without --read-only, as an account that may write it"
                )
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def db_of(conn: sqlite3.Connection) -> Database:
        return Database(conn, execute_plugins=False)

    def _read_only_error(self, e: sqlite3.Error) -> StoreError:
        return DatabaseReadOnly(f"{self.path} cannot be opened read-only: {e}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so waiting happens there and
        # only there; a plain BEGIN that reads then writes fails at once under
        # concurrent writers. Keep the body short: every other writer waits for it.
        # Writers queue in the kernel first, then take SQLite's lock (store/writelock.py).
        conn = self.db.conn
        start = time.monotonic()
        try:
            queued = writelock.enter_queue(self._queue, self.busy_timeout)
        except writelock.Timeout:
            raise _busy(self.path, self.busy_timeout) from None
        try:
            with self._errors_mapped():
                left = max(0.0, self.busy_timeout - (time.monotonic() - start))
                writelock.begin_immediate(conn, left, self._busy_ms)
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
        finally:
            if queued is not None:
                os.close(queued)

    @contextlib.contextmanager
    def _errors_mapped(self) -> Iterator[None]:
        """SQLite's "not now" failures as StoreError subclasses with a one-line message."""
        try:
            yield
        except sqlite3.Error as e:
            mapped = _unavailable(e, self.path, self.busy_timeout)
            if mapped is None:
                raise
            raise mapped from e

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._errors_mapped():
            return list(self.db.query(sql, params))

    def _one(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _event(
        self,
        conn: sqlite3.Connection,
        annotator: str,
        action: str,
        *,
        doc_id: int | None = None,
        annotation_id: int | None = None,
        before: Change | None = None,
        after: Change | None = None,
        undoes: int | None = None,
    ) -> None:
        # Inside the write transaction (BEGIN IMMEDIATE): the latest row cannot change
        # under us, so the id and the chained hash (store/chain.py) are this row's.
        last = conn.execute("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1").fetchone()
        values = (
            1 if last is None else last[0] + 1,
            _now(),
            annotator,
            action,
            doc_id,
            annotation_id,
            None if before is None else _dumps(before.to_json()),
            None if after is None else _dumps(after.to_json()),
            undoes,
        )
        conn.execute(
            "INSERT INTO events (id, ts, annotator, action, doc_id, annotation_id, before,"
            " after, undoes, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*values, event_hash(None if last is None else last[1], values)),
        )

    def verify_events(self) -> tuple[int, int | None, str | None]:
        """Recompute the events' hash chain: (rows checked, the first row whose stored
        hash does not match or None, the latest stored hash)."""
        columns = ", ".join(f'"{c}"' for c in CHAINED)
        previous: str | None = None
        checked = 0
        with self._errors_mapped():
            cursor = self.db.conn.execute(f"SELECT {columns}, hash FROM events ORDER BY id")
            for row in cursor:
                expected = event_hash(previous, row[:-1])
                if row[-1] != expected:
                    return checked, int(row[0]), row[-1]
                previous = row[-1]
                checked += 1
        return checked, None, previous

    def document(self, doc_id: int) -> Document:
        row = self._one("SELECT * FROM documents WHERE id = ?", [doc_id])
        if row is None:
            raise StoreError(f"no document with id {doc_id}")
        return _document(row)

    def annotation(self, annotation_id: int) -> Annotation:
        row = self._one("SELECT * FROM annotations WHERE id = ?", [annotation_id])
        if row is None:
            raise StoreError(f"no annotation with id {annotation_id}")
        spans = self._rows(
            'SELECT * FROM annotation_spans WHERE annotation_id = ? ORDER BY start, "end", id',
            [annotation_id],
        )
        return Annotation(
            id=row["id"],
            document=self.document(row["doc_id"]),
            annotator=row["annotator"],
            status=row["status"],
            comment=row["comment"],
            updated_at=row["updated_at"],
            spans=tuple(_annotated(s) for s in spans),
        )

    def _annotation_row(
        self, conn: sqlite3.Connection, annotation_id: int, annotator: str
    ) -> dict[str, Any]:
        """The annotator's own annotation row, to change: reviewed gold is refused."""
        rows = _fetch(conn, "SELECT * FROM annotations WHERE id = ?", (annotation_id,))
        if not rows or rows[0]["annotator"] != annotator:
            raise StoreError(f"no annotation {annotation_id} for {annotator}")
        _refuse_reviewed(rows[0]["status"], rows[0]["doc_id"])
        return rows[0]

    def _new_annotation(
        self, conn: sqlite3.Connection, doc_id: int, annotator: str, status: str, now: str
    ) -> int | None:
        """Insert an annotator's annotation row of a document; returns its id, or None
        when another connection has just created it (one per annotator and document)."""
        row = conn.execute(
            "INSERT INTO annotations (doc_id, annotator, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (doc_id, annotator) DO NOTHING RETURNING id",
            (doc_id, annotator, status, now, now),
        ).fetchone()
        return None if row is None else int(row[0])

    def _touch(self, conn: sqlite3.Connection, annotation_id: int) -> None:
        conn.execute("UPDATE annotations SET updated_at = ? WHERE id = ?", (_now(), annotation_id))

    def integrity_check(self) -> str:
        row = self._one("PRAGMA integrity_check")
        return str(next(iter(row.values()))) if row else "no answer"


def _busy(path: Path, busy_timeout: float) -> DatabaseBusy:
    return DatabaseBusy(
        f"{path} is busy: another program held its write lock for over {busy_timeout:g} s;"
        " nothing was changed, try again"
    )


def _unavailable(error: sqlite3.Error, path: Path, busy_timeout: float) -> StoreError | None:
    """The StoreError for a busy, read-only or full database; None for anything else."""
    primary = writelock.primary(error)
    if primary in (writelock.SQLITE_BUSY, writelock.SQLITE_LOCKED):
        return _busy(path, busy_timeout)
    if primary == _SQLITE_READONLY or (primary == _SQLITE_CANTOPEN and _read_only(path)):
        return DatabaseReadOnly(
            f"{path} is read-only: nothing can be saved (check the permissions of the file"
            " and of its folder)"
        )
    if primary == _SQLITE_FULL:
        return DiskFull(f"disk full: {path} could not save the change; free some space")
    return None


def _read_only(path: Path) -> bool:
    # WAL needs to write the -shm file beside the database, even to read.
    folder = path.parent
    return (path.exists() and not os.access(path, os.W_OK)) or not os.access(folder, os.W_OK)


def _refuse_reviewed(status: str, doc_id: int) -> None:
    """Reviewed gold, and a reviewer's draft of it, change only through the review screen."""
    if status == REVIEWED:
        raise ReviewedError(f"document {doc_id} is reviewed gold; change it with workbench review")
    if status == REVIEWING:
        raise ReviewedError(
            f"document {doc_id} is a reviewer's draft; change it with workbench review"
        )


# The one statement that writes a span of an annotation (id None: a new one).
_INSERT_SPAN = (
    'INSERT INTO annotation_spans (id, annotation_id, start, "end", label, attrs, status,'
    " origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _span_params(annotation_id: int, s: AnnotatedSpan) -> tuple[Any, ...]:
    span = s.span
    attrs = _dumps(span.attrs)
    return (
        s.id or None,
        annotation_id,
        span.start,
        span.end,
        span.label,
        attrs,
        s.status,
        s.origin,
    )


def _insert_span(conn: sqlite3.Connection, annotation_id: int, s: AnnotatedSpan) -> int:
    """Write one span of an annotation (keeping `s.id` unless it is 0); returns its id."""
    return int(conn.execute(_INSERT_SPAN, _span_params(annotation_id, s)).lastrowid or 0)


def _insert_spans(
    conn: sqlite3.Connection, annotation_id: int, spans: Iterable[AnnotatedSpan]
) -> None:
    """Write many spans of an annotation in one statement."""
    conn.executemany(_INSERT_SPAN, (_span_params(annotation_id, s) for s in spans))


def _fetch(conn: sqlite3.Connection, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _document(row: dict[str, Any]) -> Document:
    return Document(
        id=row["id"],
        hash=row["hash"],
        text=row["text"],
        meta=_loads(row["meta"]) or {},
        source=row["source"],
    )


def _span(row: dict[str, Any], source: str) -> Span:
    return Span(row["start"], row["end"], row["label"], _loads(row["attrs"]) or {}, source)


def _event_of(row: dict[str, Any]) -> Event:
    """An `events` row (before and after still JSON text) as an Event."""
    return Event(
        id=row["id"],
        ts=row["ts"],
        annotator=row["annotator"],
        action=row["action"],
        doc_id=row["doc_id"],
        annotation_id=row["annotation_id"],
        before=Change.from_json(_loads(row["before"])),
        after=Change.from_json(_loads(row["after"])),
        undoes=row["undoes"],
    )


def _annotated(row: dict[str, Any]) -> AnnotatedSpan:
    """An `annotation_spans` row as the annotator's span."""
    origin = row["origin"]
    return AnnotatedSpan(row["id"], _span(row, source=origin), row["status"], origin)
