"""A casualty span whose count nobody could read (from another tool) is shown as
needing a value, until the annotator gives it one."""

from __future__ import annotations

import pytest

from workbench.model import SOURCE_IMPORT, Span
from workbench.store import NewDocument, Store
from workbench.tui.app import make_app
from workbench.tui.widgets.bars import DetailBar
from workbench.tui.widgets.span_list import SpanList

from .helpers import ANNOTATOR, config

pytestmark = pytest.mark.anyio

TEXT = "At least 12 people died when the bridge fell."


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.add_documents([NewDocument(TEXT, {}, "doccano.jsonl")])
        # as a doccano import stores it: the whole phrase, no value, no qualifier
        store.save_suggestions([(1, [Span(0, 18, "KILLED", {}, SOURCE_IMPORT)])], "import")
    return path


def shown(app) -> tuple[str, str]:
    row = app.screen.query_one(SpanList).render_line(0).text
    return row, str(app.screen.query_one(DetailBar).render())


async def test_an_unreadable_count_needs_a_value_until_one_is_given(db):
    app = make_app(db, config(), ANNOTATOR, prefetch=False)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        row, detail = shown(app)
        assert "\u26a0" in row
        assert "needs a value" in detail
        await pilot.press("e")
        await pilot.press(*"12", "tab")
        await pilot.pause()
        app.screen.query_one("#qualifier").highlighted = 2  # at_least
        await pilot.press("enter")
        await pilot.pause()
        row, detail = shown(app)
        assert "\u26a0" not in row and "needs a value" not in detail
        assert "\u226512" in row  # ≥12
    with Store(db) as store:
        span = store.open_annotation(1, ANNOTATOR).spans[0].span
        assert (span.value, span.qualifier) == (12, "at_least")
