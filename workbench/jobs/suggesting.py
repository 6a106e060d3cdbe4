"""Fill the store with suggestions from the current suggester."""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

from ..store import Store
from . import Report, no_progress

if TYPE_CHECKING:
    from ..config import Config
    from ..nlp.suggest import Suggester


def store_suggester(store: Store, config: Config, model: str | None = None) -> Suggester:
    """The configured suggester plus a gold ruler of what annotators confirmed in `store`."""
    from ..nlp.suggest import suggester_for

    patterns = store.confirmed_entities(exclude_labels=config.casualty_labels)
    return suggester_for(config, model, patterns)


def fill_suggestions(
    store: Store,
    suggester: Suggester,
    *,
    batch_size: int = 64,
    n_process: int = 1,
    report: Report = no_progress,
) -> int:
    """Suggest spans for every document lacking this model's suggestions; returns how many."""
    done = 0
    documents = store.documents_to_suggest(suggester.version)
    while batch := list(islice(documents, 512)):
        results = suggester.suggest(
            (d.text for d in batch), batch_size=batch_size, n_process=n_process
        )
        store.save_suggestions(zip((d.id for d in batch), results, strict=True), suggester.version)
        done += len(batch)
        report(len(batch))
    return done
