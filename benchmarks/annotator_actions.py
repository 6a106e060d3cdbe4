"""How fast the annotator answers a keystroke, and how fast a decision commits.

Drives the real app with Textual's Pilot on a temporary database and prints the
median and p95 time from a key press to the last frame it caused, for: accept,
next span, boundary move, submit-and-open-next; on the seed article, on a
generated 50,000-character document with 500 spans, and on one with 5,000 spans
(where accept-all `A` is timed too). Then the p99 time of one committed decision
(synchronous=FULL) and the time to the first screen of a real `workbench annotate`
in a pseudo-terminal.

    python benchmarks/annotator_actions.py [--rounds 40]

Targets: p95 < 16.7 ms (one 60 Hz frame) on the seed and the 50,000-character
document; < 50 ms per key with 5,000 spans and accept-all < 500 ms; commit p99 < 2 ms;
first screen < 1 s. Submit is measured with `pending_on_submit = "drop"`: the key
submits at once, as before the question existed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import select
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from textual import events

from workbench.config import DEFAULT_CONFIG_PATH, load_config
from workbench.model import Span
from workbench.store import NewDocument, Store
from workbench.tui.app import make_app

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_1de0ab2445ac15c1.txt"
ANNOTATOR = "bench"
LABELS = ["PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "DATE", "KILLED", "INJURED"]
WORDS_TEXT = (
    "the officials said that attack killed people near market city forces government "
    "police hospital reported least more than around Syria Jableh Tartous Kabul "
    "Reuters ministry civilians wounded bomb station army rebels council week Monday"
)
WORDS = WORDS_TEXT.split()


def seed_suggestions(text: str) -> list[Span]:
    """Capitalised words as entities and numbers as casualty counts: no spaCy needed."""
    spans = [
        Span(m.start(), m.end(), "GPE", {}, "model")
        for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text)
    ]
    spans += [
        Span(
            m.start(),
            m.end(),
            "KILLED",
            {"value": int(m.group(1).replace(",", "")), "qualifier": "more_than"},
            "rule",
        )
        for m in re.finditer(r"more than (\d[\d,]*)", text, re.I)
    ]
    return spans


def long_document(rng: random.Random, chars: int = 50_000, n_spans: int = 500):
    """A news-like text of `chars` characters in paragraphs, with `n_spans` spans."""
    paragraphs, size = [], 0
    while size < chars:
        words = [rng.choice(WORDS) for _ in range(rng.randint(60, 120))]
        paragraph = " ".join(words).capitalize() + "."
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    text = "\n\n".join(paragraphs)[:chars]
    words = [m.span() for m in re.finditer(r"\w+", text)]
    picked = sorted(rng.sample(range(len(words)), n_spans))
    spans = []
    for i in picked:
        start, end = words[i]
        label = rng.choice(LABELS)
        attrs = {"value": 10, "qualifier": "exact"} if label in ("KILLED", "INJURED") else {}
        spans.append(Span(start, end, label, attrs, "model"))
    return text, spans


def make_db(path: Path, docs: list[tuple[str, list[Span]]]) -> None:
    with Store(path) as store:
        store.add_documents(NewDocument(t, {}, f"bench-{i}") for i, (t, _) in enumerate(docs))
        ids = store.document_ids()
        store.save_suggestions(zip(ids, (s for _, s in docs), strict=True), "bench-1")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


async def time_actions(db: Path, plan: list[tuple[str, str, int]]) -> dict[str, list[float]]:
    """Press each key `n` times; time from the key to the last frame it caused (ms).

    Each action also gets a "cpu" twin: the main thread's CPU time over the same
    interval, which other processes on a shared machine do not inflate.
    """
    config = load_config(DEFAULT_CONFIG_PATH)
    if "pending_on_submit" in config.__dataclass_fields__:
        config = replace(config, pending_on_submit="drop")  # `s` submits at once
    app = make_app(db, config, ANNOTATOR, prefetch=False)
    frames: list[tuple[float, float]] = []
    display = app._display

    def recording_display(screen, renderable):  # type: ignore[no-untyped-def]
        display(screen, renderable)
        if renderable is not None:
            frames.append((time.perf_counter(), time.thread_time()))

    app._display = recording_display  # type: ignore[method-assign]
    out: dict[str, list[float]] = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for name, key, n in plan:
            for i in range(n):
                pressed = key if not isinstance(key, tuple) else key[i % len(key)]
                frames.clear()
                start, cpu = time.perf_counter(), time.thread_time()
                app.post_message(events.Key(pressed, pressed if len(pressed) == 1 else None))
                await pilot.pause()
                if frames:
                    out.setdefault(name, []).append((frames[-1][0] - start) * 1000)
                    out.setdefault(CPU + name, []).append((frames[-1][1] - cpu) * 1000)
    return out


def commit_times(db: Path, n: int) -> list[float]:
    """Milliseconds per committed decision (accept/reject alternating), synchronous=FULL."""
    with Store(db, synchronous="FULL") as store:
        doc_id = store.document_ids()[0]
        annotation = store.open_annotation(doc_id, "committer")
        ids = [s.id for s in annotation.spans]
        times = []
        for i in range(n):
            start = time.perf_counter()
            (store.accept if i % 2 else store.reject)(ids[i % len(ids)], "committer")
            times.append((time.perf_counter() - start) * 1000)
    return times


def first_screen_seconds(db: Path) -> float:
    """Seconds from starting `workbench annotate` in a pty to its header on screen."""
    import pty

    main, child = pty.openpty()
    os.set_blocking(main, False)
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "--db", str(db), "--annotator", "first", "annotate"],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=str(ROOT),
        start_new_session=True,
    )
    seen, elapsed = b"", float("nan")
    try:
        while time.perf_counter() - start < 20:
            ready, _, _ = select.select([main], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(main, 65536)
                except OSError:
                    break
                if b"done" in seen and b"today" in seen:
                    elapsed = time.perf_counter() - start
                    break
    finally:
        proc.kill()
        proc.wait()
        os.close(main)
        os.close(child)
    return elapsed


CPU = "cpu:"


def report(
    title: str,
    results: dict[str, list[float]],
    target: float,
    targets: dict[str, float] | None = None,
) -> None:
    print(f"\n{title}  (target p95 < {target:g} ms; cpu = the main thread's CPU time)")
    default = target
    for name, values in results.items():
        if name.startswith(CPU):
            continue
        p95 = pct(values, 95)
        target = (targets or {}).get(name, default)
        cpu = results.get(CPU + name, [float("nan")])
        print(
            f"  {name:<22} median {statistics.median(values):6.1f} ms   p95 {p95:6.1f} ms"
            f"   cpu p95 {pct(cpu, 95):6.1f} ms   n={len(values):<3}"
            f" {'ok' if p95 < target else 'SLOW'}{'' if target == default else f' (< {target:g})'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="presses per action")
    args = parser.parse_args()
    n = args.rounds
    rng = random.Random(7)
    seed_text = SEED.read_text(encoding="utf-8")
    plan = [
        ("next span", ("j", "j", "j", "k"), n),
        ("accept", "a", n),
        ("boundary move", ("full_stop", "comma"), n),
        ("submit-and-open-next", "s", max(5, n // 4)),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        seed_db = Path(tmp) / "seed.db"
        copies = [(seed_text + "\n" * i, seed_suggestions(seed_text)) for i in range(n)]
        make_db(seed_db, copies)
        report("Seed article (2,569 chars)", asyncio.run(time_actions(seed_db, plan)), 16.7)

        long_db = Path(tmp) / "long.db"
        make_db(long_db, [long_document(rng) for _ in range(max(5, n // 4) + 2)])
        report("Generated 50,000 chars, 500 spans", asyncio.run(time_actions(long_db, plan)), 16.7)

        dense_db = Path(tmp) / "dense.db"
        rounds = max(5, n // 4)
        make_db(dense_db, [long_document(rng, n_spans=5000) for _ in range(2 * rounds + 2)])
        # accept-all, then submit: each round accepts the 5,000 spans of a fresh document
        dense_plan = [*plan[:3], ("accept-all (A)", "A", 1), *plan[3:]]
        dense = asyncio.run(time_actions(dense_db, dense_plan))
        again = [("accept-all (A)", "A", 1), ("submit-and-open-next", "s", 1)] * rounds
        for name, values in asyncio.run(time_actions(dense_db, again)).items():
            dense.setdefault(name, []).extend(values)
        report("Generated 50,000 chars, 5,000 spans", dense, 50, {"accept-all (A)": 500})

        times = commit_times(long_db, 1000)
        print(
            f"\nCommit one decision (synchronous=FULL, n=1000): median "
            f"{statistics.median(times):.2f} ms  p99 {pct(times, 99):.2f} ms  "
            f"{'ok' if pct(times, 99) < 2 else 'SLOW'} (target p99 < 2 ms)"
        )

        first = first_screen_seconds(seed_db)
        print(
            f"First screen of `workbench annotate` in a pty: {first:.2f} s "
            f"{'ok' if first < 1 else 'SLOW'} (target < 1 s)"
        )


if __name__ == "__main__":
    main()
