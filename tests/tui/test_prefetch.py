"""The prefetch worker: suggestions for the open and upcoming documents, off the UI thread."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

from workbench.model import PENDING, SOURCE_MODEL, SOURCE_RULE, Span
from workbench.store import NewDocument, Store
from workbench.tui.app import make_app
from workbench.tui.screens.annotate import AnnotateScreen
from workbench.tui.widgets.span_list import SpanList

from .helpers import ANNOTATOR, config

pytestmark = pytest.mark.anyio

ARTICLES = [
    f"Article {i}: a bomb killed {10 + i} people and wounded 30 in the city." for i in range(6)
]


async def until(condition, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)


async def test_prefetch_suggests_the_open_then_the_next_documents(tmp_path):
    db = tmp_path / "annotations.db"
    with Store(db) as store:
        store.add_documents(NewDocument(t, {}, f"a{i}") for i, t in enumerate(ARTICLES))
    app = make_app(db, config(), ANNOTATOR, prefetch=True, prefetch_model=("blank:en",))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)  # painted before any suggestion
        await until(lambda: len(app.prefetched) >= 4)
        # the open document first (it had none), then the three after it
        assert app.prefetched == [1, 2, 3, 4]
        await pilot.press("s", "d")  # submit without the pending: document 2 opens ...
        await pilot.pause()
        labels = {s.span.label for s in app.session.spans}
        assert "KILLED" in labels
        await until(lambda: len(app.prefetched) >= 5)
        assert app.prefetched == [1, 2, 3, 4, 5]  # ... and the worker moves one ahead
    with Store(db) as store:
        killed = [s for s in store.suggestions(2) if s.label == "KILLED"]
        assert [(s.value, s.qualifier) for s in killed] == [(11, "exact")]
        assert store.suggestions(6) == []
    # spaCy was loaded by the worker, never by the UI thread's modules
    assert "spacy" in sys.modules


async def test_suggestions_arriving_for_the_open_document_are_merged(tmp_path):
    # `workbench import` without `workbench suggest`: the document opens empty and
    # only the worker computes suggestions for it.
    db = tmp_path / "annotations.db"
    text = "A bomb killed 12 people in the city; 40 people were wounded."
    with Store(db) as store:
        store.add_documents([NewDocument(text, {}, "a"), NewDocument(ARTICLES[1], {}, "b")])
    app = make_app(db, config(), ANNOTATOR, prefetch=True, prefetch_model=("blank:en",))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await until(lambda: 1 in app.prefetched)
        await pilot.pause()
        shown = app.screen.query_one(SpanList).spans
        assert [(s.span.text_in(text), s.span.label, s.status) for s in shown] == [
            ("12", "KILLED", PENDING),
            ("40", "INJURED", PENDING),
        ]
        assert app.session.focus is not None and app.session.focus.span.label == "KILLED"
        await pilot.press("a")  # the merged spans are ordinary spans
        await pilot.pause()
    with Store(db) as store:
        annotation = store.open_annotation(1, ANNOTATOR)
        assert [(s.span.label, s.span.value, s.status) for s in annotation.spans] == [
            ("KILLED", 12, "accepted"),
            ("INJURED", 40, PENDING),
        ]
        actions = [e.action for e in store.events(1)]
        assert actions == ["open", "late_suggestions", "accept"]  # opened empty, then filled


def test_late_suggestions_skip_what_the_annotator_decided(tmp_path):
    """Opened before any model suggested it, the annotator adds two spans by hand and
    deletes one; when the suggestions arrive, only what they never acted on is added."""
    text = ARTICLES[0]
    city, bomb, killed = (text.index(w) for w in ("city", "bomb", "killed 10"))
    with Store(tmp_path / "a.db") as store:
        store.add_documents([NewDocument(text, {}, "a")])
        annotation = store.open_annotation(1, ANNOTATOR)
        assert annotation.spans == ()
        store.add_span(annotation.id, Span(city, city + 4, "GPE"), ANNOTATOR)
        bomb_id = store.add_span(annotation.id, Span(bomb, bomb + 4, "ORG"), ANNOTATOR)
        store.delete_span(bomb_id, ANNOTATOR)
        toll = Span(killed, killed + 9, "KILLED", {"value": 10, "qualifier": "exact"}, SOURCE_RULE)
        suggested = [
            Span(city, city + 4, "GPE", {}, SOURCE_MODEL),
            Span(bomb, bomb + 4, "ORG", {}, SOURCE_MODEL),
            toll,
        ]
        store.save_suggestions([(1, suggested)], "v1")

        added = store.add_late_suggestions(annotation.id, ANNOTATOR, "v1")

        assert [(s.span.start, s.span.label, s.status) for s in added] == [
            (killed, "KILLED", PENDING)
        ]
        spans = store.open_annotation(1, ANNOTATOR).spans
        assert [(s.span.label, s.origin) for s in spans] == [
            ("KILLED", SOURCE_RULE),
            ("GPE", "annotator"),
        ]
        assert store.add_late_suggestions(annotation.id, ANNOTATOR, "v1") == []  # once
        # `u` undoes the annotator's own last change (the delete), not the merge
        store.undo(ANNOTATOR)
        labels = sorted(s.span.label for s in store.open_annotation(1, ANNOTATOR).spans)
        assert labels == ["GPE", "KILLED", "ORG"]


def test_one_models_suggestions_at_a_time(tmp_path):
    """An annotation opened with one model's suggestions keeps them: another model's
    arriving later (a switch of model, a new gold ruler) are not mixed in."""
    text = ARTICLES[0]
    city, bomb = (text.index(w) for w in ("city", "bomb"))
    with Store(tmp_path / "a.db") as store:
        store.add_documents([NewDocument(text, {}, "a")])
        store.save_suggestions([(1, [Span(city, city + 4, "GPE", {}, SOURCE_MODEL)])], "v1")
        annotation = store.open_annotation(1, ANNOTATOR)
        store.save_suggestions(
            [(1, [Span(city, city + 4, "ORG", {}, SOURCE_MODEL), Span(bomb, bomb + 4, "ORG")])],
            "v2",
        )
        assert store.add_late_suggestions(annotation.id, ANNOTATOR, "v2") == []
        spans = store.open_annotation(1, ANNOTATOR).spans
        assert [(s.span.text_in(text), s.span.label) for s in spans] == [("city", "GPE")]
