"""One annotator at work: opening, deciding on spans, submitting, undoing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from ..model import (
    ACCEPTED,
    FLAGGED,
    IN_PROGRESS,
    PENDING,
    REJECTED,
    SKIPPED,
    SOURCE_ANNOTATOR,
    SUBMITTED,
    AnnotatedSpan,
    Annotation,
    Progress,
    Span,
)
from .base import (
    DONE_STATUSES,
    StoreBase,
    StoreError,
    _dumps,
    _fetch,
    _loads,
    _now,
    _span,
    _span_state,
)


class AnnotatingMixin(StoreBase):
    """One annotator at work: opening, deciding on spans, submitting, undoing."""

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
                annotation_id = self._new_annotation(conn, doc_id, annotator, IN_PROGRESS, now)
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

    def set_bounds(
        self,
        span_id: int,
        start: int,
        end: int,
        annotator: str,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        """Move a span's bounds (and set the attributes its new text implies), as one step."""
        self._check_bounds(span_id, start, end)
        changes: dict[str, Any] = {"start": start, "end": end}
        if attrs is not None:
            changes["attrs"] = attrs
        self._change_span(span_id, annotator, "resize", **changes)

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

    def undo(self, annotator: str) -> int | None:
        """Revert this annotator's latest change not yet undone; returns its document id."""
        with self._write() as conn:
            rows = _fetch(
                conn,
                "SELECT * FROM events e WHERE annotator = ? AND action NOT IN"
                " ('undo', 'open', 'import', 'adjudicate') AND NOT EXISTS (SELECT 1 FROM events u"
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

    def annotated_span(self, span_id: int) -> AnnotatedSpan | None:
        """One span of an annotation as stored (None: deleted), to redraw only what changed."""
        row = self._one("SELECT * FROM annotation_spans WHERE id = ?", [span_id])
        if row is None:
            return None
        return AnnotatedSpan(
            row["id"], _span(row, source=row["origin"]), row["status"], row["origin"]
        )

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
