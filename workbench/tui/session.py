"""The annotator's state and actions, without Textual: what a keystroke does.

Every action calls one intent-named store method (which commits with its events
row) and then re-reads what it changed (the one span, or the whole annotation), so
what the screen shows next is what the database holds.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from ..config import Config
from ..model import (
    IN_PROGRESS,
    PENDING,
    REVIEWED,
    REVIEWING,
    AnnotatedSpan,
    Annotation,
    Progress,
    Span,
    count_attrs,
)
from ..selecting import ActionRefused, recount_attrs
from ..store import DatabaseError, Store, StoreError
from ..tokens import Tokens
from .linking import Linking

# What a failed store call raises: the store's own errors, and SQLite's that it lets
# through (through the store's alias, so this module never imports sqlite3).
STORE_FAILURES = (StoreError, DatabaseError)


def reviewed_message(doc_id: int) -> str:
    return (
        f"document {doc_id} is reviewed gold: it changes only through `workbench review`"
        " (read-only here)"
    )


@dataclass(frozen=True)
class Position:
    index: int  # 1-based position of the document
    total: int


def _text_order(s: AnnotatedSpan) -> tuple[int, int, int]:
    return (s.span.start, s.span.end, s.id)


class Session(Linking):
    """One annotator working through the documents of one store."""

    def __init__(self, store: Store, config: Config, annotator: str) -> None:
        self.store, self.config, self.annotator = store, config, annotator
        self.annotation: Annotation | None = None
        self.spans: tuple[AnnotatedSpan, ...] = ()
        self.focus_index = 0
        self._tokens: Tokens | None = None
        self.progress = Progress(0, 0, 0)
        self.position = Position(0, 0)
        self.anchor = None  # token index where the selection began
        self.cursor = 0  # token index of the token cursor
        self.linking = None  # id of the casualty span being linked to a source
        self.model_version: str | None = None  # whose suggestions the open document shows

    # ---- reading ---------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self.annotation.document.text if self.annotation else ""

    @property
    def tokens(self) -> Tokens:
        """Token offsets of the text, found when first needed (a boundary move, `v`)."""
        if self._tokens is None:
            self._tokens = Tokens.of(self.text)
        return self._tokens

    @property
    def focus(self) -> AnnotatedSpan | None:
        return self.spans[self.focus_index] if self.spans else None

    @property
    def read_only(self) -> bool:
        """Reviewed gold is shown, never changed, here: only `workbench review` may."""
        return self.annotation is not None and self.annotation.status in (REVIEWED, REVIEWING)

    @property
    def pending(self) -> int:
        """How many suggestions of the open document are still undecided."""
        return sum(1 for s in self.spans if s.status == PENDING)

    def _focused(self) -> AnnotatedSpan:
        self._editable()
        span = self.focus
        if span is None:
            raise ActionRefused("no span here")
        return span

    # ---- documents -------------------------------------------------------------------

    def open(self, doc_id: int | None) -> None:
        """Show this document (None: every document is done)."""
        self.anchor = self.linking = None
        if doc_id is None:
            self.annotation, self.spans = None, ()
        else:
            self.annotation = self.store.open_annotation(doc_id, self.annotator)
            self.spans = self.annotation.spans
            self.model_version = self.store.opened_with_model(self.annotation.id)
            self.position = Position(self.store.document_position(doc_id), self.progress.total or 0)
        self._tokens = None
        self.focus_index = 0
        self._first_pending()
        self.refresh_progress()

    def open_next(self) -> None:
        if self.config.overlap:  # a team's routing (store/routing.py): claim the next
            claim_s = self.config.claim_minutes * 60
            self.open(self.store.claim_next_document(self.annotator, self.config.overlap, claim_s))
        else:
            self.open(self.store.next_document_id(self.annotator))

    def resync(self) -> None:
        """Re-read the open document and the progress after a failed store call, so the
        screen shows what the database holds (a decision that failed is not shown)."""
        self.anchor = self.linking = None
        if self.annotation is not None:
            self._reload(self.focus.id if self.focus else None)
        self.refresh_progress()

    def refresh_progress(self) -> None:
        self.progress = self.store.progress(self.annotator)
        self.position = Position(self.position.index, self.progress.total)

    def _reload(self, focus_id: int | None = None) -> None:
        assert self.annotation is not None
        old_index = self.focus_index
        self.annotation = self.store.annotation(self.annotation.id)
        self.spans = self.annotation.spans
        ids = [s.id for s in self.spans]
        if focus_id is not None and focus_id in ids:
            self.focus_index = ids.index(focus_id)
        else:
            self.focus_index = min(old_index, max(0, len(self.spans) - 1))

    def _reread(self, span_id: int, focus_id: int | None = None) -> None:
        """Re-read the one span an action changed (gone when deleted), keep text order.

        The other spans stay the same objects, so the widgets find what changed by
        identity; with thousands of spans nothing here walks them more than once.
        """
        assert self.annotation is not None
        old_index = self.focus_index
        spans = list(self.spans)
        at = self._index_of(span_id)
        if at is not None:
            del spans[at]
        changed = self.store.annotated_span(span_id)
        if changed is not None:
            at = bisect.bisect(spans, _text_order(changed), key=_text_order)
            spans.insert(at, changed)
        self.spans = tuple(spans)
        self.annotation = replace(self.annotation, spans=self.spans)
        if changed is not None and focus_id == changed.id:
            self.focus_index = at or 0
        elif focus_id is not None and (found := self._index_of(focus_id)) is not None:
            self.focus_index = found
        else:
            self.focus_index = min(old_index, max(0, len(self.spans) - 1))

    def _index_of(self, span_id: int) -> int | None:
        """Where a span is in text order: the focused one at once, others by a scan."""
        if self.focus_index < len(self.spans) and self.spans[self.focus_index].id == span_id:
            return self.focus_index
        return next((i for i, s in enumerate(self.spans) if s.id == span_id), None)

    def _first_pending(self) -> None:
        for i, s in enumerate(self.spans):
            if s.status == PENDING:
                self.focus_index = i
                return

    def _require(self) -> Annotation:
        if self.annotation is None:
            raise ActionRefused("no document open")
        return self.annotation

    def _editable(self) -> Annotation:
        """The open annotation, if this annotator may change it here."""
        annotation = self._require()
        if self.read_only:
            raise ActionRefused(reviewed_message(annotation.document.id))
        return annotation

    # ---- moving ----------------------------------------------------------------------

    def move(self, delta: int) -> None:
        if self.spans:
            self.focus_index = max(0, min(len(self.spans) - 1, self.focus_index + delta))

    def focus_span(self, span_id: int) -> None:
        for i, s in enumerate(self.spans):
            if s.id == span_id:
                self.focus_index = i

    # ---- deciding on spans -----------------------------------------------------------

    def accept(self) -> None:
        span = self._focused()
        source = self.source_of(span)  # accepted with it, when still pending
        self.store.accept(span.id, self.annotator)
        if source is not None and source.status == PENDING:
            self._reread(source.id)
        self._reread(span.id, span.id)
        self._advance_from(span.id)

    def reject(self) -> None:
        span = self._focused()
        heads = self._heads_of(span)  # a rejected source takes its links with it
        self.store.reject(span.id, self.annotator)
        self._reread_all(heads)
        self._reread(span.id, span.id)
        self._advance_from(span.id)

    def _advance_from(self, span_id: int) -> None:
        """Focus the next pending span after this one, so a run of decisions flows."""
        found = self._index_of(span_id)
        here = self.focus_index if found is None else found
        for i in range(here + 1, len(self.spans)):
            if self.spans[i].status == PENDING:
                self.focus_index = i
                return
        self.focus_index = min(here + 1, len(self.spans) - 1)

    def relabel(self, label: str) -> None:
        span = self._focused()
        attrs = self._attrs_for(label, span.span.start, span.span.end, span.span.attrs)
        heads = self._heads_of(span)
        self.store.relabel(span.id, label, self.annotator, attrs)
        self._reread_all(heads)
        self._reread(span.id, span.id)

    def nudge(self, edge: str, direction: int) -> None:
        """Move the focused span's start or end one token earlier (-1) or later (+1)."""
        span = self._focused()
        start, end, attrs = self.nudged(span.span, edge, direction)
        heads = self._heads_of(span)
        self.store.set_bounds(span.id, start, end, self.annotator, attrs)
        self._reread_all(heads)
        self._reread(span.id, span.id)

    def delete(self) -> None:
        span = self._focused()
        heads = self._heads_of(span)
        self.store.delete_span(span.id, self.annotator)
        self._reread_all(heads)
        self._reread(span.id)

    def set_casualty(self, value: int | None, qualifier: str) -> None:
        span = self._focused()
        attrs = {**span.span.attrs, **count_attrs(value, qualifier)}
        self.store.set_attrs(span.id, attrs, self.annotator)
        self._reread(span.id, span.id)

    def accept_all(self) -> int:
        annotation = self._editable()
        n = self.store.accept_all(annotation.id, self.annotator)
        self._reload(self.focus.id if self.focus else None)
        return n

    # ---- adding a span with the token cursor -----------------------------------------

    def add(self, label: str) -> None:
        """Make the selection a span with this label (accepted, hand-made)."""
        annotation = self._editable()
        selection = self.selection
        if selection is None:
            raise ActionRefused("nothing selected")
        attrs = self._attrs_for(label, selection.start, selection.end, {})
        span_id = self.store.add_span(
            annotation.id, Span(selection.start, selection.end, label, attrs), self.annotator
        )
        self.anchor = None
        self._reread(span_id, span_id)
        if self.linking is not None:  # the new span is the source being linked
            self.link_confirm()

    # ---- suggestions that arrive while the document is open ---------------------------

    def add_late_suggestions(self, doc_ids: list[int], model_version: str) -> int:
        """Merge suggestions just computed for the open document, if it is in progress;
        the focus stays on its span. Returns how many spans were added."""
        annotation = self.annotation
        if (
            annotation is None
            or annotation.document.id not in doc_ids
            or annotation.status != IN_PROGRESS
        ):
            return 0
        focus = self.focus
        added = self.store.add_late_suggestions(annotation.id, self.annotator, model_version)
        if added:
            self.model_version = model_version
            self._reload(focus.id if focus else None)
            if focus is None:
                self._first_pending()
        return len(added)

    # ---- finishing documents ---------------------------------------------------------

    def submit(self, *, accept_pending: bool = False) -> None:
        """Submit the open document (its pending suggestions accepted first, when asked:
        else they stay out of the gold), then open the next one."""
        annotation = self._editable()
        if accept_pending and self.pending:
            self.accept_all()
        self.store.submit(annotation.id, self.annotator)
        self.open_next()

    def skip(self) -> None:
        self.store.skip(self._editable().id, self.annotator)
        self.open_next()

    def flag(self, comment: str) -> None:
        self.store.flag(self._editable().id, self.annotator, comment)
        self.open_next()

    def undo(self) -> None:
        """Revert the latest change (any document) and show where it was."""
        doc_id = self.store.undo(self.annotator)
        if doc_id is None:
            raise ActionRefused("nothing to undo")
        if self.annotation is not None and doc_id == self.annotation.document.id:
            self._reload(self.focus.id if self.focus else None)
            self.refresh_progress()
        else:
            self.open(doc_id)

    def previous(self) -> None:
        current = self.annotation.document.id if self.annotation else 10**18
        doc_id = self.store.previous_document_id(self.annotator, current)
        if doc_id is None:
            raise ActionRefused("this is the first document you worked on")
        self.open(doc_id)

    def next(self) -> None:
        """The next document; with a team's routing, the next one that is yours or that
        you may take (claimed as you open it), never one that has its annotators."""
        annotation = self._require()
        if self.config.overlap:
            claim_s = self.config.claim_minutes * 60
            doc_id = self.store.claim_document_after(
                self.annotator, self.config.overlap, claim_s, annotation.document.id
            )
        else:
            doc_id = self.store.document_after(annotation.document.id)
        if doc_id is None:
            raise ActionRefused("this is the last document")
        self.open(doc_id)


__all__ = ["STORE_FAILURES", "ActionRefused", "Session", "StoreError", "recount_attrs"]
