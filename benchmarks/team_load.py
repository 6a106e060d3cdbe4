"""A team on one database: 64 annotator processes writing through the store at once.

Each process does what the annotator does for a document, through the same store
calls: claim the routed next document (overlap 2), open it, accept a suggestion,
submit. Two runs:

- paced: each process does one document a second (far above a human's pace), for
  `--seconds`; prints p50/p99 write latency, errors and lost decisions;
- full speed: no pacing; prints the writes per second and the latencies.

Every decision a process reports as committed is looked for in the database after
(the span accepted, the annotation submitted, their events), so "lost" is counted,
not assumed. The baseline, run in the same invocation with the same pragmas (WAL,
synchronous=FULL) and the same number of processes: a raw sqlite3 INSERT + COMMIT
per write through Python's own busy timeout, and one process alone committing.

    python benchmarks/team_load.py [--processes 64] [--seconds 10]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from workbench.model import PENDING, Span
from workbench.store import INTERACTIVE_BUSY_TIMEOUT_S, NewDocument, Store

OVERLAP = 2
CLAIM_S = 1800.0
SUGGESTIONS = 5


def _percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _prepare(db: Path, documents: int) -> None:
    with Store(db) as store:
        store.add_documents(
            NewDocument(f"Report {i}: {i % 90 + 2} people were killed.", {}, "bench")
            for i in range(documents)
        )
        store.save_suggestions(
            (
                (doc_id, [Span(k * 3, k * 3 + 2, "KILLED", {}, "rule") for k in range(SUGGESTIONS)])
                for doc_id in store.document_ids()
            ),
            "bench",
        )


def _annotator(args: tuple[str, str, float, float, float]) -> dict:
    """One annotator process: documents until `stop` (a wall-clock time); `pace` seconds
    per document (0: full speed). Returns latencies, errors and what it committed."""
    db, name, start_at, stop_at, pace = args
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    accepted: list[int] = []
    submitted: list[int] = []
    with Store(db, busy_timeout=INTERACTIVE_BUSY_TIMEOUT_S) as store:
        # Started together; a paced annotator starts at a random point in its second.
        random.seed(name)
        next_at = start_at + (random.random() * pace)
        while True:
            now = time.time()
            if now >= stop_at:
                break
            if pace and now < next_at:
                time.sleep(next_at - now)
            next_at += pace
            try:
                t = time.perf_counter()
                doc_id = store.claim_next_document(name, OVERLAP, CLAIM_S)
                latencies.append(time.perf_counter() - t)
                if doc_id is None:
                    break
                t = time.perf_counter()
                annotation = store.open_annotation(doc_id, name)
                latencies.append(time.perf_counter() - t)
                span = next(s for s in annotation.spans if s.status == PENDING)
                t = time.perf_counter()
                store.accept(span.id, name)
                latencies.append(time.perf_counter() - t)
                accepted.append(span.id)
                t = time.perf_counter()
                store.submit(annotation.id, name)
                latencies.append(time.perf_counter() - t)
                submitted.append(annotation.id)
            except Exception as e:  # counted, not hidden: the figure is the point
                errors[f"{type(e).__name__}: {str(e)[:80]}"] += 1
    return {
        "latencies": latencies,
        "errors": errors,
        "accepted": accepted,
        "submitted": submitted,
    }


def _lost(db: Path, results: list[dict]) -> tuple[int, int]:
    """(decisions reported committed, of them not found in the database)."""
    accepted = [i for r in results for i in r["accepted"]]
    submitted = [i for r in results for i in r["submitted"]]
    conn = sqlite3.connect(db)
    try:
        ok_spans = {
            r[0]
            for r in conn.execute(
                "SELECT s.id FROM annotation_spans s JOIN events e ON e.annotation_id ="
                " s.annotation_id AND e.action = 'accept' WHERE s.status = 'accepted'"
            )
        }
        ok_submits = {
            r[0]
            for r in conn.execute(
                "SELECT a.id FROM annotations a JOIN events e ON e.annotation_id = a.id"
                " AND e.action = 'submit' WHERE a.status = 'submitted'"
            )
        }
        per_doc = conn.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM annotations GROUP BY doc_id)"
        ).fetchone()[0]
        assert per_doc is None or per_doc <= OVERLAP, f"a document went to {per_doc} annotators"
    finally:
        conn.close()
    lost = sum(i not in ok_spans for i in accepted) + sum(i not in ok_submits for i in submitted)
    return len(accepted) + len(submitted), lost


def _run(processes: int, seconds: float, pace: float, documents: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "team.db"
        _prepare(db, documents)
        start_at = time.time() + 1.0  # every process is up before the first claim
        stop_at = start_at + seconds
        context = multiprocessing.get_context("fork")
        jobs = [(str(db), f"annotator{i:02d}", start_at, stop_at, pace) for i in range(processes)]
        with context.Pool(processes) as pool:
            results = pool.map(_annotator, jobs, chunksize=1)
        decisions, lost = _lost(db, results)
    latencies = [x for r in results for x in r["latencies"]]
    errors: Counter[str] = sum((r["errors"] for r in results), Counter())
    return {
        "writes": len(latencies),
        "per_s": len(latencies) / seconds,
        "p50": _percentile(latencies, 0.5) * 1000,
        "p99": _percentile(latencies, 0.99) * 1000,
        "max": max(latencies, default=0.0) * 1000,
        "errors": errors,
        "decisions": decisions,
        "lost": lost,
    }


def _raw_writer(args: tuple[str, float, float]) -> tuple[list[float], int]:
    db, start_at, stop_at = args
    conn = sqlite3.connect(db, timeout=INTERACTIVE_BUSY_TIMEOUT_S, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    out, errors = [], 0
    time.sleep(max(0.0, start_at - time.time()))
    while time.time() < stop_at:
        t = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t (pid, ts) VALUES (?, ?)", (os.getpid(), time.time()))
            conn.execute("COMMIT")
        except sqlite3.OperationalError:  # "database is locked" after the busy timeout
            errors += 1
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            continue
        out.append(time.perf_counter() - t)
    conn.close()
    return out, errors


def _raw(processes: int, seconds: float) -> dict:
    """Raw sqlite3 through Python's busy timeout, the same pragmas: the baseline."""
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "raw.db")
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, pid INTEGER, ts REAL)")
        conn.close()
        alone, _ = _raw_writer((db, time.time(), time.time() + 2.0))
        start_at = time.time() + 1.0
        context = multiprocessing.get_context("fork")
        with context.Pool(processes) as pool:
            results = pool.map(
                _raw_writer, [(db, start_at, start_at + seconds)] * processes, chunksize=1
            )
    latencies = [x for r, _ in results for x in r]
    return {
        "errors": sum(e for _, e in results),
        "alone_p50": statistics.median(alone) * 1000,
        "per_s": len(latencies) / seconds,
        "p50": _percentile(latencies, 0.5) * 1000,
        "p99": _percentile(latencies, 0.99) * 1000,
    }


