"""Import files and folders into the store (as documents, or as one annotator's
submitted gold), and find the seed articles."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from ..interchange.prodigy import refuse_spanless
from ..interchange.readers import (
    JSONL_SUFFIXES,
    TEXT_SUFFIXES,
    InputError,
    find_inputs,
    iter_file,
    local_copy,
)
from ..interchange.validate import Labels
from ..model import CASUALTY_LABELS, SOURCE_RELATION, NewDocument, Span
from ..store import ImportResult, Store
from . import Report, no_progress

SEEDS_DIR_NAME = "seeds"
# Keys an export adds: regenerated on every export, so not kept as meta on import.
PROVENANCE_KEYS = ("hash", "annotator", "status", "timestamp")
NOT_GOLD_ANSWERS = ("reject", "ignore")  # Prodigy answers that are not gold
EXAMPLES = 3  # span texts quoted in a file's line about casualty spans with no value
# The largest JSONL file read inside the write lock (some 200,000 short documents: about
# a second of lock); a larger one is read into the store's spool first.
LOCKED_READ_MAX_BYTES = 16 << 20


@dataclass(frozen=True)
class NoValue:
    """A file's casualty spans with neither value nor qualifier (the normaliser could
    not read their words, or the tool that wrote them gave none): they need a value."""

    path: str
    count: int
    examples: tuple[str, ...]

    def __str__(self) -> str:
        quoted = ", ".join(repr(t) for t in self.examples)
        more = ", ..." if self.count > len(self.examples) else ""
        return (
            f"{self.path}: {self.count} casualty span(s) with no value or qualifier"
            f" (the words were not read as a count): {quoted}{more}"
        )


@dataclass
class Notices:
    """What an import read but did not take as it was, one line per file."""

    dropped: list[str] = field(default_factory=list)  # brat lines the scheme does not hold
    no_value: list[NoValue] = field(default_factory=list)
    unpaired: list[str] = field(default_factory=list)  # gold .txt files without a .ann

    def lines(self) -> list[str]:
        return [*self.unpaired, *self.dropped, *(str(n) for n in self.no_value)]


@dataclass
class ImportReport:
    files: int = 0
    added: int = 0
    duplicates: int = 0
    problems: list[InputError] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)
    notices: Notices = field(default_factory=Notices)


def is_brat_pair(path: Path) -> bool:
    return path.suffix.lower() in TEXT_SUFFIXES and path.with_suffix(".ann").is_file()


@dataclass(frozen=True)
class ReadOptions:
    """How an import reads its files: the same for every file of one import."""

    skip_invalid: bool = False
    labels: Labels = None
    relation_labels: Sequence[str] = (SOURCE_RELATION,)
    casualty_labels: Collection[str] = CASUALTY_LABELS


def read_documents(
    path: Path,
    notices: Notices,
    options: ReadOptions = ReadOptions(),
    *,
    problems: list[InputError] | None = None,
    report: Report = no_progress,
    stream: IO[bytes] | None = None,
) -> Iterator[NewDocument]:
    """The documents of one file; what it holds that is not imported as it is goes to
    `notices` (brat lines dropped; casualty spans with no value, once the file is read).
    A JSONL file's lines may come from `stream`, its local copy."""
    labels = options.labels
    if is_brat_pair(path):
        from ..interchange.brat import read_brat_pair

        read = read_brat_pair(path, labels, options.relation_labels)
        report(path.stat().st_size)
        if read.dropped:
            notices.dropped.append(f"{path}: not imported from the .ann: {read.dropped_summary()}")
        documents: Iterator[NewDocument] = iter([read.document])
    else:
        documents = iter_file(
            path,
            skip_invalid=options.skip_invalid,
            problems=problems,
            on_bytes=report,
            labels=labels,
            stream=stream,
        )
    return _watched(documents, path, options.casualty_labels, notices.no_value.append)


def needs_value(span: Span, casualty_labels: Collection[str] = CASUALTY_LABELS) -> bool:
    """A casualty span (of the configured labels) whose count nobody could read."""
    return span.label in casualty_labels and span.needs_value


def _watched(
    documents: Iterator[NewDocument],
    path: Path,
    casualty_labels: Collection[str],
    note: Callable[[NoValue], None],
) -> Iterator[NewDocument]:
    """`documents` as they are; at the end, a note of the casualty spans with no value."""
    count, examples = 0, list[str]()
    for doc in documents:
        for s in doc.spans:
            if needs_value(s, casualty_labels):
                count += 1
                if len(examples) < EXAMPLES:
                    examples.append(s.text_in(doc.text))
        yield doc
    if count:
        note(NoValue(path.as_posix(), count, tuple(examples)))


def import_paths(
    store: Store,
    paths: list[Path],
    *,
    skip_invalid: bool = False,
    annotator: str = "",
    report: Report = no_progress,
    keep_going: bool = False,
    labels: Collection[str] | None = None,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
    casualty_labels: Collection[str] = CASUALTY_LABELS,
) -> ImportReport:
    """Import files and folders, each file whole or not at all.

    A bad file raises InputError (nothing of it written), unless `keep_going`, which
    records it in `failed` and goes on with the next file. Spans must use `labels`
    (None: any well-formed label, as `import --add-labels`). What is read but not
    taken as it is (brat lines, casualty spans with no value) is in `notices`.
    `report` may be called from the thread that reads a JSONL file (see _add_file).
    """
    result = ImportReport()
    options = ReadOptions(skip_invalid, labels, relation_labels, casualty_labels)
    for path in find_inputs(paths):
        problems: list[InputError] = []
        notices = Notices()
        try:
            added = _add_file(store, path, notices, options, problems, report, annotator)
        except InputError as e:
            if not keep_going:
                raise
            result.failed.append(e)
            continue
        result.files += 1
        result.added += added.added
        result.duplicates += added.duplicates
        result.problems.extend(problems)
        _merge(result.notices, notices)
    return result


