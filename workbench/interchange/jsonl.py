"""The interchange JSONL format (see docs/annotation-scheme.md): writing records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from ..model import SOURCE_RELATION, Annotation, Span
from .prodigy import exported_meta
from .relations import KEY as RELATIONS
from .relations import relation_dicts, span_dicts


def record(
    text: str,
    spans: list[Span],
    extra: dict[str, Any] | None = None,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
) -> dict[str, Any]:
    """One interchange line: the document's own keys, its text and spans in text order,
    then (where any span links another) the links as Prodigy `relations`."""
    out = dict(extra or {})
    out["text"] = text
    out["spans"] = span_dicts(spans, relation_labels)
    found = relation_dicts(spans, relation_labels)
    if found:
        out[RELATIONS] = found
    return out


def annotation_record(
    annotation: Annotation,
    spans_json: str | None = None,
    *,
    spans: list[Span] | None = None,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
) -> dict[str, Any]:
    """An annotator's gold for a document, with the provenance reviewers need.

    `spans_json`: the gold spans already serialised as `record` would write them (the
    store's `gold_json_in_bulk`, for documents without links); they are embedded as
    they are, not decoded. `spans`: the gold spans, where the caller has them.
    """
    doc = annotation.document
    if spans_json is None:
        gold = annotation.gold_spans() if spans is None else spans
        out = record(doc.text, gold, exported_meta(doc.meta), relation_labels)
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
    for rel in out.get(RELATIONS) or ():
        head, child = rel["head_span"], rel["child_span"]
        for ref in (head, child):
            found = token_spans.get((ref["start"], ref["end"], ref["label"]))
            if found is not None:
                ref["token_start"], ref["token_end"] = found[0], found[1] - 1
        if "token_end" in head and "token_end" in child:
            rel_items = {"head": head["token_end"], "child": child["token_end"]}
            rest = {k: v for k, v in rel.items() if k not in rel_items}
            rel.clear()
            rel.update(rel_items)
            rel.update(rest)
    return out
