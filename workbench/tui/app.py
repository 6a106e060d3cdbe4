"""The two applications: the annotator (opens the store, applies the keymap, runs the
prefetch) and the review screen, on one base that owns the store and the start-up.

`make_app` and `make_review_app` are the factories the CLI and the tests share;
`run_annotator` is what `workbench annotate` calls, `run_review` `workbench review`.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.worker import get_current_worker

from ..config import Config
from ..store import INTERACTIVE_BUSY_TIMEOUT_S, Store, StoreError
from .bindings import keymap
from .messages import ActionFailed, DocumentOpened, PrefetchFailed, SuggestionsReady
from .screens.annotate import annotate_screen
from .session import STORE_FAILURES, Session


class WorkbenchApp(App[None]):
    """What both applications share: the store (opened with a short busy timeout: a
    write lock held elsewhere, an import, becomes a message after a few seconds instead
    of a 30-second freeze), the keymap, how keys are shown, failures as notifications,
    and a start that leaves with the reason (`fatal`) where the database cannot be read."""

    ENABLE_COMMAND_PALETTE = False

    def __init__(self, db_path: Path, config: Config, busy_timeout: float) -> None:
        super().__init__()
        self.db_path, self.config = Path(db_path), config
        self.keys = keymap(config)  # a bad [keys] table fails before the database is opened
        self.store = Store(self.db_path, busy_timeout=busy_timeout)
        self.fatal: str | None = None  # why the app could not start, for run_*

    def get_key_display(self, binding: Binding) -> str:
        """Keys as the footer and the help screen show them ("ctrl+z", not "^z")."""
        if binding.key.startswith("ctrl+"):
            return binding.key
        return super().get_key_display(binding)

    def started(self, first_read: Callable[[], object]) -> bool:
        """Run the first read of the database; where it fails there is nothing to show:
        leave with the reason, non-zero."""
        try:
            first_read()
        except STORE_FAILURES as e:
            self.fatal = " ".join(str(e).split()) or type(e).__name__
            self.exit(return_code=1)
            return False
        return True

    @on(ActionFailed)
    def action_failed(self, message: ActionFailed) -> None:
        self.notify(message.error, severity="error", timeout=6, markup=False)

    def on_unmount(self) -> None:
        self.store.close()


class AnnotatorApp(WorkbenchApp):
    """Annotate entities and casualty counts, one document at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "workbench"

    def __init__(
        self,
        db_path: Path,
        config: Config,
        annotator: str,
        *,
        prefetch: bool = True,
        prefetch_model: tuple[str, ...] | None = None,
        busy_timeout: float = INTERACTIVE_BUSY_TIMEOUT_S,
    ) -> None:
        super().__init__(db_path, config, busy_timeout)
        self.annotator = annotator
        self.prefetch_enabled = prefetch
        self.prefetch_model = prefetch_model
        self.session = Session(self.store, config, annotator)
        self.prefetched: list[int] = []
        self._opened = threading.Event()  # set when a document opens: prefetch ahead
        self._current: int | None = None  # the open document, read by the prefetch worker
        self.annotate_screen = annotate_screen(self.session, config)
        self._stopping = False
        self.set_keymap(self.keys)

    def on_mount(self) -> None:
        if not self.started(self.session.open_next):
            return
        self._current = self.session.annotation.document.id if self.session.annotation else None
        self.push_screen(self.annotate_screen)
        # What exists once the first screen is up (Textual, styles, the document) lives
        # as long as the app: frozen, the collector stops rescanning it, which took
        # 20-30 ms pauses in the middle of keystrokes.
        self.call_after_refresh(gc.freeze)
        if self.prefetch_enabled:
            # After the first paint, so the screen never waits for spaCy to load.
            self.call_after_refresh(self.run_prefetch)

    @on(DocumentOpened)
    def document_opened(self, message: DocumentOpened) -> None:
        """Tell the prefetch worker the annotator moved on."""
        self._current = message.doc_id
        self._opened.set()

    @work(thread=True, exclusive=True, group="prefetch", exit_on_error=False)
    def run_prefetch(self) -> None:
        from .prefetch import prefetch

        worker = get_current_worker()

        def wait() -> bool:
            while not worker.is_cancelled and not self._stopping:
                if self._opened.wait(0.2):
                    self._opened.clear()
                    return True
            return False

        def saved(doc_ids: list[int], version: str) -> None:
            self.post_message(SuggestionsReady(doc_ids, version))

        try:
            prefetch(
                self.db_path,
                self.config,
                self.annotator,
                candidates=self.prefetch_model,
                current=lambda: self._current,
                cancelled=lambda: worker.is_cancelled or self._stopping,
                wait=wait,
                saved=saved,
            )
        except Exception as e:  # the annotator keeps working on stored suggestions
            self.post_message(PrefetchFailed(f"{type(e).__name__}: {e}"))

    @on(SuggestionsReady)
    def suggestions_ready(self, message: SuggestionsReady) -> None:
        self.prefetched.extend(message.doc_ids)
        self.annotate_screen.late_suggestions(message.doc_ids, message.model_version)

    @on(PrefetchFailed)
    def prefetch_failed(self, message: PrefetchFailed) -> None:
        self.notify(f"Suggestions ahead stopped: {message.error}", severity="warning", markup=False)

    async def action_quit(self) -> None:
        self._stopping = True
        self.exit()

    def on_unmount(self) -> None:
        self._stopping = True
        super().on_unmount()
        gc.unfreeze()


