"""Typed, documented settings of the ETL.

Every live publisher URL is here, with the page that documents it, so an operator can
check or change one place.  Functions take ``None`` and fall back to these values.
Environment variables override: ``LEUVEN_ATLAS_RAW_DIR`` (raw download cache) and
``LEUVEN_ATLAS_USER_AGENT``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

PROJECT_ROOT: Final[Path] = Path(__file__).resolve().parent.parent

#: Region of interest (lon_min, lat_min, lon_max, lat_max): the 60 municipalities whose
#: polygon meets this box form the region (see the mirror README).
REGION_BBOX: Final[tuple[float, float, float, float]] = (4.45, 50.70, 5.15, 51.05)

#: NIS code of arrondissement Leuven.
ARR_LEUVEN_NIS: Final[str] = "24000"

#: NIS code of Leuven municipality (the detailed street network covers it only).
LEUVEN_NIS: Final[str] = "24062"

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


def default_settings() -> Settings:
    """Return settings read from the environment at call time."""
    return Settings()
