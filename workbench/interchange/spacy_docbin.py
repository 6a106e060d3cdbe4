"""spaCy Docs from gold spans, and DocBin files for `spacy train`.

Entities go to `doc.ents`; casualty spans go to `doc.spans["casualties"]`, whose
group attributes carry each span's value and qualifier (`casualty_group_attrs(doc)` reads
them back). Sources (the children of a casualty span's SOURCE link, and any span labelled
SOURCE) go to `doc.spans["sources"]`, and the casualty group's `relations` attribute
holds each casualty span's link as an index into that group (`{"SOURCE": [0, None]}`).
`read_docbin` reads a DocBin back as documents for `workbench import`. Only export,
train, import of .spacy files and suggest-like modules import this one: it loads spaCy.

Writing is fast because the per-document serializer set-up of `DocBin.add` (a
Python loop over every token, and a msgpack Packer built per span group) is done
once per shard instead: token arrays come from one `Doc.to_array` per document (the
entity columns are filled from the placed spans, never through `doc.ents`), strings
from the unique hashes of a shard, and span groups are packed with one reused Packer
in the byte layout of `SpanGroup.to_bytes`. Spans are placed on tokens by bisecting
the tokens' character bounds, not through `Doc.char_span`. That fills DocBin's
internals, so it runs only on the spaCy versions in `FAST_PATH_SPACY`, where
tests/test_spacy_docbin.py checks that its shards load as the same Docs (tokens,
spaces, entities, casualty spans and their attributes) as the public `DocBin.add`
path's; any other version takes the public path.
"""

from __future__ import annotations

import functools
import struct
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.attrs import ENT_IOB, ENT_TYPE, LENGTH, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc, DocBin, SpanGroup
from spacy.tokens import Span as SpacySpan
from spacy.vocab import Vocab
from srsly import msgpack

from ..model import (
    CASUALTY_LABELS,
    SOURCE_LABEL,
    SOURCE_RELATION,
    NewDocument,
    Span,
    count_attrs,
    link_key,
    relations,
    with_link,
)

SPANS_KEY = "casualties"
RELATIONS_ATTR = "relations"  # on the casualty group: {label: [child index or None, ...]}
DOCBIN_ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE")
SHARD_SIZE = 10_000
# spaCy versions (major.minor) whose DocBin and SpanGroup layout the fast path was
# checked against; add one only after tests/test_spacy_docbin.py passes on it.
FAST_PATH_SPACY = ("3.8",)


def fast_path_supported(version: str = spacy.__version__) -> bool:
    """Whether the hand-filled DocBin path is tested on this spaCy version."""
    return ".".join(version.split(".")[:2]) in FAST_PATH_SPACY


@functools.cache
def blank() -> Language:
    """The shared blank English pipeline whose tokenizer every exporter uses."""
    return spacy.blank("en")


@dataclass
class Built:
    """A Doc with its gold spans placed, and the spans a Doc could not hold.

    `doc` sets the Doc's entities on first use; the fast DocBin path never asks for
    it and writes the entity columns from `ents` and `token_spans` itself.
    """

    tokens: Doc  # the tokenized Doc, entities not set yet
    ents: list[Span]  # the spans in doc.ents, in order
    casualties: list[Span]  # the spans in the casualty group, in order
    token_spans: dict[tuple[int, int, str], tuple[int, int]]  # span key -> token [start, end)
    dropped: list[tuple[Span, str]] = field(default_factory=list)
    split_tokens: int = 0
    # Relation label -> the children group (in order) and each casualty span's index in it.
    links: dict[str, tuple[list[Span], list[int | None]]] = field(default_factory=dict)
    # Per token: ORTH, LENGTH, SPACY (one Doc.to_array), and its character bounds.
    array: Any = None
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    _with_ents: bool = False

    @property
    def doc(self) -> Doc:
        """The Doc with `ents` as its entities."""
        doc = self.tokens
        if not self._with_ents:
            placed = self.token_spans
            doc.ents = [SpacySpan(doc, *placed[_key(s)], label=s.label) for s in self.ents]
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
) -> Built:
    """Tokenize `text` so every span boundary is a token boundary, then place the spans.

    Entities that overlap an earlier (or longer) entity cannot be in `doc.ents`: they
    are returned in `dropped` with the reason, never lost silently. With `all_in_ents`
    casualty spans compete for `doc.ents` too (what a one-tag-per-token format needs);
    without it, spans labelled SOURCE are not entities: they are in the sources group.
    """
    nlp = nlp or blank()
    doc = nlp.tokenizer(text)
    array, starts, ends = _token_arrays(doc)
    placed: dict[tuple[int, int, str], tuple[int, int]] = {}
    split = 0
    if not _aligned(starts, ends, spans, placed):
        doc, split = _split_at(nlp.vocab, doc, spans)
        array, starts, ends = _token_arrays(doc)
        placed.clear()
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
    built = Built(doc, ents, casualties, placed, dropped, split)
    built.array, built.starts, built.ends = array, starts, ends
    if not all_in_ents and (unlinked or _any_link(spans, relation_labels)):
        built.links = _links(spans, casualties, unlinked, placed, relation_labels)
    return built


