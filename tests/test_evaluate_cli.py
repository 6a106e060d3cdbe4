"""`workbench evaluate`: on a gold file, on the database's own gold, and the gold ruler's gain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.model import Span
from workbench.nlp.suggest import BLANK, build_suggester
from workbench.store import Store

from .conftest import SHARED, new_doc

TEXTS = [
    "Shelling in Jableh killed 12 people.",
    "In Jableh, at least 4 people were wounded.",
    "Tartous was calm, but Jableh saw 3 dead.",
    "Officials in Tartous said 9 people were injured.",
]


def annotate_places(db_path: Path) -> None:
    """Submitted gold: every Jableh and Tartous a GPE, the counts as the rules find them."""
    rules = build_suggester((BLANK,))
    with Store(db_path) as store:
        store.add_documents([new_doc(t) for t in TEXTS])
        for doc_id, text, casualties in zip(
            store.document_ids(), TEXTS, rules.suggest(TEXTS), strict=True
        ):
            ann = store.open_annotation(doc_id, "amira")
            for place in ("Jableh", "Tartous"):
                if place in text:
                    start = text.index(place)
                    store.add_span(ann.id, Span(start, start + len(place), "GPE"), "amira")
            for span in casualties:
                store.add_span(ann.id, span, "amira")
            store.submit(ann.id, "amira")


def evaluate(db_path: Path, *args: str):
    result = CliRunner().invoke(cli, ["--db", str(db_path), "evaluate", "--model", BLANK, *args])
    assert result.exit_code == 0, result.output
    return result


def test_db_gold_shows_the_gold_ruler_gain_on_held_out_folds(db_path):
    annotate_places(db_path)
    figures = json.loads(evaluate(db_path, "--db", "--json").stdout)
    assert figures["base"]["rows"]["ENTITY"]["exact"]["f1"] == 0.0  # blank: no NER
    assert figures["base"]["rows"]["CASUALTY"]["count"]["f1"] == 1.0
    ruler_f1 = [
        f["rows"]["ENTITY"]["exact"]["f1"]
        for name, f in figures.items()
        if name.startswith("gold ruler")
    ]
    assert len(ruler_f1) == 2 and min(ruler_f1) > 0.5


def test_gold_file_is_scored_with_and_without_the_ruler(db_path, tmp_path):
    annotate_places(db_path)
    gold = tmp_path / "gold.jsonl"
    text = "A strike on Jableh killed 7 people."
    gold.write_text(
        json.dumps(
            {
                "text": text,
                "spans": [
                    {"start": 12, "end": 18, "label": "GPE"},
                    {"start": 26, "end": 27, "label": "KILLED", "value": 7, "qualifier": "exact"},
                ],
            }
        )
        + "\n"
    )
    figures = json.loads(evaluate(db_path, str(gold), "--json").stdout)
    assert figures["base"]["rows"]["GPE"]["exact"]["f1"] == 0.0
    assert figures["gold ruler"]["rows"]["GPE"]["exact"]["f1"] == 1.0
    assert figures["gold ruler"]["rows"]["KILLED"]["count"]["f1"] == 1.0
    table = evaluate(db_path, str(gold)).stdout
    assert "gold ruler: 1 documents" in table and "CASUALTY" in table


def test_evaluate_needs_exactly_one_gold_source(db_path):
    result = CliRunner().invoke(cli, ["--db", str(db_path), "evaluate"])
    assert result.exit_code == 2 and "give a GOLD file or --db" in result.output


def test_evaluate_on_an_empty_database_says_so(db_path):
    Store(db_path).close()
    result = CliRunner().invoke(cli, ["--db", str(db_path), "evaluate", "--db"])
    assert result.exit_code == 2 and "no submitted annotations" in result.output


DEV = SHARED / "casualty-dev" / "casualties_dev.jsonl"
DEV2 = SHARED / "casualty-dev2" / "casualties_dev2.jsonl"
# Issue 13's targets: dev2 (disasters, crime, epidemics, war tolls) count-level F1 >= 0.95
# and exact >= 0.93; the conflict dev set within 0.005 of its 0.993 / 0.988 before it.
TARGETS = {DEV: (0.988, 0.983), DEV2: (0.95, 0.93)}


@pytest.mark.slow
@pytest.mark.parametrize("dev", [DEV, DEV2], ids=["casualty-dev", "casualty-dev2"])
def test_dev_sets_meet_the_casualty_targets(tmp_path, dev):
    if not dev.exists():
        pytest.skip(f"../shared/{dev.parent.name} is not beside the checkout")
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "x.db"), "evaluate", str(dev), "--json"]
    )
    assert result.exit_code == 0, result.output
    row = json.loads(result.stdout)["base"]["rows"]["CASUALTY"]
    count, exact = TARGETS[dev]
    assert row["count"]["f1"] >= count
    assert row["exact"]["f1"] >= exact
    assert not (tmp_path / "x.db").exists()  # scoring a file creates no database


def _gold_file(path: Path, text: str, start: int, end: int, value: int) -> Path:
    span = {"start": start, "end": end, "label": "KILLED", "value": value, "qualifier": "exact"}
    path.write_text(json.dumps({"text": text, "spans": [span]}) + "\n")
    return path


def test_several_gold_files_are_scored_each_and_in_total(tmp_path):
    found = _gold_file(tmp_path / "a.jsonl", "The blast killed 7 people.", 17, 18, 7)
    # The rules find 12 here, not the 13 of this (deliberately wrong) gold.
    wrong = _gold_file(tmp_path / "b.jsonl", "Floods killed 12 villagers.", 14, 16, 13)
    args = ["--db", str(tmp_path / "none.db"), "evaluate", "--model", BLANK]
    result = CliRunner().invoke(cli, [*args, str(found), str(wrong), "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    count = {name: f["base"]["rows"]["CASUALTY"]["count"] for name, f in figures["files"].items()}
    assert count[str(found)]["f1"] == 1.0 and count[str(wrong)]["f1"] == 0.0
    total = figures["total"]["base"]["rows"]["CASUALTY"]["count"]
    assert (total["tp"], total["fp"], total["fn"]) == (1, 1, 1)
    table = CliRunner().invoke(cli, [*args, str(found), str(wrong)]).stdout
    assert "a.jsonl," in table and "b.jsonl," in table  # long titles wrap: look for the names
    assert "total, base: 2 documents" in table


def test_a_gold_file_given_twice_is_refused(tmp_path):
    gold = _gold_file(tmp_path / "a.jsonl", "The blast killed 7 people.", 17, 18, 7)
    result = CliRunner().invoke(cli, ["evaluate", str(gold), str(gold)])
    assert result.exit_code == 2 and "given twice" in result.output


def test_suggest_uses_what_annotators_confirmed_in_later_documents(db_path):
    annotate_places(db_path)
    with Store(db_path) as store:
        store.add_documents([new_doc("Rockets hit Tartous and Jableh again.")])
        later = store.document_ids()[-1]
    result = CliRunner().invoke(cli, ["--db", str(db_path), "suggest", "--model", BLANK])
    assert result.exit_code == 0, result.output
    with Store(db_path) as store:
        spans = store.suggestions(later)
    assert [(s.label, s.source) for s in spans] == [("GPE", "gold-ruler"), ("GPE", "gold-ruler")]
