"""The article text, wrapped, with spans highlighted; re-renders only what changed.

The text is split into blocks of whole lines (`display.split_blocks`), one Static
each, so a keystroke on a 50,000-character document re-wraps a block or two, not
the whole text.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Region, Spacing
from textual.widgets import Static

from ...display import Palette, Selection, block_content, line_of, split_blocks, visible
from ...model import AnnotatedSpan


class TextBlock(Static, can_focus=False):
    """A run of whole lines of the article."""

    def __init__(self, content: Content) -> None:
        super().__init__(content, markup=False)
        self.shown = content

    def show(self, content: Content, width: int) -> None:
        """Show new content with its height computed here (cheaper than Textual's
        auto height, which wraps every block of a long document on each layout)."""
        self.shown = content
        self.fit(width)
        self.update(content, layout=False)

    def fit(self, width: int) -> None:
        if width > 0:
            height = rows(self.shown, width)
            if self.styles.height is None or self.styles.height.value != height:
                self.styles.height = height


def rows(content: Content, width: int) -> int:
    return line_of(content, len(content.plain), width) + 1


Signature = tuple[object, ...]


class DocumentView(VerticalScroll, can_focus=False):
    """The document being annotated."""

    def __init__(self, palette: Palette, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.palette = palette
        self.text = ""
        self.blocks: list[tuple[int, int]] = []
        self.block_starts: list[int] = []
        self.signatures: list[Signature] = []
        self.inserted: list[list[int]] = []  # per block: source offsets of inserted marks

    async def show_document(
        self,
        text: str,
        spans: Sequence[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
    ) -> None:
        """Replace the text (a new document)."""
        self.text = visible(text)
        self.blocks = split_blocks(self.text)
        self.block_starts = [b0 for b0, _ in self.blocks]
        per_block = self._spans_per_block(spans)
        self.signatures, self.inserted = [], []
        contents = []
        for i, block in enumerate(self.blocks):
            content, inserted = self._block_content(block, per_block[i], focus, selection)
            contents.append(content)
            self.signatures.append(self._signature(block, per_block[i], focus, selection))
            self.inserted.append(inserted)
        # Reuse the blocks already mounted: mounting widgets is the slow part.
        children = list(self.query_children(TextBlock))
        with self.app.batch_update():
            width = self.scrollable_content_region.width
            for child, content in zip(children, contents, strict=False):
                child.show(content, width)
            if len(children) > len(contents):
                await self.remove_children(children[len(contents) :])
            elif len(contents) > len(children):
                new = [TextBlock(c) for c in contents[len(children) :]]
                for text_block in new:
                    text_block.fit(width)
                await self.mount_all(new)
            self.scroll_home(animate=False, immediate=True)
        if not self._near_top(focus, selection):
            self.call_after_refresh(self.scroll_to_focus, focus, selection)

    def _near_top(self, focus: AnnotatedSpan | None, selection: Selection | None) -> bool:
        """Whether the focus shows on the first screen without scrolling."""
        offset = selection.start if selection else focus.span.start if focus else 0
        if not self.blocks or offset > self.blocks[0][1]:
            return False
        width = self.scrollable_content_region.width
        return width > 0 and line_of(Content(self.text[: offset + 1]), offset, width) < max(
            1, self.scrollable_content_region.height - 3
        )

    def update_spans(
        self,
        spans: Sequence[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
    ) -> None:
        """Re-render the blocks whose spans, focus or selection changed."""
        per_block = self._spans_per_block(spans)
        children = list(self.query_children(TextBlock))
        for i, block in enumerate(self.blocks):
            signature = self._signature(block, per_block[i], focus, selection)
            if signature != self.signatures[i] and i < len(children):
                content, self.inserted[i] = self._block_content(
                    block, per_block[i], focus, selection
                )
                children[i].show(content, self.scrollable_content_region.width)
                self.signatures[i] = signature
        self.scroll_to_focus(focus, selection)

    def _spans_per_block(self, spans: Sequence[AnnotatedSpan]) -> list[list[AnnotatedSpan]]:
        out: list[list[AnnotatedSpan]] = [[] for _ in self.blocks]
        for s in spans:
            first = max(0, bisect.bisect_right(self.block_starts, s.span.start) - 1)
            last = max(
                0, bisect.bisect_right(self.block_starts, max(s.span.start, s.span.end - 1)) - 1
            )
            for i in range(first, last + 1):
                out[i].append(s)
        return out

    def _signature(
        self,
        block: tuple[int, int],
        spans: list[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
    ) -> Signature:
        b0, b1 = block
        spans_key = tuple((s.id, s.span, s.status, s.origin) for s in spans)
        focus_key = None
        if selection is None and focus is not None and focus in spans:
            focus_key = (focus.id, focus.span)
        selection_key = None
        if selection is not None and selection.start <= b1 and selection.end >= b0:
            selection_key = (selection.start, selection.end)
        return (spans_key, focus_key, selection_key)

    def _block_content(
        self,
        block: tuple[int, int],
        spans: list[AnnotatedSpan],
        focus: AnnotatedSpan | None,
        selection: Selection | None,
    ) -> tuple[Content, list[int]]:
        shown_focus = focus if focus is not None and focus in spans else None
        return block_content(
            self.text, block, spans, self.palette, focus=shown_focus, selection=selection
        )

    def scroll_to_focus(self, focus: AnnotatedSpan | None, selection: Selection | None) -> None:
        """Scroll so the focused span (or the selection) is in view, with some context."""
        if selection is not None:
            offset = selection.end if selection.end < len(self.text) else selection.start
            offset = selection.start if selection.start < self._first_visible() else offset
        elif focus is not None:
            offset = focus.span.start
        else:
            return
        children = list(self.query_children(TextBlock))
        i = max(0, bisect.bisect_right(self.block_starts, offset) - 1)
        if i >= len(children):
            return
        block = children[i]
        b0 = self.blocks[i][0]
        shift = bisect.bisect_left(self.inserted[i], offset) if self.inserted[i] else 0
        width = block.content_region.width or self.scrollable_content_region.width
        line = line_of(block.shown, offset - b0 + shift, width)
        y = block.virtual_region.y + line
        self.scroll_to_region(
            Region(0, y, 1, 1),
            spacing=Spacing(2, 0, 2, 0),
            animate=False,
            immediate=True,
        )

    def _first_visible(self) -> int:
        return 0

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        for block in self.query_children(TextBlock):
            block.fit(width)
