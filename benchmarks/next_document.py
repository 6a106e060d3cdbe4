""" "Next document to annotate" at scale: a million documents, half of them done.

Prints the time of `next_document_id` (resume, and next after the current) and of
`progress`, against the time of a plain primary-key lookup in the same database.

    python benchmarks/next_document.py [N]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from workbench.store import NewDocument, Store


def timed(fn, repeat: int = 50) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "big.db") as store:
        store.add_documents(NewDocument(f"Document {i}.", {}, "bench") for i in range(n))
        # Half the corpus done by one annotator: bulk rows, as years of work would leave.
        conn = store.db.conn
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO annotations (doc_id, annotator, status, created_at, updated_at)"
            " VALUES (?, 'amira', 'submitted', '2026-01-01', '2026-01-01')",
            ((i,) for i in range(1, n // 2 + 1)),
        )
        conn.execute("COMMIT")
        base = timed(lambda: store.document(n // 3))
        resume = timed(lambda: store.next_document_id("amira"))
        after = timed(lambda: store.next_document_id("amira", after=n // 2 + 10))
        fresh = timed(lambda: store.next_document_id("newcomer"))
        prog = timed(lambda: store.progress("amira"), repeat=5)
        assert store.next_document_id("amira") == n // 2 + 1
    print(f"documents: {n:,}, done by amira: {n // 2:,}")
    print(f"primary-key lookup (baseline): {base:8.3f} ms")
    print(f"next for amira:                {resume:8.3f} ms  ({resume / base:.1f}x baseline)")
    print(f"next after current:            {after:8.3f} ms  ({after / base:.1f}x baseline)")
    print(f"next for a new annotator:      {fresh:8.3f} ms  ({fresh / base:.1f}x baseline)")
    print(f"progress counts:               {prog:8.3f} ms  ({prog / base:.1f}x baseline)")


if __name__ == "__main__":
    main()
