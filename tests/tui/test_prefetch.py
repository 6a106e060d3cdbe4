"""The prefetch worker: suggestions for upcoming documents, off the UI thread."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

from workbench.store import NewDocument, Store
from workbench.tui.app import make_app
from workbench.tui.screens.annotate import AnnotateScreen

from .helpers import ANNOTATOR, config

pytestmark = pytest.mark.anyio

ARTICLES = [
    f"Article {i}: a bomb killed {10 + i} people and wounded 30 in the city." for i in range(6)
]


async def test_prefetch_suggests_the_next_documents(tmp_path):
    db = tmp_path / "annotations.db"
    with Store(db) as store:
        store.add_documents(NewDocument(t, {}, f"a{i}") for i, t in enumerate(ARTICLES))
    app = make_app(db, config(), ANNOTATOR, prefetch=True, prefetch_model=("blank:en",))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)  # painted before any suggestion
        deadline = time.monotonic() + 30
        while len(app.prefetched) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert app.prefetched == [2, 3, 4]  # the three after the open document
        await pilot.press("s")  # document 2 opens with its suggestions ...
        await pilot.pause()
        labels = {s.span.label for s in app.session.spans}
        assert "KILLED" in labels
        deadline = time.monotonic() + 30
        while len(app.prefetched) < 4 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert app.prefetched == [2, 3, 4, 5]  # ... and the worker moves one ahead
    with Store(db) as store:
        killed = [s for s in store.suggestions(2) if s.label == "KILLED"]
        assert [(s.value, s.qualifier) for s in killed] == [(11, "exact")]
        assert store.suggestions(6) == []
    # spaCy was loaded by the worker, never by the UI thread's modules
    assert "spacy" in sys.modules
