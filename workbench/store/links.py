"""Links between spans of one annotation (a casualty figure to its source) when a span
changes: accepting a figure accepts its linked source, and a link follows its source
when it moves or is relabelled, or goes with it when it is rejected or deleted. Module
functions on the open write transaction, used by annotating.py."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from ..model import PENDING, AnnotatedSpan, Span, has_links, link_target, links_to
from .base import _annotated, _dumps, _fetch


def _key(span: Span) -> tuple[int, int, str]:
    return span.start, span.end, span.label


def _update_spans(conn: sqlite3.Connection, spans: list[AnnotatedSpan]) -> None:
    conn.executemany(
        'UPDATE annotation_spans SET start = ?, "end" = ?, label = ?, attrs = ?, status = ?'
        " WHERE id = ?",
        [
            (s.span.start, s.span.end, s.span.label, _dumps(s.span.attrs), s.status, s.id)
            for s in spans
        ],
    )


def _with_links(conn: sqlite3.Connection, annotation_id: int) -> list[AnnotatedSpan]:
    """The spans of an annotation that hold a link (a link's JSON names its "start")."""
    rows = _fetch(
        conn,
        "SELECT * FROM annotation_spans WHERE annotation_id = ? AND instr(attrs, '\"start\"')",
        (annotation_id,),
    )
    return [s for s in map(_annotated, rows) if has_links(s.span)]


def _relinked(
    conn: sqlite3.Connection, annotation_id: int, child: AnnotatedSpan, moved: Span | None
) -> list[tuple[AnnotatedSpan, AnnotatedSpan]]:
    """(before, after) of each span linked to `child`: the link follows it to `moved`,
    or is removed when `moved` is None (the child was deleted or rejected)."""
    out = []
    for head in _with_links(conn, annotation_id):
        names = links_to(head.span, _key(child.span)) if head.id != child.id else []
        if not names:
            continue
        attrs = {k: v for k, v in head.span.attrs.items() if k not in names}
        if moved is not None:
            attrs.update(
                {k: {"start": moved.start, "end": moved.end, "label": moved.label} for k in names}
            )
        out.append((head, replace(head, span=head.span.with_(attrs=attrs))))
    return out


def _linked_pending(
    conn: sqlite3.Connection, annotation_id: int, head: Span
) -> list[AnnotatedSpan]:
    """The pending spans of the annotation that `head` links to."""
    out: list[AnnotatedSpan] = []
    for key in {link_target(v) for v in head.attrs.values()} - {None}:
        assert key is not None
        rows = _fetch(
            conn,
            'SELECT * FROM annotation_spans WHERE annotation_id = ? AND start = ? AND "end" = ?'
            " AND label = ? AND status = ?",
            (annotation_id, *key, PENDING),
        )
        out.extend(map(_annotated, rows))
    return out
