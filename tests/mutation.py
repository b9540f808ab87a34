"""Mutation testing by hand (not in CI): do the tests notice a one-operator mistake?

Run from the checkout, for example::

    python -m tests.mutation dashboard/engine/street.py dashboard/engine/transit.py

For each module, 60 mutants (``--n``) are sampled with a fixed seed (``--seed``) from every
place where one of these operators applies:

- comparison swaps and negations (``<`` -> ``<=`` / ``>=``, ``==`` -> ``!=``, ``in`` ->
  ``not in``, ``is`` -> ``is not``);
- arithmetic swaps (``+`` <-> ``-``, ``*`` <-> ``/``, ``//`` -> ``/``, ``%`` -> ``//``,
  ``**`` -> ``*``, ``&`` <-> ``|``), also in augmented assignments;
- constants (``0`` <-> ``1``, ``n`` -> ``n + 1``, ``True`` <-> ``False``);
- ``and`` <-> ``or``; ``not`` removed, or inserted in an ``if``/``while``/conditional test;
- a ``raise`` statement replaced by ``pass``; ``return value`` replaced by ``return None``.

Type annotations, f-strings and strings are left alone. Every mutant is one change to one
module, written with :func:`ast.unparse`, and judged by that module's targeted test files
(:data:`TARGETS`, or ``--tests``) run with ``python -m pytest -x -q -p no:cacheprovider``:
*killed* (a test failed), *survived* (all passed) or *timeout* (counted as killed).
Timing tests (:data:`DESELECT`) are left out: on a busy machine they would fail for
reasons of their own and count as kills.

Safety: the working tree is never touched. The git-tracked and untracked-but-not-ignored
files, as they are in the working tree now, are copied into a temporary folder; mutants are
written and tests run there, with the copy first on ``sys.path`` (checked before any mutant
runs, because the project is installed editable and would otherwise import the checkout).
Mutants run one after another under ``nice -n 10``.

Survivors that cannot change behaviour (equivalent mutants) are classified by hand in
:mod:`tests.mutation_equivalent`; the report gives the score with and without them.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tests.mutation_equivalent import EQUIVALENT

PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: Targeted test files per module (missing files are skipped).
TARGETS: dict[str, list[str]] = {
    "dashboard/engine/street.py": [
        "tests/engine/test_street.py",
        "tests/engine/test_street_mutants.py",
    ],
    "dashboard/engine/transit.py": [
        "tests/engine/test_transit.py",
        "tests/engine/test_transit_commute.py",
        "tests/engine/test_transit_mutants.py",
    ],
    "dashboard/layers/candidates.py": [
        "tests/dashboard/test_layers.py",
        "tests/dashboard/test_candidates_mutants.py",
    ],
    "dashboard/state.py": [
        "tests/dashboard/test_state.py",
        "tests/dashboard/test_state_mutants.py",
    ],
    "etl/pipeline.py": [
        "tests/etl/test_pipeline.py",
        "tests/etl/test_guard.py",
        "tests/etl/test_pipeline_lock.py",
        "tests/etl/test_pipeline_mutants.py",
    ],
}

#: Timing tests: under ``nice`` on a busy machine they fail for no mutant's sake.
DESELECT: tuple[str, ...] = (
    "tests/engine/test_transit.py::test_build_is_fast",
    "tests/engine/test_transit.py::test_query_speed_on_real_timetable",
)

_CMP_SWAPS: dict[type[ast.cmpop], tuple[type[ast.cmpop], ...]] = {
    ast.Lt: (ast.LtE, ast.GtE),
    ast.LtE: (ast.Lt, ast.Gt),
    ast.Gt: (ast.GtE, ast.LtE),
    ast.GtE: (ast.Gt, ast.Lt),
    ast.Eq: (ast.NotEq,),
    ast.NotEq: (ast.Eq,),
    ast.In: (ast.NotIn,),
    ast.NotIn: (ast.In,),
    ast.Is: (ast.IsNot,),
    ast.IsNot: (ast.Is,),
}
_BIN_SWAPS: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
}
#: Parents shown with a changed constant, so that equal constants get distinct keys.
_CONST_CONTEXT = (ast.expr, ast.keyword, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Return)
_SKIPPED_FIELDS = {"annotation", "returns", "type_comment", "decorator_list"}


@dataclass(frozen=True)
class Site:
    """One place a mutation operator applies, found by a deterministic AST walk."""

    index: int  # position of the node in the walk
    kind: str
    new: object  # new operator class or constant value; unused for structural kinds
    op_pos: int = 0  # which operator of a chained comparison


@dataclass(frozen=True)
class Mutant:
    """A site applied: the mutated module text and a readable description."""

    site: Site
    line: int
    qualname: str
    before: str
    after: str
    source: str
    occurrence: int = 1  # among sites of the module with the same description

    @property
    def key(self) -> str:
        """Line-free identity, stable while other lines of the module change."""
        suffix = f" #{self.occurrence}" if self.occurrence > 1 else ""
        return f"{self.qualname}: {self.before} -> {self.after}{suffix}"


def _walk(node: ast.AST, qual: str = "") -> Iterator[tuple[ast.AST, ast.AST | None, str, str]]:
    """Yield ``(node, parent, field, qualname)`` in a fixed order, skipping annotations."""
    stack: list[tuple[ast.AST, ast.AST | None, str, str]] = [(node, None, "", qual)]
    while stack:
        cur, parent, field, q = stack.pop()
        yield cur, parent, field, q
        if isinstance(cur, ast.JoinedStr):
            continue  # f-string pieces have unreliable positions and only format text
        if isinstance(cur, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            q = f"{q}.{cur.name}" if q else cur.name
        children: list[tuple[ast.AST, ast.AST | None, str, str]] = []
        for name, value in ast.iter_fields(cur):
            if name in _SKIPPED_FIELDS:
                continue
            items = value if isinstance(value, list) else [value]
            children.extend((v, cur, name, q) for v in items if isinstance(v, ast.AST))
        stack.extend(reversed(children))


def _const_changes(value: object) -> list[object]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int | float):
        if value == 0:
            return [type(value)(1)]
        if value == 1:
            return [type(value)(0)]
        return [value + 1]
    return []


def _sites_at(node: ast.AST, parent: ast.AST | None, field: str, i: int) -> list[Site]:
    """Every mutation that applies to ``node`` (walk position ``i``)."""
    out: list[Site] = []
    if isinstance(node, ast.Compare):
        for pos, op in enumerate(node.ops):
            out += [Site(i, "cmp", new, pos) for new in _CMP_SWAPS[type(op)]]
    elif isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _BIN_SWAPS:
        out.append(Site(i, "binop", _BIN_SWAPS[type(node.op)]))
    elif isinstance(node, ast.Constant):
        out += [Site(i, "const", new) for new in _const_changes(node.value)]
    elif isinstance(node, ast.BoolOp):
        out.append(Site(i, "boolop", ast.Or if isinstance(node.op, ast.And) else ast.And))
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        out.append(Site(i, "not_remove", None))
    elif isinstance(node, ast.Raise):
        out.append(Site(i, "raise_remove", None))
    elif isinstance(node, ast.Return) and node.value is not None and not _is_none(node.value):
        out.append(Site(i, "return_none", None))
    if (
        field == "test"
        and isinstance(parent, ast.If | ast.While | ast.IfExp)
        and not (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not))
    ):
        out.append(Site(i, "not_insert", None))
    return out


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_main_guard(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.If)
        and isinstance(node.test, ast.Compare)
        and isinstance(node.test.left, ast.Name)
        and node.test.left.id == "__name__"
    )


def find_sites(tree: ast.Module) -> list[Site]:
    """All mutation sites of a module, in walk order."""
    skip: set[int] = set()
    sites: list[Site] = []
    for i, (node, parent, field, _) in enumerate(_walk(tree)):
        if id(parent) in skip or _is_main_guard(node):
            skip.add(id(node))
            continue
        sites += _sites_at(node, parent, field, i)
    return sites


def _replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    for name, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, name, new)
            return
        if isinstance(value, list) and any(v is old for v in value):
            value[[id(v) for v in value].index(id(old))] = new
            return
    msg = "mutation target not found in its parent"
    raise LookupError(msg)


def apply_site(source: str, site: Site, *, full: bool = True) -> Mutant:
    """Apply one site to a fresh parse of ``source`` (``full=False``: describe only)."""
    tree = ast.parse(source)
    node, parent, _, qual = list(_walk(tree))[site.index]
    line = getattr(node, "lineno", 0)
    shown: ast.AST = node
    if site.kind == "const" and isinstance(parent, _CONST_CONTEXT):
        shown = parent  # "ax[0] -> ax[1]" says more than "0 -> 1"
    before = ast.get_source_segment(source, shown) or ast.unparse(shown)
    if site.kind == "cmp":
        assert isinstance(node, ast.Compare)
        node.ops[site.op_pos] = site.new()  # type: ignore[operator]
    elif site.kind in ("binop", "boolop"):
        node.op = site.new()  # type: ignore[attr-defined, operator]
    elif site.kind == "const":
        node.value = site.new  # type: ignore[attr-defined]
    elif site.kind == "return_none":
        node.value = ast.Constant(None)  # type: ignore[attr-defined]
    else:
        assert parent is not None
        if site.kind == "not_remove":
            shown = node.operand  # type: ignore[attr-defined]
        elif site.kind == "not_insert":
            shown = ast.UnaryOp(ast.Not(), node)  # type: ignore[arg-type]
        else:  # raise_remove
            shown = ast.Pass()
        _replace(parent, node, shown)
    ast.fix_missing_locations(tree)
    after = ast.unparse(shown)
    text = ast.unparse(tree) if full else ""
    return Mutant(site, line, qual or "<module>", _short(before), _short(after), text)


def sample_mutants(source: str, n: int, seed: str) -> list[Mutant]:
    """Sample ``n`` sites with a fixed seed; number repeated descriptions in walk order."""
    sites = find_sites(ast.parse(source))
    seen: dict[str, int] = {}
    occurrence: dict[Site, int] = {}
    for site in sites:
        key = apply_site(source, site, full=False).key
        seen[key] = seen.get(key, 0) + 1
        occurrence[site] = seen[key]
    chosen = random.Random(seed).sample(sites, min(n, len(sites)))
    chosen.sort(key=sites.index)
    return [replace(apply_site(source, s), occurrence=occurrence[s]) for s in chosen]


def _short(text: str, width: int = 90) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 3] + "..."


def copy_project(dest: Path) -> None:
    """Copy tracked and untracked-not-ignored files, as in the working tree, into ``dest``."""
    listing = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for rel in filter(None, listing.split("\0")):
        src = PROJECT_ROOT / rel
        if src.is_file():  # deleted in the working tree: left out
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(copy)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # a stale .pyc must never stand in for a mutant
    return env


def check_imports_copy(copy: Path) -> None:
    """Refuse to run unless ``dashboard`` and ``etl`` import from the copy."""
    probe = "import dashboard, etl; print(dashboard.__file__); print(etl.__file__)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=copy,
        env=_env(copy),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    print(f"imports resolve to: {', '.join(out)}")
    if not all(Path(p).resolve().is_relative_to(copy.resolve()) for p in out):
        msg = f"the project imports from outside the copy {copy}: {out}"
        raise SystemExit(msg)


def run_tests(copy: Path, tests: list[str], timeout_s: float) -> tuple[str, float]:
    """Run the targeted tests in the copy; ``passed``, ``failed`` or ``timeout``."""
    cmd = ["nice", "-n", "10", sys.executable, "-m", "pytest", "-x", "-q"]
    cmd += ["-p", "no:cacheprovider", *tests]
    cmd += [f"--deselect={t}" for t in DESELECT if t.split("::")[0] in tests]
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        cwd=copy,
        env=_env(copy),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so a timeout can end the whole process group
    )
    try:
        code = proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return "timeout", time.monotonic() - start
    return ("passed" if code == 0 else "failed"), time.monotonic() - start


def mutate_module(
    copy: Path, module: str, tests: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    """Sample and run the mutants of one module; returns counts and survivors."""
    path = copy / module
    original = path.read_text(encoding="utf-8")
    n_sites = len(find_sites(ast.parse(original)))
    sample = sample_mutants(original, args.n, f"{args.seed}:{module}")
    path.write_text(ast.unparse(ast.parse(original)), encoding="utf-8")
    status, base_s = run_tests(copy, tests, timeout_s=600)
    if status != "passed":
        path.write_text(original, encoding="utf-8")
        print(f"{module}: the targeted tests fail without any mutant; fix them first")
        return {"module": module, "error": "baseline failed"}
    timeout_s = max(10.0, 3 * base_s + 5)
    print(f"{module}: {n_sites} sites, {len(sample)} sampled; baseline {base_s:.1f} s")
    result: dict[str, Any] = {"module": module, "killed": 0, "survived": [], "timeout": 0}
    try:
        for k, mutant in enumerate(sample, 1):
            path.write_text(mutant.source, encoding="utf-8")
            status, took = run_tests(copy, tests, timeout_s)
            if status == "passed":
                result["survived"].append(mutant)
            else:
                result["killed" if status == "failed" else "timeout"] += 1
            if args.verbose:
                print(f"  [{k:2d}] {status:7s} {took:4.1f}s L{mutant.line} {mutant.key}")
    finally:
        path.write_text(original, encoding="utf-8")
    return result


def report(result: dict[str, Any]) -> str:
    """Counts, the score with and without hand-classified equivalents, and survivors."""
    module = result["module"]
    if "error" in result:
        return f"{module}: {result['error']}"
    survived: list[Mutant] = result["survived"]
    known = EQUIVALENT.get(module, {})
    equivalent = [m for m in survived if m.key in known]
    total = result["killed"] + result["timeout"] + len(survived)
    caught = result["killed"] + result["timeout"]
    real = total - len(equivalent)
    lines = [
        f"{module}: {total} mutants, killed {result['killed']}, timeout {result['timeout']}, "
        f"survived {len(survived)} ({len(equivalent)} equivalent)",
        f"  score {caught / total:.0%} of all, "
        f"{caught / real if real else 1:.0%} of non-equivalent",
    ]
    for m in survived:
        note = f"   [equivalent: {known[m.key]}]" if m.key in known else ""
        lines.append(f"  survived L{m.line} {m.key}{note}")
    return "\n".join(lines)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    parser.add_argument("modules", nargs="*", default=list(TARGETS), help="source files")
    parser.add_argument("--n", type=int, default=60, help="mutants per module (60)")
    parser.add_argument("--seed", default="7", help="sampling seed (7)")
    parser.add_argument("--tests", nargs="+", help="test files instead of the mapped ones")
    parser.add_argument("--list", action="store_true", help="list the sample, run nothing")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy")
    parser.add_argument("-v", "--verbose", action="store_true", help="one line per mutant")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 even when mutants survive)."""
    args = _parse_args(argv)
    unknown = [m for m in args.modules if m not in TARGETS and not args.tests]
    if unknown:
        print(f"no mapped tests for {unknown}; pass --tests")
        return 2
    copy = Path(tempfile.mkdtemp(prefix="atlas-mutation-"))
    try:
        copy_project(copy)
        if not args.list:
            check_imports_copy(copy)
        for module in args.modules:
            tests = args.tests or [t for t in TARGETS[module] if (copy / t).is_file()]
            if args.list:
                source = (copy / module).read_text(encoding="utf-8")
                for m in sample_mutants(source, args.n, f"{args.seed}:{module}"):
                    print(f"{module} L{m.line} {m.key}")
                continue
            print(report(mutate_module(copy, module, tests, args)), flush=True)
    finally:
        if args.keep:
            print(f"copy kept at {copy}")
        else:
            shutil.rmtree(copy, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
