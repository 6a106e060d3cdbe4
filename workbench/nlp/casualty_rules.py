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

from workbench.casualties import VERB_QUALIFIERS, normalise_count
from workbench.model import count_attrs

from .casualty_context import (
    blocked,
    difference,
    elliptical_label,
    illness,
    is_mixed,
    list_label,
    negated_group,
    partitive_whole,
    searched_for,
    subset_label,
)
from .casualty_labels import INJURED, label_parsed
from .casualty_numbers import scan
from .casualty_window import (
    adjacent_label,
    condition_after,
    counts_a_collective,
    following_label,
    window_label,
)


def find_casualties(doc: Doc) -> list[Span]:
    """Casualty spans of a doc, labelled, with value and qualifier extensions set."""
    parsed = doc.has_annotation("DEP")
    found: list[tuple[int, int, str | None, tuple[int | None, str]]] = []
    for qual_start, start, end in scan(doc):
        counted = normalise_count(doc[qual_start:end].text)
        if counted is None or is_mixed(doc, start, end) or negated_group(doc, qual_start):
            continue
        if difference(doc, qual_start, end) or searched_for(doc, qual_start):
            continue
        if partitive_whole(doc, qual_start, end) or counts_a_collective(doc, start, end):
            continue
        label = INJURED if condition_after(doc, end) else adjacent_label(doc, qual_start, end)
        if label is None and blocked(doc, qual_start, end):
            continue
        if label is None:
            span = doc[qual_start:end]
            label = label_parsed(span) if parsed else window_label(doc, qual_start, end)
            if label is None and parsed and _after_line_break(span):
                # A headline run into the next line misleads the parser: use the window.
                label = window_label(doc, qual_start, end, line=True)
        if label is None:
            label = following_label(doc, end)
        if label == INJURED and illness(doc, qual_start, end):
            continue
        found.append((start, end, label, _verb_qualified(doc, qual_start, counted)))
    return _resolve(doc, found)


def _resolve(doc: Doc, found: list) -> list[Span]:
    """Second pass: subsets, lists and elliptical figures take a neighbour's label."""
    labels: list[str | None] = []
    subsets: set[int] = set()
    for k, (_, _, label, _) in enumerate(found):
        if label is None:
            label = subset_label(doc, found, labels, k)
            if label is not None:
                subsets.add(k)
        if label is None:
            label = list_label(doc, found, labels, k, subsets)
            if label is not None:
                subsets.add(k)
        if label is None:
            label = elliptical_label(doc, found, labels, k)
        labels.append(label)
    spans = []
    for (start, end, _, counted), label in zip(found, labels, strict=True):
        if label is None:
            continue
        out = Span(doc, start, end, label=label)
        out._.casualty_value, out._.casualty_qualifier = counted
        spans.append(out)
    return spans


def _verb_qualified(doc: Doc, start: int, counted: tuple) -> tuple:
    """ "the death toll exceeds 146,000": the verb carries the qualifier (more_than)."""
    value, qualifier = counted
    if qualifier == "exact" and start > 0:
        verb = VERB_QUALIFIERS.get(doc[start - 1].lower_)
        if verb is None and start > 1 and doc[start - 1].lower_ in ("already", "now", "just"):
            verb = VERB_QUALIFIERS.get(doc[start - 2].lower_)
        if verb is not None:
            return value, verb
    return counted


def _after_line_break(span: Span) -> bool:
    sent = span.sent
    return any(t.is_space and "\n" in t.text for t in sent)


def count_attrs_of_text(span_text: str) -> dict[str, object]:
    """{"value", "qualifier"} for a span's text via the normaliser; {} if it is not a count."""
    counted = normalise_count(span_text)
    return {} if counted is None else count_attrs(*counted)


def _register_extensions() -> None:
    for name in ("casualty_value", "casualty_qualifier"):
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


# Stored with every suggestion: bump it when the rules change, so `workbench suggest`
# recomputes documents suggested by older rules.
RULES_VERSION = "4"


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
