"""Names and files of the processed layers.

One place that maps a layer name to its file, so the ETL, the engine and the app never
spell paths themselves.  Vector layers are GeoParquet in EPSG:4326; tables without
geometry are plain Parquet; routable graphs are compressed ``.npz`` arrays.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

#: Folder of the committed snapshot: this package's own folder, unless the environment
#: variable ``LEUVEN_ATLAS_DATA_DIR`` names another (a deployment's own build, or a test's
#: copy with fixture rows).
DATA_DIR: Final[Path] = Path(
    os.environ.get("LEUVEN_ATLAS_DATA_DIR", Path(__file__).resolve().parent)
)

#: Vector and table layers, in build order.  Value: True when the layer has geometry.
LAYERS: Final[dict[str, bool]] = {
    "municipalities": True,
    "deelgemeenten": True,
    "wijken": True,
    "schools": True,
    "international_schools": True,
    "childcare": True,
    "stations": True,
    "bus_stops": True,
    "rail_timetable": False,
    "bus_routes": False,
    "housing_prices": False,
    "housing_summary": False,
    "population": False,
    "sector_population": True,
    "neighbourhoods": True,
    "addresses": True,
    "workplaces": True,
}

#: Routable graphs (``graphs/<name>.npz``).
GRAPHS: Final[tuple[str, ...]] = ("walk", "bike", "car", "strategic_car")


def layer_path(name: str, data_dir: Path | None = None) -> Path:
    """Return the file of a layer or graph.

    Parameters
    ----------
    name : str
        A key of :data:`LAYERS`, or ``"graph:<mode>"`` for a graph of :data:`GRAPHS`.
    data_dir : Path, optional
        Snapshot folder; defaults to :data:`DATA_DIR`.

    Returns
    -------
    Path
        Where the layer's data file lives (it may not exist yet).
    """
    base = data_dir or DATA_DIR
    if name.startswith("graph:"):
        mode = name.removeprefix("graph:")
        if mode not in GRAPHS:
            msg = f"unknown graph {mode!r}; known graphs: {', '.join(GRAPHS)}"
            raise KeyError(msg)
        return base / "graphs" / f"{mode}.npz"
    if name not in LAYERS:
        msg = f"unknown layer {name!r}; known layers: {', '.join(LAYERS)}"
        raise KeyError(msg)
    return base / f"{name}.parquet"


def manifest_path(name: str, data_dir: Path | None = None) -> Path:
    """Return the manifest file (JSON) that describes a layer or graph."""
    data = layer_path(name, data_dir)
    return data.with_name(data.name.split(".")[0] + ".manifest.json")
