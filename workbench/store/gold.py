"""Reading and bringing in gold: annotations by status, the audit log, gold import."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

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
    _loads,
    _now,
)


class GoldMixin(StoreBase):
    """Reading and bringing in gold: annotations by status, the audit log, gold import."""

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
