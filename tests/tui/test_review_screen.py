"""The review screen (`workbench review`): Pilot tests on real SQLite files whose
annotations are made through the store, as annotators would make them, and a snapshot
of a document with three annotators and a contested casualty count."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner

import workbench.cli as cli_module
import workbench.store.base as store_base
from workbench.cli import cli
from workbench.model import ACCEPTED, REVIEWED, REVIEWING, Span
from workbench.review_session import AGREED, CONTESTED
from workbench.roles import ADMIN, ANNOTATOR, AUDITOR, REVIEWER
from workbench.store import NewDocument, Store
from workbench.tui.app import make_review_app
from workbench.tui.screens.forms import AnnotatorChooser
from workbench.tui.screens.review import ReviewScreen
from workbench.tui.screens.review_queue import QueueScreen
from workbench.tui.widgets.document_view import DocumentView
from workbench.tui.widgets.review_history import HistoryPane
from workbench.tui.widgets.review_spans import ReviewSpanList

from ..conftest import db_snapshot
from .helpers import config

SIZE = (80, 24)
REVIEWER_NAME = "lead"

FIGHT = "In Jableh, more than 100 people were killed and 20 were injured."
AGREED_TEXT = "Two policemen were wounded in Kabul."
QUIET = "Quiet day in Aleppo."
SOLO = "A market reopened in Homs."
HOSTILE_COMMENT = "is this [bold]relevant\x1b[31m? [/x]"


def _span(text: str, part: str, label: str, **attrs) -> Span:
    start = text.index(part)
    return Span(start, start + len(part), label, attrs)


def killed(value: int) -> Span:
    return _span(FIGHT, "more than 100", "KILLED", value=value, qualifier="more_than")


INJURED_20 = _span(FIGHT, "20", "INJURED", value=20, qualifier="exact")
GPE_JABLEH = _span(FIGHT, "Jableh", "GPE")
ORG_JABLEH = _span(FIGHT, "Jableh", "ORG")

# Three annotators on FIGHT: the INJURED span is agreed; Jableh is GPE for amira and
# bob, ORG for carol; the KILLED count is 100 for amira and carol, 10 for bob.
FIGHT_WORK = {
    "amira": [GPE_JABLEH, killed(100), INJURED_20],
    "bob": [GPE_JABLEH, killed(10), INJURED_20],
    "carol": [ORG_JABLEH, killed(100), INJURED_20],
}


def _submit(store: Store, doc_id: int, who: str, spans: list[Span]) -> None:
    ann = store.open_annotation(doc_id, who)
    for s in spans:
        store.add_span(ann.id, s, who)
    store.submit(ann.id, who)


def team_db(path: Path) -> Path:
    """FIGHT (three annotators, contested), AGREED_TEXT (two who agree), QUIET (flagged
    by dan with a hostile comment), SOLO (one submission: not in the queue)."""
    with Store(path) as store:
        store.add_documents(
            [
                NewDocument(t, {}, f"doc-{i}")
                for i, t in enumerate((FIGHT, AGREED_TEXT, QUIET, SOLO))
            ]
        )
        fight, agreed, quiet, solo = store.document_ids()
        for who, spans in FIGHT_WORK.items():
            _submit(store, fight, who, spans)
        both = [
            _span(AGREED_TEXT, "Two", "INJURED", value=2, qualifier="exact"),
            _span(AGREED_TEXT, "Kabul", "GPE"),
        ]
        _submit(store, agreed, "amira", both)
        _submit(store, agreed, "bob", both)
        ann = store.open_annotation(quiet, "dan")
        store.add_span(ann.id, _span(QUIET, "Aleppo", "GPE"), "dan")
        store.flag(ann.id, "dan", HOSTILE_COMMENT)
        _submit(store, solo, "amira", [_span(SOLO, "Homs", "GPE")])
    return path


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return team_db(tmp_path / "team.db")


def app_on(db: Path, reviewer: str = REVIEWER_NAME):
    return make_review_app(db, config(), reviewer)


def reviewed(db: Path, reviewer: str = REVIEWER_NAME, doc_id: int = 1):
    """The reviewer's annotation of a document as stored (None: none yet)."""
    with Store(db) as store:
        found = [a for a in store.review_annotations(doc_id) if a.annotator == reviewer]
        return found[0] if found else None


def gold_of(db: Path, doc_id: int = 1) -> set[tuple[int, int, str, object]]:
    annotation = reviewed(db, doc_id=doc_id)
    assert annotation is not None
    return {
        (s.span.start, s.span.end, s.span.label, s.span.value)
        for s in annotation.spans
        if s.status == ACCEPTED
    }


