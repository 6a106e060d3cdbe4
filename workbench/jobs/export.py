"""Moving gold out of the store: `export` and the safety of its target.

`export` picks annotations with a `Selection` (export_selection.py), writes them in
one of `FORMATS` with the format writers (export_writers.py), calls `report(n)` as
documents are written and returns an `ExportReport` naming every span a format could
not hold. What it may overwrite is decided here: an existing target only with
`force`, a folder only when it holds nothing but what this export writes, the
database's own files never; and it writes beside the target and renames when done.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from ..interchange.output import TargetError, atomic_file, atomic_folder, check_target
from ..interchange.readers import InputError
from ..model import CASUALTY_LABELS, SOURCE_RELATION
from ..store import Store
from . import FORMATS, Report, no_progress
from .export_selection import (
    Selection,
    count_selected,
    dev_count,
    dev_hashes,
    in_dev,
    selected,
    selected_json,
    split_rank,
)
from .export_writers import (
    FOLDER_WRITERS,
    LINE_WRITERS,
    Dropped,
    ExportReport,
    GoldPairs,
    Progress,
    jsonl_fast,
)

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
__all__ = [  # callers import the selection and the report from here too
    "FORMATS",
    "Dropped",
    "ExportReport",
    "Selection",
    "TargetError",
    "count_selected",
    "dev_count",
    "dev_hashes",
    "export",
    "in_dev",
    "selected",
    "split_rank",
]


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
        writer = FOLDER_WRITERS[fmt]
        pairs = GoldPairs(_counted(selected_json(store, selection), result), result)
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
    line = LINE_WRITERS[fmt]
    if fmt == "jsonl" and not tokens:  # the fast read: spans serialised by SQLite
        annotations = _counted(selected_json(store, selection), result)
        line = jsonl_fast
    with (
        atomic_file(out)
        if out is not None
        else contextlib.nullcontext(stdout or sys.stdout.buffer) as sink
    ):
        write, done = sink.write, Progress(report)
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
            done()
        done.close()
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
