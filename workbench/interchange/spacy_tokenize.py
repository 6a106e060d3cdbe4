"""Token arrays for many texts, as `build_doc(..., tokens=...)` takes them: `tokenized`.

Tokenizing is most of a spaCy export's time, and the blank tokenizer holds the GIL.
So past its first batch, an export of many documents tokenizes in a second process
(forked, on Linux with two or more cores): this process sends each batch's texts, and
while the worker tokenizes them it places the previous batch's spans and writes its
shards. The worker sends back each batch's `Doc.to_array(TOKEN_ATTRS)` rows, one array
for the batch, and every token string it had not sent before, which are added to this
process's vocab (a shard's strings are looked up there by hash). Batches come back in
the order they were sent, and the arrays are the ones this process would make, so the
shards are the same bytes either way.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

import numpy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language

from .spacy_docs import TOKEN_ATTRS

T = TypeVar("T")
Tokens = tuple[Any, list[int], list[int]]  # TOKEN_ATTRS per token, its starts and ends
BATCH = 256
AHEAD = 2  # batches sent to the worker before the first of them is taken back
POLL = 1.0  # seconds between checks that the worker is still there


def parallel_supported() -> bool:
    """A second process is used only where it can be forked and has a core to run on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return (
        sys.platform == "linux" and cores >= 2 and "fork" in multiprocessing.get_all_start_methods()
    )


def tokenized(
    items: Iterable[T],
    text_of: Callable[[T], str],
    nlp: Language,
    *,
    parallel: bool | None = None,
) -> Iterator[tuple[T, Tokens]]:
    """Each item with the token arrays of its text, in order. `parallel`: tokenize in
    a second process after the first batch (default: where `parallel_supported`)."""
    parallel = parallel_supported() if parallel is None else parallel
    it = iter(items)
    worker: _Worker | None = None
    sent: deque[list[T]] = deque()
    first = True
    try:
        while batch := list(islice(it, BATCH)):
            texts = [text_of(x) for x in batch]
            if first or not parallel:  # a first batch, perhaps the only one: here
                first = False
                yield from zip(batch, _split(_arrays(nlp, texts), texts), strict=True)
                continue
            if worker is None:  # a second batch: worth a second process
                worker = _Worker(nlp)
            worker.send(texts)
            sent.append(batch)
            if len(sent) > AHEAD:
                yield from _taken(worker, sent.popleft(), nlp, text_of)
        while worker is not None and sent:
            yield from _taken(worker, sent.popleft(), nlp, text_of)
    finally:
        if worker is not None:
            worker.stop()


def _taken(
    worker: _Worker, batch: list[T], nlp: Language, text_of: Callable[[T], str]
) -> Iterator[tuple[T, Tokens]]:
    array, lengths, strings = worker.receive()
    add = nlp.vocab.strings.add
    for s in strings:
        add(s)
    texts = [text_of(x) for x in batch]
    return zip(batch, _split((array, lengths), texts), strict=True)


def _arrays(nlp: Language, texts: list[str]) -> tuple[Any, list[int]]:
    """One batch: every token's TOKEN_ATTRS in one array, and each text's token count."""
    tokenizer = nlp.tokenizer
    arrays = [tokenizer(t).to_array(TOKEN_ATTRS).reshape((-1, len(TOKEN_ATTRS))) for t in texts]
    return numpy.vstack(arrays), [len(a) for a in arrays]


def _split(batch: tuple[Any, list[int]], texts: list[str]) -> Iterator[Tokens]:
    """Each text's rows of the batch's array, and its tokens' first and end characters."""
    array, lengths = batch
    assert len(lengths) == len(texts)
    idx = array[:, TOKEN_ATTRS.index(IDX)]
    starts, ends = idx.tolist(), (idx + array[:, TOKEN_ATTRS.index(LENGTH)]).tolist()
    at = 0
    for n in lengths:
        yield array[at : at + n], starts[at : at + n], ends[at : at + n]
        at += n


class _Worker:
    """The forked tokenizing process and its two queues."""

    def __init__(self, nlp: Language) -> None:
        context = multiprocessing.get_context("fork")
        self.tasks: Any = context.Queue()
        self.results: Any = context.Queue()
        self.process = context.Process(
            target=_serve, args=(nlp, self.tasks, self.results), daemon=True
        )
        self.process.start()

    def send(self, texts: list[str]) -> None:
        self.tasks.put(texts)

    def receive(self) -> tuple[Any, list[int], list[str]]:
        while True:
            try:
                got = self.results.get(timeout=POLL)
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError("the tokenizing process stopped") from None
                continue
            if isinstance(got, BaseException):
                raise got
            return got

    def stop(self) -> None:
        """Let the worker finish (it has nothing left), or end it if it is still busy."""
        self.tasks.put(None)
        self.process.join(timeout=POLL)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.tasks.close()
        self.results.close()


def _serve(nlp: Language, tasks: Any, results: Any) -> None:
    """The worker: token arrays for each batch of texts, and the strings not sent yet."""
    strings, sent = nlp.vocab.strings, set()
    try:
        for texts in iter(tasks.get, None):
            array, lengths = _arrays(nlp, texts)
            new = [h for h in numpy.unique(array[:, 0]).tolist() if h not in sent]
            sent.update(new)
            results.put((array, lengths, [strings[h] for h in new]))
    except Exception as e:  # noqa: BLE001 - the export raises it
        results.put(e)
