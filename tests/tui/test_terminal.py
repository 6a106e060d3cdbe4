"""The real `workbench` in a real terminal (tmux), and a SIGKILL in the middle."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from workbench.model import ACCEPTED, IN_PROGRESS, REJECTED
from workbench.store import Store

from .helpers import ROOT, SEED, seed_db

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


@pytest.fixture
def tmux(tmp_path):
    sessions: list[Tmux] = []

    def start(command: list[str]) -> Tmux:
        session = Tmux(f"wb{os.getpid()}{len(sessions)}", command, ROOT)
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
