"""Reviewing the team's work: shared submissions, adjudication, the audit log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from ..model import (
    ACCEPTED,
    FLAGGED,
    REVIEWED,
    REVIEWING,
    SUBMITTED,
    AnnotatedSpan,
    Annotation,
    AnnotationState,
    Change,
    Event,
)
from .base import (
    StoreBase,
    StoreError,
    _annotated,
    _event_of,
    _fetch,
    _insert_span,
    _insert_spans,
    _now,
)

# What the review screen shows of a document: the annotators' work and any review.
_REVIEW_STATUSES = (SUBMITTED, FLAGGED, REVIEWING, REVIEWED)


class ReviewMixin(StoreBase):
    """Reviewing the team's work: shared submissions, adjudication, the audit log."""

    def shared_submissions(
        self, annotators: Sequence[str] = (), min_submitters: int = 2
    ) -> Iterator[list[Annotation]]:
        """Per document (in id order) with at least `min_submitters` submitted
        annotations (of `annotators`, when given): those annotations, by annotator."""
        who, params = "", [SUBMITTED]
        if annotators:
            who = f" AND annotator IN ({','.join('?' * len(annotators))})"
            params += list(annotators)
        rows = self._rows(
            f"SELECT doc_id, group_concat(id) AS ids FROM annotations WHERE status = ?{who}"
            " GROUP BY doc_id HAVING count(*) >= ? ORDER BY doc_id",
            [*params, min_submitters],
        )
        for r in rows:
            found = [self.annotation(int(i)) for i in str(r["ids"]).split(",")]
            yield sorted(found, key=lambda a: a.annotator)

    def reviewed_document_ids(self) -> set[int]:
        """Documents that have reviewed gold, by anyone."""
        rows = self._rows("SELECT DISTINCT doc_id FROM annotations WHERE status = ?", [REVIEWED])
        return {int(r["doc_id"]) for r in rows}

    def adjudicate(self, doc_id: int, take: str, reviewer: str) -> Annotation:
        """Make `take`'s accepted spans the document's reviewed gold, by `reviewer`."""
        [annotation_id] = self.adjudicate_many([(doc_id, take)], reviewer)
        return self.annotation(annotation_id)

    def adjudicate_many(self, choices: Sequence[tuple[int, str]], reviewer: str) -> list[int]:
        """Adjudicate each (document, annotator to take) in one transaction, an events
        row each; returns the reviewer's annotation ids. A previous review by the same
        reviewer is replaced (its spans are in the event's `before`)."""
        out = []
        with self._write() as conn:
            for doc_id, take in choices:
                out.append(self._adjudicate(conn, doc_id, take, reviewer))
        return out

    def _adjudicate(self, conn: sqlite3.Connection, doc_id: int, take: str, reviewer: str) -> int:
        if not conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone():
            raise StoreError(f"no document with id {doc_id}")
        source = _fetch(
            conn,
            "SELECT * FROM annotations WHERE doc_id = ? AND annotator = ?",
            (doc_id, take),
        )
        if not source or source[0]["status"] != SUBMITTED:
            raise StoreError(f"{take} has no submitted annotation of document {doc_id}")
        mine = _fetch(
            conn,
            "SELECT * FROM annotations WHERE doc_id = ? AND annotator = ?",
            (doc_id, reviewer),
        )
        if mine and mine[0]["status"] not in (REVIEWED, REVIEWING):
            # One annotation per person and document: a reviewer's own work is not overwritten.
            raise StoreError(
                f"{reviewer} has their own {mine[0]['status']} annotation of document"
                f" {doc_id}; adjudicate as another reviewer (--reviewer NAME)"
            )
        now = _now()
        before = Change()
        if mine:
            annotation_id = int(mine[0]["id"])
            replaced = _fetch(
                conn,
                "SELECT * FROM annotation_spans WHERE annotation_id = ? ORDER BY id",
                (annotation_id,),
            )
            before = Change(
                spans=tuple(_annotated(r) for r in replaced),
                annotation=AnnotationState(mine[0]["status"], mine[0]["comment"]),
            )
            conn.execute("DELETE FROM annotation_spans WHERE annotation_id = ?", (annotation_id,))
            conn.execute(
                "UPDATE annotations SET status = ?, comment = '', updated_at = ? WHERE id = ?",
                (REVIEWED, now, annotation_id),
            )
        else:
            created = self._new_annotation(conn, doc_id, reviewer, REVIEWED, now)
            assert created is not None  # `mine` was read under this write lock
            annotation_id = created
        taken = _fetch(
            conn,
            "SELECT * FROM annotation_spans WHERE annotation_id = ? AND status = ?"
            ' ORDER BY start, "end", id',
            (source[0]["id"], ACCEPTED),
        )
        _insert_spans(conn, annotation_id, (replace(_annotated(r), id=0) for r in taken))
        spans = _fetch(
            conn,
            "SELECT * FROM annotation_spans WHERE annotation_id = ? ORDER BY id",
            (annotation_id,),
        )
        self._event(
            conn,
            reviewer,
            "adjudicate",
            doc_id=doc_id,
            annotation_id=annotation_id,
            before=before,
            after=Change(
                spans=tuple(_annotated(r) for r in spans),
                annotation=AnnotationState(REVIEWED, ""),
                notes={"take": take, "from_annotation": source[0]["id"]},
            ),
        )
        return annotation_id

    def audit_log(
        self,
        *,
        doc_id: int | None = None,
        annotator: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        """The latest `limit` events (all, when None) matching the filters, oldest first.
        `since` is an ISO timestamp in UTC."""
        where: list[str] = ["1"]
        params: list[Any] = []
        for clause, value in (("doc_id = ?", doc_id), ("annotator = ?", annotator)):
            if value is not None:
                where.append(clause)
                params.append(value)
        if since is not None:
            where.append("ts >= ?")
            params.append(since)
        rows = self._rows(
            f"SELECT * FROM events WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
            [*params, -1 if limit is None else limit],
        )
        return [_event_of(r) for r in reversed(rows)]

    # ---- the review screen: the reviewer's reviewed gold, one decision at a time ------

    def review_queue(self) -> Iterator[list[Annotation]]:
        """Per document (in id order) submitted by two or more annotators or flagged by
        anyone: its submitted, flagged and reviewed annotations (drafts too), by annotator."""
        marks = ",".join("?" * len(_REVIEW_STATUSES))
        rows = self._rows(
            f"SELECT doc_id, group_concat(id) AS ids FROM annotations WHERE status IN ({marks})"
            " AND doc_id IN (SELECT doc_id FROM annotations GROUP BY doc_id"
            " HAVING sum(status = ?) >= 2 OR sum(status = ?) >= 1)"
            " GROUP BY doc_id ORDER BY doc_id",
            [*_REVIEW_STATUSES, SUBMITTED, FLAGGED],
        )
        for r in rows:
            found = [self.annotation(int(i)) for i in str(r["ids"]).split(",")]
            yield sorted(found, key=lambda a: a.annotator)

    def review_annotations(self, doc_id: int) -> list[Annotation]:
        """The document's submitted, flagged and reviewed annotations, by annotator."""
        marks = ",".join("?" * len(_REVIEW_STATUSES))
        rows = self._rows(
            f"SELECT id FROM annotations WHERE doc_id = ? AND status IN ({marks})"
            " ORDER BY annotator",
            [doc_id, *_REVIEW_STATUSES],
        )
        return [self.annotation(int(r["id"])) for r in rows]

    def review_change(
        self,
        doc_id: int,
        reviewer: str,
        action: str,
        *,
        remove: Sequence[int] = (),
        add: Sequence[AnnotatedSpan] = (),
        notes: dict[str, Any] | None = None,
    ) -> Annotation:
        """One decision of a review, with its events row: take the spans `remove` (ids)
        out of the reviewer's reviewed gold of the document and put `add` in (accepted).

        The reviewer's annotation is created as a draft (REVIEWING) on the first
        decision; a decision on submitted reviewed gold makes it a draft again, until
        `submit_review`. Someone's own annotator work is never turned into a review.
        """
        with self._write() as conn:
            annotation_id, state = self._review_draft(conn, doc_id, reviewer)
            removed = []
            for span_id in remove:
                found = _fetch(
                    conn,
                    "SELECT * FROM annotation_spans WHERE id = ? AND annotation_id = ?",
                    (span_id, annotation_id),
                )
                if not found:
                    raise StoreError(f"span {span_id} is not in {reviewer}'s review of {doc_id}")
                removed.append(_annotated(found[0]))
            conn.executemany(
                "DELETE FROM annotation_spans WHERE id = ?", [(s.id,) for s in removed]
            )
            [(length,)] = conn.execute(
                "SELECT length(text) FROM documents WHERE id = ?", (doc_id,)
            ).fetchall()
            added = []
            for s in add:
                if not 0 <= s.span.start < s.span.end <= length:
                    raise StoreError(f"span [{s.span.start}, {s.span.end}) is outside the text")
                new = replace(s, id=0, status=ACCEPTED)
                added.append(replace(new, id=_insert_span(conn, annotation_id, new)))
            draft = AnnotationState(REVIEWING, "")
            self._touch(conn, annotation_id)
            if state != draft:
                conn.execute(
                    "UPDATE annotations SET status = ?, comment = '' WHERE id = ?",
                    (REVIEWING, annotation_id),
                )
            self._event(
                conn,
                reviewer,
                action,
                doc_id=doc_id,
                annotation_id=annotation_id,
                before=Change(spans=tuple(removed), annotation=None if state == draft else state),
                after=Change(
                    spans=tuple(added),
                    annotation=None if state == draft else draft,
                    notes=notes or {},
                ),
            )
        return self.annotation(annotation_id)

    def submit_review(self, doc_id: int, reviewer: str) -> Annotation:
        """Make the reviewer's draft the document's reviewed gold (REVIEWED), with its
        events row: who reviewed it, and when. No draft yet: an empty reviewed gold."""
        with self._write() as conn:
            annotation_id, state = self._review_draft(conn, doc_id, reviewer)
            [(n,)] = conn.execute(
                "SELECT count(*) FROM annotation_spans WHERE annotation_id = ? AND status = ?",
                (annotation_id, ACCEPTED),
            ).fetchall()
            conn.execute(
                "UPDATE annotations SET status = ?, comment = '', updated_at = ? WHERE id = ?",
                (REVIEWED, _now(), annotation_id),
            )
            self._event(
                conn,
                reviewer,
                "submit_review",
                doc_id=doc_id,
                annotation_id=annotation_id,
                before=Change(annotation=state),
                after=Change(annotation=AnnotationState(REVIEWED, ""), notes={"gold_spans": n}),
            )
        return self.annotation(annotation_id)

    def _review_draft(
        self, conn: sqlite3.Connection, doc_id: int, reviewer: str
    ) -> tuple[int, AnnotationState]:
        """The reviewer's review annotation of the document (created as an empty draft)
        and its state before this change."""
        if not conn.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone():
            raise StoreError(f"no document with id {doc_id}")
        mine = _fetch(
            conn,
            "SELECT * FROM annotations WHERE doc_id = ? AND annotator = ?",
            (doc_id, reviewer),
        )
        if mine:
            if mine[0]["status"] not in (REVIEWED, REVIEWING):
                raise StoreError(
                    f"{reviewer} has their own {mine[0]['status']} annotation of document"
                    f" {doc_id}; another reviewer reviews it"
                )
            return int(mine[0]["id"]), AnnotationState(mine[0]["status"], mine[0]["comment"])
        created = self._new_annotation(conn, doc_id, reviewer, REVIEWING, _now())
        assert created is not None  # read under this write lock
        return created, AnnotationState(REVIEWING, "")
