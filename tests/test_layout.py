"""The package's layout and import graph: the stages in pipeline order, none importing a later one, no circles.

Read from the source (every import statement, at the top or inside a function, but not those only
for type checkers), so an upward import or a circle that lazy imports hide at run time still fails
here. This is the rule that keeps the stages readable bottom-up: a newcomer never needs to open a
later stage to understand an earlier one."""

from __future__ import annotations

import ast
import re
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


#: The stages, in the order data passes through them; each may import only the shared modules at the
#: bottom, itself, and the stages listed before it. The README's "How the code is laid out" shows it.
BOTTOM = ("catalog", "catalog.records", "catalog.messages", "catalog.collector", "catalog.scanning", "catalog.folded",
          "catalog.vocabulary", "catalog.tabulate")
STAGES = ("ingest", "extract", "store", "pipeline", "graph", "compare", "queries", "checks", "export",
          "evaluation", "cli", "dashboard")
#: The longest module, in lines: split by concept past this (issue 16 says about 300).
MAX_LINES = 330


def stage(module: str) -> int:
    """-1 for the shared bottom modules, the top for `python -m catalog`, else the stage's place in STAGES."""
    if module == "catalog.__main__":
        return len(STAGES)
    if module in BOTTOM:
        return -1
    return STAGES.index(module.split(".")[1])


def test_every_module_is_in_a_stage_or_at_the_bottom():
    unplaced = [m for m in import_graph() if m not in BOTTOM and m != "catalog.__main__"
                and m.split(".")[1] not in STAGES]
    assert unplaced == []
    for name in STAGES:
        doc = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"catalog/{name}/__init__.py says what comes in and what goes out"


def test_no_stage_imports_a_later_one():
    G = import_graph()
    upward = sorted(f"{a} -> {b}" for a, b in G.edges if stage(b) > stage(a) or (stage(b) == stage(a) == -1
                    and a != "catalog" and BOTTOM.index(b) > BOTTOM.index(a)))
    assert upward == [], "\n".join(upward)


def test_the_bottom_is_small_and_the_entry_point_only_launches():
    G = import_graph()
    assert set(G.successors("catalog.__main__")) == {"catalog.cli.launch"}
    assert sum(len((PACKAGE.parent / (m.replace(".", "/") + ".py")).read_text().splitlines())
               for m in BOTTOM[1:]) < 1000


def test_no_module_is_over_the_limit():
    long = sorted((n, str(p.relative_to(PACKAGE.parent))) for p in PACKAGE.rglob("*.py")
                  if "migrations" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES)
    assert long == [], long


def test_the_reader_sees_the_package():
    G = import_graph()
    assert {"catalog.ingest.documents", "catalog.store.write", "catalog.extract.mentions", "catalog.queries.lineage"} <= set(G)
    assert G.has_edge("catalog.store.engine", "catalog.store.migrate")
    assert G.has_edge("catalog.extract.controller", "catalog.extract.registration")
    assert not G.has_edge("catalog.extract", "catalog.store.write")


def test_no_import_circles():
    circles = sorted(" -> ".join([*c, c[0]]) for c in nx.simple_cycles(import_graph()))
    assert circles == [], "\n".join(circles[:20])


def _exists(dotted_or_path: str) -> bool:
    """A module or package path (catalog/x/y.py, catalog/x/, catalog.x.y, catalog.x.y.name) of the source tree."""
    parts = dotted_or_path.rstrip("/.").replace("/", ".").removesuffix(".py").split(".")
    root = PACKAGE.parent
    return any((root.joinpath(*parts[:n]).with_suffix(".py")).is_file() or root.joinpath(*parts[:n]).is_dir()
               for n in (len(parts), len(parts) - 1) if n > 1)


def test_the_readme_names_only_modules_that_exist():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\bcatalog/[\w/]+(?:\.py)?", readme))
    named |= {m for m in re.findall(r"\bcatalog(?:\.[a-z_]\w*)+", readme)
              if m.rsplit(".", 1)[1] not in {"db", "json", "xlsx", "csv", "yaml", "toml"}}
    assert len(named) > 20
    assert sorted(n for n in named if not _exists(n)) == []


def test_the_tests_mirror_the_stages():
    tests = PACKAGE.parent / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(STAGES)
    assert all(list((tests / name).glob("test_*.py")) for name in STAGES)
