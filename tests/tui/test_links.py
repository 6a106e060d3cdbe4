"""Linking casualty figures to their sources with the keyboard, asserted on the database."""

from __future__ import annotations

import pytest

from workbench.model import ACCEPTED, PENDING, link_of
from workbench.store import Store
from workbench.tokens import Tokens
from workbench.tui.app import make_app
from workbench.tui.bindings import LINK, NORMAL, SELECT
from workbench.tui.widgets.span_list import SpanList

from .helpers import ANNOTATOR, SEED, config, find, seed_db

pytestmark = pytest.mark.anyio

SIZE = (100, 30)
TEXT = SEED.read_text(encoding="utf-8")


def spans_of(store):
    return {s.span.text_in(TEXT): s for s in store.open_annotation(1, ANNOTATOR).spans}


async def focus(app, pilot, needle: str) -> None:
    """Focus the span with these words, with the keys an annotator would press."""
    order = [s.span.text_in(TEXT) for s in app.session.spans]
    delta = order.index(needle) - app.session.focus_index
    await pilot.press(*(["j"] * delta if delta > 0 else ["k"] * -delta))
    assert app.session.focus.span.text_in(TEXT) == needle


def linked_text(span) -> str | None:
    ref = link_of(span.span)
    return None if ref is None else TEXT[ref[0] : ref[1]]


@pytest.fixture
def read_db():
    """Open a fresh Store on a database, to assert on what was committed."""
    opened: list[Store] = []

    def opener(path):
        opened.append(Store(path))
        return opened[-1]

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def linked_db(tmp_path):
    return seed_db(tmp_path / "linked.db", links=True)


async def test_link_to_an_existing_span_then_relink(tmp_path, read_db):
    db = seed_db(tmp_path / "a.db")
    app = make_app(db, config(), ANNOTATOR, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await focus(app, pilot, "nearly 150")
        await pilot.press("r")
        assert app.screen.mode == LINK
        await focus(app, pilot, "Reuters")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.mode == NORMAL
        store = read_db(db)
        spans = spans_of(store)
        assert linked_text(spans["nearly 150"]) == "Reuters"
        assert spans["nearly 150"].status == spans["Reuters"].status == ACCEPTED
        # relink: r starts on the current source; move to another and confirm
        await focus(app, pilot, "nearly 150")
        await pilot.press("r")
        assert app.session.focus.span.text_in(TEXT) == "Reuters"
        await focus(app, pilot, "Kremlin")
        await pilot.press("enter")
        await pilot.pause()
        assert linked_text(spans_of(store)["nearly 150"]) == "Kremlin"


async def test_link_to_new_words_as_a_source_span(tmp_path, read_db):
    db = seed_db(tmp_path / "a.db")
    app = make_app(db, config(), ANNOTATOR, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await focus(app, pilot, "More than 33")
        await pilot.press("r", "v")
        assert app.screen.mode == SELECT
        tokens = Tokens.of(TEXT)
        start, end = find(TEXT, "interior ministry official")
        first, last = tokens.index_at(start), tokens.index_at(end - 1)
        move = first - app.session.cursor
        await pilot.press(*(["l"] * move if move > 0 else ["h"] * -move))
        await pilot.press(*["L"] * (last - first))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.mode == NORMAL
    spans = spans_of(read_db(db))
    assert linked_text(spans["More than 33"]) == "interior ministry official"
    source = spans["interior ministry official"]
    assert (source.span.label, source.status) == ("SOURCE", ACCEPTED)


async def test_clear_and_undo_a_link(linked_db, read_db):
    app = make_app(linked_db, config(), ANNOTATOR, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await focus(app, pilot, "nearly 150")
        await pilot.press("R")
        await pilot.pause()
        store = read_db(linked_db)
        assert linked_text(spans_of(store)["nearly 150"]) is None
        await pilot.press("u")
        await pilot.pause()
        assert linked_text(spans_of(store)["nearly 150"]) == "Reuters"
        assert linked_text(app.session.focus) == "Reuters"  # the screen shows the database
        # and the undo of a new link removes it
        await focus(app, pilot, "at least 200")
        await pilot.press("r")
        await focus(app, pilot, "Reuters")
        await pilot.press("enter", "u")
        await pilot.pause()
        assert linked_text(spans_of(store)["at least 200"]) is None
        assert spans_of(store)["at least 200"].status == PENDING


async def test_accept_takes_the_suggested_source_with_the_figure(linked_db, read_db):
    app = make_app(linked_db, config(), ANNOTATOR, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await focus(app, pilot, "nearly 150")
        await pilot.press("a")
        await pilot.pause()
        shown = {s.span.text_in(TEXT): s.status for s in app.session.spans}
        assert shown["Reuters"] == ACCEPTED  # on screen as in the database
    spans = spans_of(read_db(linked_db))
    assert spans["nearly 150"].status == spans["Reuters"].status == ACCEPTED
    assert linked_text(spans["nearly 150"]) == "Reuters"
    assert spans["Kremlin"].status == PENDING


async def test_escape_leaves_the_link_as_it_was_and_refusals(linked_db, read_db):
    app = make_app(linked_db, config(), ANNOTATOR, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await focus(app, pilot, "Reuters")
        await pilot.press("r")  # not a figure: refused, stays in normal mode
        assert app.screen.mode == NORMAL
        await focus(app, pilot, "nearly 150")
        await pilot.press("r")
        await focus(app, pilot, "Kremlin")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.mode == NORMAL
        assert app.session.focus.span.text_in(TEXT) == "nearly 150"
    assert linked_text(spans_of(read_db(linked_db))["nearly 150"]) == "Reuters"


async def test_the_span_list_shows_each_claim(linked_db):
    app = make_app(linked_db, config(), ANNOTATOR, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        span_list = app.screen.query_one(SpanList)
        order = [s.span.text_in(TEXT) for s in app.session.spans]
        row = span_list.render_line(order.index("nearly 150") - span_list.scroll_offset.y)
        assert "\u2190 Reuters" in row.text
