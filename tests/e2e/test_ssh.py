"""The service-account deployment over real SSH on loopback (docs/server.md).

The set-up starts Debian's sshd (`openssh-server`, installed by .ci/run where
missing) on a free high port with a throwaway host key and `UsePAM no`, creates a
throwaway service account owning the database, and gives each person a key whose
forced command is `workbench ssh-entry NAME`. The account runs the system python3
with the venv's packages and the checkout on PYTHONPATH (the venv's interpreter may
sit under root's private home). The team's `workbench.toml` (`overlap = 2`) lies in
the account's home, the forced command's working directory, as docs/server.md says;
the documents' suggestions are computed at set-up with the real pipeline, so the
annotators' own prefetch finds nothing to add. Skipped, saying why, where sshd
cannot start.

The team at work, driven in tmux through `ssh -tt` with each person's key: bob and
amira are routed the same document (overlap 2); bob accepts its first suggestion,
amira rejects it, both submit (accepting the rest) and quit; rita opens `review`,
opens the document from the queue, takes bob's version of the contested span,
accepts the agreed ones and submits. The database then holds rita's reviewed gold
and every decision under its person's name, and bob asking for `review` or to act
as someone else is refused. Effects are awaited by polling the database read-only
(and the screen, for what only the screen shows), never by fixed sleeps.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator
from itertools import count
from pathlib import Path

import orjson
import pytest

from workbench.config import load_config
from workbench.model import ACCEPTED, REVIEWED, Event
from workbench.store import Store

from ..conftest import REPO, new_doc

pytestmark = pytest.mark.slow

SSHD = Path("/usr/sbin/sshd")
PYTHON = Path("/usr/bin/python3")
ACCOUNT = f"wbtest{os.getpid()}"
PEOPLE = {"lead": "admin", "bob": "annotator", "amira": "annotator", "rita": "reviewer"}
# Document 1 has several suggestions, the first a casualty count ("Two" KILLED);
# document 2 is where routing sends each annotator after document 1.
TEXT = "Two people were killed and five were injured in Kabul on Friday."
OTHER = "A market reopened in Herat on Sunday after the floods."
SHOWN = "people were killed"  # on screen once document 1 is (the focus marks "Two")
TEAM_CONFIG = "[workbench]\noverlap = 2\n"
WAIT_S = 45.0  # the longest any one effect may take (the annotator loads spaCy too)


def _why_not() -> str | None:
    if os.geteuid() != 0:
        return "needs root to create a throwaway service account and start sshd"
    for tool in (SSHD, PYTHON):
        if not tool.exists():
            return f"{tool} is missing (Debian openssh-server / python3; .ci/run installs sshd)"
    for tool in ("ssh", "ssh-keygen", "useradd", "userdel"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    out = subprocess.run(
        [str(PYTHON), "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
    ).stdout.split()
    if tuple(map(int, out)) != sys.version_info[:2]:
        return "the system python3 is not the venv's version: its packages would not load"
    return None


def _suggest(store: Store, config_path: Path) -> None:
    """Every document's suggestions, as the annotator's prefetch would compute them
    with the team's configuration (the same model version: it recomputes nothing)."""
    from workbench.jobs.suggesting import store_suggester

    suggester = store_suggester(store, load_config(config_path))
    ids = store.document_ids()
    texts = [store.document(i).text for i in ids]
    store.save_suggestions(zip(ids, suggester.suggest(texts), strict=True), suggester.version)


