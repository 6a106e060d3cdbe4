"""Moving gold in and out of the store: what to export, writing each format, gold import.

`export` picks annotations with a `Selection`, writes them in one of `FORMATS`, calls
`report(n)` as documents are written and returns an `ExportReport` naming every span
a format could not hold. spaCy is imported only for the formats that tokenize.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path
from typing import IO, Any

import orjson

from ..interchange.output import TargetError, atomic_file, atomic_folder, check_target
from ..interchange.readers import InputError
from ..model import (
    CASUALTY_LABELS,
    FLAGGED,
    REVIEWED,
    SKIPPED,
    SOURCE_RELATION,
    SUBMITTED,
    Annotation,
    Span,
    link_key,
)
from ..store import Store
from . import FORMATS, Report, no_progress

REPORT_EVERY = 500
FOLDER_FORMATS = ("spacy", "brat")
_SHARD = re.compile(r"(train|dev)(/[0-9]{4}\.spacy)?")
# What each export writes, by path inside its folder: a --force export replaces a
# folder only when it holds nothing else.
_WRITES: dict[str, Callable[[Path], bool]] = {
    "spacy": lambda p: _SHARD.fullmatch(p.as_posix()) is not None,
    "brat": lambda p: (
        len(p.parts) == 1 and (p.suffix in (".txt", ".ann") or p.name == "annotation.conf")
    ),
    **dict.fromkeys(("jsonl", "conll", "doccano", "claims"), lambda _: False),
}
__all__ = ["FORMATS", "ExportReport", "Selection", "TargetError", "export"]


@dataclass(frozen=True)
class Selection:
    """Which annotations to export.

    gold: "submitted" (every annotator's submitted work), "reviewed" (reviewed gold),
    "all" (both), or "best" (one per document: the reviewed annotation if there is
    one, else the latest submitted). `annotator` narrows to one person's work.
    """

    gold: str = "submitted"
    annotator: str | None = None
    include_flagged: bool = False
    include_skipped: bool = False
    statuses: tuple[str, ...] = ()  # explicit statuses override `gold` and the flags

    def wanted(self) -> tuple[str, ...]:
        if self.statuses:
            return self.statuses
        base = {
            "submitted": (SUBMITTED,),
            "reviewed": (REVIEWED,),
            "all": (SUBMITTED, REVIEWED),
            "best": (REVIEWED, SUBMITTED),
        }[self.gold]
        return (
            base
            + ((FLAGGED,) if self.include_flagged else ())
            + ((SKIPPED,) if self.include_skipped else ())
        )


_RANK = {REVIEWED: 0, SUBMITTED: 1, FLAGGED: 2, SKIPPED: 3}


def count_selected(store: Store, selection: Selection) -> int:
    """How many annotations (documents, for "best") `selected` yields, near enough for a bar."""
    return store.count_annotations(annotator=selection.annotator, statuses=selection.wanted())


def selected(store: Store, selection: Selection) -> Iterator[Annotation]:
    """The chosen annotations in document order."""
    rows = store.annotations_in_bulk(annotator=selection.annotator, statuses=selection.wanted())
    if selection.gold != "best" or selection.statuses:
        yield from rows
        return
    for _, group in groupby(rows, key=lambda a: a.document.id):
        yield min(group, key=lambda a: (_RANK.get(a.status, 9), _neg(a.updated_at)))


def _selected_json(store: Store, selection: Selection) -> Iterator[tuple[Annotation, int, str]]:
    """`selected`, with each annotation's gold spans as interchange JSON (jsonl's read)."""
    rows = store.gold_json_in_bulk(annotator=selection.annotator, statuses=selection.wanted())
    if selection.gold != "best" or selection.statuses:
        yield from rows
        return
    for _, group in groupby(rows, key=lambda r: r[0].document.id):
        yield min(group, key=lambda r: (_RANK.get(r[0].status, 9), _neg(r[0].updated_at)))


def _neg(timestamp: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in timestamp)  # latest first under min()


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


def in_dev(doc_hash: str, seed: int, fraction: float) -> bool:
    """A stable train/dev draw by document text, one at a time (what `train` uses);
    the export splits with `dev_hashes`, which also gets the counts right."""
    if fraction <= 0:
        return False
    return int.from_bytes(split_rank(doc_hash, seed)[:8], "big") / 2**64 < fraction


def dev_count(n: int, fraction: float) -> int:
    """How many of `n` documents go to dev: the nearest count, and with two or more
    documents and a fraction above 0, never an empty side."""
    if fraction <= 0 or n < 2:
        return 0
    return min(n - 1, max(1, math.floor(n * fraction + 0.5)))


def split_rank(doc_hash: str, seed: int) -> bytes:
    """A document's place in the seeded shuffle (by text: one text is on one side)."""
    return hashlib.sha1(f"{seed}:{doc_hash}".encode()).digest()


def dev_hashes(hashes: Iterable[str], seed: int, fraction: float) -> set[str]:
    """The texts of the dev side: the first `dev_count` of a seeded shuffle."""
    unique = sorted(set(hashes), key=lambda h: split_rank(h, seed))
    return set(unique[: dev_count(len(unique), fraction)])