def make_app(
    db_path: Path,
    config: Config,
    annotator: str,
    *,
    prefetch: bool = True,
    prefetch_model: tuple[str, ...] | None = None,
    busy_timeout: float = INTERACTIVE_BUSY_TIMEOUT_S,
) -> AnnotatorApp:
    """The annotator app; tests pass prefetch=False (no spaCy) or a blank model, and a
    short busy timeout to meet a held lock sooner."""
    return AnnotatorApp(
        db_path,
        config,
        annotator,
        prefetch=prefetch,
        prefetch_model=prefetch_model,
        busy_timeout=busy_timeout,
    )


def run_annotator(db_path: Path, config: Config, annotator: str) -> None:
    """Open the annotator on the database until the user quits; a database that cannot
    be opened or read raises StoreError (the CLI prints it as one line, non-zero)."""
    app = make_app(db_path, config, annotator)
    app.run()
    if app.fatal is not None:
        raise StoreError(app.fatal)


class ReviewApp(WorkbenchApp):
    """Review the team's work: the queue, then one document's reviewed gold at a time."""

    CSS_PATH = ["app.tcss", "review.tcss"]
    TITLE = "workbench review"

    def __init__(
        self,
        db_path: Path,
        config: Config,
        reviewer: str,
        *,
        busy_timeout: float = INTERACTIVE_BUSY_TIMEOUT_S,
    ) -> None:
        from ..review_session import ReviewSession

        super().__init__(db_path, config, busy_timeout)
        self.reviewer = reviewer
        self.session = ReviewSession(self.store, config, reviewer)
        self.set_keymap(self.keys)

    def on_mount(self) -> None:
        from .screens.review_queue import QueueScreen

        if self.started(self.session.refresh_queue):
            self.push_screen(QueueScreen(self.session, self.config))


def make_review_app(
    db_path: Path,
    config: Config,
    reviewer: str,
    *,
    busy_timeout: float = INTERACTIVE_BUSY_TIMEOUT_S,
) -> ReviewApp:
    """The review app; the CLI and the tests share it."""
    return ReviewApp(db_path, config, reviewer, busy_timeout=busy_timeout)


def run_review(db_path: Path, config: Config, reviewer: str) -> None:
    """Open the review screen until the reviewer quits (`workbench review`)."""
    app = make_review_app(db_path, config, reviewer)
    app.run()
    if app.fatal is not None:
        raise StoreError(app.fatal)
