"""Long-running jobs that join the readers, the store and the suggester.

Each takes a `report(advance)` callback so the CLI can draw a progress bar and
tests can run without one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from .evaluate import EvalReport, evaluate_documents
from .interchange.readers import InputError, find_inputs, iter_file
from .model import Span
from .store import Store

if TYPE_CHECKING:
    from .config import Config
    from .suggest import Suggester

Report = Callable[[int], None]

SEEDS_DIR_NAME = "seeds"


def _ignore(_: int) -> None:
    pass


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
    report: Report = _ignore,
    keep_going: bool = False,
) -> ImportReport:
    """Import files and folders, each file whole or not at all.

    A bad file raises InputError (nothing of it written), unless `keep_going`, which
    records it in `failed` and goes on with the next file.
    """
    result = ImportReport()
    for path in find_inputs(paths):
        problems: list[InputError] = []
        documents = iter_file(path, skip_invalid=skip_invalid, problems=problems, on_bytes=report)
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


def store_suggester(store: Store, config: Config, model: str | None = None) -> Suggester:
    """The configured suggester plus a gold ruler of what annotators confirmed in `store`."""
    from .suggest import suggester_for

    patterns = store.confirmed_entities(exclude_labels=config.casualty_labels)
    return suggester_for(config, model, patterns)


def fill_suggestions(
    store: Store,
    suggester: Suggester,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    report: Report = _ignore,
) -> int:
    """Suggest spans for every document lacking this model's suggestions; returns how many."""
    done = 0
    documents = store.documents_to_suggest(suggester.version)
    while batch := list(islice(documents, 512)):
        results = suggester.suggest(
            (d.text for d in batch), batch_size=batch_size, n_process=n_process
        )
        store.save_suggestions(zip((d.id for d in batch), results, strict=True), suggester.version)
        done += len(batch)
        report(len(batch))
    return done


def find_seeds_dir() -> Path | None:
    """`seeds/` in the working folder, else beside the package (a source checkout).

    Relative when it is in the working folder, so documents record "seeds/NAME.txt".
    """
    for candidate in (Path(SEEDS_DIR_NAME), Path(__file__).parents[1] / SEEDS_DIR_NAME):
        if candidate.is_dir():
            return candidate
    return None


GoldDoc = tuple[str, list[Span]]


def read_gold_file(path: Path) -> list[GoldDoc]:
    """(text, spans) per line of an interchange JSONL gold file."""
    return [(d.text, list(d.spans)) for d in iter_file(path)]


def evaluate_suggester(
    gold: list[GoldDoc], suggester: Suggester, *, report: Report = _ignore
) -> EvalReport:
    """Score the suggester's spans against gold, on the labels the gold uses."""
    labels = {s.label for _, spans in gold for s in spans}
    predicted = []
    for spans in suggester.suggest(text for text, _ in gold):
        predicted.append([s for s in spans if s.label in labels])
        report(1)
    return evaluate_documents(gold, predicted)


def gold_ruler_folds(
    gold: list[GoldDoc], exclude_labels: Sequence[str]
) -> list[tuple[list[GoldDoc], list[tuple[str, str]]]]:
    """Two folds of the database's own gold: each half with patterns learnt from the other.

    Learning and scoring on the same documents would flatter the ruler.
    """
    halves = [gold[0::2], gold[1::2]]
    folds = []
    for i, half in enumerate(halves):
        other = halves[1 - i]
        counts: dict[str, Counter[str]] = {}
        for text, spans in other:
            for s in spans:
                if s.label not in exclude_labels:
                    counts.setdefault(s.text_in(text), Counter())[s.label] += 1
        patterns = sorted((c.most_common(1)[0][0], t) for t, c in counts.items() if len(t) > 1)
        folds.append((half, patterns))
    return folds
