"""Casualty figures linked to their source in the store: link, clear, the cascade when
the source changes or goes, accepting a suggested link, and undo of each, on real SQLite."""

from __future__ import annotations

import pytest

from workbench.model import ACCEPTED, PENDING, REJECTED, Span, count_attrs, link_of, with_link
from workbench.store import Store, StoreError

from .conftest import new_doc

TEXT = "Reuters said 12 people were killed, and the army said 3 died."
REUTERS = Span(0, 7, "ORG")
TWELVE = Span(13, 15, "KILLED", count_attrs(12, "exact"))
ARMY = Span(44, 48, "SOURCE")
THREE = Span(54, 55, "KILLED", count_attrs(3, "exact"))


def _open(store: Store, spans, text: str = TEXT):
    store.add_documents([new_doc(text)])
    doc_id = store.document_ids()[-1]
    store.save_suggestions([(doc_id, [s.with_(source="rule") for s in spans])], "m1")
    return store.open_annotation(doc_id, "ann")


def _by_label_text(store: Store, annotation_id: int):
    spans = store.annotation(annotation_id).spans
    return {TEXT[s.span.start : s.span.end]: s for s in spans}


def test_link_sets_the_source_and_accepts_both(store: Store):
    ann = _open(store, [REUTERS, TWELVE])
    s = _by_label_text(store, ann.id)
    store.link(s["12"].id, s["Reuters"].id, "ann")
    s = _by_label_text(store, ann.id)
    assert link_of(s["12"].span) == (0, 7, "ORG")
    assert (s["12"].status, s["Reuters"].status) == (ACCEPTED, ACCEPTED)
    assert store.events(ann.document.id)[-1].action == "link"


def test_clearing_a_link_and_undo_puts_it_back(store: Store):
    ann = _open(store, [REUTERS, with_link(TWELVE, REUTERS)])
    s = _by_label_text(store, ann.id)
    store.link(s["12"].id, None, "ann")
    assert link_of(_by_label_text(store, ann.id)["12"].span) is None
    store.undo("ann")
    s = _by_label_text(store, ann.id)
    assert link_of(s["12"].span) == (0, 7, "ORG")
    assert s["12"].status == PENDING  # as it was before the unlink


def test_undo_of_a_link_restores_both_spans(store: Store):
    ann = _open(store, [REUTERS, TWELVE])
    s = _by_label_text(store, ann.id)
    store.link(s["12"].id, s["Reuters"].id, "ann")
    store.undo("ann")
    s = _by_label_text(store, ann.id)
    assert link_of(s["12"].span) is None
    assert (s["12"].status, s["Reuters"].status) == (PENDING, PENDING)


def test_accepting_a_figure_accepts_its_suggested_source(store: Store):
    ann = _open(store, [REUTERS, with_link(TWELVE, REUTERS), ARMY, THREE])
    s = _by_label_text(store, ann.id)
    store.accept(s["12"].id, "ann")
    s = _by_label_text(store, ann.id)
    assert (s["12"].status, s["Reuters"].status) == (ACCEPTED, ACCEPTED)
    assert s["army"].status == PENDING  # not linked to "12": untouched
    store.undo("ann")
    s = _by_label_text(store, ann.id)
    assert (s["12"].status, s["Reuters"].status) == (PENDING, PENDING)


@pytest.mark.parametrize("how", ["delete", "reject"])
def test_a_link_goes_with_its_source(store: Store, how: str):
    ann = _open(store, [REUTERS, with_link(TWELVE, REUTERS)])
    s = _by_label_text(store, ann.id)
    getattr(store, "delete_span" if how == "delete" else "reject")(s["Reuters"].id, "ann")
    s = _by_label_text(store, ann.id)
    assert link_of(s["12"].span) is None
    assert s["12"].span.value == 12  # the count stays
    if how == "reject":
        assert s["Reuters"].status == REJECTED
    store.undo("ann")
    s = _by_label_text(store, ann.id)
    assert link_of(s["12"].span) == (0, 7, "ORG") and "Reuters" in s


def test_a_link_follows_its_source_when_it_moves_or_is_relabelled(store: Store):
    ann = _open(store, [REUTERS, with_link(TWELVE, REUTERS)])
    s = _by_label_text(store, ann.id)
    store.set_bounds(s["Reuters"].id, 0, 12, "ann")  # "Reuters said"
    assert link_of(_by_label_text(store, ann.id)["12"].span) == (0, 12, "ORG")
    s = _by_label_text(store, ann.id)
    store.relabel(s["Reuters said"].id, "SOURCE", "ann", {})
    assert link_of(_by_label_text(store, ann.id)["12"].span) == (0, 12, "SOURCE")
    store.undo("ann")
    store.undo("ann")
    assert link_of(_by_label_text(store, ann.id)["12"].span) == (0, 7, "ORG")


