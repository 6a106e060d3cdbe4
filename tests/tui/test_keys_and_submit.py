"""Keys come from one set of bindings and the [keys] table; submit asks about pending."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from workbench.config import ConfigError, load_config
from workbench.model import ACCEPTED, IN_PROGRESS, PENDING, SUBMITTED
from workbench.tui.app import make_app
from workbench.tui.bindings import SCREEN_BINDINGS, label_bindings
from workbench.tui.screens.annotate import AnnotateScreen
from workbench.tui.screens.forms import PendingForm

from .helpers import ANNOTATOR, config

pytestmark = pytest.mark.anyio

SIZE = (80, 24)
ROOT = Path(__file__).resolve().parents[2]


def app_with(db: Path, **changes):
    return make_app(db, replace(config(), **changes), ANNOTATOR, prefetch=False)


def footer_keys(app) -> dict[str, str]:
    """Action -> the key the footer shows for it (the first active binding, as Footer)."""
    shown: dict[str, str] = {}
    for _, binding, enabled, _ in app.screen.active_bindings.values():
        if binding.show and enabled:
            shown.setdefault(binding.action, app.get_key_display(binding))
    return shown


def row(keys: str, description: str) -> str:
    """One line of the help screen's key list."""
    return f" {keys:<10}{description}\n"


async def test_a_remapped_key_works_and_shows_as_remapped(db, read):
    app = app_with(db, keys={"span.accept": "y", "doc.undo": "U"})
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert footer_keys(app)["accept"] == "y" and footer_keys(app)["undo"] == "U"
        await pilot.press("a")  # no longer accept
        await pilot.press("y")  # accept DUSHANBE
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        assert row("y", "Accept") in text and row("U", "Undo") in text
        assert row("a", "Accept") not in text
    statuses = [s.status for s in read().open_annotation(1, ANNOTATOR).spans]
    assert statuses[:2] == [ACCEPTED, PENDING]


async def test_the_help_screen_lists_every_binding_with_its_default_key(db):
    app = app_with(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = str(app.screen.query_one("#help-text").render())
        text += str(app.screen.query_one("#help-labels").render())
    for binding in SCREEN_BINDINGS:
        assert binding.description in text
    assert row("[", "Start one token earlier") in text and row("u ctrl+z", "Undo") in text


def test_an_unknown_binding_id_in_the_keys_table_is_refused(db, tmp_path):
    user = tmp_path / "workbench.toml"
    user.write_text('[keys]\n"span.acept" = "y"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="span.acept"):
        make_app(db, load_config(user), ANNOTATOR, prefetch=False)


def test_every_binding_id_is_documented():
    documented = (ROOT / "docs" / "annotator.md").read_text(encoding="utf-8")
    ids = [b.id for b in SCREEN_BINDINGS] + ["label.GPE"]
    assert [i for i in ids if f"`{i}`" not in documented] == []
    assert {b.id for b in label_bindings(config())} >= {"label.GPE", "label.KILLED"}


async def test_submit_with_pending_asks_then_goes_back(db, read):
    app = app_with(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "s")
        await pilot.pause()
        assert isinstance(app.screen, PendingForm)
        await pilot.press("escape")  # back to the document: nothing submitted
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert app.session.annotation.document.id == 1
    assert read().open_annotation(1, ANNOTATOR).status == IN_PROGRESS


async def test_submit_with_pending_can_accept_them(db, read):
    app = app_with(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x", "s", "a")  # reject one, then accept the rest on submit
        await pilot.pause()
        assert app.session.annotation.document.id == 2
    first = read().open_annotation(1, ANNOTATOR)
    assert first.status == SUBMITTED
    assert len(first.gold_spans()) == len(first.spans) - 1
    assert PENDING not in {s.status for s in first.spans}


async def test_submit_with_pending_can_leave_them_out(db, read):
    app = app_with(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "s", "d")
        await pilot.pause()
        assert app.session.annotation.document.id == 2
    first = read().open_annotation(1, ANNOTATOR)
    assert first.status == SUBMITTED and len(first.gold_spans()) == 1


@pytest.mark.parametrize("policy, gold", [("accept", 31), ("drop", 0)])
async def test_the_configuration_answers_for_the_annotator(db, read, policy, gold):
    app = app_with(db, pending_on_submit=policy)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")  # no question
        await pilot.pause()
        assert app.session.annotation.document.id == 2
    first = read().open_annotation(1, ANNOTATOR)
    assert first.status == SUBMITTED and len(first.gold_spans()) == gold


def test_a_bad_pending_on_submit_is_a_config_error(tmp_path):
    user = tmp_path / "workbench.toml"
    user.write_text('[annotator]\npending_on_submit = "maybe"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="pending_on_submit"):
        load_config(user)
    user.write_text('[annotator]\npending_on_submit = "drop"\n', encoding="utf-8")
    assert load_config(user).pending_on_submit == "drop"
    assert config().pending_on_submit == "ask"


def test_workbench_annotate_with_a_bad_keys_table_exits_with_one_line(db, tmp_path):
    import subprocess
    import sys

    user = tmp_path / "workbench.toml"
    user.write_text('[keys]\n"span.acept" = "y"\n', encoding="utf-8")
    command = ["-m", "workbench", "--db", str(db), "--config", str(user), "annotate"]
    done = subprocess.run([sys.executable, *command], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    assert "span.acept" in done.stderr and len(done.stderr.strip().splitlines()) == 1
