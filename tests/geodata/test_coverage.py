"""Tests of geodata.coverage: the graphs' coverage areas in the committed snapshot and
clear errors for a missing or damaged ``extra["coverage_area"]`` (hand-made manifests)."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from pyproj import Transformer

from geodata.catalog import GRAPHS
from geodata.coverage import COVERAGE_KEY, coverage_area, coverage_entry
from geodata.io import LayerManifest, SnapshotError, load_graph, load_layer, load_manifest

_TO_LAMBERT = Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)


def _lambert(lon: float, lat: float) -> shapely.Point:
    return shapely.Point(*_TO_LAMBERT.transform(lon, lat))


def _municipality(nis: str) -> shapely.Geometry:
    frame = load_layer("municipalities").to_crs("EPSG:31370")
    return frame.loc[frame["nis"].astype(str) == nis, "geometry"].iloc[0]


@pytest.mark.parametrize("mode", GRAPHS)
def test_snapshot_graphs_have_a_valid_coverage_area(mode: str) -> None:
    area = coverage_area(load_manifest(f"graph:{mode}"))
    assert area.is_valid and not area.is_empty
    assert shapely.get_num_coordinates(area) <= 800
    entry = load_manifest(f"graph:{mode}").extra[COVERAGE_KEY]
    assert entry["crs"] == "EPSG:31370" and "m grid" in entry["method"]


@pytest.mark.parametrize("mode", ["walk", "bike", "car"])
def test_street_graph_coverage_holds_every_node_and_leuven(mode: str) -> None:
    area = coverage_area(load_manifest(f"graph:{mode}"))
    graph = load_graph(mode)
    assert shapely.contains_xy(area, graph["node_x"], graph["node_y"]).all()
    leuven = _municipality("24062")
    # the MATSim network is Leuven municipality: the area covers nearly all of it ...
    assert area.intersection(leuven).area / leuven.area > 0.97
    # ... and only a fringe of a neighbour (Bierbeek, east of Heverlee)
    bierbeek = _municipality("24011")
    assert area.intersection(bierbeek).area / bierbeek.area < 0.15
    facts = load_manifest(f"graph:{mode}").extra["coverage_municipalities"]
    assert facts["covered"] == ["Leuven"] and "Bierbeek" not in facts["covered"]
    assert facts["region_municipalities"] == 60
    assert area.contains(_lambert(4.7159, 50.8812))  # Leuven station
    assert not area.contains(_lambert(4.3572, 50.8453))  # Brussels-Central


def test_strategic_coverage_reaches_beyond_leuven() -> None:
    area = coverage_area(load_manifest("graph:strategic_car"))
    walk = coverage_area(load_manifest("graph:walk"))
    assert area.area > 3 * walk.area


def _manifest(extra: dict[str, object]) -> LayerManifest:
    return LayerManifest(
        "graph:walk", "T", "src", "https://x", "CC0", "2024", "hand-made", extra=extra
    )


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (None, "is missing"),
        ("POLYGON ((0 0, 1 0, 1 1, 0 0))", "not an object with a 'wkt' text"),
        ({"crs": "EPSG:4326", "wkt": "POLYGON ((0 0, 1 0, 1 1, 0 0))"}, "crs 'EPSG:4326'"),
        ({"crs": "EPSG:31370", "wkt": "POLYGON ((0 0, 1 0"}, "unreadable WKT"),
        ({"crs": "EPSG:31370", "wkt": "LINESTRING (0 0, 1 1)"}, "LineString, not a polygon"),
        ({"crs": "EPSG:31370", "wkt": "POLYGON EMPTY"}, "empty polygon"),
        ({"crs": "EPSG:31370", "wkt": "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))"}, "invalid polygon"),
    ],
)
def test_bad_coverage_entry_is_a_snapshot_error(entry: object, problem: str) -> None:
    extra = {} if entry is None else {COVERAGE_KEY: entry}
    with pytest.raises(SnapshotError, match=problem) as caught:
        coverage_area(_manifest(extra), Path("/snap"))
    assert caught.value.path == Path("/snap/graphs/walk.manifest.json")
    assert "coverage_area" in caught.value.problem


def test_coverage_entry_round_trips_on_whole_metres() -> None:
    square = shapely.box(170_000, 170_000, 170_050, 170_050)
    entry = coverage_entry(square, "hand-made square")
    assert entry["wkt"].startswith("POLYGON ((170050 170000")
    assert coverage_area(_manifest({COVERAGE_KEY: entry})).equals(square)
    with pytest.raises(ValueError, match="LineString"):
        coverage_entry(shapely.LineString([(0, 0), (1, 1)]), "a line")