def test_a_link_to_itself_or_another_document_is_refused(store: Store):
    ann = _open(store, [REUTERS, TWELVE])
    other = _open(store, [REUTERS], text="Reuters reported it.")
    s = _by_label_text(store, ann.id)
    with pytest.raises(StoreError, match="itself"):
        store.link(s["12"].id, s["12"].id, "ann")
    with pytest.raises(StoreError, match="different documents"):
        store.link(s["12"].id, other.spans[0].id, "ann")
    assert link_of(_by_label_text(store, ann.id)["12"].span) is None


def test_another_annotators_span_cannot_be_linked(store: Store):
    ann = _open(store, [REUTERS, TWELVE])
    s = _by_label_text(store, ann.id)
    with pytest.raises(StoreError, match="belongs to ann"):
        store.link(s["12"].id, s["Reuters"].id, "bob")


def test_undo_never_removes_a_span_that_took_a_deleted_ones_id(store: Store):
    """amira deletes the span she just added, bob adds one, amira undoes her delete:
    bob's span stays (span ids are never handed out twice)."""
    store.add_documents([new_doc(TEXT)])
    amira = store.open_annotation(1, "amira")
    bob = store.open_annotation(1, "bob")
    mine = store.add_span(amira.id, REUTERS, "amira")
    store.delete_span(mine, "amira")
    theirs = store.add_span(bob.id, ARMY, "bob")
    assert theirs != mine
    store.undo("amira")
    assert [s.span for s in store.annotation(bob.id).spans] == [ARMY]
    assert [s.span for s in store.annotation(amira.id).spans] == [REUTERS]


def test_the_migration_keeps_every_span_and_stops_id_reuse(db_path):
    """A database from before m007 (span ids could be reused) is rebuilt on opening:
    the same rows, and ids are not handed out twice from then on."""
    import sqlite3

    with Store(db_path) as store:
        store.add_documents([new_doc(TEXT)])
        ann = store.open_annotation(1, "amira")
        for span in (REUTERS, TWELVE, ARMY):
            store.add_span(ann.id, span, "amira")
    conn = sqlite3.connect(db_path)
    with conn:  # back to the old table, as m001 made it
        conn.execute("ALTER TABLE annotation_spans RENAME TO old_spans")
        conn.execute(
            "CREATE TABLE annotation_spans (id INTEGER PRIMARY KEY, annotation_id INTEGER NOT NULL"
            ' REFERENCES annotations(id) ON DELETE CASCADE, start INTEGER NOT NULL, "end"'
            " INTEGER NOT NULL, label TEXT NOT NULL, attrs TEXT NOT NULL DEFAULT '{}', status"
            ' TEXT NOT NULL, origin TEXT NOT NULL, CHECK (start >= 0 AND "end" > start))'
        )
        conn.execute("INSERT INTO annotation_spans SELECT * FROM old_spans")
        conn.execute("DROP TABLE old_spans")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_span_ids_never_reused'")
        conn.execute("PRAGMA user_version = 6")
    before = conn.execute("SELECT * FROM annotation_spans ORDER BY id").fetchall()
    conn.close()
    with Store(db_path) as store:
        after = store.db.execute("SELECT * FROM annotation_spans ORDER BY id").fetchall()
        assert after == before and len(after) == 3
        last = after[-1][0]
        store.delete_span(last, "amira")
        assert store.add_span(ann.id, THREE, "amira") == last + 1
        assert store.integrity_check() == "ok"


def test_a_reviewers_draft_is_not_changed_through_the_annotator(store: Store):
    """rita's review draft (REVIEWING) is refused to the annotator's methods, as reviewed
    gold is, and `u` passes over it: it changes only through the review screen."""
    from workbench.model import AnnotatedSpan
    from workbench.store import ReviewedError

    store.add_documents([new_doc(TEXT)])
    draft = store.review_change(1, "rita", "review_add", add=[AnnotatedSpan(0, REUTERS)])
    span_id = draft.spans[0].id
    with pytest.raises(ReviewedError, match="reviewer's draft"):
        store.reject(span_id, "rita")
    with pytest.raises(ReviewedError, match="reviewer's draft"):
        store.submit(draft.id, "rita")
    assert store.undo("rita") is None
    assert [s.span for s in store.annotation(draft.id).spans] == [REUTERS]
