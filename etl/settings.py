"""Typed, documented settings of the ETL.

Every live publisher URL is here, with the page that documents it, so an operator can
check or change one place.  Functions take ``None`` and fall back to these values.
Environment variables override: ``LEUVEN_ATLAS_RAW_DIR`` (raw download cache),
``LEUVEN_ATLAS_USER_AGENT`` and ``LEUVEN_ATLAS_OSM_EXTRACT_URL`` (the OSM extract that
``python -m etl fetch osm`` downloads).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Final

PROJECT_ROOT: Final[Path] = Path(__file__).resolve().parent.parent

#: Region of interest (lon_min, lat_min, lon_max, lat_max): the 60 municipalities whose
#: polygon meets this box form the region (see the mirror README).
REGION_BBOX: Final[tuple[float, float, float, float]] = (4.45, 50.70, 5.15, 51.05)

#: NIS code of arrondissement Leuven.
ARR_LEUVEN_NIS: Final[str] = "24000"

#: NIS code of Leuven municipality (the detailed street network covers it only).
LEUVEN_NIS: Final[str] = "24062"

#: Year of Statbel's population per statistical sector that ``etl fetch`` downloads.
#: 2024 on purpose: the mirror's sector lookup (statsec_to_deelgemeente_belgium_2024.csv)
#: and sector populations are of 1 January 2024, and Statbel renumbered the sectors of
#: the merged municipalities in 2025, so a 2025 file would not match the lookup.
SECTOR_POPULATION_YEAR: Final[int] = 2024

#: Statbel's population per statistical sector, all of Belgium, one zip per year
#: holding ``OPENDATA_SECTOREN_<year>.txt`` ('|'-separated, UTF-8); documented at
#: https://statbel.fgov.be/en/open-data/population-statistical-sector-<year>.
SECTOR_POPULATION_URL: Final[str] = (
    "https://statbel.fgov.be/sites/default/files/files/opendata/bevolking/sectoren/"
    f"OPENDATA_SECTOREN_{SECTOR_POPULATION_YEAR}.zip"
)

#: OpenStreetMap extract of Belgium that ``python -m etl fetch osm`` downloads (PBF, about
#: 650 MB, updated daily; documented at https://download.geofabrik.de/europe/belgium.html).
#: Any PBF that contains the region works (e.g. a Flanders extract): set
#: ``LEUVEN_ATLAS_OSM_EXTRACT_URL`` or :attr:`Settings.source_urls`.
OSM_EXTRACT_URL: Final[str] = "https://download.geofabrik.de/europe/belgium-latest.osm.pbf"

#: Metric CRS for all distance computations (Belgian Lambert 72).
METRIC_CRS: Final[str] = "EPSG:31370"
#: Storage CRS of every layer.
STORAGE_CRS: Final[str] = "EPSG:4326"


@dataclass(frozen=True)
class LiveSource:
    """One raw input as a live publisher serves it.

    Attributes
    ----------
    name : str
        Short name used by ``python -m etl fetch NAME``.
    raw_file : str
        Path of the file inside a raw folder laid out like the mirror.
    url : str
        Official download location (or API endpoint).
    documented_at : str
        Page where the publisher documents the dataset.
    note : str
        Format differences between the live file and the mirror copy, if any.
    """

    name: str
    raw_file: str
    url: str
    documented_at: str
    note: str = ""


@dataclass(frozen=True)
class Settings:
    """Run-time settings of the ETL (see module docstring for environment overrides)."""

    raw_dir: Path = field(
        default_factory=lambda: Path(
            os.environ.get("LEUVEN_ATLAS_RAW_DIR", PROJECT_ROOT / "raw_cache")
        )
    )
    user_agent: str = field(
        default_factory=lambda: os.environ.get(
            "LEUVEN_ATLAS_USER_AGENT",
            "LeuvenAtlas-ETL/0.1 (+https://github.com/leuven-atlas; open-data dashboard)",
        )
    )
    timeout_s: float = 60.0
    retries: int = 4
    backoff_s: float = 2.0
    #: A cached download younger than this is used without asking the server; an older
    #: one is revalidated with a conditional request (``fetch --refresh`` always asks).
    cache_max_age_s: float = 24 * 3600.0
    #: Live source name -> URL used instead of the source's declared one (``osm``: the
    #: OSM extract, :data:`OSM_EXTRACT_URL` unless ``LEUVEN_ATLAS_OSM_EXTRACT_URL`` is set).
    source_urls: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType(
            {"osm": os.environ.get("LEUVEN_ATLAS_OSM_EXTRACT_URL", OSM_EXTRACT_URL)}
        )
    )


@dataclass(frozen=True)
class ChangeGuard:
    """How far a rebuilt layer may differ from the previous snapshot before the stage fails.

    A stage whose output breaks one of these limits keeps the previous files of all its
    outputs (its dependants are skipped) unless the build runs with ``--accept-changes``.
    ``None`` switches a check off.

    Attributes
    ----------
    max_row_drop : float or None
        Largest share of the previous row count (node count for graphs) that may
        disappear: ``0.10`` lets 626 rows fall to 564 but not to 563.  More rows never fail.
    max_centre_shift : float or None
        Largest move of the bbox centre, as a share of the previous bbox diagonal.
    min_centre_shift_km : float
        The centre may always move this far (small or one-point layers have a tiny
        diagonal, so a share of it would refuse any change at all).
    max_area_change : float or None
        Largest relative change of the bbox area, either way: ``0.5`` allows an area
        between 0.5 and 1.5 times the previous one.  Not checked when the previous bbox
        has no area (a single point).
    """

    max_row_drop: float | None = 0.10
    max_centre_shift: float | None = 0.10
    min_centre_shift_km: float = 0.5
    max_area_change: float | None = 0.5


#: Limits for every layer and graph not listed in :data:`LAYER_GUARDS`.
DEFAULT_GUARD: Final[ChangeGuard] = ChangeGuard()

#: Per-layer exceptions to :data:`DEFAULT_GUARD`, each with the reason.
LAYER_GUARDS: Final[Mapping[str, ChangeGuard]] = MappingProxyType(
    {
        # One feed week: a holiday week runs noticeably fewer trains than a term week.
        "rail_timetable": ChangeGuard(max_row_drop=0.25),
        # The OSM layer covers central Leuven only; importing the official export
        # (--childcare-file) legitimately spreads it over the whole region.
        "childcare": ChangeGuard(max_centre_shift=None, max_area_change=None),
    }
)


def change_guard(name: str, guards: Mapping[str, ChangeGuard] | None = None) -> ChangeGuard:
    """Return the guard limits of layer ``name`` (``"graph:<mode>"`` for a graph).

    Parameters
    ----------
    name : str
        Layer or graph name.
    guards : Mapping, optional
        Per-layer limits; defaults to :data:`LAYER_GUARDS`.  Layers missing from it get
        :data:`DEFAULT_GUARD`.
    """
    table = LAYER_GUARDS if guards is None else guards
    return table.get(name, DEFAULT_GUARD)


def default_settings() -> Settings:
    """Return settings read from the environment at call time."""
    return Settings()