def key(span: Span) -> tuple[int, int, str, object]:
    return (span.start, span.end, span.label, span.value)


def events_of(db: Path, doc_id: int = 1):
    with Store(db) as store:
        return store.audit_log(doc_id=doc_id)


async def open_first(pilot) -> ReviewScreen:
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


async def focus_row(pilot, span: Span) -> None:
    """Move the focus (with j/k, as a reviewer would) to the row of this span."""
    session = pilot.app.session
    target = next(i for i, r in enumerate(session.rows) if key(r.span) == key(span))
    delta = target - session.focus_index
    for _ in range(abs(delta)):
        await pilot.press("j" if delta > 0 else "k")
    await pilot.pause()
    assert session.focus_index == target


pytestmark = pytest.mark.anyio


# ---- the queue ---------------------------------------------------------------------


async def test_queue_puts_disagreements_first_and_shows_flag_comments(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        queue = app.session.queue
        # contested first, then flagged, then agreed; the solo document is not there
        assert [q.document.id for q in queue] == [1, 3, 2]
        assert queue[0].contested == 4 and queue[1].flags and not queue[2].disagrees
        options = app.screen.query_one("#queue").options
        shown = [o.prompt.plain for o in options]
        assert "\u2260 4 contested" in shown[0] and "amira, bob, carol" in shown[0]
        # the flag comment, literally, its ESC a visible glyph, nothing parsed as markup
        assert "\u2691 dan: is this [bold]relevant\u241b[31m? [/x]" in shown[1]
        assert all("\x1b" not in s for s in shown)
        assert "= agreed" in shown[2]


# ---- one document ----------------------------------------------------------------------


async def test_rows_mark_agreed_and_contested_spans_and_who_has_them(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(pilot)
        rows = {(key(r.span)): (r.kind, r.has) for r in app.session.rows}
        assert rows == {
            key(GPE_JABLEH): (CONTESTED, ("amira", "bob")),
            key(ORG_JABLEH): (CONTESTED, ("carol",)),
            key(killed(10)): (CONTESTED, ("bob",)),
            key(killed(100)): (CONTESTED, ("amira", "carol")),
            key(INJURED_20): (AGREED, ("amira", "bob", "carol")),
        }
        lines = screen.query_one(ReviewSpanList).lines
        assert any("INJURED" in line and line.rstrip().endswith("all") for line in lines)
        assert any(">10" in line and line.rstrip().endswith("bob") for line in lines)
        assert any(">100" in line and "amira,carol" in line for line in lines)
    assert reviewed(db) is None  # looking changes nothing


async def test_take_one_annotators_version_of_a_contested_count(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await focus_row(pilot, killed(10))
        await pilot.press("a")  # bob's 10
        await pilot.pause()
        assert gold_of(db) == {key(killed(10))}
        assert reviewed(db).status == REVIEWING  # a draft until submitted
        await focus_row(pilot, killed(100))
        await pilot.press("a")  # amira and carol's 100 replaces bob's 10
        await pilot.pause()
        assert gold_of(db) == {key(killed(100))}
        row = app.session.focus
        assert row.in_gold and row.has == ("amira", "carol")
    takes = [e for e in events_of(db) if e.action == "review_take"]
    assert [e.annotator for e in takes] == [REVIEWER_NAME, REVIEWER_NAME]
    assert takes[1].after.notes["take"] == ["amira", "carol"]
    assert [s.span.value for s in takes[1].before.spans] == [10]
    assert [s.span.value for s in takes[1].after.spans] == [100]


async def test_a_remapped_review_key_applies(db):
    """[keys] "review.take" = "y": the review keys are remappable like the annotator's."""
    from dataclasses import replace

    remapped = replace(config(), keys={"review.take": "y"})
    app = make_review_app(db, remapped, REVIEWER_NAME)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await focus_row(pilot, killed(10))
        await pilot.press("a")  # no longer bound
        await pilot.pause()
        assert reviewed(db) is None
        await pilot.press("y")
        await pilot.pause()
        assert gold_of(db) == {key(killed(10))}


async def test_take_a_whole_annotator(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await focus_row(pilot, killed(10))
        await pilot.press("a")
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, AnnotatorChooser)
        await pilot.press("end", "enter")  # carol, the last of amira, bob, carol
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    assert gold_of(db) == {key(s) for s in FIGHT_WORK["carol"]}
    [event] = [e for e in events_of(db) if e.action == "review_take_all"]
    assert event.after.notes["take"] == ["carol"]
    assert [s.span.value for s in event.before.spans] == [10]  # what it replaced


async def test_accept_agreed_spans(db, tmp_path):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("A")
        await pilot.pause()
        assert gold_of(db) == {key(INJURED_20)}
        before = db_snapshot(db)
        await pilot.press("A")  # nothing left to accept: refused, nothing written
        await pilot.pause()
        assert db_snapshot(db) == before
    assert [e.action for e in events_of(db)].count("review_agreed") == 1


async def test_edit_a_count_and_relabel_as_in_the_annotator(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await focus_row(pilot, killed(10))
        await pilot.press("e")  # the annotator's casualty form
        await pilot.pause()
        value = app.screen.query_one("#value")
        value.value = ""
        await pilot.press(*"120", "enter")
        await pilot.pause()
        assert gold_of(db) == {key(killed(120))}
        await focus_row(pilot, ORG_JABLEH)
        await pilot.press("4")  # GPE: carol's ORG relabelled
        await pilot.pause()
    assert gold_of(db) == {key(killed(120)), key(GPE_JABLEH)}
    edits = [e for e in events_of(db) if e.action == "review_edit"]
    assert [s.span.value for s in edits[0].after.spans] == [120]


async def test_add_a_span_with_the_token_cursor(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("v")  # starts at the focused span: Jableh
        await pilot.pause()
        await pilot.press("H")  # extend one token left: "In Jableh"
        await pilot.press("5")  # LOC
        await pilot.pause()
        assert not app.session.selecting
    assert gold_of(db) == {(0, 9, "LOC", None)}
    [event] = [e for e in events_of(db) if e.action == "review_add"]
    assert event.annotator == REVIEWER_NAME


async def test_submit_reviewed_gold_and_move_on(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("A")
        await focus_row(pilot, killed(100))
        await pilot.press("a")
        await focus_row(pilot, GPE_JABLEH)
        await pilot.press("a")
        await pilot.press("s")
        await pilot.pause()
        # the next document to review opened: the flagged one, with its comment's author
        assert app.session.document.id == 3
        assert app.session.annotators == ["dan"]
        assert app.session.queue[-1].reviewed_by == (REVIEWER_NAME,)
    annotation = reviewed(db)
    assert annotation.status == REVIEWED and annotation.annotator == REVIEWER_NAME
    assert gold_of(db) == {key(GPE_JABLEH), key(killed(100)), key(INJURED_20)}
    [event] = [e for e in events_of(db) if e.action == "submit_review"]
    assert event.annotator == REVIEWER_NAME and event.ts  # who reviewed it, and when
    assert event.after.notes["gold_spans"] == 3
    with Store(db) as store:
        [gold] = store.annotations(statuses=(REVIEWED,))  # what export --gold reviewed reads
        assert gold.document.id == 1
        assert store.verify_events()[1] is None


async def test_history_pane_shows_who_changed_what_before_and_after(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(pilot)
        text = screen.query_one(HistoryPane).text
        assert "carol" in text and "submit" in text and "add KILLED 'more than 100'" in text
        await focus_row(pilot, killed(10))
        await pilot.press("a")
        await focus_row(pilot, killed(100))
        await pilot.press("a")
        await pilot.pause()
        lines = screen.query_one(HistoryPane).text.splitlines()
        assert REVIEWER_NAME in lines[-1]
        assert lines[-1].endswith(
            "take amira, carol's version: KILLED 'more than 100' =10 more_than"
            " -> KILLED 'more than 100' =100 more_than"
        )


async def test_help_lists_the_review_keys_and_the_queue_shows_a_draft(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        for line in ("a t       Take version", "T         Take annotator", "s         Submit gold"):
            assert f" {line}\n" in text
        assert "4 GPE" in str(app.screen.query_one("#help-labels").render()).replace("\u2588 ", "")
        await pilot.press("escape")  # close the help
        await pilot.press("a", "escape")  # take a version, back to the queue
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert "draft" in app.screen.query_one("#queue").options[0].prompt.plain


async def test_undo_puts_the_last_decision_back(db):
    app = app_on(db)
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        await pilot.press("A")
        await focus_row(pilot, killed(10))
        await pilot.press("a")
        await pilot.press("u")
        await pilot.pause()
        assert not app.session.focus.in_gold
    assert gold_of(db) == {key(INJURED_20)}


async def test_a_reviewer_who_annotated_the_document_cannot_review_it(db):
    app = app_on(db, reviewer="bob")
    async with app.run_test(size=SIZE) as pilot:
        await open_first(pilot)
        before = db_snapshot(db)
        await pilot.press("A", "a", "s")
        await pilot.pause()
        assert db_snapshot(db) == before


async def test_hostile_article_and_names_are_shown_literally(tmp_path):
    """Markup, ESC, C1 and bidi controls in the article, a label and an annotator's
    name: shown as visible glyphs (DocumentView and display.visible, reused), never
    parsed as markup, and the spans still take and submit."""
    from .test_snapshots import HOSTILE

    db = tmp_path / "h.db"
    tag = _span(HOSTILE, "[/x]", "ORG")
    with Store(db) as store:
        store.add_documents([NewDocument(HOSTILE, {}, "hostile")])
        _submit(store, 1, "amira", [tag, _span(HOSTILE, "Kabul", "GPE")])
        _submit(store, 1, "[b]eve\x1b[31m", [tag.with_(label="[link=x]L\x9b")])
    app = app_on(db)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_first(pilot)
        shown = screen.query_one(DocumentView).shown_text
        listed = "\n".join(screen.query_one(ReviewSpanList).lines)
        header = screen.query_one("#review-header").render().plain
        for text in (shown, listed, header, screen.query_one(HistoryPane).text):
            assert not {"\x1b", "\x9b", "\u202e"} & set(text)
        assert "[/x]" in shown and "[link=https://evil.example]" in shown
        assert "[link=x" in listed and "[b]eve\u241b[31m" in header  # labels cut at 7
        await focus_row(pilot, tag)
        await pilot.press("a", "s")
        await pilot.pause()
        assert app.is_running
    with Store(db) as store:
        [gold] = store.annotations(statuses=(REVIEWED,))
        assert [s.text_in(HOSTILE) for s in gold.gold_spans()] == ["[/x]"]


# ---- who may open it ---------------------------------------------------------------


def test_no_database_is_an_error_and_creates_nothing(tmp_path):
    missing = tmp_path / "none.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), "review"])
    assert result.exit_code == 2 and "no database at" in result.output
    assert not missing.exists()


@pytest.fixture
def with_roles(db: Path) -> Path:
    with Store(db) as store:
        store.add_user("lead", ADMIN, "lead")
        store.add_user("rita", REVIEWER, "lead")
        store.add_user("bob", ANNOTATOR, "lead")
        store.add_user("audrey", AUDITOR, "lead")
    return db


@pytest.mark.parametrize(
    ("name", "role"), [("bob", ANNOTATOR), ("audrey", AUDITOR)], ids=["annotator", "auditor"]
)
def test_review_screen_is_refused_for_an_annotator_and_an_auditor(
    with_roles, monkeypatch, name, role
):
    opened: list[str] = []
    monkeypatch.setattr("workbench.tui.app.run_review", lambda *a: opened.append(a[2]))
    monkeypatch.setattr(cli_module, "os_account", lambda: name)
    before = db_snapshot(with_roles)
    result = CliRunner().invoke(cli, ["--db", str(with_roles), "review"])
    assert result.exit_code == 2
    article = "an" if role[0] in "aeiou" else "a"
    assert result.output.strip() == (
        f"workbench: error: {name} is {article} {role}; adjudicating needs the reviewer role"
    )
    assert not opened and db_snapshot(with_roles) == before


def test_a_reviewer_gets_the_review_screen_under_their_own_name(with_roles, monkeypatch):
    opened: list[str] = []
    monkeypatch.setattr("workbench.tui.app.run_review", lambda *a: opened.append(a[2]))
    monkeypatch.setattr(cli_module, "os_account", lambda: "rita")
    result = CliRunner().invoke(cli, ["--db", str(with_roles), "review"])
    assert result.exit_code == 0, result.output
    assert opened == ["rita"]


# ---- snapshot ----------------------------------------------------------------------


def fixed_clock(monkeypatch) -> None:
    """Events stamped a second apart from a fixed time: the history pane is the same
    in every run."""
    ticks = itertools.count()
    monkeypatch.setattr(
        store_base,
        "_now",
        lambda: f"2026-05-01T09:{(n := next(ticks)) // 60:02d}:{n % 60:02d}.000+00:00",
    )


def test_snapshot_three_annotators_and_a_contested_count(snap_compare, tmp_path, monkeypatch):
    """FIGHT with amira, bob and carol: bob's KILLED count differs, carol's Jableh is ORG;
    bob's version of the count taken (focused) and the agreed INJURED span."""
    fixed_clock(monkeypatch)
    db = team_db(tmp_path / "snap.db")
    assert snap_compare(
        make_review_app(db, config(), REVIEWER_NAME),
        terminal_size=SIZE,
        press=["enter", "j", "j", "j", "a", "j", "a", "k"],
    )


def test_snapshot_queue(snap_compare, tmp_path, monkeypatch):
    fixed_clock(monkeypatch)
    db = team_db(tmp_path / "snap.db")
    assert snap_compare(make_review_app(db, config(), REVIEWER_NAME), terminal_size=SIZE)
