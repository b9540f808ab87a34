"""Names and files of the processed layers.

One place that maps a layer name to its file, so the ETL, the engine and the app never
spell paths themselves.  Vector layers are GeoParquet in EPSG:4326; tables without
geometry are plain Parquet; routable graphs are compressed ``.npz`` arrays.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

#: Environment variable naming another snapshot folder (a deployment's own build, or a
#: test's copy with fixture rows or damaged files).
DATA_DIR_ENV: Final[str] = "LEUVEN_ATLAS_DATA_DIR"

#: This package's own folder: the committed snapshot.
PACKAGE_DIR: Final[Path] = Path(__file__).resolve().parent


def default_data_dir() -> Path:
    """Return the snapshot folder: ``$LEUVEN_ATLAS_DATA_DIR`` if set, else this package's folder.

    Read on every call, not once at import: a test (or a long-running process) that
    points the variable at another folder is obeyed from then on.
    """
    return Path(os.environ.get(DATA_DIR_ENV) or PACKAGE_DIR)


#: Snapshot folder when this module was imported (see :func:`default_data_dir`, which
#: readers use, for the folder in force now).
DATA_DIR: Final[Path] = default_data_dir()

#: Vector and table layers, in build order.  Value: True when the layer has geometry.
LAYERS: Final[dict[str, bool]] = {
    "municipalities": True,
    "deelgemeenten": True,
    "wijken": True,
    "schools": True,
    "adult_education": True,
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
    "accessibility": False,
    "accessibility_sectors": False,
}

#: Routable graphs (``graphs/<name>.npz``).
GRAPHS: Final[tuple[str, ...]] = ("walk", "bike", "car", "strategic_car")

#: Columns every reader of a layer needs, a later ETL stage included: ``load_layer``
#: always checks them.  Geometry layers also need ``geometry``, which the GeoParquet
#: reader insists on.  Layers whose only readers are the engine and the app (and tests'
#: hand-made ETL inputs with fewer columns) declare their columns in
#: :data:`READER_COLUMNS`; ``population`` and ``housing_prices`` are read only by the
#: app and the report, so they declare none here.
LAYER_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "municipalities": ("nis", "name"),
    "deelgemeenten": ("code", "name"),
    "wijken": ("code", "name"),
    "schools": (),
    "adult_education": ("id", "name", "kind", "nis"),
    "international_schools": ("id", "name", "in_region"),
    "childcare": ("category", "wijk", "nis"),
    "stations": (),
    "bus_stops": (),
    "rail_timetable": (
        "service_date",
        "trip_id",
        "stop_sequence",
        "stop_id",
        "arrival_s",
        "departure_s",
        "pickup_type",
        "drop_off_type",
    ),
    "bus_routes": ("relation_id", "position", "stop_lon", "stop_lat", "headway_min"),
    "housing_prices": (),
    "housing_summary": ("nis",),
    "population": (),
    "sector_population": ("sector", "population_2024"),
    "neighbourhoods": ("code", "name", "nis", "municipality", "centroid_lon", "centroid_lat"),
    "addresses": ("id", "label"),
    "workplaces": ("id", "name", "kind"),
    "accessibility": (
        "code",
        "layer",
        "mode",
        "nearest_minutes",
        "count_5",
        "count_10",
        "count_15",
        "count_20",
        "count_30",
        "estimated",
        "method",
    ),
}
#: The sectors' accessibility has the neighbourhoods' columns (``code``: the sector).
LAYER_COLUMNS["accessibility_sectors"] = LAYER_COLUMNS["accessibility"]

#: Columns the engine and the app read besides :data:`LAYER_COLUMNS` (they ask
#: ``load_layer`` to check these too; the ETL's own stages need fewer).
READER_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "schools": ("id", "name", "level", "levels", "net", "language", "nis", "wijk"),
    "international_schools": ("wijk",),
    "adult_education": ("institution_type", "programmes", "address", "municipality", "wijk"),
    "childcare": ("id", "name"),
    "stations": ("id", "name_nl", "name_fr", "wijk"),
    "bus_stops": ("id", "name", "wijk"),
    "rail_timetable": ("stop_name", "stop_lon", "stop_lat"),
    # ``nis`` is in LAYER_COLUMNS; the rest is what the Explore, Neighbourhoods, Compare
    # and Profile pages and the report read, so a file without one is a SnapshotError
    # naming it, not a KeyError in a page.
    "neighbourhoods": (
        "area_km2",
        "population",
        "median_house_price_muni",
        "median_apartment_price_muni",
        "price_year",
        "childcare_coverage",
        "childcare_mapped_share",
        "n_schools",
        "n_school_sites",
        "n_childcare",
        "n_stations",
        "n_bus_stops",
    ),
    "housing_prices": ("nis", "name", "year", "type", "median_price_eur"),
    "workplaces": ("source",),
}


#: Arrays every graph must hold, with their numpy kind: ``"i"`` integer, ``"f"`` float,
#: ``"b"`` boolean.  Node arrays share one length and edge arrays another; optional
#: arrays (``node_x``/``node_y``, ``node_is_zone_centroid``, ``edge_is_connector``) are
#: checked likewise when present.
GRAPH_ARRAYS: Final[dict[str, str]] = {
    "node_lon": "f",
    "node_lat": "f",
    "edge_from": "i",
    "edge_to": "i",
    "edge_time_s": "f",
}

#: Optional graph arrays and their kind, checked only when a graph holds them.
OPTIONAL_GRAPH_ARRAYS: Final[dict[str, str]] = {
    "node_x": "f",
    "node_y": "f",
    "node_is_zone_centroid": "b",
    "edge_is_connector": "b",
}


def layer_path(name: str, data_dir: Path | None = None) -> Path:
    """Return the file of a layer or graph.

    Parameters
    ----------
    name : str
        A key of :data:`LAYERS`, or ``"graph:<mode>"`` for a graph of :data:`GRAPHS`.
    data_dir : Path, optional
        Snapshot folder; defaults to :func:`default_data_dir`.

    Returns
    -------
    Path
        Where the layer's data file lives (it may not exist yet).
    """
    base = data_dir or default_data_dir()
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
