"""The header line (who, which document, progress) and the focused-span line."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from ...model import Annotation, Progress
from ..display import visible


class HeaderBar(Static, can_focus=False):
    """Annotator, document position and id, status, progress."""

    def show(
        self,
        annotator: str,
        annotation: Annotation | None,
        position: int,
        progress: Progress,
        mode: str,
    ) -> None:
        parts: list[str | tuple[str, str] | Content] = [(" workbench ", "bold reverse"), " "]
        parts.append((visible(annotator), "bold"))
        if annotation is None:
            parts.append("  all documents done")
        else:
            doc = annotation.document
            parts += [
                f"  doc {position}/{progress.total} ",
                (f"#{doc.id}", "dim"),
                "  ",
                (annotation.status.replace("_", " "), "italic"),
            ]
        parts += [
            "  \u2502 done ",
            (f"{progress.done}/{progress.total}", "bold"),
            f"  today {progress.today}",
        ]
        if mode in ("select", "link"):
            parts += ["  ", (f" {mode.upper()} ", "bold reverse")]
        self.update(Content.assemble(*parts), layout=False)  # one line, always


class DetailBar(Static, can_focus=False):
    """Everything about the focused span, or a hint."""

    def show(self, content: Content) -> None:
        self.update(content, layout=False)
