"""`workbench export --format claims`: one row per casualty figure, checked against
the gold it was made from with the `csv` module; cells a spreadsheet would run are
neutralised; written atomically; JSON lines with --jsonl."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.interchange.claims import (
    COLUMNS,
    FORMULA_STARTS,
    neutralised,
    sentence_cuts,
    sentence_of,
)
from workbench.model import SOURCE_LABEL, Span, with_link
from workbench.store import Store

from .conftest import new_doc

DEV = Path(__file__).parents[1] / ".." / "shared" / "casualty-dev" / "sources_dev.jsonl"

# Untrusted article text: a source written as a spreadsheet formula, a figure after a
# minus sign, an abbreviation that is no sentence end, a paragraph with no stop.
TEXT = (
    'Gen. Smith said 12 soldiers died. =HYPERLINK("http://x.example","click") reported'
    " -3 injured\nAt least 40 people were killed in the U.S. embassy attack, officials said."
)


def at(phrase: str, label: str, **attrs) -> Span:
    start = TEXT.index(phrase)
    return Span(start, start + len(phrase), label, attrs)


SMITH = at("Gen. Smith", "PERSON")
FORMULA = at('=HYPERLINK("http://x.example","click")', SOURCE_LABEL)
OFFICIALS = at("officials", SOURCE_LABEL)
TWELVE = with_link(at("12", "KILLED", value=12, qualifier="exact"), SMITH)
MINUS = with_link(at("-3", "INJURED", value=3, qualifier="exact"), FORMULA)
FORTY = with_link(at("At least 40", "KILLED", value=40, qualifier="at_least"), OFFICIALS)
SPANS = [SMITH, FORMULA, OFFICIALS, TWELVE, MINUS, FORTY]
META = {"id": "a-7", "meta": {"url": "@https://news.example/a", "date": "2016-05-24"}}


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def annotate(store: Store, text: str, spans: list[Span], annotator: str, **meta) -> int:
    store.add_documents([new_doc(text, **meta)])  # a text already there is the same document
    doc_id = next(i for i in store.document_ids() if store.document(i).text == text)
    ann = store.open_annotation(doc_id, annotator)
    for s in spans:
        store.add_span(ann.id, s, annotator)
    store.submit(ann.id, annotator)
    return doc_id


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "claims.db"
    with Store(path) as store:
        annotate(store, TEXT, SPANS, "amira", **META)
        annotate(store, "No figures here, only Reuters.", [Span(22, 29, "ORG")], "amira")
    return path


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return list(reader)


def test_one_row_per_casualty_figure_matching_the_gold(db, tmp_path):
    out = tmp_path / "claims.csv"
    result = run(db, "export", "--format", "claims", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "3 claim(s) from 2 annotation(s)" in result.output
    got = rows(out)
    assert [r["figure"] for r in got] == ["12", "'-3", "At least 40"]
    for row, span in zip(got, [TWELVE, MINUS, FORTY], strict=True):
        assert row["label"] == span.label
        assert int(row["value"]) == span.value and row["qualifier"] == span.qualifier
        assert (int(row["figure_start"]), int(row["figure_end"])) == (span.start, span.end)
        assert row["url"] == "'@https://news.example/a" and row["date"] == "2016-05-24"
        assert row["annotator"] == "amira" and row["status"] == "submitted"
        assert row["document"] == "a-7"
    assert [r["source"] for r in got] == ["Gen. Smith", "'" + FORMULA.text_in(TEXT), "officials"]
    assert [r["source_label"] for r in got] == ["PERSON", "SOURCE", "SOURCE"]
    assert [r["sentence"] for r in got] == [
        "Gen. Smith said 12 soldiers died.",
        "'" + FORMULA.text_in(TEXT) + " reported -3 injured",  # it starts as a formula
        "At least 40 people were killed in the U.S. embassy attack, officials said.",
    ]


def test_no_cell_starts_as_a_formula_and_every_cell_is_quoted(db, tmp_path):
    out = tmp_path / "claims.csv"
    run(db, "export", "--format", "claims", "--out", str(out))
    raw = out.read_text(encoding="utf-8")
    for line in raw.splitlines():
        assert line.startswith('"') and line.endswith('"')
    cells = [c for r in csv.reader(io.StringIO(raw)) for c in r]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert "'=HYPERLINK(" in raw


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "＝"])
def test_neutralised_prefixes_every_formula_start(start):
    assert neutralised(start + "1+1") == "'" + start + "1+1"
    assert neutralised("1" + start) == "1" + start
    assert neutralised(12) == 12


def test_a_figure_without_a_source_has_empty_source_cells(tmp_path):
    db = tmp_path / "n.db"
    text = "Dozens were killed on Monday."
    with Store(db) as store:
        annotate(store, text, [Span(0, 6, "KILLED", {"value": None, "qualifier": "vague"})], "a")
    out = tmp_path / "c.csv"
    assert run(db, "export", "--format", "claims", "--out", str(out)).exit_code == 0
    (row,) = rows(out)
    assert row["value"] == "" and row["qualifier"] == "vague"
    assert row["source"] == row["source_label"] == row["source_start"] == ""
    assert row["url"] == row["date"] == row["document"] == ""


def test_jsonl_rows_hold_the_values_as_they_are(db, tmp_path):
    out = tmp_path / "claims.jsonl"
    assert run(db, "export", "--format", "claims", "--jsonl", "--out", str(out)).exit_code == 0
    got = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [tuple(r) for r in got] == [COLUMNS] * 3
    assert got[1]["source"] == FORMULA.text_in(TEXT) and got[1]["value"] == 3
    assert got[0]["source_start"] == SMITH.start
    assert got[2]["url"] == "@https://news.example/a"


def test_the_export_is_atomic_and_refuses_an_existing_file(db, tmp_path):
    out = tmp_path / "claims.csv"
    out.write_text("keep me", encoding="utf-8")
    result = run(db, "export", "--format", "claims", "--out", str(out))
    assert result.exit_code != 0 and "--force" in result.output
    assert out.read_text(encoding="utf-8") == "keep me"
    assert run(db, "export", "--format", "claims", "--force", "--out", str(out)).exit_code == 0
    assert len(rows(out)) == 3
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_the_gold_chosen_is_the_selection_of_every_format(db, tmp_path):
    with Store(db) as store:
        annotate(store, TEXT, [TWELVE, SMITH], "bo", **META)
    out = tmp_path / "bo.csv"
    assert (
        run(db, "export", "--format", "claims", "--annotator", "bo", "--out", str(out)).exit_code
        == 0
    )
    assert [(r["annotator"], r["figure"]) for r in rows(out)] == [("bo", "12")]
    both = tmp_path / "all.csv"
    assert run(db, "export", "--format", "claims", "--out", str(both)).exit_code == 0
    assert sorted({r["annotator"] for r in rows(both)}) == ["amira", "bo"]


def test_sentences_are_cut_by_the_rule():
    text = 'Mr. Ali said 3 died. "Ten were hurt," he added!\nNo stop here\nU.S. forces left.'
    cuts = sentence_cuts(text)
    pieces = [sentence_of(text, cuts, i, i + 1) for i in (text.index("3"), text.index("Ten"))]
    assert pieces == ["Mr. Ali said 3 died.", '"Ten were hurt," he added!']
    assert sentence_of(text, cuts, text.index("here"), text.index("here") + 4) == "No stop here"
    assert sentence_of(text, cuts, text.index("forces"), text.index("left")) == "U.S. forces left."


@pytest.mark.skipif(not DEV.exists(), reason="the hand-made source gold is not here")
def test_the_dev_gold_as_a_claims_table(tmp_path):
    given = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    db = tmp_path / "dev.db"
    assert run(db, "import", "--as-gold", "--annotator", "gold", str(DEV)).exit_code == 0
    out = tmp_path / "dev.csv"
    assert run(db, "export", "--format", "claims", "--out", str(out)).exit_code == 0
    got = rows(out)
    with Store(db) as store:
        texts = {d.id: d.text for d in (a.document for a in store.annotations(annotator="gold"))}
    by_text = {d["text"]: d for d in given}
    expected = sum(len(d["spans"]) for d in given)
    assert len(got) == expected == 84
    for row in got:
        text = texts[int(row["doc_id"])]
        start, end = int(row["figure_start"]), int(row["figure_end"])
        gold = next(s for s in by_text[text]["spans"] if (s["start"], s["end"]) == (start, end))
        assert row["label"] == gold["label"]
        assert row["value"] == ("" if gold["value"] is None else str(gold["value"]))
        assert row["qualifier"] == (gold["qualifier"] or "")
        assert row["figure"] == neutralised(text[start:end])
        source = gold.get("source")
        assert row["source"] == (neutralised(source["text"]) if source else "")
        assert row["source_label"] == (SOURCE_LABEL if source else "")
        assert row["document"] == by_text[text]["id"]
        assert text[start:end] in row["sentence"]
        assert "\n" not in row["sentence"]


def test_standard_output_shows_control_characters_as_glyphs(tmp_path):
    db = tmp_path / "esc.db"
    text = "\x1b]52;c;aGk=\x07Police said 4 died."
    with Store(db) as store:
        start = text.index("4")
        annotate(
            store, text, [Span(start, start + 1, "KILLED", {"value": 4, "qualifier": "exact"})], "a"
        )
    result = run(db, "export", "--format", "claims")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert result.stdout.startswith('"doc_id",') and '"4","exact","4"' in result.stdout


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--jsonl"], "--jsonl"),
        (["--format", "jsonl", "--doccano-relations"], "--doccano-relations"),
    ],
)
def test_a_format_option_with_another_format_is_refused(db, args, flag):
    result = run(db, "export", *args)
    assert result.exit_code == 2 and flag in result.output


@pytest.mark.parametrize(
    ("meta", "url"),
    [
        ({"meta": {"source": "https://news.example/b"}}, "https://news.example/b"),
        ({"meta": {"source": "seeds/000_x.txt"}}, ""),  # a file is not an address
        ({"link": "https://a.example", "meta": {"url": "https://b.example"}}, "https://a.example"),
    ],
)
def test_the_url_comes_from_the_meta(tmp_path, meta, url):
    db = tmp_path / "u.db"
    with Store(db) as store:
        annotate(
            store,
            "3 died.",
            [Span(0, 1, "KILLED", {"value": 3, "qualifier": "exact"})],
            "a",
            **meta,
        )
    out = tmp_path / "u.csv"
    assert run(db, "export", "--format", "claims", "--out", str(out)).exit_code == 0
    assert [r["url"] for r in rows(out)] == [url]
