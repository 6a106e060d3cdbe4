"""doccano's sequence-labelling JSONL: {"text", "label": [[start, end, LABEL], ...]},
and its relation form: {"text", "entities": [{id, label, start_offset, end_offset}],
"relations": [{id, from_id, to_id, type}]} (a project with relation labelling).

doccano has no span attributes, so casualty values and qualifiers ride in an extra
key, `span_attrs` (doccano keeps unknown keys as metadata and exports them back);
the reader puts them back on the matching spans and fills the ones doccano users
added with the count normaliser. A relation's `from_id` is the head (the casualty
span), `to_id` the child (its source), `type` the relation label. In the label form,
which doccano cannot give relations, a link rides in `span_attrs` like a value does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

from ..casualties import normalise_count
from ..model import (
    CASUALTY_LABELS,
    SOURCE_RELATION,
    Annotation,
    Span,
    count_attrs,
    link_key,
    relations,
    with_link,
)
from .prodigy import exported_meta
from .validate import InputError, Labels, check_label, checked_span, interchange_span, short

ATTRS_KEY = "span_attrs"
_ASTRAL = "\U00010000"  # characters from here on are two UTF-16 code units


def doccano_record(
    annotation: Annotation,
    *,
    relation_form: bool = False,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
) -> dict[str, Any]:
    """One doccano line: the document's own keys, its text, labels and casualty
    attributes; with `relation_form`, entities with ids and the links as relations."""
    doc = annotation.document
    out = exported_meta(doc.meta)  # never a stale Prodigy answer
    spans = annotation.gold_spans()
    out["text"] = doc.text
    units = to_units(doc.text)  # doccano counts UTF-16 code units, as its browser does
    links = {link_key(label) for label in relation_labels} if relation_form else set()
    if relation_form:
        ids = {(s.start, s.end, s.label): i for i, s in enumerate(spans, start=1)}
        out["entities"] = [
            {"id": i, "label": s.label, "start_offset": units(s.start), "end_offset": units(s.end)}
            for s, i in zip(spans, ids.values(), strict=True)
        ]
        found = relations(spans, relation_labels)
        found.sort(key=lambda r: (ids[_key(r.head)], r.label))
        out["relations"] = [
            {"id": n, "from_id": ids[_key(r.head)], "to_id": ids[_key(r.child)], "type": r.label}
            for n, r in enumerate(found, start=1)
        ]
    else:
        out["label"] = [[units(s.start), units(s.end), s.label] for s in spans]
    # Casualty spans always, even without attributes: else the reader would fill them
    # from the normaliser and a re-export would differ.
    attrs = []
    for s in spans:
        kept = {k: v for k, v in s.attrs.items() if not (k in links and isinstance(v, dict))}
        if kept or s.label in CASUALTY_LABELS:
            item = {**s.with_(attrs=kept).to_json(), "start": units(s.start), "end": units(s.end)}
            attrs.append(_linked_units(item, units))
    if attrs:
        out[ATTRS_KEY] = attrs
    return out


def _key(s: Span) -> tuple[int, int, str]:
    return (s.start, s.end, s.label)


def _linked_units(item: dict[str, Any], units: Callable[[Any], Any]) -> dict[str, Any]:
    """A span_attrs item with each link's offsets (a {start, end, label} value) in `units`."""
    for k, v in item.items():
        if isinstance(v, dict) and type(v.get("start")) is int and type(v.get("end")) is int:
            item[k] = {**v, "start": units(v["start"]), "end": units(v["end"])}
    return item


def doccano_relations(
    items: Any, entities: list[Any], spans: Sequence[Span], text: str, path: Path | str, line: int
) -> list[Span]:
    """`spans` (read from `entities`) with doccano's relations set as links on the
    `from_id` span, naming the `to_id` span."""
    if not isinstance(items, list):
        raise InputError(path, line, '"relations" must be a list')
    points = from_units(text, path, line)
    by_id: dict[Any, tuple[int, int, str]] = {}
    for e in entities:
        if isinstance(e, dict) and "id" in e:
            by_id[e["id"]] = (
                points(e.get("start_offset")),
                points(e.get("end_offset")),
                e["label"],
            )
    found = {_key(s): s for s in spans}
    done: set[tuple[tuple[int, int, str], str]] = set()
    for item in items:
        if not isinstance(item, dict):
            raise InputError(path, line, f"a doccano relation must be an object: {short(item)}")
        label = check_label(item.get("type"), None, path, line)
        head, child = by_id.get(item.get("from_id")), by_id.get(item.get("to_id"))
        if head is None or child is None:
            raise InputError(path, line, f"doccano relation names no entity id: {short(item)}")
        if head == child or (head, label) in done:
            raise InputError(path, line, f"doccano relation {label}: a second link or a self-link")
        done.add((head, label))
        found[head] = with_link(found[head], found[child], label)
    return list(found.values())


