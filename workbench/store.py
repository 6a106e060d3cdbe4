"""The annotation store: the only module that knows SQL and the schema.

Every method is named for what a user or a command did. Each write runs in one
`BEGIN IMMEDIATE` transaction together with its `events` row, so a decision is
on disk (WAL, synchronous=FULL) before the method returns.

A Store owns one connection and must be used on the thread that opened it;
workers open their own Store on the same path.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlite_utils import Database

from . import schema
from .model import (
    ACCEPTED,
    FLAGGED,
    IN_PROGRESS,
    PENDING,
    REJECTED,
    REVIEWED,
    SKIPPED,
    SOURCE_ANNOTATOR,
    SOURCE_IMPORT,
    SUBMITTED,
    AnnotatedSpan,
    Annotation,
    Document,
    Progress,
    Span,
    Status,
    text_hash,
)

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


class Store:
    """An open `annotations.db`."""

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

    def __enter__(self) -> Store:
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

    # ---- documents -------------------------------------------------------------------

    def add_documents(
        self, docs: Iterable[NewDocument], *, annotator: str = "", label: str = ""
    ) -> ImportResult:
        """Add documents in one transaction; texts already stored are skipped.

        `docs` may be a stream: if iterating it raises, nothing of it is written.
        """
        now = _now()
        seen = 0
        with_spans: list[NewDocument] = []

        def rows() -> Iterator[tuple[str, str, str, str, str]]:
            # The hot loop of a large import: plain local names, no helper calls.
            nonlocal seen
            dumps, keep = orjson.dumps, with_spans.append
            for d in docs:
                seen += 1
                if d.spans:
                    keep(d)
                yield (text_hash(d.text), d.text, dumps(d.meta).decode(), d.source, now)

        with self._write() as conn:
            before = conn.total_changes
            conn.executemany(
                "INSERT OR IGNORE INTO documents (hash, text, meta, source, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                rows(),
            )
            added = conn.total_changes - before
            if with_spans:
                self._add_import_spans(conn, with_spans, now)
            if added:
                self._event(conn, annotator, "import", after={"source": label, "added": added})
        return ImportResult(added=added, duplicates=seen - added)

    def _add_import_spans(
        self, conn: sqlite3.Connection, docs: list[NewDocument], now: str
    ) -> None:
        for doc in docs:
            doc_id = conn.execute(
                "SELECT id FROM documents WHERE hash = ?", (text_hash(doc.text),)
            ).fetchone()[0]
            known = {
                (r[0], r[1], r[2])
                for r in conn.execute(
                    'SELECT start, "end", label FROM suggestions WHERE doc_id = ?', (doc_id,)
                )
            }
            conn.executemany(
                'INSERT INTO suggestions (doc_id, start, "end", label, attrs, suggester,'
                " model_version, created_at) VALUES (?, ?, ?, ?, ?, ?, '', ?)",
                (
                    (doc_id, s.start, s.end, s.label, _dumps(s.attrs), SOURCE_IMPORT, now)
                    for s in doc.spans
                    if (s.start, s.end, s.label) not in known
                ),
            )

    def document(self, doc_id: int) -> Document:
        row = self._one("SELECT * FROM documents WHERE id = ?", [doc_id])
        if row is None:
            raise StoreError(f"no document with id {doc_id}")
        return _document(row)

    def document_ids(self) -> list[int]:
        return [r["id"] for r in self._rows("SELECT id FROM documents ORDER BY id")]

    def status(self) -> Status:
        row = self._one(
            "SELECT (SELECT count(*) FROM documents) AS documents,"
            " (SELECT count(*) FROM documents WHERE suggested_with IS NOT NULL) AS suggested,"
            " (SELECT count(DISTINCT doc_id) FROM annotations WHERE status IN (?, ?, ?))"
            " AS annotated",
            DONE_STATUSES,
        )
        assert row is not None
        return Status(**row)

    # ---- suggestions -----------------------------------------------------------------

    def documents_to_suggest(self, model_version: str, batch: int = 256) -> Iterator[Document]:
        """Documents whose stored suggestions are not from `model_version`."""
        last = 0
        while True:
            rows = self._rows(
                "SELECT * FROM documents WHERE id > ? AND"
                " (suggested_with IS NULL OR suggested_with != ?) ORDER BY id LIMIT ?",
                [last, model_version, batch],
            )
            if not rows:
                return
            for row in rows:
                yield _document(row)
            last = rows[-1]["id"]

    def count_to_suggest(self, model_version: str) -> int:
        row = self._one(
            "SELECT count(*) AS n FROM documents"
            " WHERE suggested_with IS NULL OR suggested_with != ?",
            [model_version],
        )
        return row["n"] if row else 0

    def save_suggestions(
        self, results: Iterable[tuple[int, Sequence[Span]]], model_version: str
    ) -> None:
        """Replace the model and rule suggestions of each document (imported ones stay)."""
        now = _now()
        results = list(results)
        with self._write() as conn:
            ids = [(doc_id,) for doc_id, _ in results]
            conn.executemany(
                "DELETE FROM suggestions WHERE doc_id = ? AND suggester != 'import'", ids
            )
            conn.executemany(
                'INSERT INTO suggestions (doc_id, start, "end", label, attrs, suggester,'
                " model_version, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (doc_id, s.start, s.end, s.label, _dumps(s.attrs), s.source, model_version, now)
                    for doc_id, spans in results
                    for s in spans
                ),
            )
            conn.executemany(
                "UPDATE documents SET suggested_with = ? WHERE id = ?",
                ((model_version, doc_id) for doc_id, _ in results),
            )

    def suggestions(self, doc_id: int) -> list[Span]:
        rows = self._rows(
            'SELECT * FROM suggestions WHERE doc_id = ? ORDER BY start, "end", id', [doc_id]
        )
        return [_span(r, source=r["suggester"]) for r in rows]

    # ---- annotating ------------------------------------------------------------------

    def next_document_id(self, annotator: str, after: int | None = None) -> int | None:
        """The document this annotator should see next: resume one in progress, else
        the first one they have not annotated (after `after`, when given)."""
        if after is None:
            row = self._one(
                "SELECT doc_id FROM annotations WHERE annotator = ? AND status = ?"
                " ORDER BY updated_at DESC LIMIT 1",
                [annotator, IN_PROGRESS],
            )
            if row:
                return int(row["doc_id"])
            # Start past the last document this annotator saw, so a long history is
            # not rescanned; fall back to the start for documents skipped over.
            last = self._one(
                "SELECT max(doc_id) AS last FROM annotations WHERE annotator = ?", [annotator]
            )
            found = self._first_unannotated(annotator, (last or {}).get("last") or 0)
            return found if found is not None else self._first_unannotated(annotator, 0)
        return self._first_unannotated(annotator, after)

    def _first_unannotated(self, annotator: str, after: int) -> int | None:
        row = self._one(
            "SELECT d.id FROM documents d WHERE d.id > ? AND NOT EXISTS (SELECT 1 FROM"
            " annotations a WHERE a.doc_id = d.id AND a.annotator = ?) ORDER BY d.id LIMIT 1",
            [after, annotator],
        )
        return int(row["id"]) if row else None

    def previous_document_id(self, annotator: str, before: int) -> int | None:
        """The latest document before `before` this annotator has worked on."""
        row = self._one(
            "SELECT doc_id FROM annotations WHERE annotator = ? AND doc_id < ?"
            " ORDER BY doc_id DESC LIMIT 1",
            [annotator, before],
        )
        return int(row["doc_id"]) if row else None

    def open_annotation(self, doc_id: int, annotator: str) -> Annotation:
        """This annotator's annotation of the document, created from its suggestions."""
        row = self._one(
            "SELECT id FROM annotations WHERE doc_id = ? AND annotator = ?", [doc_id, annotator]
        )
        if row is None:
            self.document(doc_id)  # raises on an unknown id
            now = _now()
            with self._write() as conn:
                cur = conn.execute(
                    "INSERT INTO annotations (doc_id, annotator, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (doc_id, annotator, IN_PROGRESS, now, now),
                )
                annotation_id = int(cur.lastrowid or 0)
                # One row per distinct span: a model and a rule suggesting the same
                # range and label show once.
                conn.execute(
                    'INSERT INTO annotation_spans (annotation_id, start, "end", label, attrs,'
                    ' status, origin) SELECT ?, start, "end", label, attrs, ?, suggester'
                    ' FROM suggestions WHERE doc_id = ? GROUP BY start, "end", label'
                    ' ORDER BY start, "end"',
                    (annotation_id, PENDING, doc_id),
                )
                self._event(conn, annotator, "open", doc_id=doc_id, annotation_id=annotation_id)
            return self.annotation(annotation_id)
        return self.annotation(int(row["id"]))

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

    def _span_row(self, conn: sqlite3.Connection, span_id: int, annotator: str) -> dict[str, Any]:
        cur = conn.execute(
            "SELECT s.*, a.doc_id, a.annotator FROM annotation_spans s JOIN annotations a"
            " ON a.id = s.annotation_id WHERE s.id = ?",
            (span_id,),
        )
        row = cur.fetchone()
        if row is None:
            raise StoreError(f"no span with id {span_id}")
        out = dict(zip([c[0] for c in cur.description], row, strict=True))
        if out["annotator"] != annotator:
            raise StoreError(f"span {span_id} belongs to {out['annotator']}, not {annotator}")
        return out

    def _change_span(self, span_id: int, annotator: str, action: str, **changes: Any) -> None:
        with self._write() as conn:
            row = self._span_row(conn, span_id, annotator)
            before = _span_state(row)
            after = {**before, **changes}
            conn.execute(
                'UPDATE annotation_spans SET start = ?, "end" = ?, label = ?, attrs = ?,'
                " status = ? WHERE id = ?",
                (
                    after["start"],
                    after["end"],
                    after["label"],
                    _dumps(after["attrs"]),
                    after["status"],
                    span_id,
                ),
            )
            self._touch(conn, row["annotation_id"])
            self._event(
                conn,
                annotator,
                action,
                doc_id=row["doc_id"],
                annotation_id=row["annotation_id"],
                before={"spans": [before]},
                after={"spans": [after]},
            )

    def accept(self, span_id: int, annotator: str) -> None:
        self._change_span(span_id, annotator, "accept", status=ACCEPTED)

    def reject(self, span_id: int, annotator: str) -> None:
        self._change_span(span_id, annotator, "reject", status=REJECTED)

    def relabel(self, span_id: int, label: str, annotator: str, attrs: dict[str, Any]) -> None:
        """Give the span a new label (and the attributes that go with it); accepts it."""
        self._change_span(span_id, annotator, "relabel", label=label, attrs=attrs, status=ACCEPTED)

    def set_bounds(self, span_id: int, start: int, end: int, annotator: str) -> None:
        self._check_bounds(span_id, start, end)
        self._change_span(span_id, annotator, "resize", start=start, end=end)

    def set_attrs(self, span_id: int, attrs: dict[str, Any], annotator: str) -> None:
        self._change_span(span_id, annotator, "set_attrs", attrs=attrs)

    def _check_bounds(self, span_id: int, start: int, end: int) -> None:
        row = self._one(
            "SELECT length(d.text) AS n FROM annotation_spans s JOIN annotations a"
            " ON a.id = s.annotation_id JOIN documents d ON d.id = a.doc_id WHERE s.id = ?",
            [span_id],
        )
        if row is None:
            raise StoreError(f"no span with id {span_id}")
        if not 0 <= start < end <= row["n"]:
            raise StoreError(f"span [{start}, {end}) is outside the text (0..{row['n']})")

    def delete_span(self, span_id: int, annotator: str) -> None:
        with self._write() as conn:
            row = self._span_row(conn, span_id, annotator)
            conn.execute("DELETE FROM annotation_spans WHERE id = ?", (span_id,))
            self._touch(conn, row["annotation_id"])
            self._event(
                conn,
                annotator,
                "delete",
                doc_id=row["doc_id"],
                annotation_id=row["annotation_id"],
                before={"spans": [_span_state(row)]},
                after={"spans": []},
            )

    def add_span(self, annotation_id: int, span: Span, annotator: str) -> int:
        """Add an annotator's own span (accepted); returns its id."""
        ann = self._one("SELECT * FROM annotations WHERE id = ?", [annotation_id])
        if ann is None or ann["annotator"] != annotator:
            raise StoreError(f"no annotation {annotation_id} for {annotator}")
        n = len(self.document(ann["doc_id"]).text)
        if not 0 <= span.start < span.end <= n:
            raise StoreError(f"span [{span.start}, {span.end}) is outside the text (0..{n})")
        with self._write() as conn:
            cur = conn.execute(
                'INSERT INTO annotation_spans (annotation_id, start, "end", label, attrs,'
                " status, origin) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    annotation_id,
                    span.start,
                    span.end,
                    span.label,
                    _dumps(span.attrs),
                    ACCEPTED,
                    SOURCE_ANNOTATOR,
                ),
            )
            span_id = int(cur.lastrowid or 0)
            row = self._span_row(conn, span_id, annotator)
            self._touch(conn, annotation_id)
            self._event(
                conn,
                annotator,
                "add",
                doc_id=ann["doc_id"],
                annotation_id=annotation_id,
                before={"spans": []},
                after={"spans": [_span_state(row)]},
            )
        return span_id

    def accept_all(self, annotation_id: int, annotator: str) -> int:
        """Accept every pending span; returns how many."""
        with self._write() as conn:
            ann = self._annotation_row(conn, annotation_id, annotator)
            rows = _fetch(
                conn,
                "SELECT * FROM annotation_spans WHERE annotation_id = ? AND status = ?",
                (annotation_id, PENDING),
            )
            if not rows:
                return 0
            conn.execute(
                "UPDATE annotation_spans SET status = ? WHERE annotation_id = ? AND status = ?",
                (ACCEPTED, annotation_id, PENDING),
            )
            self._touch(conn, annotation_id)
            before = [_span_state(r) for r in rows]
            self._event(
                conn,
                annotator,
                "accept_all",
                doc_id=ann["doc_id"],
                annotation_id=annotation_id,
                before={"spans": before},
                after={"spans": [{**s, "status": ACCEPTED} for s in before]},
            )
        return len(rows)

    def submit(self, annotation_id: int, annotator: str) -> None:
        """Make the accepted spans this annotator's gold for the document."""
        self._set_status(annotation_id, annotator, "submit", SUBMITTED)

    def skip(self, annotation_id: int, annotator: str) -> None:
        self._set_status(annotation_id, annotator, "skip", SKIPPED)

    def flag(self, annotation_id: int, annotator: str, comment: str) -> None:
        self._set_status(annotation_id, annotator, "flag", FLAGGED, comment=comment)

    def reopen(self, annotation_id: int, annotator: str) -> None:
        """Back to in progress, so a submitted document can be changed."""
        self._set_status(annotation_id, annotator, "reopen", IN_PROGRESS)

    def _set_status(
        self,
        annotation_id: int,
        annotator: str,
        action: str,
        status: str,
        comment: str | None = None,
    ) -> None:
        with self._write() as conn:
            ann = self._annotation_row(conn, annotation_id, annotator)
            before = {"status": ann["status"], "comment": ann["comment"]}
            after = {"status": status, "comment": ann["comment"] if comment is None else comment}
            conn.execute(
                "UPDATE annotations SET status = ?, comment = ?, updated_at = ? WHERE id = ?",
                (after["status"], after["comment"], _now(), annotation_id),
            )
            self._event(
                conn,
                annotator,
                action,
                doc_id=ann["doc_id"],
                annotation_id=annotation_id,
                before={"annotation": before},
                after={"annotation": after},
            )

    def _annotation_row(
        self, conn: sqlite3.Connection, annotation_id: int, annotator: str
    ) -> dict[str, Any]:
        rows = _fetch(conn, "SELECT * FROM annotations WHERE id = ?", (annotation_id,))
        if not rows or rows[0]["annotator"] != annotator:
            raise StoreError(f"no annotation {annotation_id} for {annotator}")
        return rows[0]

    def _touch(self, conn: sqlite3.Connection, annotation_id: int) -> None:
        conn.execute("UPDATE annotations SET updated_at = ? WHERE id = ?", (_now(), annotation_id))

    def undo(self, annotator: str) -> int | None:
        """Revert this annotator's latest change not yet undone; returns its document id."""
        with self._write() as conn:
            rows = _fetch(
                conn,
                "SELECT * FROM events e WHERE annotator = ? AND action NOT IN"
                " ('undo', 'open', 'import') AND NOT EXISTS (SELECT 1 FROM events u"
                " WHERE u.undoes = e.id) ORDER BY id DESC LIMIT 1",
                (annotator,),
            )
            if not rows:
                return None
            event = rows[0]
            before, after = _loads(event["before"]) or {}, _loads(event["after"]) or {}
            _restore(conn, event["annotation_id"], before, after)
            self._touch(conn, event["annotation_id"])
            self._event(
                conn,
                annotator,
                "undo",
                doc_id=event["doc_id"],
                annotation_id=event["annotation_id"],
                before=after,
                after=before,
                undoes=event["id"],
            )
            return int(event["doc_id"])

    def progress(self, annotator: str) -> Progress:
        today = datetime.now(UTC).date().isoformat()
        row = self._one(
            "SELECT (SELECT count(*) FROM documents) AS total,"
            " (SELECT count(*) FROM annotations WHERE annotator = ? AND status IN (?, ?, ?))"
            " AS done,"
            " (SELECT count(*) FROM annotations WHERE annotator = ? AND status IN (?, ?, ?)"
            " AND updated_at >= ?) AS today",
            [annotator, *DONE_STATUSES, annotator, *DONE_STATUSES, today],
        )
        assert row is not None
        return Progress(**row)

    # ---- reading gold ------------------------------------------------------------------

    def annotations(
        self, *, annotator: str | None = None, statuses: Sequence[str] = (SUBMITTED,)
    ) -> Iterator[Annotation]:
        """Annotations in document order, filtered by annotator and status."""
        marks = ",".join("?" * len(statuses))
        where, params = [f"status IN ({marks})"], list(statuses)
        if annotator is not None:
            where.append("annotator = ?")
            params.append(annotator)
        ids = [
            r["id"]
            for r in self._rows(
                f"SELECT id FROM annotations WHERE {' AND '.join(where)} ORDER BY doc_id, id",
                params,
            )
        ]
        for annotation_id in ids:
            yield self.annotation(annotation_id)

    def confirmed_entities(
        self, exclude_labels: Sequence[str] = (), min_count: int = 1
    ) -> list[tuple[str, str]]:
        """(label, text) of entity spans in submitted or reviewed gold, each text with
        the label annotators gave it most often: what a gold ruler suggests."""
        marks = ",".join("?" * len(exclude_labels)) or "''"
        rows = self._rows(
            'SELECT s.label, substr(d.text, s.start + 1, s."end" - s.start) AS text,'
            " count(*) AS n FROM annotation_spans s JOIN annotations a ON a.id = s.annotation_id"
            " JOIN documents d ON d.id = a.doc_id WHERE s.status = ? AND a.status IN (?, ?)"
            f" AND s.label NOT IN ({marks}) GROUP BY 1, 2 ORDER BY n DESC, 1, 2",
            [ACCEPTED, SUBMITTED, REVIEWED, *exclude_labels],
        )
        best: dict[str, str] = {}
        for r in rows:
            if r["n"] >= min_count and r["text"].strip() == r["text"] and len(r["text"]) > 1:
                best.setdefault(r["text"], r["label"])
        return sorted((label, text) for text, label in best.items())

    def events(self, doc_id: int | None = None) -> list[dict[str, Any]]:
        """The audit log, oldest first (for one document, when given)."""
        if doc_id is None:
            rows = self._rows("SELECT * FROM events ORDER BY id")
        else:
            rows = self._rows("SELECT * FROM events WHERE doc_id = ? ORDER BY id", [doc_id])
        for r in rows:
            r["before"], r["after"] = _loads(r["before"]), _loads(r["after"])
        return rows

    def integrity_check(self) -> str:
        row = self._one("PRAGMA integrity_check")
        return str(next(iter(row.values()))) if row else "no answer"

    # ---- added for the annotator -------------------------------------------------------

    def resize_span(
        self, span_id: int, start: int, end: int, attrs: dict[str, Any], annotator: str
    ) -> None:
        """Move a span's bounds and set the attributes its new text implies, as one step."""
        self._check_bounds(span_id, start, end)
        self._change_span(span_id, annotator, "resize", start=start, end=end, attrs=attrs)

    def document_after(self, doc_id: int) -> int | None:
        """The next document by id, whatever its state: paging forward after going back."""
        row = self._one("SELECT min(id) AS id FROM documents WHERE id > ?", [doc_id])
        return int(row["id"]) if row and row["id"] is not None else None

    def document_position(self, doc_id: int) -> int:
        """1-based position of the document in id order, for "document 3 of 120"."""
        row = self._one("SELECT count(*) AS n FROM documents WHERE id <= ?", [doc_id])
        return int(row["n"]) if row else 0

    def upcoming_to_suggest(self, annotator: str, model_version: str, limit: int) -> list[Document]:
        """Of the next `limit` documents this annotator has not opened, those lacking
        suggestions from this model: what to compute ahead."""
        rows = self._rows(
            "SELECT * FROM (SELECT * FROM documents d WHERE NOT EXISTS (SELECT 1 FROM"
            " annotations a WHERE a.doc_id = d.id AND a.annotator = ?) ORDER BY d.id LIMIT ?)"
            " WHERE suggested_with IS NULL OR suggested_with != ? ORDER BY id",
            [annotator, limit, model_version],
        )
        return [_document(r) for r in rows]

    def annotated_span(self, span_id: int) -> AnnotatedSpan | None:
        """One span of an annotation as stored (None: deleted), to redraw only what changed."""
        row = self._one("SELECT * FROM annotation_spans WHERE id = ?", [span_id])
        if row is None:
            return None
        return AnnotatedSpan(
            row["id"], _span(row, source=row["origin"]), row["status"], row["origin"]
        )

    def document_to_suggest(self, doc_id: int, model_version: str) -> Document | None:
        """The document, if its stored suggestions are not from this model."""
        row = self._one(
            "SELECT * FROM documents WHERE id = ? AND"
            " (suggested_with IS NULL OR suggested_with != ?)",
            [doc_id, model_version],
        )
        return _document(row) if row else None

    def add_late_suggestions(
        self, annotation_id: int, annotator: str, model_version: str
    ) -> list[AnnotatedSpan]:
        """Suggestions that arrived after an annotation was opened, added to it as pending.

        Only while it is in progress, and only suggestions the annotation lacks (same
        start, end and label) that the annotator never acted on: a span they deleted,
        moved or relabelled is in the `before` of one of their events, a rejected one
        is still there. The events row names no annotator: `u` does not undo it.
        """
        with self._write() as conn:
            ann = self._annotation_row(conn, annotation_id, annotator)
            if ann["status"] != IN_PROGRESS:
                return []
            known = {
                (r[0], r[1], r[2])
                for r in conn.execute(
                    'SELECT start, "end", label FROM annotation_spans WHERE annotation_id = ?',
                    (annotation_id,),
                )
            }
            for (before,) in conn.execute(
                "SELECT before FROM events WHERE annotation_id = ? AND before IS NOT NULL",
                (annotation_id,),
            ):
                for s in (_loads(before) or {}).get("spans", []):
                    known.add((s["start"], s["end"], s["label"]))
            rows = _fetch(
                conn,
                'SELECT start, "end", label, attrs, suggester FROM suggestions WHERE doc_id = ?'
                ' GROUP BY start, "end", label ORDER BY start, "end"',
                (ann["doc_id"],),
            )
            added: list[dict[str, Any]] = []
            for r in rows:
                if (r["start"], r["end"], r["label"]) in known:
                    continue
                cur = conn.execute(
                    'INSERT INTO annotation_spans (annotation_id, start, "end", label, attrs,'
                    " status, origin) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        annotation_id,
                        r["start"],
                        r["end"],
                        r["label"],
                        r["attrs"],
                        PENDING,
                        r["suggester"],
                    ),
                )
                added.append(
                    _span_state(
                        {
                            **r,
                            "id": int(cur.lastrowid or 0),
                            "status": PENDING,
                            "origin": r["suggester"],
                        }
                    )
                )
            if added:
                self._event(
                    conn,
                    "",
                    "late_suggestions",
                    doc_id=ann["doc_id"],
                    annotation_id=annotation_id,
                    before={"spans": []},
                    after={"model_version": model_version, "spans": added},
                )
        return [
            AnnotatedSpan(
                s["id"],
                Span(s["start"], s["end"], s["label"], s["attrs"], s["origin"]),
                PENDING,
                s["origin"],
            )
            for s in added
        ]

    # ---- added for gold import/export --------------------------------------------------

    def count_annotations(
        self, *, annotator: str | None = None, statuses: Sequence[str] = (SUBMITTED,)
    ) -> int:
        """How many annotations `annotations_in_bulk` would yield (for a progress total)."""
        where, params = _annotation_filter(annotator, statuses)
        row = self._one(f"SELECT count(*) AS n FROM annotations WHERE {where}", params)
        return int(row["n"]) if row else 0

    def annotations_in_bulk(
        self,
        *,
        annotator: str | None = None,
        statuses: Sequence[str] = (SUBMITTED,),
        batch: int = 500,
    ) -> Iterator[Annotation]:
        """Like `annotations`, in document order, but a few queries per batch, not per row."""
        where, params = _annotation_filter(annotator, statuses, prefix="a.")
        last = (-1, -1)
        while True:
            rows = self._rows(
                "SELECT a.id, a.doc_id, a.annotator, a.status, a.comment, a.updated_at,"
                " d.hash, d.text, d.meta, d.source FROM annotations a JOIN documents d"
                f" ON d.id = a.doc_id WHERE {where} AND (a.doc_id, a.id) > (?, ?)"
                " ORDER BY a.doc_id, a.id LIMIT ?",
                [*params, *last, batch],
            )
            if not rows:
                return
            spans: dict[int, list[AnnotatedSpan]] = {r["id"]: [] for r in rows}
            marks = ",".join("?" * len(rows))
            for s in self.db.execute(
                'SELECT id, annotation_id, start, "end", label, attrs, status, origin FROM'
                f' annotation_spans WHERE annotation_id IN ({marks}) ORDER BY start, "end", id',
                list(spans),
            ).fetchall():
                attrs = _loads(s[5]) or {}
                spans[s[1]].append(
                    AnnotatedSpan(s[0], Span(s[2], s[3], s[4], attrs, s[7]), s[6], s[7])
                )
            for r in rows:
                doc = Document(
                    id=r["doc_id"],
                    hash=r["hash"],
                    text=r["text"],
                    meta=_loads(r["meta"]) or {},
                    source=r["source"],
                )
                yield Annotation(
                    id=r["id"],
                    document=doc,
                    annotator=r["annotator"],
                    status=r["status"],
                    spans=tuple(spans[r["id"]]),
                    comment=r["comment"],
                    updated_at=r["updated_at"],
                )
            last = (rows[-1]["doc_id"], rows[-1]["id"])

    def save_gold(
        self, docs: Iterable[NewDocument], annotator: str, *, label: str = ""
    ) -> GoldResult:
        """Store labelled documents as this annotator's submitted gold, in one transaction.

        A document this annotator already has an annotation for is left as it is
        (counted in `kept`): an import never overwrites someone's work.
        """
        now = _now()
        result = GoldResult()
        with self._write() as conn:
            for doc in docs:
                h = text_hash(doc.text)
                cur = conn.execute(
                    "INSERT OR IGNORE INTO documents (hash, text, meta, source, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (h, doc.text, _dumps(doc.meta), doc.source, now),
                )
                result.documents_added += cur.rowcount
                doc_id = conn.execute("SELECT id FROM documents WHERE hash = ?", (h,)).fetchone()[0]
                if conn.execute(
                    "SELECT 1 FROM annotations WHERE doc_id = ? AND annotator = ?",
                    (doc_id, annotator),
                ).fetchone():
                    result.kept += 1
                    continue
                cur = conn.execute(
                    "INSERT INTO annotations (doc_id, annotator, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (doc_id, annotator, SUBMITTED, now, now),
                )
                annotation_id = int(cur.lastrowid or 0)
                conn.executemany(
                    'INSERT INTO annotation_spans (annotation_id, start, "end", label, attrs,'
                    " status, origin) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        (
                            annotation_id,
                            s.start,
                            s.end,
                            s.label,
                            _dumps(s.attrs),
                            ACCEPTED,
                            SOURCE_IMPORT,
                        )
                        for s in doc.spans
                    ),
                )
                # "import" events are not undoable: a migration is not an annotator's keystroke.
                self._event(
                    conn,
                    annotator,
                    "import",
                    doc_id=doc_id,
                    annotation_id=annotation_id,
                    after={
                        "source": label,
                        "status": SUBMITTED,
                        "spans": [s.to_json() for s in doc.spans],
                    },
                )
                result.annotations_added += 1
        return result


