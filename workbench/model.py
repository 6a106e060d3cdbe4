"""Plain data objects shared by every layer: no I/O, no third-party imports."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

CASUALTY_LABELS = ("KILLED", "INJURED")
QUALIFIERS = ("exact", "more_than", "at_least", "approx", "nearly", "up_to", "less_than", "vague")

# Where a span came from; shown in the span list and stored with suggestions.
SOURCE_MODEL = "model"
SOURCE_RULE = "rule"
SOURCE_IMPORT = "import"
SOURCE_ANNOTATOR = "annotator"
SOURCE_GOLD_RULER = "gold-ruler"

# Per-annotator decision on a span.
PENDING = "pending"
ACCEPTED = "accepted"
REJECTED = "rejected"

# Per-annotator state of a document.
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
SKIPPED = "skipped"
FLAGGED = "flagged"
REVIEWED = "reviewed"
# A reviewer's reviewed gold while they work on it in `workbench review`: every decision
# is stored, but export and the gold ruler read it only once submitted (REVIEWED).
REVIEWING = "reviewing"
DOC_STATUSES = (IN_PROGRESS, SUBMITTED, SKIPPED, FLAGGED, REVIEWED)


HASH_CHARS = 16  # hex characters of SHA-256 kept in a document's hash


def text_hash(text: str) -> str:
    """The content hash used to de-duplicate documents (hex SHA-256 prefix)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:HASH_CHARS]


@dataclass(frozen=True)
class Span:
    """A labelled character range [start, end) of a document's text.

    `attrs` holds extra attributes; casualty spans carry `value` and `qualifier`.
    """

    start: int
    end: int
    label: str
    attrs: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    source: str = field(default="", compare=False)

    @property
    def value(self) -> int | None:
        return self.attrs.get("value")

    @property
    def qualifier(self) -> str | None:
        return self.attrs.get("qualifier")

    @property
    def is_casualty(self) -> bool:
        return "value" in self.attrs or "qualifier" in self.attrs or self.label in CASUALTY_LABELS

    @property
    def needs_value(self) -> bool:
        """A casualty count nobody could read (a whole phrase selected in another tool):
        no qualifier, or a number qualifier without its number."""
        if not self.is_casualty:
            return False
        return self.qualifier in (None, "") or (self.qualifier != "vague" and self.value is None)

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]

    def with_(self, **changes: Any) -> Span:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The span in the interchange format: start, end, label, then attributes."""
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        out.update(self.attrs)
        return out


# ---- relations: a casualty span linked to who reported it ---------------------------------
#
# A link lives on its head span, as the attribute named after the relation label in
# lower case: a casualty span's `attrs["source"] = {"start", "end", "label"}` points at the
# source span (an entity span, or a span labelled SOURCE). Kept in attrs, a link travels
# with the span through suggestions, events (undo), gold and every export without a
# table of its own; `relations()` resolves the links of a set of spans to the spans they
# name, so a link to a span that is not there (rejected, removed, moved) counts for nothing.

SOURCE_RELATION = "SOURCE"  # the default relation label: head a casualty span
SOURCE_LABEL = "SOURCE"  # the span label of a source that is not also an entity


def link_key(relation: str) -> str:
    """The attribute of a head span that holds its `relation` link: SOURCE -> "source"."""
    return relation.lower()


def link_of(span: Span, relation: str = SOURCE_RELATION) -> tuple[int, int, str] | None:
    """(start, end, label) of the span `span` links to by `relation`, or None."""
    return link_target(span.attrs.get(link_key(relation)))


def with_link(span: Span, child: Span | None, relation: str = SOURCE_RELATION) -> Span:
    """`span` linked to `child` by `relation` (None clears the link)."""
    attrs = {k: v for k, v in span.attrs.items() if k != link_key(relation)}
    if child is not None:
        attrs[link_key(relation)] = {"start": child.start, "end": child.end, "label": child.label}
    return replace(span, attrs=attrs)


def link_target(value: Any) -> tuple[int, int, str] | None:
    """(start, end, label) an attribute value names, if it is a link; else None."""
    if not isinstance(value, dict) or "start" not in value or "end" not in value:
        return None
    return int(value["start"]), int(value["end"]), str(value.get("label") or SOURCE_LABEL)


def links_to(span: Span, key: tuple[int, int, str]) -> list[str]:
    """The attributes of `span` that link to the span with this (start, end, label)."""
    return [name for name, value in span.attrs.items() if link_target(value) == key]


def has_links(span: Span) -> bool:
    return any(link_target(v) is not None for v in span.attrs.values())


@dataclass(frozen=True)
class Relation:
    """A labelled link from a head span to a child span (a casualty figure to its source)."""

    head: Span
    child: Span
    label: str = SOURCE_RELATION


def relations(spans: Iterable[Span], labels: Iterable[str] = (SOURCE_RELATION,)) -> list[Relation]:
    """The links among `spans` that resolve: each to a child present in `spans`."""
    spans = list(spans)
    by_key = {(s.start, s.end, s.label): s for s in spans}
    out = []
    for label in labels:
        for head in spans:
            ref = link_of(head, label)
            child = by_key.get(ref) if ref is not None else None
            if child is not None and child is not head:
                out.append(Relation(head, child, label))
    return out


def count_attrs(value: int | None, qualifier: str | None) -> dict[str, Any]:
    """A casualty count's attributes: the one shape of `{"value", "qualifier"}`."""
    return {"value": value, "qualifier": qualifier}


