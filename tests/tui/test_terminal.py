"""The real `workbench` in a real terminal (tmux), and a SIGKILL in the middle."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from itertools import count
from pathlib import Path

import orjson
import pytest

from workbench.model import (
    ACCEPTED,
    IN_PROGRESS,
    REJECTED,
    SOURCE_MODEL,
    SOURCE_RULE,
    Span,
    link_of,
)
from workbench.store import NewDocument, Store

from .helpers import ROOT, SEED, VERSION, find, seed_db

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

TEXT = SEED.read_text(encoding="utf-8")


class Tmux:
    """One detached tmux session running a command, 100x30."""

    def __init__(self, name: str, command: list[str], cwd: Path) -> None:
        self.name = name
        env = {k: v for k, v in os.environ.items() if k != "TMUX"}
        env["TERM"] = "xterm-256color"
        shell = " ".join(_quote(c) for c in command)
        subprocess.run(
            ["tmux", "-L", name, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", shell],
            check=True,
            cwd=cwd,
            env=env,
        )

    def send(self, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "-L", self.name, "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.08)

    def screen(self) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.name, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
        )
        return out.stdout

    def wait_for(self, needle: str, timeout: float = 20) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            shown = self.screen()
            if needle in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never showed; screen:\n{self.screen()}")

    def pane_pid(self) -> int:
        out = subprocess.run(
            ["tmux", "-L", self.name, "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(out.stdout.split()[0])

    def ended(self, timeout: float = 10) -> bool:
        """Whether the command exited (its session closes with it) within `timeout`."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            alive = subprocess.run(
                ["tmux", "-L", self.name, "has-session", "-t", self.name], capture_output=True
            )
            if alive.returncode != 0:
                return True
            time.sleep(0.1)
        return False

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def workbench(db: Path, annotator: str, *args: str) -> list[str]:
    return [sys.executable, "-m", "workbench", "--db", str(db), "--annotator", annotator, *args]


# Each session's tmux socket gets a name of its own: a new server on the socket of one
# still shutting down (the previous test's) fails with "server exited unexpectedly".
_SESSIONS = count()


@pytest.fixture
def tmux(tmp_path):
    sessions: list[Tmux] = []

    def start(command: list[str]) -> Tmux:
        session = Tmux(f"wb{os.getpid()}t{next(_SESSIONS)}", command, ROOT)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.kill()


def test_annotate_in_tmux_then_export(tmp_path, tmux):
    db = seed_db(tmp_path / "annotations.db")
    term = tmux(workbench(db, "tess", "annotate"))
    term.wait_for("DUSHANBE")
    term.send("a")  # accept DUSHANBE
    term.send("x")  # reject "May 24, 2016"
    term.wait_for(" 3/31 ")  # the detail line: the third span is focused
    term.send("j", "j", "j", "j", "]")  # "The Islamic State" -> "Islamic State"
    term.wait_for("\u201cIslamic State\u201d")
    term.send("a", "s", "d")  # accept it, submit without the suggestions left pending
    term.wait_for("done 1/3")
    term.send("q")
    # The process ends once the prefetch worker is out of spaCy's model loading, which
    # it cannot leave midway: seconds on a loaded machine.
    assert term.ended(timeout=30), f"q did not quit; screen:\n{term.screen()}"
    out = tmp_path / "gold.jsonl"
    subprocess.run(
        workbench(db, "tess", "export", "--out", str(out)),
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    (line,) = out.read_bytes().splitlines()
    record = orjson.loads(line)
    assert record["annotator"] == "tess" and record["status"] == "submitted"
    spans = [(TEXT[s["start"] : s["end"]], s["label"]) for s in record["spans"]]
    assert spans == [("DUSHANBE", "GPE"), ("Islamic State", "ORG")]


def test_sigkill_mid_document_loses_nothing_committed(tmp_path, tmux):
    db = seed_db(tmp_path / "annotations.db")
    term = tmux(workbench(db, "kim", "annotate"))
    term.wait_for("DUSHANBE")
    term.send("s", "d")  # document 1 submitted, its suggestions left out
    term.wait_for("KABUL")
    term.send("a", "x")  # document 2: two decisions
    term.wait_for(" 3/4 ")  # the focus moved on: both decisions are on screen, so committed
    pid = _python_child(term.pane_pid())
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.3)
    with Store(db) as store:
        assert store.integrity_check() == "ok"
        assert store.next_document_id("kim") == 2
        annotation = store.open_annotation(2, "kim")
        assert annotation.status == IN_PROGRESS
        statuses = [s.status for s in annotation.spans]
        assert statuses[:2] == [ACCEPTED, REJECTED]
    # and the app resumes there
    again = tmux(workbench(db, "kim", "annotate"))
    again.wait_for("KABUL")
    assert "doc 2/3" in again.wait_for("doc 2/3")


