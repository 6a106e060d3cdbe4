"""The help screen: every key (from the same bindings as the footer) and the palette."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ...config import Config
from ..bindings import (
    DOCUMENT_BINDINGS,
    LINK_BINDINGS,
    SELECT_BINDINGS,
    SPAN_BINDINGS,
    in_effect,
    label_bindings,
)
from ..display import safe_color, visible

KeyDisplay = Callable[[Binding], str]


def keys_shown(binding: Binding, config: Config, key_display: KeyDisplay) -> str:
    """The keys of a binding in effect (after the [keys] table), as the footer shows them."""
    return " ".join(key_display(b) for b in in_effect(binding, config))


def _keys_section(
    bindings: list[Binding], config: Config, key_display: KeyDisplay, title: str
) -> list[str | tuple[str, str]]:
    parts: list[str | tuple[str, str]] = [(title, "bold underline"), "\n"]
    for binding in bindings:
        shown = keys_shown(binding, config, key_display)
        parts += [(f" {shown:<10}", "bold"), binding.description, "\n"]
    return parts


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def help_columns(config: Config, key_display: KeyDisplay) -> tuple[Content, Content]:
    """The two columns of the help screen, built from the bindings and the palette."""
    left = _keys_section(
        [*SPAN_BINDINGS, *DOCUMENT_BINDINGS], config, key_display, "Reviewing spans"
    )
    right = _keys_section(SELECT_BINDINGS, config, key_display, "Adding a span (after v)")
    right += [
        "\n",
        *_keys_section(LINK_BINDINGS, config, key_display, "Linking a source (after r)"),
    ]
    right += ["\n", ("Labels", "bold underline"), "\n"]
    keyed = {b.id: b for b in label_bindings(config)}
    for spec in config.labels.values():
        binding = keyed.get(f"label.{spec.name}")
        key = keys_shown(binding, config, key_display) if binding else ""
        color = safe_color(spec.color)
        right += [
            (f" {key:<2}", "bold"),
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
        left, right = help_columns(self.config, self.app.get_key_display)
        with VerticalScroll(id="help"), Horizontal(id="help-columns"):
            yield Static(left, id="help-text", markup=False)
            yield Static(right, id="help-labels", markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
