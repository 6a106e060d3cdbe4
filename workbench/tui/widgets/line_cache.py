"""Drawn lines kept between frames, for the scrolling views that draw a line at a time.

A view keeps each line's `Strip` in `strips` (keyed as it likes) and redraws only the
lines an action changed. The widget's style is looked up once per drawing of the
strips, not per line (each lookup walks the DOM); a style change (a theme, a class)
drops every kept line, so none is shown in the old style.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style as RichStyle
from textual.scroll_view import ScrollView
from textual.style import Style as VisualStyle


class LineCache(ScrollView):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.strips: dict[Any, Any] = {}
        self._line_styles: tuple[VisualStyle, RichStyle] | None = None

    def clear_strips(self) -> None:
        self.strips.clear()
        self._line_styles = None

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.clear_strips()

    def line_styles(self) -> tuple[VisualStyle, RichStyle]:
        """The widget's visual and Rich style, as the kept lines were drawn in."""
        if self._line_styles is None:
            self._line_styles = (self.visual_style, self.rich_style)
        return self._line_styles
