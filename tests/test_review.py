"""`workbench review`: agreement, disagreements, adjudication and the audit log, on real
SQLite files built through the store and the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.model import ACCEPTED, REVIEWED, SUBMITTED, AnnotationState, Change, Event, Span
from workbench.review import one_line, summarize
from workbench.store import Store, StoreError

from .conftest import db_snapshot, new_doc

FIGHT = "In Jableh, more than 100 people were killed and 20 were injured."
AGREED = "Two policemen were wounded in Kabul."
HOSTILE = "Crowd chanted [bold]Ali[/bold]\x1b[31m and [/x] left."
SOLO = "Quiet day in Aleppo."


def _at(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _span(text: str, part: str, label: str, **attrs) -> Span:
    return Span(*_at(text, part), label, attrs)


def _submit(store: Store, doc_id: int, who: str, spans: list[Span]) -> int:
    ann = store.open_annotation(doc_id, who)
    for s in spans:
        store.add_span(ann.id, s, who)
    store.submit(ann.id, who)
    return ann.id


@pytest.fixture
def team(db_path: Path) -> Path:
    """amira and bob on four documents: they differ on 1 (GPE/ORG, an INJURED value) and
    3 (a span with markup and ESC only amira has), agree on 2; 4 is amira's alone.
    carol has only opened document 1."""
    with Store(db_path) as store:
        store.add_documents([new_doc(t) for t in (FIGHT, AGREED, HOSTILE, SOLO)])
        fight, agreed, hostile, solo = store.document_ids()
        killed = _span(FIGHT, "more than 100", "KILLED", value=100, qualifier="more_than")
        store.save_suggestions(
            [(fight, [_span(FIGHT, "Jableh", "ORG").with_(source="model"), killed])], "m1"
        )
        # amira: relabels the suggested ORG to GPE, accepts KILLED, adds INJURED 20.
        ann = store.open_annotation(fight, "amira")
        org, kill = ann.spans
        store.relabel(org.id, "GPE", "amira", {})
        store.accept(kill.id, "amira")
        store.add_span(ann.id, _span(FIGHT, "20", "INJURED", value=20, qualifier="exact"), "amira")
        store.submit(ann.id, "amira")
        # bob: accepts both suggestions, adds INJURED on the same words with value 2.
        ann = store.open_annotation(fight, "bob")
        store.accept_all(ann.id, "bob")
        store.add_span(ann.id, _span(FIGHT, "20", "INJURED", value=2, qualifier="exact"), "bob")
        store.submit(ann.id, "bob")
        both = [
            _span(AGREED, "Two", "INJURED", value=2, qualifier="exact"),
            _span(AGREED, "Kabul", "GPE"),
        ]
        _submit(store, agreed, "amira", both)
        _submit(store, agreed, "bob", both)
        _submit(store, hostile, "amira", [_span(HOSTILE, "[bold]Ali[/bold]\x1b[31m", "PERSON")])
        _submit(store, hostile, "bob", [])
        _submit(store, solo, "amira", [_span(SOLO, "Aleppo", "GPE")])
        store.open_annotation(fight, "carol")
    return db_path


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "--annotator", "lead", "review", *args])


# ---- agreement -------------------------------------------------------------------------


def test_agreement_json_per_pair_and_label(team):
    result = run(team, "agreement", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["documents"] == 3  # the solo document is not shared; carol submitted nothing
    [pair] = out["pairs"]
    assert (pair["a"], pair["b"], pair["documents"]) == ("amira", "bob", 3)
    labels = pair["labels"]
    assert {k: (v["a"], v["b"], v["agreed"]) for k, v in labels.items()} == {
        "GPE": (2, 1, 1),
        "INJURED": (2, 2, 2),
        "KILLED": (1, 1, 1),
        "ORG": (0, 1, 0),
        "PERSON": (1, 0, 0),
        "CASUALTY": (3, 3, 3),
        "ENTITY": (3, 2, 1),
        "ALL": (6, 5, 4),
    }
    assert labels["GPE"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert labels["ALL"]["f1"] == pytest.approx(8 / 11, abs=1e-4)
    # Same words, different count: the spans agree, the (label, value) pairs do not.
    assert labels["INJURED"]["f1"] == 1.0
    assert labels["INJURED"]["count"]["f1"] == 0.5
    assert labels["GPE"]["count"] is None


def test_agreement_table_fits_80_columns_and_filters_by_label(team):
    result = run(team, "agreement")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "3 document(s) submitted by two or more annotators."
    assert "amira (A) vs bob (B): 3 shared document(s)" in result.output
    assert max(len(line) for line in lines) <= 80
    row = next(line.split() for line in lines if line.startswith("INJURED"))
    assert row == ["INJURED", "2", "2", "2", "0", "0", "1.000", "0.500"]

    only = run(team, "agreement", "--label", "KILLED").output
    assert "KILLED   1   1        1" in only
    assert "GPE" not in only and "ALL" not in only
    as_json = json.loads(run(team, "agreement", "--label", "KILLED", "--json").output)
    assert list(as_json["pairs"][0]["labels"]) == ["KILLED"]


def test_agreement_counts_every_pair_of_three_annotators(team):
    with Store(team) as store:
        agreed = store.document_ids()[1]
        _submit(store, agreed, "carol", [_span(AGREED, "Kabul", "GPE")])
    out = json.loads(run(team, "agreement", "--json").output)
    assert [(p["a"], p["b"], p["documents"]) for p in out["pairs"]] == [
        ("amira", "bob", 3),
        ("amira", "carol", 1),
        ("bob", "carol", 1),
    ]
    assert out["pairs"][1]["labels"]["INJURED"] == {
        "a": 1,
        "b": 0,
        "agreed": 0,
        "f1": 0.0,
        "count": {"tp": 0, "fp": 0, "fn": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0},
    }


CLAIMS = "Reuters said 12 people were killed; officials said 3 were wounded and 5 died."


def _submit_claims(store: Store, doc_id: int, who: str, links: dict[str, str | None]) -> None:
    """Mark the figures and both sources, then link each figure to the source `links` names."""
    ann = store.open_annotation(doc_id, who)
    ids = {
        part: store.add_span(ann.id, _span(CLAIMS, part, label, **attrs), who)
        for part, label, attrs in [
            ("Reuters", "ORG", {}),
            ("officials", "SOURCE", {}),
            ("12", "KILLED", {"value": 12, "qualifier": "exact"}),
            ("3", "INJURED", {"value": 3, "qualifier": "exact"}),
            ("5", "KILLED", {"value": 5, "qualifier": "exact"}),
        ]
    }
    for figure, source in links.items():
        if source is not None:
            store.link(ids[figure], ids[source], who)
    store.submit(ann.id, who)


def test_agreement_compares_who_reported_each_figure(db_path):
    with Store(db_path) as store:
        store.add_documents([new_doc(CLAIMS)])
        [doc] = store.document_ids()
        # They agree on the first two sources; for "5" bob names Reuters, amira nobody.
        _submit_claims(store, doc, "amira", {"12": "Reuters", "3": "officials", "5": None})
        _submit_claims(store, doc, "bob", {"12": "Reuters", "3": "officials", "5": "Reuters"})
    out = json.loads(run(db_path, "agreement", "--json").output)
    [pair] = out["pairs"]
    assert pair["labels"]["KILLED"]["agreed"] == 2  # the figures themselves agree
    sources = pair["sources"]
    assert (sources["matched"], sources["attribution"]) == (3, pytest.approx(2 / 3, abs=1e-4))
    assert sources["claims"]["tp"] == 2 and sources["claims"]["fp"] == 1

    text = run(db_path, "agreement").output
    assert "sources: agree on 2 of 3 shared casualty span(s) (0.667" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_agreement_leaves_sources_out_where_nobody_linked_one(team):
    [pair] = json.loads(run(team, "agreement", "--json").output)["pairs"]
    assert pair["sources"] is None
    assert "sources:" not in run(team, "agreement").output


def test_agreement_without_shared_documents(db_path):
    with Store(db_path) as store:
        store.add_documents([new_doc(SOLO)])
        _submit(store, 1, "amira", [])
    result = run(db_path, "agreement")
    assert result.exit_code == 0
    assert "No document has been submitted by two or more annotators." in result.output


# ---- disagreements ---------------------------------------------------------------------


def test_disagreements_list_the_differing_spans_and_who_has_them(team):
    result = run(team, "disagreements")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "document 1 test: amira, bob submitted; 4 difference(s)" in out
    assert "document 2" not in out  # they agree there
    assert "document 4" not in out  # only amira submitted it
    lines = [line.split() for line in out.splitlines()]
    assert ["GPE", "3-9", "'Jableh'", "amira"] in lines
    assert ["ORG", "3-9", "'Jableh'", "bob"] in lines
    assert ["INJURED", "48-50", "'20'", "=20", "exact", "amira"] in lines
    assert ["INJURED", "48-50", "'20'", "=2", "exact", "bob"] in lines
    assert not any(line[:1] == ["KILLED"] for line in lines)  # both have it
    assert out.rstrip().endswith("2 document(s) with differences.")


def test_disagreements_show_untrusted_text_literally(team):
    out = run(team, "disagreements").output
    assert "PERSON" in out
    assert "'[bold]Ali[/bold]\u241b[31m'" in out  # markup as typed, ESC as a glyph
    assert "\x1b" not in out


def test_disagreements_limit_and_annotator_filter(team):
    result = run(team, "disagreements", "--limit", "1")
    assert "document 1 " in result.output and "document 3 " not in result.output
    assert "Showed 1 of 2 document(s) with differences" in result.output
    both = run(team, "disagreements", "--annotator", "amira", "--annotator", "bob")
    assert both.output == run(team, "disagreements").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--annotator", "amira"], "give two or more"),
        (["--annotator", "amira", "--annotator", "carol"], "carol has no submitted annotations"),
    ],
)
def test_disagreements_bad_annotators_are_one_line_errors(team, args, message):
    result = run(team, "disagreements", *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


# ---- adjudication ----------------------------------------------------------------------


def _gold(store: Store, doc_id: int, who: str):
    [ann] = [a for a in store.annotations(statuses=(REVIEWED,)) if a.document.id == doc_id]
    assert ann.annotator == who
    return ann


def test_adjudicate_records_the_chosen_spans_as_reviewed_gold_with_an_event(team):
    result = run(team, "adjudicate", "1", "--take", "amira")
    assert result.exit_code == 0, result.output
    assert "Document 1: reviewed gold by lead is amira's 3 span(s)." in result.output
    with Store(team) as store:
        amira = next(a for a in store.annotations() if a.annotator == "amira")
        ann = _gold(store, 1, "lead")
        assert ann.gold_spans() == amira.gold_spans()
        assert [s.span.attrs for s in ann.spans] == [s.attrs for s in amira.gold_spans()]
        assert {s.status for s in ann.spans} == {ACCEPTED}
        [event] = [e for e in store.events(1) if e.action == "adjudicate"]
        assert event.annotator == "lead" and event.annotation_id == ann.id
        assert event.before == Change()
        assert event.after.notes["take"] == "amira"
        assert [s.span.label for s in event.after.spans] == ["GPE", "KILLED", "INJURED"]
        # The annotators' own work is untouched.
        assert {a.annotator: a.status for a in store.annotations(statuses=(SUBMITTED,))} == {
            "amira": SUBMITTED,
            "bob": SUBMITTED,
        }


def test_the_annotators_undo_key_does_not_undo_an_adjudication(team):
    assert run(team, "adjudicate", "1", "--take", "amira").exit_code == 0
    with Store(team) as store:
        assert store.undo("lead") is None
        assert len(_gold(store, 1, "lead").gold_spans()) == 3


def test_readjudicating_replaces_the_review_and_keeps_the_old_one_in_events(team):
    run(team, "adjudicate", "1", "--take", "amira")
    result = run(team, "adjudicate", "1", "--take", "bob")
    assert "bob's 3 span(s) (replacing an earlier review)" in result.output
    with Store(team) as store:
        ann = _gold(store, 1, "lead")
        assert [s.label for s in ann.gold_spans()] == ["ORG", "KILLED", "INJURED"]
        assert ann.gold_spans()[2].value == 2
        first, second = [e for e in store.events(1) if e.action == "adjudicate"]
        assert second.before.spans == first.after.spans
        assert second.before.annotation == AnnotationState(REVIEWED, "")
        assert second.after.notes["take"] == "bob"
    assert "take bob, 3 span(s), replaced 3" in run(team, "log", "--doc", "1").output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["99", "--take", "amira"], "no document with id 99"),
        (["1", "--take", "carol"], "carol has no submitted annotation of document 1"),
        (["4", "--take", "bob"], "bob has no submitted annotation of document 4"),
        (["1", "--take", "bob", "--reviewer", "amira"], "amira has their own submitted"),
        (["1"], "give DOC_ID --take ANNOTATOR, or --agreed"),
        (["1", "--take", "bob", "--agreed"], "give DOC_ID --take ANNOTATOR, or --agreed"),
    ],
)
def test_bad_adjudications_are_one_line_errors_and_write_nothing(team, args, message):
    before = db_snapshot(team)
    result = run(team, "adjudicate", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and len(result.stderr.splitlines()) == 1
    assert db_snapshot(team) == before


def test_adjudicate_many_is_one_transaction(team):
    before = db_snapshot(team)
    with Store(team) as store, pytest.raises(StoreError):
        store.adjudicate_many([(1, "amira"), (2, "zed")], "lead")
    assert db_snapshot(team) == before


def test_agreed_reviews_documents_where_all_submitters_agree(team):
    result = run(team, "adjudicate", "--agreed")
    assert result.exit_code == 0, result.output
    assert "Reviewed 1 document(s) where all submitters agree (reviewer lead)" in result.output
    assert "2 with differences left" in result.output
    with Store(team) as store:
        assert [(a.document.id, a.annotator) for a in store.annotations(statuses=(REVIEWED,))] == [
            (2, "lead")
        ]
        assert [s.label for s in _gold(store, 2, "lead").gold_spans()] == ["INJURED", "GPE"]
    again = run(team, "adjudicate", "--agreed")
    assert "Reviewed 0 document(s)" in again.output and "1 already reviewed" in again.output


def test_agreed_leaves_documents_the_reviewer_annotated(team):
    result = run(team, "adjudicate", "--agreed", "--reviewer", "bob")
    assert "Reviewed 0 document(s)" in result.output
    assert "Not reviewed: bob annotated document(s) 2; use --reviewer." in result.output


def test_export_picks_up_reviewed_gold(team):
    run(team, "adjudicate", "1", "--take", "amira")
    run(team, "adjudicate", "--agreed")

    def export(gold: str) -> list[dict]:
        result = CliRunner().invoke(cli, ["--db", str(team), "export", "--gold", gold])
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in result.stdout.splitlines()]

    reviewed = export("reviewed")
    assert [(r["text"], r["annotator"], r["status"]) for r in reviewed] == [
        (FIGHT, "lead", REVIEWED),
        (AGREED, "lead", REVIEWED),
    ]
    assert [(s["label"], s.get("value")) for s in reviewed[0]["spans"]] == [
        ("GPE", None),
        ("KILLED", 100),
        ("INJURED", 20),
    ]
    best = export("best")
    assert [(r["text"], r["status"]) for r in best] == [
        (FIGHT, REVIEWED),
        (AGREED, REVIEWED),
        (HOSTILE, SUBMITTED),  # no review: a submission (the latest)
        (SOLO, SUBMITTED),
    ]
    assert [r["annotator"] for r in best[:2]] == ["lead", "lead"]
    assert best[0]["spans"] == reviewed[0]["spans"]


# ---- the audit log ---------------------------------------------------------------------


def test_log_summarises_each_change(team):
    run(team, "adjudicate", "1", "--take", "amira")
    result = run(team, "log", "--doc", "1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert max(len(line) for line in out.splitlines()) <= 80
    for expected in (
        "relabel ORG -> GPE 'Jableh'",
        "accept KILLED 'more than 100'",
        "add INJURED '20'",
        "accept all: 2 span(s)",
        "take amira, 3 span(s)",
    ):
        assert expected in out, expected
    rows = [r for r in (line.split() for line in out.splitlines()[2:]) if len(r) >= 5]
    # date, time, who, action, doc, change
    assert [r[2:6] for r in rows if r[3] == "submit"] == [
        ["amira", "submit", "1", "submit"],
        ["bob", "submit", "1", "submit"],
    ]
    assert {r[2] for r in rows} == {"amira", "bob", "carol", "lead"}


def test_log_shows_untrusted_text_literally(team):
    out = run(team, "log", "--doc", "3").output
    assert "add PERSON '[bold]Ali[/bold]\u241b[31m'" in out
    assert "\x1b" not in out


def test_log_filters_and_limit(team):
    amira = run(team, "log", "--annotator", "amira", "--json", "--limit", "0")
    events = json.loads(amira.output)
    assert {e["annotator"] for e in events} == {"amira"}
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    latest = json.loads(run(team, "log", "--json", "--limit", "2").output)
    everything = json.loads(run(team, "log", "--json", "--limit", "0").output)
    assert latest == everything[-2:]
    assert latest[-1]["action"] == "open" and latest[-1]["annotator"] == "carol"
    assert set(everything[0]) >= {"id", "ts", "annotator", "action", "doc_id", "before", "after"}
    assert run(team, "log", "--since", "2999-01-01").output.strip() == "No events."
    since = json.loads(run(team, "log", "--since", "2000-01-01", "--json", "--limit", "0").output)
    assert since == everything


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--doc", "99"], "no document with id 99"), (["--since", "yesterday"], "--since")],
)
def test_log_bad_input_is_a_one_line_error(team, args, message):
    result = run(team, "log", *args)
    assert result.exit_code == 2
    assert message in result.stderr and len(result.stderr.splitlines()) == 1


def test_review_on_a_missing_database_is_an_error(tmp_path):
    result = run(tmp_path / "none.db", "agreement")
    assert result.exit_code == 2 and "no database at" in result.stderr
    assert not (tmp_path / "none.db").exists()


# ---- pure helpers ----------------------------------------------------------------------


def test_one_line_keeps_listings_on_one_line():
    assert one_line("a\nb\x1b[2J\u202e", 40) == "a\u2424b\u241b[2J\u21c4"
    assert one_line("x" * 50, 10) == "x" * 9 + "\u2026"


def test_summaries_of_events():
    text = "Jableh was hit."
    span = {"id": 1, "start": 0, "end": 6, "label": "ORG", "attrs": {}, "status": "pending"}

    def event(action, before, after, **extra):
        return Event.from_json({"action": action, "before": before, "after": after, **extra})

    moved = {**span, "end": 10}
    assert summarize(event("resize", {"spans": [span]}, {"spans": [moved]}), text) == (
        "resize ORG 'Jableh' -> 'Jableh was'"
    )
    count = {**span, "label": "KILLED", "attrs": {"value": 1, "qualifier": "exact"}}
    more = {**count, "attrs": {"value": 10, "qualifier": "more_than"}}
    assert summarize(event("set_attrs", {"spans": [count]}, {"spans": [more]}), text) == (
        "set KILLED 'Jableh' =1 exact -> =10 more_than"
    )
    assert summarize(event("delete", {"spans": [span]}, {"spans": []}), text) == (
        "delete ORG 'Jableh'"
    )
    assert summarize(event("undo", {}, {}, undoes=7), text) == "undo event 7"
    flag = {"annotation": {"status": "flagged", "comment": "unsure [b]"}}
    assert summarize(event("flag", {}, flag), text) == "flag 'unsure [b]'"
    assert summarize(event("import", None, {"source": "", "added": 3}), text) == (
        "import 3 document(s)"
    )
