"""What an annotator is offered and opens: the next document, a new annotation made
from the document's suggestions (never a colleague's work), and suggestions that arrive
while it is open (one model's at a time)."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from ..model import (
    IN_PROGRESS,
    PENDING,
    REJECTED,
    SOURCE_GOLD_RULER,
    AnnotatedSpan,
    Annotation,
    Change,
)
from .base import StoreBase, StoreError, _fetch, _insert_span, _loads, _now, _span

# Double annotation stays independent: a gold-ruler suggestion (an entity text some
# annotator confirmed) is not offered on a document where a colleague marked that same
# text with that label, since there it would be their work, not the model's.
_NOT_A_COLLEAGUES = (
    f" AND NOT (suggester = '{SOURCE_GOLD_RULER}' AND EXISTS (SELECT 1 FROM annotations oa"
    " JOIN annotation_spans o ON o.annotation_id = oa.id JOIN documents d ON d.id = oa.doc_id"
    " WHERE oa.doc_id = suggestions.doc_id AND oa.annotator != ? AND o.label = suggestions.label"
    f" AND o.status != '{REJECTED}'"
    ' AND o."end" - o.start = suggestions."end" - suggestions.start'
    ' AND substr(d.text, o.start + 1, o."end" - o.start)'
    ' = substr(d.text, suggestions.start + 1, suggestions."end" - suggestions.start)))'
)


class OpeningMixin(StoreBase):
    """What an annotator is offered and opens."""

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
        """This annotator's annotation of the document, created from its suggestions.

        Reviewed gold comes back as it is, with `read_only` set: the annotator shows
        it, and every change to it raises ReviewedError. Two sessions of one annotator
        opening a document together get the same annotation.
        """
        row = self._one(
            "SELECT id FROM annotations WHERE doc_id = ? AND annotator = ?", [doc_id, annotator]
        )
        if row is not None:
            return self.annotation(int(row["id"]))
        self.document(doc_id)  # raises on an unknown id
        with self._write() as conn:
            annotation_id = self._new_annotation(conn, doc_id, annotator, IN_PROGRESS, _now())
            if annotation_id is None:  # another session of theirs was first
                found = conn.execute(
                    "SELECT id FROM annotations WHERE doc_id = ? AND annotator = ?",
                    (doc_id, annotator),
                ).fetchone()
                annotation_id = int(found[0])
            else:
                # One row per distinct span: a model and a rule suggesting the same
                # range and label show once. Copied inside SQLite (attrs stay JSON
                # text), the one INSERT that does not take spans built in Python:
                # building 5,000 Spans only to write them back doubled this method's time.
                conn.execute(
                    'INSERT INTO annotation_spans (annotation_id, start, "end", label, attrs,'
                    ' status, origin) SELECT ?, start, "end", label, attrs, ?, suggester'
                    f" FROM suggestions WHERE doc_id = ?{_NOT_A_COLLEAGUES}"
                    ' GROUP BY start, "end", label ORDER BY start, "end"',
                    (annotation_id, PENDING, doc_id, annotator),
                )
                [(version,)] = conn.execute(
                    "SELECT suggested_with FROM documents WHERE id = ?", (doc_id,)
                ).fetchall()
                self._event(
                    conn,
                    annotator,
                    "open",
                    doc_id=doc_id,
                    annotation_id=annotation_id,
                    after=Change(notes={"model_version": version}),
                )
        return self.annotation(annotation_id)

    def _suggested(
        self, conn: sqlite3.Connection, doc_id: int, annotator: str
    ) -> list[AnnotatedSpan]:
        """The document's distinct suggestions (by start, end and label) as pending
        spans, none of them a colleague's work (see _NOT_A_COLLEAGUES)."""
        rows = _fetch(
            conn,
            'SELECT start, "end", label, attrs, suggester FROM suggestions WHERE doc_id = ?'
            f'{_NOT_A_COLLEAGUES} GROUP BY start, "end", label ORDER BY start, "end"',
            (doc_id, annotator),
        )
        return [
            AnnotatedSpan(0, _span(r, source=r["suggester"]), PENDING, r["suggester"]) for r in rows
        ]

    def opened_with_model(self, annotation_id: int) -> str | None:
        """The model version whose suggestions the annotation holds: those it was opened
        with, or got as late suggestions when it was opened before any; None: none."""
        rows = self._rows(
            "SELECT after FROM events WHERE annotation_id = ? AND action IN"
            " ('open', 'late_suggestions') ORDER BY id",
            [annotation_id],
        )
        for row in rows:
            change = Change.from_json(_loads(row["after"]))
            if change is not None and change.notes.get("model_version"):
                return str(change.notes["model_version"])
        return None

    def add_late_suggestions(
        self, annotation_id: int, annotator: str, model_version: str
    ) -> list[AnnotatedSpan]:
        """Suggestions that arrived after an annotation was opened, added to it as pending.

        Only while it is in progress, only into an annotation opened before any model
        had suggested the document (one model's suggestions at a time: an annotation
        keeps the model it was opened with), and only suggestions it lacks (same start,
        end and label) that the annotator never acted on: a span they deleted, moved or
        relabelled is in the `before` of one of their events, a rejected one is still
        there. The events row names no annotator: `u` does not undo it.
        """
        with self._write() as conn:
            rows = _fetch(conn, "SELECT * FROM annotations WHERE id = ?", (annotation_id,))
            if not rows or rows[0]["annotator"] != annotator:
                raise StoreError(f"no annotation {annotation_id} for {annotator}")
            ann = rows[0]
            if ann["status"] != IN_PROGRESS or _opened_with_model(conn, annotation_id):
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
                for s in (Change.from_json(_loads(before)) or Change()).spans:
                    known.add((s.span.start, s.span.end, s.span.label))
            added = [
                replace(s, id=_insert_span(conn, annotation_id, s))
                for s in self._suggested(conn, ann["doc_id"], annotator)
                if (s.span.start, s.span.end, s.span.label) not in known
            ]
            if added:
                self._event(
                    conn,
                    "",
                    "late_suggestions",
                    doc_id=ann["doc_id"],
                    annotation_id=annotation_id,
                    before=Change(),
                    after=Change(spans=tuple(added), notes={"model_version": model_version}),
                )
        return added


def _opened_with_model(conn: sqlite3.Connection, annotation_id: int) -> str | None:
    """The model version whose suggestions an annotation was opened with (None: none)."""
    row = conn.execute(
        "SELECT after FROM events WHERE annotation_id = ? AND action = 'open' ORDER BY id LIMIT 1",
        (annotation_id,),
    ).fetchone()
    change = Change.from_json(_loads(row[0])) if row else None
    return None if change is None else change.notes.get("model_version")
