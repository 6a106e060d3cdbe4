"""Reviewing the team's work: shared submissions, adjudication, the audit log."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from ..model import ACCEPTED, REVIEWED, SUBMITTED, Annotation, AnnotationState, Change, Event
from .base import StoreBase, StoreError, _annotated, _event_of, _fetch, _insert_spans, _now


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
        if mine and mine[0]["status"] != REVIEWED:
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
