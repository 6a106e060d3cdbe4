"""Plain data objects shared by every layer: no I/O, no third-party imports."""

from __future__ import annotations

import hashlib
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
SPAN_STATUSES = (PENDING, ACCEPTED, REJECTED)

# Per-annotator state of a document.
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
SKIPPED = "skipped"
FLAGGED = "flagged"
REVIEWED = "reviewed"
DOC_STATUSES = (IN_PROGRESS, SUBMITTED, SKIPPED, FLAGGED, REVIEWED)


def text_hash(text: str) -> str:
    """The content hash used to de-duplicate documents (hex SHA-256 prefix)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]

    def with_(self, **changes: Any) -> Span:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The span in the interchange format: start, end, label, then attributes."""
        out: dict[str, Any] = {"start": self.start, "end": self.end, "label": self.label}
        out.update(self.attrs)
        return out


@dataclass(frozen=True)
class Document:
    id: int
    hash: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    source: str = ""


@dataclass(frozen=True)
class AnnotatedSpan:
    """A span as one annotator sees it: its decision and where it came from."""

    id: int
    span: Span
    status: str = PENDING
    origin: str = ""  # model / rule / import / annotator / gold-ruler


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
