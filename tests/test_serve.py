"""`workbench serve` without a browser: the command it runs, the host, its errors."""

from __future__ import annotations

import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from click.testing import CliRunner

from workbench.cli import cli
from workbench.config import DEFAULT_CONFIG_PATH, load_config
from workbench.jobs.serve import (
    INSTALL_HINT,
    Served,
    annotator_command,
    browser_key_clashes,
    is_loopback,
    same_site,
)

from .tui.helpers import seed_db


def test_the_command_survives_the_shell(tmp_path):
    folder = tmp_path / "it's a $HOME; `x`"
    folder.mkdir()
    db = seed_db(folder / "my annotations.db")
    config = folder / "work bench.toml"
    config.write_text("[workbench]\nprefetch = 1\n", encoding="utf-8")
    command = annotator_command(db, config, "o'brien; rm -rf x", subcommand="status")
    assert shlex.split(command)[1:] == [
        "-m",
        "workbench",
        "--db",
        str(db.resolve()),
        "--config",
        str(config.resolve()),
        "--annotator",
        "o'brien; rm -rf x",
        "status",
    ]
    # textual-serve runs it with the shell, as each browser session starts
    out = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"{db.resolve()}: 3 documents, 3 suggested, 0 annotated"


def test_the_command_opens_the_annotator_by_default(tmp_path):
    command = shlex.split(annotator_command(tmp_path / "a.db", None, "amira"))
    assert command[0] == sys.executable and "--config" not in command
    assert command[-3:] == ["--annotator", "amira", "annotate"]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.0.2.7", False),
        ("example.invalid", False),
    ],
)
def test_only_loopback_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.parametrize(
    ("origin", "host", "public_url", "listening", "ok"),
    [
        ("http://localhost:8000", "127.0.0.1:8000", None, "127.0.0.1", True),
        ("http://127.0.0.1:8000", "127.0.0.1:8000", None, "127.0.0.1", True),
        ("http://[::1]:8000", "127.0.0.1:8000", None, "127.0.0.1", True),
        (None, "127.0.0.1:8000", None, "127.0.0.1", True),  # not a browser
        ("https://news.example", "127.0.0.1:8000", None, "127.0.0.1", False),
        ("http://localhost:9000", "127.0.0.1:8000", None, "127.0.0.1", False),
        ("null", "127.0.0.1:8000", None, "127.0.0.1", False),
        ("http://news.example:8000", "news.example:8000", None, "127.0.0.1", False),
        (None, "news.example:8000", None, "127.0.0.1", False),
        ("http://localhost:9000", "localhost:9000", "http://localhost:9000", "127.0.0.1", True),
        ("https://wb.example", "wb.example", "https://wb.example", "127.0.0.1", True),
        ("http://wb:8000", "wb:8000", None, "0.0.0.0", True),
        ("https://news.example", "wb:8000", None, "0.0.0.0", False),
    ],
)
def test_only_the_servers_own_pages_open_a_websocket(origin, host, public_url, listening, ok):
    assert same_site(origin, host, public_url, listening) is ok


def test_url():
    assert Served("x", "127.0.0.1", 8000).url == "http://127.0.0.1:8000"
    assert Served("x", "::1", 8001).url == "http://[::1]:8001"
    assert Served("x", "0.0.0.0", 80, "https://wb.example").url == "https://wb.example"


def test_the_default_keys_leave_the_browser_its_own():
    from workbench.tui.bindings import all_bindings

    bindings = all_bindings(load_config(DEFAULT_CONFIG_PATH))
    assert len(bindings) > 30
    assert browser_key_clashes({b.id: b.key for b in bindings if b.id}) == []
    keys = {"doc.submit": "s,ctrl+w", "app.help": "question_mark", "doc.next": "F5"}
    assert browser_key_clashes(keys) == [("doc.next", "F5"), ("doc.submit", "ctrl+w")]


def test_serve_warns_of_a_key_the_browser_keeps_and_refuses_a_typo(tmp_path):
    config = tmp_path / "workbench.toml"
    config.write_text('[keys]\n"doc.submit" = "ctrl+w"\n', encoding="utf-8")
    with taken_port() as port:  # the server stops at the bind, after its checks
        out = _serve(tmp_path, "--port", str(port), config=config)
    assert "workbench: warning: [keys] doc.submit = ctrl+w: a browser keeps" in out.stderr
    config.write_text('[keys]\n"doc.sumbit" = "S"\n', encoding="utf-8")
    out = _serve(tmp_path, config=config)
    assert out.returncode == 2
    assert out.stderr.startswith("workbench: error: ") and "doc.sumbit" in out.stderr
    assert len(out.stderr.splitlines()) == 1


def test_without_the_extra_serve_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # import fails as if absent
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "a.db"), "serve"])
    assert result.exit_code == 2
    assert result.output == f"workbench: error: {INSTALL_HINT}\n"
    assert "pip install 'workbench[serve]'" in INSTALL_HINT
    assert not (tmp_path / "a.db").exists()


def _serve(tmp_path, *args: str, config=None) -> subprocess.CompletedProcess[str]:
    """`workbench serve` that cannot start listening (the tests never leave it running)."""
    pytest.importorskip("textual_serve", reason="textual-serve is not installed")
    db = tmp_path / "annotations.db"
    if not db.exists():
        seed_db(db)
    command = [sys.executable, "-m", "workbench", "--db", str(db)]
    command += ["--config", str(config)] if config else []
    command += ["serve", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)


def test_another_host_is_explicit_and_warned_about(tmp_path):
    # 192.0.2.0/24 is for documentation: never this machine's, so binding fails
    # (nothing is exposed), after the warning.
    out = _serve(tmp_path, "--host", "192.0.2.7", "--port", "8000")
    assert out.returncode == 1
    (warning,) = [line for line in out.stderr.splitlines() if "warning" in line]
    (error,) = [line for line in out.stderr.splitlines() if "error" in line]
    assert warning.startswith("workbench: warning: listening on 192.0.2.7:8000: anyone who")
    assert "ssh -L 8000:localhost:8000" in warning
    assert error.startswith("workbench: error: ") and "Traceback" not in out.stderr


@contextmanager
def taken_port() -> Iterator[int]:
    """A loopback port something else listens on: `serve` fails to bind it."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_port_in_use_is_one_line(tmp_path):
    with taken_port() as port:
        out = _serve(tmp_path, "--port", str(port))
    assert out.returncode == 1
    assert "warning" not in out.stderr
    assert f"ssh -L {port}:localhost:{port} " in out.stderr  # how to reach it from a laptop
    (error,) = [line for line in out.stderr.splitlines() if "error" in line]
    assert error.startswith("workbench: error: ") and "Traceback" not in out.stderr
