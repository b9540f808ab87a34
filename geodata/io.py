"""Load and save processed layers, graphs and their manifests.

Writes are atomic: data goes to a temporary file in the same folder and is renamed over
the old file only when complete, so a crash never leaves a half-written layer and the
previous snapshot survives any failure.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.catalog import GRAPHS, LAYERS, layer_path, manifest_path

#: Decimal places kept for WGS84 coordinates (1e-7 degree is about 1 cm): output is
#: deterministic and compact without visible loss.
COORD_DECIMALS = 7

REBUILD_HINT = "rebuild it with: python -m etl build --source-dir ../shared/data"


class SnapshotError(RuntimeError):
    """A processed file is missing or unreadable; the message names it and the fix."""


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
        msg = f"data file {path} is missing; {REBUILD_HINT}"
        raise SnapshotError(msg)


def load_layer(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Load a processed layer (GeoDataFrame when it has geometry).

    Raises
    ------
    SnapshotError
        When the file is missing or cannot be read; the message names the file and the
        ETL command that rebuilds it.
    """
    path = layer_path(name, data_dir)
    _require(path)
    reader: Callable[[Path], pd.DataFrame] = gpd.read_parquet if LAYERS[name] else pd.read_parquet
    try:
        return reader(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        msg = f"data file {path} is unreadable ({type(exc).__name__}: {exc}); {REBUILD_HINT}"
        raise SnapshotError(msg) from exc


def load_manifest(name: str, data_dir: Path | None = None) -> LayerManifest:
    """Load the manifest of a layer or ``"graph:<mode>"``."""
    path = manifest_path(name, data_dir)
    _require(path)
    try:
        return LayerManifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError) as exc:
        msg = f"manifest {path} is unreadable ({exc}); {REBUILD_HINT}"
        raise SnapshotError(msg) from exc


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
    required = {"node_lon", "node_lat", "edge_from", "edge_to", "edge_time_s"}
    missing = required - set(arrays)
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
    """Load the arrays of ``graphs/<mode>.npz`` into memory."""
    path = layer_path(f"graph:{mode}", data_dir)
    _require(path)
    try:
        with np.load(path) as npz:
            return {key: npz[key] for key in npz.files}
    except (OSError, ValueError) as exc:
        msg = f"graph file {path} is unreadable ({exc}); {REBUILD_HINT}"
        raise SnapshotError(msg) from exc
