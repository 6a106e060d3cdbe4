"""Linking a casualty figure to its source in the annotator, without Textual: a mixin
of the annotator's Session (session.py), which provides the store, the spans and the
focus. Every link is one store call (store.link) and a re-read of what it changed."""

from __future__ import annotations

from typing import Any

from ..model import SOURCE_LABEL, AnnotatedSpan, link_of, links_to
from ..selecting import ActionRefused, Selecting


class Linking(Selecting):
    """`r` starts linking the focused figure, `enter` links it to the focused span (or
    to the selection, as a new SOURCE span), `esc` cancels, `R` clears its source."""

    linking: int | None = None  # id of the casualty span being linked to a source
    # provided by the Session
    config: Any
    store: Any
    annotator: str
    spans: tuple[AnnotatedSpan, ...]

    def _focused(self) -> AnnotatedSpan:
        raise NotImplementedError

    def _index_of(self, span_id: int) -> int | None:
        raise NotImplementedError

    def _reread(self, span_id: int, focus_id: int | None = None) -> None:
        raise NotImplementedError

    def _advance_from(self, span_id: int) -> None:
        raise NotImplementedError

    def focus_span(self, span_id: int) -> None:
        raise NotImplementedError

    def add(self, label: str) -> None:
        raise NotImplementedError

    @property
    def relation(self) -> str:
        """The relation the link keys set: the first configured (SOURCE by default)."""
        return self.config.relations[0]

    @property
    def partner(self) -> AnnotatedSpan | None:
        """The span the article marks beside the focus: while linking, the figure being
        linked; else the source the focused casualty span is linked to."""
        if self.linking is not None:
            found = self._index_of(self.linking)
            return None if found is None else self.spans[found]
        return self.source_of(self.focus)

    def source_of(self, span: AnnotatedSpan | None) -> AnnotatedSpan | None:
        """The span `span` is linked to by the relation, when it is in this annotation."""
        ref = None if span is None else link_of(span.span, self.relation)
        if ref is None:
            return None
        return next(
            (s for s in self.spans if (s.span.start, s.span.end, s.span.label) == ref), None
        )

    def _heads_of(self, child: AnnotatedSpan) -> list[int]:
        """Ids of the spans linked to `child`: the store changes them when it changes."""
        if child.span.is_casualty:  # a figure is never a source
            return []
        key = (child.span.start, child.span.end, child.span.label)
        return [s.id for s in self.spans if s.span.attrs and links_to(s.span, key)]

    def _reread_all(self, span_ids: list[int]) -> None:
        for span_id in span_ids:
            self._reread(span_id)

    # ---- linking a casualty figure to its source --------------------------------------

    def link_begin(self) -> None:
        """Start linking the focused casualty span: move to its source, or select new
        text (`v`), then confirm; the focus starts on the current source, if any."""
        span = self._focused()
        if not span.span.is_casualty:
            raise ActionRefused("a source is linked from a casualty span: focus one first")
        self.linking = span.id
        source = self.source_of(span)
        if source is not None:
            self.focus_span(source.id)

    def link_confirm(self) -> None:
        """Link the figure to the focused span, or to the selection made a SOURCE span."""
        if self.linking is None:
            raise ActionRefused("press a label key to add the selection as a span")
        if self.selecting:
            self.add(SOURCE_LABEL)  # adds, then links (back here with no selection)
            return
        head, child = self.linking, self._focused()
        if child.id == head:
            raise ActionRefused("move to the source's span, or press v to select its words")
        if child.span.is_casualty:
            raise ActionRefused("a casualty figure is not a source: pick who reported it")
        self.store.link(head, child.id, self.annotator, self.relation)
        self.linking = None
        self._reread(child.id)
        self._reread(head, head)
        self._advance_from(head)

    def link_cancel(self) -> None:
        head, self.linking, self.anchor = self.linking, None, None
        if head is not None:
            self.focus_span(head)

    def unlink(self) -> None:
        """Clear the focused casualty span's source (it is accepted as having none)."""
        span = self._focused()
        if link_of(span.span, self.relation) is None:
            raise ActionRefused("this span has no source to clear")
        self.store.link(span.id, None, self.annotator, self.relation)
        self._reread(span.id, span.id)
