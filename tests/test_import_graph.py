"""No import cycle among the workbench's modules: the types every layer shares (facts, codes,
the rules' schema) sit at the bottom, and a stage never imports the stages that use it.

The graph is read from the source with ``ast``: every ``import workbench…`` / ``from
workbench… import …`` at module level and inside functions (a lazy import still ties two
modules together), but not under ``if TYPE_CHECKING:`` (annotations only).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbench"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(tree: ast.AST) -> list[str]:
    """Names imported anywhere in ``tree`` except under ``if TYPE_CHECKING:``."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.extend(f"{node.module}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


@cache
def import_graph() -> dict[str, set[str]]:
    modules = _modules()

    def module_of(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = {module_of(n) for n in _imports(ast.parse(path.read_text(encoding="utf-8")))}
        graph[name] = {t for t in targets if t and t != name and t.startswith("workbench")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return found


def test_the_workbench_has_no_import_cycle() -> None:
    graph = import_graph()
    assert len(graph) > 150 and "workbench.facts" in graph
    assert cycles(graph) == []


def test_the_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_shared_types_sit_at_the_bottom() -> None:
    """The page, link and failure types and the rules' schema import no stage."""
    graph = import_graph()
    for bottom in ("workbench.codes", "workbench.rules.schema"):
        assert graph[bottom] == set(), (bottom, graph[bottom])
    stages = ("workbench.fetch.crawl", "workbench.fetch.site_crawl", "workbench.pipeline",
              "workbench.indicators", "workbench.extract.analyzers")  # fmt: skip
    below_facts = _reachable(graph, "workbench.facts")
    assert not below_facts & set(stages), below_facts & set(stages)


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
