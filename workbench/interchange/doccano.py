"""doccano's sequence-labelling JSONL: {"text", "label": [[start, end, LABEL], ...]}.

doccano has no span attributes, so casualty values and qualifiers ride in an extra
key, `span_attrs` (doccano keeps unknown keys as metadata and exports them back);
the reader puts them back on the matching spans and fills the ones doccano users
added with the count normaliser.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..casualties import normalise_count
from ..model import CASUALTY_LABELS, Annotation, Span, count_attrs
from .prodigy import exported_meta
from .validate import InputError, Labels, checked_span, interchange_span

ATTRS_KEY = "span_attrs"


def doccano_record(annotation: Annotation) -> dict[str, Any]:
    """One doccano line: the document's own keys, its text, labels and casualty attributes."""
    doc = annotation.document
    out = exported_meta(doc.meta)  # never a stale Prodigy answer
    spans = annotation.gold_spans()
    out["text"] = doc.text
    out["label"] = [[s.start, s.end, s.label] for s in spans]
    # Casualty spans always, even without attributes: else the reader would fill them
    # from the normaliser and a re-export would differ.
    attrs = [s.to_json() for s in spans if s.attrs or s.label in CASUALTY_LABELS]
    if attrs:
        out[ATTRS_KEY] = attrs
    return out


def doccano_spans(
    record: dict[str, Any], text: str, path: Path | str, line: int, labels: Labels = None
) -> list[Span]:
    """The spans of a doccano line ("label" pairs or "entities" objects) with casualty
    attributes: from `span_attrs` where we wrote them, else from the count normaliser."""
    spans = []
    if isinstance(record.get("label"), list):  # [[start, end, "LABEL"], ...]
        for item in record["label"]:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)):
                raise InputError(path, line, f"doccano label must be [start, end, LABEL]: {item!r}")
            spans.append(checked_span(item[0], item[1], item[2], {}, text, path, line, labels))
    else:  # doccano projects with relations: [{"start_offset", "end_offset", "label"}]
        for item in record.get("entities") or []:
            if not (isinstance(item, dict) and isinstance(item.get("label"), str)):
                raise InputError(path, line, f"doccano entity needs a label: {item!r:.80}")
            start, end = item.get("start_offset"), item.get("end_offset")
            spans.append(checked_span(start, end, item["label"], {}, text, path, line, labels))
    items = record.get(ATTRS_KEY) or []
    if not isinstance(items, list):
        raise InputError(path, line, f'"{ATTRS_KEY}" must be a list')
    given = {}
    for item in items:
        s = interchange_span(item, text, path, line, labels)
        given[(s.start, s.end, s.label)] = s.attrs
    out = []
    for s in spans:
        attrs = given.get((s.start, s.end, s.label))
        if attrs is None and s.label in CASUALTY_LABELS:
            counted = normalise_count(s.text_in(text))
            attrs = {} if counted is None else count_attrs(*counted)
        out.append(s.with_(attrs=attrs or {}))
    return out
