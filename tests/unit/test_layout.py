"""The engine's layout shows its data flow (docs/architecture.md): imports run one way, benchmarks/ has no import
cycle, run identity imports nothing else of the engine, and the tests import public names from the module that
defines them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("benchmarks", "reproductions", "mlflow_tracking")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in the file, at any depth (a function-level import is still a dependency)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def _graph(package: str) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports (a `from package import module` counts as the module)."""
    modules = {_module_name(p): p for p in (ROOT / package).rglob("*.py")}
    graph = {}
    for name, path in modules.items():
        edges = set()
        for module, names in _imports(path):
            if module in modules:
                edges.add(module)
            edges |= {f"{module}.{n}" for n in names if f"{module}.{n}" in modules}
        graph[name] = edges - {name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path + [node, nxt]
            if nxt not in state:
                found = visit(nxt, path + [node])
                if found:
                    return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def test_benchmarks_has_no_import_cycle():
    assert _cycle(_graph("benchmarks")) is None, " -> ".join(_cycle(_graph("benchmarks")))


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_run_identity_imports_nothing_else_of_the_engine():
    engine = [m for m, _ in _imports(ROOT / "benchmarks" / "identity.py") if m.split(".")[0] == "benchmarks"]
    assert engine == []


@pytest.mark.parametrize("package, may_import", [("reproductions", ()), ("mlflow_tracking", ())])
def test_imports_run_one_way(package, may_import):
    """benchmarks -> reproductions and benchmarks -> mlflow_tracking; nothing imports benchmarks; reproductions
    imports neither of the others."""
    wrong = []
    for path in (ROOT / package).rglob("*.py"):
        for module, _ in _imports(path):
            top = module.split(".")[0]
            if top in PACKAGES and top != package and top not in may_import:
                wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not wrong


def _defined(path: Path) -> set[str]:
    """The names a module defines itself at its top level (not the ones it imports)."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {t.id for t in ast.walk(target) if isinstance(t, ast.Name)}
    return names


def test_tests_import_public_names_from_the_module_that_defines_them():
    wrong = []
    for path in (ROOT / "tests").rglob("*.py"):
        for module, names in _imports(path):
            if module.split(".")[0] != "benchmarks":
                continue
            source = ROOT / Path(*module.split(".")).with_suffix(".py")
            if not source.is_file():
                continue  # a package: `from benchmarks import judge` names a module
            defined = _defined(source)
            wrong += [f"{path.relative_to(ROOT)}: {module}.{n}" for n in names
                      if n.startswith("_") or n not in defined]
    assert not wrong, "private names, or names a module only re-exports: " + ", ".join(wrong)


def test_the_lock_file_pins_what_changes_numbers_inside_pyprojects_ranges():
    """CI installs with constraints.txt (scripts/setup.sh), so two runs of it resolve the same packages; the
    packages that compute or record (keras, tensorflow, numpy, scipy, mlflow, ray) are pinned there, each inside
    the range pyproject.toml allows."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later

    from packaging.requirements import Requirement

    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[name] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(r) for r in project["dependencies"]] + [
        Requirement(r) for extra in ("tensorflow", "test") for r in project["optional-dependencies"][extra]]
    for name in ("keras", "tensorflow", "numpy", "scipy", "mlflow", "ray"):
        assert name in pinned, f"{name} is not pinned in constraints.txt"
        ranges = [r.specifier for r in declared if r.name == name]
        assert ranges and all(pinned[name] in spec for spec in ranges), (name, pinned[name], ranges)
