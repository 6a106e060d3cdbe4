"""Every key of the annotator: one `Binding` literal each, with an id and a tooltip.

These literals are the one source of the default keys. A user's `[keys]` table
(binding id = keys) remaps them through `App.set_keymap`; the footer and the help
screen read the keys in effect from the same bindings, so a remapped key shows as
remapped.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding

from ..config import Config, ConfigError

NORMAL = "normal"
SELECT = "select"
LINK = "link"

SPAN_BINDINGS = [
    Binding("j,down", "move(1)", "Next span", show=False, id="span.next",
            tooltip="Focus the next span in the text"),
    Binding("k,up", "move(-1)", "Previous span", show=False, id="span.previous",
            tooltip="Focus the previous span in the text"),
    Binding("a", "accept", "Accept", id="span.accept",
            tooltip="Accept the focused span and go to the next pending one"),
    Binding("x", "reject", "Reject", id="span.reject",
            tooltip="Reject the focused span and go to the next pending one"),
    Binding("d", "delete", "Delete span", show=False, id="span.delete",
            tooltip="Delete the focused span"),
    Binding("left_square_bracket", "nudge('start', -1)", "Start one token earlier",
            show=False, id="span.start_earlier", tooltip="Grow the span by a token on the left"),
    Binding("right_square_bracket", "nudge('start', 1)", "Start one token later",
            show=False, id="span.start_later", tooltip="Shrink the span by a token on the left"),
    Binding("comma", "nudge('end', -1)", "End one token earlier", show=False,
            id="span.end_earlier", tooltip="Shrink the span by a token on the right"),
    Binding("full_stop", "nudge('end', 1)", "End one token later", show=False,
            id="span.end_later", tooltip="Grow the span by a token on the right"),
    Binding("e", "edit_casualty", "Value/qualifier", show=False, id="span.edit",
            tooltip="Edit a casualty span's value and qualifier"),
    Binding("v", "select_begin", "New span", id="mode.select",
            tooltip="Select text with the token cursor, then press a label key"),
    Binding("r", "link_begin", "Link source", id="span.link",
            tooltip="Link the focused casualty span to who reported it"),
    Binding("R", "unlink", "Clear source", show=False, id="span.unlink",
            tooltip="Clear the focused casualty span's source"),
]  # fmt: skip

LINK_BINDINGS = [
    Binding("enter", "link_confirm", "Link here", id="link.confirm",
            tooltip="Link the figure to the focused span (or to the selection, as SOURCE)"),
    Binding("escape", "link_cancel", "Cancel link", id="link.cancel",
            tooltip="Leave the figure's source as it was"),
]  # fmt: skip

SELECT_BINDINGS = [
    Binding("h,left", "select_move(-1)", "Cursor left", id="select.left",
            tooltip="Move the token cursor one token left"),
    Binding("l,right", "select_move(1)", "Cursor right", id="select.right",
            tooltip="Move the token cursor one token right"),
    Binding("H,shift+left", "select_extend(-1)", "Extend left", id="select.extend_left",
            tooltip="Extend the selection one token left"),
    Binding("L,shift+right", "select_extend(1)", "Extend right", id="select.extend_right",
            tooltip="Extend the selection one token right"),
    Binding("k,up", "select_line(-1)", "Line up", show=False, id="select.up",
            tooltip="Move the token cursor a line up"),
    Binding("j,down", "select_line(1)", "Line down", show=False, id="select.down",
            tooltip="Move the token cursor a line down"),
    Binding("escape", "select_cancel", "Cancel", id="select.cancel",
            tooltip="Leave select mode without adding a span"),
]  # fmt: skip

DOCUMENT_BINDINGS = [
    Binding("A", "accept_all", "Accept all", id="doc.accept_all",
            tooltip="Accept every pending suggestion of the document"),
    Binding("s", "submit", "Submit", id="doc.submit",
            tooltip="Submit the document and open the next one"),
    Binding("i", "skip", "Skip (not relevant)", show=False, id="doc.skip",
            tooltip="Skip the document as not relevant"),
    Binding("f", "flag", "Flag for review", show=False, id="doc.flag",
            tooltip="Flag the document for a reviewer, with a comment"),
    Binding("u,ctrl+z", "undo", "Undo", id="doc.undo",
            tooltip="Undo the latest change, on any document"),
    Binding("p", "previous_document", "Previous doc", show=False, id="doc.previous",
            tooltip="Open the previous document you worked on"),
    Binding("n", "next_document", "Next doc", show=False, id="doc.next",
            tooltip="Open the next document"),
    Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key and label"),
    Binding("q", "app.quit", "Quit", id="app.quit",
            tooltip="Quit: every decision is already saved"),
]  # fmt: skip

SCREEN_BINDINGS = [*SPAN_BINDINGS, *SELECT_BINDINGS, *LINK_BINDINGS, *DOCUMENT_BINDINGS]

# The review screen (`workbench review`): its own keys, plus the annotator's editing
# keys (same ids, so one [keys] remap applies to both).
REVIEW_BINDINGS = [
    Binding("a,t", "take", "Take version", id="review.take",
            tooltip="Put the focused annotator's version in the reviewed gold"),
    Binding("T", "take_annotator", "Take annotator", id="review.take_annotator",
            tooltip="Make one annotator's spans the whole reviewed gold"),
    Binding("A", "accept_agreed", "Accept agreed", id="review.accept_agreed",
            tooltip="Put every span all annotators agree on in the reviewed gold"),
    Binding("x,d", "drop", "Drop", id="review.drop",
            tooltip="Take the focused span out of the reviewed gold"),
    Binding("c", "contested(1)", "Next contested", show=False, id="review.next_contested",
            tooltip="Focus the next contested span"),
    Binding("C", "contested(-1)", "Previous contested", show=False,
            id="review.previous_contested", tooltip="Focus the previous contested span"),
    Binding("s", "submit", "Submit gold", id="review.submit",
            tooltip="Submit the reviewed gold and open the next document to review"),
    Binding("u,ctrl+z", "undo", "Undo", show=False, id="review.undo",
            tooltip="Undo your latest change"),
    Binding("n", "document(1)", "Next doc", show=False, id="review.next_document",
            tooltip="Open the next document of the queue"),
    Binding("p", "document(-1)", "Previous doc", show=False, id="review.previous_document",
            tooltip="Open the previous document of the queue"),
    Binding("escape", "queue", "Queue", id="review.queue", tooltip="Back to the queue"),
    Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key and label"),
    Binding("q", "app.quit", "Quit", id="app.quit",
            tooltip="Quit: every decision is already saved"),
]  # fmt: skip

QUEUE_BINDINGS = [
    Binding("j,down", "cursor(1)", "Down", show=False, id="queue.down"),
    Binding("k,up", "cursor(-1)", "Up", show=False, id="queue.up"),
    Binding("enter", "open", "Open", id="queue.open", tooltip="Review the highlighted document"),
    Binding("r", "reload", "Reload", id="queue.reload", tooltip="Read the queue again"),
    Binding("question_mark", "help", "Help", id="app.help", tooltip="Every key and label"),
    Binding("q", "app.quit", "Quit", id="app.quit"),
]  # fmt: skip


# The modes in which an action applies (default: normal mode only); check_action
# hides the others from the footer and ignores their keys.
ACTION_MODES: dict[str, tuple[str, ...]] = {
    **{b.action.split("(")[0]: (SELECT,) for b in SELECT_BINDINGS},
    "label": (NORMAL, SELECT),  # relabels the focus, or labels the selection
    # Linking: move among the spans, or select new words (v), then enter.
    "move": (NORMAL, LINK),
    "select_begin": (NORMAL, LINK),
    "link_confirm": (LINK, SELECT),  # in select mode only while linking (the screen checks)
    "link_cancel": (LINK,),
    "undo": (NORMAL, SELECT),
    "help": (NORMAL, SELECT),
    "app.quit": (NORMAL, SELECT),
}


def modes_of(action: str) -> tuple[str, ...]:
    """The modes an action (its name, without arguments) applies in."""
    return ACTION_MODES.get(action, (NORMAL,))


def label_bindings(config: Config) -> list[Binding]:
    """One binding per label of the palette: relabel (normal) or add (select)."""
    return [
        Binding(
            spec.key,
            f"label({index})",
            spec.name,
            show=False,
            id=f"label.{spec.name}",
            tooltip=f"Label the focused span or the selection {spec.name}",
        )
        for index, spec in enumerate(config.labels.values())
        if spec.key
    ]


def all_bindings(config: Config) -> list[Binding]:
    return [*SCREEN_BINDINGS, *label_bindings(config)]


def keymap(config: Config) -> dict[str, str]:
    """The config's [keys] table as a keymap for `App.set_keymap`; an id that names
    no binding is a configuration error (a typo would silently keep the default)."""
    known = {b.id for b in [*all_bindings(config), *REVIEW_BINDINGS, *QUEUE_BINDINGS]}
    unknown = sorted(set(config.keys) - known)
    if unknown:
        where = config.path or "the configuration"
        raise ConfigError(
            f"{where}: [keys] {unknown[0]!r} is not a binding id (see `?` or docs/annotator.md)"
        )
    return dict(config.keys)


def in_effect(binding: Binding, config: Config) -> list[Binding]:
    """The binding once per key it has after the keymap, as the footer sees it."""
    keys = config.keys.get(binding.id or "", binding.key)
    return [replace(binding, key=k.strip()) for k in keys.split(",") if k.strip()]
