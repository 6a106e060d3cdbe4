"""spaCy Docs from gold spans: tokenizing so every span boundary is a token boundary,
placing each span on its tokens, and sorting the spans into `doc.ents`, the casualty
group and the relations' children groups (`build_doc`, `Built`).

Spans are placed by bisecting the tokens' character bounds (`token_bounds`: what
`Doc.char_span` does in "strict" mode, without building a Span per lookup; an export
gets them with its token arrays from spacy_tokenize.py); a document where some
span does not fall on token bounds is re-tokenized at them and placed with
`Doc.char_span(..., alignment_mode="contract")`. Writing the Docs as DocBin shards
is in spacy_shards.py; the scheme and reading it back are in spacy_docbin.py.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import spacy
from spacy.attrs import IDX, LENGTH, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan
from spacy.vocab import Vocab

from ..model import (
    CASUALTY_LABELS,
    SOURCE_LABEL,
    SOURCE_RELATION,
    Span,
    link_key,
    relations,
)

SPANS_KEY = "casualties"
RELATIONS_ATTR = "relations"  # on the casualty group: {label: [child index or None, ...]}
# The token columns of `Built.array` (one `Doc.to_array`): the DocBin's ORTH and SPACY,
# and each token's first character and length, to place the spans.
TOKEN_ATTRS = [ORTH, IDX, LENGTH, SPACY]


@functools.cache
def blank() -> Language:
    """The shared blank English pipeline whose tokenizer every exporter uses."""
    return spacy.blank("en")


@dataclass
class Built:
    """A Doc with its gold spans placed, and the spans a Doc could not hold.

    `doc` sets the Doc's entities on first use; the fast DocBin path never asks for
    it and writes the entity columns from `ents` and `token_spans` itself. Built from
    token arrays made elsewhere (spacy_tokenize.py), `tokens` is None until `doc`
    tokenizes the text again.
    """

    tokens: Doc | None  # the tokenized Doc, entities not set yet
    ents: list[Span]  # the spans in doc.ents, in order
    casualties: list[Span]  # the spans in the casualty group, in order
    token_spans: dict[tuple[int, int, str], tuple[int, int]]  # span key -> token [start, end)
    dropped: list[tuple[Span, str]] = field(default_factory=list)
    split_tokens: int = 0
    # Relation label -> the children group (in order) and each casualty span's index in it.
    links: dict[str, tuple[list[Span], list[int | None]]] = field(default_factory=dict)
    # Per token: TOKEN_ATTRS (one Doc.to_array). `aligned`: every span was on the
    # tokenizer's own token bounds, so a placed span's characters are its own; else
    # (split or contracted) they are its tokens', from each token's character bounds.
    array: Any = None
    aligned: bool = False
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    _with_ents: bool = False
    _text: str = ""
    _nlp: Language | None = None

    @property
    def doc(self) -> Doc:
        """The Doc with `ents` as its entities."""
        if self.tokens is None:
            assert self._nlp is not None
            self.tokens = self._nlp.tokenizer(self._text)
        doc = self.tokens
        if not self._with_ents:
            placed = self.token_spans
            doc.ents = [SpacySpan(doc, *placed[span_key(s)], label=s.label) for s in self.ents]
            self._with_ents = True
        return doc


def group_key(relation: str) -> str:
    """The span group holding a relation's children: SOURCE -> "sources"."""
    return link_key(relation) + "s"


def is_casualty(span: Span, casualty_labels: Sequence[str] = CASUALTY_LABELS) -> bool:
    return span.label in casualty_labels or "value" in span.attrs or "qualifier" in span.attrs


def build_doc(
    text: str,
    spans: Sequence[Span],
    *,
    casualty_labels: Sequence[str] = CASUALTY_LABELS,
    nlp: Language | None = None,
    all_in_ents: bool = False,
    relation_labels: Sequence[str] = (SOURCE_RELATION,),
    tokens: tuple[Any, list[tuple[int, int]] | None] | None = None,
) -> Built:
    """Tokenize `text` so every span boundary is a token boundary, then place the spans.

    Entities that overlap an earlier (or longer) entity cannot be in `doc.ents`: they
    are returned in `dropped` with the reason, never lost silently. With `all_in_ents`
    casualty spans compete for `doc.ents` too (what a one-tag-per-token format needs);
    without it, spans labelled SOURCE are not entities: they are in the sources group.
    `tokens`: made elsewhere (spacy_tokenize.py), the text's token array as
    `nlp.tokenizer` makes it (`token_arrays`) and each span's token bounds on it
    (`token_bounds`, None when some span is off token bounds); the Doc is then made
    only if asked for or a span needs a split.
    """
    nlp = nlp or blank()
    doc = None
    starts: list[int] = []
    ends: list[int] = []
    if tokens is None:
        doc = nlp.tokenizer(text)
        array, starts, ends = token_arrays(doc)
        bounds = token_bounds(starts, ends, [(s.start, s.end) for s in spans])
    else:
        array, bounds = tokens
    split = 0
    if bounds is not None:
        placed = {(s.start, s.end, s.label): b for s, b in zip(spans, bounds, strict=True)}
    else:
        doc, split = _split_at(nlp.vocab, doc or nlp.tokenizer(text), spans)
        array, starts, ends = token_arrays(doc)
        placed = {}
        _contracted(doc, spans, placed)
    dropped: list[tuple[Span, str]] = []
    ents: list[Span] = []
    casualties: list[Span] = []
    unlinked: list[Span] = []
    for s in spans:
        if (s.start, s.end, s.label) not in placed:
            dropped.append((s, "only whitespace after tokenization"))
        elif not all_in_ents and s.label == SOURCE_LABEL and not is_casualty(s, casualty_labels):
            unlinked.append(s)
        elif all_in_ents or not is_casualty(s, casualty_labels):
            ents.append(s)
        else:
            casualties.append(s)
    ents, overlapping = non_overlapping(ents)
    dropped.extend(overlapping)
    casualties.sort(key=lambda s: (s.start, s.end, s.label))
    built = Built(doc, ents, casualties, placed, dropped, split, _text=text, _nlp=nlp)
    built.array, built.aligned, built.starts, built.ends = array, bounds is not None, starts, ends
    if not all_in_ents and (unlinked or _any_link(spans, relation_labels)):
        built.links = _links(spans, casualties, unlinked, placed, relation_labels)
    return built