def _any_link(spans: Sequence[Span], relation_labels: Sequence[str]) -> bool:
    """Might a span link another (has an attribute named for a relation)?"""
    keys = [link_key(label) for label in relation_labels]
    return any(k in s.attrs for s in spans for k in keys)


def _token_arrays(doc: Doc) -> tuple[Any, list[int], list[int]]:
    """ORTH, LENGTH and SPACY per token, and each token's first and end character."""
    array = doc.to_array([ORTH, LENGTH, SPACY]).reshape((len(doc), 3))
    lengths, spaces = array[:, 1], array[:, 2]
    ends = numpy.cumsum(lengths + spaces) - spaces
    return array, (ends - lengths).tolist(), ends.tolist()


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
    found = [r for r in relations(spans, relation_labels) if _key(r.child) in placed]
    for label in relation_labels:
        of = {id(r.head): r.child for r in found if r.label == label}
        extra = unlinked if label == SOURCE_RELATION else []
        children = {_key(c): c for c in [*of.values(), *extra]}
        if not children:
            continue
        group = sorted(children.values(), key=lambda s: (s.start, s.end, s.label))
        index = {_key(c): i for i, c in enumerate(group)}
        links = [index[_key(of[id(c)])] if id(c) in of else None for c in casualties]
        out[label] = (group, links)
    return out


def _key(s: Span) -> tuple[int, int, str]:
    return (s.start, s.end, s.label)


def non_overlapping(spans: Iterable[Span]) -> tuple[list[Span], list[tuple[Span, str]]]:
    """Keep spans left to right (the longer first at one start); say why each other went."""
    kept: list[Span] = []
    dropped: list[tuple[Span, str]] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start), s.label)):
        clash = next((k for k in reversed(kept) if k.start < s.end and s.start < k.end), None)
        if clash is None:
            kept.append(s)
        else:
            dropped.append((s, f"overlaps {clash.label} [{clash.start}, {clash.end})"))
    kept.sort(key=lambda s: (s.start, s.end))
    return kept, dropped


def _aligned(
    starts: list[int],
    ends: list[int],
    spans: Sequence[Span],
    placed: dict[tuple[int, int, str], tuple[int, int]],
) -> bool:
    """Place every span on the tokens it covers exactly, as `Doc.char_span` does in
    "strict" mode (a span must start at a token's start and end at a token's end);
    False at the first span that does not."""
    n = len(starts)
    for s in spans:
        first, last = bisect_left(starts, s.start), bisect_left(ends, s.end)
        if first == n or last == n or starts[first] != s.start or ends[last] != s.end:
            return False
        if last < first:
            return False
        placed[_key(s)] = (first, last + 1)
    return True


def _contracted(
    doc: Doc, spans: Sequence[Span], placed: dict[tuple[int, int, str], tuple[int, int]]
) -> None:
    """Place each span on the tokens wholly inside it (none: the span is not placed)."""
    for s in spans:
        cs = doc.char_span(s.start, s.end, alignment_mode="contract")
        if cs is not None and len(cs) > 0:
            placed[_key(s)] = (cs.start, cs.end)


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


