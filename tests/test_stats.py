"""`workbench stats`: figures checked against a small example worked out by hand.

The example. Document 1, "Two men died in Kabul.", is submitted by amira and bob.
Its tokens (workbench.tokens) are: Two | men | died | in | Kabul | .   (6 tokens)

    amira: KILLED "Two" (0-3, value 2)       GPE "Kabul" (16-21)
    bob:   KILLED "Two men" (0-7, value 2)   GPE "Kabul" (16-21)

Exact spans: KILLED agrees on nothing (tp 0, one span each way: fp 1, fn 1): F1 0.
GPE agrees (tp 1): F1 1. Overall: tp 1, fp 1, fn 1, so P = R = 1/2 and F1 = 0.5.
Casualty (label, value) per document: both have (KILLED, 2): F1 1.

Token labels, amira: K O O O G O; bob: K K O O G O. Six units of two values each;
every ordered pair in a unit counts 1/(m-1) = 1. Coincidences:
    o(K,K) = 2 (Two), o(K,O) = o(O,K) = 1 (men), o(O,O) = 2 * 3 = 6 (died, in, .),
    o(G,G) = 2 (Kabul).
Totals n_K = 3, n_O = 7, n_G = 2, n = 12. Disagreeing pairs: o(K,O) + o(O,K) = 2.
sum over c != k of n_c n_k = n^2 - sum n_c^2 = 144 - (9 + 49 + 4) = 82.
alpha = 1 - (n - 1) * 2 / 82 = 1 - 22/82 = 60/82 = 0.7317.

Document 2 only amira submits (not in agreement); bob skips it. Document 3 amira
flags. So amira: 2 submitted, 0 skipped, 1 flagged; bob: 1 submitted, 1 skipped.
Labels in submitted work: amira KILLED 1, GPE 1 (document 2 has no spans); bob the same.
"""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from workbench.cli import cli
from workbench.model import Span
from workbench.stats import krippendorff_alpha, median_seconds
from workbench.store import Store

from .conftest import new_doc

TEXT = "Two men died in Kabul."


def _example(db) -> None:
    with Store(db) as store:
        store.add_documents(
            [new_doc(TEXT), new_doc("Nothing happened."), new_doc("A report.")], annotator="x"
        )
        spans = {
            "amira": [Span(0, 3, "KILLED", {"value": 2, "qualifier": None}), Span(16, 21, "GPE")],
            "bob": [Span(0, 7, "KILLED", {"value": 2, "qualifier": None}), Span(16, 21, "GPE")],
        }
        for name, found in spans.items():
            annotation = store.open_annotation(1, name)
            for pending in annotation.spans:  # no suggestions stored, but be sure
                store.reject(pending.id, name)
            for span in found:
                store.add_span(annotation.id, span, name)
            store.submit(annotation.id, name)
        store.submit(store.open_annotation(2, "amira").id, "amira")
        store.skip(store.open_annotation(2, "bob").id, "bob")
        store.flag(store.open_annotation(3, "amira").id, "amira", "unclear")


def test_the_figures_match_the_example_worked_by_hand(db_path):
    _example(db_path)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "stats", "--json"])
    assert result.exit_code == 0, result.output
    figures = orjson.loads(result.output)
    amira, bob = figures["annotators"]["amira"], figures["annotators"]["bob"]
    assert (amira["submitted"], amira["skipped"], amira["flagged"]) == (2, 0, 1)
    assert (bob["submitted"], bob["skipped"], bob["flagged"]) == (1, 1, 0)
    assert amira["labels"] == bob["labels"] == {"GPE": 1, "KILLED": 1}
    assert amira["median_seconds"] >= 0 and bob["median_seconds"] >= 0
    g = figures["agreement"]
    assert (g["documents"], g["pairs"], g["tokens"]) == (1, 1, 6)
    assert g["exact_span"]["KILLED"] == {"agreed": 0, "differ": 2, "f1": 0.0}
    assert g["exact_span"]["GPE"] == {"agreed": 1, "differ": 0, "f1": 1.0}
    assert g["exact_span"]["ALL"] == {"agreed": 1, "differ": 2, "f1": 0.5}
    assert g["casualty_value"]["KILLED"]["f1"] == 1.0
    assert g["krippendorff_alpha_tokens"] == round(60 / 82, 4)


def test_the_text_report_shows_the_same_figures(db_path):
    _example(db_path)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "stats"])
    assert result.exit_code == 0, result.output
    assert "Krippendorff's alpha over token labels (6 tokens): 0.732" in result.output
    assert any(line.startswith("ALL") and "0.500" in line for line in result.output.splitlines())


def test_alpha_on_textbook_cases():
    # Perfect agreement with variation: alpha 1. Two coders always disagreeing on two
    # values: o(a,b) = o(b,a) = 2, n_a = n_b = 2, n = 4: 1 - 3 * 4 / (16 - 8) = -0.5.
    assert krippendorff_alpha([["a", "a"], ["b", "b"]]) == 1.0
    assert krippendorff_alpha([["a", "b"], ["b", "a"]]) == -0.5
    # One value everywhere: no variation, alpha undefined. Single-coded units skipped.
    assert krippendorff_alpha([["a", "a"], ["a", "a"]]) is None
    assert krippendorff_alpha([["a"], ["a", "a"], ["b", "b"]]) == 1.0


def test_median_seconds_from_open_to_done():
    # 10 s, 30 s and 20 s: the median is 20.
    pairs = [
        ("2025-05-01T10:00:00.000+00:00", "2025-05-01T10:00:10.000+00:00"),
        ("2025-05-01T10:01:00.000+00:00", "2025-05-01T10:01:30.000+00:00"),
        ("2025-05-01T10:02:00.000+00:00", "2025-05-01T10:02:20.000+00:00"),
    ]
    assert median_seconds(pairs) == 20.0
    assert median_seconds([]) is None


def test_stats_sum_who_reported_each_figure_over_the_pairs(db_path):
    from .test_review import CLAIMS, _submit_claims

    with Store(db_path) as store:
        store.add_documents([new_doc(CLAIMS)])
        [doc] = store.document_ids()
        _submit_claims(store, doc, "amira", {"12": "Reuters", "3": "officials", "5": None})
        _submit_claims(store, doc, "bob", {"12": "Reuters", "3": "officials", "5": "Reuters"})
        _submit_claims(store, doc, "carol", {"12": "officials", "3": "officials"})
    result = CliRunner().invoke(cli, ["--db", str(db_path), "stats", "--json"])
    sources = orjson.loads(result.output)["agreement"]["sources"]
    # amira-bob agree on 2 of 3, amira-carol on 2 of 3 ("5": none both), bob-carol on 1.
    assert (sources["casualty_spans"], sources["agreed"]) == (9, 5)
    assert sources["attribution"] == round(5 / 9, 4)
    text = CliRunner().invoke(cli, ["--db", str(db_path), "stats"]).output
    assert "Sources: agreed on 5 of 9 shared casualty span(s) (0.556)" in text


def test_stats_without_links_say_nothing_of_sources(db_path):
    _example(db_path)
    result = CliRunner().invoke(cli, ["--db", str(db_path), "stats", "--json"])
    assert orjson.loads(result.output)["agreement"]["sources"] is None
    assert "Sources:" not in CliRunner().invoke(cli, ["--db", str(db_path), "stats"]).output
