"""Writing built Docs (spacy_docs.py) as DocBin shards for `spacy train`: `ShardWriter`.

Two paths write the same shards. The public one is spaCy's `DocBin.add`, one Doc at
a time. The fast one does once per shard the per-document serializer set-up of
`DocBin.add` (a Python loop over every token, and a msgpack Packer built per span
group): token arrays come from the one `Doc.to_array` per document that placed the
spans (the entity columns are filled from the placed spans, never through
`doc.ents`), strings from the unique hashes of a shard, and span groups are packed
with one reused Packer in the byte layout of `SpanGroup.to_bytes` (`Packing`, which
the export runs in its second process, spacy_prepare.py). That fills
DocBin's internals, so it runs only on the spaCy versions in `FAST_PATH_SPACY`,
where tests/test_spacy_docbin.py checks that its shards load as the same Docs
(tokens, spaces, entities, casualty spans and their attributes) as the public
path's; any other version takes the public path. Either way a full shard is
written (`DocBin.to_bytes`, whose zlib step lets go of the GIL) on a thread of its
own while the next one fills.
"""

from __future__ import annotations

import struct
import threading
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.attrs import ENT_IOB, ENT_TYPE, ORTH, SPACY
from spacy.tokens import DocBin, SpanGroup
from spacy.tokens import Span as SpacySpan
from spacy.vocab import Vocab
from srsly import msgpack

from ..model import Span
from .spacy_docs import RELATIONS_ATTR, SPANS_KEY, TOKEN_ATTRS, Built, group_key, span_key

DOCBIN_ATTRS = ("ORTH", "ENT_IOB", "ENT_TYPE")
SHARD_SIZE = 10_000
# spaCy versions (major.minor) whose DocBin and SpanGroup layout the fast path was
# checked against; add one only after tests/test_spacy_docbin.py passes on it.
FAST_PATH_SPACY = ("3.8",)


