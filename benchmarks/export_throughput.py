"""Export throughput: 100,000 annotated documents as jsonl and as spacy DocBin.

    python benchmarks/export_throughput.py [--n 100000]

Builds the database in a temporary folder through the store (`save_gold`), then
prints documents per second for each format beside a plain json.dumps loop over
the same rows read with one SQL query (the floor: no model objects, no tokenizing).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.jobs.export import Selection, export  # noqa: E402
from workbench.model import NewDocument, Span  # noqa: E402
from workbench.store import Store  # noqa: E402

PLACES = ["Jableh", "Tartous", "Aleppo", "Kabul", "Quetta", "Mosul", "Homs", "Idlib"]
GROUPS = ["the Taliban", "Islamic State", "Hezbollah", "al-Shabaab"]


def make_doc(i: int, rnd: random.Random) -> NewDocument:
    """A short news-like paragraph with entities and two casualty spans (about 60 tokens)."""
    place, other = rnd.sample(PLACES, 2)
    killed, hurt = rnd.randint(2, 400), rnd.randint(2, 900)
    parts: list[tuple[str, str | None, dict]] = [
        (f"Report {i}: ", None, {}),
        ("more than " + str(killed), "KILLED", {"value": killed, "qualifier": "more_than"}),
        (" people were killed and ", None, {}),
        (f"around {hurt}", "INJURED", {"value": hurt, "qualifier": "approx"}),
        (" injured in bombings in ", None, {}),
        (place, "GPE", {}),
        (" and ", None, {}),
        (other, "GPE", {}),
        (" on Monday, officials said. ", None, {}),
        (rnd.choice(GROUPS).removeprefix("the "), "ORG", {}),
        (
            " claimed the attacks, which came days after clashes near the border "
            "left the region's hospitals overwhelmed and roads closed.",
            None,
            {},
        ),
    ]
    text, spans = "", []
    for chunk, label, attrs in parts:
        if label:
            spans.append(Span(len(text), len(text) + len(chunk), label, attrs))
        text += chunk
    return NewDocument(text, {"id": i}, "bench", tuple(spans))


def build(path: Path, n: int) -> float:
    rnd = random.Random(0)
    t0 = time.perf_counter()
    with Store(path, synchronous="OFF") as store:
        for start in range(0, n, 10_000):
            store.save_gold(
                (make_doc(i, rnd) for i in range(start, min(n, start + 10_000))), "bench"
            )
    return time.perf_counter() - t0


def plain_dumps(path: Path, out: Path) -> float:
    conn = sqlite3.connect(path)
    t0 = time.perf_counter()
    rows = conn.execute(
        "SELECT d.text, d.meta, (SELECT json_group_array(json_object('start', s.start, 'end',"
        " s.\"end\", 'label', s.label, 'attrs', json(s.attrs))) FROM annotation_spans s"
        " WHERE s.annotation_id = a.id) FROM annotations a JOIN documents d ON d.id = a.doc_id"
        " ORDER BY a.doc_id"
    )
    with out.open("w", encoding="utf-8") as f:
        for text, meta, spans in rows:
            f.write(json.dumps({**json.loads(meta), "text": text, "spans": json.loads(spans)}))
            f.write("\n")
    conn.close()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        built = build(db, args.n)
        print(f"built {args.n:,} annotated documents in {built:.1f}s")
        rows = [("plain json.dumps loop (one SQL query)", plain_dumps(db, Path(tmp) / "p.jsonl"))]
        with Store(db) as store:
            for label, fmt, out, kw in (
                ("jsonl export", "jsonl", Path(tmp) / "e.jsonl", {}),
                ("jsonl export --tokens", "jsonl", Path(tmp) / "t.jsonl", {"tokens": True}),
                (
                    "spacy export (DocBin, split 0.2)",
                    "spacy",
                    Path(tmp) / "corpus",
                    {"dev_fraction": 0.2},
                ),
            ):
                if kw.get("tokens") and args.n > 20_000:
                    continue  # per-token dicts: measured on smaller runs only
                t0 = time.perf_counter()
                result = export(store, Selection(), fmt, out, **kw)
                rows.append((label, time.perf_counter() - t0))
                assert result.documents == args.n
        base = args.n / rows[0][1]
        for label, seconds in rows:
            rate = args.n / seconds
            print(f"{label:<40} {rate:>10,.0f} docs/s  ({seconds:5.1f}s, {rate / base:.2f}x plain)")


if __name__ == "__main__":
    main()
