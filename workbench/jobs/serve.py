"""`workbench serve`: the annotator in a browser, through textual-serve.

Each browser session runs the same annotator as the terminal, as a subprocess of
the server, as the account that started it: the command is built here, quoted
with shlex, with the database, configuration and annotator of the server. The
server opens a session only for its own pages (`same_site`). Nothing here imports
Textual or textual-serve until a server is actually made.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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


def _host_port(url: str) -> tuple[str, int | None]:
    """(host, port) of a URL or of a bare `host:port` (a Host header)."""
    parts = urlsplit(url if "://" in url else f"//{url}")
    try:
        port = parts.port
    except ValueError:
        return "", None
    return parts.hostname or "", port or {"http": 80, "https": 443}.get(parts.scheme or "http")


def same_site(
    origin: str | None, host: str, public_url: str | None = None, listening: str = "127.0.0.1"
) -> bool:
    """Whether a websocket handshake with this Origin, sent to this Host, comes from a
    page of this server (listening on `listening`).

    A browser lets any site's page open a websocket to localhost and says which page
    it is in Origin: without this check, a page the annotator happens to visit while
    the port is forwarded could drive their annotator. A server on loopback also wants
    a loopback Host: another name there is a site's name made to resolve to 127.0.0.1
    (DNS rebinding). Clients that are not browsers send no Origin (and could send any).
    """
    page, own, public = _host_port(origin or ""), _host_port(host), _host_port(public_url or "")
    if is_loopback(listening) and not is_loopback(own[0]) and own[0] != public[0]:
        return False
    if origin is None:
        return True
    if page[0] and page in (own, public):
        return True
    # The page at http://localhost:8000 asks for ws://127.0.0.1:8000: one machine.
    return bool(page[0]) and is_loopback(page[0]) and is_loopback(own[0]) and page[1] == own[1]


def make_server(served: Served, title: str) -> Any:
    """A textual-serve `Server` for `served` that refuses websockets from other sites'
    pages; ServeUnavailable without the extra."""
    try:
        from aiohttp import web
        from textual_serve.server import Server
    except ImportError as e:
        raise ServeUnavailable(INSTALL_HINT) from e

    class SameSiteServer(Server):
        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            origin = request.headers.get("Origin")
            if not same_site(origin, request.host, served.public_url, served.host):
                raise web.HTTPForbidden(text="websocket from another site's page refused")
            return await super().handle_websocket(request)

    return SameSiteServer(
        served.command,
        host=served.host,
        port=served.port,
        title=title,
        public_url=served.public_url,
    )


def serve(served: Served, title: str = "workbench") -> None:
    """Serve the annotator until the server is stopped (Ctrl+C or SIGTERM)."""
    make_server(served, title).serve()
