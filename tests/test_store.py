"""The store on real SQLite files: documents, suggestions, decisions, events, undo."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from workbench.model import (
    ACCEPTED,
    FLAGGED,
    PENDING,
    REJECTED,
    REVIEWED,
    SUBMITTED,
    AnnotationState,
    Change,
    Event,
    NewDocument,
    Span,
    count_attrs,
)
from workbench.store import (
    INTERACTIVE_BUSY_TIMEOUT_S,
    DatabaseBusy,
    DatabaseReadOnly,
    DiskFull,
    ReviewedError,
    SchemaTooNew,
    Store,
    StoreError,
    schema,
)

from .conftest import db_snapshot, make_read_only, new_doc

ALL_MIGRATIONS = [
    "m001_initial",
    "m002_annotator_history_index",
    "m003_annotator_recent_index",
    "m004_users",
    "m005_event_chain",
    "m006_claims",
    "m007_span_ids_never_reused",
]


def test_open_sets_wal_foreign_keys_and_schema_version(store: Store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert [m.name for m in schema.migrations.applied(store.db)] == ALL_MIGRATIONS


def test_reopening_applies_no_migration_twice(db_path):
    Store(db_path).close()
    with Store(db_path) as again:
        names = [r["name"] for r in again.db.query("SELECT name FROM _sqlite_migrations")]
    assert names == ALL_MIGRATIONS


def test_a_database_from_an_older_version_is_migrated(db_path):
    from sqlite_utils import Database

    old = Database(db_path)
    schema.migrations.apply(old, stop_before="m002_annotator_history_index")
    old.execute("INSERT INTO documents (hash, text, created_at) VALUES ('h', 'Kept.', 'now')")
    old.conn.commit()
    old.close()
    with Store(db_path) as store:
        assert "annotations_annotator_doc" in {i.name for i in store.db["annotations"].indexes}
        assert store.document(1).text == "Kept."


def test_add_documents_deduplicates_by_text(store: Store):
    first = store.add_documents([new_doc("One."), new_doc("Two.")])
    second = store.add_documents([new_doc("Two."), new_doc("Three.")])
    assert (first.added, first.duplicates) == (2, 0)
    assert (second.added, second.duplicates) == (1, 1)
    assert store.status().documents == 3


def test_save_suggestions_replaces_model_suggestions_but_keeps_imported(store: Store):
    doc = new_doc("Ten people died.")
    store.add_documents([doc.__class__(doc.text, {}, "t", (Span(0, 3, "KILLED"),))])
    doc_id = store.document_ids()[0]
    store.save_suggestions([(doc_id, [Span(4, 10, "ORG", source="model")])], "m1")
    store.save_suggestions([(doc_id, [Span(11, 15, "ORG", source="model")])], "m2")
    got = [(s.start, s.label, s.source) for s in store.suggestions(doc_id)]
    assert got == [(0, "KILLED", "import"), (11, "ORG", "model")]
    assert store.count_to_suggest("m2") == 0
    assert store.count_to_suggest("m3") == 1


TEN_KILLED = (Span(0, 3, "KILLED", {"value": 10, "qualifier": "exact"}),)


def _annotation(store: Store, spans=TEN_KILLED):
    store.add_documents([new_doc("Ten people died in Kabul.")])
    doc_id = store.document_ids()[-1]
    store.save_suggestions([(doc_id, [s.with_(source="rule") for s in spans])], "m1")
    return store.open_annotation(doc_id, "ann")


def test_open_annotation_copies_suggestions_as_pending(store: Store):
    ann = _annotation(store)
    assert [(s.span.label, s.status, s.origin) for s in ann.spans] == [("KILLED", PENDING, "rule")]
    assert store.open_annotation(ann.document.id, "ann").id == ann.id  # idempotent


def test_each_decision_writes_its_event(store: Store):
    ann = _annotation(store)
    span_id = ann.spans[0].id
    store.accept(span_id, "ann")
    store.reject(span_id, "ann")
    store.relabel(span_id, "INJURED", "ann", {"value": 10, "qualifier": "exact"})
    store.set_bounds(span_id, 0, 10, "ann")
    new_id = store.add_span(ann.id, Span(19, 24, "GPE"), "ann")
    store.delete_span(new_id, "ann")
    actions = [e.action for e in store.events(ann.document.id)]
    assert actions == ["open", "accept", "reject", "relabel", "resize", "add", "delete"]
    final = store.annotation(ann.id)
    assert [(s.span.start, s.span.end, s.span.label, s.status) for s in final.spans] == [
        (0, 10, "INJURED", ACCEPTED)
    ]


def test_events_are_append_only(store: Store):
    ann = _annotation(store)
    store.accept(ann.spans[0].id, "ann")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("UPDATE events SET annotator = 'mallory'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.db.execute("DELETE FROM events")


def test_undo_reverts_several_levels_including_submit(store: Store):
    ann = _annotation(store)
    span_id = ann.spans[0].id
    store.accept(span_id, "ann")
    store.add_span(ann.id, Span(19, 24, "GPE"), "ann")
    store.submit(ann.id, "ann")
    assert store.annotation(ann.id).status == SUBMITTED

    assert store.undo("ann") == ann.document.id
    assert store.annotation(ann.id).status == "in_progress"
    store.undo("ann")  # the add
    assert [s.id for s in store.annotation(ann.id).spans] == [span_id]
    store.undo("ann")  # the accept
    assert store.annotation(ann.id).spans[0].status == PENDING
    assert store.undo("ann") is None  # opening is not undone
    assert [e.action for e in store.events()][-3:] == ["undo", "undo", "undo"]


def test_undo_of_delete_restores_the_same_span(store: Store):
    ann = _annotation(store)
    span = ann.spans[0]
    store.delete_span(span.id, "ann")
    store.undo("ann")
    back = store.annotation(ann.id).spans[0]
    assert back == span


def test_accept_all_accepts_only_pending(store: Store):
    ann = _annotation(store, (Span(0, 3, "KILLED"), Span(19, 24, "GPE")))
    store.reject(ann.spans[1].id, "ann")
    assert store.accept_all(ann.id, "ann") == 1
    assert [s.status for s in store.annotation(ann.id).spans] == [ACCEPTED, REJECTED]


def test_another_annotators_span_is_refused_and_nothing_written(store: Store):
    ann = _annotation(store)
    events = len(store.events())
    with pytest.raises(StoreError, match="belongs to ann"):
        store.accept(ann.spans[0].id, "mallory")
    assert len(store.events()) == events


def test_bounds_outside_the_text_are_refused(store: Store):
    ann = _annotation(store)
    with pytest.raises(StoreError, match="outside the text"):
        store.set_bounds(ann.spans[0].id, 0, 999, "ann")
    with pytest.raises(StoreError, match="outside the text"):
        store.add_span(ann.id, Span(20, 99, "GPE"), "ann")


def test_next_document_resumes_in_progress_then_takes_unseen(store: Store):
    store.add_documents([new_doc("A."), new_doc("B."), new_doc("C.")])
    a, b, c = store.document_ids()
    first = store.open_annotation(a, "ann")
    assert store.next_document_id("ann") == a  # in progress: resume
    store.submit(first.id, "ann")
    assert store.next_document_id("ann") == b
    store.flag(store.open_annotation(b, "ann").id, "ann", "odd")
    assert store.next_document_id("ann") == c
    assert store.next_document_id("other") == a  # annotators are independent
    assert store.previous_document_id("ann", c) == b
    progress = store.progress("ann")
    assert (progress.total, progress.done, progress.today) == (3, 2, 2)
    assert store.annotation(store.open_annotation(b, "ann").id).status == FLAGGED


def test_gold_is_accepted_spans_of_submitted_annotations(store: Store):
    ann = _annotation(store, (Span(0, 3, "KILLED"), Span(19, 24, "GPE")))
    store.accept(ann.spans[1].id, "ann")
    store.submit(ann.id, "ann")
    [gold] = list(store.annotations(annotator="ann"))
    assert [(s.start, s.label) for s in gold.gold_spans()] == [(19, "GPE")]
    assert list(store.annotations(annotator="nobody")) == []


def test_writers_in_parallel_processes_never_fail(db_path, tmp_path):
    """BEGIN IMMEDIATE + busy timeout: concurrent writers wait instead of failing."""
    import sys
    import textwrap

    Store(db_path).close()
    script = textwrap.dedent(
        """
        import sys
        from workbench.store import Store, NewDocument
        with Store(sys.argv[1]) as s:
            for i in range(40):
                s.add_documents([NewDocument(f"{sys.argv[2]}-{i}", {}, "t")])
                s.next_document_id(sys.argv[2])
        """
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(db_path), f"w{n}"], stderr=subprocess.PIPE
        )
        for n in range(6)
    ]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, errors
    with Store(db_path) as s:
        assert s.status().documents == 240
        assert s.integrity_check() == "ok"


def test_two_sessions_opening_the_same_documents_together_share_one_annotation(db_path):
    """Two annotator sessions of one person started together: no IntegrityError."""
    import threading

    with Store(db_path) as s:
        s.add_documents([new_doc(f"Document {i}.") for i in range(30)])
        ids = s.document_ids()
    start = threading.Barrier(2)
    opened: list[list[int]] = [[], []]
    errors: list[BaseException] = []

    def session(n: int) -> None:
        with Store(db_path) as mine:
            for doc_id in ids:
                start.wait()
                try:
                    opened[n].append(mine.open_annotation(doc_id, "ann").id)
                except BaseException as e:  # collected: a thread's exception is lost
                    errors.append(e)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert opened[0] == opened[1] and len(set(opened[0])) == len(ids)
    with Store(db_path) as s:
        opens = [e for e in s.events() if e.action == "open"]
        assert len(opens) == len(ids)  # one "open" event per document, not two


# ---- reviewed gold ----------------------------------------------------------------------


def _reviewed(store: Store):
    """Document 1 with ann's submitted count, adjudicated by lead: lead's reviewed gold."""
    ann = _annotation(store)
    store.accept(ann.spans[0].id, "ann")
    store.submit(ann.id, "ann")
    return store.adjudicate(ann.document.id, "ann", "lead")


def test_reviewed_gold_opens_read_only(store: Store):
    gold = _reviewed(store)
    opened = store.open_annotation(gold.document.id, "lead")
    assert opened.id == gold.id and opened.status == REVIEWED and opened.read_only
    assert not store.open_annotation(gold.document.id, "ann").read_only  # ann's own: editable


@pytest.mark.parametrize(
    "edit",
    [
        lambda s, a: s.accept(a.spans[0].id, "lead"),
        lambda s, a: s.reject(a.spans[0].id, "lead"),
        lambda s, a: s.relabel(a.spans[0].id, "INJURED", "lead", {}),
        lambda s, a: s.set_bounds(a.spans[0].id, 0, 10, "lead"),
        lambda s, a: s.set_attrs(a.spans[0].id, {"value": 3, "qualifier": "exact"}, "lead"),
        lambda s, a: s.delete_span(a.spans[0].id, "lead"),
        lambda s, a: s.add_span(a.id, Span(19, 24, "GPE"), "lead"),
        lambda s, a: s.accept_all(a.id, "lead"),
        lambda s, a: s.submit(a.id, "lead"),
        lambda s, a: s.skip(a.id, "lead"),
        lambda s, a: s.flag(a.id, "lead", "odd"),
    ],
)
def test_an_annotator_edit_of_reviewed_gold_is_refused_and_nothing_written(
    store: Store, db_path, edit
):
    gold = _reviewed(store)
    before = db_snapshot(db_path)
    with pytest.raises(
        ReviewedError, match="document 1 is reviewed gold; change it with workbench"
    ):
        edit(store, gold)
    assert db_snapshot(db_path) == before
    assert store.annotation(gold.id).status == REVIEWED


def test_undo_passes_over_changes_to_what_is_now_reviewed_gold(store: Store, db_path):
    # An old database may hold a reviewer's annotator edits on their reviewed gold.
    gold = _reviewed(store)
    store.db.execute("UPDATE annotations SET status = 'submitted' WHERE id = ?", [gold.id])
    store.reject(gold.spans[0].id, "lead")
    store.db.execute("UPDATE annotations SET status = 'reviewed' WHERE id = ?", [gold.id])
    assert store.undo("lead") is None
    assert store.annotation(gold.id).spans[0].status == REJECTED


# ---- what a span and an event look like -------------------------------------------------


def test_events_read_back_as_events_with_spans_as_they_were(store: Store):
    ann = _annotation(store)
    span = ann.spans[0]
    store.set_attrs(span.id, count_attrs(12, "approx"), "ann")
    store.submit(ann.id, "ann")
    opened, changed, submitted = store.events(ann.document.id)
    assert isinstance(changed, Event) and (opened.action, changed.action) == ("open", "set_attrs")
    assert changed.before == Change(spans=(span,))
    assert changed.after.spans[0].span.attrs == {"value": 12, "qualifier": "approx"}
    assert submitted.before.annotation == AnnotationState("in_progress", "")
    assert submitted.after.annotation == AnnotationState(SUBMITTED, "")
    assert Event.from_json(changed.to_json()) == changed


def test_gold_import_events_hold_spans_in_the_event_shape(store: Store):
    doc = NewDocument("Ten people died.", {}, "t", TEN_KILLED)
    store.save_gold([doc], "ann", label="gold.jsonl")
    [event] = store.events()
    assert event.action == "import" and event.after.notes == {"source": "gold.jsonl"}
    [stored] = store.annotation(event.annotation_id).spans
    assert event.after.spans == (stored,)
    assert event.after.annotation == AnnotationState(SUBMITTED)


def test_an_early_gold_import_event_with_flat_spans_still_reads():
    flat = {"start": 0, "end": 3, "label": "KILLED", "value": 10, "qualifier": "exact"}
    event = Event.from_json(
        {"action": "import", "after": {"source": "", "status": SUBMITTED, "spans": [flat]}}
    )
    assert event.after.spans[0].span == Span(0, 3, "KILLED")
    assert event.after.spans[0].span.attrs == count_attrs(10, "exact")


# ---- a database from a newer workbench ---------------------------------------------------


def _file_bytes(path) -> bytes:
    return path.read_bytes()


def test_a_database_with_a_higher_schema_version_is_refused_untouched(db_path):
    conn = sqlite3.connect(db_path)  # rollback journal: opening it as a Store would make it WAL
    conn.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, text TEXT)")
    conn.execute(f"PRAGMA user_version={schema.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = _file_bytes(db_path)
    with pytest.raises(
        SchemaTooNew,
        match=rf"annotations\.db has schema version {schema.SCHEMA_VERSION + 1}; this workbench"
        r" knows up to"
        rf" {schema.SCHEMA_VERSION}: upgrade workbench",
    ):
        Store(db_path)
    assert _file_bytes(db_path) == before
    assert not db_path.with_name(db_path.name + "-wal").exists()


def test_a_database_with_unknown_migrations_is_refused_untouched(db_path):
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('workbench', 'm004_claims', 'later')"
    )
    conn.commit()
    conn.close()
    before = db_snapshot(db_path)
    with pytest.raises(SchemaTooNew, match=r"does not know \(m004_claims; .*upgrade workbench"):
        Store(db_path)
    assert db_snapshot(db_path) == before


# ---- a busy, read-only or full database ---------------------------------------------------


def test_a_write_lock_held_beyond_the_timeout_is_database_busy(db_path):
    with Store(db_path) as setup:
        ann = _annotation(setup)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = db_snapshot(db_path)
        with Store(db_path, busy_timeout=0.2) as store:
            with pytest.raises(DatabaseBusy, match=r"annotations\.db is busy: .* 0\.2 s"):
                store.accept(ann.spans[0].id, "ann")
            assert store.annotation(ann.id).spans[0].status == PENDING  # reads still work
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert db_snapshot(db_path) == before
    with Store(db_path, busy_timeout=INTERACTIVE_BUSY_TIMEOUT_S) as store:
        store.accept(ann.spans[0].id, "ann")  # free again: the same call works
        assert store.annotation(ann.id).spans[0].status == ACCEPTED


def test_a_read_only_database_is_database_read_only(small_disk, tmp_path):
    folder = small_disk or tmp_path / "ro"
    folder.mkdir(exist_ok=True)
    path = folder / "annotations.db"
    with Store(path) as setup:
        ann = _annotation(setup)
    make_read_only(folder, mounted=small_disk is not None)
    try:
        # WAL may refuse at open already, or at the first write: either is fine.
        refused = pytest.raises(DatabaseReadOnly, match=r"annotations\.db is read-only")
        with refused, Store(path) as store:
            store.accept(ann.spans[0].id, "ann")
    finally:
        if small_disk is None:
            folder.chmod(0o755)


def test_a_full_disk_is_disk_full_and_keeps_what_was_saved(small_disk, db_path):
    path = db_path if small_disk is None else small_disk / "annotations.db"
    with Store(path) as store:
        store.add_documents([new_doc("Kept.")])
        if small_disk is None:  # no tmpfs here: SQLite's own size limit fills up the same way
            pages = store.db.execute("PRAGMA page_count").fetchone()[0]
            store.db.execute(f"PRAGMA max_page_count={pages + 8}")
        with pytest.raises(DiskFull, match=r"disk full: .*annotations\.db could not save"):
            for i in range(200):
                store.add_documents([new_doc(f"{i} " + "x" * 20_000)])
        assert store.document(1).text == "Kept."
        assert store.integrity_check() == "ok"
        assert not store.db.conn.in_transaction
