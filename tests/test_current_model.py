"""One model's suggestions at a time: `suggest --model` makes a pipeline the database's
model, which the annotator's background suggester and later runs use too."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.config import DEFAULT_CONFIG_PATH, load_config
from workbench.jobs.suggesting import store_suggester
from workbench.model import SOURCE_MODEL, Span
from workbench.store import Store
from workbench.tui.app import make_app
from workbench.tui.widgets.bars import DetailBar

from .conftest import new_doc

TEXT = "Gunmen killed 12 people in Kabul on Friday."


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _run(db, *args):
    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def test_suggest_model_becomes_the_databases_model(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.add_documents([new_doc(TEXT)])
    result = _run(db, "suggest", "--model", "blank:en")
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        assert store.current_model() == "blank:en"
        # the annotator's prefetch and a plain `suggest` build the same suggester
        assert store_suggester(store, load_config(DEFAULT_CONFIG_PATH)).version.startswith(
            "blank:en"
        )
        assert store.status().suggested == 1
        assert [e.action for e in store.events()][-1] == "current-model"
    again = _run(db, "suggest")
    assert "Model: blank:en (made current by suggest --model)" in again.output
    assert "Suggested spans for 0 document(s)." in again.output  # already this model's
    back = _run(db, "suggest", "--configured-model")
    assert back.exit_code == 0
    with Store(db) as store:
        assert store.current_model() is None


def test_a_model_that_does_not_load_is_not_recorded(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.add_documents([new_doc(TEXT)])
    result = CliRunner().invoke(cli, ["--db", str(db), "suggest", "--model", "no_such_model_x"])
    assert result.exit_code != 0
    with Store(db) as store:
        assert store.current_model() is None


def test_model_and_configured_model_together_are_refused(tmp_path):
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "a.db"), "suggest", "--model", "x", "--configured-model"]
    )
    assert result.exit_code == 2
    assert "choose two different models" in result.output


@pytest.mark.anyio
async def test_the_annotator_says_which_model_suggested_a_span(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.add_documents([new_doc(TEXT)])
        kabul = TEXT.index("Kabul")
        store.save_suggestions(
            [(1, [Span(kabul, kabul + 5, "GPE", {}, SOURCE_MODEL)])],
            "en_news_v1-1.2.0+casualties-7+entities-5",
        )
    app = make_app(db, load_config(DEFAULT_CONFIG_PATH), "amira", prefetch=False)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        detail = str(app.screen.query_one(DetailBar).render())
        assert "from model en_news_v1-1.2.0" in detail
        assert "casualties-7" not in detail
