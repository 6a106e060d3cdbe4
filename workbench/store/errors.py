"""What the store raises: one-line messages a command or the annotator can show as they are.

`DatabaseUnavailable` and its subclasses mean "not now" (busy, read-only, disk full):
nothing of the change was written and the same request may work later. The others
mean "not this" (an unknown id, someone else's span, reviewed gold, a newer schema).
"""

from __future__ import annotations


class StoreError(Exception):
    """A store operation that cannot be done (unknown id, wrong annotator...)."""


class ReviewedError(StoreError):
    """An annotator's edit of reviewed gold: that changes only through `workbench review`."""


class SchemaTooNew(StoreError):
    """The database was written by a newer workbench; nothing has been written to it."""


class DatabaseUnavailable(StoreError):
    """The database cannot take this change now (busy, read-only, disk full): nothing of
    the change was written. Not bad input: the same request may work later."""


class DatabaseBusy(DatabaseUnavailable):
    """Another connection held the write lock for longer than the busy timeout."""


class DatabaseReadOnly(DatabaseUnavailable):
    """The database file (or its folder) cannot be written."""


class DiskFull(DatabaseUnavailable):
    """The disk (or the database's size limit) is full."""
