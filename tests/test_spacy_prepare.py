"""The spaCy export's batches, worked on here or in the second process, give what
building and packing each document here gives, in order; the worker is stopped
whether the export ends, fails in the worker or fails here; a shard written on its
thread raises what writing it raised.
"""

from __future__ import annotations

import pytest
import spacy

from workbench.interchange import spacy_prepare, spacy_tokenize
from workbench.interchange.spacy_docbin import ShardWriter, blank, build_doc
from workbench.interchange.spacy_shards import Packing
from workbench.jobs.export_writers import _decoded
from workbench.model import Span

from .test_spacy_docbin import varied_documents

CASUALTY = ("KILLED", "INJURED")


def as_json(spans: list[Span]) -> str:
    import orjson

    return orjson.dumps([s.to_json() for s in spans]).decode()


def rows() -> list[tuple[str, str]]:
    """Varied documents (split, whitespace-ending, off-text and no spans), and casualty
    spans with counts and a SOURCE link, each as (text, its spans' JSON)."""
    text = "Officials said 12 were killed in Homs; AFP reported 3 injured."
    source = Span(0, 9, "ORG")
    killed = Span(
        15,
        17,
        "KILLED",
        {"value": 12, "qualifier": "exact", "source": {"start": 0, "end": 9, "label": "ORG"}},
    )
    injured = Span(52, 61, "INJURED", {"value": 3, "qualifier": "exact"})
    docs = [*varied_documents(), (text, [source, killed, injured, Span(33, 37, "GPE")])]
    return [
        (t, as_json(sorted(spans, key=lambda s: (s.start, s.end, s.label)))) for t, spans in docs
    ]


def here(row: tuple[str, str], nlp) -> tuple:
    """What one document's preparation must give: built and packed here, one at a time."""
    text, spans_json = row
    spans = _decoded(spans_json)
    built = build_doc(text, spans, casualty_labels=CASUALTY, nlp=nlp)
    packed = Packing(nlp.vocab)(built)
    return built.array.tolist(), packed, built.dropped, built.split_tokens, len(spans)


def prepare(items, nlp, parallel):
    return [
        (array.tolist(), *rest)
        for _, (array, *rest) in spacy_prepare.prepared(
            items,
            lambda r: r[0],
            lambda r: r[1],
            _decoded,
            nlp,
            casualty_labels=CASUALTY,
            relation_labels=("SOURCE",),
            parallel=parallel,
        )
    ]


@pytest.mark.parametrize(("parallel", "worker_ready"), [(False, None), (True, True), (True, False)])
def test_prepared_batches_are_each_documents_own_in_order(monkeypatch, parallel, worker_ready):
    """Wherever a batch is worked on (the worker always ready: every batch there; never:
    this process takes every batch it may), each document's token array, packed
    entities and groups, dropped spans, split tokens and span count are what building
    it here gives, and its token strings are in this process's vocab."""
    monkeypatch.setattr(spacy_tokenize, "BATCH", 3)
    if worker_ready is not None:
        monkeypatch.setattr(spacy_tokenize._Worker, "ready", lambda self: worker_ready)
    items = rows() * 3
    nlp = spacy.blank("en")  # its own vocab: strings only the worker has seen must arrive
    got = prepare(items, nlp, parallel)
    want = [here(r, blank()) for r in items]
    assert got == want
    assert any(d[2] for d in got) and any(d[3] for d in got)  # some dropped, some split
    fresh = blank().vocab.strings
    assert all(nlp.vocab.strings[h] == fresh[h] for d in got for row in d[0] for h in row[:1])


class Recorded(spacy_tokenize._Worker):
    made: list[Recorded] = []

    def __init__(self, *args) -> None:
        super().__init__(*args)
        Recorded.made.append(self)


def test_the_worker_is_stopped_when_its_work_fails(monkeypatch):
    monkeypatch.setattr(spacy_tokenize, "BATCH", 2)
    monkeypatch.setattr(spacy_tokenize._Worker, "ready", lambda self: True)  # none taken here
    monkeypatch.setattr(spacy_tokenize, "_Worker", Recorded)
    Recorded.made = []

    def work(texts):
        if texts[0] == "t6":  # the fourth batch: in the worker
            raise ValueError("bad batch")
        return spacy_tokenize.token_batch(blank(), texts, [[] for _ in texts])

    items = [f"t{i}" for i in range(20)]
    with pytest.raises(ValueError, match="bad batch"):
        list(spacy_tokenize.batches(items, list, work, blank(), parallel=True))
    [worker] = Recorded.made
    assert not worker.process.is_alive()


def test_the_worker_is_stopped_when_the_caller_fails(monkeypatch):
    monkeypatch.setattr(spacy_tokenize, "BATCH", 2)
    monkeypatch.setattr(spacy_tokenize, "_Worker", Recorded)
    Recorded.made = []

    def work(texts):
        return spacy_tokenize.token_batch(blank(), texts, [[] for _ in texts])

    items = [f"t{i}" for i in range(40)]
    with pytest.raises(RuntimeError, match="caller"):
        for n, _ in enumerate(spacy_tokenize.batches(items, list, work, blank(), parallel=True)):
            if n == 3:
                raise RuntimeError("caller")
    [worker] = Recorded.made
    assert not worker.process.is_alive()


def test_a_shard_written_on_its_thread_raises_what_writing_raised(tmp_path):
    (tmp_path / "out" / "0000.spacy").mkdir(parents=True)  # the shard's file cannot be written
    nlp = blank()
    writer = ShardWriter(tmp_path / "out", nlp.vocab, shard_size=1)
    writer.add(build_doc("Five were killed.", [Span(0, 4, "KILLED", {"value": 5})], nlp=nlp))
    with pytest.raises(IsADirectoryError):
        writer.close()


@pytest.mark.parametrize("frozen_before", [False, True])
def test_the_batches_leave_the_collector_as_they_found_it(frozen_before):
    """The batches freeze the heap while they run; after, a heap that was not frozen is
    thawed, and one frozen before (the annotator's) stays frozen."""
    import gc

    gc.unfreeze()
    if frozen_before:
        gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        nlp = spacy.blank("en")
        seen = []
        for _batch, result in spacy_tokenize.batches(
            ["one two", "three"], lambda b: b, lambda p: [len(p)], nlp, parallel=False
        ):
            seen.append(gc.get_freeze_count())
            assert result == [2]
        assert seen and seen[0] >= frozen and seen[0] > 0
        assert (gc.get_freeze_count() > 0) == frozen_before
    finally:
        gc.unfreeze()