# One short article: a casualty figure and, after it, who reported it, with no source
# suggested for the figure, so a link in the database can only come from the keyboard.
CLAIM_TEXT = (
    "BAGHDAD - At least 12 people were killed when a car bomb exploded in Karrada on "
    "Friday, the interior ministry said."
)
CLAIM_SUGGESTIONS = [
    ("BAGHDAD", "GPE", {}),
    ("At least 12", "KILLED", {"value": 12, "qualifier": "at_least"}),
    ("Karrada", "GPE", {}),
    ("interior ministry", "ORG", {}),
]


def claim_db(path: Path) -> Path:
    spans = []
    for needle, label, attrs in CLAIM_SUGGESTIONS:
        start, end = find(CLAIM_TEXT, needle)
        spans.append(Span(start, end, label, attrs, SOURCE_RULE if attrs else SOURCE_MODEL))
    with Store(path) as store:
        store.add_documents([NewDocument(CLAIM_TEXT, {}, "claims-0")])
        (doc_id,) = store.document_ids()
        store.save_suggestions([(doc_id, spans)], VERSION)
    return path


def test_link_a_source_by_keyboard_in_tmux_then_export_claims(tmp_path, tmux):
    db = claim_db(tmp_path / "annotations.db")
    with Store(db) as store:  # the figure comes with no source: the keys must link it
        assert all(link_of(s) is None for s in store.suggestions(1))
    term = tmux(workbench(db, "lee", "annotate"))
    term.wait_for("BAGHDAD")
    term.wait_for(" 1/4 ")
    term.send("j")  # BAGHDAD -> "At least 12"
    term.wait_for(" 2/4 ")
    term.send("r")  # link mode: the detail line names the figure being linked
    term.wait_for("source of \u201cAt least 12\u201d")
    term.send("j", "j", "Enter")  # past Karrada to "interior ministry"; link it
    term.wait_for("\u2190 interior mini")  # the figure's row in the span list (cut)
    term.send("s", "d")  # submit, the two place names left pending are left out
    term.wait_for("done 1/1")
    term.send("q")
    assert term.ended(timeout=30), f"q did not quit; screen:\n{term.screen()}"
    out = tmp_path / "claims.csv"
    subprocess.run(
        workbench(db, "lee", "export", "--format", "claims", "--out", str(out)),
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    with out.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1, rows  # one casualty figure, one row
    (row,) = rows
    assert (row["figure"], row["label"], row["value"], row["qualifier"]) == (
        "At least 12",
        "KILLED",
        "12",
        "at_least",
    )
    assert (row["source"], row["source_label"]) == ("interior ministry", "ORG")
    start, end = find(CLAIM_TEXT, "interior ministry")
    assert (row["source_start"], row["source_end"]) == (str(start), str(end))
    assert (row["annotator"], row["status"]) == ("lee", "submitted")
    # stored by the annotator's own link, not taken from a suggestion
    with Store(db) as store:
        assert all(link_of(s) is None for s in store.suggestions(1))
        links = [e for e in store.events(1) if e.action == "link"]
        assert [e.annotator for e in links] == ["lee"]
        (linked, *_) = links[0].after.spans
        assert linked.span.text_in(CLAIM_TEXT) == "At least 12"
        assert link_of(linked.span) == (start, end, "ORG")
        assert linked.status == ACCEPTED


def _python_child(pane_pid: int) -> int:
    """The workbench process: the pane's shell may exec it or run it as a child."""
    out = subprocess.run(
        ["ps", "-o", "pid=,ppid=,args=", "-ax"], capture_output=True, text=True
    ).stdout
    for line in out.splitlines():
        pid, ppid, args = line.split(None, 2)
        if (int(pid) == pane_pid or int(ppid) == pane_pid) and "workbench" in args:
            return int(pid)
    raise AssertionError(f"no workbench process under {pane_pid}:\n{out}")
