"""The spans of the document in text order: one line each, drawn with the Line API."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style as RichStyle
from textual import events
from textual.content import Content
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style as VisualStyle

from ...model import AnnotatedSpan
from ..display import Palette, span_row
from ..messages import SpanClicked

CURSOR_STYLE = "bold on #2c3a4f"


class SpanList(ScrollView, can_focus=False):
    """Status, label, text, casualty value and origin of every span."""

    def __init__(self, palette: Palette, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = palette
        self.spans: Sequence[AnnotatedSpan] = ()
        self.text = ""
        self.cursor = 0
        self._cache: dict[tuple[int, int, bool], Strip] = {}
        self._line_styles: tuple[VisualStyle, RichStyle] | None = None  # visual, rich

    def set_spans(self, spans: Sequence[AnnotatedSpan], text: str, cursor: int) -> None:
        """Show these spans; redraw only the rows whose span or cursor changed.

        A row changed when its span object did: the session replaces only the spans
        an action touched, so the others are the same objects.
        """
        old, old_cursor = self.spans, self.cursor
        self.spans, self.cursor = spans, cursor
        if text is not self.text or len(spans) != len(old):
            self.text = text
            self._clear_strips()
            if self.virtual_size.height != len(spans):
                self.virtual_size = Size(self.size.width, len(spans))
            self.refresh()
        else:
            rows = {i for i, (a, b) in enumerate(zip(old, spans, strict=True)) if a is not b}
            if cursor != old_cursor:
                rows |= {old_cursor, cursor}
            if rows:
                for key in [k for k in self._cache if k[0] in rows]:
                    del self._cache[key]
                for row in rows:
                    self.refresh_line(row)
        self.scroll_to_region(Region(0, cursor, 1, 1), animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._clear_strips()
        self.virtual_size = Size(event.size.width, len(self.spans))

    def _clear_strips(self) -> None:
        self._cache.clear()
        self._line_styles = None

    def notify_style_update(self) -> None:
        """A style changed (theme, focus, a class): strips drawn in the old one go."""
        super().notify_style_update()
        self._clear_strips()

    def _styles_of_lines(self) -> tuple[VisualStyle, RichStyle]:
        """The widget's visual and Rich style, looked up once per drawing of its strips
        (each lookup walks the DOM; drawn per line they took a fifth of a repaint)."""
        if self._line_styles is None:
            self._line_styles = (self.visual_style, self.rich_style)
        return self._line_styles

    def render_line(self, y: int) -> Strip:
        visual, rich = self._styles_of_lines()
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if index >= len(self.spans):
            return Strip.blank(width, rich)
        key = (index, width, index == self.cursor)
        strip = self._cache.get(key)
        if strip is None:
            row = span_row(self.spans[index], self.text, self.palette, width - 1)
            if index == self.cursor:
                row = Content.assemble(("\u25b6", "bold"), row).stylize(CURSOR_STYLE)
            else:
                row = Content(" ") + row
            strip = Strip(row.render_segments(visual)).adjust_cell_length(width, rich)
            self._cache[key] = strip
        return strip

    def on_click(self, event: events.Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self.spans):
            self.post_message(SpanClicked(self.spans[index].id))
