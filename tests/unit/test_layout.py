"""The package layout holds: no import cycles, imports only go down the layers, no Streamlit in
``sector_map``, and the README's layout section names every module.

Imports are read from the source (module level and inside functions alike, since a lazy import is
still a dependency); imports under ``if TYPE_CHECKING:`` are for type hints only and do not count.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "sector_map"

# What each package may import from sector_map (besides itself). Lower layers come first.
ALLOWED = {
    "pack": set(),
    "importers": {"pack"},
    "analysis": {"pack"},
    "views": {"pack", "analysis"},
    "export": {"pack", "analysis", "views"},
    "build": {"pack", "importers"},
    "upload": {"pack", "importers", "build"},
    "demo": {"pack"},
    "directory": {"pack", "importers", "analysis"},
    "reach": {"pack", "importers", "analysis", "views", "export", "directory"},
    "cli": {
        "pack",
        "importers",
        "analysis",
        "views",
        "export",
        "build",
        "upload",
        "demo",
        "directory",
        "reach",
    },
}
TOP_LEVEL = {"__init__", "__main__"}  # the only modules directly in sector_map/


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The sector_map modules ``path`` imports (a ``from package import module`` names the module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("sector_map"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sector_map"):
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in modules else node.module)
    return found


def _graph() -> nx.DiGraph:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    graph = nx.DiGraph()
    for p in paths:
        name = _module_name(p)
        graph.add_node(name)
        for target in _imports(p, modules):
            if target != name and not name.startswith(target + "."):  # a module's own package
                graph.add_edge(name, target)
    return graph


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_sector_map_has_no_import_cycles():
    cycles = list(nx.simple_cycles(_graph()))
    assert cycles == [], "import cycles: " + "; ".join(" → ".join([*c, c[0]]) for c in cycles)


def test_imports_only_go_down_the_layers():
    wrong = []
    for a, b in _graph().edges:
        la, lb = _layer(a), _layer(b)
        if la == lb or lb == "" or la not in ALLOWED:
            continue
        if lb not in ALLOWED[la]:
            wrong.append(f"{a} imports {b} ({la} may import {sorted(ALLOWED[la]) or 'nothing else'})")
    assert wrong == [], "\n".join(wrong)


def test_every_module_belongs_to_a_package_with_a_docstring():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.stem not in TOP_LEVEL]
    assert loose == [], f"modules directly in sector_map/: {loose}; put each in its package"
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages == set(ALLOWED), "a package the layer rules do not name (or one gone)"
    for pkg in packages:
        doc = ast.get_docstring(ast.parse((PACKAGE / pkg / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "May import" in doc, (
            f"sector_map/{pkg}/__init__.py must say what it owns and may import"
        )


def test_nothing_in_sector_map_imports_streamlit():
    users = []
    for p in PACKAGE.rglob("*.py"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
                users.append(str(p.relative_to(ROOT)))
    assert users == []


def _layout_paths() -> set[str]:
    """Paths named in the README's layout tree: a line ``name/`` opens a folder at its indent, a
    line ``name.py`` names a module in the folder above it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    block = section.split("```", 2)[1]
    stack: list[tuple[int, str]] = []
    named: set[str] = set()
    for line in block.splitlines():
        m = re.match(r"^( *)([\w.]+)(/?)(\s|$)", line)
        if not m:
            continue
        indent, name, slash = len(m.group(1)), m.group(2), m.group(3)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = "/".join([*(n for _, n in stack), name])
        if slash:
            stack.append((indent, name))
        named.add(path)
    return named


@pytest.mark.parametrize("folder", ["sector_map", "ui", "app_pages"])
def test_the_readme_layout_names_every_module(folder):
    named = _layout_paths()
    missing = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / folder).rglob("*.py"))
        if p.name != "__init__.py" and p.relative_to(ROOT).as_posix() not in named
    ]
    assert missing == [], f"README.md '## Layout' does not name: {missing}"
    gone = [n for n in named if n.endswith(".py") and n.startswith(folder + "/") and not (ROOT / n).exists()]
    assert gone == [], f"README.md '## Layout' names modules that do not exist: {gone}"
