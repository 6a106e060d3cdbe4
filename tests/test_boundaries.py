"""The architecture's boundaries, checked for real: what importing a module loads.

Each module of the package (outside tui/ and cli/, plus the annotator's headless
session) is imported alone in a fresh interpreter, and the heavy or layer-defining
libraries it left in `sys.modules` are compared with what its floor may load
(harlequin's rule: the core never imports Textual, enforced by a test). Modules are
discovered, so a new one is checked by the default rule of its folder.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

import workbench

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workbench"
WATCHED = ("textual", "rich", "spacy", "sqlite3")
EVERYTHING = frozenset(WATCHED)

PURE_CORE = ("model", "config", "casualties", "visible", "tokens", "selecting", "roles")
SPACY_IN_INTERCHANGE = (
    "interchange.spacy_docbin",
    "interchange.spacy_docs",
    "interchange.spacy_prepare",
    "interchange.spacy_shards",
    "interchange.spacy_tokenize",
    "interchange.conll",
)


@dataclass(frozen=True)
class Expect:
    """What importing a module may not load, and what it must (so the probe is live)."""

    forbidden: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    why: str = ""


def expectation(module: str) -> Expect:
    """The rule for one module, by name: explicit floors first, then the defaults."""
    name = module.removeprefix("workbench.")
    if name in PURE_CORE:
        return Expect(EVERYTHING, why="pure core: no I/O, no UI, no spaCy")
    if name == "store" or name.startswith("store."):
        return Expect(EVERYTHING - {"sqlite3"}, frozenset({"sqlite3"}), "the store: SQL only")
    if name in SPACY_IN_INTERCHANGE:
        return Expect(frozenset({"textual", "sqlite3"}), frozenset({"spacy"}), "spaCy formats")
    if name == "interchange" or name.startswith("interchange."):
        return Expect(frozenset({"textual", "spacy", "sqlite3"}), why="readers never the store")
    if name == "nlp.suggest":
        return Expect(frozenset({"textual", "sqlite3"}), frozenset({"spacy"}), "the pipeline")
    if name in ("tui.session", "tui.linking"):
        return Expect(frozenset({"textual", "rich", "spacy"}), why="the annotator, headless")
    forbidden = {"textual"}  # only tui/ draws
    if not (name == "nlp" or name.startswith("nlp.")):
        forbidden.add("spacy")  # spaCy lives behind nlp/
    return Expect(frozenset(forbidden), why="default: Textual in tui/, spaCy in nlp/")


def checked_modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(workbench.__path__, "workbench.")]
    skipped = ("workbench.tui", "workbench.cli", "workbench.__main__")
    return ["workbench", "workbench.tui.session", "workbench.tui.linking"] + sorted(
        n for n in names if not n.startswith(skipped)
    )


MODULES = checked_modules()

PROBE = (
    "import importlib, json, sys; importlib.import_module(sys.argv[1]); "
    "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {w}"
    " or m == 'workbench.store')))"
)


def loaded_by(module: str) -> set[str]:
    """Top-level names of the watched libraries (and the store) a fresh import leaves."""
    code = PROBE.format(w=repr(set(WATCHED)))
    done = subprocess.run(
        [sys.executable, "-c", code, module], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        pytest.fail(f"import {module} failed: {done.stderr.strip().splitlines()[-1:]}")
    return {m.split(".")[0] if m != "workbench.store" else m for m in json.loads(done.stdout)}


@pytest.fixture(scope="module")
def loaded() -> dict[str, set[str] | BaseException]:
    """Every module's import, run a few at a time (each in its own interpreter)."""

    def probe(module: str) -> set[str] | BaseException:
        try:
            return loaded_by(module)
        except BaseException as e:  # pytest.fail inside a thread: report it per module
            return e

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(MODULES, pool.map(probe, MODULES), strict=True))


@pytest.mark.parametrize("module", MODULES)
def test_importing_a_module_loads_only_what_its_floor_may(module, loaded):
    found = loaded[module]
    if isinstance(found, BaseException):
        raise found
    rule = expectation(module)
    libraries = found & EVERYTHING
    # sqlite3 only in the store and in modules that use it (jobs/, review): never alone.
    if "sqlite3" in libraries and "workbench.store" not in found:
        pytest.fail(f"{module} loads sqlite3 without the store")
    assert not libraries & rule.forbidden, f"{module} loads {sorted(libraries & rule.forbidden)}"
    assert rule.required <= libraries, f"{module} should load {sorted(rule.required)}"


def test_modules_are_discovered_so_new_ones_are_checked():
    assert {"workbench.model", "workbench.tokens", "workbench.store.base"} <= set(MODULES)
    assert "workbench.tui.session" in MODULES


def test_the_rules_can_fail():
    # A new module anywhere outside nlp/ and tui/ may load neither spaCy nor Textual.
    assert {"spacy", "textual"} <= expectation("workbench.jobs.cluster").forbidden
    assert "spacy" not in expectation("workbench.nlp.components").forbidden
    assert expectation("workbench.tokens").forbidden == EVERYTHING
    assert "textual" in expectation("workbench.tui.session").forbidden
    # The probe sees what a module loads: Textual's own content module loads Textual.
    assert "textual" in loaded_by("textual.content")
    assert loaded_by("json").isdisjoint(EVERYTHING)


# The store writes SQL keywords in capitals; prose ("Select a span from...") does not.
SQL = re.compile(r"\b(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b")


def test_sql_is_written_only_in_the_store():
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).as_posix().startswith("store/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not SQL.search(node.value), f"{path.name}: SQL in {node.value[:60]!r}"


def test_the_sql_check_can_fail():
    assert SQL.search("SELECT id FROM documents") and SQL.search("UPDATE x SET y = 1")
    assert not SQL.search("select mode") and not SQL.search("Select a span from the list")
