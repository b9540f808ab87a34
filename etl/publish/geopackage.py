"""Write the snapshot into one GeoPackage that QGIS opens as it is.

Every layer becomes a GeoPackage layer of the same name: spatial layers as feature tables
in EPSG:4326 with an R-tree spatial index (GDAL's ``gpkg_rtree_index`` extension), the
others as attribute tables.  Each layer's provenance goes into ``gpkg_contents``
(``identifier`` = the layer's title, ``description`` = source, licence, data date and
coverage), which QGIS shows in the layer properties; table :data:`CATALOG_TABLE` lists
the same per layer for tools that do not read ``gpkg_contents``.

The file is written beside the target under a temporary name and renamed over it only
when every layer is in, so a failed publish leaves the previous file as it was.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pyogrio

from etl.errors import EtlError
from etl.publish import CATALOG_TABLE, PublishedLayer, catalog_frame, description

#: GeoPackage layer options: spatial index on; provenance in gpkg_contents.
_SPATIAL_INDEX = "YES"


class PublishError(EtlError):
    """A publish failed; the previous GeoPackage file or database tables are unchanged."""


def write_geopackage(layers: Sequence[PublishedLayer], target: Path) -> Path:
    """Write ``layers`` and the :data:`CATALOG_TABLE` into the GeoPackage ``target``.

    Parameters
    ----------
    layers : sequence of PublishedLayer
        From :func:`etl.publish.collect_layers`.
    target : Path
        The ``.gpkg`` file to create or replace.

    Returns
    -------
    Path
        ``target``.

    Raises
    ------
    PublishError
        When ``target`` does not end in ``.gpkg``, its folder does not exist, or GDAL fails
        to write a layer; ``target`` is then unchanged.
    """
    if target.suffix.lower() != ".gpkg":
        msg = f"{target}: a GeoPackage file name must end in .gpkg"
        raise PublishError(msg)
    if not target.parent.is_dir():
        msg = f"{target.parent}: no such folder for the GeoPackage"
        raise PublishError(msg)
    # GDAL picks the format from the extension and warns on another one, so the
    # temporary name keeps ".gpkg".
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp.gpkg")
    try:
        for layer in layers:
            _write_layer(layer, tmp)
        pyogrio.write_dataframe(
            catalog_frame(layers),
            tmp,
            layer=CATALOG_TABLE,
            driver="GPKG",
            layer_options={"DESCRIPTION": "Provenance of every layer of this file"},
        )
        tmp.replace(target)
    except (OSError, pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        msg = f"{target}: GeoPackage not written ({exc})"
        raise PublishError(msg) from exc
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _write_layer(layer: PublishedLayer, path: Path) -> None:
    """Append one layer to the GeoPackage at ``path``."""
    options = {
        "IDENTIFIER": layer.manifest.title or layer.name,
        "DESCRIPTION": description(layer.manifest),
    }
    frame = layer.frame
    if isinstance(frame, gpd.GeoDataFrame):
        options["SPATIAL_INDEX"] = _SPATIAL_INDEX
        # A layer mixing Polygon and MultiPolygon is stored as MultiPolygon: one geometry
        # type per layer is what GIS tools expect.
        promote = bool(frame.geom_type.dropna().str.startswith("Multi").any())
        pyogrio.write_dataframe(
            frame,
            path,
            layer=layer.name,
            driver="GPKG",
            promote_to_multi=promote,
            layer_options=options,
        )
    else:
        pyogrio.write_dataframe(frame, path, layer=layer.name, driver="GPKG", layer_options=options)
