"""The spans of the document in text order: one line each, drawn with the Line API."""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.geometry import Region, Size
from textual.strip import Strip

from ...model import AnnotatedSpan
from ..display import Palette, span_row
from ..messages import SpanClicked
from .line_cache import LineCache

CURSOR_STYLE = "bold on #2c3a4f"


class SpanList(LineCache, can_focus=False):
    """Status, label, text, casualty value and origin of every span."""

    def __init__(self, palette: Palette, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = palette
        self.spans: Sequence[AnnotatedSpan] = ()
        self.text = ""
        self.cursor = 0

    def set_spans(self, spans: Sequence[AnnotatedSpan], text: str, cursor: int) -> None:
        """Show these spans; redraw only the rows whose span or cursor changed.

        A row changed when its span object did: the session replaces only the spans
        an action touched, so the others are the same objects.
        """
        old, old_cursor = self.spans, self.cursor
        self.spans, self.cursor = spans, cursor
        if text is not self.text or len(spans) != len(old):
            self.text = text
            self.clear_strips()
            if self.virtual_size.height != len(spans):
                self.virtual_size = Size(self.size.width, len(spans))
            self.refresh()
        else:
            rows = {i for i, (a, b) in enumerate(zip(old, spans, strict=True)) if a is not b}
            if cursor != old_cursor:
                rows |= {old_cursor, cursor}
            if rows:
                for key in [k for k in self.strips if k[0] in rows]:
                    del self.strips[key]
                for row in rows:
                    self.refresh_line(row)
        self.scroll_to_region(Region(0, cursor, 1, 1), animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self.clear_strips()
        self.virtual_size = Size(event.size.width, len(self.spans))

    def render_line(self, y: int) -> Strip:
        visual, rich = self.line_styles()
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self.spans):
            return Strip.blank(width, rich)
        key = (index, width, index == self.cursor)
        strip = self.strips.get(key)
        if strip is None:
            row = span_row(self.spans[index], self.text, self.palette, width - 1)
            if index == self.cursor:
                row = Content.assemble(("\u25b6", "bold"), row).stylize(CURSOR_STYLE)
            else:
                row = Content(" ") + row
            strip = Strip(row.render_segments(visual)).adjust_cell_length(width, rich)
            self.strips[key] = strip
        return strip

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.spans):
            self.post_message(SpanClicked(self.spans[index].id))
