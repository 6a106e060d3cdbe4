"""The interchange JSONL format (see docs/annotation-scheme.md): writing records."""

from __future__ import annotations

from typing import Any

from ..model import Annotation, Span


def record(text: str, spans: list[Span], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """One interchange line: the document's own keys, its text and spans in text order."""
    out = dict(extra or {})
    out["text"] = text
    out["spans"] = [s.to_json() for s in sorted(spans, key=lambda s: (s.start, s.end, s.label))]
    return out


def annotation_record(annotation: Annotation) -> dict[str, Any]:
    """An annotator's gold for a document, with the provenance reviewers need."""
    doc = annotation.document
    out = record(doc.text, annotation.gold_spans(), doc.meta)
    out["hash"] = doc.hash
    out["annotator"] = annotation.annotator
    out["status"] = annotation.status
    out["timestamp"] = annotation.updated_at
    if annotation.comment:
        out["comment"] = annotation.comment
    return out
