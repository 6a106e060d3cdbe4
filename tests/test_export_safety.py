"""An export never harms what is there: the database, an existing file, a folder's
other files; a killed or disk-full export leaves the previous target whole."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from workbench.interchange.output import TargetError
from workbench.jobs.export import Selection, dev_count, export
from workbench.model import NewDocument, Span
from workbench.store import Store

from .conftest import db_snapshot

REPO = Path(__file__).resolve().parents[1]


def corpus(db: Path, n: int, annotators: tuple[str, ...] = ("amira",), first: int = 0) -> None:
    docs = [
        NewDocument(
            f"Report {i}: at least {i % 90 + 2} people were killed in Homs.",
            {"n": i},
            "t",
            (Span(10 + len(str(i)), 18 + len(str(i)) + len(str(i % 90 + 2)), "KILLED"),),
        )
        for i in range(first, first + n)
    ]
    with Store(db) as store:
        for name in annotators:
            store.save_gold(docs, name)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    corpus(path, 6)
    return path


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("fmt", ["jsonl", "conll", "doccano"])
def test_the_database_files_are_never_a_target(db, suffix, fmt):
    target = db.with_name(db.name + suffix)
    with Store(db) as store:
        before = db_snapshot(db)
        with pytest.raises(TargetError, match="the database's own file"):
            export(store, Selection(), fmt, target, force=True)
        assert store.integrity_check() == "ok"
    assert db_snapshot(db) == before
    if suffix == "-journal":
        assert not target.exists()


def test_a_folder_holding_the_database_is_never_replaced(db):
    with Store(db) as store, pytest.raises(TargetError, match="holds the database"):
        export(store, Selection(), "brat", db.parent, force=True)
    assert db.exists()


def test_an_existing_file_needs_force(db, tmp_path):
    out = tmp_path / "gold.jsonl"
    out.write_text("yesterday's export\n", encoding="utf-8")
    with Store(db) as store:
        with pytest.raises(TargetError, match="exists: use --force"):
            export(store, Selection(), "jsonl", out)
        assert out.read_text(encoding="utf-8") == "yesterday's export\n"
        export(store, Selection(), "jsonl", out, force=True)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 6
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_forced_folder_export_leaves_no_stale_shard(db, tmp_path):
    out = tmp_path / "corpus"
    with Store(db) as store:
        first = export(store, Selection(), "spacy", out, dev_fraction=0.5)
        assert (first.train, first.dev) == (3, 3) and (out / "dev").is_dir()
        export(store, Selection(), "spacy", out, force=True)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "train",
        "train/0000.spacy",
    ]


def test_a_forced_folder_export_never_removes_other_files(db, tmp_path):
    out = tmp_path / "notes"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"years of work")
    with Store(db) as store, pytest.raises(TargetError, match="holds thesis.docx"):
        export(store, Selection(), "brat", out, force=True)
    assert (out / "thesis.docx").read_bytes() == b"years of work"


@pytest.mark.parametrize(
    "n, fraction, dev", [(6, 0.2, 1), (2, 0.5, 1), (2, 0.01, 1), (2, 0.99, 1), (10, 0.25, 3)]
)
def test_split_is_the_nearest_count_and_never_empties_a_side(tmp_path, n, fraction, dev):
    assert dev_count(n, fraction) == dev
    db = tmp_path / "s.db"
    corpus(db, n)
    with Store(db) as store:
        result = export(store, Selection(), "spacy", tmp_path / "c", dev_fraction=fraction, seed=1)
    assert (result.train, result.dev) == (n - dev, dev)


def test_split_depends_on_the_seed_and_is_stable(tmp_path):
    db = tmp_path / "s.db"
    corpus(db, 40)

    def dev_docs(seed: int, out: str) -> list[str]:
        from spacy.tokens import DocBin

        from workbench.interchange.spacy_docbin import blank

        with Store(db) as store:
            export(
                store,
                Selection(),
                "spacy",
                tmp_path / out,
                dev_fraction=0.25,
                seed=seed,
                force=True,
            )
        docs = DocBin().from_disk(tmp_path / out / "dev" / "0000.spacy").get_docs(blank().vocab)
        return sorted(d.text for d in docs)

    assert dev_docs(1, "a") == dev_docs(1, "b")
    assert dev_docs(1, "a") != dev_docs(2, "c")
    assert len(dev_docs(1, "a")) == 10


def test_conflicts_count_documents_with_several_annotations(tmp_path):
    db = tmp_path / "c.db"
    corpus(db, 4, annotators=("amira", "bo"))
    with Store(db) as store:
        assert export(store, Selection(), "jsonl", tmp_path / "all.jsonl").conflicts == 4
        assert export(store, Selection(gold="best"), "jsonl", tmp_path / "b.jsonl").conflicts == 0


# ---- faults ---------------------------------------------------------------------------

CHILD = """
import sys
from pathlib import Path
from workbench.jobs.export import Selection, export
from workbench.store import Store
db, fmt, out = sys.argv[1:4]
with Store(Path(db)) as store:
    print("ready", flush=True)
    export(store, Selection(), fmt, Path(out), force=True)