def fast_path_supported(version: str = spacy.__version__) -> bool:
    """Whether the hand-filled DocBin path is tested on this spaCy version."""
    return ".".join(version.split(".")[:2]) in FAST_PATH_SPACY


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
        self.packing = Packing(vocab)
        self.files: list[Path] = []
        self.documents = 0
        self._writing: _Writing | None = None
        self._new_bin()

    def _new_bin(self) -> None:
        self.bin = DocBin(attrs=list(DOCBIN_ATTRS), store_user_data=False)
        self.labels: set[str] = set()
        # The fast path's shard so far: each Doc's token array, and each entity's
        # first and end token in the shard with its label's hash.
        self.arrays: list[Any] = []
        self.ents: list[tuple[int, int, int]] = []
        self.tokens = 0

    def add(self, built: Built) -> None:
        """Add one built Doc: its token array and entities (the shard's token columns
        are filled when it is written), and its casualty group packed directly."""
        if not self.fast:
            self._add_public(built)
            return
        self.add_packed(built.array, self.packing(built))

    def add_packed(self, array: Any, packed: Packed) -> None:
        """Add one Doc as `Packing` packs it (here or in another process), with its
        token array: the fast path."""
        ents, group, labels = packed
        at = self.tokens
        self.ents.extend([(at + start, at + end, h) for start, end, h in ents])
        if not self.labels.issuperset(labels):
            for label in labels:
                self.packing.hash(label)  # packed elsewhere: in this vocab, where flush looks
            self.labels.update(labels)
        self.arrays.append(array)
        self.tokens += len(array)
        b = self.bin
        b.flags.append({"has_unknown_spaces": False})
        b.cats.append({})
        b.span_groups.append(group)
        self.documents += 1
        if len(self.arrays) >= self.shard_size:
            self.flush()

    def _fill_columns(self, b: DocBin) -> Any:
        """The shard's token columns, as `doc.to_array(b.attrs)` has them once
        `doc.ents` is set, one array per Doc: ORTH, and per token outside an entity
        IOB "O" (2) and no type; inside one, "B" (3) on its first token, "I" (1) on
        the rest, and its label's hash; and SPACY as booleans."""
        array = numpy.vstack(self.arrays)
        columns = numpy.zeros((len(array), len(b.attrs)), dtype=array.dtype)
        iob, kind = b.attrs.index(ENT_IOB), b.attrs.index(ENT_TYPE)
        columns[:, b.attrs.index(ORTH)] = array[:, TOKEN_ATTRS.index(ORTH)]
        columns[:, iob] = 2
        if self.ents:
            starts, ends, hashes = numpy.array(self.ents, dtype=array.dtype).T
            lengths = (ends - starts).astype(numpy.intp)
            # Every entity's tokens: its first, repeated, plus 0, 1, ... within it.
            first = numpy.repeat(starts.astype(numpy.intp), lengths)
            within = numpy.arange(len(first)) - numpy.repeat(lengths.cumsum() - lengths, lengths)
            inside = first + within
            columns[inside, iob] = 1
            columns[starts.astype(numpy.intp), iob] = 3
            columns[inside, kind] = numpy.repeat(hashes, lengths)
        spaces = array[:, TOKEN_ATTRS.index(SPACY)].astype(bool).reshape((len(array), 1))
        bounds = list(pairwise(numpy.cumsum([0] + [len(a) for a in self.arrays]).tolist()))
        b.tokens = [columns[i:j] for i, j in bounds]
        b.spaces = [spaces[i:j] for i, j in bounds]
        return columns

    def _add_public(self, built: Built) -> None:
        doc = built.doc
        spans = [
            SpacySpan(doc, *built.token_spans[span_key(s)], label=s.label) for s in built.casualties
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
            group = [
                SpacySpan(doc, *built.token_spans[span_key(c)], label=c.label) for c in children
            ]
            doc.spans[key] = SpanGroup(doc, name=key, attrs={}, spans=group)
        self.bin.add(doc)
        self.documents += 1
        if len(self.bin) >= self.shard_size:
            self.flush()

    def flush(self) -> None:
        b = self.bin
        if not (self.arrays if self.fast else b.tokens):
            return
        if not self.fast:
            self._write(b)
            return
        columns = self._fill_columns(b)
        hashes = numpy.unique(columns[:, [b.attrs.index(ORTH), b.attrs.index(ENT_TYPE)]])
        strings = self.vocab.strings
        b.strings.update(strings[int(h)] for h in hashes if h)
        b.strings.update(self.labels)
        self._write(b)

    def _write(self, b: DocBin) -> None:
        """Write the shard on a thread of its own (zlib, most of `DocBin.to_bytes`,
        lets go of the GIL), so the next shard fills meanwhile; one at a time."""
        self.wait()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{len(self.files):04d}.spacy"
        self._writing = _Writing(b, path)
        self._writing.start()
        self.files.append(path)
        self._new_bin()

    def wait(self) -> None:
        """Until the shard being written is on disk (raising what writing it raised)."""
        writing, self._writing = self._writing, None
        if writing is not None:
            writing.join()
            if writing.error is not None:
                raise writing.error

    def close(self) -> list[Path]:
        self.flush()
        self.wait()
        return self.files


class _Writing(threading.Thread):
    """One shard's `DocBin.to_bytes`, written to its file."""

    def __init__(self, b: DocBin, path: Path) -> None:
        super().__init__(name=f"shard {path.name}", daemon=True)
        self.b, self.path = b, path
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.path.write_bytes(self.b.to_bytes())
        except BaseException as e:  # noqa: BLE001 - `ShardWriter.wait` raises it
            self.error = e


Packed = tuple[list[tuple[int, int, int]], bytes, list[str]]


class Packing:
    """What the fast path makes of a built Doc (`__call__`): its entities' first and
    end tokens with their labels' hashes, its span groups packed in the byte layout
    of `SpanGroup.to_bytes`, and the labels these use. One reused msgpack Packer
    (building one is slow); labels are hashed into `vocab`."""

    def __init__(self, vocab: Vocab) -> None:
        self.strings = vocab.strings
        self.packer = msgpack.Packer(use_bin_type=True)
        self.hashes: dict[str, int] = {}

    def hash(self, label: str) -> int:
        h = self.hashes.get(label)
        if h is None:
            h = self.hashes[label] = self.strings.add(label)
        return h

    def __call__(self, built: Built) -> Packed:
        placed, labels = built.token_spans, {s.label for s in built.ents}
        ents = [(*placed[span_key(s)], self.hash(s.label)) for s in built.ents]
        return ents, self._groups(built, labels), list(labels)

    def _groups(self, built: Built, labels: set[str]) -> bytes:
        values, qualifiers = [], []
        for s in built.casualties:
            values.append(s.attrs.get("value"))
            qualifiers.append(s.attrs.get("qualifier"))
        attrs: dict[str, Any] = {"values": values, "qualifiers": qualifiers}
        if built.links:
            attrs[RELATIONS_ATTR] = {label: links for label, (_, links) in built.links.items()}
        group = self._packed(built, SPANS_KEY, attrs, built.casualties, labels)
        if not built.links:
            return self.packer.pack({group: [SPANS_KEY]})
        groups = {group: [SPANS_KEY]}
        for label, (children, _) in built.links.items():
            key = group_key(label)
            groups[self._packed(built, key, {}, children, labels)] = [key]
        return self.packer.pack(groups)

    def _packed(
        self, built: Built, name: str, attrs: dict[str, Any], spans: list[Span], labels: set[str]
    ) -> bytes:
        """One span group in the byte layout of `SpanGroup.to_bytes`."""
        packed = []
        for s in spans:
            start, end = built.token_spans[span_key(s)]
            # Character bounds from the tokens, as a spaCy Span has them (a span's edge
            # whitespace that is a token's trailing space is outside it): on tokens of
            # its own bounds (`aligned`), a span's own.
            chars = (
                (s.start, s.end) if built.aligned else (built.starts[start], built.ends[end - 1])
            )
            # Layout of spacy.tokens.SpanGroup.to_bytes: id, kb_id, label, token and char bounds.
            packed.append(struct.pack(">QQQllll", 0, 0, self.hash(s.label), start, end, *chars))
            labels.add(s.label)
        return self.packer.pack({"name": name, "attrs": attrs, "spans": packed})
