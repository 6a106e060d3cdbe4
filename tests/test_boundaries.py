"""The architecture's boundaries, checked on the source: who may import what."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"

# library -> the only places in workbench/ allowed to import it
ALLOWED = {
    "sqlite3": ("store/",),
    "sqlite_utils": ("store/",),
    "textual": ("tui/",),
    "spacy": (
        "nlp/",  # builds the pipeline, the registered components, train
        "interchange/spacy_docbin.py",
        "interchange/conll.py",  # sentences and tokens for the CoNLL export
    ),
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("library", sorted(ALLOWED))
def test_library_is_imported_only_where_allowed(library):
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if library in imported_roots(path) and not rel.startswith(ALLOWED[library]):
            offenders.append(rel)
    assert offenders == [], f"{library} imported outside {ALLOWED[library]}"


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
