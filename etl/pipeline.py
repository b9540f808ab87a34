"""Run the build stages: digests, skipping unchanged stages, atomic output, failure isolation.

A :class:`Stage` reads raw files (relative to a source folder laid out like the mirror)
and already-built layers, and returns finished layers or graphs.  The pipeline

* skips a stage whose input digests and code version match its outputs' manifests
  (re-runs with unchanged inputs rebuild nothing and say so);
* computes every output of a stage before writing any, and writes each atomically,
  so a failing stage leaves the previous snapshot of all its outputs intact;
* keeps going after a failure, skipping only the stages that depend on the failed one,
  and reports every failure at the end.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from etl.errors import EtlError, SourceError
from etl.settings import PROJECT_ROOT
from geodata.catalog import layer_path, manifest_path
from geodata.io import (
    LayerManifest,
    SnapshotError,
    load_layer,
    load_manifest,
    save_graph,
    save_layer,
)

log = logging.getLogger(__name__)

#: Folder of the ETL code; its digest is every manifest's ``code_version``.
ETL_DIR = Path(__file__).resolve().parent


@dataclass
class Output:
    """One finished product of a stage: a layer frame or graph arrays, with provenance."""

    manifest: LayerManifest
    frame: pd.DataFrame | None = None
    arrays: Mapping[str, np.ndarray] | None = None


@dataclass
class BuildContext:
    """What a stage may read: raw files, built layers and options.

    Attributes
    ----------
    source_dir : Path
        Raw folder laid out like ``../shared/data`` (the mirror or the download cache).
    out_dir : Path
        Snapshot folder being built.
    options : dict
        Stage options from the CLI (e.g. ``childcare_file``).
    """

    source_dir: Path
    out_dir: Path
    options: dict[str, Any] = field(default_factory=dict)

    def raw(self, relative: str) -> Path:
        """Return a raw input file, refusing a missing or empty one with a clear error."""
        path = self.source_dir / relative
        if not path.is_file():
            raise SourceError(
                path, "file not found (run `python -m etl fetch` or pass --source-dir)"
            )
        if path.stat().st_size == 0:
            raise SourceError(path, "file is empty")
        return path

    def layer(self, name: str) -> pd.DataFrame:
        """Load a layer built earlier in this run (or kept from the last snapshot)."""
        return load_layer(name, self.out_dir)


@dataclass(frozen=True)
class Stage:
    """A build step.

    Attributes
    ----------
    name : str
        Stage name used by ``--only``.
    inputs : tuple of str
        Raw files it reads, relative to the source folder.
    depends : tuple of str
        Layers (names of other stages' outputs) it reads.
    outputs : tuple of str
        Layer names or ``"graph:<mode>"`` it writes.
    build : callable
        ``build(ctx) -> list[Output]``; must return exactly ``outputs``.
    extra_inputs : callable, optional
        ``extra_inputs(ctx) -> list[Path]``: files outside the source folder that also
        feed the stage (e.g. an imported childcare export), digested like inputs.
    """

    name: str
    inputs: tuple[str, ...]
    depends: tuple[str, ...]
    outputs: tuple[str, ...]
    build: Callable[[BuildContext], list[Output]]
    extra_inputs: Callable[[BuildContext], list[Path]] | None = None


@dataclass
class StageResult:
    """How a stage ended: ``built``, ``unchanged``, ``failed`` or ``skipped``."""

    name: str
    status: str
    seconds: float = 0.0
    message: str = ""


def file_sha256(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def code_version() -> str:
    """Digest of the ETL source (any code change rebuilds every stage)."""
    digest = hashlib.sha256()
    for path in sorted(ETL_DIR.rglob("*.py")):
        digest.update(path.relative_to(ETL_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stage_digests(stage: Stage, ctx: BuildContext) -> dict[str, str]:
    """Digest every raw input, extra input and dependency layer of ``stage``."""
    digests = {rel: file_sha256(ctx.raw(rel)) for rel in stage.inputs}
    for path in stage.extra_inputs(ctx) if stage.extra_inputs else []:
        digests[f"file:{path.name}"] = file_sha256(path)
    for dep in stage.depends:
        dep_path = layer_path(dep, ctx.out_dir)
        if not dep_path.exists():
            raise EtlError(f"stage {stage.name!r} needs layer {dep!r}, which is not built yet")
        digests[f"layer:{dep}"] = file_sha256(dep_path)
    return digests


def is_up_to_date(stage: Stage, ctx: BuildContext, digests: dict[str, str], version: str) -> bool:
    """Tell whether every output exists and its manifest records these digests and code."""
    for name in stage.outputs:
        if (
            not layer_path(name, ctx.out_dir).exists()
            or not manifest_path(name, ctx.out_dir).exists()
        ):
            return False
        try:
            manifest = load_manifest(name, ctx.out_dir)
        except SnapshotError:
            return False
        if manifest.inputs != digests or manifest.code_version != version:
            return False
    return True


def _write_outputs(
    stage: Stage, ctx: BuildContext, outputs: list[Output], digests: dict[str, str], version: str
) -> None:
    produced = [o.manifest.name for o in outputs]
    if sorted(produced) != sorted(stage.outputs):
        msg = f"stage {stage.name!r} produced {produced}, expected {list(stage.outputs)}"
        raise EtlError(msg)
    built_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    for out in outputs:
        out.manifest.inputs = dict(digests)
        out.manifest.code_version = version
        out.manifest.built_at = built_at
        if out.arrays is not None:
            save_graph(out.arrays, out.manifest, ctx.out_dir)
        elif out.frame is not None:
            save_layer(out.frame, out.manifest, ctx.out_dir)
        else:
            raise EtlError(f"output {out.manifest.name!r} of stage {stage.name!r} is empty")


def run_stage(stage: Stage, ctx: BuildContext, *, force: bool, version: str) -> StageResult:
    """Build one stage unless it is up to date; never raises for data problems."""
    started = time.perf_counter()
    try:
        digests = stage_digests(stage, ctx)
        if not force and is_up_to_date(stage, ctx, digests, version):
            return StageResult(stage.name, "unchanged", time.perf_counter() - started)
        outputs = stage.build(ctx)
        _write_outputs(stage, ctx, outputs, digests, version)
    except EtlError as exc:
        return StageResult(stage.name, "failed", time.perf_counter() - started, str(exc))
    except Exception as exc:  # a parser bug must not lose the other stages' work
        log.debug("stage %s crashed", stage.name, exc_info=True)
        message = f"unexpected {type(exc).__name__}: {exc}"
        return StageResult(stage.name, "failed", time.perf_counter() - started, message)
    rows = ", ".join(f"{o.manifest.name}={o.manifest.rows}" for o in outputs)
    return StageResult(stage.name, "built", time.perf_counter() - started, rows)


def select_stages(stages: Iterable[Stage], only: Iterable[str] | None) -> list[Stage]:
    """Keep the stages named in ``only`` (stage or output names); all when ``None``."""
    stages = list(stages)
    if not only:
        return stages
    wanted = set(only)
    known = {s.name for s in stages} | {o for s in stages for o in s.outputs}
    unknown = sorted(wanted - known)
    if unknown:
        msg = f"unknown stage(s) {', '.join(unknown)}; known: {', '.join(s.name for s in stages)}"
        raise EtlError(msg)
    return [s for s in stages if s.name in wanted or wanted & set(s.outputs)]


def run_pipeline(
    stages: Iterable[Stage],
    ctx: BuildContext,
    *,
    force: bool = False,
    progress: Callable[[StageResult], None] | None = None,
) -> list[StageResult]:
    """Run ``stages`` in order; a stage whose dependency failed is skipped.

    Returns
    -------
    list of StageResult
        One per stage, in order.
    """
    version = code_version()
    failed_outputs: set[str] = set()
    results: list[StageResult] = []
    for stage in stages:
        blocked = sorted(failed_outputs & set(stage.depends))
        if blocked:
            result = StageResult(
                stage.name,
                "skipped",
                message=f"depends on failed {', '.join(blocked)}; previous snapshot kept",
            )
        else:
            result = run_stage(stage, ctx, force=force, version=version)
        if result.status in {"failed", "skipped"}:
            failed_outputs.update(stage.outputs)
        results.append(result)
        if progress:
            progress(result)
    return results


def relative_to_project(path: Path) -> str:
    """Show ``path`` relative to the project root when it is inside it."""
    try:
        return path.resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return str(path)
