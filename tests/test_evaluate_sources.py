"""Scoring who reported each figure: attribution accuracy and claim-level P/R/F1."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.model import SOURCE_LABEL, Span, with_link
from workbench.nlp.evaluate import evaluate_documents, render_sources
from workbench.nlp.evaluate_sources import normalise_source, score_sources
from workbench.nlp.suggest import BLANK

TEXT = "Police said 5 died. The Red Cross put the toll at 9. 3 were hurt."
POLICE = Span(0, 6, SOURCE_LABEL)
RED_CROSS = Span(20, 33, "ORG")  # "The Red Cross"
CROSS = Span(28, 33, SOURCE_LABEL)  # "Cross": overlaps, other offsets


def figure(start: int, end: int, label: str, value: int, source: Span | None) -> Span:
    span = Span(start, end, label, {"value": value, "qualifier": "exact"})
    return with_link(span, source)


FIVE = (12, 13, "KILLED", 5)
NINE = (50, 51, "KILLED", 9)
THREE = (53, 54, "INJURED", 3)
GOLD = [(TEXT, [figure(*FIVE, POLICE), figure(*NINE, RED_CROSS), figure(*THREE, None)])]


def test_agreement_is_both_none_or_overlap_and_exact_needs_the_offsets() -> None:
    predicted = [[figure(*FIVE, POLICE), figure(*NINE, CROSS), figure(*THREE, None)]]
    scores = score_sources(GOLD, predicted)
    assert (scores.matched, scores.agree, scores.exact) == (3, 3, 2)
    assert scores.gold_with_source == 2
    assert scores.accuracy == 1.0 and round(scores.exact_accuracy, 3) == 0.667


def test_a_source_where_gold_has_none_or_the_wrong_one_disagrees() -> None:
    predicted = [[figure(*FIVE, RED_CROSS), figure(*NINE, None), figure(*THREE, POLICE)]]
    scores = score_sources(GOLD, predicted)
    assert (scores.matched, scores.agree, scores.exact) == (3, 0, 0)
    assert [d["figure"] for d in scores.disagreements] == ["5", "9", "3"]


def test_only_exactly_found_casualty_spans_are_scored_for_attribution() -> None:
    predicted = [[figure(12, 14, "KILLED", 5, POLICE), figure(*NINE, RED_CROSS)]]
    scores = score_sources(GOLD, predicted)
    assert (scores.matched, scores.agree) == (1, 1)  # "5 " is not "5"; "3" is not found
    # Claims: (KILLED, 5, police) found on the wider span too; (INJURED, 3, "") missed.
    assert (scores.claims.tp, scores.claims.fp, scores.claims.fn) == (2, 0, 1)


def test_claims_compare_normalised_source_text() -> None:
    assert normalise_source("The Ministry’s") == "ministry"
    assert normalise_source("  the  Red\nCross ") == "red cross"
    # "The Red Cross" in gold, "Red Cross" suggested: the same claim.
    predicted = [[figure(*FIVE, POLICE), figure(*NINE, Span(24, 33, SOURCE_LABEL))]]
    scores = score_sources(GOLD, predicted)
    assert (scores.claims.tp, scores.claims.fn) == (2, 1)


def test_the_report_has_sources_only_where_the_gold_does() -> None:
    report = evaluate_documents(GOLD, [[figure(*FIVE, POLICE)]])
    assert report.sources is not None and report.to_dict()["sources"]["matched"] == 1
    assert "attribution 1.000" in render_sources(report)
    plain = [(TEXT, [Span(12, 13, "KILLED", {"value": 5, "qualifier": "exact"})])]
    report = evaluate_documents(plain, [[]])
    assert report.sources is None and "sources" not in report.to_dict()
    assert render_sources(report) is None


def test_source_spans_are_not_a_span_row() -> None:
    gold = [(TEXT, [*GOLD[0][1], POLICE])]
    report = evaluate_documents(gold, [[figure(*FIVE, POLICE), POLICE]])
    assert SOURCE_LABEL not in report.rows and "ENTITY" not in report.rows


def test_evaluate_cli_reports_sources_of_a_gold_file(tmp_path: Path) -> None:
    line = {
        "text": "Police said 5 people died.",
        "spans": [
            {
                "start": 12,
                "end": 13,
                "label": "KILLED",
                "value": 5,
                "qualifier": "exact",
                "source": {"start": 0, "end": 6, "text": "Police"},
            }
        ],
    }
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(line) + "\n")
    args = ["--db", str(tmp_path / "x.db"), "evaluate", str(gold), "--model", BLANK]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    sources = json.loads(result.stdout)["base"]["sources"]
    # The blank pipeline finds the figure but has no parse, so no source: a disagreement.
    assert sources["matched"] == 1 and sources["attribution"] == 0.0
    assert sources["claims"]["tp"] == 0 and sources["claims"]["fn"] == 1
    table = CliRunner().invoke(cli, [*args, "--errors"]).stdout
    assert "sources: attribution 0.000" in table
    assert "'5': gold 'Police', suggested none" in table
