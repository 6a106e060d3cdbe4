"""The help screen: every key (from the same bindings as the footer) and the palette."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...config import Config
from ..bindings import NORMAL, SELECT, help_rows, keymap
from ..display import safe_color, visible

KEY_NAMES = {
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "comma": ",",
    "full_stop": ".",
    "question_mark": "?",
    "escape": "esc",
    "shift+left": "shift+\u2190",
    "shift+right": "shift+\u2192",
    "left": "\u2190",
    "right": "\u2192",
    "up": "\u2191",
    "down": "\u2193",
    "enter": "enter",
}


def key_display(key: str) -> str:
    return KEY_NAMES.get(key, key)


def _keys_section(config: Config, mode: str, title: str) -> list[str | tuple[str, str]]:
    parts: list[str | tuple[str, str]] = [(title, "bold underline"), "\n"]
    for _, keys, description, modes in help_rows(config):
        if mode in modes and not (mode == SELECT and NORMAL in modes):
            shown = " ".join(key_display(k) for k in keys)
            parts += [(f" {shown:<10}", "bold"), description, "\n"]
    return parts


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def help_columns(config: Config) -> tuple[Content, Content]:
    """The two columns of the help screen, built from the bindings and the palette."""
    left = _keys_section(config, NORMAL, "Reviewing spans")
    right = _keys_section(config, SELECT, "Adding a span (after v)")
    right += ["\n", ("Labels", "bold underline"), "\n"]
    keys = keymap(config)
    for spec in config.labels.values():
        key = keys.get(f"label.{spec.name}", spec.key)
        color = safe_color(spec.color)
        right += [
            (f" {key_display(key):<2}", "bold"),
            ("\u2588 ", color),
            (f"{visible(spec.name):<8}", f"bold {color}"),
            (_clip(visible(spec.description), 19), "dim"),
            "\n",
        ]
    right += [
        "\n",
        ("Span looks", "bold underline"),
        "\n",
        " ",
        ("suggested", "underline"),
        " ",
        ("accepted", "reverse"),
        " ",
        ("yours", "bold underline reverse"),
        " ",
        ("rejected", "strike"),
        "\n",
        " \u27e6focused\u27e7  list: ? \u2713 \u2717\n",
    ]
    left += [
        "\n",
        (
            "A label key relabels the focused span; after v it labels "
            "the selection. Every decision is saved as you make it: "
            "quit at any time.",
            "italic",
        ),
    ]
    return Content.assemble(*left), Content.assemble(*right)


class HelpScreen(ModalScreen[None]):
    """All keys and the label palette."""

    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config

    def compose(self) -> ComposeResult:
        left, right = help_columns(self.config)
        with VerticalScroll(id="help"), Horizontal(id="help-columns"):
            yield Static(left, id="help-text", markup=False)
            yield Static(right, id="help-labels", markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
