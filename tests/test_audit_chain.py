"""The events' hash chain (store/chain.py) and `workbench review verify`."""

from __future__ import annotations

import sqlite3

from click.testing import CliRunner
from sqlite_utils import Database

from workbench.cli import cli
from workbench.store import Store, schema

from .conftest import new_doc

TEXTS = ["Two people were killed.", "Five were injured.", "A man died.", "Nobody was hurt."]


def _with_events(db) -> list[int]:
    with Store(db) as store:
        for text in TEXTS:
            store.add_documents([new_doc(text)], annotator="amira")
        annotation = store.open_annotation(1, "amira")
        store.submit(annotation.id, "amira")
        return [e.id for e in store.audit_log()]


def _verify(db):
    return CliRunner().invoke(cli, ["--db", str(db), "review", "verify"])


def _as_attacker(db, *statements: str) -> None:
    """What someone with the sqlite3 shell would do: lift the append-only triggers,
    change the rows, put the triggers back."""
    conn = sqlite3.connect(db)
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    for statement in statements:
        conn.execute(statement)
    for _, sql in triggers:
        conn.execute(sql)
    conn.commit()
    conn.close()


def test_an_untouched_trail_verifies_and_prints_its_head(db_path):
    ids = _with_events(db_path)
    result = _verify(db_path)
    assert result.exit_code == 0, result.output
    with Store(db_path) as store:
        head = store.db.execute("SELECT hash FROM events ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert result.output == f"{len(ids)} event(s) verified; head hash {head}\n"


def test_an_edited_event_is_named(db_path):
    ids = _with_events(db_path)
    edited = ids[2]
    _as_attacker(db_path, f"UPDATE events SET annotator = 'mallory' WHERE id = {edited}")
    result = _verify(db_path)
    assert result.exit_code == 1
    assert result.output.startswith(f"workbench: error: audit trail broken at event {edited}:")


def test_the_triggers_still_refuse_an_edit_through_sqlite(db_path):
    _with_events(db_path)
    conn = sqlite3.connect(db_path)
    try:
        conn.execute("UPDATE events SET annotator = 'mallory' WHERE id = 1")
    except sqlite3.DatabaseError as e:
        assert "append-only" in str(e)
    else:
        raise AssertionError("the update went through")
    finally:
        conn.close()


def test_a_deleted_event_breaks_the_chain_at_the_next_one(db_path):
    ids = _with_events(db_path)
    _as_attacker(db_path, f"DELETE FROM events WHERE id = {ids[1]}")
    result = _verify(db_path)
    assert result.exit_code == 1
    assert f"broken at event {ids[2]}:" in result.output


def test_the_migration_back_fills_the_hashes_of_an_older_database(db_path):
    old = Database(db_path)
    schema.migrations.apply(old, stop_before="m004_users")
    for n in range(3):
        old.execute(
            "INSERT INTO events (ts, annotator, action) VALUES (?, ?, ?)",
            [f"2025-01-0{n + 1}T00:00:00.000+00:00", "amira", "import"],
        )
    old.conn.commit()
    old.close()
    with Store(db_path) as store:  # applies m004 and m005
        hashes = [r["hash"] for r in store.db.query("SELECT hash FROM events ORDER BY id")]
        assert store.verify_events()[:2] == (3, None)
        store.add_documents([new_doc("One more.")], annotator="amira")  # chained on top
    assert all(hashes) and len(set(hashes)) == 3
    assert _verify(db_path).exit_code == 0
