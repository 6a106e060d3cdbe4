"""Which annotations an export takes (`Selection`, `selected`), and which side of the
train/dev split each document falls on (`dev_hashes` for the export, `in_dev` for
training on the store directly).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby

from ..model import FLAGGED, REVIEWED, SKIPPED, SUBMITTED, Annotation
from ..store import Store


@dataclass(frozen=True)
class Selection:
    """Which annotations to export.

    gold: "submitted" (every annotator's submitted work), "reviewed" (reviewed gold),
    "all" (both), or "best" (one per document: the reviewed annotation if there is
    one, else the latest submitted). `annotator` narrows to one person's work.
    """

    gold: str = "submitted"
    annotator: str | None = None
    include_flagged: bool = False
    include_skipped: bool = False
    statuses: tuple[str, ...] = ()  # explicit statuses override `gold` and the flags

    def wanted(self) -> tuple[str, ...]:
        if self.statuses:
            return self.statuses
        base = {
            "submitted": (SUBMITTED,),
            "reviewed": (REVIEWED,),
            "all": (SUBMITTED, REVIEWED),
            "best": (REVIEWED, SUBMITTED),
        }[self.gold]
        return (
            base
            + ((FLAGGED,) if self.include_flagged else ())
            + ((SKIPPED,) if self.include_skipped else ())
        )


_RANK = {REVIEWED: 0, SUBMITTED: 1, FLAGGED: 2, SKIPPED: 3}


def count_selected(store: Store, selection: Selection) -> int:
    """How many annotations (documents, for "best") `selected` yields, near enough for a bar."""
    return store.count_annotations(annotator=selection.annotator, statuses=selection.wanted())


def selected(store: Store, selection: Selection) -> Iterator[Annotation]:
    """The chosen annotations in document order."""
    rows = store.annotations_in_bulk(annotator=selection.annotator, statuses=selection.wanted())
    if selection.gold != "best" or selection.statuses:
        yield from rows
        return
    for _, group in groupby(rows, key=lambda a: a.document.id):
        yield min(group, key=lambda a: (_RANK.get(a.status, 9), _neg(a.updated_at)))


def selected_json(store: Store, selection: Selection) -> Iterator[tuple[Annotation, int, str]]:
    """`selected`, with each annotation's gold spans as interchange JSON (jsonl's read)."""
    rows = store.gold_json_in_bulk(annotator=selection.annotator, statuses=selection.wanted())
    if selection.gold != "best" or selection.statuses:
        yield from rows
        return
    for _, group in groupby(rows, key=lambda r: r[0].document.id):
        yield min(group, key=lambda r: (_RANK.get(r[0].status, 9), _neg(r[0].updated_at)))


def _neg(timestamp: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in timestamp)  # latest first under min()


def in_dev(doc_hash: str, seed: int, fraction: float) -> bool:
    """A stable train/dev draw by document text, one at a time (what `train` uses);
    the export splits with `dev_hashes`, which also gets the counts right."""
    if fraction <= 0:
        return False
    return int.from_bytes(split_rank(doc_hash, seed)[:8], "big") / 2**64 < fraction


def dev_count(n: int, fraction: float) -> int:
    """How many of `n` documents go to dev: the nearest count, and with two or more
    documents and a fraction above 0, never an empty side."""
    if fraction <= 0 or n < 2:
        return 0
    return min(n - 1, max(1, math.floor(n * fraction + 0.5)))


def split_rank(doc_hash: str, seed: int) -> bytes:
    """A document's place in the seeded shuffle (by text: one text is on one side)."""
    return hashlib.sha1(f"{seed}:{doc_hash}".encode()).digest()


def dev_hashes(hashes: Iterable[str], seed: int, fraction: float) -> set[str]:
    """The texts of the dev side: the first `dev_count` of a seeded shuffle."""
    unique = sorted(set(hashes), key=lambda h: split_rank(h, seed))
    return set(unique[: dev_count(len(unique), fraction)])
