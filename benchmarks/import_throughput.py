"""Import throughput: `workbench import` of N short JSONL documents vs raw executemany.

Prints documents per second for both, measured in the same process, and the ratio
(target: import at no less than half the raw rate).

    python benchmarks/import_throughput.py [N]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import orjson

from workbench.jobs.importing import import_paths
from workbench.model import text_hash
from workbench.store import Store


def make_jsonl(path: Path, n: int) -> None:
    with path.open("wb") as f:
        for i in range(n):
            rec = {
                "text": f"Report {i}: at least {i % 97} people were killed in town {i}.",
                "meta": {"source": "bench", "n": i},
            }
            f.write(orjson.dumps(rec) + b"\n")


def raw_executemany(db_file: Path, jsonl: Path) -> float:
    """The baseline: the same rows, already in memory, inserted with one executemany."""
    rows = []
    for line in jsonl.read_bytes().splitlines():
        rec = orjson.loads(line)
        rows.append(
            (
                text_hash(rec["text"]),
                rec["text"],
                orjson.dumps(rec["meta"]).decode(),
                "bench",
                "now",
            )
        )
    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE documents (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE,"
        " text TEXT NOT NULL, meta TEXT NOT NULL, source TEXT NOT NULL,"
        " created_at TEXT NOT NULL, suggested_with TEXT)"
    )
    conn.execute("CREATE INDEX documents_suggested_with ON documents(suggested_with)")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO documents (hash, text, meta, source, created_at) VALUES (?, ?, ?, ?, ?)", rows
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def workbench_import(db_file: Path, jsonl: Path) -> float:
    """Everything `workbench import` does: read, validate, hash, insert, with a progress bar."""
    from rich.progress import Progress

    with Store(db_file) as store:  # created before the clock, as the baseline's table is
        start = time.perf_counter()
        with Progress(transient=True) as bar:
            task = bar.add_task("Importing", total=jsonl.stat().st_size)
            result = import_paths(store, [jsonl], report=lambda n: bar.advance(task, n))
        elapsed = time.perf_counter() - start
    assert result.added > 0
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        jsonl = tmpdir / "docs.jsonl"
        make_jsonl(jsonl, n)
        raw = raw_executemany(tmpdir / "raw.db", jsonl)
        ours = workbench_import(tmpdir / "wb.db", jsonl)
    print(f"documents:              {n:,}")
    print(f"raw executemany:        {n / raw:>10,.0f} docs/s ({raw:.2f} s, rows prepared)")
    print(f"workbench import:       {n / ours:>10,.0f} docs/s ({ours:.2f} s, read+check+insert)")
    print(f"ratio import/raw:       {raw / ours:.2f} (target >= 0.50)")


if __name__ == "__main__":
    main()
