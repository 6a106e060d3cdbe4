"""`workbench serve`: the annotator in a browser, through textual-serve.

Each browser session runs the same annotator as the terminal, as a subprocess of
the server, as the account that started it: the command is built here, quoted
with shlex, with the database, configuration and annotator of the server. Nothing
here imports Textual or textual-serve until a server is actually made.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INSTALL_HINT = "textual-serve is not installed: pip install 'workbench[serve]'"

# Keys a browser acts on before the page sees them (tabs, windows, the address bar,
# reload, full screen, history), or that the page only gets in some browsers. The
# annotator's default keymap uses none of them; `serve` warns about a [keys] entry
# that does.
BROWSER_KEYS = frozenset(
    {
        "ctrl+w",
        "ctrl+t",
        "ctrl+n",
        "ctrl+l",
        "ctrl+r",
        "ctrl+q",
        "ctrl+tab",
        "ctrl+shift+tab",
        "ctrl+shift+w",
        "ctrl+shift+t",
        "ctrl+shift+n",
        "ctrl+pageup",
        "ctrl+pagedown",
        "alt+left",
        "alt+right",
        "f5",
        "f11",
        "f12",
    }
)


class ServeUnavailable(Exception):
    """textual-serve (the `serve` extra) is not installed."""


@dataclass(frozen=True)
class Served:
    """What one browser session runs, and where the server listens."""

    command: str
    host: str
    port: int
    public_url: str | None = None

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        if self.public_url:
            return self.public_url
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


def is_loopback(host: str) -> bool:
    """Whether `host` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def annotator_command(
    db_path: Path,
    config_path: Path | None,
    annotator: str,
    subcommand: str = "annotate",
    python: str = sys.executable,
) -> str:
    """The shell command a browser session runs: this workbench's annotator on `db_path`."""
    # The same interpreter as the server, so the same install, whatever PATH says;
    # textual-serve hands the command to the shell, so every part is quoted.
    parts = [python, "-m", "workbench", "--db", str(Path(db_path).resolve())]
    if config_path is not None:
        parts += ["--config", str(Path(config_path).resolve())]
    parts += ["--annotator", annotator, subcommand]
    return shlex.join(parts)


def browser_key_clashes(keys: Mapping[str, str]) -> list[tuple[str, str]]:
    """(binding id, key) pairs of a keymap that a browser keeps for itself."""
    return [
        (binding, key.strip())
        for binding, spec in sorted(keys.items())
        for key in spec.split(",")
        if key.strip().lower() in BROWSER_KEYS
    ]


def make_server(served: Served, title: str) -> Any:
    """A textual-serve `Server` for `served`; ServeUnavailable without the extra."""
    try:
        from textual_serve.server import Server
    except ImportError as e:
        raise ServeUnavailable(INSTALL_HINT) from e
    return Server(
        served.command,
        host=served.host,
        port=served.port,
        title=title,
        public_url=served.public_url,
    )


def serve(served: Served, title: str = "workbench") -> None:
    """Serve the annotator until the server is stopped (Ctrl+C or SIGTERM)."""
    make_server(served, title).serve()
