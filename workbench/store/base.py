"""The store's foundation: the connection, transactions, the events row, row mapping.

Only the store package knows SQL and the schema.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

import orjson
from sqlite_utils import Database

from ..model import (
    FLAGGED,
    SKIPPED,
    SUBMITTED,
    AnnotatedSpan,
    Annotation,
    Document,
    Span,
)
from . import schema

BUSY_TIMEOUT_S = 30.0
DONE_STATUSES = (SUBMITTED, SKIPPED, FLAGGED)


class StoreError(Exception):
    """A store operation that cannot be done (unknown id, wrong annotator...)."""


@dataclass(slots=True)
class NewDocument:
    """A document to import, with optional pre-annotations."""

    text: str
    meta: dict[str, Any]
    source: str
    spans: tuple[Span, ...] = ()


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
    """One connection to an `annotations.db`; the mixins add intent-named methods."""

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        self.path = Path(path)
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None)
        self.db = Database(conn)
        # WAL lets reviewers read while annotators write; FULL: a commit survives power loss.
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={synchronous}")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        if schema.migrations.pending(self.db):
            # Under the write lock, so two processes opening a new file never race.
            with self._write():
                schema.migrations.apply(self.db)
                self.db.execute(f"PRAGMA user_version={schema.SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so the busy timeout applies;
        # a plain BEGIN that reads then writes fails at once under concurrent writers.
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
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
        before: Any = None,
        after: Any = None,
        undoes: int | None = None,
    ) -> None:
        conn.execute(
            "INSERT INTO events (ts, annotator, action, doc_id, annotation_id, before, after,"
            " undoes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _now(),
                annotator,
                action,
                doc_id,
                annotation_id,
                None if before is None else _dumps(before),
                None if after is None else _dumps(after),
                undoes,
            ),
        )

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
            spans=tuple(
                AnnotatedSpan(
                    id=s["id"],
                    span=_span(s, source=s["origin"]),
                    status=s["status"],
                    origin=s["origin"],
                )
                for s in spans
            ),
        )

    def _annotation_row(
        self, conn: sqlite3.Connection, annotation_id: int, annotator: str
    ) -> dict[str, Any]:
        rows = _fetch(conn, "SELECT * FROM annotations WHERE id = ?", (annotation_id,))
        if not rows or rows[0]["annotator"] != annotator:
            raise StoreError(f"no annotation {annotation_id} for {annotator}")
        return rows[0]

    def _new_annotation(
        self, conn: sqlite3.Connection, doc_id: int, annotator: str, status: str, now: str
    ) -> int:
        """Insert an annotator's annotation row of a document; returns its id."""
        cur = conn.execute(
            "INSERT INTO annotations (doc_id, annotator, status, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (doc_id, annotator, status, now, now),
        )
        return int(cur.lastrowid or 0)

    def _touch(self, conn: sqlite3.Connection, annotation_id: int) -> None:
        conn.execute("UPDATE annotations SET updated_at = ? WHERE id = ?", (_now(), annotation_id))

    def integrity_check(self) -> str:
        row = self._one("PRAGMA integrity_check")
        return str(next(iter(row.values()))) if row else "no answer"


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


def _span_state(row: dict[str, Any]) -> dict[str, Any]:
    """What an event records of a span: enough to put it back exactly."""
    attrs = row["attrs"]
    return {
        "id": row["id"],
        "start": row["start"],
        "end": row["end"],
        "label": row["label"],
        "attrs": _loads(attrs) if isinstance(attrs, str) else (attrs or {}),
        "status": row["status"],
        "origin": row["origin"],
    }
