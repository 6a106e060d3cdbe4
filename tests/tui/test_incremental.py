"""The document view restyles only the lines a key touched: the result must be what
styling every line from scratch gives, after any sequence of keys."""

from __future__ import annotations

import random

import pytest

from workbench.tui.display import block_content
from workbench.tui.widgets.document_view import DocumentView

pytestmark = pytest.mark.anyio

KEYS = [
    *"aaxxjjjkkd",
    "left_square_bracket",
    "right_square_bracket",
    "comma",
    "full_stop",
    "comma",
    "full_stop",
    *"3488",
    "u",
    "u",
    "A",
    "v",
]
SELECT_KEYS = ["l", "l", "L", "H", "h", "j", "escape", "3", "8"]


def from_scratch(view: DocumentView, session) -> list[tuple[str, list]]:
    """Every line styled anew from the session, as the view did before it was incremental."""
    out = []
    selection = session.selection
    bounds = [line.start for line in view.lines[1:]] + [len(view.text) + 1]
    for line, next_start in zip(view.lines, bounds, strict=True):
        # A line holds the spans that start before the next line and end in or after it.
        spans = [
            s
            for s in session.spans
            if s.span.start < next_start and max(s.span.start, s.span.end - 1) >= line.start
        ]
        focus = session.focus if session.focus in spans else None
        content, _ = block_content(
            view.text, (line.start, line.end), spans, view.palette, focus=focus, selection=selection
        )
        out.append((content.plain, list(content.spans)))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_restyling_only_touched_lines_equals_restyling_all(app_for, seed):
    rng = random.Random(seed)
    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(DocumentView)
        for _ in range(60):
            keys = SELECT_KEYS if app.session.selecting else KEYS
            await pilot.press(rng.choice(keys))
            await pilot.pause()
            if app.session.annotation is None or app.session.annotation.document.id != 1:
                break
            shown = [(line.content.plain, list(line.content.spans)) for line in view.lines]
            assert shown == from_scratch(view, app.session)


async def test_a_style_change_redraws_the_cached_lines(app_for):
    """Lines are cached with the widget's style looked up once: a new style (here the
    theme) must reach every cached line, not only the ones a key touches next."""
    from workbench.tui.widgets.span_list import SpanList

    def backgrounds(strip) -> set:
        return {s.style.bgcolor for s in strip if s.style is not None and s.style.bgcolor}

    app = app_for()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        widgets = (app.screen.query_one(DocumentView), app.screen.query_one(SpanList))
        before = [backgrounds(w.render_line(5)) for w in widgets]
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        after = [backgrounds(w.render_line(5)) for w in widgets]
        for widget, old, new in zip(widgets, before, after, strict=True):
            assert old and new and old != new, type(widget).__name__
