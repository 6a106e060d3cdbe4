"""`workbench serve` in a real headless browser: Debian's chromium, driven by Selenium.

The server runs as a subprocess on a free loopback port, each page runs the real
annotator behind textual-serve, and the test reads the terminal's text from
xterm.js's buffer (the page draws on a canvas, so there are no DOM rows to read).
Nothing is downloaded: the driver and the browser are Debian's, passed by path,
so Selenium Manager is never asked. Without them the tests skip, saying why.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from workbench.model import ACCEPTED, REJECTED, SUBMITTED
from workbench.store import NewDocument, Store

from ..tui.helpers import ROOT, seed_db

INSTALL = "pip install -e '.[test]' (see pyproject.toml)"
pytest.importorskip("textual_serve", reason=f"textual-serve is not installed: {INSTALL}")
webdriver = pytest.importorskip("selenium.webdriver", reason=f"no selenium: {INSTALL}")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

pytestmark = pytest.mark.slow

ANNOTATOR = "alice"
WAIT = 30.0  # seconds for any one thing to show; a loaded 2-core machine is slow

# xterm.js keeps its Terminal in a closure; textual.js stores it as `this.terminal`
# on its own object. A setter on Object.prototype, installed before the page's
# scripts run, catches that assignment and keeps the terminal where a test can read it.
CATCH_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    window.__workbenchTerminal = value;
    Object.defineProperty(this, "terminal", {
      value, writable: true, configurable: true, enumerable: true,
    });
  },
});
"""

SCREEN_TEXT = """
const term = window.__workbenchTerminal;
if (!term) return null;
const buffer = term.buffer.active, rows = [];
for (let y = 0; y < term.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y);
  rows.push(line ? line.translateToString(true) : "");
}
return rows.join("\\n");
"""

# The colour of the first cell of `needle` on screen, as xterm.js drew it.
CELL_COLOUR = """
const [needle] = arguments, term = window.__workbenchTerminal, buffer = term.buffer.active;
for (let y = 0; y < term.rows; y++) {
  const line = buffer.getLine(buffer.viewportY + y), x = line.translateToString().indexOf(needle);
  if (x < 0) continue;
  const cell = line.getCell(x);
  return {fg: cell.isFgRGB() ? cell.getFgColor() : null};
}
return null;
"""


def _debian(name: str, *paths: str) -> str | None:
    return shutil.which(name) or next((p for p in paths if os.access(p, os.X_OK)), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    chromium = _debian("chromium", "/usr/bin/chromium")
    chromedriver = _debian("chromedriver", "/usr/bin/chromedriver")
    if chromium is None or chromedriver is None:
        pytest.skip("no browser: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1200,680")
    service = webdriver.ChromeService(executable_path=chromedriver)
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except WebDriverException as e:
        pytest.skip(f"chromium does not start here: {e.msg.splitlines()[0] if e.msg else e}")
    try:
        driver.set_page_load_timeout(WAIT)
        driver.set_script_timeout(WAIT)
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CATCH_TERMINAL})
        yield driver
    finally:
        driver.quit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db: Path, workdir: Path) -> Iterator[str]:
    """`workbench serve` on a free loopback port; yields its URL, stops it (and the
    annotators it started) at the end."""
    config = workdir / "workbench.toml"
    # `s` leaves pending suggestions out instead of asking: the served annotator reads
    # the server's configuration.
    config.write_text(
        '[workbench]\nprefetch = 1\n[annotator]\npending_on_submit = "drop"\n', encoding="utf-8"
    )
    port = _free_port()
    log = (workdir / "serve.log").open("wb")
    command = [sys.executable, "-m", "workbench", "--db", str(db), "--config", str(config)]
    command += ["--annotator", ANNOTATOR, "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        _wait_for_port(port, server, workdir / "serve.log")
        yield f"http://localhost:{port}/"  # as the README says; the websocket is on 127.0.0.1
    finally:
        server.terminate()  # graceful: textual-serve tells each annotator to quit
        # An annotator still loading spaCy for its prefetch finishes that first; what is
        # left of the process group then (the annotators it started) loses nothing to a
        # SIGKILL: every decision is committed as it is made.
        with suppress(subprocess.TimeoutExpired):
            server.wait(3)
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)
        log.close()


