"""The package's import graph: no module imports one that imports it back, however indirectly.

Read from the source (every import statement, at the top or inside a function, but not those only
for type checkers), so a circle that lazy imports hide at run time still fails here. Issue 16 puts the
modules into stage packages; this is the rule that keeps the stages readable bottom-up."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[1] / "catalog"


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST, modules: set[str]) -> set[str]:
    found: set[str] = set()
    todo = [tree]
    while todo:
        node = todo.pop()
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            todo.append(child)
            if isinstance(child, ast.Import):
                found |= {a.name for a in child.names}
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                found.add(child.module)
                found |= {f"{child.module}.{a.name}" for a in child.names}  # "from catalog import tables"
    return {m for m in found if m in modules}


def import_graph() -> nx.DiGraph:
    files = [p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts]
    modules = {_module(p): p for p in files}
    G = nx.DiGraph()
    G.add_nodes_from(modules)
    for name, path in modules.items():
        for target in _imports(ast.parse(path.read_text(encoding="utf-8")), set(modules)):
            # a package's __init__ is imported with any of its modules: not an edge of its own
            if target != name and not name.startswith(target + "."):
                G.add_edge(name, target)
    return G


def test_the_reader_sees_the_package():
    G = import_graph()
    assert {"catalog.ingest", "catalog.store", "catalog.extract.mentions", "catalog.lineage"} <= set(G)
    assert G.has_edge("catalog.store", "catalog.migrate")
    assert G.has_edge("catalog.extract.controller", "catalog.extract.registration")
    assert not G.has_edge("catalog.extract", "catalog.store")


def test_no_import_circles():
    circles = sorted(" -> ".join([*c, c[0]]) for c in nx.simple_cycles(import_graph()))
    assert circles == [], "\n".join(circles[:20])
