"""Working through many documents a batch at a time, past the first batch in a
second (forked) process: `batches`; and what such a batch's work starts with, its
texts' token arrays and their spans' token bounds (`token_batch`).

Tokenizing is most of a spaCy export's time, and the blank tokenizer holds the GIL.
So past its first batch, an export of many documents does each batch's work in a
second process (forked, on Linux with two or more cores): this process sends each
batch's payload, and while the worker works on it, this process reads the next rows
and writes the previous batch's shards. A batch's result starts with its token
array (`Doc.to_array(TOKEN_ATTRS)` rows, one array for the batch); the worker sends,
with it, every token string it had not sent before, which are added to this
process's vocab (a shard's strings are looked up there by hash). Batches come back in
the order they were sent, and the results are what this process would make, so the
shards are the same bytes either way. Spans are placed on tokens a batch at a time
(`batch_token_bounds`, what `spacy_docs.token_bounds` does one text at a time).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain, islice
from typing import Any, TypeVar

import numpy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language

from .spacy_docs import TOKEN_ATTRS

T = TypeVar("T")
P = TypeVar("P")
R = TypeVar("R", bound=tuple[Any, ...])
Bounds = list[tuple[int, int]] | None  # each span's first and end token (None: off tokens)
Tokens = tuple[Any, Bounds]  # TOKEN_ATTRS per token, and the text's span bounds
Chars = Sequence[tuple[int, int]]  # each span's first and end character
BATCH = 256
AHEAD = 8  # batches sent to the worker and not taken back yet, at most
KEPT = 16  # batches done or due, at most, before this process waits for the worker
POLL = 1.0  # seconds between checks that the worker is still there


def parallel_supported() -> bool:
    """A second process is used only where it can be forked and has a core to run on."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return (
        sys.platform == "linux" and cores >= 2 and "fork" in multiprocessing.get_all_start_methods()
    )


def batches(
    items: Iterable[T],
    payload_of: Callable[[list[T]], P],
    work: Callable[[P], R],
    nlp: Language,
    *,
    parallel: bool | None = None,
) -> Iterator[tuple[list[T], R]]:
    """Each batch of `items` (BATCH of them) with `work(payload_of(batch))`, in order.
    `work`'s result starts with the batch's token array, whose ORTH strings are in
    `nlp`'s vocab once a batch is yielded. `parallel`: past the first batch, keep a
    second process working on up to AHEAD batches (default: where
    `parallel_supported`), and whenever the next batch due is not back from it yet,
    work on a later one here rather than wait; the worker is stopped however the
    caller's loop ends."""
    parallel = parallel_supported() if parallel is None else parallel
    # What is here now outlives the batches: the collector need not walk it again and
    # again, here or in the worker (where walking it would write to, so copy, its pages).
    # A heap frozen already (the annotator freezes its own) is left frozen after.
    thawed = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield from _batches(iter(items), payload_of, work, nlp, parallel)
    finally:
        if thawed:
            gc.unfreeze()


def _batches(
    it: Iterator[T],
    payload_of: Callable[[list[T]], P],
    work: Callable[[P], R],
    nlp: Language,
    parallel: bool,
) -> Iterator[tuple[list[T], R]]:
    if not parallel:
        while batch := list(islice(it, BATCH)):
            yield batch, work(payload_of(batch))
        return
    batch = list(islice(it, BATCH))
    if not batch:
        return
    yield batch, work(payload_of(batch))  # a first batch, perhaps the only one: here
    worker: _Worker | None = None
    queued: deque[tuple[list[T], R | None]] = deque()  # None: due from the worker
    away = 0  # batches at the worker
    try:
        while True:
            while away < AHEAD and (batch := list(islice(it, BATCH))):
                if worker is None:  # a second batch: worth a second process
                    worker = _Worker(nlp, work)
                worker.send(payload_of(batch))
                queued.append((batch, None))
                away += 1
            if not queued:
                return
            due = queued[0][1] is None and not _ready(worker)
            if due and len(queued) < KEPT and (batch := list(islice(it, BATCH))):
                queued.append((batch, work(payload_of(batch))))  # the worker is busy: here
                continue
            batch, done = queued.popleft()
            if done is None:
                assert worker is not None
                done = worker.receive()
                away -= 1
            yield batch, done
    finally:
        if worker is not None:
            worker.stop()


def _ready(worker: _Worker | None) -> bool:
    return worker is not None and worker.ready()


