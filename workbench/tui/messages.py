"""Messages the annotator's widgets and workers post upward."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class SpanClicked(Message):
    """The user clicked a row of the span list."""

    span_id: int


@dataclass
class SuggestionsReady(Message):
    """The prefetch worker saved suggestions for these documents."""

    doc_ids: list[int]
    model_version: str


@dataclass
class PrefetchFailed(Message):
    """The prefetch worker stopped: the annotator goes on with what is stored."""

    error: str


@dataclass
class DocumentOpened(Message):
    """The annotator opened a document: time to compute the next ones ahead."""

    doc_id: int | None


@dataclass
class ActionFailed(Message):
    """A store call failed (busy, read-only, full disk...): one line for the screen."""

    error: str
