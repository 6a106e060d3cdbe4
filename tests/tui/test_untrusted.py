"""Article text is shown literally: no markup, no escape sequences, offsets kept."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content

from workbench.model import PENDING, AnnotatedSpan, Span
from workbench.tui.display import Palette, block_content, span_row, visible, wrap_offsets
from workbench.tui.widgets.document_view import DocumentView

from .helpers import ANNOTATOR
from .test_snapshots import HOSTILE, app_on, hostile_db

pytestmark = pytest.mark.anyio

DANGEROUS = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} - {"\n"}
DANGEROUS |= {chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


@given(st.text())
def test_visible_is_one_for_one_and_safe(text):
    shown = visible(text)
    assert len(shown) == len(text)
    assert not DANGEROUS & set(shown)
    assert [i for i, c in enumerate(text) if c == "\n"] == [
        i for i, c in enumerate(shown) if c == "\n"
    ]


@given(st.text(min_size=1), st.data())
def test_span_styles_land_on_the_span_text(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    span = AnnotatedSpan(1, Span(start, end, "GPE"), PENDING, "model")
    shown = visible(text)
    content, _ = block_content(
        shown, (0, len(shown)), [span], Palette.of([("GPE", "#98c379")]), focus=span
    )
    underline = [s for s in content.spans if "underline" in str(s.style)]
    assert [content.plain[s.start : s.end] for s in underline] == [shown[start:end]]


def test_bad_colour_in_config_is_not_a_style():
    palette = Palette.of([("GPE", "red on blue link=https://x [b]")])
    assert palette.color("GPE") == "#888888"


def test_span_row_is_content_not_markup():
    s = AnnotatedSpan(1, Span(0, 4, "[b]X"), PENDING, "model")
    row = span_row(s, "[/x] tail", Palette.of([]), 34)
    assert isinstance(row, Content) and "[/x]" in row.plain and "[b]X" in row.plain


async def test_hostile_document_is_shown_literally(tmp_path):
    app = app_on(hostile_db(tmp_path / "h.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = app.screen.query_one(DocumentView).shown_text
        assert "[/x]" in shown and "[link=https://evil.example]" in shown
        assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown
        await pilot.press("a", "a")  # accepting "[/x]" and Kabul works like any span
        await pilot.pause()
        assert app.is_running
    from workbench.store import Store

    with Store(tmp_path / "h.db") as store:
        spans = store.open_annotation(1, ANNOTATOR).gold_spans()
        assert [s.text_in(HOSTILE) for s in spans] == ["[/x]", "Kabul"]


@given(
    st.text(
        alphabet=st.sampled_from("ab  xyz,.\u2019\u201c\u2014\u00e9\u4e2d\u0301\u2400\U0001f600")
    ),
    st.integers(2, 30),  # at width 1 Textual crops a wide character to nothing
)
def test_wrapping_is_textuals(text, width):
    # Textual's public wrap is the oracle: the rows our break offsets cut are the rows
    # Textual draws (it drops the space a row breaks at).
    cuts = [0, *wrap_offsets(text, width), len(text)]
    rows = [text[a:b].rstrip() for a, b in zip(cuts, cuts[1:], strict=False)]
    assert rows == [line.plain.rstrip() for line in Content(text).wrap(width)]


@given(
    st.text(alphabet=st.sampled_from("ab   xyz,.-\u2019\u201c\u2014\u00e9"), max_size=300),
    st.integers(1, 30),
)
def test_wrapping_one_cell_text_a_row_at_a_time_is_textuals(text, width):
    # One-cell characters take the row-at-a-time path: the same oracle, more rows.
    cuts = [0, *wrap_offsets(text, width), len(text)]
    rows = [text[a:b].rstrip() for a, b in zip(cuts, cuts[1:], strict=False)]
    assert rows == [line.plain.rstrip() for line in Content(text).wrap(width)]
