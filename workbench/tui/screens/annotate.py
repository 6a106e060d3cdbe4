"""The main screen: the text, the span list, and every annotation key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer

from ...config import Config
from ..bindings import LINK, NORMAL, SCREEN_BINDINGS, SELECT, label_bindings, modes_of
from ..display import Palette, detail_line, linking_line
from ..messages import ActionFailed, DocumentOpened, SpanClicked
from ..session import STORE_FAILURES, ActionRefused, Session, reviewed_message
from ..widgets.bars import DetailBar, HeaderBar
from ..widgets.document_view import DocumentView
from ..widgets.span_list import SpanList
from .editing import SpanEditing
from .forms import FlagForm, PendingForm
from .help import HelpScreen

NARROW_WIDTH = 80


class AnnotateScreen(SpanEditing, Screen[None]):
    """Review suggestions, fix them, add what the model missed, submit."""

    BINDINGS = SCREEN_BINDINGS  # type: ignore[assignment]  # list is invariant
    mode: reactive[str] = reactive(NORMAL, bindings=True)

    def __init__(self, session: Session, config: Config) -> None:
        super().__init__()
        self.session, self.config = session, config
        self.labels = list(config.labels)
        self.palette = Palette.of((s.name, s.color) for s in config.labels.values())

    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="main"):
            yield DocumentView(self.palette, id="document")
            yield SpanList(self.palette, id="spans")
        yield DetailBar(id="detail")
        yield Footer(id="footer")

    def on_mount(self) -> None:
        self.query_one(Footer).compact = True
        self.show_document()

    def on_resize(self, event: events.Resize) -> None:
        # Under 80 columns the span list narrows, so the article keeps most of the width.
        self.set_class(event.size.width < NARROW_WIDTH, "-narrow")

    # ---- drawing -------------------------------------------------------------------

    def show_document(self) -> None:
        """Draw a newly opened document from the session (same widgets, new content)."""
        s = self.session
        self.mode = self._mode()
        self.query_one(DocumentView).show_document(s.text, s.spans, s.focus, s.selection, s.partner)
        self._show_rest()
        self.post_message(DocumentOpened(s.annotation.document.id if s.annotation else None))
        if s.read_only and s.annotation is not None:
            self.refused(reviewed_message(s.annotation.document.id))

    def show_changes(self) -> None:
        """Draw what an action on the open document changed."""
        s = self.session
        self.mode = self._mode()
        self.query_one(DocumentView).update_spans(s.spans, s.focus, s.selection, s.partner)
        self._show_rest()

    def _mode(self) -> str:
        s = self.session
        return SELECT if s.selecting else LINK if s.linking is not None else NORMAL

    def _show_rest(self) -> None:
        s = self.session
        self.query_one(SpanList).set_spans(s.spans, s.text, s.focus_index)
        self.query_one(HeaderBar).show(
            s.annotator, s.annotation, s.position.index, s.progress, self.mode
        )
        if s.annotation is None:
            detail = Content("Every document is done. u undoes the last submit; q quits.")
        else:
            source = s.partner if s.linking is None else None
            detail = detail_line(
                s.focus, s.text, len(s.spans), s.focus_index, source, s.model_version
            )
            if s.linking is not None and s.partner is not None:
                detail = linking_line(s.partner, s.text, selecting=s.selecting)
        self.query_one(DetailBar).show(detail)

    def refused(self, reason: str) -> None:
        self.notify(reason, severity="warning", timeout=2, markup=False)

    # ---- modes ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "link_confirm" and self.session.linking is None:
            return False  # enter after v confirms only a link; a label key adds a span
        return self.mode in modes_of(action)

    # ---- the one place actions reach the session (and through it the store) -----------

    def _do(self, method: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """Run a session action and draw what it changed: the whole view when another
        document is open afterwards, else only the changed lines.

        A refusal is a warning. A store failure (busy, read-only, full disk, reviewed
        gold...) is one line on screen; the session re-reads the database, so what
        failed is not shown as done, and the annotator can go on or quit.
        """
        before = self.session.annotation.id if self.session.annotation else None
        try:
            result = method(*args)
        except ActionRefused as e:
            self.refused(str(e))
            return False, None
        except STORE_FAILURES as e:
            self.failed(e)
            return False, None
        after = self.session.annotation.id if self.session.annotation else None
        if after != before:
            self.show_document()
        else:
            self.show_changes()
        return True, result

    def failed(self, error: Exception) -> None:
        self.post_message(ActionFailed(" ".join(str(error).split()) or type(error).__name__))
        try:
            self.session.resync()
        except STORE_FAILURES:  # even reading fails: keep what is drawn
            return
        self.show_document()

    def late_suggestions(self, doc_ids: list[int], model_version: str) -> None:
        """Suggestions for the open document arrived: merge them, keep the focus."""
        ok, added = self._do(self.session.add_late_suggestions, doc_ids, model_version)
        if ok and added:
            self.notify(f"{added} new suggestion(s) from the model.", timeout=2, markup=False)

    def action_move(self, delta: int) -> None:
        self._do(self.session.move, delta)

    def action_accept(self) -> None:
        self._do(self.session.accept)

    def action_reject(self) -> None:
        self._do(self.session.reject)

    def action_delete(self) -> None:
        self._do(self.session.delete)

    def may_edit(self) -> bool:
        if self.session.read_only and self.session.annotation is not None:
            self.refused(reviewed_message(self.session.annotation.document.id))
            return False
        return True

    def action_accept_all(self) -> None:
        ok, n = self._do(self.session.accept_all)
        if ok:
            self.notify(f"Accepted {n} suggestion(s).", timeout=2, markup=False)

    # ---- linking a figure to its source -------------------------------------------------

    def action_link_begin(self) -> None:
        self._do(self.session.link_begin)

    def action_link_confirm(self) -> None:
        self._do(self.session.link_confirm)

    def action_link_cancel(self) -> None:
        self._do(self.session.link_cancel)

    def action_unlink(self) -> None:
        self._do(self.session.unlink)

    # ---- documents -----------------------------------------------------------------

    def action_submit(self) -> None:
        """Submit; with suggestions still pending, do what the configuration says
        (`[annotator] pending_on_submit`): ask, accept them, or leave them out."""
        s = self.session
        policy = self.config.pending_on_submit
        if not s.pending or s.read_only or policy == "drop":
            self._do(s.submit)
        elif policy == "accept":
            self._do(lambda: s.submit(accept_pending=True))
        else:

            def answered(choice: str | None) -> None:
                if choice in ("accept", "drop"):
                    self._do(lambda: s.submit(accept_pending=choice == "accept"))

            self.app.push_screen(PendingForm(s.pending), answered)

    def action_skip(self) -> None:
        self._do(self.session.skip)

    def action_flag(self) -> None:
        if self.session.annotation is None:
            return
        if self.session.read_only:
            self.refused(reviewed_message(self.session.annotation.document.id))
            return

        def done(comment: str | None) -> None:
            if comment is not None:
                self._do(self.session.flag, comment)

        self.app.push_screen(FlagForm(), done)

    def action_previous_document(self) -> None:
        self._do(self.session.previous)

    def action_next_document(self) -> None:
        self._do(self.session.next)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.config))

    @on(SpanClicked)
    def span_clicked(self, message: SpanClicked) -> None:
        if self.mode == NORMAL:
            self._do(self.session.focus_span, message.span_id)


def annotate_screen(session: Session, config: Config) -> AnnotateScreen:
    """The main screen with the configured label palette as bindings of its class
    (Textual reads BINDINGS from the class, so the palette makes a subclass)."""
    with_palette = type("AnnotateScreen", (AnnotateScreen,), {"BINDINGS": label_bindings(config)})
    return with_palette(session, config)
