"""The review queue: documents submitted by two or more annotators or flagged, with the
flag comments, disagreements first; enter opens one in the review screen."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...config import Config
from ...review_session import ReviewSession
from ..bindings import QUEUE_BINDINGS
from ..display import visible
from ..widgets.review_queue import queue_options
from .review import Guarded, ReviewHelpScreen, review_screen


class QueueScreen(Guarded, Screen[None]):
    """Documents to review, disagreements first; enter opens one."""

    BINDINGS = QUEUE_BINDINGS  # type: ignore[assignment]

    def __init__(self, session: ReviewSession, config: Config) -> None:
        super().__init__()
        self.session, self.config = session, config

    def compose(self) -> ComposeResult:
        yield Static(id="queue-header")
        yield OptionList(id="queue")
        yield Footer(id="footer")

    def on_mount(self) -> None:
        self.query_one(Footer).compact = True
        self.show_queue()

    def on_screen_resume(self) -> None:
        """Back from a document: read the queue again (drafts, reviews since)."""
        self.guarded(self.session.refresh_queue)
        self.show_queue()

    def show_queue(self) -> None:
        s = self.session
        todo = sum(1 for q in s.queue if not q.done)
        header = Content.assemble(
            (" workbench review ", "bold reverse"),
            " ",
            (visible(s.reviewer), "bold"),
            f"  {todo} to review, {len(s.queue) - todo} reviewed",
        )
        self.query_one("#queue-header", Static).update(header)
        queue = self.query_one("#queue", OptionList)
        highlighted = queue.highlighted
        queue.clear_options()
        if not s.queue:
            queue.add_option(
                Option(Content("No document has two submissions or a flag yet."), disabled=True)
            )
            return
        queue.add_options(queue_options(s.queue))
        at = s.queue_index
        queue.highlighted = at if at is not None else min(highlighted or 0, len(s.queue) - 1)

    def action_cursor(self, delta: int) -> None:
        queue = self.query_one("#queue", OptionList)
        if delta > 0:
            queue.action_cursor_down()
        else:
            queue.action_cursor_up()

    @on(OptionList.OptionSelected, "#queue")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.open_document(event.option_index)

    def action_open(self) -> None:
        index = self.query_one("#queue", OptionList).highlighted
        if index is not None:
            self.open_document(index)

    def open_document(self, index: int) -> None:
        if not 0 <= index < len(self.session.queue):
            return
        ok, _ = self.guarded(self.session.open, self.session.queue[index].document.id)
        if ok:
            self.app.push_screen(review_screen(self.session, self.config))

    def action_reload(self) -> None:
        ok, _ = self.guarded(self.session.refresh_queue)
        if ok:
            self.show_queue()

    def action_help(self) -> None:
        self.app.push_screen(ReviewHelpScreen(self.config))