# ---- DocBin writing ------------------------------------------------------------------


class ShardWriter:
    """Collects Docs into DocBin shards of `shard_size` and writes them to `folder`.

    `fast`: fill the DocBin directly (default: on the tested spaCy versions only);
    False: the public `DocBin.add`, one Doc at a time.
    """

    def __init__(
        self, folder: Path, vocab: Vocab, shard_size: int = SHARD_SIZE, fast: bool | None = None
    ) -> None:
        self.folder, self.vocab, self.shard_size = folder, vocab, shard_size
        self.fast = fast_path_supported() if fast is None else fast
        self.packer = msgpack.Packer(use_bin_type=True)  # one Packer: building it is slow
        self.label_hashes: dict[str, int] = {}
        self.files: list[Path] = []
        self.documents = 0
        self._new_bin()

    def _new_bin(self) -> None:
        self.bin = DocBin(attrs=list(DOCBIN_ATTRS), store_user_data=False)
        self.labels: set[str] = set()

    def add(self, built: Built) -> None:
        """Add one built Doc: its token arrays, and its casualty group packed directly."""
        b = self.bin
        if not self.fast:
            self._add_public(built)
            return
        b.tokens.append(self._token_columns(built, b.attrs))
        b.spaces.append(built.array[:, 2:3].astype(bool))
        b.flags.append({"has_unknown_spaces": False})
        b.cats.append({})
        b.span_groups.append(self._pack_group(built))
        self.labels.update(s.label for s in built.ents)
        self.documents += 1
        if len(b.tokens) >= self.shard_size:
            self.flush()

    def _token_columns(self, built: Built, attrs: list[int]) -> Any:
        """The DocBin's token columns, as `doc.to_array(attrs)` has them once `doc.ents`
        is set: ORTH, and per token outside an entity IOB "O" (2) and no type; inside
        one, "B" (3) on its first token, "I" (1) on the rest, and its label's hash."""
        array = built.array
        columns = numpy.zeros((len(array), len(attrs)), dtype=array.dtype)
        iob, kind = attrs.index(ENT_IOB), attrs.index(ENT_TYPE)
        columns[:, attrs.index(ORTH)] = array[:, 0]
        columns[:, iob] = 2
        for s in built.ents:
            start, end = built.token_spans[_key(s)]
            columns[start, iob] = 3
            columns[start + 1 : end, iob] = 1
            columns[start:end, kind] = self._hash(s.label)
        return columns

    def _hash(self, label: str) -> int:
        h = self.label_hashes.get(label)
        if h is None:
            h = self.label_hashes[label] = self.vocab.strings.add(label)
        return h

    def _add_public(self, built: Built) -> None:
        doc = built.doc
        spans = [
            SpacySpan(doc, *built.token_spans[_key(s)], label=s.label) for s in built.casualties
        ]
        attrs: dict[str, Any] = {
            "values": [s.attrs.get("value") for s in built.casualties],
            "qualifiers": [s.attrs.get("qualifier") for s in built.casualties],
        }
        if built.links:
            attrs[RELATIONS_ATTR] = {label: links for label, (_, links) in built.links.items()}
        doc.spans[SPANS_KEY] = SpanGroup(doc, name=SPANS_KEY, attrs=attrs, spans=spans)
        for label, (children, _) in built.links.items():
            key = group_key(label)
            group = [SpacySpan(doc, *built.token_spans[_key(c)], label=c.label) for c in children]
            doc.spans[key] = SpanGroup(doc, name=key, attrs={}, spans=group)
        self.bin.add(doc)
        self.documents += 1
        if len(self.bin) >= self.shard_size:
            self.flush()

    def _pack_group(self, built: Built) -> bytes:
        values, qualifiers = [], []
        for s in built.casualties:
            values.append(s.attrs.get("value"))
            qualifiers.append(s.attrs.get("qualifier"))
        attrs: dict[str, Any] = {"values": values, "qualifiers": qualifiers}
        if built.links:
            attrs[RELATIONS_ATTR] = {label: links for label, (_, links) in built.links.items()}
        group = self._packed(built, SPANS_KEY, attrs, built.casualties)
        if not built.links:
            return self.packer.pack({group: [SPANS_KEY]})
        groups = {group: [SPANS_KEY]}
        for label, (children, _) in built.links.items():
            key = group_key(label)
            groups[self._packed(built, key, {}, children)] = [key]
        return self.packer.pack(groups)

    def _packed(self, built: Built, name: str, attrs: dict[str, Any], spans: list[Span]) -> bytes:
        """One span group in the byte layout of `SpanGroup.to_bytes`."""
        packed = []
        for s in spans:
            start, end = built.token_spans[_key(s)]
            # Character bounds from the tokens, as a spaCy Span has them (a span's edge
            # whitespace that is a token's trailing space is outside it).
            chars = (built.starts[start], built.ends[end - 1])
            # Layout of spacy.tokens.SpanGroup.to_bytes: id, kb_id, label, token and char bounds.
            packed.append(struct.pack(">QQQllll", 0, 0, self._hash(s.label), start, end, *chars))
            self.labels.add(s.label)
        return self.packer.pack({"name": name, "attrs": attrs, "spans": packed})

    def flush(self) -> None:
        b = self.bin
        if not b.tokens:
            return
        if not self.fast:
            self._write(b)
            return
        columns = [i for i, a in enumerate(b.attrs) if a in (ORTH, ENT_TYPE)]
        hashes = numpy.unique(numpy.vstack(b.tokens)[:, columns])
        strings = self.vocab.strings
        b.strings.update(strings[int(h)] for h in hashes if h)
        b.strings.update(self.labels)
        self._write(b)

    def _write(self, b: DocBin) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{len(self.files):04d}.spacy"
        path.write_bytes(b.to_bytes())
        self.files.append(path)
        self._new_bin()

    def close(self) -> list[Path]:
        self.flush()
        return self.files


