"""The annotator without colour, and after the terminal changes size."""

from __future__ import annotations

import itertools

import pytest
from rich.style import Style

from workbench.model import ACCEPTED, PENDING, REJECTED, SOURCE_ANNOTATOR, SOURCE_MODEL
from workbench.tui.display import Palette

from .helpers import ANNOTATOR, SEED, find

pytestmark = pytest.mark.anyio

TEXT = SEED.read_text(encoding="utf-8")
STATES = {
    "suggested": (PENDING, SOURCE_MODEL),
    "accepted": (ACCEPTED, SOURCE_MODEL),
    "hand-made": (ACCEPTED, SOURCE_ANNOTATOR),
    "rejected": (REJECTED, SOURCE_MODEL),
}


def attributes(style: str) -> tuple[bool, ...]:
    """What is left of a style on a monochrome terminal: the attributes, not the colour."""
    parsed = Style.parse(style.replace(" 60%", ""))
    return (bool(parsed.bold), bool(parsed.underline), bool(parsed.reverse), bool(parsed.strike))


def test_span_states_differ_without_colour():
    palette = Palette.of([("GPE", "#98c379")])
    looks = {name: attributes(palette.span_style("GPE", *state)) for name, state in STATES.items()}
    for (a, look_a), (b, look_b) in itertools.combinations(looks.items(), 2):
        assert look_a != look_b, f"{a} and {b} look the same without colour"


@pytest.mark.parametrize("size", [(60, 20), (120, 40), (80, 24)])
async def test_resize_keeps_the_focused_span_shown_and_keys_working(app_for, read, size):
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"jjjjjjjjjj")  # well down the article
        await pilot.pause()
        focused = app.session.focus.span
        await pilot.resize_terminal(*size)
        await pilot.pause()
        screen = app.export_screenshot()
        first_word = focused.text_in(TEXT).split()[0]
        assert "\u27e6" in screen and first_word in screen  # ⟦ marks the focused span
        await pilot.press("a")
        await pilot.pause()
    store = read()
    spans = {(s.span.start, s.span.end): s for s in store.open_annotation(1, ANNOTATOR).spans}
    assert spans[(focused.start, focused.end)].status == ACCEPTED
    assert find(TEXT, focused.text_in(TEXT)) is not None


async def test_a_new_document_of_another_length_gets_its_own_scroll_range(tmp_path):
    from workbench.store import NewDocument, Store
    from workbench.tui.app import make_app
    from workbench.tui.widgets.document_view import DocumentView

    from .helpers import config

    first = "\n".join(f"Paragraph {i}: officials said three people were killed." for i in range(80))
    second = "\n".join(f"Line {i}." for i in range(50))
    db = tmp_path / "long.db"
    with Store(db) as store:
        store.add_documents([NewDocument(first, {}, "a"), NewDocument(second, {}, "b")])
    app = make_app(db, config(), ANNOTATOR, prefetch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(DocumentView)
        rows_before = view.virtual_size.height
        view.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        await pilot.press("s")  # nothing pending: submitted, the shorter one opens
        await pilot.pause()
        assert app.session.annotation.document.id == 2
        rows = view.virtual_size.height
        assert rows == 50 < rows_before
        # The scrollbar stayed, so no layout ran: its thumb and the range follow anyway.
        assert view.vertical_scrollbar.window_virtual_size == rows
        assert view.max_scroll_y == rows - view.scrollable_content_region.height
        assert view.scroll_y == 0
