"""Run the build stages: digests, skipping unchanged stages, atomic output, failure isolation.

A :class:`Stage` reads raw files (relative to a source folder laid out like the mirror)
and already-built layers, and returns finished layers or graphs.  The pipeline

* skips a stage whose input digests and code version match its outputs' manifests
  (re-runs with unchanged inputs rebuild nothing and say so);
* computes every output of a stage before writing any, and writes each atomically,
  so a failing stage leaves the previous snapshot of all its outputs intact;
* keeps going after a failure, skipping only the stages that depend on the failed one,
  and reports every failure at the end;
* guards the previous snapshot: before a stage replaces its outputs, each output's row
  count and bbox are compared with the previous manifest, and a change beyond the
  layer's :class:`etl.settings.ChangeGuard` limits fails the stage (previous files kept)
  unless changes are accepted (``--accept-changes``);
* holds a lock file in the output folder for the whole run, so two builds never write
  into one folder at once, and removes temporary files left there by a killed build.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from etl.errors import EtlError, SourceError
from etl.settings import PROJECT_ROOT, ChangeGuard, change_guard
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

#: Lock file a build holds in its output folder (removed when the build ends).
LOCK_NAME = ".etl-build.lock"

#: Temporary files of :func:`geodata.io.atomic_path`: ``.<target name>.<8 random>.tmp``
#: (the random part is what :func:`tempfile.mkstemp` draws from).
LEFTOVER_TMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")

#: Kilometres per degree of latitude, and of longitude at the equator (WGS84 means);
#: the guard's distances are equirectangular approximations, ample for its tolerances.
KM_PER_DEG_LAT = 110.57
KM_PER_DEG_LON = 111.32


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


@dataclass(frozen=True)
class LayerChange:
    """How one output of a stage differs from its previous snapshot.

    Attributes
    ----------
    name : str
        Layer name or ``"graph:<mode>"``.
    old_rows, new_rows : int
        Row (node) counts in the previous manifest and in the new output.
    old_bbox, new_bbox : tuple of float
        ``(minx, miny, maxx, maxy)`` in EPSG:4326; empty for tables.
    problems : tuple of str
        Each limit of the layer's :class:`etl.settings.ChangeGuard` that the change
        breaks, in words; empty when the change is within the limits.
    """

    name: str
    old_rows: int
    new_rows: int
    old_bbox: tuple[float, ...]
    new_bbox: tuple[float, ...]
    problems: tuple[str, ...]

    def describe(self) -> str:
        """Return one line: the layer, old -> new counts and bbox, and what breaks."""
        old_box = _format_bbox(self.old_bbox)
        new_box = _format_bbox(self.new_bbox)
        text = f"layer {self.name!r}: rows {self.old_rows} -> {self.new_rows}"
        if old_box or new_box:
            text += f", bbox {old_box or '[]'} -> {new_box or '[]'}"
        return f"{text} ({'; '.join(self.problems)})"


class SnapshotChangeError(EtlError):
    """A stage's new outputs differ from the previous snapshot beyond the guard's limits.

    Parameters
    ----------
    stage : str
        The stage whose outputs were refused.
    changes : sequence of LayerChange
        The refused outputs (each with at least one problem).
    """

    def __init__(self, stage: str, changes: Sequence[LayerChange]) -> None:
        self.stage = stage
        self.changes = tuple(changes)
        lines = "; ".join(c.describe() for c in self.changes)
        super().__init__(
            f"{lines}; previous files kept. If this change is expected, accept it with "
            f"`python -m etl build --only {stage} --accept-changes` (same --source-dir/--out)"
        )


class BuildLockedError(EtlError):
    """Another build holds the output folder's lock file.

    Parameters
    ----------
    lock : Path
        The lock file that is held.
    """

    def __init__(self, lock: Path) -> None:
        self.lock = lock
        super().__init__(
            f"another build is writing into {lock.parent} (it holds {lock.name}); "
            "wait for it to finish, then run again"
        )


@dataclass
class StageResult:
    """How a stage ended: ``built``, ``unchanged``, ``failed`` or ``skipped``.

    ``changes`` lists the outputs that broke the snapshot guard: the reason of a
    ``failed`` stage, or the changes accepted for a ``built`` one.
    """

    name: str
    status: str
    seconds: float = 0.0
    message: str = ""
    changes: tuple[LayerChange, ...] = ()


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


def _format_bbox(bbox: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:.5f}" for v in bbox) + "]" if bbox else ""


def output_rows_bbox(out: Output) -> tuple[int, tuple[float, ...]] | None:
    """Return the row (node) count and EPSG:4326 bbox an output will be saved with.

    ``None`` when the output is malformed (no data, a graph without node arrays, a frame
    in another CRS): the save step then refuses it with its own message.
    """
    if out.arrays is not None:
        if "node_lon" not in out.arrays or "node_lat" not in out.arrays:
            return None
        lon, lat = np.asarray(out.arrays["node_lon"]), np.asarray(out.arrays["node_lat"])
        if lon.size == 0:
            return 0, ()
        return lon.size, (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
    if out.frame is None:
        return None
    frame = out.frame
    if not isinstance(frame, gpd.GeoDataFrame):
        return len(frame), ()
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        return None
    if frame.empty:
        return 0, ()
    return len(frame), tuple(float(v) for v in frame.total_bounds)


def _box_km(bbox: Sequence[float]) -> tuple[float, float, float, float]:
    """Return centre (lon, lat) and width, height in km of a WGS84 bbox."""
    minx, miny, maxx, maxy = bbox
    lat = (miny + maxy) / 2
    width = (maxx - minx) * KM_PER_DEG_LON * math.cos(math.radians(lat))
    return (minx + maxx) / 2, lat, width, (maxy - miny) * KM_PER_DEG_LAT


def _row_problem(old_rows: int, new_rows: int, guard: ChangeGuard) -> str | None:
    if guard.max_row_drop is None or old_rows <= 0:
        return None
    drop = (old_rows - new_rows) / old_rows
    if drop <= guard.max_row_drop:
        return None
    return f"{drop:.1%} of the rows gone, at most {guard.max_row_drop:.0%} allowed"


def _bbox_problems(old: Sequence[float], new: Sequence[float], guard: ChangeGuard) -> list[str]:
    if len(old) != 4 or len(new) != 4:
        return []  # a table, or an empty layer (caught by the row count)
    if not all(math.isfinite(v) for v in new):
        return ["no row has a usable geometry (the new bbox is not finite)"]
    old_cx, old_cy, old_w, old_h = _box_km(old)
    new_cx, new_cy, new_w, new_h = _box_km(new)
    problems = []
    if guard.max_centre_shift is not None:
        dx = (new_cx - old_cx) * KM_PER_DEG_LON * math.cos(math.radians((old_cy + new_cy) / 2))
        shift = math.hypot(dx, (new_cy - old_cy) * KM_PER_DEG_LAT)
        limit = max(guard.max_centre_shift * math.hypot(old_w, old_h), guard.min_centre_shift_km)
        if shift > limit:
            problems.append(f"bbox centre moved {shift:.1f} km, at most {limit:.1f} km allowed")
    old_area = old_w * old_h
    if guard.max_area_change is not None and old_area > 0:
        change = new_w * new_h / old_area - 1
        if abs(change) > guard.max_area_change:
            problems.append(
                f"bbox area {change:+.0%}, at most \N{PLUS-MINUS SIGN}"
                f"{guard.max_area_change:.0%} allowed"
            )
    return problems


def compare_with_snapshot(out: Output, ctx: BuildContext, guard: ChangeGuard) -> LayerChange | None:
    """Compare an output with the previous snapshot of its layer, before it is written.

    Returns
    -------
    LayerChange or None
        ``None`` when there is nothing to protect (no previous data file or no readable
        manifest) or the output is malformed; otherwise the change, whose ``problems``
        name every limit of ``guard`` it breaks.
    """
    name = out.manifest.name
    if not layer_path(name, ctx.out_dir).exists():
        return None
    try:
        previous = load_manifest(name, ctx.out_dir)
    except SnapshotError:
        return None  # a damaged manifest gives no baseline; the rebuild repairs it
    measured = output_rows_bbox(out)
    if measured is None:
        return None
    new_rows, new_bbox = measured
    old_bbox = tuple(float(v) for v in previous.bbox)
    problems = [_row_problem(previous.rows, new_rows, guard)]
    problems += _bbox_problems(old_bbox, new_bbox, guard)
    return LayerChange(
        name,
        previous.rows,
        new_rows,
        old_bbox,
        new_bbox,
        tuple(p for p in problems if p is not None),
    )


def guard_outputs(
    outputs: Iterable[Output],
    ctx: BuildContext,
    guards: Mapping[str, ChangeGuard] | None = None,
) -> list[LayerChange]:
    """Return the changes of ``outputs`` that break their layer's guard limits.

    Parameters
    ----------
    guards : Mapping, optional
        Per-layer limits; defaults to :data:`etl.settings.LAYER_GUARDS`.
    """
    changes = []
    for out in outputs:
        change = compare_with_snapshot(out, ctx, change_guard(out.manifest.name, guards))
        if change is not None and change.problems:
            changes.append(change)
    return changes


def _check_produced(stage: Stage, outputs: list[Output]) -> None:
    produced = [o.manifest.name for o in outputs]
    if sorted(produced) != sorted(stage.outputs):
        msg = f"stage {stage.name!r} produced {produced}, expected {list(stage.outputs)}"
        raise EtlError(msg)


def _write_outputs(
    stage: Stage, ctx: BuildContext, outputs: list[Output], digests: dict[str, str], version: str
) -> None:
    _check_produced(stage, outputs)
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


def run_stage(
    stage: Stage,
    ctx: BuildContext,
    *,
    force: bool,
    version: str,
    accept_changes: bool = False,
    guards: Mapping[str, ChangeGuard] | None = None,
) -> StageResult:
    """Build one stage unless it is up to date; never raises for data problems.

    Outputs that break the snapshot guard fail the stage before any file is written,
    unless ``accept_changes`` is true (the accepted changes are then logged and listed
    in the result).
    """
    started = time.perf_counter()
    changes: list[LayerChange] = []
    try:
        digests = stage_digests(stage, ctx)
        if not force and is_up_to_date(stage, ctx, digests, version):
            return StageResult(stage.name, "unchanged", time.perf_counter() - started)
        outputs = stage.build(ctx)
        _check_produced(stage, outputs)
        changes = guard_outputs(outputs, ctx, guards)
        if changes and not accept_changes:
            raise SnapshotChangeError(stage.name, changes)
        _write_outputs(stage, ctx, outputs, digests, version)
    except SnapshotChangeError as exc:
        seconds = time.perf_counter() - started
        return StageResult(stage.name, "failed", seconds, str(exc), exc.changes)
    except EtlError as exc:
        return StageResult(stage.name, "failed", time.perf_counter() - started, str(exc))
    except Exception as exc:  # a parser bug must not lose the other stages' work
        log.debug("stage %s crashed", stage.name, exc_info=True)
        message = f"unexpected {type(exc).__name__}: {exc}"
        return StageResult(stage.name, "failed", time.perf_counter() - started, message)
    message = ", ".join(f"{o.manifest.name}={o.manifest.rows}" for o in outputs)
    for change in changes:
        log.warning("accepted change of %s", change.describe())
        message += f"; accepted {change.describe()}"
    return StageResult(stage.name, "built", time.perf_counter() - started, message, tuple(changes))


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


def _open_lock(lock: Path) -> int:
    """Open and lock ``lock``; return its descriptor, or raise when it is held."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BuildLockedError(lock) from None
        try:
            on_disk = lock.stat()
        except FileNotFoundError:
            on_disk = None
        held = os.fstat(fd)
        if on_disk is not None and (on_disk.st_dev, on_disk.st_ino) == (
            held.st_dev,
            held.st_ino,
        ):
            return fd
        # The previous holder removed the file between our open and our lock: the lock
        # we got is on a deleted file that nobody else will see; lock the new one.
        os.close(fd)


