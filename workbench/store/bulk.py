"""Many rows into SQLite at once: the import's batches, and a reader on a second thread.

Only the store package uses this module. An import's rows go in as multi-row
`INSERT ... VALUES` statements, not `executemany`: one statement binds a whole
batch and runs to the end in one step, and Python's sqlite3 lets go of the GIL for
that step. So a second thread can read and check the next batch while SQLite writes
this one (`read_ahead`). With `executemany` the step is per row: the thread that
inserts would wait for the GIL after every row, behind the one that reads.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import queue
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

import orjson

from ..model import HASH_CHARS, NewDocument

T = TypeVar("T")

DOC_BATCH = 4096  # documents per batch: what Python holds at once, per thread
MAX_ROWS = 4096  # rows per statement, where SQLite's limit on variables allows
_READ_AHEAD = 4  # batches the reading thread may be ahead of the writer


class Batch:
    """A batch of documents ready to insert: `docs` holds `lead` then (hash, text, meta
    JSON, source) per document, `spans` (hash, start, end, label, attrs JSON) per span."""

    __slots__ = ("docs", "count", "spans")

    def __init__(self, lead: tuple[Any, ...]) -> None:
        self.docs: list[Any] = list(lead)
        self.count = 0
        self.spans: list[Any] = []


def batches(docs: Iterable[NewDocument], lead: tuple[Any, ...] = ()) -> Iterator[Batch]:
    """`docs` hashed and serialised, DOC_BATCH at a time (the last may be short)."""
    # The hot loop of a large import: plain local names, one list extend per document.
    # text_hash inlined (its call is a measurable share of the loop); a test holds
    # the two equal.
    dumps, sha256 = orjson.dumps, hashlib.sha256
    batch = Batch(lead)
    rows, count = batch.docs, 0
    for d in docs:
        text = d.text
        h = sha256(text.encode()).hexdigest()[:HASH_CHARS]
        rows += (h, text, dumps(d.meta).decode(), d.source)
        if d.spans:
            for s in d.spans:
                batch.spans += (h, s.start, s.end, s.label, dumps(s.attrs).decode())
        count += 1
        if count >= DOC_BATCH:
            batch.count = count
            yield batch
            batch = Batch(lead)
            rows, count = batch.docs, 0
    if count:
        batch.count = count
        yield batch


@functools.lru_cache(maxsize=16)
def _values_sql(head: str, width: int, rows: int) -> str:
    row = "(" + ", ".join("?" * width) + ")"
    return head.replace("{values}", ", ".join([row] * rows))


def insert_rows(
    conn: sqlite3.Connection, head: str, width: int, flat: list[Any], lead: int = 0
) -> int:
    """Insert `flat` (`lead` values for the whole statement, then `width` per row)
    with `head`, whose `{values}` becomes the rows' VALUES list. Returns the rows
    SQLite reports changed (an INSERT OR IGNORE does not count the ones it ignored)."""
    before = conn.total_changes
    # 999 variables before SQLite 3.32, 32766 since.
    per = min(MAX_ROWS, (conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - lead) // width)
    rows = (len(flat) - lead) // width
    if rows <= per:
        if rows:
            conn.execute(_values_sql(head, width, rows), flat)
        return conn.total_changes - before
    start, prefix = lead, flat[:lead]
    while start < len(flat):
        chunk = flat[start : start + per * width]
        conn.execute(_values_sql(head, width, len(chunk) // width), prefix + chunk)
        start += per * width
    return conn.total_changes - before


def read_ahead(items: Iterable[T], depth: int = _READ_AHEAD) -> Iterator[T]:
    """`items`, produced on a second thread while the caller works on the last ones.

    What producing raises is raised here, in the caller's thread. Leaving early (an
    error in the caller, the generator closed) stops the producer at its next item
    and waits for it, so nothing of `items` runs after this returns.
    """
    q: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if stop.is_set():
                    return
                q.put((True, item))
            q.put((True, _END))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            q.put((False, e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="workbench-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            ok, item = q.get()
            if not ok:
                raise item
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # a producer blocked on a full queue sees `stop`
            with contextlib.suppress(queue.Empty):
                q.get(timeout=0.05)
        thread.join()


_END = object()
