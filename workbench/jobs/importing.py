"""Import files and folders into the store (as documents, or as one annotator's
submitted gold), and find the seed articles."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..interchange.prodigy import refuse_spanless
from ..interchange.readers import InputError, find_inputs, iter_file
from ..interchange.validate import Labels
from ..model import NewDocument
from ..store import Store
from . import Report, no_progress

SEEDS_DIR_NAME = "seeds"
# Keys an export adds: regenerated on every export, so not kept as meta on import.
PROVENANCE_KEYS = ("hash", "annotator", "status", "timestamp")
NOT_GOLD_ANSWERS = ("reject", "ignore")  # Prodigy answers that are not gold


@dataclass
class ImportReport:
    files: int = 0
    added: int = 0
    duplicates: int = 0
    problems: list[InputError] = field(default_factory=list)
    failed: list[InputError] = field(default_factory=list)


def import_paths(
    store: Store,
    paths: list[Path],
    *,
    skip_invalid: bool = False,
    annotator: str = "",
    report: Report = no_progress,
    keep_going: bool = False,
    labels: Collection[str] | None = None,
) -> ImportReport:
    """Import files and folders, each file whole or not at all.

    A bad file raises InputError (nothing of it written), unless `keep_going`, which
    records it in `failed` and goes on with the next file. Spans must use `labels`
    (None: any well-formed label, as `import --add-labels`).
    """
    result = ImportReport()
    for path in find_inputs(paths):
        problems: list[InputError] = []
        documents = iter_file(
            path, skip_invalid=skip_invalid, problems=problems, on_bytes=report, labels=labels
        )
        try:
            added = store.add_documents(documents, annotator=annotator, label=path.as_posix())
        except InputError as e:
            if not keep_going:
                raise
            result.failed.append(e)
            continue
        result.files += 1
        result.added += added.added
        result.duplicates += added.duplicates
        result.problems.extend(problems)
    return result


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


def import_gold(
    store: Store,
    paths: list[Path],
    annotator: str,
    *,
    skip_invalid: bool = False,
    report: Report = no_progress,
    labels: Labels = None,
) -> GoldImport:
    """Store labelled files (interchange, Prodigy or doccano JSONL, brat folders) as
    `annotator`'s submitted gold; each file is read whole before anything is written.
    Spans must use `labels` (None: any well-formed label)."""
    if not annotator:
        raise InputError("--annotator", None, "gold needs an annotator name")
    result = GoldImport()
    for path in find_inputs(paths):
        problems: list[InputError] = []
        documents = iter_file(
            path, skip_invalid=skip_invalid, problems=problems, on_bytes=report, labels=labels
        )
        # save_gold writes in one transaction: a bad line rolls the whole file back.
        read = list(documents)  # save_gold reads whole too; the check needs the file
        refuse_spanless(path, read)
        saved = store.save_gold(_gold_only(iter(read), result), annotator, label=path.as_posix())
        result.files += 1
        result.documents_added += saved.documents_added
        result.annotations_added += saved.annotations_added
        result.kept += saved.kept
        result.problems.extend(problems)
    return result
