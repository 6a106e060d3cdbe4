"""Shared fixtures: a real store on a temporary file, paths to the repo's data."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from workbench.store import NewDocument, Store

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_1de0ab2445ac15c1.txt"
SHARED = REPO.parent / "shared"

# The casualty spans the seed article must get, in order (the foundation issue pins them).
SEED_CASUALTIES = [
    ("more than 100", "KILLED", 100, "more_than"),
    ("around 200", "INJURED", 200, "approx"),
    ("More than 33", "KILLED", 33, "more_than"),
    ("more than 100", "KILLED", 100, "more_than"),
    ("dozens", "KILLED", None, "vague"),
    ("nearly 150", "KILLED", 150, "nearly"),
    ("at least 200", "INJURED", 200, "at_least"),
    ("at least 250,000", "KILLED", 250000, "at_least"),
]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations.db"


@pytest.fixture
def store(db_path: Path):
    with Store(db_path) as s:
        yield s


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def new_doc(text: str, **meta) -> NewDocument:
    return NewDocument(text=text, meta=meta, source="test")


def db_snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table: to assert that a failed operation changed nothing."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


@pytest.fixture
def small_disk(tmp_path):
    """A folder on a small tmpfs when this user may mount one (root); else None."""
    folder = tmp_path / "mnt"
    folder.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        yield None
        return
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        yield None
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def make_read_only(folder: Path, *, mounted: bool) -> None:
    """Make `folder` (and the files in it) unwritable: remount a `small_disk` read-only
    (root ignores file modes), else take the write bits away."""
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        return
    for f in folder.iterdir():
        f.chmod(0o444)
    folder.chmod(0o555)