def export(
    store: Store,
    selection: Selection,
    fmt: str,
    out: Path | None,
    *,
    tokens: bool = False,
    dev_fraction: float = 0.0,
    seed: int = 0,
    casualty_labels: Sequence[str] = CASUALTY_LABELS,
    shard_size: int = 10_000,
    report: Report = no_progress,
    stdout: IO[bytes] | None = None,
    force: bool = False,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
    doccano_relations: bool = False,
    claims_jsonl: bool = False,
) -> ExportReport:
    """Write the selected annotations as `fmt` to `out` (a file, or a folder for spacy
    and brat; None: standard output for the line formats).

    An existing `out` is refused unless `force`; the database's own files always
    (`TargetError`, an InputError). The export is written beside `out` and renamed
    over it when complete, so a failure leaves the previous file as it was.
    `relation_labels`: the links to write as relations; `doccano_relations`: doccano's
    relation form (entities with ids, relations) instead of its label form;
    `claims_jsonl`: the claims table as JSON lines instead of CSV.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    folder = fmt in FOLDER_FORMATS
    if out is None and folder:
        raise InputError("--out", None, f"the {fmt} format writes a folder: give --out DIR")
    if out is not None:
        check_target(out, store.path, force=force, folder=folder, ours=_WRITES[fmt])
    result = ExportReport()
    annotations = _counted(selected(store, selection), result)
    if folder:
        assert out is not None
        dev: set[str] = set()
        if fmt == "spacy" and dev_fraction > 0:
            # Every document of the selection ("best" keeps one annotation of each).
            hashes = store.document_hashes(
                annotator=selection.annotator, statuses=selection.wanted()
            )
            dev = dev_hashes(hashes, seed, dev_fraction)
        writer = _spacy if fmt == "spacy" else _brat
        pairs = _gold_pairs(_counted(_selected_json(store, selection), result), result)
        with atomic_folder(out) as stage:
            writer(
                pairs,
                stage,
                result,
                report,
                dev=dev,
                casualty_labels=casualty_labels,
                shard_size=shard_size,
                relation_labels=relation_labels,
            )
        result.files = [out / f.relative_to(stage) for f in result.files]
        return result
    writers: dict[str, Callable[..., bytes]] = {
        "jsonl": _jsonl_line,
        "doccano": _doccano_line,
        "conll": _conll_lines,
        "claims": _claims_lines,
    }
    line = writers[fmt]
    if fmt == "jsonl" and not tokens:  # the fast read: spans serialised by SQLite
        annotations = _counted(_selected_json(store, selection), result)
        line = _jsonl_fast
    with (
        atomic_file(out)
        if out is not None
        else contextlib.nullcontext(stdout or sys.stdout.buffer) as sink
    ):
        write, pending = sink.write, 0
        if fmt == "claims" and not claims_jsonl:
            from ..interchange.claims import csv_header

            write(csv_header())
        for annotation in annotations:
            write(
                line(
                    annotation,
                    result,
                    tokens=tokens,
                    casualty_labels=casualty_labels,
                    relation_labels=relation_labels,
                    doccano_relations=doccano_relations,
                    claims_jsonl=claims_jsonl,
                )
            )
            pending += 1
            if pending == REPORT_EVERY:
                report(pending)
                pending = 0
        report(pending)
        sink.flush()
    if out is not None:
        result.files.append(out)
    return result


def _counted(annotations: Iterator[Any], result: ExportReport) -> Iterator[Any]:
    """The annotations (or jsonl's rows), counting documents that come with more than
    one (in document order)."""
    last, repeated = None, False
    for a in annotations:
        doc_id = (a[0] if type(a) is tuple else a).document.id
        if doc_id == last:
            if not repeated:
                result.conflicts += 1
                repeated = True
        else:
            last, repeated = doc_id, False
        yield a


def _count(annotation: Annotation, result: ExportReport) -> list[Span]:
    spans = annotation.gold_spans()
    result.documents += 1
    result.spans += len(spans)
    return spans


def _note_dropped(annotation: Annotation, built: Any, result: ExportReport) -> None:
    text = annotation.document.text
    result.split_tokens += built.split_tokens
    result.spans -= len(built.dropped)  # the summary counts what was written
    result.dropped.extend(
        Dropped(annotation.document.id, annotation.annotator, s, why, s.text_in(text))
        for s, why in built.dropped
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


def _jsonl_fast(
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
    spans = []
    for d in orjson.loads(spans_json):
        start, end, label = d.pop("start"), d.pop("end"), d.pop("label")
        spans.append(Span(start, end, label, d))
    return spans


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
    _note_dropped(annotation, built, result)
    return "".join(line + "\n" for line in conll_lines(built.doc)).encode("utf-8")


def _gold_pairs(
    rows: Iterator[tuple[Annotation, int, str]], result: ExportReport
) -> Iterator[tuple[Annotation, list[Span]]]:
    """Each annotation with its gold spans, decoded from the fast read's JSON (the
    folder formats need Span objects, not the annotation's whole span history)."""
    for annotation, _, spans_json in rows:
        spans = _decoded(spans_json)
        result.documents += 1
        # Not the store's count: it counts '{"start":', which a link's object also holds.
        result.spans += len(spans)
        yield annotation, spans


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
    from ..interchange.spacy_docbin import ShardWriter, blank, build_doc

    nlp = blank()
    train = ShardWriter(out / "train", nlp.vocab, shard_size)
    dev_writer = ShardWriter(out / "dev", nlp.vocab, shard_size)
    pending = 0
    for annotation, spans in annotations:
        built = build_doc(
            annotation.document.text,
            spans,
            casualty_labels=casualty_labels,
            nlp=nlp,
            relation_labels=relation_labels,
        )
        _note_dropped(annotation, built, result)
        (dev_writer if annotation.document.hash in dev else train).add(built)
        pending += 1
        if pending == REPORT_EVERY:
            report(pending)
            pending = 0
    report(pending)
    result.files += train.close() + dev_writer.close()
    result.train, result.dev = train.documents, dev_writer.documents


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
