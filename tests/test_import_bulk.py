"""The import's fast path: a JSONL file copied, then read on a second thread while its
batches go straight into the documents (store/bulk.py). It must store what the spool
path stores, stay all-or-nothing, and tell progress adding up to the file's size."""

from __future__ import annotations

import threading

import orjson
import pytest

from workbench.interchange.readers import InputError
from workbench.jobs.importing import import_paths
from workbench.model import Span, text_hash
from workbench.store import NewDocument, Store, bulk


def _docs() -> list[NewDocument]:
    docs = []
    for i in range(50):
        k = str(i % 40)  # 10 texts repeated
        text = f"Report {k}: {k} people were killed."
        at = len(f"Report {k}: ")
        spans = (Span(at, at + len(k), "DEATHS", {"value": i % 40}),) if i % 3 else ()
        docs.append(NewDocument(text, {"n": i}, f"f:{i + 1}", spans))
    return docs


def _tables(store: Store) -> tuple[list, list]:
    conn = store.db.conn
    docs = conn.execute("SELECT id, hash, text, meta, source FROM documents ORDER BY id")
    sugg = conn.execute(
        'SELECT doc_id, start, "end", label, attrs, suggester FROM suggestions ORDER BY id'
    )
    return docs.fetchall(), sugg.fetchall()


def test_the_direct_path_stores_what_the_spool_stores(tmp_path, monkeypatch):
    # Small batches and statements, so batches, statement splits and duplicates across
    # batches all happen.
    monkeypatch.setattr(bulk, "DOC_BATCH", 7)
    monkeypatch.setattr(bulk, "MAX_ROWS", 3)
    seen = {}
    for spool in (True, False):
        with Store(tmp_path / f"{spool}.db") as store:
            store.add_documents([NewDocument("Already here.", {}, "x")])
            first = store.add_documents(_docs(), label="f", spool=spool)
            again = store.add_documents(_docs(), label="f", spool=spool)
            seen[spool] = (first, again, _tables(store))
    assert seen[True] == seen[False]
    first, again, (docs, suggestions) = seen[False]
    assert (first.added, first.duplicates) == (40, 10)
    assert (again.added, again.duplicates) == (0, 50)
    assert [orjson.loads(m)["n"] for *_, m, _ in docs[1:4]] == [0, 1, 2]
    assert len(suggestions) == len({d.text for d in _docs() if d.spans})


def test_a_bad_document_late_on_the_direct_path_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "DOC_BATCH", 5)

    def docs():
        yield from _docs()
        raise InputError("f", 51, "bad")

    with Store(tmp_path / "a.db") as store:
        with pytest.raises(InputError, match=":51:"):
            store.add_documents(docs(), spool=False)
        assert store.document_ids() == []


def test_read_ahead_stops_its_reader_when_the_caller_leaves(tmp_path):
    produced, released = [], threading.Event()

    def items():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            released.set()

    ahead = bulk.read_ahead(items(), depth=2)
    assert next(ahead) == 0
    ahead.close()
    assert released.is_set()  # the reader was closed before close() returned
    assert len(produced) < 10  # and it stopped soon: the queue holds two


def test_read_ahead_raises_the_readers_error_in_the_callers_thread():
    def items():
        yield 1
        raise ValueError("reader failed")

    ahead = bulk.read_ahead(items())
    assert next(ahead) == 1
    with pytest.raises(ValueError, match="reader failed"):
        next(ahead)


def test_jsonl_progress_adds_up_to_the_file_size(tmp_path, db_path):
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"".join(orjson.dumps({"text": f"Doc {i}."}) + b"\n" for i in range(9000)))
    told: list[int] = []
    with Store(db_path) as store:
        result = import_paths(store, [path], report=told.append)
    assert result.added == 9000
    assert sum(told) == path.stat().st_size and len(told) > 2


@pytest.mark.parametrize("limit, spooled", [(1 << 20, False), (100, True)])
def test_a_large_jsonl_file_goes_through_the_spool(tmp_path, db_path, monkeypatch, limit, spooled):
    from workbench.jobs import importing

    monkeypatch.setattr(importing, "LOCKED_READ_MAX_BYTES", limit)
    path = tmp_path / "d.jsonl"
    path.write_bytes(b"".join(orjson.dumps({"text": f"Doc {i}."}) + b"\n" for i in range(20)))
    calls = []
    with Store(db_path) as store:
        add = store.add_documents

        def spy(docs, **kw):
            calls.append(kw.get("spool", True))
            return add(docs, **kw)

        monkeypatch.setattr(store, "add_documents", spy)
        result = import_paths(store, [path, path])
        assert [store.document(i).text for i in store.document_ids()][-1] == "Doc 19."
    assert calls == [spooled, spooled]
    assert (result.added, result.duplicates) == (20, 20)


def test_a_batch_hashes_each_text_as_text_hash_does():
    """The batch loop inlines text_hash: the two must agree, on any text (non-ASCII,
    astral, combining marks), or the same article imported two ways would be stored
    twice."""
    texts = ["plain", "Şam'da 12 kişi öldü", "\U0001f600 emoji", "e\u0301 combining", "x" * 5000]
    (batch,) = bulk.batches(NewDocument(t, {}, "test") for t in texts)
    assert batch.docs[0::4] == [text_hash(t) for t in texts]
