"""Prodigy's answers read as Prodigy's own `data-to-spacy` reads them.

A Prodigy dataset holds answers, not documents: each line is one task with an
`answer` ("accept", "reject", "ignore") and, for binary NER (`ner.teach`), one
suggested span per task, often several tasks on one text (one `_input_hash`).
So answers on one input are merged into one document: accepted spans of accepted
answers are its spans; spans answered "reject" (the span's own `answer`, or a
binary task's) are never spans nor suggestions, and are kept in the document's
meta as known-wrong; `ignore` answers count for nothing. A document with no
complete (manual) accepted answer is marked partially annotated.

Records our own export wrote (they carry `annotator` and `status`) are not
answers: a stale `answer` key among their document keys is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..model import NewDocument, Span
from .validate import InputError

ANSWER = "answer"
ACCEPT, REJECT, IGNORE = "accept", "reject", "ignore"
META_KEY = "prodigy"  # {"partial": bool, "rejected": [{"start", "end", "label"}], "answers": {...}}
# Keys Prodigy puts on a task that describe one answer, not the document.
_TASK_KEYS = (ANSWER, "_task_hash", "_view_id", "_session_id", "_timestamp", "_annotator_id")
# Keys Prodigy puts on a span that are not span attributes of the scheme.
_SPAN_KEYS = (ANSWER, "rank", "score", "source", "input_hash", "pattern")
_OURS = ("annotator", "status")  # what `annotation_record` adds to every exported line
_BINARY_VIEWS = ("ner", "spans")  # views where the annotator answers one suggestion
_MANUAL_VIEWS = ("ner_manual", "spans_manual")


def is_answer(meta: dict[str, Any]) -> bool:
    """Is this record a Prodigy answer (not a line our own export wrote)?"""
    return ANSWER in meta and not all(k in meta for k in _OURS)


def exported_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """Document keys as an export writes them: never a Prodigy `answer` (a stale one
    would make `import --as-gold` take our own gold for a rejected answer)."""
    return {k: v for k, v in meta.items() if k != ANSWER} if ANSWER in meta else dict(meta)


def is_gold(doc: NewDocument) -> bool:
    """May this document become gold: not a merged Prodigy document without an accept."""
    info = doc.meta.get(META_KEY)
    return not isinstance(info, dict) or info.get("answers", {}).get(ACCEPT, 0) > 0


def merged(docs: Iterable[NewDocument]) -> Iterator[NewDocument]:
    """The documents of one file with Prodigy answers merged per input, in first-seen
    order; other records pass through (our own lines without a stale `answer`)."""
    groups: dict[Any, list[NewDocument]] = {}
    order: list[Any] = []
    for doc in docs:
        if ANSWER not in doc.meta:  # the common line, first: no answer to merge
            yield doc
            continue
        if not is_answer(doc.meta):
            if ANSWER in doc.meta:
                doc = NewDocument(doc.text, exported_meta(doc.meta), doc.source, doc.spans)
            yield doc
            continue
        key = doc.meta.get("_input_hash", doc.text)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(doc)
    for key in order:
        yield _merge(groups[key])


def _merge(answers: list[NewDocument]) -> NewDocument:
    first = answers[0]
    decided: dict[tuple[int, int, str], tuple[str, Span]] = {}  # later answers win
    counts = {ACCEPT: 0, REJECT: 0, IGNORE: 0}
    complete = False
    for doc in answers:
        answer = doc.meta.get(ANSWER)
        if answer not in counts:
            raise InputError(doc.source, None, f"unknown Prodigy answer {answer!r}")
        counts[answer] += 1
        if answer == IGNORE:
            continue
        binary = _binary(doc)
        if answer == ACCEPT and not binary:
            complete = True
        for span in doc.spans:
            verdict = span.attrs.get(ANSWER) or answer
            if verdict == IGNORE or (verdict == REJECT and not binary and answer == REJECT):
                continue  # a rejected manual task: the example, not its spans, was refused
            clean = span.with_(attrs={k: v for k, v in span.attrs.items() if _attr(k, v)})
            decided[(span.start, span.end, span.label)] = (verdict, clean)
    spans = tuple(s for v, s in decided.values() if v == ACCEPT)
    rejected = [
        {"start": s.start, "end": s.end, "label": s.label}
        for v, s in decided.values()
        if v == REJECT
    ]
    meta = {k: v for k, v in first.meta.items() if k not in _TASK_KEYS}
    meta[META_KEY] = {"partial": not complete, "rejected": rejected, "answers": counts}
    ordered = tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label)))
    return NewDocument(first.text, meta, first.source, ordered)


def _attr(key: str, value: Any) -> bool:
    """Is this a span attribute of the scheme? Prodigy's `source` is the suggesting
    model's name (a string); a `source` object is a link set from the record's relations."""
    return key not in _SPAN_KEYS or (key == "source" and isinstance(value, dict))


def _binary(doc: NewDocument) -> bool:
    """Was this task one suggestion to accept or reject (ner.teach), not a full labelling?"""
    view = doc.meta.get("_view_id")
    if view in _MANUAL_VIEWS:
        return False
    return view in _BINARY_VIEWS or any(ANSWER in s.attrs for s in doc.spans)


def refuse_spanless(path: Path | str, docs: list[NewDocument]) -> None:
    """Refuse a file of Prodigy answers with no span at all as NER gold (text
    classification or choice answers would become documents with no entities)."""
    if docs and not any(d.spans for d in docs) and any(META_KEY in d.meta for d in docs):
        raise InputError(
            path,
            None,
            "Prodigy answers without a single span (text classification?): not NER gold",
        )
