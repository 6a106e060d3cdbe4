"""Fixtures for the annotator tests: a seeded SQLite file and an app factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from workbench.store import Store
from workbench.tui.app import AnnotatorApp, make_app

from .helpers import ANNOTATOR, config, seed_db


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return seed_db(tmp_path / "annotations.db")


@pytest.fixture
def app_for(db: Path) -> Callable[..., AnnotatorApp]:
    """make_app on the seeded database, without the prefetch worker (no spaCy)."""

    def factory(path: Path | None = None, **kwargs) -> AnnotatorApp:
        return make_app(
            path or db, config(), ANNOTATOR, prefetch=kwargs.pop("prefetch", False), **kwargs
        )

    return factory


@pytest.fixture
def read(db: Path) -> Callable[[], Store]:
    """A fresh Store on the test database, to assert on what was committed."""
    opened: list[Store] = []

    def opener() -> Store:
        store = Store(db)
        opened.append(store)
        return store

    yield opener
    for store in opened:
        store.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
