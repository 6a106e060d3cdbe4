"""Relations in the interchange formats, as Prodigy's `rel.manual` writes them.

A record's `"relations"` list holds `{"head_span": {...}, "child_span": {...}, "label"}`
(with `--tokens`, also Prodigy's `head`/`child` token indices and each span's
`token_start`/`token_end`). In the store a link lives on its head span
(`model.with_link`): reading puts each relation there, writing takes the links back
off the span dicts, so an exported span never carries its link twice (and never a
`source` key, which on a Prodigy span names the model that suggested it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ..model import SOURCE_LABEL, SOURCE_RELATION, Span, link_key, link_of, relations, with_link
from .validate import SPAN_FIELDS, InputError, Labels, check_label, checked_span, short

KEY = "relations"
# Attribute names a relation's link may not take: they mean something else on a span.
RESERVED = frozenset({"value", "qualifier", *SPAN_FIELDS})

TokenSpans = dict[tuple[int, int, str], tuple[int, int]]


def span_dicts(spans: Iterable[Span], labels: Sequence[str] = (SOURCE_RELATION,)) -> list[dict]:
    """Spans in the interchange shape, in text order, without their link attributes."""
    keys = {link_key(label) for label in labels}
    out = []
    for s in sorted(spans, key=lambda s: (s.start, s.end, s.label)):
        d = s.to_json()
        for k in keys & d.keys():
            if isinstance(d[k], dict):
                del d[k]
        out.append(d)
    return out


def relation_dicts(
    spans: Iterable[Span],
    labels: Sequence[str] = (SOURCE_RELATION,),
    token_spans: TokenSpans | None = None,
) -> list[dict[str, Any]]:
    """The links among `spans` that resolve, as Prodigy relations, head order first."""
    found = relations(spans, labels)
    found.sort(key=lambda r: (r.head.start, r.head.end, r.head.label, r.label))
    out = []
    for r in found:
        item: dict[str, Any] = {}
        head, child = _ref(r.head, token_spans), _ref(r.child, token_spans)
        if "token_end" in head and "token_end" in child:
            item["head"], item["child"] = head["token_end"], child["token_end"]
        item["head_span"], item["child_span"], item["label"] = head, child, r.label
        out.append(item)
    return out


def _ref(span: Span, token_spans: TokenSpans | None) -> dict[str, Any]:
    out: dict[str, Any] = {"start": span.start, "end": span.end}
    found = token_spans.get((span.start, span.end, span.label)) if token_spans else None
    if found is not None:
        out["token_start"], out["token_end"] = found[0], found[1] - 1
    out["label"] = span.label
    return out


def with_relations(
    items: Any, spans: Sequence[Span], text: str, path: Path | str, line: int, labels: Labels
) -> list[Span]:
    """`spans` with each relation of `items` set as a link on its head span.

    A relation naming a span that is not among `spans` adds it (checked like any
    span). Refused: a relation without both span objects, a head linked twice by one
    label to different children, a span linked to itself, a label whose link would
    overwrite a span attribute.
    """
    if not isinstance(items, list):
        raise InputError(path, line, f'"{KEY}" must be a list')
    found = {(s.start, s.end, s.label): s for s in spans}
    given: set[tuple[tuple[int, int, str], str]] = set()
    for item in items:
        if not isinstance(item, dict):
            raise InputError(path, line, f"a relation must be an object: {short(item)}")
        label = check_label(item.get("label"), None, path, line)
        if link_key(label) in RESERVED:
            raise InputError(path, line, f"relation label {label!r} names a span attribute")
        head = _span(item.get("head_span"), "head_span", text, path, line, labels)
        child = _span(item.get("child_span"), "child_span", text, path, line, labels)
        hk, ck = (head.start, head.end, head.label), (child.start, child.end, child.label)
        if hk == ck:
            raise InputError(path, line, f"relation {label} links a span to itself: {short(item)}")
        for key, span in ((hk, head), (ck, child)):
            found.setdefault(key, span)
        # A second child under one label: from this list, or from the span's own
        # `source` object (already resolved to a span of the record).
        ref = link_of(found[hk], label)
        if ref is not None and ref != ck and ((hk, label) in given or ref in found):
            raise InputError(
                path,
                line,
                f"span {head.label} [{head.start}, {head.end}) has two {label} relations"
                f" ({ref[2]} [{ref[0]}, {ref[1]}) and {child.label} [{child.start}, {child.end}))",
            )
        given.add((hk, label))
        found[hk] = with_link(found[hk], found[ck], label)
    return list(found.values())


def _span(item: Any, what: str, text: str, path: Path | str, line: int, labels: Labels) -> Span:
    if not isinstance(item, dict):
        raise InputError(path, line, f"a relation needs a {what} object (start, end, label)")
    return checked_span(
        item.get("start"), item.get("end"), item.get("label"), {}, text, path, line, labels
    )


def with_embedded_links(
    spans: Sequence[Span], text: str, path: Path | str, line: int, labels: Labels
) -> list[Span]:
    """`spans` whose `source` attribute (a link written on the span itself, as our early
    exports and the hand-made source gold do: `{"start", "end"[, "label"][, "text"]}`,
    or null for none) names a span of the record, adding a SOURCE span where none is.

    A link without a label names the span at those offsets (an entity, where the
    source is one); a `text` that is not the text at the offsets is refused.
    """
    key = link_key(SOURCE_RELATION)
    if not any(key in s.attrs for s in spans):
        return list(spans)
    found = {(s.start, s.end, s.label): s for s in spans}
    at = {(s.start, s.end): s for s in spans if not s.is_casualty}
    for hk, head in list(found.items()):
        ref = head.attrs.get(key)
        if key not in head.attrs or (
            isinstance(ref, dict) and ref.get("label") and _in(ref, found)
        ):
            continue
        if ref is None:  # "source": null, no source
            found[hk] = head.with_(attrs={k: v for k, v in head.attrs.items() if k != key})
            continue
        if not isinstance(ref, dict):
            continue  # a string: on a Prodigy span, the name of the model that suggested it
        child = at.get((ref.get("start"), ref.get("end")))  # type: ignore[arg-type]
        if child is None:
            label = ref.get("label") or SOURCE_LABEL
            child = checked_span(
                ref.get("start"), ref.get("end"), label, {}, text, path, line, labels
            )
            found.setdefault((child.start, child.end, child.label), child)
            at.setdefault((child.start, child.end), child)
        said = ref.get("text")
        if said is not None and said != child.text_in(text):
            raise InputError(
                path, line, f"source text {said!r} is not the text at [{child.start}, {child.end})"
            )
        found[hk] = with_link(found[hk], child)
    return list(found.values())


def _in(ref: dict[str, Any], found: dict[tuple[int, int, str], Span]) -> bool:
    return (ref.get("start"), ref.get("end"), ref.get("label")) in found
