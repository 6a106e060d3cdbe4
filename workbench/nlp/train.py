"""`workbench train`: a spaCy pipeline trained on the gold, for `workbench suggest --model`.

Entities train a `ner`, casualty spans a `spancat` on doc.spans["casualties"]. The
saved pipeline keeps the `workbench_casualties` rule component just before spancat:
spaCy keys span extension values by character offsets, so every span spancat finds
where the rules found a count carries the rules' value and qualifier, and
`suggest.build_suggester` (which adds the rules only when missing) loads it as it is.

With little gold a spancat finds casualty spans worse than the rules do, so by
default (`casualties="auto"`) both are scored on the dev split and the better one
is saved: spancat kept, or removed so the rules give the casualty spans.
"""

from __future__ import annotations

import hashlib
import io
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from ..interchange.spacy_docbin import SPANS_KEY, Built, ShardWriter, blank, build_doc
from ..jobs.export import Selection, in_dev, selected
from ..model import CASUALTY_LABELS, Span, count_attrs
from ..store import Store
from . import casualty_rules  # noqa: F401  (registers the "workbench_casualties" factory)
from .evaluate import CASUALTY_ROW, ENTITY_ROW, evaluate_documents
from .provenance import record_trained_on

DEFAULT_CONFIG = Path(__file__).with_name("train_config.cfg")
CASUALTY_PIPE = "workbench_casualties"
LOGGER = "workbench.progress_logger.v1"

Report = Callable[[int], None]


class TrainError(Exception):
    """Training cannot start: no gold, or a config that does not fit."""


def _ignore(_: int) -> None:
    pass


# The training loop calls the registered logger; this is where it reports to.
_progress: dict[str, Any] = {"report": _ignore, "last": {}, "steps": 0}


@spacy.registry.loggers(LOGGER)
def progress_logger() -> Callable[..., Any]:
    """A spaCy logger that advances workbench's progress bar and keeps the last scores."""

    def setup(nlp: Language, stdout: Any = sys.stdout, stderr: Any = sys.stderr) -> Any:
        def log_step(info: dict[str, Any] | None) -> None:
            _progress["report"](1)
            _progress["steps"] += 1
            if info is not None:
                _progress["last"] = {
                    "step": info["step"],
                    "score": info["score"],
                    **info.get("other_scores", {}),
                }

        return log_step, lambda: None

    return setup


@dataclass
class TrainResult:
    output: Path
    train_docs: int
    dev_docs: int
    steps: int
    scores: dict[str, float] = field(default_factory=dict)  # on dev, by workbench.nlp.evaluate
    casualties: str = "model"  # what gives casualty spans: "model" (spancat) or "rules"
    rule_scores: dict[str, float] = field(default_factory=dict)  # the rules alone, on dev
    dropped: int = 0  # gold entities doc.ents could not hold (overlaps)


def max_steps(config_path: Path | None, overrides: dict[str, Any]) -> int:
    """The configured number of steps (for a progress total)."""
    if "training.max_steps" in overrides:
        return int(overrides["training.max_steps"])
    config = spacy.util.load_config(config_path or DEFAULT_CONFIG, interpolate=False)
    return int(config["training"]["max_steps"])


