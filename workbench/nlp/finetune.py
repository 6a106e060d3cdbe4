"""`workbench train` by default: fine-tune the base pipeline's `ner` on the gold.

Training a new pipeline from a blank one on a few dozen documents gives an NER far
worse than the base model. Fine-tuning resumes from the base model's own `ner` and
rehearses: each update on gold is paired with a rehearsal update on the base model's
own predictions for unlabelled documents of the database (spaCy's `Language.rehearse`,
which pulls the weights back towards what the base model said), so the model learns
the team's conventions without forgetting what it knew. The labels the scheme does not
use (CARDINAL, MONEY, ...) are kept in each gold example as the base model predicted
them, so the gold does not teach the model that they are not names.

Both pipelines are scored as the annotator sees them (through the suggester, with the
scheme's components) on the held-out split of the gold. The trained model is saved
only where its entity F1 beats the base's; otherwise nothing is written and the
result says why. Casualty spans come from the casualty rules in both.
"""

from __future__ import annotations

import random
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import spacy
from spacy.training import Example
from spacy.util import minibatch

from ..config import ModelError
from ..jobs.export import Selection, in_dev, selected
from ..model import CASUALTY_LABELS, Span
from ..store import Store
from .evaluate import CASUALTY_ROW, ENTITY_ROW, evaluate_documents
from .provenance import record_trained_on
from .suggest import build_suggester, default_label_map, load_pipeline

Report = Callable[[int], None]
REHEARSAL_DOCS = 200


class FineTuneError(Exception):
    """Fine-tuning cannot start: no gold, or no base pipeline."""


@dataclass
class FineTuneResult:
    output: Path
    base: str
    kept: bool  # saved: it scored better than the base on the held-out split
    train_docs: int
    dev_docs: int
    rehearsal_docs: int
    epochs: int
    before: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # label: P, R, F1
    after: dict[str, tuple[float, float, float]] = field(default_factory=dict)

    def labels(self) -> list[str]:
        """The labels scored, in order, the overall row last."""
        return sorted(self.before.keys() | self.after.keys(), key=lambda k: (k == ENTITY_ROW, k))


def _ignore(_: int) -> None:
    pass


def per_label(
    gold: Sequence[tuple[str, Sequence[Span]]], predicted: Sequence[Sequence[Span]]
) -> dict[str, tuple[float, float, float]]:
    """Entity P/R/F1 per label and overall (`entities`), exact spans."""
    entity = [(t, [s for s in g if s.label not in CASUALTY_LABELS]) for t, g in gold]
    pred = [[s for s in p if s.label not in CASUALTY_LABELS] for p in predicted]
    report = evaluate_documents(entity, pred)
    out = {}
    for name, row in report.rows.items():
        if name not in CASUALTY_LABELS and name != CASUALTY_ROW:
            out[name] = (row.exact.precision, row.exact.recall, row.exact.f1)
    return out


def fine_tune(
    store: Store,
    output: Path,
    *,
    base: str | Sequence[str],
    selection: Selection | None = None,
    dev_fraction: float = 0.2,
    seed: int = 0,
    epochs: int = 10,
    report: Report = _ignore,
) -> FineTuneResult:
    """Fine-tune the ner of `base` (a pipeline, or candidates: the first that loads) on
    the selected gold; save to `output` only if it helps."""
    selection = selection or Selection(gold="best")
    train_set: list[tuple[str, list[Span]]] = []
    dev_set: list[tuple[str, list[Span]]] = []
    hashes = set()
    for annotation in selected(store, selection):
        doc = annotation.document
        hashes.add(doc.hash)
        side = dev_set if in_dev(doc.hash, seed, dev_fraction) else train_set
        side.append((doc.text, annotation.gold_spans()))
    if not train_set and not dev_set:
        raise FineTuneError("no gold to train on: submit or import some annotations first")
    if not dev_set:
        dev_set.append(train_set.pop())
    if not train_set:
        raise FineTuneError("one gold document: none is left to train on beside the held-out one")
    others = (d.text for d in store.documents_to_suggest("") if d.hash not in hashes)
    unlabelled = list(islice(others, REHEARSAL_DOCS))
    return fine_tune_sets(
        base, train_set, dev_set, unlabelled, output, seed=seed, epochs=epochs, report=report
    )


