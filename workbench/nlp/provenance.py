"""What a trained pipeline learnt from: the text hashes of its training documents.

`workbench train` records them in the saved pipeline's meta, under
`meta["workbench"]["trained_on"]` (a sorted list of `model.text_hash` digests, the
hash the database keys documents by), so `workbench evaluate` can leave those
documents out instead of scoring a model on what it was taught.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..model import text_hash

META_KEY = "workbench"
TRAINED_ON = "trained_on"


def record_trained_on(meta: dict[str, Any], texts: Iterable[str]) -> None:
    """Add the hashes of `texts` to the meta's training documents.

    Other `meta["workbench"]` keys are kept, and so are the hashes already there: a
    pipeline fine-tuned from a trained one still knows what that one learnt.
    """
    section = dict(meta.get(META_KEY) or {})
    hashes = set(section.get(TRAINED_ON) or ()) | {text_hash(t) for t in texts}
    section[TRAINED_ON] = sorted(hashes)
    meta[META_KEY] = section


def trained_on(meta: Mapping[str, Any]) -> frozenset[str]:
    """The text hashes of the documents a pipeline was trained on (none recorded: empty)."""
    section = meta.get(META_KEY)
    if not isinstance(section, Mapping):
        return frozenset()
    return frozenset(str(h) for h in section.get(TRAINED_ON) or ())
