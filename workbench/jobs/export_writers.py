"""The export's format writers: one function per line format (a document's bytes,
`LINE_WRITERS`) and one per folder format (`FOLDER_WRITERS`), each counting what it
wrote and every span its format could not hold in the `ExportReport`.

spaCy is imported only by the writers of the formats that tokenize.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from ..model import SOURCE_RELATION, Annotation, Span, link_key
from . import Report

REPORT_EVERY = 500


class Progress:
    """Each document written told to `report`, REPORT_EVERY at a time, not one by one;
    `close` tells the rest."""

    __slots__ = ("report", "pending")

    def __init__(self, report: Report) -> None:
        self.report, self.pending = report, 0

    def __call__(self) -> None:
        self.pending += 1
        if self.pending == REPORT_EVERY:
            self.report(self.pending)
            self.pending = 0

    def close(self) -> None:
        self.report(self.pending)
        self.pending = 0


@dataclass(frozen=True)
class Dropped:
    """A span a format could not hold, and where it was."""

    doc_id: int
    annotator: str
    span: Span
    reason: str
    text: str

    def __str__(self) -> str:
        s = self.span
        return (
            f"document {self.doc_id} ({self.annotator}): {s.label} [{s.start}, {s.end})"
            f" {self.text!r} {self.reason}"
        )


@dataclass
class ExportReport:
    documents: int = 0
    spans: int = 0
    train: int = 0
    dev: int = 0
    split_tokens: int = 0
    conflicts: int = 0  # documents exported with more than one annotation
    thinned: int = 0  # doccano: spans a project without overlaps would not keep
    claims: int = 0  # claims: the rows written (one per casualty span)
    dropped: list[Dropped] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


def _count(annotation: Annotation, result: ExportReport) -> list[Span]:
    spans = annotation.gold_spans()
    result.documents += 1
    result.spans += len(spans)
    return spans


def _note_dropped(
    annotation: Annotation, dropped: list[tuple[Span, str]], split_tokens: int, result: ExportReport
) -> None:
    text = annotation.document.text
    result.split_tokens += split_tokens
    result.spans -= len(dropped)  # the summary counts what was written
    result.dropped.extend(
        Dropped(annotation.document.id, annotation.annotator, s, why, s.text_in(text))
        for s, why in dropped
    )


def _jsonl_line(
    annotation: Annotation,
    result: ExportReport,
    *,
    tokens: bool,
    relation_labels: Sequence[str],
    **_: Any,
) -> bytes:
    from ..interchange.jsonl import annotation_record, with_tokens

    spans = _count(annotation, result)
    rec = annotation_record(annotation, relation_labels=relation_labels)
    if tokens:
        from ..interchange.spacy_docbin import build_doc

        built = build_doc(annotation.document.text, spans, all_in_ents=True)
        result.split_tokens += built.split_tokens
        toks = [(t.text, t.idx, t.idx + len(t.text), bool(t.whitespace_)) for t in built.doc]
        with_tokens(rec, toks, built.token_spans)
    return orjson.dumps(rec) + b"\n"


def jsonl_fast(
    row: tuple[Annotation, int, str],
    result: ExportReport,
    *,
    relation_labels: Sequence[str],
    **_: Any,
) -> bytes:
    from ..interchange.jsonl import annotation_record

    annotation, n_spans, spans_json = row
    result.documents += 1
    if _may_link(spans_json, relation_labels):  # the links become relations: decode
        spans = _decoded(spans_json)
        result.spans += len(spans)
        rec = annotation_record(annotation, spans=spans, relation_labels=relation_labels)
        return orjson.dumps(rec) + b"\n"
    result.spans += n_spans
    return orjson.dumps(annotation_record(annotation, spans_json)) + b"\n"


def _may_link(spans_json: str, relation_labels: Sequence[str]) -> bool:
    """Might a span of this JSON hold a link (an attribute named for a relation)?"""
    return any(f'"{link_key(label)}"' in spans_json for label in relation_labels)


def _decoded(spans_json: str) -> list[Span]:
    """Spans from the store's interchange JSON (`gold_json_in_bulk`)."""
    # Arguments are taken left to right: the bounds and label are out of `d` when it is
    # passed as the attributes.
    return [Span(d.pop("start"), d.pop("end"), d.pop("label"), d) for d in orjson.loads(spans_json)]


def _doccano_line(
    annotation: Annotation,
    result: ExportReport,
    *,
    relation_labels: Sequence[str],
    doccano_relations: bool,
    **_: Any,
) -> bytes:
    from ..interchange.doccano import doccano_record, thinned

    result.thinned += thinned(_count(annotation, result))
    rec = doccano_record(
        annotation, relation_form=doccano_relations, relation_labels=relation_labels
    )
    return orjson.dumps(rec) + b"\n"


def _claims_lines(
    annotation: Annotation,
    result: ExportReport,
    *,
    casualty_labels: Sequence[str],
    claims_jsonl: bool,
    **_: Any,
) -> bytes:
    from ..interchange.claims import claims, csv_lines, json_lines

    _count(annotation, result)
    rows = claims(annotation, casualty_labels=casualty_labels)
    result.claims += len(rows)
    return b"".join(json_lines(rows)) if claims_jsonl else csv_lines(rows)


