"""Score a suggester against gold files or the database's own gold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..interchange.readers import iter_file
from ..model import REVIEWED, SUBMITTED, Span, text_hash
from ..nlp.evaluate import EvalReport, evaluate_documents
from ..nlp.provenance import trained_on
from . import Report, no_progress

if TYPE_CHECKING:
    from ..nlp.suggest import Suggester
    from ..store import Store


GoldDoc = tuple[str, list[Span]]
Patterns = list[tuple[str, str]]  # (label, text) the gold ruler suggests


@dataclass(frozen=True)
class EvalRun:
    """One scoring run of `workbench evaluate`: a name, the gold, the ruler's patterns."""

    name: str
    gold: list[GoldDoc]
    patterns: Patterns


def file_runs(
    gold: list[GoldDoc], store: Store | None, casualty_labels: Sequence[str]
) -> list[EvalRun]:
    """Runs on a gold file: the base suggester, and with the gold ruler where the
    database (if any) has confirmed entities. The ruler never learns from the file's
    own documents, and the run's name says when it left some out."""
    from ..nlp.gold_ruler import learned_patterns

    runs = [EvalRun("base", gold, [])]
    if store is not None:
        everything = store.confirmed_entity_support(exclude_labels=casualty_labels)
        own = [text_hash(text) for text, _ in gold]
        support = store.confirmed_entity_support(exclude_labels=casualty_labels, exclude_hashes=own)
        name = (
            "gold ruler" if support == everything else "gold ruler, not learnt from these documents"
        )
        if patterns := learned_patterns(support):
            runs.append(EvalRun(name, gold, patterns))
    return [r for r in runs if r.gold]


def database_gold(store: Store) -> list[GoldDoc]:
    """(text, accepted spans) of every submitted and reviewed annotation."""
    return [
        (a.document.text, a.gold_spans()) for a in store.annotations(statuses=(SUBMITTED, REVIEWED))
    ]


def database_runs(gold: list[GoldDoc], casualty_labels: Sequence[str]) -> list[EvalRun]:
    """Runs on the database's own gold: the base suggester, then the gold ruler scored
    on each half with patterns learnt from the other (see `gold_ruler_folds`)."""
    runs = [EvalRun("base", gold, [])]
    folds = gold_ruler_folds(gold, casualty_labels)
    if any(p for _, p in folds):
        runs += [EvalRun(f"gold ruler, fold {i + 1}", half, p) for i, (half, p) in enumerate(folds)]
    return [r for r in runs if r.gold]


GoldFiles = list[tuple[str, list[GoldDoc]]]  # (name, documents) per gold file


@dataclass(frozen=True)
class TrainedOn:
    """The gold documents the scored model was trained on: how many, and if left out."""

    documents: int
    left_out: bool

    def to_dict(self) -> dict[str, int]:
        key = "left_out_trained_on" if self.left_out else "included_trained_on"
        return {key: self.documents}

    def line(self) -> str:
        """What the output says about them."""
        if self.left_out:
            return f"left out {self.documents} document(s) the model was trained on"
        return (
            f"warning: the figures include {self.documents} document(s) the model was "
            "trained on; they flatter it"
        )


def leave_out_trained(
    files: GoldFiles, model_meta: Mapping[str, Any], *, include: bool = False
) -> tuple[GoldFiles, TrainedOn | None]:
    """The gold without the documents the model's meta says it was trained on
    (`nlp.provenance`), and what was done; with `include`, the gold as it is.

    None where the model records no training documents (a stock pipeline)."""
    trained = trained_on(model_meta)
    if not trained:
        return files, None
    kept = [(name, [d for d in docs if text_hash(d[0]) not in trained]) for name, docs in files]
    count = sum(len(docs) for _, docs in files) - sum(len(docs) for _, docs in kept)
    if include:
        return files, TrainedOn(count, left_out=False)
    return kept, TrainedOn(count, left_out=True)


def read_gold_file(path: Path) -> list[GoldDoc]:
    """(text, spans) per line of an interchange JSONL gold file.

    Who reported a figure comes as the reader gives it: a link on the casualty span
    (`model.link_of`), from the line's `relations` or a span's own `source` object, as
    the dev sets write it, with the source span labelled SOURCE beside it.
    """
    return [(d.text, list(d.spans)) for d in iter_file(path)]


def read_gold_files_merged(paths: Sequence[Path]) -> list[GoldDoc]:
    """Gold of several files on the same passages (entity gold in one, casualty gold in
    another), merged by text, in the order the passages first appear."""
    merged: dict[str, list[Span]] = {}
    for path in paths:
        for text, spans in read_gold_file(path):
            merged.setdefault(text, []).extend(spans)
    return [
        (text, sorted(set(spans), key=lambda s: (s.start, s.end))) for text, spans in merged.items()
    ]


def evaluate_suggester(
    gold: list[GoldDoc], suggester: Suggester, *, report: Report = no_progress
) -> EvalReport:
    """Score the suggester's spans against gold, on the labels the gold uses."""
    return evaluate_documents(gold, _predict(gold, suggester, report))


def _predict(gold: list[GoldDoc], suggester: Suggester, report: Report) -> list[list[Span]]:
    labels = {s.label for _, spans in gold for s in spans}
    predicted = []
    for spans in suggester.suggest(text for text, _ in gold):
        predicted.append([s for s in spans if s.label in labels])
        report(1)
    return predicted


@dataclass(frozen=True)
class FilesReport:
    """Several gold files scored by one suggester: each file, and all their documents."""

    files: dict[str, EvalReport]
    total: EvalReport

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": {name: r.to_dict() for name, r in self.files.items()},
            "total": self.total.to_dict(),
        }


def evaluate_files(
    files: Sequence[tuple[str, list[GoldDoc]]],
    suggester: Suggester,
    *,
    report: Report = no_progress,
) -> FilesReport:
    """Score each gold file, and the total over all of their documents pooled.

    The suggester runs once per document; the total is scored on the same
    predictions, each file's filtered to the labels that file's gold uses.
    """
    reports: dict[str, EvalReport] = {}
    pooled_gold: list[GoldDoc] = []
    pooled_pred: list[list[Span]] = []
    for name, gold in files:
        predicted = _predict(gold, suggester, report)
        reports[name] = evaluate_documents(gold, predicted)
        pooled_gold += gold
        pooled_pred += predicted
    return FilesReport(reports, evaluate_documents(pooled_gold, pooled_pred))


def gold_ruler_folds(
    gold: list[GoldDoc], exclude_labels: Sequence[str]
) -> list[tuple[list[GoldDoc], list[tuple[str, str]]]]:
    """Two folds of the database's own gold: each half with patterns learnt from the other.

    Learning and scoring on the same documents would flatter the ruler.
    """
    from ..nlp.gold_ruler import learned_patterns

    halves = [gold[0::2], gold[1::2]]
    folds = []
    for i, half in enumerate(halves):
        other = halves[1 - i]
        counts: dict[str, Counter[str]] = {}  # text -> label -> documents
        for text, spans in other:
            seen = {(s.text_in(text), s.label) for s in spans if s.label not in exclude_labels}
            for span_text, label in seen:
                counts.setdefault(span_text, Counter())[label] += 1
        support = [(*c.most_common(1)[0], t) for t, c in counts.items() if len(t) > 1]
        patterns = sorted(learned_patterns((label, t, n) for label, n, t in support))
        folds.append((half, patterns))
    return folds
