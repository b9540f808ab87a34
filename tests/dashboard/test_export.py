"""CSV export: no spreadsheet formula from a name; GeoJSON/GeoPackage keep values exact.

The ranking below is a hand-made test fixture (names chosen to start formulas), not data.
"""

from __future__ import annotations

import csv
import io

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard.layers import export

#: Hand-made names: the OWASP formula starts, a harmless one, and one with a later "=".
NAMES = [
    '=HYPERLINK("https://evil.example","click")',
    "+32 16 00 00 00",
    "-Heverlee",
    "@SUM(1,2)",
    "\tTabbed",
    "\rReturned",
    "Kessel-Lo = fine",
]


@pytest.fixture
def ranked() -> gpd.GeoDataFrame:
    """A hand-made ranking with hostile names, negative numbers and a missing value."""
    n = len(NAMES)
    return gpd.GeoDataFrame(
        {
            "rank": list(range(1, n + 1)),
            "code": [f"W{i}" for i in range(n)],
            "name": NAMES,
            "municipality": ["Leuven"] * (n - 1) + [None],
            "minutes_1": [12.5] * n,
            "estimated": [False, True] * 3 + [False],
            "method_1": ["=cmd|' /C calc'!A0"] + ["network"] * (n - 1),
            # west of Greenwich: legitimate negative numbers that must stay numbers
            "centroid_lon": [-0.12 - i / 100 for i in range(n)],
            "centroid_lat": [51.5] * n,
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(n)],
        crs=4326,
    )


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_csv_quotes_text_cells_that_start_a_formula(ranked: gpd.GeoDataFrame) -> None:
    rows = _csv_rows(export.to_csv_bytes(ranked))
    names = [r["name"] for r in rows]
    assert names[:6] == ["'" + n for n in NAMES[:6]]
    assert names[6] == "Kessel-Lo = fine"  # no formula start: unchanged
    assert rows[0]["method_1"] == "'=cmd|' /C calc'!A0"
    assert rows[-1]["municipality"] == ""  # missing stays empty


def test_csv_keeps_numbers_numbers(ranked: gpd.GeoDataFrame) -> None:
    rows = _csv_rows(export.to_csv_bytes(ranked))
    assert [r["centroid_lon"] for r in rows] == [repr(v) for v in ranked["centroid_lon"]]
    assert all(float(r["centroid_lon"]) < 0 for r in rows)
    assert [r["estimated"] for r in rows] == [str(v) for v in ranked["estimated"]]
    back = pd.read_csv(io.BytesIO(export.to_csv_bytes(ranked)))
    assert back["centroid_lon"].dtype.kind == "f"
    assert back["rank"].tolist() == ranked["rank"].tolist()


def test_geojson_and_gpkg_keep_text_exact(ranked: gpd.GeoDataFrame, tmp_path) -> None:  # type: ignore[no-untyped-def]
    geojson = tmp_path / "c.geojson"
    geojson.write_bytes(export.to_geojson_bytes(ranked))
    gpkg = tmp_path / "c.gpkg"
    gpkg.write_bytes(export.to_gpkg_bytes(ranked))
    for back in (gpd.read_file(geojson), gpd.read_file(gpkg, layer=export.GPKG_LAYER)):
        assert back["name"].tolist() == NAMES
        assert back["method_1"].iloc[0] == "=cmd|' /C calc'!A0"
        assert back["centroid_lon"].tolist() == pytest.approx(ranked["centroid_lon"].tolist())
