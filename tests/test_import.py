"""`workbench import`: formats, de-duplication, and every error path leaving the DB unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.interchange.readers import InputError
from workbench.jobs.importing import import_paths
from workbench.store import NewDocument, Store
from workbench.store.schema import SCHEMA_VERSION

from .conftest import db_snapshot, make_read_only


def run(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), "--annotator", "tester", *args])


def write_jsonl(path: Path, records: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_txt_folders_are_imported_recursively(tmp_path, db_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text("First article.", encoding="utf-8")
    (tmp_path / "in" / "sub" / "b.txt").write_text("Second article.", encoding="utf-8")
    (tmp_path / "in" / "notes.md").write_text("not an article", encoding="utf-8")
    result = run(db_path, "import", str(tmp_path / "in"))
    assert result.exit_code == 0, result.output
    assert "Imported 2 document(s) from 2 file(s); 0 already present." in result.output
    with Store(db_path) as store:
        docs = [store.document(i) for i in store.document_ids()]
    assert [d.text for d in docs] == ["First article.", "Second article."]
    assert docs[0].meta["meta"]["source"].endswith("in/a.txt")


def test_reimporting_is_a_noop_and_reported(tmp_path, db_path):
    src = write_jsonl(tmp_path / "d.jsonl", [{"text": "A."}, {"text": "B."}])
    run(db_path, "import", str(src))
    before = db_snapshot(db_path)
    result = run(db_path, "import", str(src))
    assert result.exit_code == 0
    assert "Imported 0 document(s) from 1 file(s); 2 already present." in result.output
    assert db_snapshot(db_path) == before


def test_interchange_spans_become_pre_annotations_and_extra_keys_are_kept(tmp_path, db_path):
    text = "Bombs killed nearly 150 people in Jableh."
    rec = {
        "text": text,
        "meta": {"source": "x"},
        "id": 7,
        "spans": [
            {"start": 13, "end": 23, "label": "KILLED", "value": 150, "qualifier": "nearly"},
            {"start": 34, "end": 40, "label": "GPE"},
        ],
    }
    assert run(db_path, "import", str(write_jsonl(tmp_path / "i.jsonl", [rec]))).exit_code == 0
    with Store(db_path) as store:
        [doc_id] = store.document_ids()
        assert store.document(doc_id).meta == {"meta": {"source": "x"}, "id": 7}
        spans = store.suggestions(doc_id)
    assert [(s.text_in(text), s.label, s.attrs, s.source) for s in spans] == [
        ("nearly 150", "KILLED", {"value": 150, "qualifier": "nearly"}, "import"),
        ("Jableh", "GPE", {}, "import"),
    ]


def test_doccano_labels_become_pre_annotations(tmp_path, db_path):
    rec = {"text": "Putin spoke.", "label": [[0, 5, "PERSON"]]}
    assert run(db_path, "import", str(write_jsonl(tmp_path / "d.jsonl", [rec]))).exit_code == 0
    with Store(db_path) as store:
        assert [(s.start, s.end, s.label) for s in store.suggestions(1)] == [(0, 5, "PERSON")]


BAD_LINES = [
    (b'{"text": "fine"}\n{"text": "broken\n', "2: malformed JSON"),
    (b'{"text": "fine"}\n{"text": "caf\xe9"}\n', "2: invalid UTF-8"),
    (
        b'{"text": "abc", "spans": [{"start": 0, "end": 9, "label": "GPE"}]}\n',
        "1: span GPE [0, 9) is outside the text (0..3)",
    ),
    (
        b'{"text": "abc", "spans": [{"start": 2, "end": 2, "label": "GPE"}]}\n',
        "1: span GPE [2, 2): start must be before end",
    ),
    (b'{"text": "abc", "spans": [{"start": -1, "end": 2, "label": "GPE"}]}\n', "outside the text"),
    (b'{"text": "abc", "label": [[0, 9, "GPE"]]}\n', "1: span GPE [0, 9) is outside"),
    (b'{"text": "abc", "spans": [{"start": 0, "end": 1}]}\n', "1: span without a label"),
    (
        b'{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "KILLED",'
        b' "qualifier": "lots"}]}\n',
        "1: unknown qualifier 'lots'",
    ),
    (
        b'{"text": "abc", "spans": [{"start": 0, "end": 1, "label": "KILLED", "value": "3"}]}\n',
        "1: span value must be an integer or null",
    ),
    (b'{"text": "fine"}\n["not", "an", "object"]\n', "2: expected a JSON object"),
    (b'{"body": "no text key"}\n', '1: missing or non-string "text"'),
    (b'{"text": "   "}\n', "1: empty document"),
    (b"\n\n", "no documents in file"),
]


@pytest.mark.parametrize(("content", "message"), BAD_LINES)
def test_a_bad_line_stops_the_file_and_writes_nothing(tmp_path, db_path, content, message):
    run(db_path, "import", str(write_jsonl(tmp_path / "ok.jsonl", [{"text": "Already here."}])))
    before = db_snapshot(db_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(content)
    result = run(db_path, "import", str(bad))
    assert result.exit_code == 2
    assert f"bad.jsonl:{message}" in result.output or message in result.output
    assert "bad.jsonl" in result.output
    assert db_snapshot(db_path) == before


def test_invalid_utf8_text_file_names_the_line(tmp_path, db_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"line one\nline two \xff\n")
    result = run(db_path, "import", str(bad))
    assert result.exit_code == 2
    assert "bad.txt:2: invalid UTF-8" in result.output


def test_empty_and_huge_text_files_are_refused(tmp_path, db_path, monkeypatch):
    (tmp_path / "empty.txt").write_text("\n  \n", encoding="utf-8")
    assert "empty.txt: empty document" in run(db_path, "import", str(tmp_path / "empty.txt")).output
    monkeypatch.setattr("workbench.interchange.readers.MAX_TEXT_CHARS", 10)
    (tmp_path / "huge.txt").write_text("x" * 11, encoding="utf-8")
    result = run(db_path, "import", str(tmp_path / "huge.txt"))
    assert result.exit_code == 2 and "huge.txt: document of 11 characters" in result.output


def test_missing_path_is_a_usage_error(tmp_path, db_path):
    result = run(db_path, "import", str(tmp_path / "nope.jsonl"))
    assert result.exit_code == 2
    assert "nope.jsonl: no such file or folder" in result.output


def test_skip_invalid_imports_the_good_lines_and_reports_the_bad(tmp_path, db_path):
    bad = tmp_path / "mixed.jsonl"
    bad.write_bytes(b'{"text": "good one"}\n{oops\n{"text": "good two"}\n')
    result = run(db_path, "import", "--skip-invalid", str(bad))
    assert result.exit_code == 0
    assert "mixed.jsonl:2: malformed JSON" in result.output
    assert "1 invalid line(s) skipped" in result.output
    with Store(db_path) as store:
        assert store.status().documents == 2


def test_a_bad_file_among_good_ones_leaves_earlier_files_whole(tmp_path, db_path):
    good = write_jsonl(tmp_path / "a.jsonl", [{"text": "A."}])
    bad = tmp_path / "b.jsonl"
    bad.write_bytes(b'{"text": "B."}\n{bad\n')
    with Store(db_path) as store, pytest.raises(InputError, match="b.jsonl:2"):
        import_paths(store, [good, bad])
    with Store(db_path) as store:
        assert [store.document(i).text for i in store.document_ids()] == ["A."]


def test_markup_and_escape_sequences_are_stored_verbatim(tmp_path, db_path):
    text = "[bold]x[/x] \x1b[31mred\x1b]0;title\x07 \u202eevil [@click=app.quit]"
    run(db_path, "import", str(write_jsonl(tmp_path / "m.jsonl", [{"text": text}])))
    with Store(db_path) as store:
        assert store.document(1).text == text


def _slow_import(tmp_path, db_path, last_line: bytes):
    """Import from a FIFO fed by a thread that pauses mid-file; while the import waits
    on it, another connection writes. Returns (what the import raised or returned,
    whether the other write got through)."""
    import os
    import threading

    from workbench.store import DatabaseBusy

    Store(db_path).close()
    fifo = tmp_path / "slow.jsonl"
    os.mkfifo(fifo)
    reading, resume = threading.Event(), threading.Event()
    first = b"".join(b'{"text": "Early %d."}\n' % i for i in range(4000))  # > one progress step
    outcome: list[object] = []

    def feed() -> None:
        with fifo.open("wb") as f:
            f.write(first)
            f.flush()
            resume.wait(30)
            f.write(last_line)

    def run_import() -> None:
        with Store(db_path) as store:
            try:
                outcome.append(import_paths(store, [fifo], report=lambda n: reading.set()))
            except InputError as e:
                outcome.append(e)

    threads = [threading.Thread(target=feed), threading.Thread(target=run_import)]
    for t in threads:
        t.start()
    try:
        assert reading.wait(30), "the import never started reading"
        with Store(db_path, busy_timeout=0.5) as other:
            try:
                other.add_documents([NewDocument("Written meanwhile.", {}, "t")])
                wrote = True
            except DatabaseBusy:
                wrote = False
    finally:
        resume.set()
        for t in threads:
            t.join(30)
    return outcome[0], wrote


def test_a_slow_source_does_not_hold_the_write_lock(tmp_path, db_path):
    result, wrote = _slow_import(tmp_path, db_path, b'{"text": "Late."}\n')
    assert wrote, "another writer got 'database is busy' while the import waited on its input"
    assert result.added == 4001
    with Store(db_path) as store:
        texts = [store.document(i).text for i in store.document_ids()]
    assert texts[0] == "Written meanwhile." and texts[1] == "Early 0." and texts[-1] == "Late."


def test_a_slow_source_is_still_all_or_nothing(tmp_path, db_path):
    result, wrote = _slow_import(tmp_path, db_path, b'{"text": 3}\n')
    assert wrote and isinstance(result, InputError) and ":4001:" in str(result)
    with Store(db_path) as store:
        assert [store.document(i).text for i in store.document_ids()] == ["Written meanwhile."]


def test_import_into_a_read_only_database_is_one_line_and_exit_1(small_disk, tmp_path):
    folder = small_disk or tmp_path / "ro"
    folder.mkdir(exist_ok=True)
    db = folder / "annotations.db"
    Store(db).close()
    src = write_jsonl(tmp_path / "d.jsonl", [{"text": "A."}])
    make_read_only(folder, mounted=small_disk is not None)
    try:
        result = run(db, "import", str(src))
    finally:
        if small_disk is None:
            folder.chmod(0o755)
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().endswith(
        "annotations.db is read-only: nothing can be saved"
        " (check the permissions of the file and of its folder)"
    )
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_a_database_from_a_newer_workbench_is_refused_by_commands(tmp_path, db_path):
    import sqlite3

    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version=9")
    conn.commit()
    conn.close()
    before = db_snapshot(db_path)
    result = run(db_path, "import", str(write_jsonl(tmp_path / "d.jsonl", [{"text": "A."}])))
    assert result.exit_code == 2
    known = f"knows up to {SCHEMA_VERSION}: upgrade workbench"
    assert f"has schema version 9; this workbench {known}" in result.stderr
    assert db_snapshot(db_path) == before
