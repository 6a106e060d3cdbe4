"""The history pane: the open document's audit trail, newest at the bottom."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ...review_session import HistoryLine


def history_content(lines: list[HistoryLine]) -> Content:
    """One line per event: time, who, what changed (before -> after)."""
    if not lines:
        return Content("No events for this document.")
    parts: list[str | tuple[str, str]] = []
    for i, line in enumerate(lines):
        parts += [
            "\n" if i else "",
            (line.ts[5:], "dim"),  # month-day time: the year is rarely the question
            " ",
            (f"{line.who:<10}", "bold"),
            " ",
            line.summary,
        ]
    return Content.assemble(*parts)


class HistoryPane(VerticalScroll, can_focus=False):
    """A scrolling pane of the document's events."""

    def compose(self):
        yield Static(Content(""), id="history-text")

    def show(self, lines: list[HistoryLine]) -> None:
        self.lines = lines
        self.query_one("#history-text", Static).update(history_content(lines))
        self.call_after_refresh(self.scroll_end, animate=False)

    @property
    def text(self) -> str:
        return history_content(getattr(self, "lines", [])).plain
