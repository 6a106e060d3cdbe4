"""The service-account deployment over real SSH on loopback (docs/server.md).

The set-up starts Debian's sshd (`openssh-server`, installed by .ci/run where
missing) on a free high port with a throwaway host key and `UsePAM no`, creates a
throwaway service account owning the database, and gives each person a key whose
forced command is `workbench ssh-entry NAME`. The account runs the system python3
with the venv's packages and the checkout on PYTHONPATH (the venv's interpreter may
sit under root's private home). Skipped, saying why, where sshd cannot start.

Not yet here (issue 10): two annotators annotating the same document with overlap 2
in tmux and a reviewer's review screen; neither routing nor that screen exists yet.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from workbench.store import Store

from ..conftest import REPO, new_doc

pytestmark = pytest.mark.slow

SSHD = Path("/usr/sbin/sshd")
PYTHON = Path("/usr/bin/python3")
ACCOUNT = f"wbtest{os.getpid()}"
PEOPLE = {"lead": "admin", "bob": "annotator", "rita": "reviewer"}


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, home: Path, port: int, db: Path) -> None:
        self.home, self.port, self.db = home, port, db

    def ssh(
        self, person: str, *command: str, tty: bool = False
    ) -> subprocess.CompletedProcess[str]:
        args = [
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
        return subprocess.run(args, capture_output=True, text=True, timeout=120)


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
    try:
        account = pwd.getpwnam(ACCOUNT)
        keys = home / "keys"
        keys.mkdir()
        db = home / "data" / "annotations.db"
        db.parent.mkdir()
        with Store(db) as store:
            store.add_documents([new_doc("Two people were killed in Kabul.")], annotator="lead")
            for name, role in PEOPLE.items():
                store.add_user(name, role, "lead")
            store.set_service_account(ACCOUNT, "lead")
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


def test_an_annotator_opens_the_annotator_over_ssh_t(server):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    session = f"wbssh{os.getpid()}"
    keys = server.home / "keys"
    command = (
        f"ssh -tt -p {server.port} -i {keys / 'bob'} -o BatchMode=yes"
        f" -o StrictHostKeyChecking=no -o UserKnownHostsFile={keys / 'known_hosts'}"
        f" -o LogLevel=ERROR {ACCOUNT}@127.0.0.1"
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "30", command], check=True
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with Store(server.db, read_only=True) as store:
                opened = [e for e in store.audit_log() if e.action == "open"]
            if opened:
                break
            time.sleep(0.5)
        assert opened and opened[0].annotator == "bob", "the annotator did not open as bob"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], check=False)
