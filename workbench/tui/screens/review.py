"""The review screen: one document's review (the queue is in `review_queue.py`).

It shows the article with every annotator's spans, the list of distinct spans (agreed
or contested, who has each, in the reviewed gold or not), the document's history, and
the keys to build the reviewed gold; the span-editing keys are the annotator's
(`editing.SpanEditing`). Every key goes through `_do`, which calls the headless
`ReviewSession` (one store call each, committed with its events row) and only then
redraws.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from ...config import Config
from ...review import one_line
from ...review_session import AGREED, CONTESTED, STORE_FAILURES, ActionRefused, ReviewSession
from ..bindings import (
    NORMAL,
    REVIEW_BINDINGS,
    SELECT,
    SELECT_BINDINGS,
    SPAN_BINDINGS,
    label_bindings,
    modes_of,
)
from ..display import Palette, safe_color, visible
from ..messages import ActionFailed, SpanClicked
from ..widgets.bars import DetailBar
from ..widgets.document_view import DocumentView
from ..widgets.review_history import HistoryPane
from ..widgets.review_spans import ReviewPalette, ReviewSpanList, count_text, view_spans
from .editing import SpanEditing
from .forms import AnnotatorChooser
from .help import HelpScreen, KeyDisplay, _keys_section, keys_shown

# The annotator's keys that mean the same here (same ids, so a [keys] remap applies).
_SHARED = {"span.next", "span.previous", "span.start_earlier", "span.start_later"}
_SHARED |= {"span.end_earlier", "span.end_later", "span.edit", "mode.select"}
EDIT_BINDINGS = [b for b in SPAN_BINDINGS if b.id in _SHARED]


def review_help_columns(config: Config, key_display: KeyDisplay) -> tuple[Content, Content]:
    """The help screen's columns for the review screen, from the same bindings."""
    left = _keys_section(REVIEW_BINDINGS, config, key_display, "Reviewing a document")
    left += [
        "\n",
        (
            "= agreed by every annotator, \u2260 contested, + yours only; \u2713 in the "
            "reviewed gold. Each decision is saved at once; s submits.",
            "italic",
        ),
    ]
    right = _keys_section(EDIT_BINDINGS, config, key_display, "Editing the gold")
    right += ["\n", *_keys_section(SELECT_BINDINGS, config, key_display, "After v")]
    right += ["\n", ("Labels (relabel; after v: add)", "bold underline"), "\n"]
    for binding in label_bindings(config):
        spec = config.labels[binding.description]
        right += [
            (f" {keys_shown(binding, config, key_display):<2}", "bold"),
            ("\u2588 ", safe_color(spec.color)),
            (visible(spec.name), f"bold {safe_color(spec.color)}"),
            "\n",
        ]
    return Content.assemble(*left), Content.assemble(*right)


class ReviewHelpScreen(HelpScreen):
    """The help screen with the review keys."""

    def compose(self) -> ComposeResult:
        left, right = review_help_columns(self.config, self.app.get_key_display)
        with VerticalScroll(id="help"), Horizontal(id="help-columns"):
            yield Static(left, id="help-text", markup=False)
            yield Static(right, id="help-labels", markup=False)