def _add_file(
    store: Store,
    path: Path,
    notices: Notices,
    options: ReadOptions,
    problems: list[InputError],
    report: Report,
    annotator: str,
) -> ImportResult:
    """One file into the store. A JSONL file is first copied whole (the first half of
    its progress), then read from the copy (the second half); up to
    LOCKED_READ_MAX_BYTES the store reads it inside its write lock, on a second thread,
    while it writes. Other files, and larger copies, go through the store's spool,
    which holds the lock only to copy what was read."""
    label = path.as_posix()
    if path.suffix.lower() not in JSONL_SUFFIXES:
        documents = read_documents(path, notices, options, problems=problems, report=report)
        return store.add_documents(documents, annotator=annotator, label=label)
    copied, parsed = _halves(report)
    with local_copy(path, copied) as stream:
        small = stream.seek(0, os.SEEK_END) <= LOCKED_READ_MAX_BYTES
        stream.seek(0)
        documents = read_documents(
            path, notices, options, problems=problems, report=parsed, stream=stream
        )
        return store.add_documents(documents, annotator=annotator, label=label, spool=not small)


def _halves(report: Report) -> tuple[Report, Report]:
    """Two reports that together advance `report` by what each is told, halved: the
    first rounds down, the second up, so a file told twice advances by its size."""
    told = [0, 0]

    def half(which: int, up: int) -> Report:
        def advance(n: int) -> None:
            before = told[which]
            told[which] = before + n
            report((before + n + up) // 2 - (before + up) // 2)

        return advance

    return half(0, 0), half(1, 1)


def _merge(into: Notices, notices: Notices) -> None:
    into.dropped.extend(notices.dropped)
    into.no_value.extend(notices.no_value)
    into.unpaired.extend(notices.unpaired)


def find_seeds_dir() -> Path | None:
    """`seeds/` in the working folder, else beside the package (a source checkout).

    Relative when it is in the working folder, so documents record "seeds/NAME.txt".
    """
    for candidate in (Path(SEEDS_DIR_NAME), Path(__file__).parents[2] / SEEDS_DIR_NAME):
        if candidate.is_dir():
            return candidate
    return None


def _gold_only(documents: Iterator[NewDocument], result: GoldImport) -> Iterator[NewDocument]:
    from ..interchange.prodigy import is_gold

    for doc in documents:
        if not is_gold(doc) or doc.meta.get("answer") in NOT_GOLD_ANSWERS:
            result.not_gold += 1
            continue
        meta = {k: v for k, v in doc.meta.items() if k not in PROVENANCE_KEYS}
        yield NewDocument(doc.text, meta, doc.source, doc.spans)


@dataclass
class GoldImport:
    files: int = 0
    documents_added: int = 0
    annotations_added: int = 0
    kept: int = 0  # documents this annotator had already annotated: left as they were
    not_gold: int = 0  # Prodigy records answered reject/ignore
    problems: list[InputError] = field(default_factory=list)
    notices: Notices = field(default_factory=Notices)


def import_gold(
    store: Store,
    paths: list[Path],
    annotator: str,
    *,
    skip_invalid: bool = False,
    report: Report = no_progress,
    labels: Labels = None,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
    casualty_labels: Collection[str] = CASUALTY_LABELS,
) -> GoldImport:
    """Store labelled files (interchange, Prodigy or doccano JSONL, brat folders) as
    `annotator`'s submitted gold; each file is read whole before anything is written.
    Spans must use `labels` (None: any well-formed label). A `.txt` without a `.ann`
    beside it holds no gold: it is listed in `notices`, not imported."""
    if not annotator:
        raise InputError("--annotator", None, "gold needs an annotator name")
    result = GoldImport()
    options = ReadOptions(skip_invalid, labels, relation_labels, casualty_labels)
    for path in find_inputs(paths):
        problems: list[InputError] = []
        notices = Notices()
        if path.suffix.lower() in TEXT_SUFFIXES and not is_brat_pair(path):
            result.notices.unpaired.append(
                f"{path}: no {path.with_suffix('.ann').name} beside it: no gold, not imported"
            )
            report(path.stat().st_size)
            continue
        documents = read_documents(path, notices, options, problems=problems, report=report)
        # save_gold writes in one transaction: a bad line rolls the whole file back.
        read = list(documents)  # save_gold reads whole too; the check needs the file
        refuse_spanless(path, read)
        saved = store.save_gold(_gold_only(iter(read), result), annotator, label=path.as_posix())
        result.files += 1
        result.documents_added += saved.documents_added
        result.annotations_added += saved.annotations_added
        result.kept += saved.kept
        result.problems.extend(problems)
        _merge(result.notices, notices)
    return result
