"""The only module that calls osmnx to download OpenStreetMap (never used by tests).

``python -m etl fetch osm_drive_overpass`` already downloads Leuven's drivable ways with
a plain Overpass query (see :data:`etl.sources.osm.OVERPASS_DRIVE_QUERY`).  This module
is the osmnx route to the *same kind of file the mirror holds*: osmnx geocodes the place
polygon with Nominatim, sends its own ``drive`` query to Overpass and caches each JSON
answer as ``<sha1>.json`` in ``settings.cache_folder``.  We point that cache at a folder
of our own, run the download, and copy the Overpass answer (the cached dict that has
``elements``) to the raw file the build reads.

Differences from the mirror: the polygon comes from Nominatim ("Leuven, Belgium") rather
than ``ref:INS``; a very large polygon would be split into several answers (Leuven is
far below osmnx's ``max_query_area_size``, so there is one).
"""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from etl.errors import FetchError
from etl.settings import Settings, default_settings
from etl.sources.osm import OVERPASS_DRIVE

log = logging.getLogger(__name__)

#: Place name osmnx geocodes for the detailed networks.
PLACE = "Leuven, Belgium"


def download_drive_overpass(
    raw_dir: Path | None = None, *, place: str = PLACE, settings: Settings | None = None
) -> Path:
    """Download the drive network of ``place`` via osmnx and store its Overpass answer.

    Parameters
    ----------
    raw_dir : Path, optional
        Raw folder (defaults to ``settings.raw_dir``); the answer is written to
        ``raw_dir / OVERPASS_DRIVE``.
    place : str
        Place name for Nominatim.
    settings : Settings, optional
        Supplies the User-Agent, timeout and default raw folder.

    Returns
    -------
    Path
        The written raw file.

    Raises
    ------
    FetchError
        When osmnx fails or leaves no Overpass answer in its cache.
    """
    import osmnx as ox  # heavy import, only needed for a live download

    settings = settings or default_settings()
    raw_dir = raw_dir or settings.raw_dir
    cache = raw_dir / ".osmnx_cache" / "drive"
    ox.settings.use_cache = True
    ox.settings.cache_folder = cache
    ox.settings.http_user_agent = settings.user_agent
    ox.settings.requests_timeout = settings.timeout_s
    try:
        ox.graph_from_place(place, network_type="drive", simplify=False, retain_all=True)
    except Exception as exc:  # osmnx raises requests, shapely and its own error types
        msg = f"osmnx download of the {place!r} drive network failed: {exc}"
        raise FetchError(msg) from exc
    answer = _newest_overpass_answer(cache)
    dest = raw_dir / OVERPASS_DRIVE
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(answer, dest)
    log.info("stored osmnx Overpass answer %s -> %s", answer.name, dest)
    return dest


def _newest_overpass_answer(cache: Path) -> Path:
    """Return the newest cached JSON that is an Overpass answer (a dict with elements)."""
    for path in sorted(cache.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and "elements" in data:
            return path
    msg = f"osmnx left no Overpass answer in {cache}"
    raise FetchError(msg)
