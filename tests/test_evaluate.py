"""Pure scoring: exact, overlap and count-level P/R/F1, value accuracy, rendering."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from workbench.model import Span
from workbench.nlp.evaluate import (
    CASUALTY_ROW,
    ENTITY_ROW,
    PRF,
    evaluate_documents,
    render_table,
)

TEXT = "Gunmen killed 12 people and wounded 30 in Kano on Friday."


def cas(start: int, end: int, label: str, value: int | None, qualifier: str = "exact") -> Span:
    return Span(start, end, label, {"value": value, "qualifier": qualifier})


GOLD = [
    cas(14, 16, "KILLED", 12),
    cas(36, 38, "INJURED", 30),
    Span(42, 46, "GPE"),
]


def test_perfect_prediction() -> None:
    report = evaluate_documents([(TEXT, GOLD)], [list(GOLD)])
    for row in report.rows.values():
        assert row.exact.f1 == 1.0 and row.overlap.f1 == 1.0
    assert report.rows[CASUALTY_ROW].count.f1 == 1.0
    assert report.rows[CASUALTY_ROW].value_accuracy == 1.0
    assert report.rows[ENTITY_ROW].count is None
    assert report.errors == []


def test_boundary_error_counts_for_overlap_not_exact() -> None:
    pred = [cas(7, 16, "KILLED", 12), cas(36, 38, "INJURED", 30)]
    report = evaluate_documents([(TEXT, GOLD)], [pred])
    killed = report.rows["KILLED"]
    assert (killed.exact.tp, killed.exact.fp, killed.exact.fn) == (0, 1, 1)
    assert killed.overlap.tp == 1
    assert killed.count.f1 == 1.0  # same (label, value) pair
    errors = sorted((e.kind, e.span.label, e.text) for e in report.errors)
    assert errors == [
        ("missed", "GPE", "Kano"),
        ("missed", "KILLED", "12"),
        ("spurious", "KILLED", "killed 12"),
    ]


def test_wrong_label_and_value() -> None:
    pred = [cas(14, 16, "INJURED", 12), cas(36, 38, "INJURED", 31)]
    report = evaluate_documents([(TEXT, GOLD)], [pred])
    casualty = report.rows[CASUALTY_ROW]
    assert (casualty.exact.tp, casualty.exact.fp, casualty.exact.fn) == (1, 1, 1)
    assert casualty.value_accuracy == 0.0  # the one exact match has the wrong value
    assert (casualty.count.tp, casualty.count.fp, casualty.count.fn) == (0, 2, 2)
    assert report.rows["GPE"].exact.recall == 0.0


def test_count_level_is_a_set_per_document() -> None:
    text = "12 died. Later 12 more died."
    gold = [cas(0, 2, "KILLED", 12), cas(15, 17, "KILLED", 12)]
    report = evaluate_documents([(text, gold), (text, gold)], [[gold[0]], []])
    count = report.rows["KILLED"].count
    assert (count.tp, count.fp, count.fn) == (1, 0, 1)
    assert report.rows["KILLED"].exact.recall == pytest.approx(0.25)


def test_prf_edge_cases() -> None:
    assert PRF().f1 == 0.0 and PRF().precision == 0.0
    prf = PRF(3, 1, 2)
    assert prf.precision == 0.75 and prf.recall == 0.6
    assert prf.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)


def test_mismatched_lengths_raise() -> None:
    with pytest.raises(ValueError):
        evaluate_documents([(TEXT, GOLD)], [])


def test_to_dict_is_json_and_table_renders() -> None:
    report = evaluate_documents([(TEXT, GOLD)], [[GOLD[0]]])
    data = json.loads(json.dumps(report.to_dict()))
    assert data["rows"]["INJURED"]["exact"]["fn"] == 1
    assert data["errors"][0]["kind"] == "missed" and data["errors"][0]["text"] == "30"
    console = Console(record=True, width=160)
    console.print(render_table(report))
    out = console.export_text()
    assert "CASUALTY" in out and "INJURED" in out and "GPE" in out


def test_files_report_scores_each_file_and_the_pooled_total() -> None:
    from workbench.jobs.evaluating import evaluate_files
    from workbench.nlp.suggest import BLANK, build_suggester

    right = ("Gunmen killed 12 people.", [cas(14, 16, "KILLED", 12)])
    wrong = ("Gunmen killed 12 people.", [cas(14, 16, "KILLED", 13)])
    report = evaluate_files([("a", [right]), ("b", [wrong])], build_suggester((BLANK,)))
    assert report.files["a"].rows[CASUALTY_ROW].count.f1 == 1.0
    assert report.files["b"].rows[CASUALTY_ROW].count.f1 == 0.0
    total = report.total.rows[CASUALTY_ROW].count
    assert (total.tp, total.fp, total.fn) == (1, 1, 1)
    assert set(json.loads(json.dumps(report.to_dict()))) == {"files", "total"}
