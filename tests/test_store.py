"""The store on real SQLite files: documents, suggestions, decisions, events, undo."""

from __future__ import annotations

import sqlite3

import pytest

from workbench.model import ACCEPTED, FLAGGED, PENDING, REJECTED, SUBMITTED, Span
from workbench.store import Store, StoreError, schema

from .conftest import new_doc

ALL_MIGRATIONS = ["m001_initial", "m002_annotator_history_index", "m003_annotator_recent_index"]


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
    actions = [e["action"] for e in store.events(ann.document.id)]
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
    assert [e["action"] for e in store.events()][-3:] == ["undo", "undo", "undo"]


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
    import subprocess
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
