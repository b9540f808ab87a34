"""A copy of the committed snapshot with one test-fixture row, for the browser tests.

One school is renamed to an HTML-injection string.  The copy lives in a temporary folder
and reaches the app through ``LEUVEN_ATLAS_DATA_DIR``; the committed data is never touched.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np

from tests.e2e.harness import PROJECT_ROOT

#: The injected school name: HTML that would run script if the app did not escape it.
XSS_PAYLOAD = "<img src=x onerror=alert(1)>"
XSS_NAME = f"TEST FIXTURE {XSS_PAYLOAD} school"
#: The fixture school is the primary school nearest to Leuven station, so it is on the
#: map with the default workplace, mode and limit.
FIXTURE_NEAR = (50.88228, 4.71587)


def fixture_snapshot(target: Path) -> tuple[Path, str]:
    """Copy the committed snapshot to ``target`` and rename one school to the payload.

    Returns the folder and the renamed school's id.
    """
    source = PROJECT_ROOT / "geodata"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    schools = gpd.read_parquet(target / "schools.parquet")
    primary = schools[schools["level"] == "basis"]
    lat, lon = FIXTURE_NEAR
    # Nearness in degrees is enough to pick one school; scale longitude for ~50.9° N.
    dist = np.hypot(primary.geometry.y - lat, (primary.geometry.x - lon) * 0.63)
    index = dist.idxmin()
    schools.loc[index, "name"] = XSS_NAME
    schools.to_parquet(target / "schools.parquet")
    return target, str(schools.loc[index, "id"])
