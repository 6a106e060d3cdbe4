"""Suggestions from spaCy: the only module that builds a pipeline.

Callers get `model.Span`s with character offsets, never spaCy objects.
"""

from __future__ import annotations

import functools
import hashlib
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from ..config import ModelError
from ..model import SOURCE_GOLD_RULER, SOURCE_MODEL, SOURCE_RULE, Span
from . import casualty_rules  # noqa: F401  (registers the "workbench_casualties" factory)

CASUALTY_PIPE = "workbench_casualties"
GOLD_RULER_PIPE = "workbench_gold_ruler"
SPANS_KEY = "casualties"
BLANK = "blank:en"


class ModelWarning(UserWarning):
    """The configured model could not be loaded; a fallback is used."""


@dataclass(frozen=True)
class Suggester:
    """A loaded pipeline plus how its labels map onto the scheme."""

    nlp: Language
    version: str  # stored with every suggestion, so re-running a new model is detected
    label_map: dict[str, str]

    def spans(self, doc: Doc) -> list[Span]:
        """Entity and casualty suggestions of one processed doc, in text order."""
        out = []
        for ent in doc.ents:
            label = self.label_map.get(ent.label_)
            if label is not None:  # CARDINAL and unmapped labels are never shown
                source = SOURCE_GOLD_RULER if ent.ent_id_ == GOLD_RULER_PIPE else SOURCE_MODEL
                start, end = trim_entity(doc.text, ent.start_char, ent.end_char)
                if start < end:
                    out.append(Span(start, end, label, {}, source))
        for span in doc.spans.get(SPANS_KEY, []):
            attrs = {"value": span._.casualty_value, "qualifier": span._.casualty_qualifier}
            source = SOURCE_RULE
            if attrs["qualifier"] is None:  # a trained spancat's span: read its count here
                attrs = casualty_rules.casualty_attrs(span.text) or attrs
                source = SOURCE_MODEL
            out.append(Span(span.start_char, span.end_char, span.label_, attrs, source))
        return sorted(out, key=lambda s: (s.start, s.end, s.label))

    def suggest(
        self, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[list[Span]]:
        """Suggestions for each text, in order (spaCy's nlp.pipe underneath)."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            yield self.spans(doc)


def trim_entity(text: str, start: int, end: int) -> tuple[int, int]:
    """The scheme's boundaries: no leading "the", no trailing possessive "'s"."""
    if text[start : start + 4].lower() == "the " and end - start > 4:
        start += 4
    for possessive in ("'s", "\u2019s"):
        if text[start:end].endswith(possessive) and end - start > 2:
            end -= 2
    return start, end


def load_pipeline(candidates: Sequence[str], *, strict: bool = False) -> tuple[Language, str]:
    """The first loadable pipeline among `candidates` (names or paths), else blank English.

    With `strict`, failing to load every candidate is an error instead.
    """
    errors = []
    for name in candidates:
        if name == BLANK:
            break
        try:
            nlp = spacy.load(name)
        except (OSError, ImportError, ValueError) as e:
            errors.append(f"{name}: {e}")
            continue
        return nlp, name
    if strict and errors:
        raise ModelError("cannot load spaCy pipeline " + "; ".join(errors))
    if candidates and candidates[0] != BLANK:
        warnings.warn(
            f"none of the spaCy pipelines {', '.join(candidates)} is installed; using a blank "
            "English pipeline: casualty rules only, no entity suggestions",
            ModelWarning,
            stacklevel=2,
        )
    return spacy.blank("en"), BLANK


@functools.cache
def build_suggester(
    candidates: tuple[str, ...],
    label_map: tuple[tuple[str, str], ...] = (),
    strict: bool = False,
    gold_patterns: tuple[tuple[str, str], ...] = (),
) -> Suggester:
    """Load the pipeline and add the casualty rules: the one place a pipeline is built.

    `gold_patterns` are (label, text) pairs annotators confirmed; an entity ruler
    suggests them in later documents, overriding the model where they disagree.
    """
    nlp, name = load_pipeline(candidates, strict=strict)
    if CASUALTY_PIPE not in nlp.pipe_names:
        nlp.add_pipe(CASUALTY_PIPE, config={"spans_key": SPANS_KEY})
    if gold_patterns:
        ruler: Any = nlp.add_pipe(
            "entity_ruler",
            name=GOLD_RULER_PIPE,
            before=CASUALTY_PIPE,
            config={"overwrite_ents": True},
        )
        ruler.add_patterns(
            [
                {"label": label, "pattern": text, "id": GOLD_RULER_PIPE}
                for label, text in gold_patterns
            ]
        )
    meta: dict[str, Any] = nlp.meta
    if name == BLANK:
        version = BLANK
    else:
        version = f"{meta.get('lang', 'en')}_{meta.get('name', name)}-{meta.get('version', '0')}"
    version += f"+casualties-{casualty_rules.RULES_VERSION}"
    if gold_patterns:  # new gold changes the suggestions: suggest again
        digest = hashlib.sha256(repr(gold_patterns).encode()).hexdigest()[:8]
        version += f"+gold-{len(gold_patterns)}-{digest}"
    return Suggester(nlp=nlp, version=version, label_map=dict(label_map) or default_label_map())


def default_label_map() -> dict[str, str]:
    return {k: k for k in ("PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "DATE")}


def suggester_for(
    config: Any, model: str | None = None, gold_patterns: Sequence[tuple[str, str]] = ()
) -> Suggester:
    """The suggester a Config asks for (`model` overrides the configured one)."""
    candidates = (model,) if model else (config.model, *config.model_fallbacks)
    label_map = tuple(sorted(config.label_map.items()))
    return build_suggester(
        tuple(candidates),
        label_map,
        strict=model is not None,
        gold_patterns=tuple(sorted(gold_patterns)),
    )
