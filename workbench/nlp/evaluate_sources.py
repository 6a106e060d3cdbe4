"""Pure scoring of casualty sources: attribution accuracy and claim-level P/R/F1.

Attribution is scored on the casualty spans found exactly (same offsets and label):
the sources agree where both are none or the two source spans overlap, and, stricter,
where both are none or they have the same offsets. A claim is (label, value,
normalised source text) per document, scored as a set like the count row.
No spaCy, no sqlite: callers pass `model.Span` lists whose links sit in their attrs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from workbench.model import CASUALTY_LABELS, Span, link_key, link_of

from .evaluate import PRF


@dataclass
class SourceScores:
    """Attribution on exactly found casualty spans, and claim-level P/R/F1."""

    matched: int = 0  # exactly found casualty spans
    agree: int = 0  # both none, or source spans overlap
    exact: int = 0  # both none, or the same source offsets
    gold_with_source: int = 0  # of the matched, how many gold spans have a source
    claims: PRF = field(default_factory=PRF)
    disagreements: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        return self.agree / self.matched if self.matched else None

    @property
    def exact_accuracy(self) -> float | None:
        return self.exact / self.matched if self.matched else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "gold_with_source": self.gold_with_source,
            "attribution": _round(self.accuracy),
            "attribution_exact": _round(self.exact_accuracy),
            "claims": self.claims.to_dict(),
        }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def has_sources(gold: Sequence[tuple[str, Sequence[Span]]]) -> bool:
    """Whether a gold set says who reported its figures (a `source` on casualty spans)."""
    key = link_key("SOURCE")
    return any(key in s.attrs for _, spans in gold for s in spans if s.label in CASUALTY_LABELS)


def normalise_source(text: str) -> str:
    """A source's words compared across annotators: case, spacing, articles, "'s" aside."""
    text = re.sub(r"[’`]", "'", text.lower())
    text = re.sub(r"^(the|a|an)\s+", "", text.strip())
    text = re.sub(r"'s?$", "", text)
    return " ".join(re.findall(r"[\w.'-]+", text))


def _source_text(text: str, span: Span) -> str:
    ref = link_of(span)
    return "" if ref is None else normalise_source(text[ref[0] : ref[1]])


def score_sources(
    gold: Sequence[tuple[str, Sequence[Span]]], predicted: Sequence[Sequence[Span]]
) -> SourceScores:
    """Attribution accuracy and claim P/R/F1 of `predicted` against `gold` (text, spans)."""
    out = SourceScores()
    for doc, ((text, gold_spans), pred_spans) in enumerate(zip(gold, predicted, strict=True)):
        g = [s for s in gold_spans if s.label in CASUALTY_LABELS]
        p = [s for s in pred_spans if s.label in CASUALTY_LABELS]
        by_key = {(s.start, s.end, s.label): s for s in p}
        for gs in g:
            ps = by_key.get((gs.start, gs.end, gs.label))
            if ps is None:
                continue
            out.matched += 1
            gref, pref = link_of(gs), link_of(ps)
            out.gold_with_source += gref is not None
            if gref is None or pref is None:
                same = overlap = gref is None and pref is None
            else:
                same = gref[:2] == pref[:2]
                overlap = gref[0] < pref[1] and pref[0] < gref[1]
            out.agree += overlap
            out.exact += same
            if not overlap:
                out.disagreements.append(
                    {
                        "doc": doc,
                        "figure": gs.text_in(text),
                        "gold": None if gref is None else text[gref[0] : gref[1]],
                        "predicted": None if pref is None else text[pref[0] : pref[1]],
                    }
                )
        gc = {(s.label, s.value, _source_text(text, s)) for s in g}
        pc = {(s.label, s.value, _source_text(text, s)) for s in p}
        out.claims.add(PRF(len(gc & pc), len(pc - gc), len(gc - pc)))
    return out