def token_batch(
    nlp: Language, texts: list[str], chars: Sequence[Chars]
) -> tuple[Any, list[int], list[Bounds]]:
    """One batch: every token's TOKEN_ATTRS in one array, each text's token count,
    and each text's span bounds (`chars`: each span's character bounds)."""
    tokenizer = nlp.tokenizer
    arrays = [tokenizer(t).to_array(TOKEN_ATTRS).reshape((-1, len(TOKEN_ATTRS))) for t in texts]
    array, lengths = numpy.vstack(arrays), [len(a) for a in arrays]
    return array, lengths, batch_token_bounds(array, lengths, [len(t) for t in texts], chars)


def batch_token_bounds(
    array: Any, lengths: list[int], sizes: list[int], chars: Sequence[Chars]
) -> list[Bounds]:
    """`spacy_docs.token_bounds` for each text of a batch, from the batch's token
    array (each text's `lengths` tokens, in order), the texts' `sizes` in characters
    and each text's spans' `chars`: both arrays are searched once, with each text's
    tokens and spans moved past the texts before it (so the tokens' starts and ends
    are increasing across the batch), and a range must fall within its text's tokens."""
    counts = [len(c) for c in chars]
    flat = numpy.fromiter(chain.from_iterable(chain.from_iterable(chars)), dtype=numpy.int64)
    if not len(flat):
        return [[] for _ in chars]
    text_at = numpy.cumsum([0, *sizes[:-1]], dtype=numpy.int64)  # each text's first character
    token_at = numpy.cumsum([0, *lengths[:-1]], dtype=numpy.int64)  # and its first token
    idx = array[:, TOKEN_ATTRS.index(IDX)].astype(numpy.int64)
    starts = idx + numpy.repeat(text_at, lengths)
    ends = starts + array[:, TOKEN_ATTRS.index(LENGTH)].astype(numpy.int64)
    of = numpy.repeat(numpy.arange(len(chars)), counts)  # each span's text
    start, end = flat[0::2] + text_at[of], flat[1::2] + text_at[of]
    lo = token_at[of]
    hi = lo + numpy.asarray(lengths, dtype=numpy.int64)[of]
    first, last = numpy.searchsorted(starts, start), numpy.searchsorted(ends, end)
    ok = (lo <= first) & (first <= last) & (last < hi)
    n = len(starts)
    if n:
        ok &= (starts[numpy.minimum(first, n - 1)] == start) & (
            ends[numpy.minimum(last, n - 1)] == end
        )
    off = numpy.zeros(len(chars), dtype=bool)
    off[of[~ok]] = True
    firsts, stops = (first - lo).tolist(), (last + 1 - lo).tolist()
    out: list[Bounds] = []
    at = 0
    for k, bad in zip(counts, off.tolist(), strict=True):
        out.append(None if bad else list(zip(firsts[at : at + k], stops[at : at + k], strict=True)))
        at += k
    return out


def split(array: Any, lengths: list[int], bounds: list[Bounds]) -> Iterator[Tokens]:
    """Each text's rows of the batch's array, and its span bounds."""
    assert len(lengths) == len(bounds)
    at = 0
    for n, b in zip(lengths, bounds, strict=True):
        yield array[at : at + n], b
        at += n


class _Worker:
    """The forked process doing the batches' work, and its two queues."""

    def __init__(self, nlp: Language, work: Callable[[Any], Any]) -> None:
        context = multiprocessing.get_context("fork")
        self.nlp = nlp
        self.tasks: Any = context.Queue()
        self.results: Any = context.Queue()
        self.process = context.Process(
            target=_serve, args=(nlp, work, self.tasks, self.results), daemon=True
        )
        self.process.start()

    def send(self, payload: Any) -> None:
        self.tasks.put(payload)

    def ready(self) -> bool:
        """Has a result (or an error) started to come back?"""
        return not self.results.empty()

    def receive(self) -> Any:
        """The next batch's result, its new strings added to this process's vocab."""
        while True:
            try:
                got = self.results.get(timeout=POLL)
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError("the tokenizing process stopped") from None
                continue
            if isinstance(got, BaseException):
                raise got
            result, strings = got
            add = self.nlp.vocab.strings.add
            for s in strings:
                add(s)
            return result

    def stop(self) -> None:
        """Let the worker finish (it has nothing left), or end it if it is still busy."""
        self.tasks.put(None)
        self.process.join(timeout=POLL)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()
        self.tasks.close()
        self.results.close()


def _serve(nlp: Language, work: Callable[[Any], Any], tasks: Any, results: Any) -> None:
    """The worker: each payload's result, and the token strings not sent yet."""
    strings, sent = nlp.vocab.strings, set()
    try:
        for payload in iter(tasks.get, None):
            result = work(payload)
            new = [h for h in numpy.unique(result[0][:, 0]).tolist() if h not in sent]
            sent.update(new)
            results.put((result, [strings[h] for h in new]))
    except Exception as e:  # noqa: BLE001 - the export raises it
        results.put(e)
