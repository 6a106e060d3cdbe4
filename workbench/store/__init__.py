"""The annotation store: the only module that knows SQL and the schema.

Every method is named for what a user or a command did. Each write runs in one
`BEGIN IMMEDIATE` transaction together with its `events` row, so a decision is
on disk (WAL, synchronous=FULL) before the method returns.

A Store owns one connection and must be used on the thread that opened it;
workers open their own Store on the same path.
"""

import sqlite3

from .annotating import AnnotatingMixin
from .base import (
    BUSY_TIMEOUT_S,
    DONE_STATUSES,
    INTERACTIVE_BUSY_TIMEOUT_S,
    GoldResult,
    ImportResult,
    NewDocument,
)
from .documents import DocumentsMixin
from .errors import (
    DatabaseBusy,
    DatabaseReadOnly,
    DatabaseUnavailable,
    DiskFull,
    ReviewedError,
    SchemaTooNew,
    StoreError,
)
from .gold import GoldMixin
from .opening import OpeningMixin
from .review import ReviewMixin
from .routing import RoutingMixin
from .users import PeopleFiguresMixin, UsersMixin

# What a damaged or foreign file raises, for callers that must not import sqlite3.
DatabaseError = sqlite3.DatabaseError

__all__ = [
    "BUSY_TIMEOUT_S",
    "DatabaseBusy",
    "DatabaseError",
    "DatabaseReadOnly",
    "DatabaseUnavailable",
    "DiskFull",
    "DONE_STATUSES",
    "GoldResult",
    "ImportResult",
    "INTERACTIVE_BUSY_TIMEOUT_S",
    "NewDocument",
    "ReviewedError",
    "SchemaTooNew",
    "Store",
    "StoreError",
]


class Store(
    DocumentsMixin,
    OpeningMixin,
    AnnotatingMixin,
    GoldMixin,
    ReviewMixin,
    UsersMixin,
    PeopleFiguresMixin,
    RoutingMixin,
):
    """An open `annotations.db`."""