def fine_tune_sets(
    base: str | Sequence[str],
    train_set: Sequence[tuple[str, Sequence[Span]]],
    dev_set: Sequence[tuple[str, Sequence[Span]]],
    unlabelled: Sequence[str],
    output: Path | None,
    *,
    seed: int = 0,
    epochs: int = 10,
    report: Report = _ignore,
) -> FineTuneResult:
    """Fine-tune on `train_set`, rehearse on `unlabelled`, score both on `dev_set`;
    save to `output` (None: never) only where the entity F1 improved."""
    try:
        nlp, base = load_pipeline((base,) if isinstance(base, str) else tuple(base), strict=True)
    except ModelError as e:
        raise FineTuneError(str(e)) from e
    if "ner" not in nlp.pipe_names:
        raise FineTuneError(f"the base pipeline {base} has no ner to fine-tune")
    scheme = set(default_label_map())
    rng = random.Random(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # misaligned gold offsets become missing tokens
        examples = [_example(nlp, text, list(spans), scheme) for text, spans in train_set]
        rehearsal = [Example(nlp.make_doc(t), nlp.make_doc(t)) for t in unlabelled]
        other = [p for p in nlp.pipe_names if p != "ner"]
        optimizer = nlp.resume_training()
        with nlp.select_pipes(disable=other):
            for _ in range(epochs):
                rng.shuffle(examples)
                for batch in minibatch(examples, size=4):
                    nlp.update(batch, sgd=optimizer, drop=0.2, losses={})
                    if rehearsal:
                        nlp.rehearse(rng.sample(rehearsal, min(8, len(rehearsal))), sgd=optimizer)
                report(1)
    texts = [t for t, _ in dev_set]
    before = per_label(dev_set, list(build_suggester((base,)).suggest(texts)))
    nlp.meta["name"] = f"{nlp.meta.get('name', 'model')}_finetuned"
    nlp.meta["version"] = f"{nlp.meta.get('version', '0')}-{seed}-{len(train_set)}"
    record_trained_on(nlp.meta, (t for t, _ in train_set))  # `evaluate` leaves them out
    with tempfile.TemporaryDirectory(prefix="workbench-finetune-") as tmp:
        nlp.to_disk(tmp)
        # Uncached: the temporary folder goes away, and other suggesters stay cached.
        tuned = build_suggester.__wrapped__((tmp,), strict=True)
        after = per_label(dev_set, list(tuned.suggest(texts)))
    kept = after.get(ENTITY_ROW, (0, 0, 0))[2] > before.get(ENTITY_ROW, (0, 0, 0))[2]
    if kept and output is not None:
        output.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(output)
    return FineTuneResult(
        output or Path(),
        base,
        kept,
        len(train_set),
        len(dev_set),
        len(rehearsal),
        epochs,
        before,
        after,
    )


def _example(nlp: spacy.Language, text: str, gold: list[Span], scheme: set[str]) -> Example:
    """Gold entities, plus the base model's entities of labels the scheme leaves out
    where they overlap no gold span (so gold does not unteach CARDINAL and the like)."""
    names = [s for s in gold if s.label not in CASUALTY_LABELS and s.label in scheme]
    predicted = nlp(text)
    kept = [
        (e.start_char, e.end_char, e.label_)
        for e in predicted.ents
        if e.label_ not in scheme
        and not any(s.start < e.end_char and e.start_char < s.end for s in names)
    ]
    ents = sorted({(s.start, s.end, s.label) for s in names} | set(kept))
    taken: list[tuple[int, int, str]] = []
    for ent in ents:  # doc.ents cannot overlap: keep the first of overlapping gold
        if not taken or ent[0] >= taken[-1][1]:
            taken.append(ent)
    return Example.from_dict(nlp.make_doc(text), {"entities": taken})
