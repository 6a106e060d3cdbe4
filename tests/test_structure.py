"""Facts a reader can check about the layout (issue 9): no module over 450 lines, the
CLI modules thinner still, and no workbench module imports, as it loads, one that
imports it back.

Imports inside functions (the CLI's lazy imports) and under `if TYPE_CHECKING:` run
later or never, so they cannot form a circle at import time and are left out. This
reads the source (which modules name which); what a module really loads is checked
in a fresh interpreter by tests/test_boundaries.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "workbench"
MAX_MODULE_LINES = 450  # one responsibility fits in a file a reader can hold
MAX_CLI_LINES = 400  # options and printing over functions of the core


def module_names() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _run_on_import(node: ast.AST) -> list[ast.AST]:
    """The import statements that run when the module is loaded: not those in function
    bodies (methods included), nor under `if TYPE_CHECKING:`."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        return []
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return [node]
    children: list[ast.AST] = list(ast.iter_child_nodes(node))
    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
        children = list(node.orelse)
    return [found for child in children for found in _run_on_import(child)]


def imports_at_load(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The workbench modules `name` imports when it is loaded."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _run_on_import(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            subs = {f"{base}.{a.name}" for a in node.names} & modules.keys()
            found |= subs
            if base in modules and len(subs) < len(node.names):
                found.add(base)
    return found - {name}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while (w := stack.pop()) != v:
                group.append(w)
            if group:
                found.append(sorted([v, *group]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_circles_finds_a_circle_it_is_shown():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_workbench_module_imports_one_that_imports_it_back():
    modules = module_names()
    graph = {name: imports_at_load(name, path, modules) for name, path in modules.items()}
    assert graph["workbench.cli"] >= {"workbench.cli.documents", "workbench.cli.base"}
    assert circles(graph) == []


def test_cli_modules_are_thin():
    sizes = {
        p.name: len(p.read_text(encoding="utf-8").splitlines())
        for p in (PACKAGE / "cli").glob("*.py")
    }
    assert {"__init__.py", "base.py", "export.py"} <= set(sizes)
    assert {name: n for name, n in sizes.items() if n > MAX_CLI_LINES} == {}


def test_no_module_is_over_450_lines():
    sizes = {
        str(path.relative_to(REPO)): len(path.read_text(encoding="utf-8").splitlines())
        for path in module_names().values()
    }
    assert len(sizes) > 50 and "workbench/store/base.py" in sizes  # the whole package is read
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}
