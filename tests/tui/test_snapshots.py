"""Named 80x24 snapshots: main screen, help, casualty form, hostile document.

Regenerate with `pytest tests/tui --snapshot-update` after reading the diff.
Nothing here depends on the clock: today's count comes from the fixed database,
the clock is not shown, and inputs do not blink.
"""

from __future__ import annotations

from pathlib import Path

from workbench.model import SOURCE_MODEL, Span
from workbench.store import NewDocument, Store
from workbench.tui.app import make_app

from .helpers import ANNOTATOR, SEED, SEED_SUGGESTIONS, config, find, seed_db

SIZE = (80, 24)

HOSTILE = (
    "[bold]Not bold[/bold] [link=https://evil.example]not a link[/link] "
    "[@click=app.quit]not an action[/] and a stray [/x] closing tag.\n"
    "ANSI \x1b[31mnot red\x1b[0m, OSC \x1b]8;;https://evil.example\x07hyperlink\x1b]8;;\x07, "
    "DCS \x1bP+q544e\x1b\\, title \x1b]0;pwned\x07, C1 \x9b31m and \x85, bell \x07.\n"
    "Bidi: \u202eevil.exe\u202c and \u2066isolate\u2069; zero width\u200bspace.\n"
    "Gunmen killed 12 people in Kabul."
)


def hostile_db(path: Path) -> Path:
    with Store(path) as store:
        store.add_documents([NewDocument(HOSTILE, {}, "hostile")])
        start = HOSTILE.index("[/x]")
        kabul = HOSTILE.index("Kabul")
        store.save_suggestions(
            [
                (
                    1,
                    [
                        Span(start, start + 4, "ORG", {}, SOURCE_MODEL),
                        Span(kabul, kabul + 5, "GPE", {}, SOURCE_MODEL),
                    ],
                )
            ],
            "test",
        )
    return path


def app_on(path: Path):
    return make_app(path, config(), ANNOTATOR, prefetch=False)


def test_main_screen(snap_compare, tmp_path):
    app = app_on(seed_db(tmp_path / "a.db"))
    # accept, reject, fix "The Islamic State": the four span looks side by side
    assert snap_compare(app, terminal_size=SIZE, press=["a", "x", "j", "j", "j", "j", "a"])


def test_help_screen(snap_compare, tmp_path):
    app = app_on(seed_db(tmp_path / "a.db"))
    assert snap_compare(app, terminal_size=SIZE, press=["question_mark"])


def test_casualty_form(snap_compare, tmp_path):
    app = app_on(seed_db(tmp_path / "a.db"))
    assert snap_compare(app, terminal_size=SIZE, press=["j", "j", "j", "e"])


def test_select_mode(snap_compare, tmp_path):
    app = app_on(seed_db(tmp_path / "a.db"))
    assert snap_compare(app, terminal_size=SIZE, press=["j", "j", "j", "v", "l", "L", "L"])


def test_hostile_document(snap_compare, tmp_path):
    app = app_on(hostile_db(tmp_path / "h.db"))
    assert snap_compare(app, terminal_size=SIZE)


def test_span_list_with_claims(snap_compare, tmp_path):
    """Casualty spans with suggested sources: the claim in the list (count ← source),
    and with "nearly 150" focused its source marked in the article."""
    app = app_on(seed_db(tmp_path / "claims.db", links=True))
    text = SEED.read_text(encoding="utf-8")
    order = [n for _, n in sorted((find(text, n, nth), n) for n, _, nth, _ in SEED_SUGGESTIONS)]
    press = ["j"] * order.index("nearly 150")
    assert snap_compare(app, terminal_size=(100, 30), press=press)
