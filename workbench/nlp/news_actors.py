"""News-actor knowledge: curated entity patterns, loaded by a spaCy span ruler.

The project's lists live in `patterns/*.jsonl` (see `patterns/README.md` for where
each came from); a team adds its own files with `entity_patterns` in
workbench.toml. A line is a spaCy ruler pattern with one label:
`{"label": "ORG", "pattern": "Syrian Observatory for Human Rights"}` (a phrase) or
`{"label": "ORG", "pattern": [{"ORTH": "The"}, {"ORTH": "Hindu"}]}` (tokens).
The ruler writes to `doc.spans`; the `workbench_entities` component decides.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from spacy.language import Language

from ..config import ConfigError
from .entity_rules import ACTORS_KEY

PATTERNS_DIR = Path(__file__).with_name("patterns")
ACTORS_PIPE = "workbench_news_actors"


def pattern_files(extra: Sequence[str | Path] = ()) -> list[Path]:
    """The shipped pattern files, then the team's own (in the order given)."""
    return sorted(PATTERNS_DIR.glob("*.jsonl")) + [Path(p) for p in extra]


def read_patterns(paths: Sequence[Path]) -> list[dict[str, Any]]:
    """Every pattern of the files; a bad line is an error naming file and line."""
    out = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise ConfigError(f"{path}: cannot read entity patterns: {e.strerror}") from e
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                raise ConfigError(f"{path}:{number}: not a JSON object") from None
            label, pattern = (
                (entry.get("label"), entry.get("pattern"))
                if isinstance(entry, dict)
                else (None, None)
            )
            if not isinstance(label, str) or not label or not isinstance(pattern, str | list):
                raise ConfigError(f'{path}:{number}: expected {{"label": ..., "pattern": ...}}')
            out.append({"label": label, "pattern": pattern})
    return out


def patterns_digest(patterns: Sequence[dict[str, Any]]) -> str:
    """A short digest of the patterns, part of the suggester's version."""
    return hashlib.sha256(json.dumps(list(patterns), sort_keys=True).encode()).hexdigest()[:8]


def add_news_actors(nlp: Language, patterns: Sequence[dict[str, Any]], *, after: str) -> None:
    """Add the span ruler of news-actor patterns after pipe `after`."""
    ruler: Any = nlp.add_pipe(
        "span_ruler",
        name=ACTORS_PIPE,
        after=after,
        config={"spans_key": ACTORS_KEY, "annotate_ents": False, "overwrite": True},
    )
    ruler.add_patterns(list(patterns))
