"""The annotator application: opens the store, applies the keymap, runs the prefetch.

`make_app` is the factory the CLI and the tests share; `run_annotator` is what
`workbench annotate` calls.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path

from textual import on, work
from textual.app import App
from textual.worker import get_current_worker

from ..config import Config
from ..store import Store
from .bindings import keymap
from .messages import DocumentOpened, PrefetchFailed, SuggestionsReady
from .screens.annotate import annotate_screen
from .session import Session


class AnnotatorApp(App[None]):
    """Annotate entities and casualty counts, one document at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "workbench"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        db_path: Path,
        config: Config,
        annotator: str,
        *,
        prefetch: bool = True,
        prefetch_model: tuple[str, ...] | None = None,
    ) -> None:
        super().__init__()
        self.db_path, self.config, self.annotator = Path(db_path), config, annotator
        self.prefetch_enabled = prefetch
        self.prefetch_model = prefetch_model
        self.store = Store(self.db_path)
        self.session = Session(self.store, config, annotator)
        self.prefetched: list[int] = []
        self._opened = threading.Event()  # set when a document opens: prefetch ahead
        self._current: int | None = None  # the open document, read by the prefetch worker
        self.annotate_screen = annotate_screen(self.session, config)
        self._stopping = False
        self.set_keymap(keymap(config))

    def on_mount(self) -> None:
        self.session.open_next()
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
        self.store.close()
        gc.unfreeze()


def make_app(
    db_path: Path,
    config: Config,
    annotator: str,
    *,
    prefetch: bool = True,
    prefetch_model: tuple[str, ...] | None = None,
) -> AnnotatorApp:
    """The annotator app; tests pass prefetch=False (no spaCy) or a blank model."""
    return AnnotatorApp(
        db_path, config, annotator, prefetch=prefetch, prefetch_model=prefetch_model
    )


def run_annotator(db_path: Path, config: Config, annotator: str) -> None:
    """Open the annotator on the database until the user quits."""
    make_app(db_path, config, annotator).run()
