"""What the review screen shows, without Textual or a store: a queue item per document,
and for the open document one row per distinct span, agreed (every annotator has it),
contested, or only in the reviewer's gold, with who has it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import ACCEPTED, AnnotatedSpan, Annotation, Document, Span
from .review import SpanKey, span_key

AGREED, CONTESTED, OWN = "agreed", "contested", "own"  # a row's kind (OWN: the reviewer's)


@dataclass(frozen=True)
class QueueItem:
    """One document waiting for (or having had) review."""

    document: Document
    annotators: tuple[str, ...]  # who submitted or flagged it
    contested: int  # distinct spans not every annotator has
    flags: tuple[tuple[str, str], ...]  # (annotator, comment)
    reviewed_by: tuple[str, ...]  # who submitted reviewed gold of it
    draft: bool  # this reviewer has an unsubmitted review of it

    @property
    def disagrees(self) -> bool:
        return self.contested > 0

    @property
    def done(self) -> bool:
        """Reviewed by someone and not being reworked by this reviewer."""
        return bool(self.reviewed_by) and not self.draft

    def order(self) -> tuple[bool, bool, bool, int]:
        """Unreviewed first; among them disagreements, then flags, then the rest."""
        return (self.done, not self.disagrees, not self.flags, self.document.id)


@dataclass(frozen=True)
class Row:
    """One distinct span of the document: who has it, and whether the gold has it."""

    span: Span
    has: tuple[str, ...]  # the annotators with exactly this span
    kind: str  # AGREED, CONTESTED or OWN (only in the reviewer's gold)
    gold: AnnotatedSpan | None  # the reviewer's span, when the working set has it
    origin: str  # where the span came from (model, rule, annotator...)

    @property
    def in_gold(self) -> bool:
        return self.gold is not None


@dataclass(frozen=True)
class HistoryLine:
    """One event of the document's audit trail, every part made visible."""

    ts: str
    who: str
    summary: str


def rows_of(versions: Sequence[Annotation], gold: Annotation | None) -> tuple[Row, ...]:
    """The rows of a document in text order, from the annotators' accepted spans and
    the reviewer's gold."""
    names = [a.annotator for a in versions]
    holders: dict[SpanKey, tuple[AnnotatedSpan, list[str]]] = {}
    for a in versions:
        for s in a.spans:
            if s.status == ACCEPTED:
                holders.setdefault(span_key(s.span), (s, []))[1].append(a.annotator)
    in_gold: dict[SpanKey, AnnotatedSpan] = {}
    for s in gold.spans if gold is not None else ():
        if s.status == ACCEPTED:
            in_gold.setdefault(span_key(s.span), s)
    rows = []
    for key in holders.keys() | in_gold.keys():
        first, has = holders.get(key, (None, []))
        mine = in_gold.get(key)
        shown = first or mine
        assert shown is not None
        kind = OWN if not has else AGREED if len(has) == len(names) else CONTESTED
        rows.append(Row(shown.span, tuple(has), kind, mine, shown.origin))
    # Text order; of versions of the same words, the one most annotators have first.
    rows.sort(key=lambda r: (r.span.start, r.span.end, -len(r.has), r.span.label, span_key(r.span)))
    return tuple(rows)
