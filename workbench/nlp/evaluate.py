"""Pure scoring of predicted spans against gold: exact, overlap and count-level P/R/F1.

No spaCy, no sqlite: callers pass `model.Span` lists. `evaluate_documents` is the entry
point; `EvalReport.to_dict()` is JSON-able and `render_table` gives a Rich table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from workbench.model import CASUALTY_LABELS, SOURCE_LABEL, Span
from workbench.visible import visible

CASUALTY_ROW = "CASUALTY"  # KILLED + INJURED together
ENTITY_ROW = "ENTITY"  # every non-casualty label together


@dataclass
class PRF:
    """True positive, false positive and false negative counts with derived scores."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PRF) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, Any]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass
class LabelScores:
    """Scores for one label (or an aggregate row)."""

    label: str
    exact: PRF = field(default_factory=PRF)
    overlap: PRF = field(default_factory=PRF)
    count: PRF | None = None  # only for casualty labels
    matched: int = 0  # exactly matched spans where gold carries a value
    value_correct: int = 0
    qualifier_correct: int = 0

    @property
    def value_accuracy(self) -> float | None:
        return self.value_correct / self.matched if self.matched else None

    @property
    def qualifier_accuracy(self) -> float | None:
        return self.qualifier_correct / self.matched if self.matched else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "exact": self.exact.to_dict(),
            "overlap": self.overlap.to_dict(),
            "count": self.count.to_dict() if self.count else None,
            "value_accuracy": _round(self.value_accuracy),
            "qualifier_accuracy": _round(self.qualifier_accuracy),
            "matched": self.matched,
        }


@dataclass
class SpanError:
    """A missed gold span or a spurious predicted span, for error analysis."""

    doc: int
    kind: str  # "missed" (false negative) or "spurious" (false positive)
    span: Span
    text: str


@dataclass
class EvalReport:
    """Per-label rows plus CASUALTY and ENTITY aggregates, and the exact-match errors;
    where the gold says who reported its figures, the sources' scores too."""

    documents: int
    rows: dict[str, LabelScores]
    errors: list[SpanError] = field(default_factory=list)
    sources: Any = None  # an evaluate_sources.SourceScores where the gold has sources

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able summary (errors included with their text)."""
        out = {
            "documents": self.documents,
            "rows": {k: v.to_dict() for k, v in self.rows.items()},
            "errors": [
                {"doc": e.doc, "kind": e.kind, "text": e.text, **e.span.to_json()}
                for e in self.errors
            ],
        }
        if self.sources is not None:
            out["sources"] = self.sources.to_dict()
        return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _key(s: Span) -> tuple[int, int, str]:
    return (s.start, s.end, s.label)


def _overlap_prf(gold: list[Span], pred: list[Span]) -> PRF:
    """One-to-one greedy matching of same-label spans that share at least one character."""
    used: set[int] = set()
    tp = 0
    for p in pred:
        for gi, g in enumerate(gold):
            if gi not in used and g.label == p.label and p.start < g.end and g.start < p.end:
                used.add(gi)
                tp += 1
                break
    return PRF(tp, len(pred) - tp, len(gold) - tp)


def _count_prf(gold: list[Span], pred: list[Span]) -> PRF:
    """Per-document set of (label, value) pairs."""
    g = {(s.label, s.value) for s in gold}
    p = {(s.label, s.value) for s in pred}
    return PRF(len(g & p), len(p - g), len(g - p))


def _score(
    label: str, docs: Sequence[tuple[list[Span], list[Span]]], casualty: bool
) -> LabelScores:
    row = LabelScores(label, count=PRF() if casualty else None)
    for gold, pred in docs:
        gkeys = {_key(s): s for s in gold}
        pkeys = {_key(s): s for s in pred}
        tp = gkeys.keys() & pkeys.keys()
        row.exact.add(PRF(len(tp), len(pkeys) - len(tp), len(gkeys) - len(tp)))
        row.overlap.add(_overlap_prf(gold, pred))
        if row.count is not None:
            row.count.add(_count_prf(gold, pred))
        for k in tp:
            g, p = gkeys[k], pkeys[k]
            if "value" in g.attrs or "qualifier" in g.attrs:
                row.matched += 1
                row.value_correct += g.value == p.value
                row.qualifier_correct += g.qualifier == p.qualifier
    return row


def _select(spans: Iterable[Span], labels: set[str]) -> list[Span]:
    return [s for s in spans if s.label in labels]


def evaluate_documents(
    gold: Sequence[tuple[str, Sequence[Span]]], predicted: Sequence[Sequence[Span]]
) -> EvalReport:
    """Score predicted spans against gold; gold is (text, spans) per document."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold documents but {len(predicted)} predicted")
    # Source spans are scored through the links that name them (`report.sources`): a
    # source that is also an entity is labelled as the entity, so a SOURCE row would miss it.
    pairs = [
        ([s for s in g if s.label != SOURCE_LABEL], [s for s in p if s.label != SOURCE_LABEL])
        for (_, g), p in zip(gold, predicted, strict=True)
    ]
    labels = sorted({s.label for g, p in pairs for s in (*g, *p)})
    rows: dict[str, LabelScores] = {}
    groups: list[tuple[str, set[str], bool]] = [
        (label, {label}, label in CASUALTY_LABELS) for label in labels
    ]
    casualty = {lab for lab in labels if lab in CASUALTY_LABELS}
    entity = {lab for lab in labels if lab not in CASUALTY_LABELS}
    groups.append((CASUALTY_ROW, set(CASUALTY_LABELS), True))
    if entity:
        groups.append((ENTITY_ROW, entity, False))
    for name, selected, is_casualty in groups:
        if name == CASUALTY_ROW and not casualty:
            continue
        docs = [(_select(g, selected), _select(p, selected)) for g, p in pairs]
        rows[name] = _score(name, docs, is_casualty)
    from .evaluate_sources import has_sources, score_sources  # it builds on PRF above

    sources = score_sources(gold, predicted) if has_sources(gold) else None
    return EvalReport(len(pairs), rows, _errors(gold, pairs), sources)