def _annotation_filter(
    annotator: str | None, statuses: Sequence[str], prefix: str = ""
) -> tuple[str, list[Any]]:
    """The WHERE clause choosing annotations by status and (optionally) annotator."""
    where = f"{prefix}status IN ({','.join('?' * len(statuses))})"
    params: list[Any] = list(statuses)
    if annotator is not None:
        where += f" AND {prefix}annotator = ?"
        params.append(annotator)
    return where, params


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


def _restore(
    conn: sqlite3.Connection, annotation_id: int, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Put spans and annotation state back to `before`, removing spans only in `after`."""
    kept = {s["id"] for s in before.get("spans", [])}
    for s in after.get("spans", []):
        if s["id"] not in kept:
            conn.execute("DELETE FROM annotation_spans WHERE id = ?", (s["id"],))
    for s in before.get("spans", []):
        conn.execute(
            'INSERT OR REPLACE INTO annotation_spans (id, annotation_id, start, "end", label,'
            " attrs, status, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                s["id"],
                annotation_id,
                s["start"],
                s["end"],
                s["label"],
                _dumps(s["attrs"]),
                s["status"],
                s["origin"],
            ),
        )
    if "annotation" in before:
        state = before["annotation"]
        conn.execute(
            "UPDATE annotations SET status = ?, comment = ? WHERE id = ?",
            (state["status"], state["comment"], annotation_id),
        )
