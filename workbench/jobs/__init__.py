"""Jobs: long-running work that joins the readers, the store and the suggester.

import (importing), suggest (suggesting), export, predict and evaluation
(evaluating). Each takes a `report(advance)` callback so the CLI can draw a
progress bar and tests can run without one. Jobs may import the core (model,
config, casualties, visible), `store/`, `interchange/` and `nlp/`; never `cli/`
or `tui/`, and never Textual.
"""

from __future__ import annotations

from collections.abc import Callable

Report = Callable[[int], None]

# What the export job offers, here so that the CLI's --help can list them without
# loading the store: the formats, and which gold (see `export.Selection`).
FORMATS = ("jsonl", "spacy", "conll", "doccano", "brat", "claims")
GOLD_CHOICES = ("submitted", "reviewed", "all", "best")


def no_progress(_: int) -> None:
    """A `Report` that draws nothing."""