def _any_link(spans: Sequence[Span], relation_labels: Sequence[str]) -> bool:
    """Might a span link another (has an attribute named for a relation)?"""
    keys = {link_key(label) for label in relation_labels}
    return any(s.attrs and not keys.isdisjoint(s.attrs) for s in spans)


def token_arrays(doc: Doc) -> tuple[Any, list[int], list[int]]:
    """ORTH, IDX, LENGTH and SPACY per token, and each token's first and end character."""
    array = doc.to_array(TOKEN_ATTRS).reshape((len(doc), len(TOKEN_ATTRS)))
    idx = array[:, 1]
    return array, idx.tolist(), (idx + array[:, 2]).tolist()


def _links(
    spans: Sequence[Span],
    casualties: list[Span],
    unlinked: list[Span],
    placed: dict[tuple[int, int, str], tuple[int, int]],
    relation_labels: Sequence[str],
) -> dict[str, tuple[list[Span], list[int | None]]]:
    """Each relation's children group and each casualty span's index in it (only the
    relations that have a child; SOURCE spans without a link are in the sources group)."""
    out: dict[str, tuple[list[Span], list[int | None]]] = {}
    found = [r for r in relations(spans, relation_labels) if span_key(r.child) in placed]
    for label in relation_labels:
        of = {id(r.head): r.child for r in found if r.label == label}
        extra = unlinked if label == SOURCE_RELATION else []
        children = {span_key(c): c for c in [*of.values(), *extra]}
        if not children:
            continue
        group = sorted(children.values(), key=lambda s: (s.start, s.end, s.label))
        index = {span_key(c): i for i, c in enumerate(group)}
        links = [index[span_key(of[id(c)])] if id(c) in of else None for c in casualties]
        out[label] = (group, links)
    return out


def span_key(s: Span) -> tuple[int, int, str]:
    """What `Built.token_spans` is keyed by."""
    return (s.start, s.end, s.label)


def non_overlapping(spans: Iterable[Span]) -> tuple[list[Span], list[tuple[Span, str]]]:
    """Keep spans left to right (the longer first at one start); say why each other went."""
    kept: list[Span] = []
    dropped: list[tuple[Span, str]] = []
    reach = None  # the furthest end of a kept span: none overlaps a span starting there
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start), s.label)):
        if reach is None or s.start >= reach:
            kept.append(s)
            reach = s.end if reach is None else max(reach, s.end)
            continue
        clash = next((k for k in reversed(kept) if k.start < s.end and s.start < k.end), None)
        if clash is None:
            kept.append(s)
            reach = max(reach, s.end)
        else:
            dropped.append((s, f"overlaps {clash.label} [{clash.start}, {clash.end})"))
    kept.sort(key=lambda s: (s.start, s.end))
    return kept, dropped


def token_bounds(
    starts: list[int], ends: list[int], chars: Iterable[tuple[int, int]]
) -> list[tuple[int, int]] | None:
    """Each character range's first and end token, as `Doc.char_span` places it in
    "strict" mode (a range must start at a token's start and end at a token's end);
    None at the first range that does not. spacy_tokenize.batch_token_bounds does
    the same for a batch of texts at once."""
    n = len(starts)
    out = []
    for start, end in chars:
        first, last = bisect_left(starts, start), bisect_left(ends, end)
        if first == n or last == n or starts[first] != start or ends[last] != end:
            return None
        if last < first:
            return None
        out.append((first, last + 1))
    return out


def _contracted(
    doc: Doc, spans: Sequence[Span], placed: dict[tuple[int, int, str], tuple[int, int]]
) -> None:
    """Place each span on the tokens wholly inside it (none: the span is not placed)."""
    for s in spans:
        cs = doc.char_span(s.start, s.end, alignment_mode="contract")
        if cs is not None and len(cs) > 0:
            placed[span_key(s)] = (cs.start, cs.end)


def _split_at(vocab: Vocab, doc: Doc, spans: Sequence[Span]) -> tuple[Doc, int]:
    """Re-tokenize: cut every token that a span starts or ends inside ("U.S.-led")."""
    cuts = sorted({s.start for s in spans} | {s.end for s in spans})
    words: list[str] = []
    spaces: list[bool] = []
    n_split = 0
    for tok in doc:
        a, b = tok.idx, tok.idx + len(tok.text)
        inner = [c for c in cuts if a < c < b]
        if inner:
            n_split += 1
        bounds = [a, *inner, b]
        for i in range(len(bounds) - 1):
            words.append(doc.text[bounds[i] : bounds[i + 1]])
            spaces.append(bool(tok.whitespace_) if i == len(bounds) - 2 else False)
    return Doc(vocab, words=words, spaces=spaces), n_split
