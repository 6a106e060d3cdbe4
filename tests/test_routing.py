"""Task routing (store/routing.py): with overlap N each document goes to N annotators."""

from __future__ import annotations

import multiprocessing
import sqlite3
from collections import Counter

from click.testing import CliRunner

from workbench.cli import cli
from workbench.config import load_config
from workbench.model import Span
from workbench.store import Store

from .conftest import new_doc

HOUR = 3600.0
DECISIONS = 30  # per document: 10 documents each, 300 decisions per annotator


def _docs(store: Store, n: int) -> None:
    store.add_documents(
        [new_doc(f"Report {i}: {i} people were hurt in the blast there.") for i in range(n)]
    )


def test_a_document_goes_to_overlap_annotators_and_claims_count(store):
    _docs(store, 2)
    assert store.claim_next_document("amira", 2, HOUR) == 1
    assert store.claim_next_document("bob", 2, HOUR) == 1  # overlap 2: bob shares doc 1
    assert store.claim_next_document("chen", 2, HOUR) == 2  # doc 1 has two claims
    assert store.claimants(1) == ["amira", "bob"]


def test_an_annotator_resumes_their_own_document_and_never_gets_one_they_did(store):
    _docs(store, 2)
    assert store.claim_next_document("amira", 1, HOUR) == 1
    store.open_annotation(1, "amira")
    assert store.claim_next_document("amira", 1, HOUR) == 1  # in progress: resumed
    store.submit(store.open_annotation(1, "amira").id, "amira")
    assert store.claim_next_document("amira", 1, HOUR) == 2
    assert store.claim_next_document("bob", 1, HOUR) is None  # 1 done, 2 claimed


def test_an_expired_claim_sends_the_document_back_to_the_queue(store):
    _docs(store, 1)
    assert store.claim_next_document("amira", 1, -1.0) == 1  # expired at once: a crash
    store.open_annotation(1, "amira")
    assert store.claim_next_document("bob", 1, HOUR) == 1


def test_the_next_document_key_is_routed(store):
    """Browsing on with `n` under overlap 1 skips a document a colleague holds, lands
    on the annotator's own or a free one (and claims it)."""
    _docs(store, 4)
    assert store.claim_next_document("amira", 1, HOUR) == 1
    assert store.claim_next_document("bob", 1, HOUR) == 2  # amira holds 1
    store.open_annotation(2, "bob")
    assert store.claim_document_after("amira", 1, HOUR, 1) == 3  # 2 is bob's
    assert store.claimants(3) == ["amira"]
    assert store.claim_document_after("bob", 1, HOUR, 0) == 2  # his own, not amira's 1
    assert store.claim_document_after("bob", 1, HOUR, 2) == 4  # 3 is amira's claim now
    assert store.claim_document_after("amira", 1, HOUR, 4) is None


def test_config_reads_and_shows_overlap(tmp_path):
    path = tmp_path / "workbench.toml"
    path.write_text("[workbench]\noverlap = 2\nclaim_minutes = 10\n", encoding="utf-8")
    config = load_config(path)
    assert (config.overlap, config.claim_minutes) == (2, 10.0)
    result = CliRunner().invoke(cli, ["--config", str(path), "config", "show"])
    assert "overlap:     2 annotator(s) per document; claims expire after 10 min" in result.output


def _annotate(args: tuple[str, str, multiprocessing.synchronize.Barrier]) -> list[int]:
    db, name, barrier = args
    done = []
    with Store(db) as store:
        barrier.wait()  # every process starts its first claim at the same moment
        while (doc_id := store.claim_next_document(name, 2, HOUR)) is not None:
            annotation = store.open_annotation(doc_id, name)
            for k in range(DECISIONS):  # a few hundred decisions per annotator in all
                store.add_span(annotation.id, Span(k, k + 1, "KILLED"), name)
            store.submit(annotation.id, name)
            done.append(doc_id)
    return done


def test_eight_annotators_started_together_never_exceed_the_overlap(tmp_path):
    db = tmp_path / "team.db"
    with Store(db) as store:
        _docs(store, 40)
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(8)
    names = [f"annotator{i}" for i in range(8)]
    with context.Pool(8) as pool:
        results = pool.map(_annotate, [(str(db), name, barrier) for name in names])
    per_doc = Counter(doc for done in results for doc in done)
    assert per_doc == Counter({doc: 2 for doc in range(1, 41)})  # each doc to exactly 2
    with Store(db) as store:
        assert store.integrity_check() == "ok"
        submitted = store.status_counts()
        assert sum(n for _, status, n in submitted if status == "submitted") == 80
        spans = store.db.execute("SELECT count(*) FROM annotation_spans").fetchone()[0]
        assert spans == 80 * DECISIONS  # every decision is in the database
        checked, broken, _ = store.verify_events()
        assert broken is None and checked >= 80 * (DECISIONS + 2)  # + open and submit
        victim = store.db.execute("SELECT id FROM events WHERE action = 'add' LIMIT 1 OFFSET 300")
        victim_id = victim.fetchone()[0]
    conn = sqlite3.connect(db)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute(f"UPDATE events SET annotator = 'mallory' WHERE id = {victim_id}")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(cli, ["--db", str(db), "review", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {victim_id}:" in result.output
