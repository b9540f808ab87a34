"""``python -m etl fetch``: download the raw inputs from the live publishers.

Every source module lists its downloads in ``LIVE_SOURCES`` (see
:class:`etl.settings.LiveSource`); this module collects them and saves each file into
the raw folder under the same relative path the mirror uses, so ``build`` can read a
fresh download exactly like the mirror.

Some downloads are processed once fetched (:data:`AFTER_FETCH`): ``osm`` (the Belgian
OpenStreetMap extract, URL in :attr:`etl.settings.Settings.source_urls`) is clipped to the
region's 60 municipalities (the ``municipalities`` layer of the snapshot) into
``osm/leuven_region.osm.pbf``, which the ``graphs`` stage then builds its walk, bike and
car graphs from.  A source's URL can be replaced per run through ``Settings.source_urls``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import shapely

from etl import _http
from etl.errors import EtlError
from etl.settings import LiveSource, Settings, default_settings
from etl.sources.osm_pbf import clip_pbf
from etl.sources.osm_streets import REGIONAL_PBF
from geodata.io import load_layer

log = logging.getLogger(__name__)

#: Modules of ``etl.sources`` that declare live downloads.
SOURCE_MODULES: tuple[str, ...] = (
    "boundaries",
    "schools",
    "childcare",
    "transit",
    "housing",
    "demography",
    "osm",
    "osm_streets",
)


def live_sources() -> list[LiveSource]:
    """Return every declared live source, in module order."""
    found: list[LiveSource] = []
    for name in SOURCE_MODULES:
        module = importlib.import_module(f"etl.sources.{name}")
        found.extend(getattr(module, "LIVE_SOURCES", ()))
    return found


def fetch(
    names: Iterable[str] | None = None,
    *,
    raw_dir: Path | None = None,
    settings: Settings | None = None,
    refresh: bool = False,
) -> list[Path]:
    """Download the named live sources (all when ``names`` is empty) into ``raw_dir``.

    A cached download younger than ``settings.cache_max_age_s`` is reused; an older one
    is revalidated with the publisher (see :func:`etl._http.download`); ``refresh``
    downloads every source again.  A failed download keeps the previous file.

    Raises
    ------
    EtlError
        For an unknown name; :class:`etl.errors.FetchError` when a download fails.
    """
    settings = settings or default_settings()
    raw_dir = raw_dir or settings.raw_dir
    sources = live_sources()
    wanted = list(names or [])
    known = {s.name for s in sources}
    unknown = sorted(set(wanted) - known)
    if unknown:
        msg = f"unknown source(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        raise EtlError(msg)
    chosen = [s for s in sources if not wanted or s.name in wanted]
    written = []
    for source in chosen:
        dest = raw_dir / source.raw_file
        url = settings.source_urls.get(source.name, source.url)
        _http.download(url, dest, settings=settings, refresh=refresh)
        log.info("fetched %s -> %s", source.name, dest)
        written.append(dest)
        after = AFTER_FETCH.get(source.name)
        if after is not None:
            written.append(after(dest, raw_dir))
    return written


def region_polygon(data_dir: Path | None = None) -> shapely.Geometry:
    """Return the union of the region's municipalities (EPSG:4326) from the snapshot.

    The snapshot's ``municipalities`` layer is used rather than a raw file because the
    live boundary source covers all of Flanders with other column names.
    """
    municipalities = load_layer("municipalities", data_dir)
    return shapely.union_all(municipalities.geometry.to_numpy())


def clip_osm_to_region(extract: Path, raw_dir: Path) -> Path:
    """Clip a downloaded OSM extract to the region into ``raw_dir/osm/leuven_region.osm.pbf``."""
    result = clip_pbf(extract, region_polygon(), raw_dir / REGIONAL_PBF)
    log.info(
        "clipped %s to the region: %d ways, %d nodes -> %s",
        extract.name,
        result.ways_kept,
        result.nodes_kept,
        result.path,
    )
    return result.path


#: Source name -> step run on the downloaded file: ``step(downloaded, raw_dir) -> path``.
AFTER_FETCH: dict[str, Callable[[Path, Path], Path]] = {"osm": clip_osm_to_region}
