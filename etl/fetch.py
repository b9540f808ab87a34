"""``python -m etl fetch``: download the raw inputs from the live publishers.

Every source module lists its downloads in ``LIVE_SOURCES`` (see
:class:`etl.settings.LiveSource`); this module collects them and saves each file into
the raw folder under the same relative path the mirror uses, so ``build`` can read a
fresh download exactly like the mirror.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from pathlib import Path

from etl import _http
from etl.errors import EtlError
from etl.settings import LiveSource, Settings, default_settings

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
        _http.download(source.url, dest, settings=settings, refresh=refresh)
        log.info("fetched %s -> %s", source.name, dest)
        written.append(dest)
    return written
