"""Processed Leuven Atlas layers and the small package that knows how to read them.

The files in this folder are written by ``python -m etl build`` and committed, so a fresh
clone runs the app without downloading anything.  This package imports nothing else of
the project (see ``DESIGN.md``): the ETL writes through it, the engine and the app read
through it.
"""

from geodata.catalog import (
    DATA_DIR,
    GRAPH_ARRAYS,
    GRAPHS,
    LAYER_COLUMNS,
    LAYERS,
    READER_COLUMNS,
    default_data_dir,
    layer_path,
    manifest_path,
)
from geodata.io import (
    LayerManifest,
    SnapshotError,
    load_graph,
    load_layer,
    load_manifest,
    load_manifests,
    save_graph,
    save_layer,
)

__all__ = [
    "DATA_DIR",
    "GRAPHS",
    "GRAPH_ARRAYS",
    "LAYERS",
    "LAYER_COLUMNS",
    "READER_COLUMNS",
    "LayerManifest",
    "SnapshotError",
    "default_data_dir",
    "layer_path",
    "load_graph",
    "load_layer",
    "load_manifest",
    "load_manifests",
    "manifest_path",
    "save_graph",
    "save_layer",
]
