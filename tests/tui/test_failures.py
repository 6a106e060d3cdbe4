"""When the database says no: busy, read-only, full, reviewed gold, two sessions.

Each failure is one line on screen, the decision that failed is not shown as done
(the session shows what the database holds), and the annotator goes on.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path

import pytest

from workbench.model import ACCEPTED, PENDING, REVIEWED, SUBMITTED
from workbench.store import Store
from workbench.tui.messages import ActionFailed
from workbench.tui.screens.annotate import AnnotateScreen
from workbench.tui.screens.forms import CasualtyForm
from workbench.tui.session import Session

from .helpers import ANNOTATOR, SEED, config, find, seed_db

pytestmark = pytest.mark.anyio

SIZE = (80, 24)
TEXT = SEED.read_text(encoding="utf-8")


def status_of(db: Path, needle: str, annotator: str = ANNOTATOR) -> str:
    with Store(db) as store:
        spans = {(s.span.start, s.span.end): s for s in store.open_annotation(1, annotator).spans}
        return spans[find(TEXT, needle)].status


def failures() -> tuple[list[str], object]:
    """The one-line failures the screen reported (a message is seen by each pump it
    bubbles through: counted once)."""
    seen: list[str] = []
    messages: list[ActionFailed] = []

    def hook(message: object) -> None:
        if isinstance(message, ActionFailed) and all(m is not message for m in messages):
            messages.append(message)
            seen.append(message.error)

    return seen, hook


async def test_a_held_write_lock_is_a_message_and_nothing_is_shown_done(app_for, db):
    with Store(db) as store:
        store.open_annotation(1, ANNOTATOR)
    holder = sqlite3.connect(db, isolation_level=None)
    seen, hook = failures()
    app = app_for(busy_timeout=0.2)
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        holder.execute("BEGIN IMMEDIATE")  # an import, say, holding the write lock
        await pilot.press("a")  # accept DUSHANBE: waits 0.2 s, then gives up
        await pilot.pause()
        assert len(seen) == 1 and "busy" in seen[0] and "\n" not in seen[0]
        assert app.is_running and isinstance(app.screen, AnnotateScreen)
        assert app.session.focus.span.text_in(TEXT) == "DUSHANBE"
        assert app.session.focus.status == PENDING  # not shown as accepted
        assert status_of(db, "DUSHANBE") == PENDING
        holder.execute("ROLLBACK")
        await pilot.press("a")  # the lock is gone: the same key works
        await pilot.pause()
        assert len(seen) == 1
    holder.close()
    assert status_of(db, "DUSHANBE") == ACCEPTED


async def test_a_read_only_database_is_a_message_and_the_app_goes_on(app_for, db):
    with Store(db) as store:
        store.open_annotation(1, ANNOTATOR)
    seen, hook = failures()
    app = app_for()
    # query_only: SQLite refuses every write with SQLITE_READONLY, as for a read-only file
    # (which root, who runs these tests in some containers, could still write).
    app.store.db.execute("PRAGMA query_only = ON")
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        await pilot.press("a", "j", "x", "A", "s", "a")  # the last: accept the pending, submit
        await pilot.pause()
        assert seen and all("read-only" in m for m in seen)
        assert app.session.annotation.document.id == 1
        assert [s.status for s in app.session.spans] == [PENDING] * len(app.session.spans)
        await pilot.press("j", "j")  # moving still works
        await pilot.pause()
        assert app.session.focus_index == 3
        await pilot.press("q")
        await pilot.pause()
    with Store(db) as store:
        annotation = store.open_annotation(1, ANNOTATOR)
        assert {s.status for s in annotation.spans} == {PENDING}
        assert annotation.status != SUBMITTED


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
async def test_a_read_only_file_and_folder(app_for, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = seed_db(folder / "annotations.db")
    with Store(db) as store:
        store.open_annotation(1, ANNOTATOR)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        seen, hook = failures()
        app = app_for(db)
        async with app.run_test(size=SIZE, message_hook=hook) as pilot:
            await pilot.press("a")
            await pilot.pause()
            assert seen and "read-only" in seen[0]
            assert app.session.focus.status == PENDING
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


async def test_nothing_to_open_on_a_read_only_database_exits_non_zero_with_one_line(app_for):
    app = app_for()  # no annotation yet: opening the first document must write
    app.store.db.execute("PRAGMA query_only = ON")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert "read-only" in app.fatal and "\n" not in app.fatal


async def test_a_full_disk_is_a_message(app_for, db):
    with Store(db) as store:
        store.open_annotation(1, ANNOTATOR)
    seen, hook = failures()
    app = app_for()
    # No page beyond those the file has: the next write that needs one is SQLITE_FULL,
    # as on a full disk.
    (pages,) = app.store.db.execute("PRAGMA page_count").fetchone()
    app.store.db.execute(f"PRAGMA max_page_count = {pages}")
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await pilot.pause()
        for _ in range(3):  # accept-all writes every span into its event: pages needed
            await pilot.press("A", "u")
        await pilot.pause()
        assert seen and "full" in seen[0]
        assert app.is_running
        shown = {s.id: s.status for s in app.session.spans}
    with Store(db) as store:
        stored = {s.id: s.status for s in store.open_annotation(1, ANNOTATOR).spans}
    assert shown == stored  # what the screen shows is what was saved


def test_two_sessions_of_one_annotator_started_together_share_the_annotation(db):
    # Both open the first document at the same moment, each on its own connection.
    go = threading.Barrier(2)
    errors: list[BaseException] = []
    opened: list[int] = []

    def start() -> None:
        try:
            with Store(db) as store:
                session = Session(store, config(), ANNOTATOR)
                go.wait()
                session.open_next()
                opened.append(session.annotation.id)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(opened) == 2 and opened[0] == opened[1]


async def test_reviewed_gold_is_read_only_in_the_annotator(app_for, db):
    with Store(db) as store:
        first = store.open_annotation(1, ANNOTATOR)
        store.accept(first.spans[0].id, ANNOTATOR)
        store.submit(first.id, ANNOTATOR)
        store.adjudicate(1, ANNOTATOR, "rita")  # rita's reviewed gold of document 1
    from workbench.tui.app import make_app

    app = make_app(db, config(), "rita", prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.session.annotation.document.id == 2
        await pilot.press("p")  # back to the reviewed document
        await pilot.pause()
        assert app.session.annotation.document.id == 1 and app.session.read_only
        await pilot.press("x", "A", "d", "v", "e", "s")  # every edit is refused
        await pilot.pause()
        assert app.session.annotation.document.id == 1
        assert isinstance(app.screen, AnnotateScreen) and not app.session.selecting
    with Store(db) as store:
        reviewed = store.open_annotation(1, "rita")
        assert reviewed.status == REVIEWED
        assert [s.text_in(TEXT) for s in reviewed.gold_spans()] == ["DUSHANBE"]


async def test_a_count_beyond_any_toll_is_refused_by_the_form(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "j")  # "more than 100"
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("backspace", "backspace", "backspace", *"99999999999999999999999")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CasualtyForm)  # still open, saying why
        error = str(app.screen.query_one("#form-error").render())
        assert "10,000,000,000" in error
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
    span = {(s.span.start, s.span.end): s for s in read().open_annotation(1, ANNOTATOR).spans}[
        find(TEXT, "more than 100")
    ]
    assert (span.span.value, span.span.qualifier) == (100, "more_than")
