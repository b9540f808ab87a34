"""``python -m etl publish``: hand the committed snapshot to GIS tools and databases.

Planners open the layers in QGIS or load them into their own PostGIS database.  Both
publishers read the snapshot through the same loaders as the app (every file checked
against :mod:`geodata.catalog`), so a damaged file stops the publish with one
:class:`geodata.io.SnapshotError` before anything is written, and both carry each layer's
provenance (title, source, licence, data date, coverage) next to its rows:

* :func:`etl.publish.geopackage.write_geopackage` - one GeoPackage file, written under a
  temporary name and renamed, so an interrupted publish never leaves half a file;
* :func:`etl.publish.postgis.publish_postgis` - one PostgreSQL transaction that replaces
  every table, so readers see the previous publish or the new one, never a mix.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata.catalog import LAYERS
from geodata.io import LayerManifest, load_layer, load_manifest

#: Name of the table that lists the published layers and their provenance.
CATALOG_TABLE = "atlas_layers"


@dataclass(frozen=True)
class PublishedLayer:
    """One snapshot layer with its manifest, ready to publish.

    Attributes
    ----------
    name : str
        Layer name in the snapshot, used as the table / GeoPackage layer name.
    frame : DataFrame or GeoDataFrame
        The rows; a GeoDataFrame (EPSG:4326) for spatial layers.
    manifest : LayerManifest
        Provenance of the layer.
    """

    name: str
    frame: pd.DataFrame
    manifest: LayerManifest

    @property
    def spatial(self) -> bool:
        """True when the layer has geometries."""
        return isinstance(self.frame, gpd.GeoDataFrame)


def collect_layers(
    data_dir: Path | None = None, names: Collection[str] = ()
) -> list[PublishedLayer]:
    """Load every catalogued layer (or ``names``) with its manifest, in catalog order.

    Raises
    ------
    SnapshotError
        When a layer file or manifest is missing or damaged.
    ValueError
        When ``names`` holds a name that is not a layer of the catalog.
    """
    unknown = sorted(set(names) - set(LAYERS))
    if unknown:
        msg = f"unknown layer(s) {', '.join(unknown)}; layers are: {', '.join(LAYERS)}"
        raise ValueError(msg)
    wanted = [n for n in LAYERS if not names or n in names]
    return [PublishedLayer(n, load_layer(n, data_dir), load_manifest(n, data_dir)) for n in wanted]


def description(manifest: LayerManifest) -> str:
    """One paragraph of provenance for a layer: what, from whom, licence, date, coverage."""
    parts = [
        manifest.title,
        f"Source: {manifest.source}" + (f" ({manifest.source_url})" if manifest.source_url else ""),
        f"Licence: {manifest.licence}",
        f"Data date: {manifest.data_date}",
        f"Coverage: {manifest.coverage}",
        f"Built: {manifest.built_at} (ETL code {manifest.code_version})",
    ]
    return ". ".join(p.rstrip(". ") for p in parts if p) + "."


def catalog_frame(layers: Collection[PublishedLayer]) -> pd.DataFrame:
    """Return the :data:`CATALOG_TABLE` rows: one per published layer with its provenance."""
    rows = [
        {
            "layer": layer.name,
            "title": layer.manifest.title,
            "source": layer.manifest.source,
            "source_url": layer.manifest.source_url,
            "licence": layer.manifest.licence,
            "data_date": layer.manifest.data_date,
            "coverage": layer.manifest.coverage,
            "rows": len(layer.frame),
            "spatial": layer.spatial,
            "built_at": layer.manifest.built_at,
            "code_version": layer.manifest.code_version,
        }
        for layer in layers
    ]
    return pd.DataFrame(rows)