@contextmanager
def build_lock(out_dir: Path) -> Iterator[Path]:
    """Hold the lock file of ``out_dir`` (created) for a build; raise when it is held.

    The lock is an advisory ``flock`` on :data:`LOCK_NAME`: the kernel releases it when
    the holder dies, so a killed build never blocks the next one.  The file records the
    holder's process id for people and is removed when the build ends.

    Raises
    ------
    BuildLockedError
        When another build (in any process) holds the folder.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = out_dir / LOCK_NAME
    fd = _open_lock(lock)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield lock
    finally:
        lock.unlink(missing_ok=True)  # before unlocking, so a waiter re-opens a fresh file
        os.close(fd)


def remove_leftover_tmp(out_dir: Path) -> list[Path]:
    """Delete temporary files a killed build left in ``out_dir`` and ``out_dir/graphs``.

    Only regular files named like :func:`geodata.io.atomic_path`'s temporaries
    (:data:`LEFTOVER_TMP`) are removed; call this only while holding :func:`build_lock`,
    since another build's temporaries are files it is still writing.

    Returns
    -------
    list of Path
        The removed files.
    """
    removed = []
    for folder in (out_dir, out_dir / "graphs"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if LEFTOVER_TMP.match(path.name) and path.is_file() and not path.is_symlink():
                path.unlink()
                log.info("removed %s, left over by an interrupted build", path)
                removed.append(path)
    return removed


def run_pipeline(
    stages: Iterable[Stage],
    ctx: BuildContext,
    *,
    force: bool = False,
    accept_changes: bool = False,
    guards: Mapping[str, ChangeGuard] | None = None,
    progress: Callable[[StageResult], None] | None = None,
) -> list[StageResult]:
    """Run ``stages`` in order; a stage whose dependency failed is skipped.

    The output folder is locked for the whole run (:func:`build_lock`) and cleared of a
    killed build's temporary files first (:func:`remove_leftover_tmp`).

    Parameters
    ----------
    force : bool
        Rebuild stages whose inputs are unchanged.
    accept_changes : bool
        Write outputs even when they break the snapshot guard.
    guards : Mapping, optional
        Per-layer guard limits; defaults to :data:`etl.settings.LAYER_GUARDS`.
    progress : callable, optional
        Called with each stage's result as soon as it is known.

    Returns
    -------
    list of StageResult
        One per stage, in order.

    Raises
    ------
    BuildLockedError
        When another build holds the output folder (nothing is built or removed).
    """
    version = code_version()
    failed_outputs: set[str] = set()
    results: list[StageResult] = []
    with build_lock(ctx.out_dir):
        remove_leftover_tmp(ctx.out_dir)
        for stage in stages:
            blocked = sorted(failed_outputs & set(stage.depends))
            if blocked:
                result = StageResult(
                    stage.name,
                    "skipped",
                    message=f"depends on failed {', '.join(blocked)}; previous snapshot kept",
                )
            else:
                result = run_stage(
                    stage,
                    ctx,
                    force=force,
                    version=version,
                    accept_changes=accept_changes,
                    guards=guards,
                )
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
