"""`workbench stats`: per-annotator work and the team's agreement, as figures.

Agreement reuses review.agreement (exact-span F1 per pair of annotators, casualty
(label, value) F1), summed over every pair; the chance-corrected figure is
Krippendorff's alpha (nominal) over token labels, written here: for nominal data it
is a few lines over a coincidence matrix, and it keeps numpy out of the CLI.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .model import FLAGGED, SKIPPED, SUBMITTED, Annotation
from .nlp.evaluate import CASUALTY_ROW, ENTITY_ROW, PRF
from .nlp.evaluate_sources import SourceScores
from .review import ALL_ROW, agreement
from .store import Store
from .tokens import Tokens

OUTSIDE = "O"  # a token in no span


@dataclass
class AnnotatorFigures:
    name: str
    submitted: int = 0
    skipped: int = 0
    flagged: int = 0
    median_seconds: float | None = None
    labels: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "submitted": self.submitted,
            "skipped": self.skipped,
            "flagged": self.flagged,
            "median_seconds": self.median_seconds,
            "labels": self.labels,
        }


def median_seconds(times: Iterable[tuple[str, str]]) -> float | None:
    """The median of (done - opened) in seconds over ISO timestamp pairs; None if none."""
    spans = [
        (datetime.fromisoformat(done) - datetime.fromisoformat(opened)).total_seconds()
        for opened, done in times
    ]
    return round(statistics.median(spans), 3) if spans else None


def krippendorff_alpha(units: Sequence[Sequence[str]]) -> float | None:
    """Krippendorff's alpha for nominal values: each unit holds the values its coders
    gave it (units with fewer than two are not pairable and left out).

    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k, where o_ck counts
    ordered pairs of values c, k within a unit, each weighted 1 / (m_u - 1), and n_c
    the totals. None when there is nothing to compare or every value is the same.
    """
    coincidences: defaultdict[tuple[str, str], float] = defaultdict(float)
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidences[c, k] += 1 / (m - 1)
    totals: defaultdict[str, float] = defaultdict(float)
    for (c, _), weight in coincidences.items():
        totals[c] += weight
    n = sum(totals.values())
    expected = n * n - sum(v * v for v in totals.values())
    if n <= 1 or expected == 0:
        return None
    observed = sum(w for (c, k), w in coincidences.items() if c != k)
    return 1 - (n - 1) * observed / expected


def token_labels(annotation: Annotation, tokens: Tokens) -> list[str]:
    """Each token's label in the annotation's accepted spans (the first span holding
    its start), or OUTSIDE."""
    spans = annotation.gold_spans()
    out = []
    for start in tokens.starts:
        label = next((s.label for s in spans if s.start <= start < s.end), OUTSIDE)
        out.append(label)
    return out


def token_units(groups: Iterable[list[Annotation]]) -> list[list[str]]:
    """One unit per token of each document annotated by two or more: their labels."""
    units: list[list[str]] = []
    for group in groups:
        tokens = Tokens.of(group[0].document.text)
        per_annotator = [token_labels(a, tokens) for a in group]
        units += [list(values) for values in zip(*per_annotator, strict=True)]
    return units


def annotator_figures(store: Store) -> list[AnnotatorFigures]:
    """Per annotator: documents submitted, skipped, flagged, the median time a document
    took (open to submit/skip/flag, from the events), accepted labels when submitted."""
    people: dict[str, AnnotatorFigures] = {}

    def person(name: str) -> AnnotatorFigures:
        return people.setdefault(name, AnnotatorFigures(name))

    for name, status, n in store.status_counts():
        fields = {SUBMITTED: "submitted", SKIPPED: "skipped", FLAGGED: "flagged"}
        if status in fields:
            setattr(person(name), fields[status], n)
    for name, label, n in store.submitted_label_counts():
        person(name).labels[label] = n
    times: dict[str, list[tuple[str, str]]] = {}
    for name, opened, done in store.work_times():
        times.setdefault(name, []).append((opened, done))
    for name, pairs in times.items():
        person(name).median_seconds = median_seconds(pairs)
    return [people[k] for k in sorted(people)]


def _f1(prf: PRF) -> dict[str, Any]:
    return {"agreed": prf.tp, "differ": prf.fp + prf.fn, "f1": round(prf.f1, 4)}


def team_stats(store: Store) -> dict[str, Any]:
    """Everything `workbench stats` prints, as JSON-ready values."""
    documents, pairs = agreement(store)
    exact: dict[str, PRF] = {}
    counts: dict[str, PRF] = {}
    for pair in pairs:
        for row in pair.rows():
            exact.setdefault(row.label, PRF()).add(row.exact)
            if row.count is not None:
                counts.setdefault(row.label, PRF()).add(row.count)
    sourced = [p.report.sources for p in pairs if p.report.sources is not None]
    units = token_units(store.shared_submissions())
    alpha = krippendorff_alpha(units)
    order = sorted(k for k in exact if k not in (ALL_ROW, CASUALTY_ROW, ENTITY_ROW))
    order += [k for k in (CASUALTY_ROW, ENTITY_ROW, ALL_ROW) if k in exact]
    return {
        "annotators": {a.name: a.to_dict() for a in annotator_figures(store)},
        "agreement": {
            "documents": documents,
            "pairs": len(pairs),
            "exact_span": {label: _f1(exact[label]) for label in order},
            "casualty_value": {label: _f1(prf) for label, prf in sorted(counts.items())},
            "krippendorff_alpha_tokens": None if alpha is None else round(alpha, 4),
            "tokens": len(units),
            "sources": _sources(sourced) if sourced else None,
        },
    }


def _sources(scores: Sequence[SourceScores]) -> dict[str, Any]:
    """Who reported each figure, summed over the pairs where either linked a source."""
    matched, agree = sum(s.matched for s in scores), sum(s.agree for s in scores)
    claims = PRF()
    for s in scores:
        claims.add(s.claims)
    return {
        "casualty_spans": matched,
        "agreed": agree,
        "attribution": round(agree / matched, 4) if matched else None,
        "claims": _f1(claims),
    }


def render_stats(figures: dict[str, Any]) -> list[str]:
    """The figures as plain lines (names from the database made visible by the caller)."""
    lines = ["annotator            submitted skipped flagged median s  labels"]
    for name, a in figures["annotators"].items():
        median = "-" if a["median_seconds"] is None else f"{a['median_seconds']:.1f}"
        labels = ", ".join(f"{k} {v}" for k, v in a["labels"].items())
        lines.append(
            f"{name:<20} {a['submitted']:>9} {a['skipped']:>7} {a['flagged']:>7}"
            f" {median:>8}  {labels}"
        )
    g = figures["agreement"]
    lines.append("")
    if not g["documents"]:
        lines.append("No document has been submitted by two or more annotators.")
        return lines
    lines.append(
        f"Agreement over {g['documents']} document(s) submitted by two or more"
        f" ({g['pairs']} pair(s) of annotators):"
    )
    lines.append("label                exact-span F1  agreed  differ  (label, value) F1")
    for label, row in g["exact_span"].items():
        value = g["casualty_value"].get(label)
        shown = "" if value is None else f"{value['f1']:.3f}"
        lines.append(
            f"{label:<20} {row['f1']:>13.3f} {row['agreed']:>7} {row['differ']:>7}  {shown}"
        )
    alpha = g["krippendorff_alpha_tokens"]
    lines.append(
        f"Krippendorff's alpha over token labels ({g['tokens']} tokens): "
        + ("-" if alpha is None else f"{alpha:.3f}")
    )
    if (src := g["sources"]) is not None:
        share = "-" if src["attribution"] is None else f"{src['attribution']:.3f}"
        lines.append(
            f"Sources: agreed on {src['agreed']} of {src['casualty_spans']} shared casualty"
            f" span(s) ({share}); claims (label, value, source) F1 {src['claims']['f1']:.3f}"
        )
    return lines
