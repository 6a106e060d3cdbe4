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
from ..model import (
    SOURCE_GOLD_RULER,
    SOURCE_LABEL,
    SOURCE_MODEL,
    SOURCE_RULE,
    Span,
    count_attrs,
    with_link,
)
from . import (
    casualty_rules,  # noqa: F401  (registers the "workbench_casualties" factory)
    entity_rules,
    gold_ruler,
    news_actors,
    sources,  # registers the "workbench_sources" factory
)

CASUALTY_PIPE = "workbench_casualties"
SOURCES_PIPE = "workbench_sources"
ENTITY_PIPE = "workbench_entities"
GOLD_RULER_PIPE = entity_rules.GOLD_ID
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
        """Entity and casualty suggestions of one processed doc, in text order.

        A casualty span the sources component linked carries the link (`with_link`) to
        the entity span at the source's offsets, else to a new span labelled SOURCE.
        """
        out = []
        entities: dict[tuple[int, int], Span] = {}
        for ent in doc.ents:
            label = self.label_map.get(ent.label_)
            if label is not None:  # CARDINAL and unmapped labels are never shown
                source = SOURCE_GOLD_RULER if ent.ent_id_ == GOLD_RULER_PIPE else SOURCE_MODEL
                entity = Span(ent.start_char, ent.end_char, label, {}, source)
                entities[(entity.start, entity.end)] = entity
                out.append(entity)
        mentions: dict[tuple[int, int], Span] = {}
        for span in doc.spans.get(SPANS_KEY, []):
            attrs = count_attrs(span._.casualty_value, span._.casualty_qualifier)
            source = SOURCE_RULE
            if attrs["qualifier"] is None:  # a trained spancat's span: read its count here
                attrs = casualty_rules.count_attrs_of_text(span.text) or attrs
                source = SOURCE_MODEL
            figure = Span(span.start_char, span.end_char, span.label_, attrs, source)
            bounds = span._.casualty_source
            if bounds is not None:
                child = entities.get(bounds) or mentions.get(bounds)
                if child is None:
                    child = Span(bounds[0], bounds[1], SOURCE_LABEL, {}, SOURCE_RULE)
                    mentions[bounds] = child
                figure = with_link(figure, child)
            out.append(figure)
        out += mentions.values()
        return sorted(out, key=lambda s: (s.start, s.end, s.label))

    def suggest(
        self, texts: Iterable[str], *, batch_size: int = 64, n_process: int = 1
    ) -> Iterator[list[Span]]:
        """Suggestions for each text, in order (spaCy's nlp.pipe underneath)."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size, n_process=n_process):
            yield self.spans(doc)


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
    pattern_files: tuple[str, ...] = (),
) -> Suggester:
    """Load the pipeline and add the scheme's components: the one place a pipeline is built.

    After `ner`: the news-actor patterns (shipped, plus a team's `pattern_files`),
    the gold ruler of `gold_patterns`, (label, text) pairs annotators confirmed, then
    the entity conventions, the casualty rules and the sources of the casualty spans.
    The conventions decide between them: the gold ruler over the patterns over the model.
    """
    nlp, name = load_pipeline(candidates, strict=strict)
    entity_rules.split_name_affixes(nlp)
    if CASUALTY_PIPE not in nlp.pipe_names:
        nlp.add_pipe(CASUALTY_PIPE, config={"spans_key": SPANS_KEY})
    if SOURCES_PIPE not in nlp.pipe_names:
        nlp.add_pipe(SOURCES_PIPE, after=CASUALTY_PIPE, config={"spans_key": SPANS_KEY})
    if ENTITY_PIPE not in nlp.pipe_names:
        nlp.add_pipe(ENTITY_PIPE, before=CASUALTY_PIPE)
    actors: list[dict[str, Any]] = []
    if "ner" in nlp.pipe_names and news_actors.ACTORS_PIPE not in nlp.pipe_names:
        actors = news_actors.read_patterns(news_actors.pattern_files(pattern_files))
        news_actors.add_news_actors(nlp, actors, after="ner")
    gold = gold_ruler.learnable_patterns(gold_patterns)
    if gold:
        ruler: Any = nlp.add_pipe(
            "span_ruler",
            name=GOLD_RULER_PIPE,
            before=ENTITY_PIPE,
            config={"spans_key": entity_rules.GOLD_KEY, "annotate_ents": False},
        )
        ruler.add_patterns([{"label": label, "pattern": text} for label, text in gold])
    meta: dict[str, Any] = nlp.meta
    if name == BLANK:
        version = BLANK
    else:
        version = f"{meta.get('lang', 'en')}_{meta.get('name', name)}-{meta.get('version', '0')}"
    version += f"+casualties-{casualty_rules.RULES_VERSION}"
    version += f"+entities-{entity_rules.RULES_VERSION}"
    version += f"+sources-{sources.RULES_VERSION}"
    if actors:  # edited pattern files change the suggestions: suggest again
        version += f"-{news_actors.patterns_digest(actors)}"
    if gold:  # new gold changes the suggestions: suggest again
        digest = hashlib.sha256(repr(gold).encode()).hexdigest()[:8]
        version += f"+gold-{len(gold)}-{digest}"
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
        pattern_files=tuple(getattr(config, "entity_patterns", ())),
    )
