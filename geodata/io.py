"""Load and save processed layers, graphs and their manifests.

Writes are atomic: data goes to a temporary file in the same folder and is renamed over
the old file only when complete, so a crash never leaves a half-written layer and the
previous snapshot survives any failure.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.catalog import (
    GRAPH_ARRAYS,
    GRAPHS,
    LAYER_COLUMNS,
    LAYERS,
    OPTIONAL_GRAPH_ARRAYS,
    layer_path,
    manifest_path,
)

#: Decimal places kept for WGS84 coordinates (1e-7 degree is about 1 cm): output is
#: deterministic and compact without visible loss.
COORD_DECIMALS = 7

REBUILD_HINT = "rebuild it with: python -m etl build --source-dir ../shared/data"


class SnapshotError(RuntimeError):
    """A processed file is missing, unreadable or not shaped as the catalog declares.

    The message (one line) names the file, the problem and the command that rebuilds it.

    Attributes
    ----------
    path : Path
        The bad file.
    problem : str
        What is wrong with it, without the file name or the rebuild hint.
    """

    def __init__(self, path: Path, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}; {REBUILD_HINT}")


@dataclass
class LayerManifest:
    """Provenance of one processed layer or graph (stored as ``<name>.manifest.json``).

    Attributes
    ----------
    name : str
        Layer name (``"schools"``) or ``"graph:<mode>"``.
    title : str
        Human-readable title shown in the app.
    source : str
        Publisher(s) and dataset.
    source_url : str
        Where the live data comes from (see ``etl/settings.py``).
    licence : str
        Licence and required attribution.
    data_date : str
        Reference date of the data itself (ISO date or year).
    coverage : str
        Plain statement of what is and is not covered.
    rows : int
        Row count (node count for graphs).
    bbox : list of float
        ``[minx, miny, maxx, maxy]`` in EPSG:4326, empty for tables.
    inputs : dict
        Raw input file (relative to the source folder) -> sha256.
    built_at : str
        UTC time of the build.
    code_version : str
        Digest of the ETL code that produced the layer.
    extra : dict
        Layer-specific facts (e.g. graph edge counts, rows left out and why).
    """

    name: str
    title: str
    source: str
    source_url: str
    licence: str
    data_date: str
    coverage: str
    rows: int = 0
    bbox: list[float] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    built_at: str = ""
    code_version: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """Serialise to indented, key-sorted JSON (stable diffs)."""
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LayerManifest:
        """Build from a parsed manifest, ignoring unknown keys (forward compatible)."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        tmp.chmod(0o644)  # mkstemp creates 0600; snapshot files are meant to be shared
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` atomically (UTF-8)."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _round_coords(geom: gpd.GeoSeries) -> gpd.GeoSeries:
    rounded = shapely.transform(
        geom.values, lambda xy: np.round(xy, COORD_DECIMALS), include_z=False
    )
    return gpd.GeoSeries(rounded, index=geom.index, crs=geom.crs)


def _bbox(frame: pd.DataFrame) -> list[float]:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        return []
    return [round(float(v), 6) for v in frame.total_bounds]


def save_layer(frame: pd.DataFrame, manifest: LayerManifest, data_dir: Path | None = None) -> Path:
    """Save a layer and its manifest atomically.

    Geometry must be in EPSG:4326; coordinates are rounded to :data:`COORD_DECIMALS`.
    The manifest's ``rows`` and ``bbox`` are filled in from the frame.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
        The layer, rows already in their final, deterministic order.
    manifest : LayerManifest
        Provenance; ``name`` selects the file.
    data_dir : Path, optional
        Snapshot folder; defaults to the package folder.

    Returns
    -------
    Path
        The written data file.
    """
    path = layer_path(manifest.name, data_dir)
    frame = frame.reset_index(drop=True)
    if isinstance(frame, gpd.GeoDataFrame):
        if frame.crs is None or frame.crs.to_epsg() != 4326:
            msg = f"layer {manifest.name!r} must be stored in EPSG:4326, got {frame.crs}"
            raise ValueError(msg)
        frame = frame.set_geometry(_round_coords(frame.geometry))
    manifest.rows = len(frame)
    manifest.bbox = _bbox(frame)
    with atomic_path(path) as tmp:
        if isinstance(frame, gpd.GeoDataFrame):
            frame.to_parquet(tmp, index=False, compression="zstd", schema_version="1.0.0")
        else:
            frame.to_parquet(tmp, index=False, compression="zstd")
    write_text_atomic(manifest_path(manifest.name, data_dir), manifest.to_json())
    return path


def _require(path: Path) -> None:
    if not path.exists():
        raise SnapshotError(path, "data file is missing")


def _one_line(exc: BaseException) -> str:
    """``Type: message`` of a reader's exception, on one line (for a SnapshotError)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def load_layer(
    name: str, data_dir: Path | None = None, *, columns: Collection[str] = ()
) -> pd.DataFrame:
    """Load a processed layer (GeoDataFrame when it has geometry).

    Parameters
    ----------
    name : str
        A key of :data:`geodata.catalog.LAYERS`.
    data_dir : Path, optional
        Snapshot folder; defaults to :func:`geodata.catalog.default_data_dir`.
    columns : collection of str
        Columns the caller reads besides those :data:`geodata.catalog.LAYER_COLUMNS`
        declares for every reader (the engine and the app pass
        :data:`geodata.catalog.READER_COLUMNS`).

    Raises
    ------
    SnapshotError
        When the file is missing, cannot be read or lacks a required column; the
        message names the file, the problem and the ETL command that rebuilds it.
    """
    path = layer_path(name, data_dir)
    _require(path)
    reader: Callable[[Path], pd.DataFrame] = gpd.read_parquet if LAYERS[name] else pd.read_parquet
    try:
        frame = reader(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise SnapshotError(path, f"data file is unreadable ({_one_line(exc)})") from exc
    wanted = dict.fromkeys([*LAYER_COLUMNS[name], *columns])  # ordered, without repeats
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise SnapshotError(path, f"layer {name!r} lacks column(s) {', '.join(missing)}")
    return frame


#: Manifest fields and the JSON types they must have (``rows`` an integer, not a bool).
_MANIFEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "name": str,
    "title": str,
    "source": str,
    "source_url": str,
    "licence": str,
    "data_date": str,
    "coverage": str,
    "rows": int,
    "bbox": list,
    "inputs": dict,
    "built_at": str,
    "code_version": str,
    "extra": dict,
}

#: Fields a manifest cannot do without (the others have defaults).
_MANIFEST_REQUIRED = ("name", "title", "source", "source_url", "licence", "data_date", "coverage")


def _manifest_problem(data: object, name: str) -> str | None:
    """Return what is wrong with a parsed manifest, or None when it is well-formed."""
    if not isinstance(data, dict):
        return f"manifest is a JSON {type(data).__name__}, not an object"
    missing = [k for k in _MANIFEST_REQUIRED if k not in data]
    if missing:
        return f"manifest lacks field(s) {', '.join(missing)}"
    for key, kind in _MANIFEST_TYPES.items():
        value = data.get(key)
        if key in data and (not isinstance(value, kind) or isinstance(value, bool)):
            return f"manifest field {key!r} is {type(value).__name__}, not {_type_name(kind)}"
    bbox = data.get("bbox", [])
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in bbox):
        return "manifest field 'bbox' holds something other than numbers"
    if len(bbox) not in (0, 4):
        return f"manifest field 'bbox' has {len(bbox)} values, not 4"
    if data["name"] != name:
        return f"manifest describes {data['name']!r}, not {name!r}"
    return None


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def load_manifest(name: str, data_dir: Path | None = None) -> LayerManifest:
    """Load the manifest of a layer or ``"graph:<mode>"``.

    Raises
    ------
    SnapshotError
        When the file is missing, is not UTF-8 JSON, or is not a manifest of ``name``
        (wrong shape, a field missing or of the wrong type).
    """
    path = manifest_path(name, data_dir)
    _require(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError too
        raise SnapshotError(path, f"manifest is unreadable ({_one_line(exc)})") from exc
    problem = _manifest_problem(data, name)
    if problem:
        raise SnapshotError(path, problem)
    return LayerManifest.from_dict(data)


def load_manifests(data_dir: Path | None = None) -> list[LayerManifest]:
    """Load every manifest present, layers first, then graphs, in catalog order."""
    names = list(LAYERS) + [f"graph:{g}" for g in GRAPHS]
    return [load_manifest(n, data_dir) for n in names if manifest_path(n, data_dir).exists()]


def save_graph(
    arrays: Mapping[str, np.ndarray], manifest: LayerManifest, data_dir: Path | None = None
) -> Path:
    """Save a routable graph as a compressed ``.npz`` plus its manifest, atomically.

    ``arrays`` must hold at least ``node_lon``, ``node_lat``, ``edge_from``, ``edge_to``
    and ``edge_time_s``; ``manifest.rows`` is set to the node count.
    """
    path = layer_path(manifest.name, data_dir)
    missing = set(GRAPH_ARRAYS) - set(arrays)
    if missing:
        msg = f"graph {manifest.name!r} lacks arrays: {', '.join(sorted(missing))}"
        raise ValueError(msg)
    manifest.rows = len(arrays["node_lon"])
    lon, lat = arrays["node_lon"], arrays["node_lat"]
    manifest.bbox = [round(float(v), 6) for v in (lon.min(), lat.min(), lon.max(), lat.max())]
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        ordered: dict[str, Any] = dict(sorted(arrays.items()))  # stable member order
        np.savez_compressed(fh, **ordered)
    write_text_atomic(manifest_path(manifest.name, data_dir), manifest.to_json())
    return path


def load_graph(mode: str, data_dir: Path | None = None) -> dict[str, np.ndarray]:
    """Load the arrays of ``graphs/<mode>.npz`` into memory and check them.

    The graph must hold the arrays of :data:`geodata.catalog.GRAPH_ARRAYS` (and any of
    :data:`~geodata.catalog.OPTIONAL_GRAPH_ARRAYS` it has) with their kinds, one length
    for node arrays and one for edge arrays, edge ends that are node indices, finite
    node positions and finite, non-negative edge times.

    Raises
    ------
    SnapshotError
        When the file is missing, unreadable or breaks one of the rules above; a NaN,
        negative or infinite edge time is an error here, never an unreachable node later.
    """
    path = layer_path(f"graph:{mode}", data_dir)
    _require(path)
    arrays = _read_npz(path)
    problem = graph_problem(arrays)
    if problem:
        raise SnapshotError(path, f"graph {mode!r} {problem}")
    return arrays


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        # Our own handle: np.load leaks the one it opens when the file is no archive.
        with path.open("rb") as fh:
            npz = np.load(fh, allow_pickle=False)
            if not isinstance(npz, np.lib.npyio.NpzFile):
                raise SnapshotError(path, "graph file is a single array, not an .npz archive")
            with npz:
                return {key: npz[key] for key in npz.files}
    except SnapshotError:
        raise
    except Exception as exc:  # BadZipFile, EOFError, zlib.error, ValueError, OSError ...
        raise SnapshotError(path, f"graph file is unreadable ({_one_line(exc)})") from exc


def graph_problem(arrays: Mapping[str, np.ndarray]) -> str | None:
    """Return what is wrong with a graph's arrays (``"lacks ..."``), or None when sound."""
    missing = [k for k in GRAPH_ARRAYS if k not in arrays]
    if missing:
        return f"lacks array(s) {', '.join(missing)}"
    kinds = {**GRAPH_ARRAYS, **{k: v for k, v in OPTIONAL_GRAPH_ARRAYS.items() if k in arrays}}
    for key, kind in kinds.items():
        array = arrays[key]
        if array.ndim != 1 or array.dtype.kind not in _KINDS[kind]:
            return f"array {key!r} is {array.dtype} with shape {array.shape}, not 1-D {kind!r}"
    lengths = {
        prefix: {k: len(arrays[k]) for k in kinds if k.startswith(prefix)}
        for prefix in ("node_", "edge_")
    }
    for sizes in lengths.values():
        if len(set(sizes.values())) > 1:
            return f"arrays differ in length ({_sizes(sizes)})"
    return _graph_values_problem(arrays)


#: numpy dtype kinds accepted for the catalog's kinds (unsigned integers are integers).
_KINDS = {"i": "iu", "f": "f", "b": "b"}


def _sizes(sizes: Mapping[str, int]) -> str:
    return ", ".join(f"{k} {n}" for k, n in sizes.items())


def _graph_values_problem(arrays: Mapping[str, np.ndarray]) -> str | None:
    n_nodes = len(arrays["node_lon"])
    for key in ("edge_from", "edge_to"):
        ends = arrays[key]
        if ends.size and (ends.min() < 0 or ends.max() >= n_nodes):
            return f"array {key!r} holds node indices outside 0..{n_nodes - 1}"
    for key in ("node_lon", "node_lat", "node_x", "node_y"):
        if key in arrays and not np.isfinite(arrays[key]).all():
            return f"array {key!r} holds NaN or infinite coordinates"
    times = arrays["edge_time_s"]
    bad = ~np.isfinite(times) | (times < 0)
    if bad.any():
        return (
            f"array 'edge_time_s' holds {int(bad.sum())} NaN, infinite or negative "
            f"travel time(s) (first at edge {int(np.flatnonzero(bad)[0])})"
        )
    return None
