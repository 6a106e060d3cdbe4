"""The span-editing keys both document screens share: nudge a bound, relabel or add
with a label key, set a casualty's value and qualifier, the token cursor, undo.

A mixin of `AnnotateScreen` and `ReviewScreen`: each has a `session` with the same
editing calls (the annotator's `Session`, the reviewer's `ReviewSession`), a `mode`, the
label palette as `labels`, `refused` for a warning and `_do`, the one place an action
reaches the session and the screen is redrawn. `may_edit` is where a screen refuses
editing of a whole document (the annotator's reviewed gold).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..bindings import SELECT
from ..widgets.document_view import DocumentView
from .forms import CasualtyForm


class SpanEditing:
    session: Any
    mode: str
    labels: list[str]
    refused: Callable[[str], None]
    _do: Callable[..., tuple[bool, Any]]
    query_one: Any
    app: Any

    def may_edit(self) -> bool:
        return True

    def action_nudge(self, edge: str, direction: int) -> None:
        self._do(self.session.nudge, edge, direction)

    def action_label(self, index: int) -> None:
        label = self.labels[index]
        self._do(self.session.add if self.mode == SELECT else self.session.relabel, label)

    def action_edit_casualty(self) -> None:
        if not self.may_edit():
            return
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

    def action_undo(self) -> None:
        self._do(self.session.undo)
