"""Seeding a real SQLite file for the annotator tests (no spaCy)."""

from __future__ import annotations

from pathlib import Path

from workbench.config import DEFAULT_CONFIG_PATH, Config, load_config
from workbench.model import SOURCE_MODEL, SOURCE_RULE, Span, with_link
from workbench.store import NewDocument, Store

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_1de0ab2445ac15c1.txt"
ANNOTATOR = "alice"
VERSION = "test-fixed-1"

# What a model and the casualty rules suggest on the seed article, mistakes included
# ("The Islamic State" with its "The", "Syria’s" with its possessive).
SEED_SUGGESTIONS: list[tuple[str, str, int, dict]] = [
    ("DUSHANBE", "GPE", 1, {}),
    ("May 24, 2016", "DATE", 1, {}),
    ("Asia-Plus", "ORG", 1, {}),
    ("more than 100", "KILLED", 1, {"value": 100, "qualifier": "more_than"}),
    ("around 200", "INJURED", 1, {"value": 200, "qualifier": "approx"}),
    ("Syria", "GPE", 1, {}),
    ("The Islamic State", "ORG", 1, {}),
    ("Syrian", "NORP", 1, {}),
    ("at least one", "KILLED", 1, {"value": 1, "qualifier": "at_least"}),
    ("Tartous", "GPE", 1, {}),
    ("More than 33", "KILLED", 1, {"value": 33, "qualifier": "more_than"}),
    ("Sana", "ORG", 1, {}),
    ("Jableh", "GPE", 1, {}),
    ("Latakia", "GPE", 1, {}),
    ("Syria’s", "GPE", 1, {}),
    ("Geneva", "GPE", 1, {}),
    ("Swiss", "NORP", 1, {}),
    ("Syrian Observatory for Human Rights", "ORG", 1, {}),
    ("Britain", "GPE", 1, {}),
    ("dozens", "KILLED", 1, {"value": None, "qualifier": "vague"}),
    ("Reuters", "ORG", 1, {}),
    ("nearly 150", "KILLED", 1, {"value": 150, "qualifier": "nearly"}),
    ("at least 200", "INJURED", 1, {"value": 200, "qualifier": "at_least"}),
    ("Monday", "DATE", 1, {}),
    ("Kremlin", "ORG", 1, {}),
    ("February 27", "DATE", 1, {}),
    ("at least 250,000", "KILLED", 1, {"value": 250000, "qualifier": "at_least"}),
    ("Dmitry Peskov", "PERSON", 1, {}),
    ("Russian", "NORP", 1, {}),
    ("Vladimir Putin", "PERSON", 1, {}),
    ("Assad", "PERSON", 1, {}),
]

OTHER_DOCS = [
    "KABUL - Two policemen were wounded and a dozen were hurt when a bomb exploded in "
    "Kandahar on Friday, the Afghan interior ministry said.",
    "BAGHDAD - The death toll rose to 45 after a car bomb in Karrada, officials said.",
]


def config() -> Config:
    return load_config(DEFAULT_CONFIG_PATH)


def find(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    at = -1
    for _ in range(nth):
        at = text.index(needle, at + 1)
    return at, at + len(needle)


# Suggested sources (figure -> who reported it), as the sources component links them.
SEED_LINKS = [("nearly 150", "Reuters"), ("at least 250,000", "Kremlin")]


def seed_spans(text: str, *, links: bool = False) -> list[Span]:
    spans = []
    for needle, label, nth, attrs in SEED_SUGGESTIONS:
        start, end = find(text, needle, nth)
        source = SOURCE_RULE if attrs else SOURCE_MODEL
        spans.append(Span(start, end, label, attrs, source))
    if links:
        by_text = {s.text_in(text): s for s in spans}
        for figure, source in SEED_LINKS:
            linked = with_link(by_text[figure], by_text[source])
            spans[spans.index(by_text[figure])] = linked
    return spans


def seed_db(path: Path, *, extra: list[str] | None = None, links: bool = False) -> Path:
    """The seed article (with fixed suggestions) and two short articles."""
    text = SEED.read_text(encoding="utf-8")
    docs = [NewDocument(text, {"source": "seeds/" + SEED.name}, SEED.name)]
    docs += [NewDocument(t, {}, f"other-{i}") for i, t in enumerate(OTHER_DOCS + (extra or []))]
    with Store(path) as store:
        store.add_documents(docs)
        ids = store.document_ids()
        results = [(ids[0], seed_spans(text, links=links))]
        for doc_id, other in zip(ids[1:], OTHER_DOCS, strict=False):
            results.append((doc_id, _other_spans(other)))
        store.save_suggestions(results, VERSION)
    return path


def _other_spans(text: str) -> list[Span]:
    out = []
    for needle, label, attrs in [
        ("KABUL", "GPE", {}),
        ("Two", "INJURED", {"value": 2, "qualifier": "exact"}),
        ("Kandahar", "GPE", {}),
        ("Afghan", "NORP", {}),
        ("BAGHDAD", "GPE", {}),
        ("45", "KILLED", {"value": 45, "qualifier": "exact"}),
        ("Karrada", "GPE", {}),
    ]:
        if needle in text:
            start, end = find(text, needle)
            out.append(Span(start, end, label, attrs, SOURCE_RULE if attrs else SOURCE_MODEL))
    return out
