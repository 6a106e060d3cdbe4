"""Documents and their suggestions: import, look-up, what to suggest next."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from ..model import (
    SOURCE_IMPORT,
    Change,
    Document,
    Span,
    Status,
)
from . import bulk
from .base import (
    DONE_STATUSES,
    ImportResult,
    NewDocument,
    StoreBase,
    _document,
    _dumps,
    _now,
    _span,
)

# An import's spool: a private temporary database on the store's own connection. SQLite
# keeps it in memory up to its cache size, then spills it to a temporary file.
_SPOOL = "import_spool"
SPOOL_CACHE_KIB = 64 * 1024
_DOCS = "INSERT INTO {spool}.docs (hash, text, meta, source) VALUES {{values}}"
_SPANS = 'INSERT INTO {spool}.spans (hash, start, "end", label, attrs) VALUES {{values}}'
# Straight into the documents, `?1` the time of the import (bulk.batches' `lead`).
_DIRECT = (
    "INSERT OR IGNORE INTO main.documents (hash, text, meta, source, created_at)"
    " SELECT column1, column2, column3, column4, ?1 FROM (VALUES {values})"
)


@contextlib.contextmanager
def _spool(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute(f"ATTACH DATABASE '' AS {_SPOOL}")
    try:
        conn.execute(f"PRAGMA {_SPOOL}.cache_size = -{SPOOL_CACHE_KIB}")
        conn.execute(f"PRAGMA {_SPOOL}.journal_mode = OFF")
        conn.execute(
            f"CREATE TABLE {_SPOOL}.docs (seq INTEGER PRIMARY KEY, hash TEXT, text TEXT,"
            " meta TEXT, source TEXT)"
        )
        conn.execute(
            f'CREATE TABLE {_SPOOL}.spans (hash TEXT, start INTEGER, "end" INTEGER,'
            " label TEXT, attrs TEXT)"
        )
        yield
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.execute(f"DETACH DATABASE {_SPOOL}")


def _fill_spool(conn: sqlite3.Connection, docs: Iterable[NewDocument]) -> int:
    """Read `docs` into the spool, hashing each text; returns how many were read.

    Writes only the spool, never the main database: no lock that blocks anyone.
    """
    docs_sql, spans_sql = _DOCS.format(spool=_SPOOL), _SPANS.format(spool=_SPOOL)
    seen = 0
    for batch in bulk.batches(docs):
        # BEGIN (deferred) locks only what is written: the spool, not the main database.
        conn.execute("BEGIN")
        bulk.insert_rows(conn, docs_sql, 4, batch.docs)
        bulk.insert_rows(conn, spans_sql, 5, batch.spans)
        conn.execute("COMMIT")
        seen += batch.count
    return seen


def _insert_direct(
    conn: sqlite3.Connection, docs: Iterable[NewDocument], now: str
) -> tuple[int, int]:
    """Insert `docs` into the documents as they are read (on a second thread, see
    bulk.read_ahead), their spans into the spool; returns (read, added)."""
    spans_sql = _SPANS.format(spool=_SPOOL)
    seen = added = 0
    for batch in bulk.read_ahead(bulk.batches(docs, lead=(now,))):
        added += bulk.insert_rows(conn, _DIRECT, 4, batch.docs, lead=1)
        bulk.insert_rows(conn, spans_sql, 5, batch.spans)
        seen += batch.count
    return seen, added


class DocumentsMixin(StoreBase):
    """Documents and their suggestions: import, look-up, what to suggest next."""

    def add_documents(
        self,
        docs: Iterable[NewDocument],
        *,
        annotator: str = "",
        label: str = "",
        spool: bool = True,
    ) -> ImportResult:
        """Add documents, all or none; texts already stored are skipped.

        `docs` may be a stream from a slow source: it is read whole into a spool (in
        memory up to SPOOL_CACHE_KIB, then a temporary file) before the write lock is
        taken, so other writers wait only for the copy. With `spool=False` the caller
        says iterating `docs` costs CPU only (it reads a local copy): it is read inside
        the write lock, on a second thread, while SQLite writes the batches before it,
        and there is no copy. Either way, if iterating it raises, nothing is written.
        """
        now = _now()
        conn = self.db.conn
        with self._errors_mapped(), _spool(conn):
            if spool:
                seen = _fill_spool(conn, docs)
            with self._write():
                if spool:
                    before = conn.total_changes
                    conn.execute(
                        "INSERT OR IGNORE INTO main.documents"
                        " (hash, text, meta, source, created_at)"
                        f" SELECT hash, text, meta, source, ? FROM {_SPOOL}.docs ORDER BY seq",
                        (now,),
                    )
                    added = conn.total_changes - before
                else:
                    seen, added = _insert_direct(conn, docs, now)
                # Pre-annotations become "import" suggestions of the stored document
                # (the new one, or the one already there with the same text).
                conn.execute(
                    'INSERT INTO main.suggestions (doc_id, start, "end", label, attrs,'
                    " suggester, model_version, created_at)"
                    f' SELECT d.id, s.start, s."end", s.label, s.attrs, ?, ?, ?'
                    f" FROM {_SPOOL}.spans s JOIN main.documents d ON d.hash = s.hash"
                    " WHERE NOT EXISTS (SELECT 1 FROM main.suggestions x"
                    ' WHERE x.doc_id = d.id AND x.start = s.start AND x."end" = s."end"'
                    ' AND x.label = s.label) GROUP BY d.id, s.start, s."end", s.label'
                    " ORDER BY min(s.rowid)",
                    (SOURCE_IMPORT, "", now),
                )
                if added:
                    notes = {"source": label, "added": added}
                    self._event(conn, annotator, "import", after=Change(notes=notes))
        return ImportResult(added=added, duplicates=seen - added)

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

    def document_to_suggest(self, doc_id: int, model_version: str) -> Document | None:
        """The document, if its stored suggestions are not from this model."""
        row = self._one(
            "SELECT * FROM documents WHERE id = ? AND"
            " (suggested_with IS NULL OR suggested_with != ?)",
            [doc_id, model_version],
        )
        return _document(row) if row else None
