"""The planner's downloads and choropleth on a hand-made table with hostile names.

``_hand_table`` is a hand-made fixture (two invented neighbourhoods whose names start a
spreadsheet formula or carry HTML and JavaScript), placed on two real polygons of the
committed snapshot so the geometry round-trips are real.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from dashboard import maps
from dashboard.escaping import html_text
from dashboard.planner import export as pexport
from dashboard.planner import maps as pmaps
from dashboard.planner import service_gaps as sg
from geodata.io import load_layer

FORMULA = '=HYPERLINK("https://evil.example","x")'
HTML = '<img src=x onerror="alert(1)">'
TEMPLATE = "`${alert(2)}`</script>"
QUERY = sg.GapQuery("primary_schools", "walk", 15, "count")


@pytest.fixture(scope="module")
def polygons() -> gpd.GeoDataFrame:
    places = load_layer("neighbourhoods")
    return places.iloc[:2][["code", "geometry"]]


def _hand_table(codes: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": codes,
            "name": [FORMULA, HTML + TEMPLATE],
            "municipality": ["-1+1", "Leuven"],
            "population": [1200.0, np.nan],
            "value": [-3.0, np.nan],
            "nearest_minutes": [12.5, np.nan],
            "estimated": [True, False],
            "lower_bound": [False, True],
            "reason": pd.Series([None, sg.Reason.UNMAPPED], dtype=object),
            "detail": ["", "@SUM(1)"],
        }
    )


def test_csv_neutralises_formulas_and_keeps_numbers(polygons: gpd.GeoDataFrame) -> None:
    table = pexport.export_table(_hand_table(list(polygons["code"])), QUERY, "en")
    rows = list(csv.DictReader(io.StringIO(pexport.to_csv_bytes(table).decode("utf-8"))))
    assert rows[0]["name"] == "'" + FORMULA
    assert rows[0]["municipality"] == "'-1+1"
    assert rows[1]["detail"] == "'@SUM(1)"
    assert rows[0]["value"] == "-3.0"  # a number stays a number
    assert rows[0]["facility_layer"] == "primary_schools" and rows[0]["threshold_min"] == "15"
    assert rows[1]["missing_reason"] == "no facilities of this kind are mapped here"
    assert rows[0]["missing_reason"] == ""


def test_geojson_and_geopackage_round_trip(polygons: gpd.GeoDataFrame, tmp_path: Path) -> None:
    table = pexport.export_table(_hand_table(list(polygons["code"])), QUERY, "fr")
    parsed = json.loads(pexport.to_geojson_bytes(table, polygons))
    assert len(parsed["features"]) == 2
    assert parsed["features"][0]["properties"]["name"] == FORMULA  # exact, not quoted
    assert parsed["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    path = tmp_path / "gaps.gpkg"
    path.write_bytes(pexport.to_gpkg_bytes(table, polygons))
    back = gpd.read_file(path, layer=pexport.GPKG_LAYER)
    assert len(back) == 2 and back.crs.to_epsg() == 4326
    assert list(back["code"]) == list(polygons["code"])
    assert back.geometry.iloc[0].equals_exact(polygons.geometry.iloc[0], 1e-9)
    assert back["missing_reason"].iloc[1] == "aucun équipement de ce type n'est cartographié ici"


def _choropleth(polygons: gpd.GeoDataFrame) -> folium.Map:
    table = _hand_table(list(polygons["code"]))
    geometry = maps.display_geometry(polygons)
    geometry.index = pd.Index(polygons["code"])
    classes = pmaps.classes_for("count", table["value"].to_numpy(), str)
    popup = pd.DataFrame({"Name " + HTML: table["name"], "Why": ["", TEMPLATE]})
    fmap = pmaps.choropleth(
        table,
        geometry,
        classes=classes,
        popup=popup,
        layer_name=HTML,
        legend=pmaps.LegendTexts(TEMPLATE, "estimated", "bound", "missing " + HTML),
    )
    return fmap


def _rendered(polygons: gpd.GeoDataFrame) -> str:
    return _choropleth(polygons).get_root().render()


def test_map_escapes_every_name_from_data(polygons: gpd.GeoDataFrame) -> None:
    page = _rendered(polygons)
    scripts = "".join(re.findall(r"<script>(.*?)</script>", page, flags=re.S))
    # The names travel only inside double-quoted JSON strings, with "<" escaped: outside
    # them no trace of a payload (no template literal, no markup, no closed script).
    outside = re.sub(r'"(?:[^"\\]|\\.)*"', '""', scripts)
    assert "alert(" not in outside and "<img" not in scripts
    assert len(re.findall(r"</script>", page)) == page.count("<script")
    layer = next(c for c in _choropleth(polygons)._children.values() if hasattr(c, "data"))
    shown = [f["properties"]["f0"] for f in layer.data["features"]]
    assert shown[1] == html_text(HTML + TEMPLATE)  # the browser shows the name as text
    assert "openstreetmap.org/copyright" in page


def test_map_marks_missing_estimated_and_bounds(polygons: gpd.GeoDataFrame) -> None:
    page = _rendered(polygons)
    assert page.count(f'"_fill": "{maps.NO_DATA_COLOUR}"') == 1  # the missing value only
    assert page.count(f'"_dash": "{pmaps.DASH_ESTIMATED}"') == 1
    assert page.count(f'"_dash": "{pmaps.DASH_LOWER_BOUND}"') == 1


def test_classes_put_low_counts_and_long_times_in_red() -> None:
    counts = pmaps.classes_for("count", np.array([0.0, 3.0]), str)
    assert pmaps.fill_colour(0, counts) == pmaps.GOOD_TO_BAD[-1]
    assert pmaps.fill_colour(50, counts) == pmaps.GOOD_TO_BAD[0]
    times = pmaps.classes_for("nearest", np.array([4.0]), str)
    assert pmaps.fill_colour(4.0, times) == pmaps.GOOD_TO_BAD[0]
    assert pmaps.fill_colour(45.0, times) == pmaps.GOOD_TO_BAD[-1]
    assert pmaps.fill_colour(np.nan, times) == maps.NO_DATA_COLOUR
    fca = pmaps.classes_for("fca", np.array([0.0, 1.0, 2.0, 3.0, 40.0, np.nan]), str)
    assert pmaps.fill_colour(0.0, fca) == pmaps.GOOD_TO_BAD[-1]
    assert pmaps.fill_colour(40.0, fca) == pmaps.GOOD_TO_BAD[0]
