"""Small modal forms: a casualty span's value and qualifier; a flag's comment; what to
do with pending suggestions on submit; whose version a reviewer takes whole."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...casualties import MAX_COUNT
from ...model import QUALIFIERS
from ..display import visible

QUALIFIER_HELP = {
    "exact": "the number as stated",
    "more_than": "more than, over, upwards of",
    "at_least": "at least, no fewer than, a range",
    "approx": "around, about, some, a dozen",
    "nearly": "nearly, almost, close to",
    "up_to": "up to, as many as",
    "less_than": "fewer than, less than, under",
    "vague": "dozens, scores, hundreds (no value)",
}


def parse_value(text: str) -> int | None:
    """'1,200' -> 1200; '' -> None; anything else raises ValueError."""
    cleaned = text.replace(",", "").replace("_", "").strip()
    if not cleaned:
        return None
    if not cleaned.isascii() or not cleaned.isdigit():
        raise ValueError("the value is a whole number of people, or empty")
    if len(cleaned) > len(str(MAX_COUNT)) or int(cleaned) > MAX_COUNT:
        raise ValueError(f"no count is above {MAX_COUNT:,}: check the number")
    return int(cleaned)


def validate(value_text: str, qualifier: str | None) -> tuple[int | None, str]:
    """The (value, qualifier) the form stands for, or ValueError saying what is wrong."""
    value = parse_value(value_text)
    if qualifier not in QUALIFIERS:
        raise ValueError("choose a qualifier")
    if qualifier == "vague" and value is not None:
        raise ValueError("a vague count (dozens, hundreds) has no value: clear it")
    if qualifier != "vague" and value is None:
        raise ValueError(f"{qualifier} needs a value")
    return value, qualifier


class CasualtyForm(ModalScreen[tuple[int | None, str] | None]):
    """Edit the value and qualifier of a casualty span."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel")]

    def __init__(self, value: int | None, qualifier: str | None) -> None:
        super().__init__()
        self.value, self.qualifier = value, qualifier

    def compose(self) -> ComposeResult:
        with Vertical(id="casualty-form", classes="form"):
            yield Label(Content("Casualty count"), classes="form-title")
            yield Label(Content("Value (empty for vague counts)"))
            yield Input(
                "" if self.value is None else str(self.value), id="value", placeholder="e.g. 100"
            )
            yield Label(Content("Qualifier"))
            options = [
                Option(
                    Content.assemble((q.ljust(10), "bold"), ("  " + QUALIFIER_HELP[q], "dim")), id=q
                )
                for q in QUALIFIERS
            ]
            yield OptionList(*options, id="qualifier")
            yield Label(Content(""), id="form-error", classes="form-error")
            yield Label(
                Content("tab: next field \u00b7 enter: save \u00b7 esc: cancel"),
                classes="form-hint",
            )

    def on_mount(self) -> None:
        value = self.query_one("#value", Input)
        value.cursor_blink = False  # steady cursor: stable screenshots, less SSH traffic
        qualifiers = self.query_one("#qualifier", OptionList)
        if self.qualifier in QUALIFIERS:
            qualifiers.highlighted = QUALIFIERS.index(self.qualifier)
        else:
            qualifiers.highlighted = 0
        value.focus()

    def _save(self) -> None:
        qualifiers = self.query_one("#qualifier", OptionList)
        index = qualifiers.highlighted
        qualifier = QUALIFIERS[index] if index is not None else None
        try:
            result = validate(self.query_one("#value", Input).value, qualifier)
        except ValueError as e:
            self.query_one("#form-error", Label).update(Content(str(e)))
            return
        self.dismiss(result)

    @on(Input.Submitted)
    def value_submitted(self) -> None:
        self._save()

    @on(OptionList.OptionSelected)
    def qualifier_selected(self) -> None:
        self._save()

    def action_cancel(self) -> None:
        self.dismiss(None)


class FlagForm(ModalScreen[str | None]):
    """Flag the document for review, saying why."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="flag-form", classes="form"):
            yield Label(Content("Flag for review"), classes="form-title")
            yield Label(Content("What should a reviewer look at?"))
            yield Input(id="comment", placeholder="e.g. two tolls for the same attack")
            yield Label(Content(""), id="form-error", classes="form-error")
            yield Label(
                Content("enter: flag and open the next document \u00b7 esc: cancel"),
                classes="form-hint",
            )

    def on_mount(self) -> None:
        comment = self.query_one(Input)
        comment.cursor_blink = False
        comment.focus()

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        comment = event.value.strip()
        if not comment:
            self.query_one("#form-error", Label).update(Content("a flag needs a comment"))
            return
        self.dismiss(comment)

    def action_cancel(self) -> None:
        self.dismiss(None)


PENDING_CHOICES = [
    ("accept", "a", "Accept them and submit"),
    ("drop", "d", "Submit without them (they are not gold)"),
    ("back", "escape", "Go back to the document"),
]


class PendingForm(ModalScreen[str | None]):
    """Submit with suggestions still undecided: accept them, leave them out, or go back."""

    BINDINGS = [
        Binding("a", "choose('accept')", "Accept them", id="pending.accept"),
        Binding("d", "choose('drop')", "Submit without", id="pending.drop"),
        Binding("escape", "choose('back')", "Back", id="pending.back"),
    ]

    def __init__(self, pending: int) -> None:
        super().__init__()
        self.pending = pending

    def compose(self) -> ComposeResult:
        with Vertical(id="pending-form", classes="form"):
            title = f"{self.pending} suggestion(s) still pending"
            yield Label(Content(title), classes="form-title")
            options = [
                Option(Content.assemble((f"{key if key != 'escape' else 'esc':<4}", "bold"), text),
                       id=choice)
                for choice, key, text in PENDING_CHOICES
            ]  # fmt: skip
            yield OptionList(*options, id="pending-choice")
            yield Label(
                Content("enter: the highlighted choice \u00b7 esc: back to the document"),
                classes="form-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_choose(event.option.id or "back")

    def action_choose(self, choice: str) -> None:
        self.dismiss(None if choice == "back" else choice)


class AnnotatorChooser(ModalScreen[str | None]):
    """Whose version becomes the whole reviewed gold."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="form.cancel")]

    def __init__(self, choices: list[tuple[str, int]], default: int = 0) -> None:
        super().__init__()
        self.choices, self.default = choices, default

    def compose(self) -> ComposeResult:
        with Vertical(id="annotator-form", classes="form"):
            yield Label(Content("Take one annotator's whole version"), classes="form-title")
            options = [
                Option(Content.assemble((visible(name), "bold"), f"  {n} span(s)"), id=str(i))
                for i, (name, n) in enumerate(self.choices)
            ]
            yield OptionList(*options, id="annotator-choice")
            yield Label(
                Content("enter: replace the reviewed gold with theirs \u00b7 esc: cancel"),
                classes="form-hint",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = self.default

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][0])

    def action_cancel(self) -> None:
        self.dismiss(None)
