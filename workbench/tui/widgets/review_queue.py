"""The review queue as options: document, who annotated it, what differs, flags."""

from __future__ import annotations

from textual.content import Content
from textual.widgets.option_list import Option

from ...review import one_line
from ...review_session import QueueItem


def queue_prompt(item: QueueItem, width: int = 74) -> Content:
    """Two or more lines for one document; every database string made visible."""
    doc = item.document
    if item.done:
        state = (f"\u2713 reviewed by {one_line(', '.join(item.reviewed_by), 20)}", "dim")
    elif item.disagrees:
        state = (f"\u2260 {item.contested} contested", "bold")
    elif item.flags:
        state = ("\u2691 flagged", "bold")
    else:
        state = ("= agreed", "")
    draft = [("  draft", "italic")] if item.draft else []
    who = one_line(", ".join(item.annotators), 30)
    parts: list[str | tuple[str, str]] = [
        (f"#{doc.id:<5}", "bold"),
        state,
        *draft,
        f"  {who}\n",
        ("  " + one_line(" ".join(doc.text.split()), width - 2), "dim"),
    ]
    for name, comment in item.flags:
        parts += ["\n  ", ("\u2691 ", "bold"), f"{one_line(name, 16)}: {one_line(comment, 56)}"]
    return Content.assemble(*parts)


def queue_options(items: list[QueueItem]) -> list[Option]:
    return [Option(queue_prompt(item), id=str(item.document.id)) for item in items]
