"""No single document stops a batch: suggest and predict report it and go on."""

from __future__ import annotations

from pathlib import Path

import orjson
import spacy
from click.testing import CliRunner
from spacy.language import Language
from spacy.tokens import Doc

from workbench.cli import cli
from workbench.jobs.predict import PredictInput, predict_records
from workbench.jobs.suggesting import fill_suggestions
from workbench.model import Span
from workbench.nlp.suggest import BLANK, build_suggester
from workbench.store import Store

from .conftest import new_doc

HUGE = "99999999999999999999999 people were killed in the flood."
OTHERS = [f"Storm {k}: {k % 9 + 2} people were killed and {k % 7 + 1} injured." for k in range(100)]
POISON = "This text makes the test component fail."


@Language.component("workbench_test_fails_on_poison")
def _fails_on_poison(doc: Doc) -> Doc:
    if "makes the test component fail" in doc.text:
        raise ValueError("the test component refuses this text")
    return doc


def _failing_pipeline(tmp_path: Path) -> str:
    nlp = spacy.blank("en")
    nlp.add_pipe("workbench_test_fails_on_poison")
    path = tmp_path / "failing_pipeline"
    nlp.to_disk(path)
    return str(path)


def _suggested(db_path: Path) -> tuple[int, dict[str, list[tuple[str, int | None]]]]:
    """How many documents are marked suggested, and the suggestions of each text."""
    with Store(db_path) as store:
        spans = {}
        for doc_id in store.document_ids():
            text = store.document(doc_id).text
            spans[text] = [(s.label, s.value) for s in store.suggestions(doc_id)]
        return store.status().suggested, spans


def test_a_number_beyond_any_count_is_no_span_and_stops_nothing(db_path):
    with Store(db_path) as store:
        store.add_documents([new_doc(t) for t in [*OTHERS[:50], HUGE, *OTHERS[50:]]])
    result = CliRunner().invoke(cli, ["--db", str(db_path), "suggest", "--model", BLANK])
    assert result.exit_code == 0, result.output
    assert "Suggested spans for 101 document(s)." in result.output
    suggested, got = _suggested(db_path)
    assert suggested == 101 and got[HUGE] == []
    assert all(len(got[t]) == 2 for t in OTHERS)


def test_a_document_that_breaks_the_pipeline_is_reported_and_the_rest_go_on(db_path, tmp_path):
    model = _failing_pipeline(tmp_path)
    with Store(db_path) as store:
        store.add_documents([new_doc(t) for t in [*OTHERS[:30], POISON, *OTHERS[30:]]])
        poison_id = store.document_ids()[30]
    result = CliRunner().invoke(cli, ["--db", str(db_path), "suggest", "--model", model])
    assert result.exit_code == 1
    assert f"document {poison_id}: skipped: ValueError: the test component refuses" in (
        result.output
    )
    assert "Suggested spans for 100 document(s)." in result.output
    suggested, got = _suggested(db_path)
    assert suggested == 100 and got[POISON] == []
    assert all(len(got[t]) == 2 for t in OTHERS)


def test_spans_that_cannot_be_stored_fail_only_their_document(store):
    suggester = build_suggester((BLANK,))

    class Overflowing:
        version = "test-overflow"

        def suggest(self, texts, **kwargs):
            for spans, text in zip(suggester.suggest(texts, **kwargs), texts, strict=True):
                if text == HUGE:  # as before MAX_COUNT: a value orjson cannot encode
                    spans = [Span(0, 23, "KILLED", {"value": 10**23}, "rule")]
                yield spans

    store.add_documents([new_doc(t) for t in [HUGE, *OTHERS[:20]]])
    failures = []
    done = fill_suggestions(store, Overflowing(), on_failure=failures.append)
    assert done == 20
    assert [f.where for f in failures] == [f"document {store.document_ids()[0]}"]
    assert failures[0].error.startswith("ValueError: a span value cannot be stored")


def test_predict_reports_the_failing_line_and_writes_the_others(tmp_path):
    model = _failing_pipeline(tmp_path)
    lines = [orjson.dumps({"text": t, "n": k}) for k, t in enumerate(OTHERS[:10])]
    lines.insert(4, orjson.dumps({"text": POISON}))
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\n".join(lines) + b"\n")
    result = CliRunner().invoke(cli, ["predict", "--model", model, str(source)])
    assert result.exit_code == 1
    assert f"{source}:5: skipped: ValueError" in result.stderr
    written = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["n"] for r in written] == list(range(10))


def test_predict_records_alone_skips_only_the_failure():
    suggester = build_suggester((BLANK,))
    inputs = [PredictInput(f"x:{k}", {"text": t}) for k, t in enumerate([HUGE, *OTHERS[:3]])]
    failures = []
    out = list(
        predict_records(inputs, suggester, on_failure=failures.append, batch_size=2, n_process=1)
    )
    assert len(out) == 4 and failures == []
    assert orjson.loads(out[0])["spans"] == []