def _errors(
    gold: Sequence[tuple[str, Sequence[Span]]], pairs: list[tuple[list[Span], list[Span]]]
) -> list[SpanError]:
    out = []
    for i, ((text, _), (g, p)) in enumerate(zip(gold, pairs, strict=True)):
        gk, pk = {_key(s) for s in g}, {_key(s) for s in p}
        out += [SpanError(i, "missed", s, s.text_in(text)) for s in g if _key(s) not in pk]
        out += [SpanError(i, "spurious", s, s.text_in(text)) for s in p if _key(s) not in gk]
    return out


def render_sources(report: EvalReport) -> str | None:
    """One line on who reported the figures, where the gold says: attribution accuracy on
    exactly found casualty spans (overlap, then exact offsets) and claim-level P/R/F1."""
    s = report.sources
    if s is None:
        return None
    c = s.claims
    return (
        f"sources: attribution {_pct(s.accuracy)} (exact offsets {_pct(s.exact_accuracy)}) on "
        f"{s.matched} exactly found casualty spans, {s.gold_with_source} with a gold source; "
        f"claims (label, value, source) P {_pct(c.precision)} R {_pct(c.recall)} "
        f"F1 {_pct(c.f1)}"
    )


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def render_table(report: EvalReport) -> Table:
    """A Rich table, one row per label: P/R/F1 for exact spans, overlap F1, count-level
    P/R/F1, value and qualifier accuracy on exact matches. Fits 80 columns."""
    table = Table(
        title=f"Evaluation over {report.documents} documents",
        box=box.SIMPLE_HEAD,
        padding=(0, 0),
        show_edge=False,
        pad_edge=False,
        caption="ex: exact spans  ov: overlapping  ct: (label, value) per document  "
        "val/qual: accuracy on exact matches",
    )
    table.add_column("label", no_wrap=True)
    for col in (
        "gold",
        "pred",
        "ex P",
        "ex R",
        "ex F1",
        "ov F1",
        "ct P",
        "ct R",
        "ct F1",
        "val",
        "qual",
    ):
        table.add_column(col, justify="right", no_wrap=True)
    for row in report.rows.values():
        count = row.count
        table.add_row(
            Text(visible(row.label)),  # a label from a gold file: never markup or escapes
            str(row.exact.tp + row.exact.fn),
            str(row.exact.tp + row.exact.fp),
            _pct(row.exact.precision),
            _pct(row.exact.recall),
            _pct(row.exact.f1),
            _pct(row.overlap.f1),
            _pct(count.precision if count else None),
            _pct(count.recall if count else None),
            _pct(count.f1 if count else None),
            _pct(row.value_accuracy),
            _pct(row.qualifier_accuracy),
        )
    return table
