"""Prodigy datasets read as Prodigy's own data-to-spacy reads them.

The files here are written by the tests, shaped as `prodigy db-out` writes a
dataset: one task a line with `_input_hash`, `_task_hash`, `answer`, and for binary
NER (`ner.teach`) one suggested span per task carrying its own `answer`, `score`,
`rank`, `source` and `input_hash`.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.jobs.export import Selection, export
from workbench.jobs.importing import import_gold
from workbench.store import Store

TEXT = "Gunmen killed four guards near Peshawar on Monday, police in Lahore said."
# Character offsets of the words the answers are about.
PESHAWAR = (31, 39)
MONDAY = (43, 49)
LAHORE = (61, 67)


def _span(bounds: tuple[int, int], label: str, answer: str | None = None) -> dict:
    start, end = bounds
    span = {"start": start, "end": end, "text": TEXT[start:end], "label": label}
    if answer is not None:  # ner.teach: the span carries the task's answer and its score
        span.update(rank=0, score=0.61, source="en_core_web_sm", input_hash=77, answer=answer)
    return span


def _teach(task_hash: int, span: dict, answer: str, text: str = TEXT, input_hash: int = 77):
    return {
        "text": text,
        "spans": [span],
        "meta": {"score": 0.61},
        "_input_hash": input_hash,
        "_task_hash": task_hash,
        "answer": answer,
    }


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _run(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args])


def _teach_file(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "teach.jsonl",
        [
            _teach(1, _span(PESHAWAR, "GPE", "accept"), "accept"),
            _teach(2, _span(MONDAY, "GPE", "reject"), "reject"),  # the annotator said no
            _teach(3, _span(LAHORE, "GPE", "accept"), "accept"),  # same text: merged
            _teach(4, _span(LAHORE, "ORG", "ignore"), "ignore"),
        ],
    )


def test_binary_answers_on_one_input_are_one_document_with_accepted_spans(tmp_path, db_path):
    path = _teach_file(tmp_path)
    with Store(db_path) as store:
        result = import_gold(store, [path], "migrated")
        assert (result.annotations_added, result.documents_added) == (1, 1)
        [ann] = list(store.annotations(annotator="migrated"))
        gold = [(s.start, s.end, s.label, s.attrs) for s in ann.gold_spans()]
        # Accepted spans kept, without Prodigy's score/rank/answer as attributes;
        # the rejected MONDAY and the ignored ORG are not gold.
        assert gold == [(*PESHAWAR, "GPE", {}), (*LAHORE, "GPE", {})]
        info = ann.document.meta["prodigy"]
        assert info["partial"] is True  # binary answers only: not every entity was labelled
        assert info["rejected"] == [{"start": MONDAY[0], "end": MONDAY[1], "label": "GPE"}]
        assert info["answers"] == {"accept": 2, "reject": 1, "ignore": 1}
        assert "answer" not in ann.document.meta and "_task_hash" not in ann.document.meta


def test_a_span_rejected_inside_an_accepted_task_is_not_gold(tmp_path, db_path):
    task = {
        "text": TEXT,
        "spans": [_span(PESHAWAR, "GPE", "accept"), _span(LAHORE, "PRODUCT", "reject")],
        "_input_hash": 77,
        "_task_hash": 9,
        "answer": "accept",
    }
    path = _write(tmp_path / "review.jsonl", [task])
    with Store(db_path) as store:
        import_gold(store, [path], "migrated")
        [ann] = list(store.annotations(annotator="migrated"))
        assert [s.label for s in ann.gold_spans()] == ["GPE"]
        assert ann.document.meta["prodigy"]["rejected"][0]["label"] == "PRODUCT"


def test_plain_import_never_suggests_a_rejected_span(tmp_path, db_path):
    path = _teach_file(tmp_path)
    assert _run(db_path, "import", "--add-labels", str(path)).exit_code == 0
    with Store(db_path) as store:
        [doc_id] = store.document_ids()
        suggested = {(s.start, s.end, s.label) for s in store.suggestions(doc_id)}
    assert (*MONDAY, "GPE") not in suggested and (*LAHORE, "ORG") not in suggested
    assert {(*PESHAWAR, "GPE"), (*LAHORE, "GPE")} <= suggested


def test_rejected_only_input_is_not_gold(tmp_path, db_path):
    other = "Floods cut the road to Quetta."
    path = _write(
        tmp_path / "teach.jsonl",
        [
            _teach(1, _span(PESHAWAR, "GPE", "accept"), "accept"),
            _teach(
                5, {"start": 23, "end": 29, "label": "ORG", "answer": "reject"}, "reject", other, 5
            ),
            _teach(
                6, {"start": 23, "end": 29, "label": "GPE", "answer": "ignore"}, "ignore", other, 5
            ),
        ],
    )
    with Store(db_path) as store:
        result = import_gold(store, [path], "migrated")
        assert (result.annotations_added, result.not_gold) == (1, 1)


def test_manual_answers_are_complete_and_a_rejected_manual_task_is_skipped(tmp_path, db_path):
    manual = {
        "text": TEXT,
        "tokens": [{"text": "Gunmen", "start": 0, "end": 6, "id": 0, "ws": True}],
        "spans": [{"start": PESHAWAR[0], "end": PESHAWAR[1], "label": "GPE", "token_start": 5}],
        "_input_hash": 77,
        "_task_hash": 1,
        "_view_id": "ner_manual",
        "answer": "accept",
    }
    refused = {**manual, "text": "A bad example.", "_input_hash": 8, "answer": "reject"}
    refused["spans"] = [{"start": 2, "end": 5, "label": "ORG"}]
    path = _write(tmp_path / "manual.jsonl", [manual, refused])
    with Store(db_path) as store:
        result = import_gold(store, [path], "migrated")
        assert (result.annotations_added, result.not_gold) == (1, 1)
        [ann] = list(store.annotations(annotator="migrated"))
        assert ann.document.meta["prodigy"]["partial"] is False
        assert ann.document.meta["prodigy"]["rejected"] == []


def test_text_classification_answers_are_refused_as_gold(tmp_path, db_path):
    path = _write(
        tmp_path / "textcat.jsonl",
        [
            {"text": "Docs for the new API", "label": "DOCS", "_input_hash": 1, "answer": "accept"},
            {"text": "Crash on start", "label": "DOCS", "_input_hash": 2, "answer": "reject"},
        ],
    )
    result = _run(db_path, "import", "--as-gold", "--annotator", "amira", str(path))
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert str(path) in line and "without a single span" in line
    # Plain import takes the texts: they are documents, just not NER gold.
    assert _run(db_path, "import", str(path)).exit_code == 0


def test_our_export_carries_no_stale_answer_and_imports_back_as_gold(tmp_path, db_path):
    # A document that arrived with a Prodigy "answer": "reject" in its keys (as
    # earlier versions stored it), then annotated here.
    from workbench.model import Span
    from workbench.store import NewDocument

    with Store(db_path) as store:
        doc = NewDocument(TEXT, {"answer": "reject", "_input_hash": 77}, "old")
        store.save_gold([doc], "amira")
        [ann] = list(store.annotations(annotator="amira"))
        assert ann.document.meta.get("answer") == "reject"
        out = tmp_path / "gold.jsonl"
        export(store, Selection(), "jsonl", out)
        line = json.loads(out.read_text(encoding="utf-8"))
        assert "answer" not in line and line["_input_hash"] == 77
        # Even a file that still has one (written before the fix) is our gold.
        line["answer"] = "reject"
        line["spans"] = [Span(*PESHAWAR, "GPE").to_json()]
        _write(out, [line])
        result = import_gold(store, [out], "bob")
        assert (result.annotations_added, result.not_gold) == (1, 0)
        [bob] = list(store.annotations(annotator="bob"))
        assert [s.label for s in bob.gold_spans()] == ["GPE"]