class Guarded:
    """What both screens share: run a session call, show refusals and failures."""

    session: ReviewSession

    def refused(self, reason: str) -> None:
        self.notify(reason, severity="warning", timeout=3, markup=False)  # type: ignore[attr-defined]

    def failed(self, error: Exception) -> None:
        message = ActionFailed(" ".join(str(error).split()) or type(error).__name__)
        self.post_message(message)  # type: ignore[attr-defined]
        with contextlib.suppress(*STORE_FAILURES):  # even reading fails: keep what is drawn
            self.session.resync()

    def guarded(self, method: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        try:
            return True, method(*args)
        except ActionRefused as e:
            self.refused(str(e))
        except STORE_FAILURES as e:
            self.failed(e)
        return False, None


class ReviewScreen(SpanEditing, Guarded, Screen[None]):
    """One document: every annotator's spans, the reviewed gold, the history."""

    BINDINGS = [*REVIEW_BINDINGS, *EDIT_BINDINGS, *SELECT_BINDINGS]  # type: ignore[assignment]
    mode: reactive[str] = reactive(NORMAL, bindings=True)

    def __init__(self, session: ReviewSession, config: Config) -> None:
        super().__init__()
        self.session, self.config = session, config
        self.labels = list(config.labels)
        colors = Palette.of((s.name, s.color) for s in config.labels.values()).colors
        self.palette = ReviewPalette(colors)

    def compose(self) -> ComposeResult:
        yield Static(id="review-header")
        with Horizontal(id="main"):
            yield DocumentView(self.palette, id="document")
            yield ReviewSpanList(self.palette, id="spans")
        yield HistoryPane(id="history")
        yield DetailBar(id="detail")
        yield Footer(id="footer")

    def on_mount(self) -> None:
        self.query_one(Footer).compact = True
        self.show_document()

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < 80, "-narrow")

    # ---- drawing -------------------------------------------------------------------

    def show_document(self) -> None:
        """Draw the open document, its rows, the history and the status lines."""
        s = self.session
        self.mode = SELECT if s.selecting else NORMAL
        spans = view_spans(s.rows)
        focus = spans[s.focus_index] if spans else None
        self.query_one(DocumentView).show_document(s.text, spans, focus, s.selection)
        self.query_one(ReviewSpanList).set_rows(s.rows, s.text, s.focus_index)
        self.query_one(HistoryPane).show(s.history())
        self._show_bars()
        if s.own_work and s.document is not None:
            self.refused(f"you annotated document {s.document.id}: another reviewer reviews it")

    def show_changes(self) -> None:
        s = self.session
        self.mode = SELECT if s.selecting else NORMAL
        spans = view_spans(s.rows)
        focus = spans[s.focus_index] if spans else None
        self.query_one(DocumentView).update_spans(spans, focus, s.selection)
        self.query_one(ReviewSpanList).set_rows(s.rows, s.text, s.focus_index)
        self._show_bars()

    def _show_bars(self) -> None:
        s = self.session
        doc = s.document
        parts: list[str | tuple[str, str]] = [
            (" workbench review ", "bold reverse"),
            " ",
            (visible(s.reviewer), "bold"),
        ]
        if doc is not None:
            at = s.queue_index
            place = f"{at + 1}/{len(s.queue)}" if at is not None else "-"
            contested = sum(1 for r in s.rows if r.kind == CONTESTED)
            in_gold = sum(1 for r in s.rows if r.in_gold)
            parts += [
                f"  doc {place} ",
                (f"#{doc.id}", "dim"),
                "  ",
                (s.status, "italic"),
                f"  \u2502 {one_line(', '.join(s.annotators), 28)}",
                f"  \u2260{contested}  gold {in_gold}",
            ]
            if s.others:  # reviewed gold by other reviewers: theirs stays theirs
                others = ", ".join(a.annotator for a in s.others)
                parts.append((f"  also reviewed by {one_line(others, 20)}", "dim"))
        if self.mode == SELECT:
            parts += ["  ", (" SELECT ", "bold reverse")]
        self.query_one("#review-header", Static).update(Content.assemble(*parts))
        self.query_one(DetailBar).show(self._detail())

    def _detail(self) -> Content:
        s = self.session
        row = s.focus
        if row is None:
            return Content("No spans: press v to select text and a label key to add one.")
        quote = visible(" ".join(s.text[row.span.start : row.span.end].split()))
        if len(quote) > 30:
            quote = quote[:29] + "\u2026"
        if row.kind == AGREED:
            who = "agreed by all"
        elif row.has:
            lacks = [n for n in s.annotators if n not in row.has]
            who = f"{', '.join(row.has)} (not {', '.join(lacks)})"
        else:
            who = "yours only"
        count = count_text(row)
        return Content.assemble(
            (f" {s.focus_index + 1}/{len(s.rows)} ", "reverse"),
            " ",
            (visible(row.span.label), "bold"),
            " \u201c",
            quote,
            "\u201d ",
            (count + " " if count else "", "bold"),
            (one_line(who, 40), "italic"),
            ("  \u2713 in gold" if row.in_gold else "  not in gold", "bold"),
        )

    # ---- modes and the one place actions reach the session -------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.mode in modes_of(action)

    def _do(self, method: Callable[..., Any], *args: Any) -> tuple[bool, Any]:
        """Run a session action (committed before it returns), then draw what it
        changed: the whole screen when another document is open afterwards."""
        before = self.session.document.id if self.session.document else None
        ok, result = self.guarded(method, *args)
        after = self.session.document.id if self.session.document else None
        if after != before or not ok:
            self.show_document()
        else:
            self.show_changes()
            self.query_one(HistoryPane).show(self.session.history())
        return ok, result

    # ---- keys ----------------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        self._do(self.session.move, delta)

    def action_contested(self, delta: int) -> None:
        self._do(self.session.move_contested, delta)

    def action_take(self) -> None:
        self._do(self.session.take)

    def action_take_annotator(self) -> None:
        s = self.session
        if not s.versions:
            self.refused("no annotator's work to take")
            return
        choices = [(a.annotator, len(a.gold_spans())) for a in s.versions]
        names = [n for n, _ in choices]
        focus = s.focus
        default = names.index(focus.has[0]) if focus is not None and focus.has else 0

        def done(name: str | None) -> None:
            if name is not None:
                self._do(s.take_annotator, name)

        self.app.push_screen(AnnotatorChooser(choices, default), done)

    def action_accept_agreed(self) -> None:
        ok, n = self._do(self.session.accept_agreed)
        if ok:
            self.notify(f"{n} agreed span(s) put in the reviewed gold.", timeout=2, markup=False)

    def action_drop(self) -> None:
        self._do(self.session.drop)

    def action_submit(self) -> None:
        ok, doc_id = self._do(self.session.submit)
        if not ok:
            return
        self.notify(f"Document {doc_id}: reviewed gold submitted.", timeout=2, markup=False)
        if self.session.document is not None and self.session.document.id == doc_id:
            self.action_queue()  # nothing else to review

    def action_document(self, delta: int) -> None:
        self._do(self.session.move_document, delta)

    def action_queue(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        self.app.push_screen(ReviewHelpScreen(self.config))

    @on(SpanClicked)
    def span_clicked(self, message: SpanClicked) -> None:
        if self.mode == NORMAL:
            self._do(self.session.move, message.span_id - 1 - self.session.focus_index)


def review_screen(session: ReviewSession, config: Config) -> ReviewScreen:
    """The review screen with the label palette as bindings of its class."""
    # Textual merges a subclass's BINDINGS with its bases': only the palette is new.
    with_palette = type("ReviewScreen", (ReviewScreen,), {"BINDINGS": label_bindings(config)})
    return with_palette(session, config)