@dataclass(frozen=True)
class Document:
    id: int
    hash: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    source: str = ""


@dataclass(slots=True)
class NewDocument:
    """A document read from a file, to import, with optional pre-annotations."""

    text: str
    meta: dict[str, Any]
    source: str
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class AnnotatedSpan:
    """A span as one annotator sees it: its decision and where it came from."""

    id: int
    span: Span
    status: str = PENDING
    origin: str = ""  # model / rule / import / annotator / gold-ruler

    def to_event(self) -> dict[str, Any]:
        """The one serialisation of a span in an events row: enough to put it back exactly."""
        s = self.span
        return {
            "id": self.id,
            "start": s.start,
            "end": s.end,
            "label": s.label,
            "attrs": dict(s.attrs),
            "status": self.status,
            "origin": self.origin,
        }

    @classmethod
    def from_event(cls, data: dict[str, Any]) -> AnnotatedSpan:
        """A span as `to_event` wrote it (or as early gold-import events did: the flat
        interchange shape, attributes beside the bounds, no id)."""
        if "attrs" in data:
            attrs = dict(data["attrs"] or {})
        else:
            attrs = {k: v for k, v in data.items() if k not in _EVENT_SPAN_KEYS}
        origin = data.get("origin") or ""
        span = Span(data["start"], data["end"], data["label"], attrs, origin)
        return cls(int(data.get("id") or 0), span, data.get("status") or ACCEPTED, origin)


@dataclass(frozen=True)
class Annotation:
    """One annotator's work on one document."""

    id: int
    document: Document
    annotator: str
    status: str
    spans: tuple[AnnotatedSpan, ...] = ()
    comment: str = ""
    updated_at: str = ""

    @property
    def read_only(self) -> bool:
        """Reviewed gold: the annotator shows it but only `workbench review` changes it."""
        return self.status == REVIEWED

    def gold_spans(self) -> list[Span]:
        """Accepted spans in document order: what a submit makes gold."""
        return sorted(
            (s.span for s in self.spans if s.status == ACCEPTED), key=lambda s: (s.start, s.end)
        )


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    today: int


@dataclass(frozen=True)
class Status:
    documents: int
    suggested: int
    annotated: int


# ---- the audit log -----------------------------------------------------------------------

_EVENT_SPAN_KEYS = frozenset({"id", "start", "end", "label", "status", "origin"})


@dataclass(frozen=True)
class AnnotationState:
    """An annotation's status and comment, as an event records them."""

    status: str
    comment: str = ""


@dataclass(frozen=True)
class Change:
    """One side (before or after) of an event: the spans and annotation state it
    touched, and what else the action noted (an import's source and count, an
    adjudication's `take` and `from_annotation`, late suggestions' `model_version`)."""

    spans: tuple[AnnotatedSpan, ...] = ()
    annotation: AnnotationState | None = None
    notes: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.notes)
        out["spans"] = [s.to_event() for s in self.spans]
        if self.annotation is not None:
            out["annotation"] = {
                "status": self.annotation.status,
                "comment": self.annotation.comment,
            }
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Change | None:
        if data is None:
            return None
        notes = {k: v for k, v in data.items() if k not in ("spans", "annotation")}
        state = data.get("annotation")
        return cls(
            spans=tuple(AnnotatedSpan.from_event(s) for s in data.get("spans") or ()),
            annotation=None if state is None else AnnotationState(**state),
            notes=notes,
        )


@dataclass(frozen=True)
class Event:
    """One row of the append-only audit log: who did what to which annotation."""

    id: int
    ts: str
    annotator: str
    action: str
    doc_id: int | None = None
    annotation_id: int | None = None
    before: Change | None = None
    after: Change | None = None
    undoes: int | None = None  # the event this one undid

    def to_json(self) -> dict[str, Any]:
        """The event as `review log --json` prints it (the stored shape)."""
        return {
            "id": self.id,
            "ts": self.ts,
            "annotator": self.annotator,
            "action": self.action,
            "doc_id": self.doc_id,
            "annotation_id": self.annotation_id,
            "before": None if self.before is None else self.before.to_json(),
            "after": None if self.after is None else self.after.to_json(),
            "undoes": self.undoes,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        """An event from its stored shape (`before`/`after` decoded from JSON)."""
        return cls(
            id=int(data.get("id") or 0),
            ts=data.get("ts") or "",
            annotator=data.get("annotator") or "",
            action=data["action"],
            doc_id=data.get("doc_id"),
            annotation_id=data.get("annotation_id"),
            before=Change.from_json(data.get("before")),
            after=Change.from_json(data.get("after")),
            undoes=data.get("undoes"),
        )