def _wait_for_no_processes(uid: int | None) -> None:
    """Let the sessions of the account end (sshd hangs them up) before it is removed."""
    deadline = time.monotonic() + 10
    while uid is not None and time.monotonic() < deadline:
        found = subprocess.run(["ps", "-o", "pid=", "-u", str(uid)], capture_output=True)
        if not found.stdout.strip():
            return
        time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, home: Path, port: int, db: Path) -> None:
        self.home, self.port, self.db = home, port, db

    def ssh_args(self, person: str, *command: str, tty: bool = False) -> list[str]:
        return [
            "ssh",
            "-p",
            str(self.port),
            "-i",
            str(self.home / "keys" / person),
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            f"UserKnownHostsFile={self.home / 'keys' / 'known_hosts'}",
            "-o",
            "LogLevel=ERROR",
            *(["-tt"] if tty else ["-T"]),
            "--",  # the remote command may start with '-'
            f"{ACCOUNT}@127.0.0.1",
            *command,
        ]

    def ssh(
        self, person: str, *command: str, tty: bool = False
    ) -> subprocess.CompletedProcess[str]:
        args = self.ssh_args(person, *command, tty=tty)
        return subprocess.run(args, capture_output=True, text=True, timeout=120)

    def events(self, after: int = 0) -> list[Event]:
        """The audit trail after event `after`, read as an auditor would (read-only)."""
        with Store(self.db, read_only=True) as store:
            return [e for e in store.audit_log() if e.id > after]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    reason = _why_not()
    if reason:
        pytest.skip(reason)
    home = Path(tempfile.mkdtemp(prefix="wb-ssh-"))
    home.chmod(0o755)
    subprocess.run(
        # Password '*': no password, but not locked ('!'), which sshd without PAM refuses.
        ["useradd", "-M", "-d", str(home), "-s", "/bin/sh", "-p", "*", ACCOUNT],
        check=True,
    )
    sshd = None
    account = None
    try:
        account = pwd.getpwnam(ACCOUNT)
        keys = home / "keys"
        keys.mkdir()
        db = home / "data" / "annotations.db"
        db.parent.mkdir()
        (home / "workbench.toml").write_text(TEAM_CONFIG)
        with Store(db) as store:
            store.add_documents([new_doc(TEXT), new_doc(OTHER)], annotator="lead")
            for name, role in PEOPLE.items():
                store.add_user(name, role, "lead")
            store.set_service_account(ACCOUNT, "lead")
            _suggest(store, home / "workbench.toml")
        site = sysconfig.get_paths()["purelib"]
        entry = (
            f"env PYTHONPATH={REPO}:{site} PYTHONDONTWRITEBYTECODE=1"
            f" {PYTHON} -m workbench --db {db} ssh-entry"
        )
        lines = []
        for name in PEOPLE:
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)],
                check=True,
            )
            public = (keys / f"{name}.pub").read_text().strip()
            lines.append(
                f'command="{entry} {name}",no-port-forwarding,no-agent-forwarding,'
                f"no-X11-forwarding {public}"
            )
        ssh_dir = home / ".ssh"
        ssh_dir.mkdir(mode=0o700)
        (ssh_dir / "authorized_keys").write_text("\n".join(lines) + "\n")
        (ssh_dir / "authorized_keys").chmod(0o600)
        for path in (ssh_dir, ssh_dir / "authorized_keys", db.parent, *db.parent.iterdir()):
            os.chown(path, account.pw_uid, account.pw_gid)
        db.parent.chmod(0o700)
        db.chmod(0o600)
        host_key = home / "host_key"
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True
        )
        port = _free_port()
        config = home / "sshd_config"
        config.write_text(
            f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nUsePAM no\n"
            f"PidFile {home / 'sshd.pid'}\nAuthorizedKeysFile .ssh/authorized_keys\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nStrictModes no\n"
            f"AllowUsers {ACCOUNT}\nPermitUserEnvironment no\n"
        )
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation directory
        log = home / "sshd.log"
        sshd = subprocess.Popen([str(SSHD), "-D", "-E", str(log), "-f", str(config)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if sshd.poll() is not None:
                pytest.skip(f"sshd cannot start: {log.read_text()[-300:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        else:
            pytest.skip("sshd did not listen within 20 s")
        yield Server(home, port, db)
    finally:
        if sshd is not None:
            sshd.terminate()
            sshd.wait(timeout=10)
        _wait_for_no_processes(account.pw_uid if account else None)
        subprocess.run(["userdel", ACCOUNT], check=False)
        shutil.rmtree(home, ignore_errors=True)


def test_a_reviewer_gets_the_figures_as_the_name_on_their_key(server):
    result = server.ssh("rita", "stats", "--json")
    assert result.returncode == 0, result.stderr
    assert orjson.loads(result.stdout)["agreement"]["documents"] == 0
    log = server.ssh("rita", "review", "log")
    assert log.returncode == 0 and "service-account" in log.stdout


def test_an_annotator_asking_for_review_or_for_someone_else_is_refused(server):
    refused = server.ssh("bob", "review", "log")
    assert refused.returncode == 2
    assert "bob is an annotator; reading everyone's work needs" in refused.stderr
    other = server.ssh("bob", "--annotator", "rita", "annotate")
    assert other.returncode == 2
    assert "bob: over SSH you may run only" in other.stderr


def test_there_is_no_shell(server):
    for command in (["bash"], ["sh", "-c", "id"], ["cat", "data/annotations.db"]):
        result = server.ssh("lead", *command)
        assert result.returncode == 2
        assert "over SSH you may run only" in result.stderr
        assert "uid=" not in result.stdout and "SQLite" not in result.stdout


def _wait(done: Callable[[], object], what: str, screen: Callable[[], str] = str) -> None:
    """Poll until `done()` is true; else fail saying what did not happen and showing
    the screen."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.2)
    pytest.fail(f"{what} within {WAIT_S:.0f} s; the screen:\n{screen()}")


_TERMINALS = count()  # each terminal's tmux socket gets a name of its own


class Terminal:
    """One person's `ssh -tt` in a detached tmux session of 100x30, on a tmux server of
    its own (`-L`, a socket named once per terminal): a new server on the socket of one
    still shutting down (the default server's, or a name used by the previous test) made
    `new-session` fail ("server exited unexpectedly"). The exit status of ssh is written
    to a file when it ends."""

    def __init__(self, server: Server, person: str, *command: str) -> None:
        self.person = person
        self.name = f"wbssh{os.getpid()}{person}{next(_TERMINALS)}"
        self.status = server.home / f"{person}.status"
        self.status.unlink(missing_ok=True)
        ssh = shlex.join(server.ssh_args(person, *command, tty=True))
        script = f"{ssh}; echo $? > {shlex.quote(str(self.status))}"
        subprocess.run(
            [
                "tmux",
                "-L",
                self.name,
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "100",
                "-y",
                "30",
                script,
            ],
            check=True,
        )

    def screen(self) -> str:
        shown = subprocess.run(
            ["tmux", "-L", self.name, "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
        )
        return shown.stdout if shown.returncode == 0 else f"(no pane: {shown.stderr.strip()})"

    def shows(self, text: str) -> bool:
        return text in self.screen()

    def wait_for(self, text: str, what: str) -> None:
        _wait(lambda: self.shows(text), f"{self.person}: {what}", self.screen)

    def press(self, *keys: str) -> None:
        subprocess.run(["tmux", "-L", self.name, "send-keys", "-t", self.name, *keys], check=True)

    def exit_status(self) -> int | None:
        try:
            return int(self.status.read_text())
        except (OSError, ValueError):
            return None

    def wait_exit(self) -> int:
        _wait(
            lambda: self.exit_status() is not None, f"{self.person}: ssh did not end", self.screen
        )
        status = self.exit_status()
        assert status is not None
        return status

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)


@pytest.fixture
def tmux() -> Iterator[Callable[..., Terminal]]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    opened: list[Terminal] = []

    def start(server: Server, person: str, *command: str) -> Terminal:
        opened.append(Terminal(server, person, *command))
        return opened[-1]

    yield start
    for terminal in opened:
        terminal.close()


def test_an_annotator_opens_the_annotator_over_ssh_t(server, tmux):
    before = server.events()[-1].id
    bob = tmux(server, "bob")
    _wait(
        lambda: any(e.action == "open" for e in server.events(before)),
        "the annotator did not open a document",
        bob.screen,
    )
    opened = [e for e in server.events(before) if e.action == "open"]
    assert opened[0].annotator == "bob" and opened[0].doc_id == 1
    bob.wait_for(SHOWN, "the document is not on the screen")


def _focused_row(screen: str) -> list[str]:
    """The words of the focused row of the review screen's span list ([] if none)."""
    for line in screen.splitlines():
        if "▶" in line:
            return line.split("▶", 1)[1].split()
    return []


def _span_of(event: Event) -> tuple[int, int, str]:
    assert event.after is not None and len(event.after.spans) == 1
    span = event.after.spans[0].span
    return span.start, span.end, span.label


def _one(events: list[Event], who: str, action: str, doc_id: int = 1) -> Event:
    found = [e for e in events if (e.annotator, e.action, e.doc_id) == (who, action, doc_id)]
    assert len(found) == 1, f"{who} {action}: {[(e.annotator, e.action) for e in events]}"
    return found[0]


def test_two_annotators_and_a_reviewer_over_ssh(server, tmux):
    """overlap 2: bob and amira get document 1; bob accepts and amira rejects its first
    suggestion ("Two" KILLED); rita takes bob's version and submits reviewed gold."""
    start = server.events()[-1].id
    bob, amira = tmux(server, "bob"), tmux(server, "amira")
    for terminal in (bob, amira):
        terminal.wait_for(SHOWN, "document 1 is not on the screen (routing, overlap 2)")
    # The annotator opens on the first pending suggestion: accept it / reject it.
    bob.press("a")
    amira.press("x")
    _wait(
        lambda: (
            {(e.annotator, e.action) for e in server.events(start)}
            >= {("bob", "accept"), ("amira", "reject")}
        ),
        "bob's accept and amira's reject are not in the database",
        lambda: bob.screen() + amira.screen(),
    )
    for terminal in (bob, amira):
        terminal.press("s")
        terminal.wait_for("still pending", "submitting did not ask about pending suggestions")
        terminal.press("a")  # accept them and submit
    _wait(
        lambda: (
            {(e.annotator, e.action, e.doc_id) for e in server.events(start)}
            >= {("bob", "submit", 1), ("amira", "submit", 1)}
        ),
        "both submissions of document 1 are not in the database",
        lambda: bob.screen() + amira.screen(),
    )
    for terminal in (bob, amira):
        terminal.wait_for(OTHER[:20], "routing did not go on to document 2 after submitting")
        terminal.press("q")
    assert bob.wait_exit() == 0 and amira.wait_exit() == 0

    events = server.events(start)
    taken = _span_of(_one(events, "bob", "accept"))
    assert taken == (0, 3, "KILLED")  # the first suggestion: "Two" people were killed
    assert _span_of(_one(events, "amira", "reject")) == taken
    # Nobody else was given document 1 or another's work: each event names its person.
    assert {e.annotator for e in events if e.doc_id == 1} == {"bob", "amira"}

    rita = tmux(server, "rita", "review")
    rita.wait_for("1 to review", "the review queue does not list document 1")
    assert "rita" in rita.screen() and "amira, bob" in rita.screen()
    rita.press("Enter")
    # Opening focuses the first contested span (▶, ≠): the one bob has and amira rejected.
    _wait(
        lambda: _focused_row(rita.screen()) == ["≠", "KILLED", "Two", "=2", "bob"],
        "the document did not open from the queue on its contested span",
        rita.screen,
    )
    before = server.events()[-1].id
    rita.press("a")
    _wait(
        lambda: any(e.action == "review_take" for e in server.events(before)),
        "rita's take is not in the database",
        rita.screen,
    )
    rita.wait_for("take bob's version", "the history pane does not show the take")
    rita.press("A")
    _wait(
        lambda: any(e.action == "review_agreed" for e in server.events(before)),
        "accepting the agreed spans is not in the database",
        rita.screen,
    )
    rita.press("s")
    _wait(
        lambda: any(e.action == "submit_review" for e in server.events(before)),
        "rita's reviewed gold was not submitted",
        rita.screen,
    )
    rita.wait_for("0 to review, 1 reviewed", "the queue does not show document 1 reviewed")
    rita.press("q")
    assert rita.wait_exit() == 0

    events = server.events(start)
    take = _one(events, "rita", "review_take")
    assert _span_of(take) == taken
    assert take.after is not None and take.after.notes["take"] == ["bob"]
    assert _one(events, "rita", "submit_review").after.notes["gold_spans"] == 4
    with Store(server.db, read_only=True) as store:
        gold = [a for a in store.review_annotations(1) if a.status == REVIEWED]
        versions = {a.annotator: a for a in store.review_annotations(1) if a.status != REVIEWED}
    assert [a.annotator for a in gold] == ["rita"]

    def accepted(annotation) -> set[tuple[int, int, str]]:
        return {(s.span.start, s.span.end, s.span.label) for s in annotation.spans
                if s.status == ACCEPTED}  # fmt: skip

    assert accepted(gold[0]) == accepted(versions["bob"])
    assert accepted(versions["amira"]) == accepted(versions["bob"]) - {taken}

    # The same SSH keeps bob to his own work: no review screen, no one else's name.
    for command in (
        ["review"],
        ["--annotator", "amira", "annotate"],
        ["annotate", "--annotator", "amira"],
    ):
        refused = server.ssh("bob", *command)
        assert refused.returncode == 2, (command, refused.stdout, refused.stderr)
        assert refused.stderr.startswith("workbench: error: bob")
    assert "bob is an annotator" in server.ssh("bob", "review").stderr
    assert server.events()[-1].id == events[-1].id  # the refusals wrote nothing
