"""spaCy Docs from gold spans, and DocBin files for `spacy train`: the scheme, and
reading a DocBin back.

Entities go to `doc.ents`; casualty spans go to `doc.spans["casualties"]`, whose
group attributes carry each span's value and qualifier (`casualty_group_attrs(doc)` reads
them back). Sources (the children of a casualty span's SOURCE link, and any span labelled
SOURCE) go to `doc.spans["sources"]`, and the casualty group's `relations` attribute
holds each casualty span's link as an index into that group (`{"SOURCE": [0, None]}`).
`read_docbin` reads a DocBin back as documents for `workbench import`. Only export,
train, import of .spacy files and suggest-like modules import this one: it loads spaCy.

Building the Docs (`build_doc`, `Built`, `blank`) is in spacy_docs.py and writing
them as shards (`ShardWriter` and its fast path) in spacy_shards.py; their names are
imported here, where callers import them from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from spacy.tokens import Doc, DocBin
from spacy.tokens import Span as SpacySpan

from ..model import NewDocument, Span, count_attrs, with_link
from .spacy_docs import RELATIONS_ATTR, SPANS_KEY, Built, blank, build_doc, group_key, span_key
from .spacy_shards import FAST_PATH_SPACY, ShardWriter, fast_path_supported

__all__ = [
    "FAST_PATH_SPACY",
    "SPANS_KEY",
    "Built",
    "ShardWriter",
    "blank",
    "build_doc",
    "casualty_group_attrs",
    "fast_path_supported",
    "read_docbin",
]


def casualty_group_attrs(doc: Doc, key: str = SPANS_KEY) -> list[dict[str, Any]]:
    """Value and qualifier of each span in a loaded doc's casualty group, in order."""
    group = doc.spans.get(key)
    if group is None:
        return []
    values = group.attrs.get("values") or [None] * len(group)
    qualifiers = group.attrs.get("qualifiers") or [None] * len(group)
    return [count_attrs(v, q) for v, q in zip(values, qualifiers, strict=True)]


def read_docbin(path: Path, labels: Any = None) -> list[NewDocument]:
    """The documents of a .spacy file, as this module writes them: entities from
    `doc.ents`, casualty spans with their counts and links, SOURCE spans from the
    sources group. Spans keep the character bounds of their tokens."""
    from .validate import InputError

    try:
        docs = list(DocBin().from_disk(path).get_docs(blank().vocab))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(path, None, f"not a spaCy DocBin: {e}") from None
    if not docs:
        raise InputError(path, None, "no documents in file")
    return [_document(doc, path, n, labels) for n, doc in enumerate(docs, start=1)]


def _document(doc: Doc, path: Path, number: int, labels: Any) -> NewDocument:
    from .validate import check_text, checked_span

    text = doc.text
    check_text(text, path, number)

    def span(s: SpacySpan, attrs: dict[str, Any]) -> Span:
        return checked_span(s.start_char, s.end_char, s.label_, attrs, text, path, number, labels)

    found = {span_key(x): x for x in (span(e, {}) for e in doc.ents)}
    group = doc.spans.get(SPANS_KEY)
    heads = []
    if group is not None:
        heads = [span(s, a) for s, a in zip(group, casualty_group_attrs(doc), strict=True)]
        for label, indexes in (group.attrs.get(RELATIONS_ATTR) or {}).items():
            children = [span(s, {}) for s in doc.spans.get(group_key(label), [])]
            for c in children:
                found.setdefault(span_key(c), c)
            for i, at in enumerate(indexes):
                if at is not None:
                    heads[i] = with_link(heads[i], children[at], label)
    for h in heads:
        found[span_key(h)] = h
    spans = tuple(sorted(found.values(), key=lambda s: (s.start, s.end, s.label)))
    return NewDocument(text, {"meta": {"source": str(path)}}, f"{path}:{number}", spans)
