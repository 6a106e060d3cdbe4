"""The main screen: the text, the span list, and every annotation key."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer

from ...config import Config
from ...store import StoreError
from ..bindings import MODES, NORMAL, SELECT, label_bindings, screen_bindings
from ..display import Palette, detail_line
from ..messages import DocumentOpened, SpanClicked
from ..session import ActionRefused, Session
from ..widgets.bars import DetailBar, HeaderBar
from ..widgets.document_view import DocumentView
from ..widgets.span_list import SpanList
from .forms import CasualtyForm, FlagForm
from .help import HelpScreen

NARROW_WIDTH = 80


class AnnotateScreen(Screen[None]):
    """Review suggestions, fix them, add what the model missed, submit."""

    BINDINGS = screen_bindings()  # type: ignore[assignment]  # list is invariant
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
        self.mode = SELECT if s.selecting else NORMAL
        self.query_one(DocumentView).show_document(s.text, s.spans, s.focus, s.selection)
        self._show_rest()
        self.post_message(DocumentOpened(s.annotation.document.id if s.annotation else None))

    def show_changes(self) -> None:
        """Draw what an action on the open document changed."""
        s = self.session
        self.mode = SELECT if s.selecting else NORMAL
        self.query_one(DocumentView).update_spans(s.spans, s.focus, s.selection)
        self._show_rest()

    def _show_rest(self) -> None:
        s = self.session
        self.query_one(SpanList).set_spans(s.spans, s.text, s.focus_index)
        self.query_one(HeaderBar).show(
            s.annotator, s.annotation, s.position.index, s.progress, self.mode
        )
        if s.annotation is None:
            detail = Content("Every document is done. u undoes the last submit; q quits.")
        else:
            detail = detail_line(s.focus, s.text, len(s.spans), s.focus_index)
        self.query_one(DetailBar).show(detail)

    def refused(self, reason: str) -> None:
        self.notify(reason, severity="warning", timeout=2, markup=False)

    # ---- modes ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        modes = MODES.get(action)
        if modes is None:
            return True
        return self.mode in modes

    # ---- actions on the open document ------------------------------------------------

    def _do(self, method, *args) -> bool:  # type: ignore[no-untyped-def]
        try:
            method(*args)
        except (ActionRefused, StoreError) as e:
            self.refused(str(e))
            return False
        self.show_changes()
        return True

    def _do_document(self, method, *args) -> bool:  # type: ignore[no-untyped-def]
        try:
            method(*args)
        except (ActionRefused, StoreError) as e:
            self.refused(str(e))
            return False
        self.show_document()
        return True

    def late_suggestions(self, doc_ids: list[int], model_version: str) -> None:
        """Suggestions for the open document arrived: merge them, keep the focus."""
        try:
            added = self.session.add_late_suggestions(doc_ids, model_version)
        except StoreError as e:
            self.refused(str(e))
            return
        if added:
            self.show_changes()
            self.notify(f"{added} new suggestion(s) from the model.", timeout=2, markup=False)

    def action_move(self, delta: int) -> None:
        self._do(self.session.move, delta)

    def action_accept(self) -> None:
        self._do(self.session.accept)

    def action_reject(self) -> None:
        self._do(self.session.reject)

    def action_delete(self) -> None:
        self._do(self.session.delete)

    def action_nudge(self, edge: str, direction: int) -> None:
        self._do(self.session.nudge, edge, direction)

    def action_label(self, index: int) -> None:
        label = self.labels[index]
        if self.mode == SELECT:
            self._do(self.session.add, label)
        else:
            self._do(self.session.relabel, label)

    def action_accept_all(self) -> None:
        try:
            n = self.session.accept_all()
        except (ActionRefused, StoreError) as e:
            self.refused(str(e))
            return
        self.show_changes()
        self.notify(f"Accepted {n} suggestion(s).", timeout=2, markup=False)

    def action_edit_casualty(self) -> None:
        focus = self.session.focus
        if focus is None or not focus.span.is_casualty:
            self.refused("value and qualifier belong to casualty spans")
            return

        def done(result: tuple[int | None, str] | None) -> None:
            if result is not None:
                self._do(self.session.set_casualty, *result)

        self.app.push_screen(CasualtyForm(focus.span.value, focus.span.qualifier), done)

    # ---- the token cursor --------------------------------------------------------------

    def action_select_begin(self) -> None:
        self._do(self.session.select_begin)

    def action_select_move(self, delta: int) -> None:
        self._do(self.session.select_move, delta)

    def action_select_extend(self, delta: int) -> None:
        self._do(lambda: self.session.select_move(delta, extend=True))

    def action_select_line(self, direction: int) -> None:
        width = self.query_one(DocumentView).scrollable_content_region.width
        self._do(self.session.select_line, direction, width)

    def action_select_cancel(self) -> None:
        self._do(self.session.select_cancel)

    # ---- documents -----------------------------------------------------------------

    def action_submit(self) -> None:
        self._do_document(self.session.submit)

    def action_skip(self) -> None:
        self._do_document(self.session.skip)

    def action_flag(self) -> None:
        if self.session.annotation is None:
            return

        def done(comment: str | None) -> None:
            if comment is not None:
                self._do_document(self.session.flag, comment)

        self.app.push_screen(FlagForm(), done)

    def action_undo(self) -> None:
        s = self.session
        before = s.annotation.document.id if s.annotation else None
        try:
            undone = s.undo()
        except StoreError as e:
            self.refused(str(e))
            return
        if not undone:
            self.refused("nothing to undo")
        elif s.annotation is not None and s.annotation.document.id == before:
            self.show_changes()
        else:
            self.show_document()

    def action_previous_document(self) -> None:
        self._do_document(self.session.previous)

    def action_next_document(self) -> None:
        self._do_document(self.session.next)

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
