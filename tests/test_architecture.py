"""The house rules that keep the package readable: no import circle, small modules, floors that never look up.

Imports are read from the source with `ast` (function-level imports count too; `if TYPE_CHECKING:` blocks do
not, they never run). A room is a package folder; a module directly in a top package is a room of its own.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROOTS = {"components": "inferstack", "infra": "inferstack.infra", "policies": "inferstack.policies"}
TOP_PACKAGES = set(ROOTS.values())
MAX_LINES = 300
# A module may exceed MAX_LINES only with a reason here (module -> why).
LONG_MODULES: dict[str, str] = {
    # One pydantic model per catalog data file, side by side so a data file and its schema are read together;
    # 309 lines after the cold-start terms were added (split it by data file when it grows again).
    "inferstack.catalog.schema": "one schema per catalog data file, read together with the data",
}


@cache
def modules() -> dict[str, Path]:
    """Every module of the package by its import name."""
    found: dict[str, Path] = {}
    for folder, name in ROOTS.items():
        for path in (REPO / folder).rglob("*.py"):
            parts = path.relative_to(REPO / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join((name, *parts))] = path
    return found


def _package_of(module: str) -> str:
    return module if modules()[module].name == "__init__.py" else module.rpartition(".")[0]


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(child) for child in ast.walk(node)}
    return skipped


@cache
def import_graph() -> dict[str, frozenset[str]]:
    """module -> the package modules it imports (at any level of the file, outside TYPE_CHECKING)."""
    known = modules()
    graph: dict[str, frozenset[str]] = {}
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skipped = _type_checking_nodes(tree)
        targets: set[str] = set()
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                targets |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = _package_of(module).split(".")
                    base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
                targets |= {f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names}
        graph[module] = frozenset(t for t in targets if t in known and t != module)
    return graph


def cycles(graph: dict[str, frozenset[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk meets (each as the path that closes it)."""
    state: dict[str, int] = {}
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, path)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def room_of(module: str) -> str:
    """The folder a module lives in; a module directly in a top package is its own room."""
    package = _package_of(module)
    return module if package in TOP_PACKAGES else package


def room_graph() -> dict[str, frozenset[str]]:
    """room -> rooms it imports (a room importing its own sub-rooms or parent does not count)."""
    edges: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        for target in targets:
            a, b = room_of(module), room_of(target)
            if a != b and not b.startswith(a + ".") and not a.startswith(b + "."):
                edges.setdefault(a, set()).add(b)
    return {room: frozenset(targets) for room, targets in edges.items()}


def test_no_module_imports_in_a_circle() -> None:
    found = [" -> ".join(cycle) for cycle in cycles(import_graph())]
    assert not found, "import cycles between modules:\n" + "\n".join(found)


def test_no_folder_imports_in_a_circle() -> None:
    found = [" -> ".join(cycle) for cycle in cycles(room_graph())]
    assert not found, "import cycles between package folders:\n" + "\n".join(found)


def test_the_cycle_finder_finds_a_cycle() -> None:
    # The two tests above pass on an empty answer: prove the walker sees a circle when there is one.
    assert cycles({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"a"})}) == [["a", "b", "c", "a"]]
    assert cycles({"a": frozenset({"b"}), "b": frozenset()}) == []


def test_the_import_graph_sees_real_imports() -> None:
    graph = import_graph()
    assert "inferstack.spec.errors" in graph["inferstack.spec"]
    assert any(target.startswith("inferstack.") for target in graph["inferstack.environment"])


def test_no_module_is_over_the_size_limit_without_a_reason() -> None:
    long = {
        module: lines
        for module, path in modules().items()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES and module not in LONG_MODULES
    }
    assert not long, f"split these modules (or give the reason in LONG_MODULES): {long}"
