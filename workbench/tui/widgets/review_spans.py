"""The review screen's span list: every annotator's spans, agreed or contested, who has
each, and whether the reviewed gold has it; drawn with the Line API.

Also the bridge to the annotator's DocumentView: rows become `AnnotatedSpan`s whose
status says "in the gold" (accepted) or not (pending) and whose origin carries the
row's kind, which `ReviewPalette` styles without colour alone (NO_COLOR): in the gold
reversed, not in it underlined, contested italic too, the reviewer's own bold.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...model import ACCEPTED, PENDING, AnnotatedSpan
from ...review_session import AGREED, CONTESTED, OWN, Row
from ..display import QUALIFIER_SHORT, Palette, visible
from ..messages import SpanClicked

CURSOR_STYLE = "bold on #2c3a4f"
KIND_MARK = {AGREED: "=", CONTESTED: "\u2260", OWN: "+"}  # = ≠ +
GOLD_MARK = {True: "\u2713", False: " "}  # ✓: in the reviewed gold


class ReviewPalette(Palette):
    """Span styles by "in the gold" (the status) and the row's kind (the origin)."""

    def span_style(self, label: str, status: str, origin: str) -> str:
        color = self.color(label)
        extra = {CONTESTED: " italic", OWN: " bold"}.get(origin, "")
        if status == ACCEPTED:
            return f"reverse{extra} {color}"
        return f"underline{extra} {color}"


def view_spans(rows: Sequence[Row]) -> tuple[AnnotatedSpan, ...]:
    """The rows as spans for DocumentView (ids are row numbers + 1)."""
    return tuple(
        AnnotatedSpan(i + 1, r.span, ACCEPTED if r.in_gold else PENDING, r.kind)
        for i, r in enumerate(rows)
    )


def count_text(row: Row) -> str:
    """'>100', '~200', '?' for a casualty span; '' otherwise."""
    s = row.span
    if not s.is_casualty:
        return ""
    shown = "?" if s.value is None else f"{s.value:,}"
    if s.qualifier == "vague":
        return "?"
    return QUALIFIER_SHORT.get(s.qualifier or "", "\u26a0") + shown


def who_text(row: Row) -> str:
    if row.kind == AGREED:
        return "all"
    if row.kind == OWN:
        return "reviewer"
    return ",".join(visible(n) for n in row.has)


def review_row(row: Row, text: str, palette: ReviewPalette, width: int) -> Content:
    """One line of the list: in gold, kind, label, text, count, who has it."""
    label_w = 8
    who = who_text(row)[:14]
    count = count_text(row)
    text_w = max(4, width - 4 - label_w - len(count) - 1 - len(who) - 1)
    words = visible(" ".join(text[row.span.start : row.span.end].split()))
    if len(words) > text_w:
        words = words[: text_w - 1] + "\u2026"
    style = palette.span_style(row.span.label, ACCEPTED if row.in_gold else PENDING, row.kind)
    return Content.assemble(
        (GOLD_MARK[row.in_gold], "bold"),
        (KIND_MARK[row.kind] + " ", "bold"),
        (visible(row.span.label)[: label_w - 1].ljust(label_w), palette.tag_style(row.span.label)),
        (words, style),
        " " * (text_w - len(words)) + " ",
        (count + (" " if count else ""), "bold"),
        (who, "dim italic" if row.kind == AGREED else "italic"),
    )


class ReviewSpanList(ScrollView, can_focus=False):
    """The rows of the open document, one line each, the focused one marked."""

    def __init__(self, palette: ReviewPalette, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = palette
        self.rows: Sequence[Row] = ()
        self.text = ""
        self.cursor = 0

    @property
    def lines(self) -> list[str]:
        """What the list shows, as plain text (for tests and screen readers)."""
        width = max(20, self.scrollable_content_region.width - 1)
        return [review_row(r, self.text, self.palette, width).plain for r in self.rows]

    def set_rows(self, rows: Sequence[Row], text: str, cursor: int) -> None:
        self.rows, self.text, self.cursor = rows, text, cursor
        self.virtual_size = Size(self.size.width, len(rows))
        self.refresh()
        self.scroll_to_region(Region(0, cursor, 1, 1), animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self.rows):
            return Strip.blank(width, self.rich_style)
        row = review_row(self.rows[index], self.text, self.palette, width - 1)
        if index == self.cursor:
            row = Content.assemble(("\u25b6", "bold"), row).stylize(CURSOR_STYLE)
        else:
            row = Content(" ") + row
        return Strip(row.render_segments(self.visual_style)).adjust_cell_length(
            width, self.rich_style
        )

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.rows):
            self.post_message(SpanClicked(index + 1))