def _wait_for_port(port: int, server: subprocess.Popen, log: Path) -> None:
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        if server.poll() is not None:
            raise AssertionError(f"workbench serve exited {server.returncode}: {log.read_text()}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"workbench serve never listened on {port}: {log.read_text()}")


def screen(driver) -> str:
    return driver.execute_script(SCREEN_TEXT) or ""


def wait_for(driver, *shown: str, gone: str = "") -> str:
    """The screen's text once all of `shown` is on it (and `gone` is not)."""
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        text = screen(driver)
        if all(s in text for s in shown) and not (gone and gone in text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{shown} (without {gone!r}) never showed; screen:\n{screen(driver)}")


def press(driver, *keys: str) -> None:
    """Type into the terminal, as a person's keyboard does (xterm's input textarea)."""
    driver.execute_script("document.querySelector('.xterm-helper-textarea').focus()")
    for key in keys:
        if key.startswith("ctrl+"):
            chain = ActionChains(driver).key_down(Keys.CONTROL).send_keys(key[5:])
            chain.key_up(Keys.CONTROL).perform()
        else:
            ActionChains(driver).send_keys(key).perform()


def test_accept_and_submit_in_a_browser(browser, tmp_path):
    db = seed_db(tmp_path / "annotations.db")
    with serving(db, tmp_path) as url:
        browser.get(url)
        wait_for(browser, "DUSHANBE", "doc 1/3", " 1/31 ")  # the first span is focused

        # colours: the label column is drawn in GPE's colour from the configuration
        assert browser.execute_script(CELL_COLOUR, "GPE     DUSHANBE")["fg"] == 0x98C379

        press(browser, "?")  # the help screen, built from the same bindings
        wait_for(browser, "Reviewing spans", "Adding a span (after v)", "Labels")
        press(browser, "?")
        wait_for(browser, "DUSHANBE", gone="Reviewing spans")

        press(browser, "a")  # accept DUSHANBE; the focus moves on
        wait_for(browser, " 2/31 ", "\u2713 GPE     DUSHANBE")
        png = tmp_path / "serve.png"
        browser.save_screenshot(str(png))
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        if os.environ.get("WORKBENCH_SERVE_PNG"):  # how docs/serve.png is made
            shutil.copyfile(png, ROOT / os.environ["WORKBENCH_SERVE_PNG"])

        press(browser, "x")  # reject "May 24, 2016", then ctrl+z (the one ctrl key) undoes it
        wait_for(browser, " 3/31 ", "\u2717 DATE    May 24, 2016")
        press(browser, "ctrl+z")
        wait_for(browser, "? DATE    May 24, 2016", "\u2713 GPE     DUSHANBE")

        press(browser, "s")  # submit: the next document opens
        wait_for(browser, "done 1/3", "KABUL")

        with Store(db) as store:
            annotation = store.open_annotation(store.document_ids()[0], ANNOTATOR)
    assert annotation.status == SUBMITTED
    text = annotation.document.text
    decided = [(text[s.span.start : s.span.end], s.status) for s in annotation.spans]
    assert [d for d in decided if d[1] in (ACCEPTED, REJECTED)] == [("DUSHANBE", ACCEPTED)]


# Written for this test: markup, an SGR colour, a window title (OSC) and a bell.
HOSTILE = (
    "[bold]Not bold[/bold] and [link=https://example.invalid]no link[/link].\n"
    "Red? \x1b[31mnot red\x1b[0m; title \x1b]0;pwned\x07; bell \x07.\n"
    "Two people were killed in Herat on Sunday."
)


def test_markup_and_escapes_show_literally_in_a_browser(browser, tmp_path):
    db = tmp_path / "hostile.db"
    with Store(db) as store:
        store.add_documents([NewDocument(HOSTILE, {}, "hostile")])
    with serving(db, tmp_path) as url:
        browser.get(url)
        text = wait_for(browser, "Herat")
        assert "[bold]Not bold[/bold]" in text
        assert "[link=https://example.invalid]no link[/link]" in text
        assert "Red? \u241b[31mnot red\u241b[0m; title \u241b]0;pwned\u2407; bell \u2407." in text
        assert "pwned" not in browser.title


def _handshake(url: str, origin: str, host: str | None = None) -> int:
    """The HTTP status of a websocket handshake to the server, as a page of `origin`."""
    port = int(url.rstrip("/").rsplit(":", 1)[1])
    request = (
        f"GET /ws?width=80&height=24 HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: {origin}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as s:
        s.sendall(request.encode())
        return int(s.recv(4096).split()[1])


def test_pages_of_other_sites_cannot_drive_the_annotator(tmp_path):
    db = seed_db(tmp_path / "annotations.db")
    with serving(db, tmp_path) as url:
        port = url.rstrip("/").rsplit(":", 1)[1]
        assert _handshake(url, "https://news.example") == 403
        # a site's name made to resolve to 127.0.0.1 (DNS rebinding)
        rebound = f"news.example:{port}"
        assert _handshake(url, f"http://{rebound}", host=rebound) == 403
        assert _handshake(url, f"http://localhost:{port}") == 101  # the page itself
