"""The command line as a user runs it: first run, predict on the seed, export, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.model import Span
from workbench.store import Store

from .conftest import SEED, SEED_CASUALTIES


def workbench(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "WORKBENCH_ANNOTATOR": "tester"}
    env.pop("WORKBENCH_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )


@pytest.mark.slow
def test_predict_on_the_seed_gives_exactly_the_casualty_spans(tmp_path):
    result = workbench("predict", str(SEED), cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    [line] = result.stdout.decode().splitlines()
    record = json.loads(line)
    text = SEED.read_text(encoding="utf-8")
    assert record["text"] == text
    casualties = [s for s in record["spans"] if s["label"] in ("KILLED", "INJURED")]
    got = [
        (text[s["start"] : s["end"]], s["label"], s["value"], s["qualifier"]) for s in casualties
    ]
    assert got == SEED_CASUALTIES
    entity_labels = {s["label"] for s in record["spans"]} - {"KILLED", "INJURED"}
    # SOURCE: who reported a figure where that is no entity ("interior ministry official")
    assert entity_labels <= {"PERSON", "NORP", "ORG", "GPE", "LOC", "FAC", "DATE", "SOURCE"}
    assert "GPE" in entity_labels  # the real model ran


@pytest.mark.slow
def test_predict_reads_jsonl_from_stdin_and_keeps_other_keys(tmp_path):
    lines = b'{"text": "Two policemen were wounded.", "id": "a1"}\n{"text": "Quiet day."}\n'
    result = workbench("predict", "-", cwd=tmp_path, stdin=lines)
    assert result.returncode == 0, result.stderr.decode()
    first, second = (json.loads(x) for x in result.stdout.decode().splitlines())
    assert first["id"] == "a1"
    assert [
        (s["label"], s["value"], s["qualifier"]) for s in first["spans"] if s["label"] == "INJURED"
    ] == [("INJURED", 2, "exact")]
    assert second["spans"] == []


def test_predict_reports_bad_jsonl_with_file_and_line(tmp_path):
    bad = tmp_path / "in.jsonl"
    bad.write_text('{"text": "ok"}\n{"text": 5}\n', encoding="utf-8")
    result = workbench("predict", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert b'in.jsonl:2: missing or non-string "text"' in result.stderr


def test_predict_with_an_unknown_model_is_an_error(tmp_path, seed_text):
    result = workbench("predict", "--model", "no_such_pipeline", str(SEED), cwd=tmp_path)
    assert result.returncode == 2
    assert b"cannot load spaCy pipeline no_such_pipeline" in result.stderr


@pytest.mark.slow
def test_first_run_creates_the_database_seeds_it_and_suggests(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / SEED.name).write_text(SEED.read_text(encoding="utf-8"), "utf-8")
    result = workbench("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    assert "annotations.db: 1 documents, 1 suggested, 0 annotated" in result.stdout.decode()
    with Store(tmp_path / "annotations.db") as store:
        [doc_id] = store.document_ids()
        labels = [s.label for s in store.suggestions(doc_id)]
        assert store.document(doc_id).meta == {"meta": {"source": f"seeds/{SEED.name}"}}
    assert labels.count("KILLED") == 6 and labels.count("INJURED") == 2
    again = workbench("init", cwd=tmp_path)
    assert b"exists; nothing to do" in again.stderr


def test_export_writes_gold_with_provenance(db_path):
    with Store(db_path) as store:
        from .conftest import new_doc

        store.add_documents([new_doc("Ten died in Kabul.", meta={"source": "x"})])
        ann = store.open_annotation(1, "ann")
        store.add_span(ann.id, Span(0, 3, "KILLED", {"value": 10, "qualifier": "exact"}), "ann")
        store.add_span(ann.id, Span(12, 17, "GPE"), "ann")
        store.submit(ann.id, "ann")
        store.add_documents([new_doc("Not annotated.")])
    result = CliRunner().invoke(cli, ["--db", str(db_path), "export"])
    assert result.exit_code == 0, result.output
    [line] = [x for x in result.stdout.splitlines() if x.startswith("{")]
    rec = json.loads(line)
    assert rec["text"] == "Ten died in Kabul."
    assert rec["meta"] == {"source": "x"}
    assert rec["spans"] == [
        {"start": 0, "end": 3, "label": "KILLED", "value": 10, "qualifier": "exact"},
        {"start": 12, "end": 17, "label": "GPE"},
    ]
    assert rec["annotator"] == "ann" and rec["status"] == "submitted"
    assert len(rec["hash"]) == 16 and rec["timestamp"]
    other = CliRunner().invoke(cli, ["--db", str(db_path), "export", "--annotator", "bob"])
    assert "{" not in other.stdout


def _loaded_after(args: list[str], cwd: Path) -> list[str]:
    """Run the CLI's `main` with `args` in a fresh interpreter; the heavy modules it loaded."""
    code = (
        "import sys\nfrom workbench.cli import main\n"
        f"sys.argv = ['workbench', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "heavy = ('spacy', 'textual', 'sqlite_utils', 'numpy', 'thinc')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return json.loads(out.stderr.strip().splitlines()[-1].replace("'", '"'))


def test_help_loads_neither_spacy_nor_textual_nor_the_store(tmp_path):
    assert _loaded_after(["--help"], tmp_path) == []
    assert _loaded_after(["export", "--help"], tmp_path) == []


def test_status_loads_neither_spacy_nor_textual(db_path):
    Store(db_path).close()
    assert {"spacy", "textual"}.isdisjoint(
        _loaded_after(["--db", str(db_path), "status"], db_path.parent)
    )


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["stats"],
        ["export"],
        ["export", "--format", "conll"],
        ["evaluate", "--db"],
        ["train", "--out", "model"],
        ["review", "agreement"],
        ["review", "disagreements"],
        ["review", "log"],
        ["review", "adjudicate", "--agreed"],
    ],
)
def test_read_only_commands_refuse_a_missing_database_and_create_nothing(tmp_path, args):
    missing = tmp_path / "anotations.db"
    result = CliRunner().invoke(cli, ["--db", str(missing), *args])
    assert result.exit_code == 2, result.output
    assert (
        result.stderr == f"workbench: error: no database at {missing}; workbench init creates one\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def two_annotators(db_path: Path) -> Path:
    """One document submitted by amira and by bob (different spans), one by amira alone."""
    from .conftest import new_doc

    with Store(db_path) as store:
        store.add_documents([new_doc("Ten died in Kabul."), new_doc("Two hurt in Herat.")])
        for who, spans in (("amira", [Span(12, 17, "GPE")]), ("bob", [])):
            ann = store.open_annotation(1, who)
            for s in spans:
                store.add_span(ann.id, s, who)
            store.submit(ann.id, who)
        ann = store.open_annotation(2, "amira")
        store.submit(ann.id, "amira")
    return db_path


def test_export_never_writes_over_the_database_or_its_journal_files(two_annotators):
    db = two_annotators
    before = db.read_bytes()
    for target in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-journal")):
        for extra in ([], ["--force"]):
            result = CliRunner().invoke(
                cli, ["--db", str(db), "export", "--out", str(target), *extra]
            )
            assert result.exit_code == 2, result.output
            assert "database's own file" in result.stderr
            assert len(result.stderr.splitlines()) == 1
    assert db.read_bytes() == before
    status = CliRunner().invoke(cli, ["--db", str(db), "status"])
    assert "2 documents" in status.stdout


def test_export_refuses_an_existing_file_without_force(two_annotators, tmp_path):
    out = tmp_path / "gold.jsonl"
    out.write_text("yesterday's export\n", encoding="utf-8")
    args = ["--db", str(two_annotators), "export", "--out", str(out)]
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "yesterday's export\n"
    forced = CliRunner().invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


def test_export_warns_when_a_document_has_several_annotators_versions(two_annotators):
    result = CliRunner().invoke(cli, ["--db", str(two_annotators), "export"])
    assert result.exit_code == 0
    assert "warning: 1 document(s) exported with more than one annotation" in result.stderr
    assert "--gold best" in result.stderr and "workbench review adjudicate" in result.stderr
    best = CliRunner().invoke(cli, ["--db", str(two_annotators), "export", "--gold", "best"])
    assert best.exit_code == 0 and "warning" not in best.stderr
    assert len(best.stdout.splitlines()) == 2


def test_export_into_a_closed_pipe_stops_quietly(tmp_path):
    """`workbench export | head -1`: a real pipe whose reader goes away."""
    from .conftest import new_doc

    db = tmp_path / "big.db"
    with Store(db) as store:
        store.add_documents([new_doc(f"Document {i} about Kabul. " * 40) for i in range(400)])
        for doc_id in store.document_ids():
            ann = store.open_annotation(doc_id, "amira")
            store.submit(ann.id, "amira")
    env = {**os.environ, "WORKBENCH_ANNOTATOR": "tester"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench", "--db", str(db), "export"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what head does after its line: the export has ~400 kB still to write
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert json.loads(first)["annotator"] == "amira"
    assert err == "" and code in (0, 141), (code, err)


def test_unreadable_config_is_a_clear_error(tmp_path):
    bad = tmp_path / "workbench.toml"
    bad.write_text("[workbench\n", encoding="utf-8")
    result = workbench("--config", str(bad), "status", cwd=tmp_path)
    assert result.returncode == 2
    assert b"workbench.toml" in result.stderr


def test_config_init_writes_an_editable_file_that_loads(tmp_path):
    result = workbench("config", "init", cwd=tmp_path)
    assert result.returncode == 0
    text = (tmp_path / "workbench.toml").read_text(encoding="utf-8")
    (tmp_path / "workbench.toml").write_text(text.replace('key = "8"', 'key = "k"'), "utf-8")
    shown = workbench("config", "show", cwd=tmp_path).stdout.decode()
    assert "[k] KILLED" in shown


def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path):
    notdb = tmp_path / "annotations.db"
    notdb.write_text("this is not sqlite\n" * 100, encoding="utf-8")
    result = workbench("--db", str(notdb), "status", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.decode().strip() == "workbench: error: database: file is not a database"
    assert notdb.read_text(encoding="utf-8") == "this is not sqlite\n" * 100
