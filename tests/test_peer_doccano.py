"""doccano files as doccano writes and reads them, and the export summary's counts.

doccano's sequence-labelling JSONL is `{"text", "label": [[start, end, LABEL]]}`;
its offsets are what its browser front end counts, UTF-16 code units (a character
outside the Basic Multilingual Plane, an emoji, is two). The files are the tests' own.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from workbench.cli import cli
from workbench.interchange.doccano import from_units, thinned, to_units
from workbench.jobs.export import Selection, export
from workbench.jobs.importing import import_gold
from workbench.model import Span
from workbench.store import NewDocument, Store

EMOJI_TEXT = "Crowds \U0001f525 gathered in Kabul \U0001f1e6\U0001f1eb and Herat."


def _utf16_offset(text: str, index: int) -> int:
    """What JavaScript's String.prototype.indexOf would give: UTF-16 code units."""
    return len(text[:index].encode("utf-16-le")) // 2


def _run(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args])


def test_same_span_twice_is_one_span(tmp_path, db_path):
    path = tmp_path / "doccano.jsonl"
    line = {"text": "Kabul is calm.", "label": [[0, 5, "GPE"], [0, 5, "GPE"]]}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    with Store(db_path) as store:
        import_gold(store, [path], "amira")
        [ann] = list(store.annotations(annotator="amira"))
        assert [(s.start, s.end, s.label) for s in ann.gold_spans()] == [(0, 5, "GPE")]


def test_offsets_after_an_emoji_land_on_the_same_characters_in_both_tools(tmp_path, db_path):
    herat = EMOJI_TEXT.index("Herat")
    kabul = EMOJI_TEXT.index("Kabul")
    # As doccano writes it: code units, so Herat sits 3 units further than in Python.
    units = [_utf16_offset(EMOJI_TEXT, i) for i in (kabul, kabul + 5, herat, herat + 5)]
    assert units[2] == herat + 3
    path = tmp_path / "doccano.jsonl"
    line = {"text": EMOJI_TEXT, "label": [[units[0], units[1], "GPE"], [units[2], units[3], "GPE"]]}
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    with Store(db_path) as store:
        import_gold(store, [path], "amira")
        [ann] = list(store.annotations(annotator="amira"))
        assert [s.text_in(EMOJI_TEXT) for s in ann.gold_spans()] == ["Kabul", "Herat"]
        out = tmp_path / "back.jsonl"
        export(store, Selection(), "doccano", out)
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["label"] == line["label"]  # code units again, for doccano


def test_casualty_attributes_follow_the_same_units(tmp_path, db_path):
    text = "\U0001f6a8 Two people were killed."
    two = text.index("Two")
    with Store(db_path) as store:
        span = Span(two, two + 3, "KILLED", {"value": 2, "qualifier": "exact"})
        store.save_gold([NewDocument(text, {}, "t", (span,))], "amira")
        out = tmp_path / "d.jsonl"
        export(store, Selection(), "doccano", out)
        line = json.loads(out.read_text(encoding="utf-8"))
        assert line["span_attrs"][0]["start"] == line["label"][0][0] == two + 1
        result = import_gold(store, [out], "bob")
        assert result.annotations_added == 1
        [bob] = list(store.annotations(annotator="bob"))
        [got] = bob.gold_spans()
        assert (got.start, got.attrs) == (two, {"value": 2, "qualifier": "exact"})


def test_an_offset_inside_a_surrogate_pair_is_refused(tmp_path, db_path):
    path = tmp_path / "doccano.jsonl"
    line = {"text": "\U0001f525 Kabul", "label": [[1, 7, "GPE"]]}
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = _run(db_path, "import", "--add-labels", str(path))
    assert result.exit_code == 2
    assert f"{path}:1:" in result.output and "splits a character" in result.output


def test_unit_conversion_is_its_own_inverse():
    to, back = to_units(EMOJI_TEXT), from_units(EMOJI_TEXT, "t", 1)
    for i in range(len(EMOJI_TEXT) + 1):
        assert back(to(i)) == i
        assert to(i) == _utf16_offset(EMOJI_TEXT, i)


def test_thinned_counts_what_a_project_without_overlaps_drops():
    spans = [Span(0, 10, "ORG"), Span(4, 9, "GPE"), Span(10, 14, "GPE"), Span(12, 20, "PERSON")]
    assert thinned(spans) == 2
    assert thinned([Span(0, 3, "GPE"), Span(3, 6, "GPE")]) == 0


def _overlapping_gold(db_path: Path) -> None:
    text = "The Kabul Police Department said two were killed."
    police = text.index("Kabul Police Department")
    with Store(db_path) as store:
        spans = (
            Span(police, police + 23, "ORG"),
            Span(police, police + 5, "GPE"),  # inside the ORG
            Span(text.index("two"), text.index("two") + 3, "KILLED", {"value": 2}),
        )
        store.save_gold([NewDocument(text, {}, "t", spans)], "amira")


def test_doccano_export_warns_about_overlaps(tmp_path, db_path):
    _overlapping_gold(db_path)
    result = _run(db_path, "export", "--format", "doccano", "--out", str(tmp_path / "d.jsonl"))
    assert result.exit_code == 0
    assert "1 span(s) overlap another" in result.output
    assert "Exported 1 annotation(s), 3 span(s)." in result.output


def test_export_summary_counts_only_what_was_written(tmp_path, db_path):
    _overlapping_gold(db_path)
    result = _run(db_path, "export", "--format", "conll", "--out", str(tmp_path / "c.conll"))
    assert result.exit_code == 0, result.output
    assert "1 span(s) could not be written" in result.output
    assert "Exported 1 annotation(s), 2 span(s)." in result.output
