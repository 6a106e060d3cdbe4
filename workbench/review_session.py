"""The review screen's state and actions, without Textual: what a reviewer's key does.

A reviewer works through the queue (documents submitted by two or more annotators, or
flagged), disagreements first. For the open document every annotator's accepted spans
are gathered into rows, one per distinct span (bounds, label and attributes, as
`review.span_key` defines "the same span"): agreed when every annotator has it,
contested otherwise, with who has it. The reviewer's reviewed gold (the working set)
is their own annotation of the document, a draft until submitted; each decision is
one store call (`store.review_change`, its events row in the same transaction), and
the rows are then re-read from the store, so what the screen shows is what is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .config import Config
from .model import (
    ACCEPTED,
    FLAGGED,
    REVIEWED,
    REVIEWING,
    SOURCE_ANNOTATOR,
    AnnotatedSpan,
    Annotation,
    Document,
    Span,
    count_attrs,
)
from .review import one_line, span_key, summarize
from .review_rows import AGREED, CONTESTED, OWN, HistoryLine, QueueItem, Row, rows_of
from .selecting import Selecting
from .store import Store
from .tokens import Tokens
from .tui.session import STORE_FAILURES, ActionRefused

__all__ = [
    "AGREED",
    "CONTESTED",
    "OWN",
    "STORE_FAILURES",
    "ActionRefused",
    "HistoryLine",
    "QueueItem",
    "ReviewSession",
    "Row",
    "rows_of",
]


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


class ReviewSession(Selecting):
    """One reviewer working through the review queue of one store."""

    def __init__(self, store: Store, config: Config, reviewer: str) -> None:
        self.store, self.config, self.reviewer = store, config, reviewer
        self.queue: list[QueueItem] = []
        self.document: Document | None = None
        self.versions: list[Annotation] = []  # the annotators' work, by annotator
        self.gold: Annotation | None = None  # the reviewer's review (draft or submitted)
        self.others: list[Annotation] = []  # other reviewers' reviewed gold
        self.rows: tuple[Row, ...] = ()
        self.focus_index = 0
        self.anchor: int | None = None  # token index where the selection began
        self.cursor = 0
        self._tokens: Tokens | None = None

    # ---- the queue -------------------------------------------------------------------

    def refresh_queue(self) -> None:
        items = []
        for group in self.store.review_queue():
            versions = [a for a in group if a.status not in (REVIEWED, REVIEWING)]
            if not versions:
                continue
            rows = rows_of(versions, None)
            items.append(
                QueueItem(
                    document=group[0].document,
                    annotators=tuple(a.annotator for a in versions),
                    contested=sum(1 for r in rows if r.kind == CONTESTED),
                    flags=tuple((a.annotator, a.comment) for a in versions if a.status == FLAGGED),
                    reviewed_by=tuple(a.annotator for a in group if a.status == REVIEWED),
                    draft=any(
                        a.annotator == self.reviewer and a.status == REVIEWING for a in group
                    ),
                )
            )
        self.queue = sorted(items, key=QueueItem.order)

    @property
    def queue_index(self) -> int | None:
        """Where the open document is in the queue (None: not in it)."""
        if self.document is None:
            return None
        ids = [q.document.id for q in self.queue]
        return ids.index(self.document.id) if self.document.id in ids else None

    def first_to_review(self, after: int | None = None) -> int | None:
        """The first document of the queue not yet reviewed (past the open one when
        `after` names it), else None."""
        for item in self.queue:
            if not item.done and item.document.id != after:
                return item.document.id
        return None

    # ---- the open document -------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.document.text if self.document else ""

    @property
    def tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = Tokens.of(self.text)
        return self._tokens

    @property
    def annotators(self) -> list[str]:
        return [a.annotator for a in self.versions]

    @property
    def focus(self) -> Row | None:
        return self.rows[self.focus_index] if self.rows else None

    @property
    def own_work(self) -> bool:
        """The reviewer annotated this document: another reviewer must review it."""
        return self.reviewer in self.annotators

    @property
    def status(self) -> str:
        """'not started', 'draft' or 'reviewed' for this reviewer."""
        if self.gold is None:
            return "not started"
        return "reviewed" if self.gold.status == REVIEWED else "draft"

    def open(self, doc_id: int) -> None:
        """Show this document: every annotator's spans and this reviewer's gold."""
        annotations = self.store.review_annotations(doc_id)
        self.document = self.store.document(doc_id)
        self.versions = [a for a in annotations if a.status not in (REVIEWED, REVIEWING)]
        self.others = [
            a for a in annotations if a.status == REVIEWED and a.annotator != self.reviewer
        ]
        mine = [a for a in annotations if a.annotator == self.reviewer]
        self.gold = mine[0] if mine and mine[0].status in (REVIEWED, REVIEWING) else None
        self.rows = rows_of(self.versions, self.gold)
        self.anchor, self._tokens = None, None
        self.focus_index = next((i for i, r in enumerate(self.rows) if r.kind == CONTESTED), 0)

    def move_document(self, delta: int) -> None:
        """Open the next (1) or previous (-1) document of the queue."""
        at = self.queue_index
        if not self.queue:
            raise ActionRefused("the review queue is empty")
        index = 0 if at is None else at + delta
        if not 0 <= index < len(self.queue):
            raise ActionRefused("no more documents in the queue that way")
        self.open(self.queue[index].document.id)

    def resync(self) -> None:
        """Re-read the open document after a failed store call."""
        self.anchor = None
        if self.document is not None:
            self._reload()

    def _reload(self, focus: Span | None = None) -> None:
        """Re-read the reviewer's gold (what was just committed) and rebuild the rows;
        keep the focus on `focus` (or on the same row number)."""
        assert self.document is not None
        old = self.focus_index
        self.gold = None
        for a in self.store.review_annotations(self.document.id):
            if a.annotator == self.reviewer and a.status in (REVIEWED, REVIEWING):
                self.gold = a
        self.rows = rows_of(self.versions, self.gold)
        if focus is not None:
            key = span_key(focus)
            found = next((i for i, r in enumerate(self.rows) if span_key(r.span) == key), None)
            if found is not None:
                self.focus_index = found
                return
        self.focus_index = min(old, max(0, len(self.rows) - 1))

    # ---- moving ----------------------------------------------------------------------

    def move(self, delta: int) -> None:
        if self.rows:
            self.focus_index = max(0, min(len(self.rows) - 1, self.focus_index + delta))

    def move_contested(self, delta: int) -> None:
        """Focus the next (1) or previous (-1) contested row."""
        order = range(self.focus_index + delta, len(self.rows) if delta > 0 else -1, delta)
        for i in order:
            if self.rows[i].kind == CONTESTED:
                self.focus_index = i
                return
        raise ActionRefused("no more contested spans that way")

    # ---- deciding ----------------------------------------------------------------------

    def _editable(self) -> Document:
        if self.document is None:
            raise ActionRefused("no document open")
        if self.own_work:
            raise ActionRefused(
                f"you annotated document {self.document.id}: another reviewer reviews it"
            )
        return self.document

    def _focused(self) -> Row:
        self._editable()
        row = self.focus
        if row is None:
            raise ActionRefused("no span here")
        return row

    def _change(
        self,
        action: str,
        *,
        remove: Sequence[AnnotatedSpan] = (),
        add: Sequence[Span] = (),
        origins: Sequence[str] = (),
        notes: dict[str, Any] | None = None,
        focus: Span | None = None,
    ) -> None:
        document = self._editable()
        spans = [
            AnnotatedSpan(0, s, ACCEPTED, origins[i] if i < len(origins) else SOURCE_ANNOTATOR)
            for i, s in enumerate(add)
        ]
        self.store.review_change(
            document.id,
            self.reviewer,
            action,
            remove=[s.id for s in remove],
            add=spans,
            notes=notes,
        )
        self._reload(focus)

    def _gold_overlapping(self, span: Span) -> list[AnnotatedSpan]:
        return [r.gold for r in self.rows if r.gold is not None and _overlaps(r.span, span)]

    def take(self) -> None:
        """Put the focused annotator's version in the gold, in place of any gold span
        it overlaps (the other versions of the same words)."""
        row = self._focused()
        if row.in_gold:
            raise ActionRefused("this version is already in the reviewed gold")
        self._change(
            "review_take",
            remove=self._gold_overlapping(row.span),
            add=[row.span],
            origins=[row.origin],
            notes={"take": list(row.has)},
            focus=row.span,
        )

    def take_annotator(self, name: str) -> None:
        """Make one annotator's accepted spans the whole gold."""
        self._editable()
        version = next((a for a in self.versions if a.annotator == name), None)
        if version is None:
            raise ActionRefused(f"{one_line(name)} has no annotation of this document")
        taken = [s for s in version.spans if s.status == ACCEPTED]
        self._change(
            "review_take_all",
            remove=[r.gold for r in self.rows if r.gold is not None],
            add=[s.span for s in taken],
            origins=[s.origin for s in taken],
            notes={"take": [name]},
            focus=self.focus.span if self.focus else None,
        )

    def accept_agreed(self) -> int:
        """Put every agreed span not yet in the gold there; returns how many."""
        self._editable()
        missing = [r for r in self.rows if r.kind == AGREED and not r.in_gold]
        if not missing:
            raise ActionRefused(
                "every agreed span is already in the reviewed gold"
                if any(r.kind == AGREED for r in self.rows)
                else "no span is agreed by every annotator"
            )
        self._change(
            "review_agreed",
            add=[r.span for r in missing],
            origins=[r.origin for r in missing],
            focus=self.focus.span if self.focus else None,
        )
        return len(missing)

    def drop(self) -> None:
        """Take the focused span out of the gold."""
        row = self._focused()
        if row.gold is None:
            raise ActionRefused("this span is not in the reviewed gold")
        self._change("review_drop", remove=[row.gold], focus=row.span)

    def _edit(self, row: Row, span: Span) -> None:
        """The focused row's span changed: in the gold in place of the row's own gold
        span, or (a version not yet taken) in place of what it overlaps."""
        remove = [row.gold] if row.gold is not None else self._gold_overlapping(row.span)
        if span_key(span) == span_key(row.span) and row.in_gold:
            raise ActionRefused("no change")
        self._change(
            "review_edit",
            remove=remove,
            add=[span],
            origins=[SOURCE_ANNOTATOR],
            notes={"take": list(row.has)} if row.gold is None and row.has else None,
            focus=span,
        )

    def relabel(self, label: str) -> None:
        row = self._focused()
        s = row.span
        self._edit(row, s.with_(label=label, attrs=self._attrs_for(label, s.start, s.end, s.attrs)))

    def nudge(self, edge: str, direction: int) -> None:
        """Move the focused span's start or end one token earlier (-1) or later (+1)."""
        row = self._focused()
        start, end, attrs = self.nudged(row.span, edge, direction)
        self._edit(row, row.span.with_(start=start, end=end, attrs=attrs))

    def set_casualty(self, value: int | None, qualifier: str) -> None:
        row = self._focused()
        self._edit(row, row.span.with_(attrs={**row.span.attrs, **count_attrs(value, qualifier)}))

    # ---- adding a span with the token cursor -----------------------------------------

    def add(self, label: str) -> None:
        """Make the selection a span of the gold with this label."""
        self._editable()
        selection = self.selection
        if selection is None:
            raise ActionRefused("nothing selected")
        span = Span(
            selection.start,
            selection.end,
            label,
            self._attrs_for(label, selection.start, selection.end, {}),
        )
        if any(r.in_gold and span_key(r.span) == span_key(span) for r in self.rows):
            raise ActionRefused("the reviewed gold has this span already")
        self.anchor = None
        self._change("review_add", add=[span], focus=span)

    # ---- finishing -------------------------------------------------------------------

    def submit(self) -> int | None:
        """Submit the gold as this reviewer's reviewed gold of the document, then open
        the next document to review. Returns the submitted document's id."""
        document = self._editable()
        self.store.submit_review(document.id, self.reviewer)
        self.refresh_queue()
        following = self.first_to_review(after=document.id)
        if following is None:
            self._reload()
        else:
            self.open(following)
        return document.id

    def undo(self) -> None:
        """Revert this reviewer's latest change (any document) and show where it was."""
        doc_id = self.store.undo(self.reviewer, drafts=True)
        if doc_id is None:
            raise ActionRefused("nothing to undo")
        self.refresh_queue()
        if self.document is not None and doc_id == self.document.id:
            self._reload(self.focus.span if self.focus else None)
        else:
            self.open(doc_id)

    # ---- the audit trail ---------------------------------------------------------------

    def history(self, limit: int | None = 200) -> list[HistoryLine]:
        """The open document's events, oldest first: who changed what, before -> after."""
        if self.document is None:
            return []
        events = self.store.audit_log(doc_id=self.document.id, limit=limit)
        return [
            HistoryLine(
                e.ts[:19].replace("T", " "),
                one_line(e.annotator or "-", 16),
                one_line(summarize(e, self.text), 200),
            )
            for e in events
        ]
