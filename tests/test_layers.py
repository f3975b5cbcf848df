"""Dependencies go one way: no module imports a package above its own (DESIGN.md, package map).

Every import in every module counts, at the top or inside a function (a lazy import is still a
dependency), under ``TYPE_CHECKING`` too. Modules of one layer may import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simsvc"

LAYERS: tuple[tuple[str, ...], ...] = (
    # utilities every layer may use: no scenario, no simulation
    ("errors", "terminal", "bounds", "jsonsafe", "i18n", "distributions", "queueing", "queueing_network",
     "workers", "_forkserver", "destinations", "kpi_format", "display", "pareto"),
    # the file format, and the pure functions that read a scenario's declarations
    ("scenario", "bundled", "quality", "costs", "targets"),
    ("sim",),
    ("metrics",),
    ("records", "result", "run"),
    ("output", "excel"),  # a result as tables and files
    ("history", "experiments"),  # they simulate (through run) and write files
    ("plots",),
    ("staffing",),  # it simulates its plans and charts them
    ("api", "plan_output", "report", "roster"),
    ("app", "cli", "cli_common", "cli_log", "cli_roster", "__init__", "__version__"),
)  # fmt: skip
"""The layers, lowest first; each name is a top-level module or package of ``simsvc``."""
LEVEL = {name: level for level, names in enumerate(LAYERS) for name in names}


def _unit(module: str) -> str:
    """The top-level module or package of ``simsvc`` a dotted name belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(name: str) -> bool:
    return (PACKAGE / f"{name}.py").exists() or (PACKAGE / name / "__init__.py").exists()


def _imports(path: Path, package: str) -> list[tuple[int, str]]:
    """``(line, simsvc module)`` of every import in ``path``, a module of ``package``.

    ``from simsvc import x`` names ``simsvc.x`` (or ``simsvc``, the root, when ``x`` is not a
    module); a relative import is resolved in ``package``.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            if base == "simsvc":  # a submodule, or a name of the package's root (its public API)
                found += [(node.lineno, f"simsvc.{a.name}" if _is_module(a.name) else "simsvc") for a in node.names]
            elif base.startswith("simsvc."):
                found.append((node.lineno, base))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "simsvc"]
    return found


def _modules() -> list[tuple[str, Path]]:
    """``(dotted name, file)`` of every module of the package (a package by its ``__init__``)."""
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return out


def _package(module: str, path: Path) -> str:
    """The package a module's relative imports start from."""
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def upward_imports(modules: list[tuple[str, Path]]) -> list[str]:
    """Every import of a package from a module in a layer below it, as ``module:line: a -> b (imported)``."""
    bad = []
    for module, path in modules:
        own = _unit(module)
        for line, target in _imports(path, _package(module, path)):
            if LEVEL[_unit(target)] > LEVEL[own]:
                bad.append(f"{module}:{line}: {own} -> {_unit(target)} ({target})")
    return bad


def test_every_module_has_a_layer():
    """A new module must be placed (in :data:`LAYERS`) before it can be checked."""
    modules = _modules()
    units = {_unit(m) for m, _ in modules} | {_unit(t) for m, p in modules for _, t in _imports(p, _package(m, p))}
    assert sorted(units - LEVEL.keys()) == []
    assert len(LEVEL) == sum(map(len, LAYERS)), "a name is in two layers"


def test_no_module_imports_a_layer_above_it():
    assert upward_imports(_modules()) == []


def test_sim_never_reads_its_own_results():
    """The engine's package imports nothing that reads its records (the rule DESIGN.md states)."""
    above = {_unit(t) for m, p in _modules() if _unit(m) == "sim" for _, t in _imports(p, _package(m, p))}
    assert not above & {"metrics", "records", "result", "run", "output", "plots", "report", "app", "cli"}


@pytest.mark.parametrize(
    ("source", "culprit"),
    [
        ("from simsvc.metrics import KPI_NAMES\n", "sim -> metrics"),
        ("def f():\n    from simsvc.result import SimResult\n", "sim -> result"),
        ("import simsvc.output\n", "sim -> output"),
        ("from simsvc import run\n", "sim -> run"),
        ("from ..records import customer_table\n", "sim -> records"),
    ],
)
def test_an_upward_import_is_caught(tmp_path, source, culprit):
    """The check fails on a planted upward import, at the top or inside a function."""
    path = tmp_path / "simsvc" / "sim" / "planted.py"
    path.parent.mkdir(parents=True)
    path.write_text(source, encoding="utf-8")
    (bad,) = upward_imports([("simsvc.sim.planted", path)])
    assert culprit in bad and bad.startswith("simsvc.sim.planted:")
