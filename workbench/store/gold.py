"""Reading and bringing in gold: annotations by status, the audit log, gold import."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from ..model import (
    ACCEPTED,
    REVIEWED,
    SOURCE_IMPORT,
    SUBMITTED,
    AnnotatedSpan,
    Annotation,
    AnnotationState,
    Change,
    Document,
    Event,
    Span,
    text_hash,
)
from .base import (
    GoldResult,
    NewDocument,
    StoreBase,
    _annotated,
    _dumps,
    _event_of,
    _fetch,
    _insert_spans,
    _now,
)


class GoldMixin(StoreBase):
    """Reading and bringing in gold: annotations by status, the audit log, gold import."""

    def annotations(
        self, *, annotator: str | None = None, statuses: Sequence[str] = (SUBMITTED,)
    ) -> Iterator[Annotation]:
        """Annotations in document order, filtered by annotator and status."""
        return self.annotations_in_bulk(annotator=annotator, statuses=statuses)

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

    def confirmed_entity_support(
        self,
        exclude_labels: Sequence[str] = (),
        exclude_hashes: Sequence[str] = (),
        *,
        reviewed_only: bool = False,
    ) -> list[tuple[str, str, int]]:
        """(label, text, documents) of entity spans in submitted or reviewed gold (only
        reviewed, when asked): each text with the label given in the most documents, and
        in how many documents it was confirmed with that label; documents whose hash is
        in `exclude_hashes` left out (a gold ruler must not learn from the documents it
        is scored on)."""
        labels = ",".join("?" * len(exclude_labels)) or "''"
        hashes = ",".join("?" * len(exclude_hashes)) or "''"
        statuses = (REVIEWED, REVIEWED) if reviewed_only else (SUBMITTED, REVIEWED)
        rows = self._rows(
            'SELECT s.label, substr(d.text, s.start + 1, s."end" - s.start) AS text,'
            " count(DISTINCT a.doc_id) AS n FROM annotation_spans s"
            " JOIN annotations a ON a.id = s.annotation_id JOIN documents d ON d.id = a.doc_id"
            f" WHERE s.status = ? AND a.status IN (?, ?) AND s.label NOT IN ({labels})"
            f" AND d.hash NOT IN ({hashes}) GROUP BY 1, 2 ORDER BY n DESC, 1, 2",
            [ACCEPTED, *statuses, *exclude_labels, *exclude_hashes],
        )
        best: dict[str, tuple[str, int]] = {}
        for r in rows:
            if r["text"].strip() == r["text"] and len(r["text"]) > 1:
                best.setdefault(r["text"], (r["label"], r["n"]))
        return sorted((label, text, n) for text, (label, n) in best.items())

    def events(self, doc_id: int | None = None) -> list[Event]:
        """The audit log, oldest first (for one document, when given)."""
        if doc_id is None:
            rows = self._rows("SELECT * FROM events ORDER BY id")
        else:
            rows = self._rows("SELECT * FROM events WHERE doc_id = ? ORDER BY id", [doc_id])
        return [_event_of(r) for r in rows]

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
        batch: int = 1000,
    ) -> Iterator[Annotation]:
        """Annotations in document order, with their spans: one query per batch of rows."""
        where, params = _annotation_filter(annotator, statuses, prefix="a.")
        sql = (
            "SELECT a.id, a.doc_id, a.annotator, a.status, a.comment, a.updated_at,"
            " d.hash, d.text, d.meta, d.source, (SELECT json_group_array(json_array(s.id,"
            ' s.start, s."end", s.label, json(s.attrs), s.status, s.origin)) FROM'
            ' (SELECT * FROM annotation_spans WHERE annotation_id = a.id ORDER BY start, "end",'
            " id) s) FROM annotations a JOIN documents d ON d.id = a.doc_id"
            f" WHERE {where} AND (a.doc_id, a.id) > (?, ?) ORDER BY a.doc_id, a.id LIMIT ?"
        )
        loads, execute = orjson.loads, self.db.conn.execute
        last = (-1, -1)
        while True:
            rows = execute(sql, [*params, *last, batch]).fetchall()
            if not rows:
                return
            for r in rows:
                yield Annotation(
                    r[0],
                    Document(r[1], r[6], r[7], loads(r[8]) if r[8] else {}, r[9]),
                    r[2],
                    r[3],
                    tuple(
                        AnnotatedSpan(i, Span(a, b, label, attrs, origin), status, origin)
                        for i, a, b, label, attrs, status, origin in loads(r[10])
                    ),
                    r[4],
                    r[5],
                )
            last = (rows[-1][1], rows[-1][0])

    def gold_json_in_bulk(
        self,
        *,
        annotator: str | None = None,
        statuses: Sequence[str] = (SUBMITTED,),
        batch: int = 1000,
    ) -> Iterator[tuple[Annotation, int, str]]:
        """What a jsonl export writes, read in one query per batch: each annotation (its
        `spans` left empty), the number of its gold (accepted) spans, and those spans
        as a JSON array in the interchange shape of `Span.to_json`, in (start, end,
        label) order, built by SQLite from the stored attrs."""
        where, params = _annotation_filter(annotator, statuses, prefix="a.")
        span_json = (
            """'{"start":' || s.start || ',"end":' || s."end" || ',"label":' || json_quote("""
            """s.label) || CASE WHEN s.attrs = '{}' THEN '}' ELSE ',' || substr(s.attrs, 2) END"""
        )
        sql = (
            "SELECT a.id, a.doc_id, a.annotator, a.status, a.comment, a.updated_at,"
            f" d.hash, d.text, d.meta, d.source, (SELECT '[' || coalesce(group_concat({span_json},"
            " ','), '') || ']' FROM (SELECT * FROM annotation_spans WHERE annotation_id = a.id"
            ' AND status = ? ORDER BY start, "end", label) s) FROM annotations a'
            " JOIN documents d ON d.id = a.doc_id"
            f" WHERE {where} AND (a.doc_id, a.id) > (?, ?) ORDER BY a.doc_id, a.id LIMIT ?"
        )
        loads, execute = orjson.loads, self.db.conn.execute
        last = (-1, -1)
        while True:
            rows = execute(sql, [ACCEPTED, *params, *last, batch]).fetchall()
            if not rows:
                return
            for r in rows:
                doc = Document(r[1], r[6], r[7], loads(r[8]) if r[8] else {}, r[9])
                # Each span object starts so, and no JSON string can hold it unescaped.
                n = r[10].count('{"start":')
                yield Annotation(r[0], doc, r[2], r[3], (), r[4], r[5]), n, r[10]
            last = (rows[-1][1], rows[-1][0])

    def document_hashes(
        self, *, annotator: str | None = None, statuses: Sequence[str] = (SUBMITTED,)
    ) -> list[str]:
        """The text hashes of documents with an annotation chosen so (a train/dev split)."""
        where, params = _annotation_filter(annotator, statuses, prefix="a.")
        rows = self.db.conn.execute(
            "SELECT DISTINCT d.hash FROM annotations a JOIN documents d ON d.id = a.doc_id"
            f" WHERE {where}",
            params,
        )
        return [r[0] for r in rows]

    def save_gold(
        self, docs: Iterable[NewDocument], annotator: str, *, label: str = ""
    ) -> GoldResult:
        """Store labelled documents as this annotator's submitted gold, in one transaction.

        A document this annotator already has an annotation for is left as it is
        (counted in `kept`): an import never overwrites someone's work.
        """
        # Read whole first: a slow source must not hold the write lock (gold files are
        # small next to raw imports, so memory is the spool here).
        docs = list(docs)
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
                annotation_id = self._new_annotation(conn, doc_id, annotator, SUBMITTED, now)
                if annotation_id is None:  # theirs already: an import never overwrites it
                    result.kept += 1
                    continue
                _insert_spans(
                    conn,
                    annotation_id,
                    (
                        AnnotatedSpan(0, s.with_(source=SOURCE_IMPORT), ACCEPTED, SOURCE_IMPORT)
                        for s in doc.spans
                    ),
                )
                stored = _fetch(
                    conn,
                    'SELECT * FROM annotation_spans WHERE annotation_id = ? ORDER BY start, "end"',
                    (annotation_id,),
                )
                # "import" events are not undoable: a migration is not an annotator's keystroke.
                self._event(
                    conn,
                    annotator,
                    "import",
                    doc_id=doc_id,
                    annotation_id=annotation_id,
                    after=Change(
                        spans=tuple(_annotated(r) for r in stored),
                        annotation=AnnotationState(SUBMITTED),
                        notes={"source": label},
                    ),
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
