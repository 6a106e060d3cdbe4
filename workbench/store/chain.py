"""The hash chain over the events table: each row's hash covers the previous row's
hash and the row's own stored content, so an edited, inserted or deleted row (other
than the latest) breaks every hash after it. Used by the event write and the migration.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import orjson

# The columns a hash covers, in order: everything in the row but the hash itself.
CHAINED = (
    "id",
    "ts",
    "annotator",
    "action",
    "doc_id",
    "annotation_id",
    "before",
    "after",
    "undoes",
)


def event_hash(previous: str | None, values: Sequence[Any]) -> str:
    """sha256 of the previous hash ('' for the first row) and the row's values as stored."""
    payload = orjson.dumps([previous or "", *values])
    return hashlib.sha256(payload).hexdigest()
