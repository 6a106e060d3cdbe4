"""Nothing a CLI command prints can drive the terminal (issue 8, defect 3).

A database and input files full of hostile labels, annotator names, file names and
text (ESC and CSI sequences, OSC 52 that writes the clipboard, OSC 0 that retitles the
window, DCS, C1 controls U+0080-U+009F, Rich markup) go through every command that
prints; its stdout and stderr must hold no ESC and no C1 character, so no CSI, OSC or
DCS in either the 7-bit or the 8-bit form.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.model import Span
from workbench.store import Store

from .conftest import new_doc

OSC52 = "\x1b]52;c;aGFja2Vk\x1b\\"  # writes "hacked" to the clipboard
TITLE = "\x1b]0;owned\x07"
CSI = "\x1b[2J\x1b[31m"
DCS = "\x1bP1$qm\x1b\\"
C1 = "\x9b31m\x9d0;c1\x9c\x90q\x9c\x85"  # 8-bit CSI, OSC, ST, DCS, NEL
MARKUP = "[bold red]loud[/] [/x] [link=file:///etc/passwd]x[/link]"
HOSTILE = OSC52 + TITLE + CSI + DCS + C1 + MARKUP

LABEL = f"GPE{OSC52}"
LABEL_C1 = f"ORG{C1}"
EVE = f"eve{TITLE}{MARKUP}"
MAL = f"mal{C1}{CSI}"
TEXT = f"Ten people{HOSTILE} were killed in Kabul{DCS} on Monday."


def assert_inert(output: str, what: str) -> None:
    assert "\x1b" not in output, f"{what}: ESC in {output!r}"
    c1 = sorted({hex(ord(c)) for c in output if 0x80 <= ord(c) <= 0x9F})
    assert not c1, f"{what}: C1 controls {c1} in {output!r}"


def _at(part: str) -> tuple[int, int]:
    start = TEXT.index(part)
    return start, start + len(part)


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """Two hostile annotators who disagree on a hostile document with hostile labels."""
    db = tmp_path / f"db{CSI}{C1}.db"  # the database's own name is hostile too
    with Store(db) as store:
        store.add_documents(
            [new_doc(TEXT, source=HOSTILE), new_doc(f"Calm{C1} day.")],
            annotator=EVE,
            label=f"feed{OSC52}.jsonl",
        )
        for who, spans in (
            (EVE, [Span(*_at("Kabul"), LABEL), Span(*_at("Ten"), "KILLED", {"value": 10})]),
            (MAL, [Span(*_at("Monday"), LABEL_C1), Span(*_at("Kabul"), LABEL_C1)]),
        ):
            ann = store.open_annotation(1, who)
            for span in spans:
                store.add_span(ann.id, span, who)
            store.submit(ann.id, who)
    return db


def run(*args: str, stdin: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_the_fixture_really_is_hostile(hostile_db):
    with Store(hostile_db) as store:
        labels = {s.label for a in store.annotations() for s in a.gold_spans()}
        assert {LABEL, LABEL_C1} <= labels
        assert {a.annotator for a in store.annotations()} == {EVE, MAL}
    # and the raw export to a file keeps it: the mapping is for the terminal only
    out = hostile_db.parent / "raw.jsonl"
    assert run("--db", str(hostile_db), "export", "--out", str(out)).exit_code == 0
    lines = out.read_text(encoding="utf-8").split("\n")[:-1]  # not splitlines: NEL is in there
    raw = [json.loads(line) for line in lines]
    assert {r["annotator"] for r in raw} == {EVE, MAL} and raw[0]["text"] == TEXT


@pytest.mark.parametrize(
    "args",
    [
        ["status"],
        ["stats"],
        ["stats", "--json"],
        ["export"],
        ["export", "--format", "conll"],
        ["export", "--format", "doccano"],
        ["export", "--tokens", "--annotator", EVE],
        ["review", "agreement"],
        ["review", "agreement", "--json"],
        ["review", "disagreements"],
        ["review", "disagreements", "--annotator", EVE, "--annotator", MAL],
        ["review", "disagreements", "--annotator", EVE, "--annotator", f"nobody{OSC52}"],
        ["review", "log", "--limit", "0"],
        ["review", "log", "--json", "--limit", "0"],
        ["review", "log", "--annotator", MAL],
        ["review", "adjudicate", "1", "--take", MAL, "--reviewer", f"rev{TITLE}"],
        ["review", "adjudicate", "1", "--take", f"ghost{OSC52}"],
        ["config", "show"],
    ],
)
def test_commands_on_a_hostile_database_print_nothing_that_drives_a_terminal(hostile_db, args):
    result = run("--db", str(hostile_db), "--annotator", f"me{C1}", *args)
    assert result.output.strip() or result.stderr.strip(), "the command printed nothing"
    assert_inert(result.stdout, f"{args} stdout")
    assert_inert(result.stderr, f"{args} stderr")


def test_the_listings_still_show_the_hostile_strings_as_glyphs(hostile_db):
    out = run("--db", str(hostile_db), "review", "disagreements").stdout
    assert "GPE\u241b]52;c;aGFja2Vk\u241b\\" in out  # ␛ stands for ESC, one for one
    assert "[bold red]loud[/]" in out  # markup is shown, not obeyed


def test_import_errors_name_hostile_files_and_labels_inertly(tmp_path):
    bad = tmp_path / f"batch{TITLE}{C1}.jsonl"
    record = {"text": TEXT, "spans": [{"start": 0, "end": 3, "label": LABEL, "value": -1}]}
    bad.write_text(json.dumps(record) + "\n" + f"not json {HOSTILE}\n", encoding="utf-8")
    missing = tmp_path / f"missing{OSC52}.txt"
    db = tmp_path / "a.db"
    for args in (
        ["import", str(bad)],
        ["import", "--skip-invalid", str(bad)],
        ["import", str(missing)],
    ):
        result = run("--db", str(db), *args)
        assert result.stderr.strip(), f"{args}: no message"
        assert_inert(result.stdout, f"{args} stdout")
        assert_inert(result.stderr, f"{args} stderr")
    gold = run("--db", str(db), "import", "--as-gold", "--annotator", EVE, str(bad))
    assert_inert(gold.output, "import --as-gold")


def test_a_hostile_configuration_is_shown_inertly(tmp_path):
    config = tmp_path / "workbench.toml"
    name = json.dumps(f"BAD{OSC52}")  # TOML basic strings take JSON's escapes
    config.write_text(
        f'[labels.{name}]\nkind = "entity"\nkey = "z"\ndescription = {json.dumps(HOSTILE)}\n'
        f'[labels.{json.dumps(LABEL_C1)}]\nkind = "weird{C1}"\n'.replace("\x9b", "\\u009b"),
        encoding="utf-8",
    )
    result = run("--config", str(config), "config", "show")
    assert result.exit_code == 2  # the second label's kind is refused, naming it
    assert_inert(result.stderr, "config error")
    config.write_text(
        f'[labels.{name}]\nkind = "entity"\nkey = "z"\ndescription = {json.dumps(HOSTILE)}\n',
        encoding="utf-8",
    )
    shown = run("--config", str(config), "config", "show")
    assert shown.exit_code == 0 and "BAD\u241b]52" in shown.stdout
    assert_inert(shown.output, "config show")


@pytest.mark.slow
def test_predict_and_evaluate_on_hostile_input_print_nothing_that_drives_a_terminal(
    hostile_db, tmp_path
):
    predicted = run("predict", "-", stdin=json.dumps({"text": TEXT, "meta": HOSTILE}) + "\n")
    assert predicted.exit_code == 0, predicted.output
    assert json.loads(predicted.stdout)["text"] == TEXT  # the same value, escaped
    assert_inert(predicted.stdout, "predict stdout")
    assert_inert(predicted.stderr, "predict stderr")
    gold = tmp_path / f"gold{TITLE}.jsonl"
    spans = [{"start": s, "end": e, "label": LABEL} for s, e in (_at("Kabul"),)]
    gold.write_text(json.dumps({"text": TEXT, "spans": spans}) + "\n", encoding="utf-8")
    for args in (
        ["evaluate", str(gold), "--errors"],
        ["evaluate", str(gold), "--json", "--errors"],
        ["--db", str(hostile_db), "evaluate", "--db", "--errors"],
    ):
        result = run(*args)
        assert result.output.strip(), f"{args}: nothing printed"
        assert_inert(result.stdout, f"{args} stdout")
        assert_inert(result.stderr, f"{args} stderr")
