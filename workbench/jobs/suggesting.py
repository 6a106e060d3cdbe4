"""Fill the store with suggestions from the current suggester."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import orjson

from ..model import Span
from ..store import Store
from . import Report, no_progress

if TYPE_CHECKING:
    from ..config import Config
    from ..nlp.suggest import Suggester


@dataclass(frozen=True)
class Failure:
    """One document the suggester could not process: where it is and why, in one line."""

    where: str  # "document 17", "input.jsonl:3"
    error: str


OnFailure = Callable[[Failure], None]


def gold_patterns(store: Store, config: Config) -> list[tuple[str, str]]:
    """(label, text) of entities annotators confirmed in `store`: the gold ruler's patterns
    (a single common word only once two documents confirm it, never an age as DATE; only
    reviewed gold when double annotation must stay independent, see ruler_learns_from)."""
    from ..nlp.gold_ruler import learned_patterns

    support = store.confirmed_entity_support(
        exclude_labels=config.casualty_labels, reviewed_only=config.ruler_reviewed_only
    )
    return learned_patterns(support)


def store_suggester(store: Store, config: Config, model: str | None = None) -> Suggester:
    """The database's suggester: `model`, else the one `workbench suggest --model` made
    current, else the configured one; plus a gold ruler of what annotators confirmed."""
    from ..nlp.suggest import suggester_for

    return suggester_for(config, model or store.current_model(), gold_patterns(store, config))


def describe(error: BaseException) -> str:
    """One line naming the error: its type and first line of message."""
    lines = str(error).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _encodable(spans: Sequence[Span]) -> bool:
    try:
        orjson.dumps([s.attrs for s in spans])
    except TypeError:  # orjson.JSONEncodeError: ints beyond 64 bits, odd types
        return False
    return True


def suggest_each(
    suggester: Suggester,
    texts: Sequence[str],
    *,
    batch_size: int = 64,
    n_process: int = 1,
) -> Iterator[list[Span] | BaseException]:
    """Suggestions for each text, in order, or the error that text raised.

    The batch goes through `nlp.pipe` at full speed; only if something in it fails is
    it redone text by text, so one bad text costs its batch a second pass, never its
    neighbours their suggestions. Spans whose attributes cannot be stored as JSON
    count as a failure of their text.
    """
    try:
        results = list(suggester.suggest(texts, batch_size=batch_size, n_process=n_process))
        if _encodable([s for spans in results for s in spans]):
            yield from results
            return
    except Exception:  # noqa: BLE001 (any text may break any component: isolate it below)
        pass
    for text in texts:
        try:
            spans = next(iter(suggester.suggest([text], batch_size=1)))
        except Exception as e:  # noqa: BLE001
            yield e
            continue
        yield spans if _encodable(spans) else ValueError("a span value cannot be stored")


def fill_suggestions(
    store: Store,
    suggester: Suggester,
    *,
    on_failure: OnFailure,
    batch_size: int = 64,
    n_process: int = 1,
    report: Report = no_progress,
) -> int:
    """Suggest spans for every document lacking this model's suggestions; returns how many.

    A document whose processing fails is passed to `on_failure` and left unsuggested
    (the next run tries it again); the others go on.
    """
    done = 0
    documents = store.documents_to_suggest(suggester.version)
    while batch := list(islice(documents, 512)):
        results = suggest_each(
            suggester, [d.text for d in batch], batch_size=batch_size, n_process=n_process
        )
        good = []
        for doc, spans in zip(batch, results, strict=True):
            if isinstance(spans, BaseException):
                on_failure(Failure(f"document {doc.id}", describe(spans)))
            else:
                good.append((doc.id, spans))
        store.save_suggestions(good, suggester.version)
        done += len(good)
        report(len(batch))
    return done
