"""An export tells its progress in steps that add up to the documents it wrote, for
the line formats and for the spaCy folder, on both of its paths (past the first batch
the spaCy path works in a second process)."""

from __future__ import annotations

import pytest

from workbench.jobs.export import Selection, export
from workbench.jobs.export_writers import REPORT_EVERY
from workbench.model import NewDocument, Span
from workbench.store import Store

N = REPORT_EVERY + 123  # more than one step, and a remainder


@pytest.fixture
def gold(tmp_path):
    with Store(tmp_path / "annotations.db") as store:
        docs = (
            NewDocument(
                f"Report {i}: 12 people were killed in Homs.",
                {},
                "test",
                (Span(10, 12, "KILLED", {"value": 12, "qualifier": "exact"}),),
            )
            for i in range(N)
        )
        store.save_gold(docs, "ann")
        yield store


@pytest.mark.parametrize("fmt, fast", [("jsonl", True), ("spacy", True), ("spacy", False)])
def test_progress_adds_up_to_the_documents_written(gold, tmp_path, monkeypatch, fmt, fast):
    if not fast:
        from workbench.interchange import spacy_shards

        monkeypatch.setattr(spacy_shards, "fast_path_supported", lambda *a: False)
    steps: list[int] = []
    out = tmp_path / ("out.jsonl" if fmt == "jsonl" else "corpus")
    result = export(gold, Selection(), fmt, out, report=steps.append)
    assert result.documents == N
    assert sum(steps) == N
    assert steps[0] == REPORT_EVERY  # told in steps, not once per document