print("done", flush=True)
"""


def complete(out: Path, fmt: str, n: int) -> bool:
    """The target holds a whole export of `n` documents."""
    if fmt == "jsonl":
        lines = out.read_bytes().splitlines()
        return len(lines) == n and all(json.loads(line)["text"] for line in lines)
    from spacy.tokens import DocBin

    from workbench.interchange.spacy_docbin import blank

    shards = sorted(out.rglob("*.spacy"))
    return sum(len(list(DocBin().from_disk(s).get_docs(blank().vocab))) for s in shards) == n


def state(out: Path) -> dict[str, bytes]:
    if out.is_file():
        return {"": out.read_bytes()}
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.mark.parametrize("fmt", ["jsonl", "spacy"])
def test_an_export_killed_at_any_point_leaves_the_old_or_the_new_target(tmp_path, fmt):
    db = tmp_path / "k.db"
    n = 3000
    corpus(db, n)
    out = tmp_path / ("gold.jsonl" if fmt == "jsonl" else "corpus")
    with Store(db) as store:
        export(store, Selection(annotator="amira"), fmt, out)  # yesterday's export
    old = state(out)
    rnd = random.Random(8)
    outcomes = set()
    for _ in range(6):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(db), fmt, str(out)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rnd.uniform(0, 1.5))
        child.send_signal(signal.SIGKILL)
        child.wait()
        now = state(out)
        assert now == old or complete(out, fmt, n), "a truncated export"
        outcomes.add("old" if now == old else "new")
        old = now
        with Store(db) as store:
            assert store.integrity_check() == "ok"
    # What a killed export leaves is hidden beside the target, never in its place.
    others = [p.name for p in tmp_path.iterdir() if p != out and not p.name.startswith("k.db")]
    assert all(name.startswith(f".{out.name}.") for name in others), others


def _mount_tmpfs(where: Path, size: str) -> bool:
    where.mkdir()
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    return done.returncode == 0


@pytest.mark.parametrize("fmt", ["jsonl", "brat", "spacy"])
def test_a_full_disk_leaves_the_previous_export_whole(tmp_path, fmt):
    db = tmp_path / "f.db"
    corpus(db, 300)
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "8m"):
        pytest.skip("no small tmpfs here (needs root and mount); the injected ENOSPC test runs")
    try:
        out = disk / ("gold.jsonl" if fmt == "jsonl" else "export")
        with Store(db) as store:
            export(store, Selection(), fmt, out)  # fits
            old = state(out)
            used = sum(-(-len(b) // 4096) * 4096 for b in old.values()) + 8192
            st = os.statvfs(disk)
            ballast = st.f_bavail * st.f_frsize - used  # room for the old export once more
            (disk / "ballast").write_bytes(b"\0" * max(0, ballast))
            corpus(db, 900, first=300)  # four times the size: beyond the disk
            with pytest.raises(OSError) as failed:
                export(store, Selection(), fmt, out, force=True)
            assert failed.value.errno == errno.ENOSPC
            assert store.integrity_check() == "ok"
        assert state(out) == old
        assert sorted(p.name for p in disk.iterdir()) == ["ballast", out.name]  # no temporary
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_write_failing_with_enospc_leaves_the_previous_export_whole(tmp_path, monkeypatch):
    db = tmp_path / "f.db"
    corpus(db, 300)
    out = tmp_path / "gold.jsonl"
    with Store(db) as store:
        export(store, Selection(), "jsonl", out)
    old = out.read_bytes()
    real_fdopen = os.fdopen

    class Full:
        """A file that takes 4 KiB, then fails as a full disk does."""

        def __init__(self, f):
            self.f, self.n = f, 0

        def write(self, b):
            self.n += len(b)
            if self.n > 4096:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(b)

        def __getattr__(self, name):
            return getattr(self.f, name)

    import workbench.interchange.output as output

    monkeypatch.setattr(output.os, "fdopen", lambda *a, **kw: Full(real_fdopen(*a, **kw)))
    with Store(db) as store:
        with pytest.raises(OSError, match="No space left"):
            export(store, Selection(), "jsonl", out, force=True)
        assert store.integrity_check() == "ok"
    assert out.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("f.db")) == [
        "gold.jsonl"
    ]
