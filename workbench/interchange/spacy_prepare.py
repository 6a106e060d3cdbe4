"""The spaCy export's work on a batch of documents, from their texts and gold-span JSON
to what `ShardWriter.add_packed` takes: `prepared`.

A batch's spans are decoded, its texts tokenized and the spans placed on the tokens
(spacy_tokenize.token_batch), each document built (spacy_docs.build_doc: a document
with a span off token bounds is split there) and packed (spacy_shards.Packing). Past
the first batch all of it runs in the second process (spacy_tokenize.batches), so
this one only reads the store and writes the shards; each document comes back with
its token array, its packed entities and span groups, the spans it could not hold
(with why), its split tokens and how many spans it had.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from typing import Any, TypeVar

import numpy
from spacy.language import Language

from ..model import Span
from .spacy_docs import build_doc
from .spacy_shards import Packed, Packing
from .spacy_tokenize import batches, split, token_batch

T = TypeVar("T")
# A document ready for a shard: packed, dropped spans, split tokens, spans; and with
# its token array in front, as `prepared` yields it.
Doc = tuple[Packed, list[tuple[Span, str]], int, int]
Prepared = tuple[Any, Packed, list[tuple[Span, str]], int, int]


def prepared(
    items: Iterable[T],
    text_of: Callable[[T], str],
    json_of: Callable[[T], str],
    decode: Callable[[str], list[Span]],
    nlp: Language,
    *,
    casualty_labels: Sequence[str],
    relation_labels: Sequence[str],
    parallel: bool | None = None,
) -> Generator[tuple[T, Prepared], None, None]:
    """Each item with its document prepared (`json_of`: its gold spans as JSON, which
    `decode` makes Spans of), in order; `parallel` as in spacy_tokenize.batches, whose
    worker is stopped when this generator is closed."""
    packing = Packing(nlp.vocab)

    def payload(batch: list[T]) -> tuple[list[str], list[str]]:
        return [text_of(x) for x in batch], [json_of(x) for x in batch]

    def work(texts_jsons: tuple[list[str], list[str]]) -> tuple[Any, list[int], list[Doc]]:
        texts, jsons = texts_jsons
        spans = [decode(j) for j in jsons]
        chars = [[(s.start, s.end) for s in doc] for doc in spans]
        array, lengths, bounds = token_batch(nlp, texts, chars)
        docs: list[Doc] = []
        arrays = []
        for text, doc, tokens in zip(texts, spans, split(array, lengths, bounds), strict=True):
            built = build_doc(
                text,
                doc,
                casualty_labels=casualty_labels,
                nlp=nlp,
                relation_labels=relation_labels,
                tokens=tokens,
            )
            arrays.append(built.array)
            docs.append((packing(built), built.dropped, built.split_tokens, len(doc)))
        if any(b is None for b in bounds):  # split here: other tokens, new strings perhaps
            array, lengths = numpy.vstack(arrays), [len(a) for a in arrays]
        return array, lengths, docs

    for batch, (array, lengths, docs) in batches(items, payload, work, nlp, parallel=parallel):
        at = 0
        for item, n, doc in zip(batch, lengths, docs, strict=True):
            yield item, (array[at : at + n], *doc)
            at += n
