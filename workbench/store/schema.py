"""The schema's history, applied in order when a database is opened.

Only the store package uses this module. Add a new migration at the end; never edit an
applied one (databases in the field have recorded it by name).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .chain import CHAINED, event_hash
from .errors import SchemaTooNew

SCHEMA_VERSION = 7

migrations = Migrations("workbench")
_KNOWN: list[str] = []  # the migrations this workbench has, in order


def _migration(fn: Callable[[Database], None]) -> Callable[[Database], None]:
    _KNOWN.append(fn.__name__)
    return migrations()(fn)


def check_not_newer(db: Database, name: str) -> None:
    """Refuse a database a newer workbench wrote (a higher `user_version`, or migrations
    this one does not have): it only reads, so a refused file is left untouched."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"{name} has schema version {version}; this workbench knows up to"
            f" {SCHEMA_VERSION}: upgrade workbench"
        )
    unknown = [m.name for m in migrations.applied(db) if m.name not in _KNOWN]
    if unknown:
        raise SchemaTooNew(
            f"{name} has schema migrations this workbench does not know"
            f" ({', '.join(unknown)}; it knows up to {_KNOWN[-1]}): upgrade workbench"
        )


@_migration
def m001_initial(db: Database) -> None:
    # One statement at a time: executescript() would COMMIT the migration's transaction.
    for statement in _INITIAL:
        db.execute(statement)


@_migration
def m002_annotator_history_index(db: Database) -> None:
    # "where did this annotator get to": max(doc_id) per annotator without a scan.
    db.execute("CREATE INDEX annotations_annotator_doc ON annotations(annotator, doc_id)")


@_migration
def m003_annotator_recent_index(db: Database) -> None:
    # Resuming the annotator's latest document in progress, and "today's count" in the
    # header: a few index seeks, not a walk through the annotator's whole history.
    db.execute(
        "CREATE INDEX annotations_annotator_recent ON annotations(annotator, status, updated_at)"
    )


@_migration
def m004_users(db: Database) -> None:
    # Who may do what (workbench/roles.py); a removed user keeps their row, and history.
    db.execute(
        "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL,"
        " added_at TEXT NOT NULL, removed_at TEXT)"
    )
    # Settings of the database itself, e.g. the service account of an SSH deployment.
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@_migration
def m005_event_chain(db: Database) -> None:
    # A hash chained over the events (store/chain.py); existing rows are back-filled in
    # id order, with the append-only trigger lifted for this one update.
    db.execute("ALTER TABLE events ADD COLUMN hash TEXT")
    db.execute("DROP TRIGGER events_no_update")
    previous = None
    rows = db.execute(f"SELECT {', '.join(_quoted(CHAINED))} FROM events ORDER BY id").fetchall()
    for row in rows:
        previous = event_hash(previous, row)
        db.execute("UPDATE events SET hash = ? WHERE id = ?", (previous, row[0]))
    db.execute(_NO_UPDATE)


@_migration
def m006_claims(db: Database) -> None:
    # Task routing (overlap): who has a document open, until when. A claim whose
    # session crashed expires, and the document goes back to the queue.
    db.execute(
        "CREATE TABLE claims (doc_id INTEGER NOT NULL REFERENCES documents(id)"
        " ON DELETE CASCADE, annotator TEXT NOT NULL, expires_at TEXT NOT NULL,"
        " PRIMARY KEY (doc_id, annotator))"
    )


@_migration
def m007_span_ids_never_reused(db: Database) -> None:
    # An events row names spans by id, and undo puts a span back under its id. Without
    # AUTOINCREMENT SQLite gives a new row the id of a just-deleted last row, so undoing
    # that delete would remove whoever's span took the id (a colleague's, a late
    # suggestion). Rebuilt with AUTOINCREMENT, ids are never handed out twice.
    db.execute(_SPANS.replace("annotation_spans (", "annotation_spans_new (", 1))
    db.execute("INSERT INTO annotation_spans_new SELECT * FROM annotation_spans")
    db.execute("DROP TABLE annotation_spans")
    db.execute("ALTER TABLE annotation_spans_new RENAME TO annotation_spans")
    db.execute("CREATE INDEX annotation_spans_annotation ON annotation_spans(annotation_id, start)")


_SPANS = """
    CREATE TABLE annotation_spans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        label TEXT NOT NULL,
        attrs TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,         -- pending / accepted / rejected
        origin TEXT NOT NULL,         -- model / rule / import / annotator / gold-ruler
        CHECK (start >= 0 AND "end" > start)
    )
"""


def _quoted(names: tuple[str, ...]) -> list[str]:
    return [f'"{n}"' for n in names]


_NO_UPDATE = """
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END
    """


_INITIAL = [
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        text TEXT NOT NULL,
        meta TEXT NOT NULL DEFAULT '{}',
        source TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        -- the model version whose suggestions are stored; NULL: not suggested yet
        suggested_with TEXT
    )
    """,
    """
    CREATE INDEX documents_suggested_with ON documents(suggested_with)
    """,
    """
    CREATE TABLE suggestions (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        label TEXT NOT NULL,
        attrs TEXT NOT NULL DEFAULT '{}',
        suggester TEXT NOT NULL,      -- model / rule / import / gold-ruler
        model_version TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        CHECK (start >= 0 AND "end" > start)
    )
    """,
    """
    CREATE INDEX suggestions_doc ON suggestions(doc_id)
    """,
    """
    CREATE TABLE annotations (
        id INTEGER PRIMARY KEY,
        doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        annotator TEXT NOT NULL,
        status TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (doc_id, annotator)
    )
    """,
    """
    -- "next document for this annotator" and progress counts
    CREATE INDEX annotations_annotator ON annotations(annotator, status, doc_id)
    """,
    """
    CREATE TABLE annotation_spans (
        id INTEGER PRIMARY KEY,
        annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        label TEXT NOT NULL,
        attrs TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,         -- pending / accepted / rejected
        origin TEXT NOT NULL,         -- model / rule / import / annotator / gold-ruler
        CHECK (start >= 0 AND "end" > start)
    )
    """,
    """
    CREATE INDEX annotation_spans_annotation ON annotation_spans(annotation_id, start)
    """,
    """
    -- Append-only audit log: who changed what, when, before and after.
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        ts TEXT NOT NULL,
        annotator TEXT NOT NULL,
        action TEXT NOT NULL,
        doc_id INTEGER,
        annotation_id INTEGER,
        before TEXT,
        after TEXT,
        undoes INTEGER REFERENCES events(id)
    )
    """,
    """
    CREATE INDEX events_annotator ON events(annotator, id)
    """,
    """
    CREATE INDEX events_doc ON events(doc_id, id)
    """,
    """
    CREATE INDEX events_undoes ON events(undoes)
    """,
    """
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END
    """,
    """
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END
    """,
]
