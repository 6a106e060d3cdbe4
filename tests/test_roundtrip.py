"""Export, then `import --as-gold` into a new database: the same documents and spans."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.store import Store

from .test_export_formats import SPANS_A, SPANS_B, TEXT_A, TEXT_B, annotate

TEXT_U = "«Ωμέγα» — 東京で２人が死亡、\r\n😀 at least 3 were killed.\tEnd"


def run(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args])


def gold(db_path: Path, annotator: str) -> list[tuple]:
    with Store(db_path) as store:
        return [
            (
                a.document.text,
                a.status,
                [(s.start, s.end, s.label, s.attrs) for s in a.gold_spans()],
            )
            for a in store.annotations(annotator=annotator)
        ]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    db = tmp_path / "source.db"
    start = TEXT_U.index("at least 3")
    with Store(db) as store:
        annotate(store, TEXT_A, SPANS_A)
        annotate(store, TEXT_B, SPANS_B)
        from workbench.model import Span

        annotate(
            store,
            TEXT_U,
            [
                Span(1, 6, "PERSON"),
                Span(TEXT_U.index("東京"), TEXT_U.index("東京") + 2, "GPE"),
                Span(
                    TEXT_U.index("２人"),
                    TEXT_U.index("２人") + 1,
                    "KILLED",
                    {"value": 2, "qualifier": "exact"},
                ),
                Span(start, start + 10, "KILLED", {"value": 3, "qualifier": "at_least"}),
            ],
        )
    return db


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "brat"])
def test_round_trip_keeps_documents_spans_and_casualty_attrs(fmt, source, tmp_path):
    out = tmp_path / ("export" if fmt == "brat" else f"export.{fmt}.jsonl")
    result = run(source, "export", "--format", fmt, "--out", str(out))
    assert result.exit_code == 0, result.output
    target = tmp_path / "target.db"
    result = run(target, "import", "--as-gold", "--annotator", "migrated", str(out))
    assert result.exit_code == 0, result.output
    assert "Imported 3 gold annotation(s) of migrated" in result.output
    assert gold(target, "migrated") == gold(source, "amira")
    # and once more: exporting the imported gold gives the same file (jsonl/doccano)
    if fmt != "brat":
        again = tmp_path / "again.jsonl"
        assert run(target, "export", "--format", fmt, "--out", str(again)).exit_code == 0

        def strip(p):
            return [
                line.split(b'"timestamp"')[0].replace(b"migrated", b"amira")
                for line in p.read_bytes().splitlines()
            ]

        assert strip(again) == strip(out)


def test_jsonl_round_trip_keeps_extra_keys(source, tmp_path):
    out = tmp_path / "gold.jsonl"
    assert run(source, "export", "--tokens", "--out", str(out)).exit_code == 0
    target = tmp_path / "target.db"
    assert run(target, "import", "--as-gold", "--annotator", "m", str(out)).exit_code == 0
    with Store(target) as store:
        metas = [a.document.meta for a in store.annotations(annotator="m")]
    assert metas[0] == {"id": TEXT_A[:5]}  # tokens and provenance are not meta


def test_doccano_spans_added_in_doccano_get_attrs_from_the_normaliser(tmp_path):
    path = tmp_path / "doccano.jsonl"
    path.write_text(
        '{"text": "Nearly 150 were killed.", "label": [[0, 10, "KILLED"]]}\n', encoding="utf-8"
    )
    db = tmp_path / "t.db"
    assert run(db, "import", "--as-gold", "--annotator", "m", str(path)).exit_code == 0
    assert gold(db, "m")[0][2] == [(0, 10, "KILLED", {"value": 150, "qualifier": "nearly"})]


def test_brat_errors_name_the_file_and_line_and_write_nothing(tmp_path):
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("Two died.", encoding="utf-8")
    (folder / "a.ann").write_text(
        "T1\tKILLED 0 3\tTwo\nT2\tKILLED 0 2;3 4\tTw o\n", encoding="utf-8"
    )
    db = tmp_path / "t.db"
    result = run(db, "import", "--as-gold", "--annotator", "m", str(folder))
    assert result.exit_code == 2
    assert "a.ann:2: span text 'Tw o' does not match" in result.output
    assert gold(db, "m") == []


def test_a_casualty_span_without_a_count_re_imports_everywhere(tmp_path):
    """A hand-made KILLED span over words that are not a number: value and qualifier null."""
    from workbench.model import Span

    db = tmp_path / "source.db"
    text = "Several villagers were killed near Homs."
    with Store(db) as store:
        annotate(store, text, [Span(0, 17, "KILLED", {"value": None, "qualifier": None})])
    out = tmp_path / "gold.jsonl"
    assert run(db, "export", "--out", str(out)).exit_code == 0
    for args in (
        ["import", str(out)],
        ["import", "--as-gold", "--annotator", "m", str(out)],
    ):
        result = run(tmp_path / f"t{len(args)}.db", *args)
        assert result.exit_code == 0, result.output
    assert gold(tmp_path / "t5.db", "m") == [
        (text, "submitted", [(0, 17, "KILLED", {"value": None, "qualifier": None})])
    ]
    from workbench.jobs.evaluating import read_gold_file

    assert read_gold_file(out)[0][1][0].attrs == {"value": None, "qualifier": None}


@pytest.mark.parametrize("fmt", ["brat", "conll"])
def test_labels_brat_and_conll_cannot_hold_are_encoded(fmt, tmp_path):
    from workbench.model import Span

    db = tmp_path / "source.db"
    text = "Two civilians died.\u2028Next\tline\x0bhere."
    labels = ["CIVILIAN DEATHS", "50%", "A;B"]
    with Store(db) as store:
        annotate(
            store, text, [Span(0, 13, labels[0]), Span(14, 24, labels[1]), Span(25, 29, labels[2])]
        )
    out = tmp_path / ("brat" if fmt == "brat" else "gold.conll")
    assert run(db, "export", "--format", fmt, "--out", str(out)).exit_code == 0
    if fmt == "conll":
        lines = [line for line in out.read_text(encoding="utf-8").split("\n") if line]
        assert all(len(line.split()) == 4 for line in lines)
        assert "Two _ _ B-CIVILIAN%20DEATHS" in lines and "line _ _ B-A%3BB" in lines
        return
    ann = (out / "000001.ann").read_text(encoding="utf-8")
    assert ann.splitlines()[0] == "T1\tCIVILIAN%20DEATHS 0 13\tTwo civilians"
    assert len(ann.splitlines()) == 3  # no line broken by U+2028, a tab or VT
    target = tmp_path / "t.db"
    result = run(target, "import", "--as-gold", "--annotator", "m", "--add-labels", str(out))
    assert result.exit_code == 0, result.output
    assert [s[2] for s in gold(target, "m")[0][2]] == labels
    refused = run(tmp_path / "u.db", "import", "--as-gold", "--annotator", "m", str(out))
    assert refused.exit_code == 2 and "not in the configuration" in refused.output
