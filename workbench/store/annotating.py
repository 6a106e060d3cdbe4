"""One annotator at work: deciding on spans, submitting, undoing."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ..model import (
    ACCEPTED,
    FLAGGED,
    PENDING,
    REJECTED,
    REVIEWED,
    REVIEWING,
    SKIPPED,
    SOURCE_ANNOTATOR,
    SOURCE_RELATION,
    SUBMITTED,
    AnnotatedSpan,
    AnnotationState,
    Change,
    Progress,
    Span,
    has_links,
    with_link,
)
from .base import (
    DONE_STATUSES,
    StoreBase,
    StoreError,
    _annotated,
    _event_of,
    _fetch,
    _insert_span,
    _insert_spans,
    _now,
    _refuse_reviewed,
)
from .links import _key, _linked_pending, _relinked, _update_spans


class AnnotatingMixin(StoreBase):
    """One annotator at work: deciding on spans, submitting, undoing."""

    def _span_row(self, conn: sqlite3.Connection, span_id: int, annotator: str) -> dict[str, Any]:
        """The span with its annotation's document, annotator, status and text length,
        to change: another annotator's span and reviewed gold are refused."""
        rows = _fetch(
            conn,
            "SELECT s.*, a.doc_id, a.annotator, a.status AS annotation_status,"
            " length(d.text) AS text_length FROM annotation_spans s JOIN annotations a"
            " ON a.id = s.annotation_id JOIN documents d ON d.id = a.doc_id WHERE s.id = ?",
            (span_id,),
        )
        if not rows:
            raise StoreError(f"no span with id {span_id}")
        out = rows[0]
        if out["annotator"] != annotator:
            raise StoreError(f"span {span_id} belongs to {out['annotator']}, not {annotator}")
        _refuse_reviewed(out["annotation_status"], out["doc_id"])
        return out

    def _change_span(
        self,
        span_id: int,
        annotator: str,
        action: str,
        *,
        bounds: tuple[int, int] | None = None,
        **changes: Any,
    ) -> None:
        with self._write() as conn:
            row = self._span_row(conn, span_id, annotator)
            if bounds is not None:
                _check_bounds(*bounds, row["text_length"])
                changes["start"], changes["end"] = bounds
            before = _annotated(row)
            span = before.span.with_(
                **{k: v for k, v in changes.items() if k in ("start", "end", "label", "attrs")}
            )
            after = replace(before, span=span, status=changes.get("status", before.status))
            befores, afters = [before], [after]
            if after.status == ACCEPTED and has_links(after.span):
                # Accepting a casualty span accepts the source it is linked to with it.
                for child in _linked_pending(conn, row["annotation_id"], after.span):
                    befores.append(child)
                    afters.append(replace(child, status=ACCEPTED))
            if _key(before.span) != _key(after.span) or after.status == REJECTED:
                # Links to this span follow it, or go with it when it is rejected.
                moved = None if after.status == REJECTED else after.span
                for head, relinked in _relinked(conn, row["annotation_id"], before, moved):
                    befores.append(head)
                    afters.append(relinked)
            _update_spans(conn, afters)
            self._touch(conn, row["annotation_id"])
            self._event(
                conn,
                annotator,
                action,
                doc_id=row["doc_id"],
                annotation_id=row["annotation_id"],
                before=Change(spans=tuple(befores)),
                after=Change(spans=tuple(afters)),
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
        changes: dict[str, Any] = {} if attrs is None else {"attrs": attrs}
        self._change_span(span_id, annotator, "resize", bounds=(start, end), **changes)

    def set_attrs(self, span_id: int, attrs: dict[str, Any], annotator: str) -> None:
        self._change_span(span_id, annotator, "set_attrs", attrs=attrs)

    def link(
        self,
        head_id: int,
        child_id: int | None,
        annotator: str,
        relation: str = SOURCE_RELATION,
    ) -> None:
        """Link a span (a casualty figure) to another of the same annotation (its
        source) by `relation`; None clears the link. Both spans are accepted: the
        annotator has decided on them. One step, undone as one."""
        with self._write() as conn:
            row = self._span_row(conn, head_id, annotator)
            head = _annotated(row)
            befores, afters = [head], []
            child = None
            if child_id is not None:
                if child_id == head_id:
                    raise StoreError(f"span {head_id} cannot be linked to itself")
                child_row = self._span_row(conn, child_id, annotator)
                if child_row["annotation_id"] != row["annotation_id"]:
                    raise StoreError(f"spans {head_id} and {child_id} are in different documents")
                child = _annotated(child_row)
                if child.status != ACCEPTED:
                    befores.append(child)
                    afters.append(replace(child, status=ACCEPTED))
            linked = replace(
                head,
                span=with_link(head.span, None if child is None else child.span, relation),
                status=ACCEPTED,
            )
            afters.insert(0, linked)
            _update_spans(conn, afters)
            self._touch(conn, row["annotation_id"])
            self._event(
                conn,
                annotator,
                "link" if child is not None else "unlink",
                doc_id=row["doc_id"],
                annotation_id=row["annotation_id"],
                before=Change(spans=tuple(befores)),
                after=Change(spans=tuple(afters)),
            )

    def delete_span(self, span_id: int, annotator: str) -> None:
        """Delete a span; the links that named it go with it, in the same step."""
        with self._write() as conn:
            row = self._span_row(conn, span_id, annotator)
            gone = _annotated(row)
            conn.execute("DELETE FROM annotation_spans WHERE id = ?", (span_id,))
            relinked = _relinked(conn, row["annotation_id"], gone, None)
            _update_spans(conn, [after for _, after in relinked])
            self._touch(conn, row["annotation_id"])
            self._event(
                conn,
                annotator,
                "delete",
                doc_id=row["doc_id"],
                annotation_id=row["annotation_id"],
                before=Change(spans=(gone, *(before for before, _ in relinked))),
                after=Change(spans=tuple(after for _, after in relinked)),
            )

    def add_span(self, annotation_id: int, span: Span, annotator: str) -> int:
        """Add an annotator's own span (accepted); returns its id."""
        with self._write() as conn:
            ann = self._annotation_row(conn, annotation_id, annotator)
            [(n,)] = conn.execute(
                "SELECT length(text) FROM documents WHERE id = ?", (ann["doc_id"],)
            ).fetchall()
            _check_bounds(span.start, span.end, n)
            added = AnnotatedSpan(
                0, span.with_(source=SOURCE_ANNOTATOR), ACCEPTED, SOURCE_ANNOTATOR
            )
            added = replace(added, id=_insert_span(conn, annotation_id, added))
            self._touch(conn, annotation_id)
            self._event(
                conn,
                annotator,
                "add",
                doc_id=ann["doc_id"],
                annotation_id=annotation_id,
                before=Change(),
                after=Change(spans=(added,)),
            )
        return added.id

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
            before = tuple(_annotated(r) for r in rows)
            # The constructor, not dataclasses.replace: with thousands of spans replace's
            # field-by-field copy was most of this method's time.
            after = tuple(AnnotatedSpan(s.id, s.span, ACCEPTED, s.origin) for s in before)
            self._event(
                conn,
                annotator,
                "accept_all",
                doc_id=ann["doc_id"],
                annotation_id=annotation_id,
                before=Change(spans=before),
                after=Change(spans=after),
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
            before = AnnotationState(ann["status"], ann["comment"])
            after = AnnotationState(status, ann["comment"] if comment is None else comment)
            conn.execute(
                "UPDATE annotations SET status = ?, comment = ?, updated_at = ? WHERE id = ?",
                (after.status, after.comment, _now(), annotation_id),
            )
            self._event(
                conn,
                annotator,
                action,
                doc_id=ann["doc_id"],
                annotation_id=annotation_id,
                before=Change(annotation=before),
                after=Change(annotation=after),
            )

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
        return None if row is None else _annotated(row)

    def undo(self, annotator: str, *, drafts: bool = False) -> int | None:
        """Revert this annotator's latest change not yet undone; returns its document id.

        Changes to what is now reviewed gold are passed over: review owns it; so are
        changes to a review draft, unless `drafts` (the review screen's own undo).
        """
        closed = (REVIEWED,) if drafts else (REVIEWED, REVIEWING)
        with self._write() as conn:
            rows = _fetch(
                conn,
                "SELECT * FROM events e WHERE annotator = ? AND action NOT IN"
                " ('undo', 'open', 'import', 'adjudicate') AND NOT EXISTS (SELECT 1 FROM events u"
                " WHERE u.undoes = e.id) AND NOT EXISTS (SELECT 1 FROM annotations r"
                " WHERE r.id = e.annotation_id AND r.status IN (?, ?)) ORDER BY id DESC LIMIT 1",
                (annotator, closed[0], closed[-1]),
            )
            if not rows:
                return None
            event = _event_of(rows[0])
            before, after = event.before or Change(), event.after or Change()
            assert event.annotation_id is not None and event.doc_id is not None
            _restore(conn, event.annotation_id, before, after)
            self._touch(conn, event.annotation_id)
            self._event(
                conn,
                annotator,
                "undo",
                doc_id=event.doc_id,
                annotation_id=event.annotation_id,
                before=after,
                after=before,
                undoes=event.id,
            )
            return event.doc_id


def _check_bounds(start: int, end: int, length: int) -> None:
    if not 0 <= start < end <= length:
        raise StoreError(f"span [{start}, {end}) is outside the text (0..{length})")


def _restore(conn: sqlite3.Connection, annotation_id: int, before: Change, after: Change) -> None:
    """Put spans and annotation state back to `before`, removing spans only in `after`."""
    conn.executemany(
        "DELETE FROM annotation_spans WHERE id = ?",
        [(s.id,) for s in (*after.spans, *before.spans)],
    )
    _insert_spans(conn, annotation_id, before.spans)
    if before.annotation is not None:
        conn.execute(
            "UPDATE annotations SET status = ?, comment = ? WHERE id = ?",
            (before.annotation.status, before.annotation.comment, annotation_id),
        )
