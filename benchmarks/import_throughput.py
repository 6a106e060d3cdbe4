"""Import throughput: `workbench import` of N short JSONL documents vs raw executemany.

Prints documents per second for both, measured in the same process (best of
ROUNDS, taken in turn, so a busy machine slows both alike), and the ratio (target:
import at no less than 0.75 of the raw rate). Also prints the readers alone (read and
validate, no database), to show which side of the import the time goes to.

Both insert into the same table: the baseline's file is created by the store (its
whole schema, the `documents` table with its unique hash and its index), then filled
through a plain connection with the store's pragmas (WAL, synchronous=FULL, foreign
keys on) by one executemany of rows prepared before the clock starts.

    python benchmarks/import_throughput.py [N] [ROUNDS]
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import orjson

from workbench.interchange.readers import iter_file
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
    Store(db_file).close()  # the store's own schema: the table the import fills
    conn = sqlite3.connect(db_file, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # as the store sets it
    conn.execute("PRAGMA foreign_keys=ON")
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


def readers_alone(jsonl: Path) -> float:
    """What the readers cost without any database: read, parse, validate."""
    start = time.perf_counter()
    for _ in iter_file(jsonl):
        pass
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    raw, ours, read = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        jsonl = tmpdir / "docs.jsonl"
        make_jsonl(jsonl, n)
        for r in range(rounds):
            raw.append(raw_executemany(tmpdir / f"raw{r}.db", jsonl))
            ours.append(workbench_import(tmpdir / f"wb{r}.db", jsonl))
            read.append(readers_alone(jsonl))
    best_raw, best_ours, best_read = min(raw), min(ours), min(read)
    print(f"documents:              {n:,} (best of {rounds})")
    print(
        f"raw executemany:        {n / best_raw:>10,.0f} docs/s ({best_raw:.2f} s, rows prepared)"
    )
    print(
        f"workbench import:       {n / best_ours:>10,.0f} docs/s ({best_ours:.2f} s,"
        " read+check+insert)"
    )
    print(f"  of which the readers: {best_read:>10.2f} s (read+validate, no database)")
    print(f"ratio import/raw:       {best_raw / best_ours:.2f} (target >= 0.75)")


if __name__ == "__main__":
    main()
