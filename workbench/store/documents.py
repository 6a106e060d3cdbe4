"""Documents and their suggestions: import, look-up, what to suggest next."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

import orjson

from ..model import (
    SOURCE_IMPORT,
    Change,
    Document,
    Span,
    Status,
    text_hash,
)
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


class DocumentsMixin(StoreBase):
    """Documents and their suggestions: import, look-up, what to suggest next."""

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
                notes = {"source": label, "added": added}
                self._event(conn, annotator, "import", after=Change(notes=notes))
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
