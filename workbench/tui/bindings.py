"""Every key of the annotator as a `Binding` with an id; keys come from the config.

The defaults here mirror the [keys] table of default_config.toml; the app applies
the configured table with `App.set_keymap`, so the footer and the help screen show
the keys actually in effect.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.binding import Binding

from ..config import Config

NORMAL = "normal"
SELECT = "select"

# (id, default keys, action, description, shown in footer, modes)
_SPECS: list[tuple[str, str, str, str, bool, tuple[str, ...]]] = [
    ("span.next", "j,down", "move(1)", "Next span", False, (NORMAL,)),
    ("span.previous", "k,up", "move(-1)", "Previous span", False, (NORMAL,)),
    ("span.accept", "a", "accept", "Accept", True, (NORMAL,)),
    ("span.reject", "x", "reject", "Reject", True, (NORMAL,)),
    ("span.delete", "d", "delete", "Delete span", False, (NORMAL,)),
    (
        "span.start_earlier",
        "left_square_bracket",
        "nudge('start', -1)",
        "Start one token earlier",
        False,
        (NORMAL,),
    ),
    (
        "span.start_later",
        "right_square_bracket",
        "nudge('start', 1)",
        "Start one token later",
        False,
        (NORMAL,),
    ),
    ("span.end_earlier", "comma", "nudge('end', -1)", "End one token earlier", False, (NORMAL,)),
    ("span.end_later", "full_stop", "nudge('end', 1)", "End one token later", False, (NORMAL,)),
    ("span.edit", "e", "edit_casualty", "Value/qualifier", False, (NORMAL,)),
    ("mode.select", "v", "select_begin", "New span", True, (NORMAL,)),
    ("select.left", "h,left", "select_move(-1)", "Cursor left", True, (SELECT,)),
    ("select.right", "l,right", "select_move(1)", "Cursor right", True, (SELECT,)),
    ("select.extend_left", "H,shift+left", "select_extend(-1)", "Extend left", True, (SELECT,)),
    ("select.extend_right", "L,shift+right", "select_extend(1)", "Extend right", True, (SELECT,)),
    ("select.up", "k,up", "select_line(-1)", "Line up", False, (SELECT,)),
    ("select.down", "j,down", "select_line(1)", "Line down", False, (SELECT,)),
    ("select.cancel", "escape", "select_cancel", "Cancel", True, (SELECT,)),
    ("doc.accept_all", "A", "accept_all", "Accept all", True, (NORMAL,)),
    ("doc.submit", "s", "submit", "Submit", True, (NORMAL,)),
    ("doc.skip", "i", "skip", "Skip (not relevant)", False, (NORMAL,)),
    ("doc.flag", "f", "flag", "Flag for review", False, (NORMAL,)),
    ("doc.undo", "u,ctrl+z", "undo", "Undo", True, (NORMAL, SELECT)),
    ("doc.previous", "p", "previous_document", "Previous doc", False, (NORMAL,)),
    ("doc.next", "n", "next_document", "Next doc", False, (NORMAL,)),
    ("app.help", "question_mark", "help", "Help", True, (NORMAL, SELECT)),
    ("app.quit", "q", "app.quit", "Quit", True, (NORMAL, SELECT)),
]

MODES: dict[str, tuple[str, ...]] = {spec[2].split("(")[0]: spec[5] for spec in _SPECS}
DEFAULT_KEYS: dict[str, str] = {spec[0]: spec[1] for spec in _SPECS}


def screen_bindings() -> list[Binding]:
    """The annotate screen's bindings, with their default keys."""
    return [
        Binding(keys, action, description, show=show, id=binding_id)
        for binding_id, keys, action, description, show, _ in _SPECS
    ]


def label_bindings(config: Config) -> list[Binding]:
    """One binding per label of the palette: relabel (normal) or add (select)."""
    return [
        Binding(spec.key, f"label({index})", spec.name, show=False, id=f"label.{spec.name}")
        for index, spec in enumerate(config.labels.values())
        if spec.key
    ]


def keymap(config: Config) -> dict[str, str]:
    """Binding id -> keys: the defaults overlaid with the config's [keys] table."""
    return {**DEFAULT_KEYS, **config.keys}


def keys_for(binding_id: str, default: str, config: Config) -> list[str]:
    return [k.strip() for k in keymap(config).get(binding_id, default).split(",") if k.strip()]


def help_rows(config: Config) -> Iterable[tuple[str, list[str], str, tuple[str, ...]]]:
    """(id, keys, description, modes) for every binding, in the order of the help screen."""
    for binding_id, keys, _action, description, _show, modes in _SPECS:
        yield binding_id, keys_for(binding_id, keys, config), description, modes
