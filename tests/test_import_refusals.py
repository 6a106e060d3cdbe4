"""What `workbench import` refuses: one line `file:line: reason`, exit 2, nothing written.

Also: reading a file is pure (no store, no spaCy, no Textual in a fresh interpreter).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.store import Store

from .conftest import db_snapshot


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.add_documents([])
    return path


def refused(db: Path, path: Path, *args: str) -> str:
    """Import `path`, expect a one-line refusal naming it, and an unchanged database."""
    before = db_snapshot(db)
    result = run(db, "import", *args, str(path))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith(f"workbench: error: {path}"), lines[0]
    assert "Traceback" not in result.output and "\x1b" not in result.output
    assert db_snapshot(db) == before
    return lines[0]


def jsonl(tmp_path: Path, *records: dict | str, name: str = "in.jsonl") -> Path:
    path = tmp_path / name
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


TEXT = "Two people were killed in Homs."


@pytest.mark.parametrize(
    "label, why",
    [
        ("gpe", "label 'gpe' is not in the configuration; did you mean GPE?"),
        ("BANANA", "label 'BANANA' is not in the configuration"),
        ("GPE X", "label 'GPE X' is not in the configuration"),
        ("GPE\x1b]52;c;aGk=\x1b\\", "holds control or separator characters"),
        ("GPE\u2028", "holds control or separator characters"),
    ],
)
@pytest.mark.parametrize("gold", [False, True])
def test_labels_outside_the_configuration_are_refused(tmp_path, db, label, why, gold):
    span = {"start": 26, "end": 30, "label": label}
    path = jsonl(tmp_path, {"text": "ok"}, {"text": TEXT, "spans": [span]})
    args = ("--as-gold", "--annotator", "m") if gold else ()
    assert why in refused(db, path, *args)
    assert f"{path}:2:" in refused(db, path, *args)


def test_add_labels_accepts_new_well_formed_labels_only(tmp_path, db):
    spans = [{"start": 26, "end": 30, "label": "BANANA"}, {"start": 0, "end": 3, "label": "A B"}]
    path = jsonl(tmp_path, {"text": TEXT, "spans": spans})
    result = run(db, "import", "--add-labels", str(path))
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        assert {s.label for s in store.suggestions(1)} == {"BANANA", "A B"}
    bad = jsonl(tmp_path, {"text": TEXT, "spans": [{"start": 0, "end": 3, "label": "X\x1b[2J"}]})
    assert "control or separator" in refused(db, bad, "--add-labels")


@pytest.mark.parametrize(
    "span, why",
    [
        ({"start": 0, "end": 3, "label": "KILLED", "value": -2, "qualifier": "exact"}, "value"),
        ({"start": 0, "end": 3, "label": "KILLED", "value": 2.0, "qualifier": "exact"}, "value"),
        ({"start": 0, "end": 3, "label": "KILLED", "value": 10**11, "qualifier": None}, "value"),
        ({"start": 0, "end": True, "label": "GPE"}, "offsets must be integers"),
        ({"start": False, "end": 3, "label": "GPE"}, "offsets must be integers"),
        ({"start": 0, "end": 3, "label": "KILLED", "value": 2, "qualifier": "lots"}, "qualifier"),
    ],
)
def test_bad_values_and_offsets_are_refused(tmp_path, db, span, why):
    path = jsonl(tmp_path, {"text": TEXT, "spans": [span]})
    assert why in refused(db, path)


def test_null_value_and_qualifier_are_accepted(tmp_path, db):
    span = {"start": 0, "end": 3, "label": "KILLED", "value": None, "qualifier": None}
    path = jsonl(tmp_path, {"text": TEXT, "spans": [span]})
    assert run(db, "import", "--as-gold", "--annotator", "m", str(path)).exit_code == 0
    with Store(db) as store:
        [annotation] = store.annotations(annotator="m")
        assert [s.attrs for s in annotation.gold_spans()] == [{"value": None, "qualifier": None}]


@pytest.mark.parametrize(
    "line",
    [
        '{"text": "first", "text": "second"}',  # the fast path's shape
        '{"text": "x", "meta": {"a": 1, "a": 2}}',
        '{"text": "Homs", "spans": [{"start": 0, "end": 4, "end": 2, "label": "GPE"}]}',
        '{"text" : "spaced", "text" : "again"}',
    ],
)
def test_a_repeated_key_is_refused_with_its_line(tmp_path, db, line):
    path = jsonl(tmp_path, {"text": "fine"}, line)
    assert "appears twice in one object" in refused(db, path)
    assert f"{path}:2:" in refused(db, path)


def test_a_colon_quote_inside_a_string_is_not_a_repeated_key(tmp_path, db):
    path = jsonl(tmp_path, {"text": 'He said "no": twice', "meta": {"q": '"a": b'}})
    assert run(db, "import", str(path)).exit_code == 0


def test_nul_in_text_is_refused_with_the_line(tmp_path, db):
    path = jsonl(tmp_path, {"text": "fine"}, {"text": "bad\x00text"})
    assert f"{path}:2: NUL character in the text (offset 3)" in refused(db, path)
    txt = tmp_path / "nul.txt"
    txt.write_text("one\ntwo\x00\n", encoding="utf-8")
    assert f"{txt}:2: NUL character" in refused(db, txt)


def test_a_jsonl_with_a_byte_order_mark_is_read_like_a_txt(tmp_path, db):
    path = tmp_path / "bom.jsonl"
    rec = {"text": TEXT, "spans": [{"start": 26, "end": 30, "label": "GPE"}]}
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(rec).encode() + b"\n")
    result = run(db, "import", str(path))
    assert result.exit_code == 0, result.output
    with Store(db) as store:
        assert store.document(1).text == TEXT
        assert [s.text_in(TEXT) for s in store.suggestions(1)] == ["Homs"]


def test_an_unreadable_subfolder_is_reported(tmp_path, db, monkeypatch):
    top = tmp_path / "corpus"
    (top / "locked").mkdir(parents=True)
    (top / "a.txt").write_text("A document.", encoding="utf-8")
    (top / "locked" / "b.txt").write_text("Hidden document.", encoding="utf-8")
    if os.geteuid() == 0:  # root reads any folder: make this one fail as a locked one does
        real = os.scandir

        def scandir(path="."):
            if Path(path) == top / "locked":
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        (top / "locked").chmod(0)
    try:
        line = refused(db, top)
    finally:
        (top / "locked").chmod(0o755)
    assert line.endswith(f"{top / 'locked'}: cannot read folder: Permission denied")


def test_a_brat_ann_with_invalid_utf8_is_one_line(tmp_path, db):
    (tmp_path / "a.txt").write_text("Two died.", encoding="utf-8")
    (tmp_path / "a.ann").write_bytes(b"T1\tKILLED 0 3\tTwo\nT2\tGPE 4 8\t\xff\xfe\n")
    before = db_snapshot(db)
    result = run(db, "import", "--as-gold", "--annotator", "m", str(tmp_path / "a.txt"))
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"workbench: error: {tmp_path / 'a.ann'}:2: invalid UTF-8 (byte 29)"
    )
    assert db_snapshot(db) == before


def test_reading_a_file_loads_neither_the_store_nor_spacy_nor_textual(tmp_path):
    jsonl(tmp_path, {"text": TEXT, "spans": [{"start": 26, "end": 30, "label": "GPE"}]})
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.ann").write_text("T1\tGPE 26 30\tHoms\n", encoding="utf-8")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from workbench.interchange.readers import find_inputs, iter_file\n"
        "docs = [d for p in find_inputs([Path(sys.argv[1])]) for d in iter_file(p)]\n"
        "assert len(docs) == 2, docs\n"
        "print(sorted(m for m in ('sqlite3', 'spacy', 'textual') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert out.stdout.strip() == "[]"
