"""Import files and folders into the store, and find the seed articles."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from ..interchange.readers import InputError, find_inputs, iter_file
from ..store import Store
from . import Report, no_progress

SEEDS_DIR_NAME = "seeds"


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
