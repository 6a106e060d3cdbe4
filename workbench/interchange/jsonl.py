"""The interchange JSONL format (see docs/annotation-scheme.md): writing records."""

from __future__ import annotations

from typing import Any

import orjson

from ..model import Annotation, Span
from .prodigy import exported_meta


def record(text: str, spans: list[Span], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """One interchange line: the document's own keys, its text and spans in text order."""
    out = dict(extra or {})
    out["text"] = text
    out["spans"] = [s.to_json() for s in sorted(spans, key=lambda s: (s.start, s.end, s.label))]
    return out


def annotation_record(annotation: Annotation, spans_json: str | None = None) -> dict[str, Any]:
    """An annotator's gold for a document, with the provenance reviewers need.

    `spans_json`: the gold spans already serialised as `record` would write them (the
    store's `gold_json_in_bulk`); they are embedded as they are, not decoded.
    """
    doc = annotation.document
    if spans_json is None:
        out = record(doc.text, annotation.gold_spans(), exported_meta(doc.meta))
    else:
        out = exported_meta(doc.meta)
        out["text"] = doc.text
        out["spans"] = orjson.Fragment(spans_json)
    out["hash"] = doc.hash
    out["annotator"] = annotation.annotator
    out["status"] = annotation.status
    out["timestamp"] = annotation.updated_at
    if annotation.comment:
        out["comment"] = annotation.comment
    return out


def with_tokens(
    out: dict[str, Any],
    tokens: list[tuple[str, int, int, bool]],
    token_spans: dict[tuple[int, int, str], tuple[int, int]],
) -> dict[str, Any]:
    """Add Prodigy-style tokens and each span's `token_start`/`token_end` (inclusive).

    `tokens` are (text, start, end, followed-by-space); `token_spans` maps a span's
    (start, end, label) to its token range [start, end).
    """
    out["tokens"] = [
        {"text": t, "start": a, "end": b, "id": i, "ws": ws}
        for i, (t, a, b, ws) in enumerate(tokens)
    ]
    for span in out["spans"]:
        found = token_spans.get((span["start"], span["end"], span["label"]))
        if found is not None:
            span["token_start"], span["token_end"] = found[0], found[1] - 1
    return out