def _conll_lines(
    annotation: Annotation, result: ExportReport, *, casualty_labels: Sequence[str], **_: Any
) -> bytes:
    from ..interchange.conll import conll_lines, unwritable
    from ..interchange.spacy_docbin import build_doc

    spans = _count(annotation, result)
    built = build_doc(
        annotation.document.text, spans, casualty_labels=casualty_labels, all_in_ents=True
    )
    built.dropped.extend(unwritable(built.doc, built.ents, built.token_spans))
    _note_dropped(annotation, built.dropped, built.split_tokens, result)
    return "".join(line + "\n" for line in conll_lines(built.doc)).encode("utf-8")


class GoldPairs(Iterator[tuple[Annotation, list[Span]]]):
    """Each annotation with its gold spans, decoded from the fast read's JSON as it is
    taken (the folder formats need Span objects, not the annotation's whole span
    history); or, through `undecoded`, with the JSON itself (the spacy export decodes
    it in its second process). Either way counting the documents in `result`."""

    def __init__(self, rows: Iterator[tuple[Annotation, int, str]], result: ExportReport) -> None:
        self.rows, self.result = rows, result

    def __next__(self) -> tuple[Annotation, list[Span]]:
        annotation, _, spans_json = next(self.rows)
        spans = _decoded(spans_json)
        self.result.documents += 1
        # Not the store's count: it counts '{"start":', which a link's object also holds.
        self.result.spans += len(spans)
        return annotation, spans

    def undecoded(self) -> Iterator[tuple[Annotation, str]]:
        """The rows' annotations and span JSON; the caller counts the spans."""
        for annotation, _, spans_json in self.rows:
            self.result.documents += 1
            yield annotation, spans_json


def _spacy(
    annotations: Iterator[tuple[Annotation, list[Span]]],
    out: Path,
    result: ExportReport,
    report: Report,
    *,
    dev: set[str],
    casualty_labels: Sequence[str],
    shard_size: int,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
    **_: Any,
) -> None:
    from ..interchange.spacy_docbin import ShardWriter, blank

    nlp = blank()
    train = ShardWriter(out / "train", nlp.vocab, shard_size)
    dev_writer = ShardWriter(out / "dev", nlp.vocab, shard_size)
    try:
        _spacy_docs(
            annotations,
            (train, dev_writer, dev),
            result,
            report,
            casualty_labels=casualty_labels,
            relation_labels=relation_labels,
        )
        train.flush()  # the last train and dev shards written at once
        dev_writer.flush()
        result.files += train.close() + dev_writer.close()
    finally:  # on an error too: no shard is still being written into the folder
        for writer in (train, dev_writer):
            with contextlib.suppress(Exception):
                writer.wait()
    result.train, result.dev = train.documents, dev_writer.documents


def _spacy_docs(
    annotations: Iterator[tuple[Annotation, list[Span]]],
    writers: tuple[Any, Any, set[str]],
    result: ExportReport,
    report: Report,
    *,
    casualty_labels: Sequence[str],
    relation_labels: Sequence[str],
) -> None:
    """Each document to the train or the dev writer (by its text's hash)."""
    from ..interchange.spacy_docbin import blank, build_doc
    from ..interchange.spacy_prepare import prepared

    train, dev_writer, dev = writers
    nlp, done = blank(), Progress(report)
    if train.fast and isinstance(annotations, GoldPairs):
        # Decoded, tokenized, built and packed a batch at a time, mostly in a second process.
        docs = prepared(
            annotations.undecoded(),
            lambda r: r[0].document.text,
            lambda r: r[1],
            _decoded,
            nlp,
            casualty_labels=casualty_labels,
            relation_labels=relation_labels,
        )
        with contextlib.closing(docs):  # on an error here too, the worker stops now
            for (annotation, _json), (array, packed, dropped, split, n) in docs:
                result.spans += n
                if dropped or split:
                    _note_dropped(annotation, dropped, split, result)
                side = dev_writer if annotation.document.hash in dev else train
                side.add_packed(array, packed)
                done()
    else:  # the public DocBin path needs each Doc
        for annotation, spans in annotations:
            built = build_doc(
                annotation.document.text,
                spans,
                casualty_labels=casualty_labels,
                nlp=nlp,
                relation_labels=relation_labels,
            )
            _note_dropped(annotation, built.dropped, built.split_tokens, result)
            (dev_writer if annotation.document.hash in dev else train).add(built)
            done()
    done.close()


def _brat(
    annotations: Iterator[tuple[Annotation, list[Span]]],
    out: Path,
    result: ExportReport,
    report: Report,
    *,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
    **_: Any,
) -> None:
    from ..interchange.brat_write import Conf, write_pair

    out.mkdir(parents=True, exist_ok=True)
    conf = Conf(relation_labels)  # annotation.conf declares what the pairs hold
    used: set[str] = set()
    for annotation, spans in annotations:
        conf.add(spans)
        name = f"{annotation.document.id:06d}"
        if name in used:  # the same document from a second annotator
            name += "-" + re.sub(r"[^A-Za-z0-9_.-]", "_", annotation.annotator)
        used.add(name)
        text = annotation.document.text
        result.files.append(write_pair(out, name, text, spans, relation_labels))
        report(1)
    (out / "annotation.conf").write_text(conf.text(), encoding="utf-8")


# What `export` writes each format with.
LINE_WRITERS: dict[str, Callable[..., bytes]] = {
    "jsonl": _jsonl_line,
    "doccano": _doccano_line,
    "conll": _conll_lines,
    "claims": _claims_lines,
}
FOLDER_WRITERS: dict[str, Callable[..., None]] = {"spacy": _spacy, "brat": _brat}
