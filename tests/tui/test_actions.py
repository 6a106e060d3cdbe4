"""Every annotator action, driven with the Pilot, asserted on the database."""

from __future__ import annotations

import pytest

from workbench.model import ACCEPTED, FLAGGED, IN_PROGRESS, PENDING, REJECTED, SKIPPED, SUBMITTED
from workbench.tui.screens.annotate import AnnotateScreen

from .helpers import ANNOTATOR, SEED, find

pytestmark = pytest.mark.anyio

SIZE = (80, 24)
TEXT = SEED.read_text(encoding="utf-8")


def spans_of(store, doc_id=1):
    annotation = store.open_annotation(doc_id, ANNOTATOR)
    return {(s.span.start, s.span.end): s for s in annotation.spans}


def span_at(store, needle, nth=1, doc_id=1):
    return spans_of(store, doc_id)[find(TEXT, needle, nth)]


async def test_opens_first_document_focused_on_first_span(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert app.session.focus.span.text_in(TEXT) == "DUSHANBE"
    store = read()
    assert store.next_document_id(ANNOTATOR) == 1
    assert {e.action for e in store.events(1)} >= {"open"}


async def test_accept_reject_and_move(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")  # DUSHANBE
        await pilot.press("x")  # May 24, 2016 (focus moved on to the next pending span)
        await pilot.press("k", "k")  # back to DUSHANBE
        await pilot.press("j", "j")  # Asia-Plus
        await pilot.press("a")
        await pilot.pause()
    store = read()
    assert span_at(store, "DUSHANBE").status == ACCEPTED
    assert span_at(store, "May 24, 2016").status == REJECTED
    assert span_at(store, "Asia-Plus").status == ACCEPTED
    assert span_at(store, "more than 100").status == PENDING
    actions = [e.action for e in store.events(1)]
    assert actions.count("accept") == 2 and actions.count("reject") == 1


async def test_relabel_with_palette_key(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j")  # Asia-Plus ORG
        await pilot.press("4")  # GPE
        await pilot.press("j")  # more than 100 KILLED
        await pilot.press("9")  # INJURED: a casualty label keeps its count
        await pilot.press("1")  # PERSON: an entity drops value and qualifier
        await pilot.pause()
    store = read()
    relabelled = span_at(store, "Asia-Plus")
    assert (relabelled.span.label, relabelled.status) == ("GPE", ACCEPTED)
    toll = span_at(store, "more than 100")
    assert toll.span.label == "PERSON" and toll.span.attrs == {}


async def test_casualty_relabel_prefills_from_normaliser(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.session.focus_span(span_at(read(), "Syria", 1).id)
        await pilot.press("8")  # KILLED on "Syria": no count in the text
        await pilot.pause()
    s = span_at(read(), "Syria", 1)
    assert s.span.label == "KILLED" and s.span.attrs == {"value": None, "qualifier": None}


async def test_boundaries_move_by_one_token(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.session.focus_span(span_at(read(), "The Islamic State").id)
        await pilot.press("right_square_bracket")  # drop "The"
        await pilot.pause()
        assert app.session.focus.span.text_in(TEXT) == "Islamic State"
        await pilot.press("full_stop")  # end one token later: + "terrorist"
        await pilot.press("comma")  # and back
        await pilot.press("left_square_bracket", "right_square_bracket")
        await pilot.pause()
    s = read().open_annotation(1, ANNOTATOR)
    texts = [a.span.text_in(TEXT) for a in s.spans if a.span.label == "ORG"]
    assert "Islamic State" in texts and "The Islamic State" not in texts
    resizes = [e for e in read().events(1) if e.action == "resize"]
    assert len(resizes) == 5


async def test_casualty_boundary_move_renormalises(app_for, read):
    app = app_for()
    start, end = find(TEXT, "more than 100")
    async with app.run_test(size=SIZE) as pilot:
        app.session.focus_span(spans_of(read())[(start, end)].id)
        await pilot.press("right_square_bracket", "right_square_bracket")  # "100"
        await pilot.pause()
    s = spans_of(read())[(start + len("more than "), end)]
    assert s.span.attrs == {"value": 100, "qualifier": "exact"}


async def test_delete_span(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.session.focus_span(span_at(read(), "Sana").id)
        await pilot.press("d")
        await pilot.pause()
    assert find(TEXT, "Sana") not in spans_of(read())
    assert any(e.action == "delete" for e in read().events(1))


async def test_add_span_with_token_cursor(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        # From "Syrian state media" (focused) select "state media" and make it an ORG.
        app.session.focus_span(span_at(read(), "Syrian").id)
        await pilot.press("v")
        assert app.screen.mode == "select"
        await pilot.press("l", "L")  # cursor to "state", extend over "media"
        await pilot.press("3")
        await pilot.pause()
        assert app.screen.mode == "normal"
    added = span_at(read(), "state media")
    assert (added.span.label, added.status, added.origin) == ("ORG", ACCEPTED, "annotator")


async def test_new_casualty_span_is_prefilled(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.session.focus_span(span_at(read(), "Tartous", 1).id)
        await pilot.press("j")  # "More than 33"
        await pilot.press("d")  # the model's span goes; the annotator re-adds it
        await pilot.press("k", "v", "l", "l", "L", "L", "8")  # Tartous . [More than 33]
        await pilot.pause()
    s = span_at(read(), "More than 33")
    assert s.origin == "annotator"
    assert s.span.attrs == {"value": 33, "qualifier": "more_than"}


async def test_escape_leaves_select_mode_without_writing(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "l", "escape")
        await pilot.pause()
        assert app.screen.mode == "normal"
        await pilot.press("8")  # in normal mode a label key relabels the focused span
        await pilot.pause()
    assert span_at(read(), "DUSHANBE").span.label == "KILLED"
    assert not any(e.action == "add" for e in read().events(1))


async def test_casualty_form_edits_value_and_qualifier(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.session.focus_span(span_at(read(), "dozens").id)
        await pilot.press("e")
        await pilot.pause()
        # vague with a value is refused; the form stays open and says why
        await pilot.press(*"40", "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CasualtyForm"
        assert span_at(read(), "dozens").span.attrs["value"] is None
        # choose "approx" (tab to the list, move to it, enter)
        await pilot.press("tab", "up", "up", "up", "up", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
    s = span_at(read(), "dozens")
    assert s.span.attrs == {"value": 40, "qualifier": "approx"}


async def test_casualty_form_rejects_bad_value_and_cancels(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        app.session.focus_span(span_at(read(), "nearly 150").id)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("backspace", "backspace", "backspace", *"x1", "enter")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "CasualtyForm"
        await pilot.press("escape")
        await pilot.pause()
    assert span_at(read(), "nearly 150").span.attrs == {"value": 150, "qualifier": "nearly"}


async def test_accept_all_then_submit_opens_next(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")  # reject DUSHANBE first: accept all leaves it
        await pilot.press("A", "s")
        await pilot.pause()
        assert app.session.annotation.document.id == 2
    store = read()
    first = store.open_annotation(1, ANNOTATOR)
    assert first.status == SUBMITTED
    gold = first.gold_spans()
    assert len(gold) == len(first.spans) - 1
    assert store.open_annotation(2, ANNOTATOR).status == IN_PROGRESS
    assert store.progress(ANNOTATOR).done == 1


async def test_skip_and_flag(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")  # skip document 1
        await pilot.press("f")
        await pilot.pause()
        await pilot.press("enter")  # an empty comment is refused
        await pilot.pause()
        assert app.screen.__class__.__name__ == "FlagForm"
        await pilot.press(*"two tolls", "enter")
        await pilot.pause()
        assert app.session.annotation.document.id == 3
    store = read()
    assert store.open_annotation(1, ANNOTATOR).status == SKIPPED
    flagged = store.open_annotation(2, ANNOTATOR)
    assert (flagged.status, flagged.comment) == (FLAGGED, "two tolls")


async def test_undo_several_levels_and_across_submit(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "a", "s", "d")  # submit, the pending left out
        await pilot.pause()
        assert app.session.annotation.document.id == 2
        await pilot.press("u")  # undo the submit: back on document 1
        await pilot.pause()
        assert app.session.annotation.document.id == 1
        assert read().open_annotation(1, ANNOTATOR).status == IN_PROGRESS
        await pilot.press("u", "u")  # and both accepts
        await pilot.pause()
    store = read()
    assert span_at(store, "DUSHANBE").status == PENDING
    assert span_at(store, "May 24, 2016").status == PENDING
    assert store.next_document_id(ANNOTATOR) == 1


async def test_previous_document_can_be_changed(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "d")  # submit document 1 untouched
        await pilot.press("p")  # back to it
        await pilot.pause()
        assert app.session.annotation.document.id == 1
        await pilot.press("a")  # accept DUSHANBE in the submitted document
        await pilot.press("n")  # forward again
        await pilot.pause()
        assert app.session.annotation.document.id == 2
    store = read()
    first = store.open_annotation(1, ANNOTATOR)
    assert first.status == SUBMITTED
    assert [s.text_in(TEXT) for s in first.gold_spans()] == ["DUSHANBE"]


async def test_quit_keeps_everything(app_for, read):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "x")
        await pilot.pause()
        assert app.return_code is None
        await pilot.press("q")
        await pilot.pause()
        assert app.return_code == 0  # the app is exiting
    store = read()
    assert span_at(store, "DUSHANBE").status == ACCEPTED
    assert span_at(store, "May 24, 2016").status == REJECTED
    assert store.integrity_check() == "ok"


async def test_help_screen_lists_configured_keys(app_for):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.__class__.__name__ == "HelpScreen"
        text = str(app.screen.query_one("#help-text").render())
        labels = str(app.screen.query_one("#help-labels").render())
        assert "Accept all" in text and "KILLED" in labels
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)


async def test_keys_come_from_the_configuration(db, read, tmp_path):
    from dataclasses import replace

    from workbench.tui.app import make_app

    from .helpers import config

    keyed = replace(config(), keys={"doc.submit": "enter", "label.GPE": "g"})
    app = make_app(db, keyed, ANNOTATOR, prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "j", "g")  # Asia-Plus -> GPE with the configured key
        await pilot.press("s")  # no longer submit
        await pilot.pause()
        assert app.session.annotation.document.id == 1
        await pilot.press("enter", "d")  # submit, leaving the pending out
        await pilot.pause()
        assert app.session.annotation.document.id == 2
    store = read()
    assert span_at(store, "Asia-Plus").span.label == "GPE"
    assert store.open_annotation(1, ANNOTATOR).status == SUBMITTED