def doccano_spans(
    record: dict[str, Any], text: str, path: Path | str, line: int, labels: Labels = None
) -> list[Span]:
    """The spans of a doccano line ("label" pairs or "entities" objects) with casualty
    attributes: from `span_attrs` where we wrote them, else from the count normaliser."""
    spans = []
    points = from_units(text, path, line)
    if isinstance(record.get("label"), list):  # [[start, end, "LABEL"], ...]
        for item in record["label"]:
            if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], str)):
                raise InputError(path, line, f"doccano label must be [start, end, LABEL]: {item!r}")
            start, end = points(item[0]), points(item[1])
            spans.append(checked_span(start, end, item[2], {}, text, path, line, labels))
    else:  # doccano projects with relations: [{"start_offset", "end_offset", "label"}]
        for item in record.get("entities") or []:
            if not (isinstance(item, dict) and isinstance(item.get("label"), str)):
                raise InputError(path, line, f"doccano entity needs a label: {item!r:.80}")
            start, end = points(item.get("start_offset")), points(item.get("end_offset"))
            spans.append(checked_span(start, end, item["label"], {}, text, path, line, labels))
    items = record.get(ATTRS_KEY) or []
    if not isinstance(items, list):
        raise InputError(path, line, f'"{ATTRS_KEY}" must be a list')
    given = {}
    for item in items:
        if isinstance(item, dict):
            item = {**item, "start": points(item.get("start")), "end": points(item.get("end"))}
            item = _linked_units(item, points)
        s = interchange_span(item, text, path, line, labels)
        given[(s.start, s.end, s.label)] = s.attrs
    out = []
    # doccano can hold the same span twice (its own examples do): one span here.
    spans = list({(s.start, s.end, s.label): s for s in spans}.values())
    for s in spans:
        attrs = given.get((s.start, s.end, s.label))
        if attrs is None and s.label in CASUALTY_LABELS:
            counted = normalise_count(s.text_in(text))
            attrs = {} if counted is None else count_attrs(*counted)
        out.append(s.with_(attrs=attrs or {}))
    return out


def to_units(text: str) -> Callable[[int], int]:
    """Code-point offset to UTF-16 code-unit offset, for `text`."""
    if text.isascii() or max(text) < _ASTRAL:
        return _same
    before = list(accumulate((c >= _ASTRAL for c in text), initial=0))
    return lambda i: i + before[i]


def from_units(text: str, path: Path | str, line: int) -> Callable[[Any], Any]:
    """UTF-16 code-unit offset (doccano's) to code-point offset; one inside a
    surrogate pair is an error. Non-integers pass through for the span checks."""
    if text.isascii() or max(text) < _ASTRAL:
        return _same
    at: dict[int, int] = {}
    unit = 0
    for i, c in enumerate(text):
        at[unit] = i
        unit += 2 if c >= _ASTRAL else 1
    at[unit] = len(text)

    def points(u: Any) -> Any:
        if type(u) is not int or u < 0 or u > unit:
            return u  # checked_span refuses it with the usual message
        if u not in at:
            raise InputError(path, line, f"doccano offset {u} splits a character in two")
        return at[u]

    return points


def _same(i: Any) -> Any:
    return i


def thinned(spans: list[Span]) -> int:
    """How many of `spans` a doccano project that disallows overlaps drops on import
    (it keeps, in start order, each span starting at or after the last kept end)."""
    last, dropped = -1, 0
    for s in sorted(spans, key=lambda s: (s.start, s.end, s.label)):
        if s.start >= last:
            last = s.end
        else:
            dropped += 1
    return dropped
