"""`workbench train` on the seed plus a few documents, then `suggest --model` with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.model import Span
from workbench.store import NewDocument, Store

from .conftest import SEED
from .test_export_formats import SPANS_A, SPANS_B, TEXT_A, TEXT_B, annotate

SEED_COUNTS = [
    ("more than 100", "KILLED", 100, "more_than"),
    ("around 200", "INJURED", 200, "approx"),
    ("nearly 150", "KILLED", 150, "nearly"),
    ("at least 200", "INJURED", 200, "at_least"),
]


def seed_spans(text: str) -> list[Span]:
    spans = []
    for phrase, label, value, qualifier in SEED_COUNTS:
        for m in re.finditer(re.escape(phrase), text):
            spans.append(Span(m.start(), m.end(), label, {"value": value, "qualifier": qualifier}))
    for place in ("Jableh", "Tartous"):
        spans += [Span(m.start(), m.end(), "GPE") for m in re.finditer(place, text)]
    return spans


@pytest.fixture
def gold_db(db_path: Path) -> Path:
    text = SEED.read_text(encoding="utf-8")
    with Store(db_path) as store:
        annotate(store, text, seed_spans(text))
        annotate(store, TEXT_A, SPANS_A)
        annotate(store, TEXT_B, SPANS_B)
        for i, n in enumerate(("two", "three", "four")):
            t = f"In report {i}, {n} soldiers were killed near Homs."
            start = t.index(n)
            annotate(
                store,
                t,
                [
                    Span(start, start + len(n), "KILLED", {"value": i + 2, "qualifier": "exact"}),
                    Span(t.index("Homs"), t.index("Homs") + 4, "GPE"),
                ],
            )
    return db_path


def test_train_saves_a_pipeline_that_suggest_uses(gold_db, tmp_path):
    out = tmp_path / "model"
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "--db",
            str(gold_db),
            "train",
            "--out",
            str(out),
            "--max-steps",
            "6",
            "--set",
            "training.eval_frequency=3",
            "--casualties",
            "model",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "casualty_f1:" in result.output and "entity_f1:" in result.output
    assert (out / "config.cfg").exists()

    import spacy

    nlp = spacy.load(out)
    assert nlp.pipe_names == ["tok2vec", "ner", "workbench_casualties", "spancat"]
    assert set(nlp.get_pipe("spancat").labels) == {"KILLED", "INJURED"}

    with Store(gold_db) as store:
        store.add_documents([NewDocument("Around 200 were hurt in Aleppo.", {}, "test")])
    result = runner.invoke(cli, ["--db", str(gold_db), "suggest", "--model", str(out)])
    assert result.exit_code == 0, result.output
    with Store(gold_db) as store:
        assert store.status().suggested == store.status().documents
        versions = {
            r["suggested_with"]
            for r in store.db.query("SELECT DISTINCT suggested_with FROM documents")
        }
    assert len(versions) == 1 and versions.pop().startswith("en_workbench_")


def test_auto_keeps_the_rules_when_an_undertrained_spancat_is_worse(gold_db, tmp_path):
    out = tmp_path / "model"
    result = CliRunner().invoke(
        cli,
        ["--db", str(gold_db), "train", "--out", str(out), "--max-steps", "2", "--split", "0.5"],
    )
    assert result.exit_code == 0, result.output
    assert "Casualty spans come from the rules" in result.output

    import spacy

    assert spacy.load(out).pipe_names == ["tok2vec", "ner", "workbench_casualties"]


def test_train_without_gold_says_so(db_path, tmp_path):
    Store(db_path).close()
    result = CliRunner().invoke(
        cli, ["--db", str(db_path), "train", "--out", str(tmp_path / "m"), "--max-steps", "2"]
    )
    assert result.exit_code == 2
    assert "no gold to train on" in result.output