def casualty_group_attrs(doc: Doc, key: str = SPANS_KEY) -> list[dict[str, Any]]:
    """Value and qualifier of each span in a loaded doc's casualty group, in order."""
    group = doc.spans.get(key)
    if group is None:
        return []
    values = group.attrs.get("values") or [None] * len(group)
    qualifiers = group.attrs.get("qualifiers") or [None] * len(group)
    return [count_attrs(v, q) for v, q in zip(values, qualifiers, strict=True)]


# ---- DocBin reading ------------------------------------------------------------------


def read_docbin(path: Path, labels: Any = None) -> list[NewDocument]:
    """The documents of a .spacy file, as this module writes them: entities from
    `doc.ents`, casualty spans with their counts and links, SOURCE spans from the
    sources group. Spans keep the character bounds of their tokens."""
    from .validate import InputError

    try:
        docs = list(DocBin().from_disk(path).get_docs(blank().vocab))
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(path, None, f"not a spaCy DocBin: {e}") from None
    if not docs:
        raise InputError(path, None, "no documents in file")
    return [_document(doc, path, n, labels) for n, doc in enumerate(docs, start=1)]


def _document(doc: Doc, path: Path, number: int, labels: Any) -> NewDocument:
    from .validate import check_text, checked_span

    text = doc.text
    check_text(text, path, number)

    def span(s: SpacySpan, attrs: dict[str, Any]) -> Span:
        return checked_span(s.start_char, s.end_char, s.label_, attrs, text, path, number, labels)

    found = {_key(x): x for x in (span(e, {}) for e in doc.ents)}
    group = doc.spans.get(SPANS_KEY)
    heads = []
    if group is not None:
        heads = [span(s, a) for s, a in zip(group, casualty_group_attrs(doc), strict=True)]
        for label, indexes in (group.attrs.get(RELATIONS_ATTR) or {}).items():
            children = [span(s, {}) for s in doc.spans.get(group_key(label), [])]
            for c in children:
                found.setdefault(_key(c), c)
            for i, at in enumerate(indexes):
                if at is not None:
                    heads[i] = with_link(heads[i], children[at], label)
    for h in heads:
        found[_key(h)] = h
    spans = tuple(sorted(found.values(), key=lambda s: (s.start, s.end, s.label)))
    return NewDocument(text, {"meta": {"source": str(path)}}, f"{path}:{number}", spans)
