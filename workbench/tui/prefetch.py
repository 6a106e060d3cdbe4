"""Computing suggestions ahead of the annotator, off the UI thread; no Textual here.

Runs in a thread worker with its own Store (SQLite connections stay on their
thread). spaCy is imported here, inside the function, so the first screen is
painted before the model loads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..config import Config
from ..store import Store


def prefetch(
    db_path: Path,
    config: Config,
    annotator: str,
    *,
    candidates: tuple[str, ...] | None = None,
    current: Callable[[], int | None] = lambda: None,
    cancelled: Callable[[], bool],
    wait: Callable[[], bool],
    saved: Callable[[list[int], str], None],
) -> None:
    """Keep the open document and the next `config.prefetch` unopened ones suggested by
    the current model.

    The open document (`current()`) comes first, alone, when its suggestions are
    missing or from another model: the annotator is looking at it. `wait()` blocks
    until the annotator opens another document (False: stop); `saved(doc_ids,
    version)` reports each batch written.
    """
    from ..jobs.suggesting import store_suggester
    from ..nlp.suggest import build_suggester

    with Store(db_path) as store:
        if candidates is None:  # as `workbench suggest` does: with what annotators confirmed
            suggester = store_suggester(store, config)
        else:
            suggester = build_suggester(candidates, tuple(sorted(config.label_map.items())))
        while not cancelled():
            doc_id = current()
            now = None if doc_id is None else store.document_to_suggest(doc_id, suggester.version)
            if now is not None:
                batch = [now]
            else:
                batch = store.upcoming_to_suggest(annotator, suggester.version, config.prefetch)
            if batch:
                results = list(suggester.suggest(d.text for d in batch))
                if cancelled():
                    return
                store.save_suggestions(
                    zip((d.id for d in batch), results, strict=True), suggester.version
                )
                saved([d.id for d in batch], suggester.version)
                continue
            if not wait():
                return
