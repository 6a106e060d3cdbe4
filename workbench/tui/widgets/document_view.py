"""The article text, wrapped, with spans highlighted; redraws only the lines that changed.

A Line API view: the text is split into lines (`display.split_lines`), each styled
and wrapped on its own, and only the rows on screen are rendered. A keystroke
restyles the one or two lines whose spans, focus or selection changed; when their
text is unchanged (only styles moved) the wrapping is kept, so nothing is laid out
again. Opening another document swaps the content of the same widget.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from textual import events
from textual.content import Content
from textual.geometry import Region, Size, Spacing
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ...model import AnnotatedSpan
from ...tokens import Selection
from ..display import Palette, block_content, split_lines, visible, wrap_offsets
from .line_cache import LineCache

Signature = tuple[object, ...]


@dataclass
class Line:
    """One line of the text (no newline) as shown: styled, wrapped into rows."""

    start: int  # document offsets [start, end)
    end: int
    signature: Signature = ()
    content: Content = field(default_factory=Content)
    inserted: list[int] = field(default_factory=list)  # offsets of inserted marks
    breaks: list[int] = field(default_factory=list)  # display offsets where rows begin

    @property
    def rows(self) -> int:
        return len(self.breaks) + 1

    def row(self, index: int) -> Content:
        """One wrapped row, cut when it is drawn (only rows on screen are)."""
        cuts = [0, *self.breaks, len(self.content.plain)]
        piece = self.content[cuts[index] : cuts[index + 1]]
        # As Textual wraps: the space a row breaks at is not drawn at its end.
        return piece.rstrip() if index < len(self.breaks) else piece


class DocumentView(LineCache, can_focus=False):
    """The document being annotated."""

    def __init__(self, palette: Palette, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = palette
        self.text = ""
        self.lines: list[Line] = []
        self.line_starts: list[int] = []
        self.first_row: list[int] = []  # per line: index of its first row
        self.row_line: list[int] = []  # per row: index of its line
        self.width = 0
        # What to keep in view when the terminal changes size.
        self._focus: AnnotatedSpan | None = None
        self._selection: Selection | None = None
        # What the lines were last styled with: the spans (per line too), focus, selection.
        self._spans: Sequence[AnnotatedSpan] = ()
        self._per_line: list[list[AnnotatedSpan]] = []
        self._drawn: tuple[AnnotatedSpan | None, Selection | None] = (None, None)
        self._partner: AnnotatedSpan | None = None  # the focus's source, or the figure

    # ---- what is shown -------------------------------------------------------------

    @property
    def shown_text(self) -> str:
        """The text as displayed, marks included, one line per line of the article."""
        return "\n".join(line.content.plain for line in self.lines)

    def show_document(
        self,
        text: str,
        spans: Sequence[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
        partner: AnnotatedSpan | None = None,
    ) -> None:
        """Replace the text (a new document) in place and scroll to the focus."""
        self.text = visible(text)
        self.lines = [Line(a, b) for a, b in split_lines(self.text)]
        self.line_starts = [line.start for line in self.lines]
        self.width = self._wrap_width()
        self._spans, self._per_line = spans, self._spans_per_line(spans)
        self._drawn, self._partner = (focus, selection), partner
        for line, line_spans in zip(self.lines, self._per_line, strict=True):
            self._restyle(line, line_spans, focus, selection)
        self._layout_rows()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.scroll_to_focus(focus, selection)

    def update_spans(
        self,
        spans: Sequence[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
        partner: AnnotatedSpan | None = None,
    ) -> None:
        """Restyle the lines whose spans, focus, selection or partner changed."""
        relaid = False
        touched = set(self._touched_lines(spans, focus, selection))
        for was in (self._partner, partner):
            if was is not None:
                touched.update(self._lines_of(was.span.start, was.span.end))
        self._partner = partner
        for i in sorted(touched):
            line, line_spans = self.lines[i], self._per_line[i]
            signature = self._signature(line, line_spans, focus, selection)
            if signature == line.signature:
                continue
            old_plain, old_rows = line.content.plain, line.rows
            self._restyle(line, line_spans, focus, selection, signature)
            if line.content.plain != old_plain:  # else: same text, same wrapping, new styles
                line.breaks = wrap_offsets(line.content.plain, self.width)
            if line.rows != old_rows:
                relaid = True
            elif not relaid:
                first = self.first_row[i]
                for row in range(first, first + line.rows):
                    self.strips.pop(row, None)
                self.refresh_lines(first, line.rows)
        if relaid:
            self._layout_rows(rewrap=False)
        self.scroll_to_focus(focus, selection)

    # ---- styling and wrapping ---------------------------------------------------------

    def _wrap_width(self) -> int:
        return self.scrollable_content_region.width  # 0 before the first layout

    def _spans_per_line(self, spans: Sequence[AnnotatedSpan]) -> list[list[AnnotatedSpan]]:
        out: list[list[AnnotatedSpan]] = [[] for _ in self.lines]
        for s in spans:
            for i in self._lines_of(s.span.start, s.span.end):
                out[i].append(s)
        return out

    def _lines_of(self, start: int, end: int) -> range:
        """The lines a range of the text [start, end) touches (at least one)."""
        starts = self.line_starts
        first = max(0, bisect.bisect_right(starts, start) - 1)
        last = max(0, bisect.bisect_right(starts, max(start, end - 1)) - 1)
        return range(first, last + 1)

    def _touched_lines(
        self,
        spans: Sequence[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
    ) -> list[int]:
        """The lines that may look different now, the per-line spans brought up to date.

        The session replaces only the span objects an action changed, so comparing
        identities finds them without looking at 5,000 spans' contents; only their
        lines, and those of the old and new focus and selection, are looked at again.
        """
        if not self.lines:
            return []
        old = self._spans
        if len(old) == len(spans):  # a span changed (or moved): one pass, no hashing
            differ = [i for i, (a, b) in enumerate(zip(old, spans, strict=True)) if a is not b]
            gone, came = [old[i] for i in differ], [spans[i] for i in differ]
        else:  # added or deleted
            old_ids, new_ids = {id(s) for s in old}, {id(s) for s in spans}
            gone = [s for s in old if id(s) not in new_ids]
            came = [s for s in spans if id(s) not in old_ids]
        self._spans = spans
        if len(gone) + len(came) > len(self.lines):  # a bulk change: redo all, in one pass
            self._per_line = self._spans_per_line(spans)
            self._drawn = (focus, selection)
            return list(range(len(self.lines)))
        touched: set[int] = set()
        for s in gone:
            for i in self._lines_of(s.span.start, s.span.end):
                line_spans = self._per_line[i]
                del line_spans[next(j for j, x in enumerate(line_spans) if x is s)]
                touched.add(i)
        for s in came:
            key = (s.span.start, s.span.end, s.id)
            for i in self._lines_of(s.span.start, s.span.end):
                line_spans = self._per_line[i]
                at = bisect.bisect(line_spans, key, key=lambda x: (x.span.start, x.span.end, x.id))
                line_spans.insert(at, s)
                touched.add(i)
        for was_focus, was_selection in (self._drawn, (focus, selection)):
            if was_focus is not None:
                touched.update(self._lines_of(was_focus.span.start, was_focus.span.end))
            if was_selection is not None:  # a selection also marks the line it ends
                lines = self._lines_of(was_selection.start - 1, was_selection.end + 1)
                touched.update(lines)
        self._drawn = (focus, selection)
        return sorted(touched)

    def _signature(
        self,
        line: Line,
        spans: list[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
    ) -> Signature:
        spans_key = tuple((s.id, s.span, s.status, s.origin) for s in spans)
        focus_key = None
        if selection is None and focus is not None and focus in spans:
            focus_key = (focus.id, focus.span)
        selection_key = None
        if selection is not None and selection.start <= line.end and selection.end >= line.start:
            selection_key = (selection.start, selection.end)
        partner, partner_key = self._partner, None
        if (
            partner is not None
            and partner.span.start <= line.end
            and partner.span.end >= line.start
        ):
            partner_key = (partner.span.start, partner.span.end)
        return (spans_key, focus_key, selection_key, partner_key)

    def _restyle(
        self,
        line: Line,
        spans: list[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
        signature: Signature | None = None,
    ) -> None:
        shown_focus = focus if focus is not None and focus in spans else None
        line.content, line.inserted = block_content(
            self.text,
            (line.start, line.end),
            spans,
            self.palette,
            focus=shown_focus,
            selection=selection,
            partner=self._partner,
        )
        line.signature = signature or self._signature(line, spans, focus, selection)

    def _layout_rows(self, *, rewrap: bool = True) -> None:
        """Number the rows of every line; re-wrap every line first when asked."""
        self.first_row, self.row_line = [], []
        for i, line in enumerate(self.lines):
            if rewrap:
                line.breaks = wrap_offsets(line.content.plain, self.width)
            self.first_row.append(len(self.row_line))
            self.row_line.extend([i] * line.rows)
        self.clear_strips()
        self._set_height(len(self.row_line))
        self.refresh()

    def _set_height(self, height: int) -> None:
        """Set the scrollable height; no screen layout when only the scrollbar's thumb
        changes (the widget keeps its size), so a new document costs one frame."""
        old = self.virtual_size
        new = Size(self.width, height)
        if new == old:
            return
        viewport = self.scrollable_content_region.height
        if old.height > viewport and height > viewport:  # the scrollbar stays
            self.set_reactive(ScrollView.virtual_size, new)
            # What a layout would change, set directly: the thumb and the scroll range.
            bar = self.vertical_scrollbar
            bar.window_virtual_size = height
            bar.window_size = self.container_size.height - self.scrollbar_size_horizontal
            self.scroll_y = min(self.scroll_y, self.max_scroll_y)
        else:
            self.virtual_size = new  # a scrollbar appears or goes: lay the screen out

    # ---- drawing ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        visual, rich = self.line_styles()
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        strip = self.strips.get(row)
        if strip is None:
            if row >= len(self.row_line):
                return Strip.blank(width, rich)
            i = self.row_line[row]
            content = self.lines[i].row(row - self.first_row[i])
            strip = Strip(content.render_segments(visual)).adjust_cell_length(width, rich)
            self.strips[row] = strip
        return strip

    def on_resize(self, event: events.Resize) -> None:
        width = self._wrap_width()
        if width != self.width:
            self.width = width
            self._layout_rows()
        else:
            self.clear_strips()
        # Rows moved: bring the focus back once the new size is laid out.
        self.call_after_refresh(self.scroll_to_focus, self._focus, self._selection)

    # ---- scrolling --------------------------------------------------------------------

    def row_of(self, offset: int) -> int:
        """The row showing document offset `offset`."""
        if not self.lines:
            return 0
        i = max(0, bisect.bisect_right(self.line_starts, offset) - 1)
        line = self.lines[i]
        shown = offset - line.start + bisect.bisect_left(line.inserted, offset)
        return self.first_row[i] + bisect.bisect_right(line.breaks, shown)

    def scroll_to_focus(self, focus: AnnotatedSpan | None, selection: Selection | None) -> None:
        """Scroll so the focused span (or the selection) is in view, with some context."""
        self._focus, self._selection = focus, selection
        if selection is not None:
            top = self.row_of(selection.start)
            bottom = self.row_of(max(selection.start, selection.end - 1))
        elif focus is not None:
            top = self.row_of(focus.span.start)
            bottom = self.row_of(max(focus.span.start, focus.span.end - 1))
        else:
            return
        self.scroll_to_region(
            Region(0, top, 1, bottom - top + 1),
            spacing=Spacing(2, 0, 2, 0),
            animate=False,
            immediate=True,
        )
