"""An auditor's read-only session on a database whose files they cannot write.

Run as root, the test drops to `nobody` with `setpriv` (root can write anything
whatever the mode bits say). The project's venv may sit under a private home, so
the other account runs the system python3 with the venv's site-packages and the
checkout on PYTHONPATH, from a folder it can read.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from workbench.store import Store

from .conftest import REPO, new_doc

SYSTEM_PYTHON = Path("/usr/bin/python3")
NOBODY = 65534

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None or not SYSTEM_PYTHON.exists(),
    reason="needs root, setpriv and /usr/bin/python3 to run as an account that cannot write",
)


@pytest.fixture
def shared_dir():
    """A folder the other account can read and not write (the tmp_path is root's 0700)."""
    path = Path(tempfile.mkdtemp(prefix="wb-ro-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


def _audited_db(folder: Path) -> Path:
    db = folder / "team.db"
    with Store(db) as store:
        store.add_documents([new_doc("Two people were killed.")], annotator="lead")
        store.add_user("lead", "admin", "lead")
        store.add_user("nobody", "auditor", "lead")
    db.chmod(0o644)
    return db


def _as_nobody(folder: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    site = sysconfig.get_paths()["purelib"]
    env = {
        "HOME": str(folder),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONPATH": f"{REPO}{os.pathsep}{site}",
        "PATH": "/usr/bin:/bin",
    }
    python = SYSTEM_PYTHON if sys.version_info[:2] == _system_version() else None
    if python is None:
        pytest.skip("the system python3 is not the venv's version: its packages would not load")
    command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    return subprocess.run(
        [*command, str(python), "-m", "workbench", "--db", str(db), *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _system_version() -> tuple[int, int]:
    out = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys; print(*sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def _files(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def test_auditor_reads_a_cleanly_closed_wal_database_it_cannot_write(shared_dir):
    db = _audited_db(shared_dir)
    before = _files(shared_dir)
    log = _as_nobody(shared_dir, db, "review", "log")
    status = _as_nobody(shared_dir, db, "status")
    assert log.returncode == 0, log.stderr
    assert "import 1 document(s)" in log.stdout
    assert status.returncode == 0 and "1 documents" in status.stdout
    # No -wal/-shm could be made: the fallback is said, not silent.
    assert "opened as immutable" in log.stderr
    assert _files(shared_dir) == before


def test_auditor_reads_a_database_in_use_through_its_unwritable_shm(shared_dir):
    db = _audited_db(shared_dir)
    with Store(db) as writer:  # an annotator has it open: -wal and -shm exist
        writer.add_documents([new_doc("Three more were injured.")], annotator="lead")
        for name in ("team.db-wal", "team.db-shm"):
            (shared_dir / name).chmod(0o644)
        before = _files(shared_dir)
        # -writer: the writers' queue file (store/writelock.py); the auditor never opens it.
        assert set(before) == {"team.db", "team.db-wal", "team.db-shm", "team.db-writer"}
        log = _as_nobody(shared_dir, db, "review", "log")
        status = _as_nobody(shared_dir, db, "status")
        assert _files(shared_dir) == before
    assert log.returncode == 0, log.stderr
    assert "immutable" not in log.stderr  # read through the WAL: the latest import is seen
    assert status.returncode == 0 and "2 documents" in status.stdout, status.stderr


def test_auditor_cannot_run_a_command_that_writes(shared_dir):
    db = _audited_db(shared_dir)
    before = _files(shared_dir)
    (shared_dir / "x.txt").write_text("One died.", encoding="utf-8")
    result = _as_nobody(shared_dir, db, "import", "x.txt")
    assert result.returncode == 2
    assert result.stderr.endswith(
        "workbench: error: nobody is an auditor; importing documents needs the admin role\n"
    )
    assert {k: v for k, v in _files(shared_dir).items() if k != "x.txt"} == before


def test_read_only_refuses_a_writing_command_for_anyone(tmp_path):
    from click.testing import CliRunner

    from workbench.cli import cli

    db = tmp_path / "solo.db"
    Store(db).close()
    mode = stat.S_IMODE(db.stat().st_mode)
    result = CliRunner().invoke(cli, ["--db", str(db), "--read-only", "import", "x.txt"])
    assert result.exit_code == 2
    assert result.output == (
        "workbench: error: import writes the database; it cannot run read-only\n"
    )
    assert stat.S_IMODE(db.stat().st_mode) == mode