def train(
    store: Store,
    output: Path,
    *,
    selection: Selection | None = None,
    config_path: Path | None = None,
    overrides: dict[str, Any] | None = None,
    dev_fraction: float = 0.2,
    seed: int = 0,
    casualty_labels: Sequence[str] = CASUALTY_LABELS,
    report: Report = _ignore,
    casualties: str = "auto",
) -> TrainResult:
    """Train on the selected gold (default: best per document), save to `output`, score dev."""
    selection = selection or Selection(gold="best")
    nlp0 = blank()
    train_set: list[tuple[Built, list[Span]]] = []
    dev_set: list[tuple[Built, list[Span]]] = []
    digest = hashlib.sha1()
    dropped = 0
    for annotation in selected(store, selection):
        spans = annotation.gold_spans()
        built = build_doc(
            annotation.document.text, spans, casualty_labels=casualty_labels, nlp=nlp0
        )
        dropped += len(built.dropped)
        digest.update(annotation.document.hash.encode())
        side = dev_set if in_dev(annotation.document.hash, seed, dev_fraction) else train_set
        side.append((built, spans))
    if not train_set and not dev_set:
        raise TrainError("no gold to train on: submit or import some annotations first")
    if not dev_set:  # too few documents for the fraction to pick any: hold one out
        dev_set.append(train_set.pop() if len(train_set) > 1 else train_set[0])
    if not train_set:
        train_set.append(dev_set[0])
    overrides = dict(overrides or {})
    with tempfile.TemporaryDirectory(prefix="workbench-train-") as tmp:
        work = Path(tmp)
        for name, items in (("train", train_set), ("dev", dev_set)):
            writer = ShardWriter(work / name, nlp0.vocab)
            for built, _ in items:
                writer.add(built)
            writer.close()
        nlp = _train_pipeline(work, config_path, overrides, seed, report)
    nlp.add_pipe(
        CASUALTY_PIPE,
        before="spancat" if "spancat" in nlp.pipe_names else None,
        config={"spans_key": SPANS_KEY},
    )
    dev_gold = [(b.doc.text, spans) for b, spans in dev_set]
    scores = score(nlp, dev_gold)
    rule_scores: dict[str, float] = {}
    chosen = "model" if "spancat" in nlp.pipe_names else "rules"
    if chosen == "model" and casualties != "model":
        with nlp.select_pipes(disable=["spancat"]):
            rule_scores = score(nlp, dev_gold)
        better = rule_scores.get("casualty_f1", 0) >= scores.get("casualty_f1", 0)
        if casualties == "rules" or better:
            nlp.remove_pipe("spancat")
            chosen, scores = "rules", rule_scores
    # The suggester stores the model version with each suggestion: new gold, new version.
    nlp.meta["name"] = f"workbench_{digest.hexdigest()[:10]}"
    nlp.meta["version"] = "1.0.0"
    record_trained_on(nlp.meta, (b.doc.text for b, _ in train_set))  # `evaluate` leaves them out
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return TrainResult(
        output,
        len(train_set),
        len(dev_set),
        int(_progress.get("steps", 0)),
        scores=scores,
        casualties=chosen,
        rule_scores=rule_scores,
        dropped=dropped,
    )


def _train_pipeline(
    corpus: Path, config_path: Path | None, overrides: dict[str, Any], seed: int, report: Report
) -> Language:
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_loop

    overrides = {
        "paths.train": str(corpus / "train"),
        "paths.dev": str(corpus / "dev"),
        "system.seed": seed,
        **overrides,
    }
    config = spacy.util.load_config(
        config_path or DEFAULT_CONFIG, overrides=overrides, interpolate=False
    )
    config["training"]["logger"] = {"@loggers": LOGGER}
    _progress.update(report=report, last={}, steps=0)
    try:
        nlp = init_nlp(config.interpolate())
        quiet = io.StringIO()  # the progress bar says what matters
        nlp, _ = train_loop(nlp, None, stdout=quiet, stderr=quiet)
    finally:
        _progress["report"] = _ignore
    return nlp


def predict(nlp: Language, texts: Sequence[str]) -> list[list[Span]]:
    """Entity and casualty spans from a trained pipeline, as the suggester sees them."""
    out = []
    for doc in nlp.pipe(texts):
        spans = [Span(e.start_char, e.end_char, e.label_) for e in doc.ents]
        spans += [
            Span(
                s.start_char,
                s.end_char,
                s.label_,
                count_attrs(s._.casualty_value, s._.casualty_qualifier),
            )
            for s in doc.spans.get(SPANS_KEY, [])
        ]
        out.append(sorted(spans, key=lambda s: (s.start, s.end, s.label)))
    return out


def score(nlp: Language, gold: Sequence[tuple[str, Sequence[Span]]]) -> dict[str, float]:
    """Exact-match F1 for casualty spans and entities (where gold has them), and count F1."""
    report = evaluate_documents(gold, predict(nlp, [text for text, _ in gold]))
    out: dict[str, float] = {}
    if CASUALTY_ROW in report.rows:
        row = report.rows[CASUALTY_ROW]
        out["casualty_f1"] = round(row.exact.f1, 4)
        if row.count is not None:
            out["casualty_count_f1"] = round(row.count.f1, 4)
    if ENTITY_ROW in report.rows and any(
        s.label not in CASUALTY_LABELS for _, spans in gold for s in spans
    ):
        out["entity_f1"] = round(report.rows[ENTITY_ROW].exact.f1, 4)
    return out
