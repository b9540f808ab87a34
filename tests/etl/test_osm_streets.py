"""Tests of etl.sources.osm_streets: OSM tags -> modes, PBF -> links -> graphs.

The rule tests read a tiny PBF written in the test with osmium's writer (hand-made, one
way per rule, nodes 0.001 degree of longitude apart near Leuven); the last tests read the
mirror's real PBF of central Leuven and compare its graphs with the MATSim graphs of the
committed snapshot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import osmium
import pandas as pd
import pytest
from pyproj import Geod, Transformer
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from etl.errors import SourceError
from etl.sources import osm_streets as streets
from etl.sources.boundaries import MUNICIPALITIES, parse_municipalities
from etl.stages import graphs as stage
from etl.transform import graphs as tg
from geodata.io import load_graph

MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CORE_PBF = MIRROR / "osm" / "leuven_core_2024-06.osm.pbf"
LON0, LAT0 = 4.70, 50.88
STEP = 0.001  # degrees of longitude between neighbouring nodes (about 70 m here)

#: Hand-made ways, one rule each: way id -> (tags, number of nodes).  Every way has its
#: own nodes (way id * 10 + 0, 1, ...) on its own row of latitude, so links never mix.
HAND_MADE_WAYS: dict[int, dict[str, str]] = {
    1: {"highway": "residential", "maxspeed": "50"},
    2: {"highway": "residential", "oneway": "yes"},
    3: {"highway": "residential", "oneway": "yes", "oneway:bicycle": "no"},
    4: {"highway": "residential", "oneway": "-1"},
    5: {"highway": "tertiary", "junction": "roundabout"},
    6: {"highway": "footway"},
    7: {"highway": "footway", "bicycle": "yes"},
    8: {"highway": "residential", "foot": "no"},
    9: {"highway": "service", "access": "no", "bicycle": "yes"},
    10: {"highway": "residential", "motor_vehicle": "no"},
    11: {"highway": "motorway"},
    12: {"highway": "trunk", "motorroad": "yes"},
    13: {"highway": "primary", "bicycle": "use_sidepath"},
    14: {"highway": "service", "access": "private"},
    15: {"highway": "construction"},
    16: {"highway": "pedestrian", "area": "yes"},
    17: {"highway": "residential", "oneway": "yes", "cycleway": "opposite"},
    18: {"highway": "residential", "motor_vehicle": "no", "motorcar": "yes"},
    19: {"highway": "cycleway", "oneway": "yes"},
    20: {"highway": "residential"},  # its middle node is missing from the file
}
MISSING_NODE = 201


def _node_ids(way: int) -> list[int]:
    return [way * 10, way * 10 + 1, way * 10 + 2]


def _write_hand_made_pbf(path: Path) -> Path:
    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", "2024-06-24T10:37:07Z")
    with osmium.SimpleWriter(str(path), header=header) as writer:
        for way in HAND_MADE_WAYS:
            for k, node in enumerate(_node_ids(way)):
                if node != MISSING_NODE:
                    location = (LON0 + k * STEP, LAT0 + way * STEP)
                    writer.add_node(osmium.osm.mutable.Node(id=node, location=location))
        for way, tags in HAND_MADE_WAYS.items():
            writer.add_way(osmium.osm.mutable.Way(id=way, nodes=_node_ids(way), tags=tags))
    return path


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> streets.StreetNetwork:
    pbf = _write_hand_made_pbf(tmp_path_factory.mktemp("streets") / "hand_made.osm.pbf")
    return streets.streets_from_pbf(pbf)


def _pairs(edges: pd.DataFrame, way: int) -> set[tuple[int, int]]:
    """(from, to) node pairs of ``edges`` between the nodes of hand-made ``way``."""
    ids = set(_node_ids(way))
    mine = edges[edges["from_id"].isin(ids) & edges["to_id"].isin(ids)]
    return set(zip(mine["from_id"] - way * 10, mine["to_id"] - way * 10, strict=True))


ALONG = {(0, 1), (1, 2)}
AGAINST = {(1, 0), (2, 1)}
BOTH = ALONG | AGAINST


@pytest.fixture(scope="module")
def edges(network: streets.StreetNetwork) -> dict[str, pd.DataFrame]:
    links = network.links
    return {
        "walk": tg.walk_edges(links),
        "bike": tg.bike_edges(links),
        "car": tg.car_edges(links, network.ways),
    }


@pytest.mark.parametrize(
    ("way", "walk", "bike", "car"),
    [
        (1, BOTH, BOTH, BOTH),  # class default: everyone, both ways
        (2, BOTH, ALONG, ALONG),  # oneway: bike and car along; walking ignores it
        (3, BOTH, BOTH, ALONG),  # oneway:bicycle=no: contraflow cycling
        (4, BOTH, AGAINST, AGAINST),  # oneway=-1
        (5, BOTH, ALONG, ALONG),  # roundabout: implied oneway
        (6, BOTH, set(), set()),  # footway: walk only
        (7, BOTH, BOTH, set()),  # footway + bicycle=yes
        (8, set(), BOTH, BOTH),  # foot=no beats the walkable class
        (9, set(), BOTH, set()),  # access=no, bicycle=yes
        (10, BOTH, BOTH, set()),  # motor_vehicle=no
        (11, set(), set(), ALONG),  # motorway: car only, implied oneway
        (12, set(), set(), BOTH),  # motorroad=yes: no walk, no bike
        (13, BOTH, set(), BOTH),  # bicycle=use_sidepath
        (14, set(), set(), set()),  # access=private: nobody
        (15, set(), set(), set()),  # construction: not a road yet
        (16, set(), set(), set()),  # pedestrian area: an outline, not a path
        (17, BOTH, BOTH, ALONG),  # cycleway=opposite: contraflow cycling (older tag)
        (18, BOTH, BOTH, BOTH),  # motorcar=yes beats motor_vehicle=no
        (19, BOTH, ALONG, set()),  # one-way cycleway, walkable both ways
    ],
)
def test_tag_rule(
    edges: dict[str, pd.DataFrame],
    way: int,
    walk: set[tuple[int, int]],
    bike: set[tuple[int, int]],
    car: set[tuple[int, int]],
) -> None:
    assert _pairs(edges["walk"], way) == walk
    assert _pairs(edges["bike"], way) == bike
    assert _pairs(edges["car"], way) == car


def test_segment_with_a_missing_node_is_dropped(edges: dict[str, pd.DataFrame]) -> None:
    # way 20 is 200 - 201 - 202 and node 201 is not in the file: no segment survives
    assert _pairs(edges["walk"], 20) == set()


def test_links_have_the_matsim_shape(network: streets.StreetNetwork) -> None:
    links = network.links.set_index("link_id")
    assert list(network.links.columns) == list(streets.LINK_COLUMNS)
    assert links.loc["2_1", ["way_id", "reverse", "from_id", "to_id", "modes"]].tolist() == [
        2,
        False,
        21,
        22,
        "bike,car,walk",
    ]
    assert links.loc["2_r_1", ["reverse", "from_id", "to_id", "modes"]].tolist() == [
        True,
        22,
        21,
        "walk",
    ]
    assert links.loc["8_0", "walk_forbidden"] and not links.loc["1_0", "walk_forbidden"]
    assert network.osm_base == "2024-06-24T10:37:07Z"
    nodes = network.nodes.set_index("node_id")
    assert nodes.loc[10, ["lon", "lat"]].tolist() == pytest.approx([LON0, LAT0 + STEP])
    assert MISSING_NODE not in nodes.index and 140 not in nodes.index  # private way unused


def test_length_is_the_distance_between_the_nodes(network: streets.StreetNetwork) -> None:
    # geodesic distance of 0.001 degree of longitude at this latitude (about 70 m)
    _, _, expected = Geod(ellps="GRS80").inv(LON0, LAT0 + STEP, LON0 + STEP, LAT0 + STEP)
    link = network.links.set_index("link_id").loc["1_0"]
    assert link["length_m"] == pytest.approx(expected, rel=2e-4)  # Lambert 72 scale error


def test_car_speed_comes_from_the_ways_maxspeed(edges: dict[str, pd.DataFrame]) -> None:
    car = edges["car"]
    tagged = car[car["from_id"] == 10].iloc[0]  # way 1, maxspeed=50
    untagged = car[car["from_id"] == 180].iloc[0]  # way 18, residential: class 30 km/h
    assert (tagged["speed_kmh"], tagged["speed_source"]) == (50.0, "maxspeed")
    assert (untagged["speed_kmh"], untagged["speed_source"]) == (30.0, "class")
    assert tagged["time_s"] == pytest.approx(tagged["length_m"] / (50 / 3.6))


def test_way_access_by_hand() -> None:
    access = streets.way_access({"highway": "residential", "oneway": "yes"})
    assert access == streets.WayAccess(
        frozenset({"walk", "bike", "car"}), frozenset({"walk"}), walk_forbidden=False
    )
    assert streets.way_access({"highway": "bridleway"}) is None
    assert streets.way_access({"building": "yes"}) is None


def test_pbf_without_streets_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no_streets.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(LON0, LAT0), tags={"shop": "x"}))
    with pytest.raises(SourceError, match="no highway way"):
        streets.streets_from_pbf(path)


def test_truncated_pbf_is_refused(tmp_path: Path, network: streets.StreetNetwork) -> None:
    path = _write_hand_made_pbf(tmp_path / "whole.osm.pbf")
    cut = tmp_path / "cut.osm.pbf"
    cut.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(SourceError, match="not a readable OSM PBF"):
        streets.streets_from_pbf(cut)


# --------------------------------------------------------------------------- real PBF


def needs_mirror(test: Any) -> Any:
    """Mark a test that reads the mirror (slow; skipped when the mirror is absent)."""
    skip = pytest.mark.skipif(not CORE_PBF.exists(), reason="shared data mirror missing")
    return pytest.mark.slow(skip(test))


_TO_LAMBERT = Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)
#: Known places of central Leuven (lon, lat).
PLACES = {
    "station": (4.7159, 50.8812),
    "grote_markt": (4.7011, 50.8789),
    "naamsepoort": (4.7050, 50.8700),
    "kessel_lo_station": (4.7195, 50.8870),
    "sint_jacob": (4.6950, 50.8790),
    "vaartkom": (4.7040, 50.8900),
}
#: Walk and bike times on the PBF graphs may differ from the MATSim graphs' by 10 %: both
#: are OSM with the same rules, two years apart.  Car times by 25 %: the PBF has 2024
#: maxspeed tags, the MATSim graph those of 2021.  Grote Markt is not a car pair: it is
#: car-free, so the two graphs snap it to different one-way streets.
WALK_BIKE_RATIO = (0.9, 1.1)
CAR_RATIO = (0.8, 1.25)
PAIRS = [
    ("station", "grote_markt"),
    ("station", "naamsepoort"),
    ("grote_markt", "kessel_lo_station"),
    ("sint_jacob", "vaartkom"),
]


@pytest.fixture(scope="module")
def core_graphs() -> dict[str, dict[str, np.ndarray]]:
    source = stage.pbf_street_source(CORE_PBF, "central Leuven")
    municipalities = parse_municipalities(MIRROR / MUNICIPALITIES)
    outputs = stage.street_outputs(source, municipalities)
    return {o.manifest.name.split(":")[1]: o.arrays for o in outputs if o.arrays is not None}


def _time_s(arrays: dict[str, np.ndarray], start: str, end: str) -> float:
    n = len(arrays["node_x"])
    weights = arrays["edge_time_s"].astype(np.float64)
    graph = csr_matrix((weights, (arrays["edge_from"], arrays["edge_to"])), shape=(n, n))

    def nearest(place: str) -> int:
        x, y = _TO_LAMBERT.transform(*PLACES[place])
        return int(np.argmin(np.hypot(arrays["node_x"] - x, arrays["node_y"] - y)))

    return float(dijkstra(graph, indices=nearest(start))[nearest(end)])


@needs_mirror
def test_real_pbf_counts_are_sane(core_graphs: dict[str, dict[str, np.ndarray]]) -> None:
    # the extract is about 5.6 x 3.5 km of central Leuven; the MATSim walk graph of the
    # whole municipality (57 km²) has 55,799 nodes
    nodes = {mode: len(arrays["node_x"]) for mode, arrays in core_graphs.items()}
    assert 15_000 < nodes["walk"] < 55_799
    assert nodes["car"] < nodes["bike"] < nodes["walk"]
    for arrays in core_graphs.values():
        assert len(arrays["edge_from"]) > len(arrays["node_x"])  # streets have two directions
        assert (arrays["edge_time_s"] > 0).all()


@needs_mirror
@pytest.mark.parametrize("mode", ["walk", "bike"])
@pytest.mark.parametrize(("start", "end"), PAIRS)
def test_real_pbf_walk_and_bike_times_match_matsim(
    core_graphs: dict[str, dict[str, np.ndarray]], mode: str, start: str, end: str
) -> None:
    ratio = _time_s(core_graphs[mode], start, end) / _time_s(load_graph(mode), start, end)
    assert WALK_BIKE_RATIO[0] < ratio < WALK_BIKE_RATIO[1]


@needs_mirror
@pytest.mark.parametrize(("start", "end"), PAIRS[1:])
def test_real_pbf_car_times_match_matsim(
    core_graphs: dict[str, dict[str, np.ndarray]], start: str, end: str
) -> None:
    ratio = _time_s(core_graphs["car"], start, end) / _time_s(load_graph("car"), start, end)
    assert CAR_RATIO[0] < ratio < CAR_RATIO[1]


def test_pbf_outside_the_region_is_refused(tmp_path: Path) -> None:
    # hand-made: a street in Ghent (lon 3.72), far outside the Leuven region
    path = tmp_path / "ghent.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(3.720, 51.05)))
        writer.add_node(osmium.osm.mutable.Node(id=2, location=(3.721, 51.05)))
        writer.add_way(osmium.osm.mutable.Way(id=1, nodes=[1, 2], tags={"highway": "residential"}))
    with pytest.raises(SourceError, match="2 of 2 street nodes lie outside the Leuven region"):
        stage.pbf_street_source(path, "hand-made Ghent")