def _report(title: str, r: dict) -> None:
    print(
        f"{title}: {r['writes']:,} writes, {r['per_s']:.0f} writes/s, p50 {r['p50']:.1f} ms,"
        f" p99 {r['p99']:.1f} ms, max {r['max']:.0f} ms; errors {sum(r['errors'].values())},"
        f" decisions {r['decisions']:,}, lost {r['lost']}"
    )
    for error, n in r["errors"].most_common(3):
        print(f"    {n} x {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    n, s = args.processes, args.seconds
    print(f"{n} annotator processes, {os.cpu_count()} CPUs, WAL + synchronous=FULL")
    raw = _raw(n, s)
    print(
        f"baseline, raw sqlite3 INSERT+COMMIT: one process alone p50 {raw['alone_p50']:.2f} ms;"
        f" {n} processes at full speed {raw['per_s']:.0f} writes/s,"
        f" p50 {raw['p50']:.1f} ms, p99 {raw['p99']:.1f} ms, {raw['errors']} 'database is locked'"
    )
    # Enough documents that no one runs out: one a second each, or far more at full speed.
    paced = _run(n, s, 1.0, documents=int(n * (s + 2)))
    _report("paced, 1 document/s each", paced)
    print(f"    target p99 < 50 ms: {'met' if paced['p99'] < 50 else 'NOT met'}")
    full = _run(n, s, 0.0, documents=max(4000, int(n * s * 8)))
    _report("full speed", full)
    print(f"    full-speed store writes/s = {full['per_s'] / raw['per_s']:.2f}x the raw baseline")


if __name__ == "__main__":
    main()
