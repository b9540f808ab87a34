"""The engine's modules import each other one way only, and never inside a function.

Read from the source with :mod:`ast` (nothing is imported): an import cycle, or an
import placed inside a function to dodge one, fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from dashboard.engine import core, modes

ENGINE = Path(__file__).resolve().parents[2] / "dashboard" / "engine"
PACKAGE = "dashboard.engine."


def _engine_imports(node: ast.AST) -> set[str]:
    """Engine modules named by the import statements directly in ``node``'s body tree."""
    names: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.ImportFrom) and sub.module:
            if sub.module.startswith(PACKAGE):
                names.add(sub.module.removeprefix(PACKAGE))
            elif sub.module == "dashboard.engine":
                names.update(alias.name for alias in sub.names)
        elif isinstance(sub, ast.Import):
            names.update(
                a.name.removeprefix(PACKAGE) for a in sub.names if a.name.startswith(PACKAGE)
            )
    return names


def _modules() -> dict[str, ast.Module]:
    return {p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in ENGINE.glob("*.py")}


def _graph() -> dict[str, set[str]]:
    """Module -> engine modules it imports anywhere (type-checking blocks included)."""
    return {name: _engine_imports(tree) - {name} for name, tree in _modules().items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for nxt in sorted(graph.get(name, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return None


def test_engine_modules_import_each_other_without_a_cycle() -> None:
    assert _cycle(_graph()) is None


def test_the_cycle_finder_finds_a_hand_made_cycle() -> None:
    """HAND-MADE graph: the check above can fail."""
    assert _cycle({"core": {"modes"}, "modes": {"bus"}, "bus": {"core"}}) == [
        "bus",
        "core",
        "modes",
        "bus",
    ]


@pytest.mark.parametrize("module", sorted(p.stem for p in ENGINE.glob("*.py")))
def test_no_engine_import_inside_a_function(module: str) -> None:
    tree = _modules()[module]
    inside = {
        f"{fn.name}: {name}"
        for fn in ast.walk(tree)
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
        for name in _engine_imports(fn)
    }
    assert not inside


def test_every_mode_has_one_entry_point() -> None:
    assert tuple(modes.ENTRY_POINTS) == core.COMMUTE_MODES
    assert core.commute_times is modes.commute_times
