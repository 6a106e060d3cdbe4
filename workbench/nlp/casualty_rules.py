"""spaCy component that finds casualty counts ("more than 100" KILLED) in news text.

Registered as the factory "workbench_casualties". Number expressions are found by a
token scan shared by every pipeline (`casualty_numbers.py`); the label comes from the
dependency parse when the pipeline has one and from a token window when it does not
(`spacy.blank("en")`), see `casualty_labels.py`.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

from workbench.casualties import normalise_count

from .casualty_labels import (
    adjacent_label,
    blocked,
    following_label,
    is_mixed,
    label_parsed,
    negated_group,
    subset_label,
    window_label,
)
from .casualty_numbers import scan


def find_casualties(doc: Doc) -> list[Span]:
    """Casualty spans of a doc, labelled, with value and qualifier extensions set."""
    parsed = doc.has_annotation("DEP")
    found: list[tuple[int, int, str | None, tuple[int | None, str]]] = []
    for qual_start, start, end in scan(doc):
        counted = normalise_count(doc[qual_start:end].text)
        if counted is None or is_mixed(doc, start, end) or negated_group(doc, qual_start):
            continue
        label = adjacent_label(doc, qual_start, end)
        if label is None and blocked(doc, end):
            continue
        if label is None:
            span = doc[qual_start:end]
            label = label_parsed(span) if parsed else window_label(doc, qual_start, end)
        if label is None:
            label = following_label(doc, end)
        found.append((start, end, label, counted))
    spans = []
    for k, (start, end, label, counted) in enumerate(found):
        label = label or subset_label(doc, found, k)
        if label is None:
            continue
        out = Span(doc, start, end, label=label)
        out._.casualty_value, out._.casualty_qualifier = counted
        spans.append(out)
    return spans


def casualty_attrs(span_text: str) -> dict[str, object]:
    """{"value", "qualifier"} for a span's text via the normaliser; {} if it is not a count."""
    counted = normalise_count(span_text)
    return {} if counted is None else {"value": counted[0], "qualifier": counted[1]}


def _register_extensions() -> None:
    for name in ("casualty_value", "casualty_qualifier"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


# Stored with every suggestion: bump it when the rules change, so `workbench suggest`
# recomputes documents suggested by older rules.
RULES_VERSION = "2"


class CasualtyFinder:
    """Pipeline component: writes casualty spans to `doc.spans[spans_key]`."""

    def __init__(self, nlp: Language, name: str, spans_key: str) -> None:
        self.name = name
        self.spans_key = spans_key
        _register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        doc.spans[self.spans_key] = find_casualties(doc)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory("workbench_casualties", default_config={"spans_key": "casualties"})
def make_casualty_finder(nlp: Language, name: str, spans_key: str) -> CasualtyFinder:
    """Build the casualty finder component."""
    return CasualtyFinder(nlp, name, spans_key)


_register_extensions()
