"""Tests of the street graphs: MATSim/Overpass/strategic parsers, access rules, speeds,
SCC pruning, compaction and the ``graphs`` stage, on hand-made fixtures."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import osm
from etl.sources.boundaries import MUNICIPALITIES, parse_municipalities
from etl.stages import graphs as stage
from etl.transform import graphs as tg
from geodata.coverage import coverage_area
from geodata.io import load_graph, load_manifest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "graphs"
MATSIM_XML = FIXTURES / "matsim_network.xml"
MATSIM_GZ = FIXTURES / "hand_made_matsim_network.xml.gz"
OVERPASS_JSON = FIXTURES / "hand_made_overpass_drive.json"
#: Two hand-made square "municipalities" (Leuven, Herent), see tests/fixtures/boundaries.
HAND_MADE_MUNICIPALITIES = FIXTURES.parent / "boundaries" / "municipalities.geojson"


def mirror_layout(root: Path) -> Path:
    """Lay the hand-made fixtures out under ``root`` with the mirror's file names."""
    shutil.copytree(FIXTURES / "strategic_network", root / "strategic_network")
    (root / "osm").mkdir(parents=True)
    shutil.copy(MATSIM_GZ, root / osm.MATSIM_NETWORK)
    shutil.copy(OVERPASS_JSON, root / osm.OVERPASS_DRIVE)
    (root / "boundaries").mkdir()
    shutil.copy(HAND_MADE_MUNICIPALITIES, root / MUNICIPALITIES)
    return root


MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="module")
def network() -> osm.MatsimNetwork:
    return osm.parse_matsim_network(MATSIM_GZ)


@pytest.fixture(scope="module")
def ways() -> osm.OverpassWays:
    return osm.parse_overpass_ways(OVERPASS_JSON)


def _pairs(edges: pd.DataFrame) -> set[tuple[int, int]]:
    return set(zip(edges["from_id"], edges["to_id"], strict=True))


def _write_gz(path: Path, text: str) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


# --------------------------------------------------------------------------- parsers


def test_gz_fixture_matches_readable_xml(network: osm.MatsimNetwork) -> None:
    gz_text = gzip.decompress(MATSIM_GZ.read_bytes()).decode()
    assert gz_text == MATSIM_XML.read_text(encoding="utf-8")
    plain = osm.parse_matsim_network(MATSIM_XML)
    pd.testing.assert_frame_equal(plain.links, network.links)


def test_parse_matsim_nodes_and_links(network: osm.MatsimNetwork) -> None:
    assert network.nodes["node_id"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert network.nodes.loc[0, ["x", "y"]].tolist() == [173000.0, 174000.0]
    assert network.nodes["lon"].between(4.69, 4.73).all()
    assert network.nodes["lat"].between(50.87, 50.89).all()
    links = network.links.set_index("link_id")
    assert len(links) == 13
    assert links.loc["11_r_0", ["way_id", "reverse", "from_id", "to_id"]].tolist() == [
        11,
        True,
        3,
        2,
    ]
    assert not links.loc["11_0", "reverse"]
    assert links.loc["15_0", "highway"] == "NA"
    assert links.loc["12_0", "modes"] == "bike,walk"
    assert links.loc["14_0", "length_m"] == 150.0


def test_truncated_gzip_is_refused(tmp_path: Path) -> None:
    data = MATSIM_GZ.read_bytes()
    bad = tmp_path / "net.xml.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="truncated or corrupt gzip"):
        osm.parse_matsim_network(bad)


def test_bad_xml_is_refused(tmp_path: Path) -> None:
    text = MATSIM_XML.read_text(encoding="utf-8").replace("</nodes>", "</nodez>")
    with pytest.raises(SourceError, match="malformed XML"):
        osm.parse_matsim_network(_write_gz(tmp_path / "net.xml.gz", text))


def test_missing_link_attribute_is_refused(tmp_path: Path) -> None:
    text = MATSIM_XML.read_text(encoding="utf-8").replace('from="1" to="2"', 'from="1"', 1)
    with pytest.raises(SourceError, match=r"link '10_0' lacks attribute\(s\) to"):
        osm.parse_matsim_network(_write_gz(tmp_path / "net.xml.gz", text))


def test_missing_node_coordinate_is_refused(tmp_path: Path) -> None:
    text = MATSIM_XML.read_text(encoding="utf-8").replace('y="174000.0"', "", 1)
    with pytest.raises(SourceError, match="lacks attribute 'id', 'x' or 'y'"):
        osm.parse_matsim_network(_write_gz(tmp_path / "net.xml.gz", text))


def test_unknown_node_in_link_is_refused(tmp_path: Path) -> None:
    text = MATSIM_XML.read_text(encoding="utf-8").replace('to="7"', 'to="99"')
    with pytest.raises(SourceError, match=r"unknown nodes, e\.g\. 17_0"):
        osm.parse_matsim_network(_write_gz(tmp_path / "net.xml.gz", text))


def test_nodes_outside_region_are_refused(tmp_path: Path) -> None:
    # WGS84 degrees written where Lambert-72 metres belong: the classic CRS mix-up
    text = MATSIM_XML.read_text(encoding="utf-8").replace(
        'x="173000.0" y="174000.0"', 'x="4.7" y="50.88"'
    )
    with pytest.raises(SourceError, match="outside the region box"):
        osm.parse_matsim_network(_write_gz(tmp_path / "net.xml.gz", text))


def test_network_without_links_is_refused(tmp_path: Path) -> None:
    text = MATSIM_XML.read_text(encoding="utf-8")
    text = text[: text.index("\t<links")] + "</network>\n"
    with pytest.raises(SourceError, match="no nodes or no links"):
        osm.parse_matsim_network(_write_gz(tmp_path / "net.xml.gz", text))


def test_parse_overpass_ways(ways: osm.OverpassWays) -> None:
    assert ways.osm_base == "2021-03-31T21:26:57Z"
    frame = ways.ways.set_index("way_id")
    assert frame.index.tolist() == [10, 11, 13, 14]
    assert frame.loc[11, ["highway", "maxspeed", "oneway"]].tolist() == ["tertiary", "50", "yes"]
    assert pd.isna(frame.loc[10, "maxspeed"])
    assert frame.loc[14, "zone_traffic"] == "BE:rural"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not valid JSON"),
        ('{"version": 0.6}', "no 'elements' list"),
        ('{"elements": [{"type": "node", "id": 1, "lat": 50.88, "lon": 4.7}]}', "no ways"),
        ('{"elements": [{"type": "way", "id": 5}]}', "lacks an integer 'id' or 'tags'"),
        (
            '{"elements": [{"type": "node", "id": 1, "lat": 40.0, "lon": 4.7},'
            ' {"type": "way", "id": 5, "tags": {}}]}',
            "outside the region box",
        ),
    ],
)
def test_bad_overpass_is_refused(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "overpass.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SourceError, match=problem):
        osm.parse_overpass_ways(path)


def test_parse_strategic_network() -> None:
    nodes = osm.parse_strategic_nodes(FIXTURES / osm.STRATEGIC_NODES)
    links = osm.parse_strategic_links(FIXTURES / osm.STRATEGIC_LINKS)
    assert nodes["node"].tolist() == [1, 2, 3, 4, 5, 6]
    assert nodes["is_zone_centroid"].tolist() == [True, True, False, False, False, False]
    assert links.loc[0, ["from_node", "to_node", "link_type"]].tolist() == [1, 3, 15]
    assert links["is_connector"].sum() == 4
    assert links.loc[2, "free_flow_time_s"] == 72.0


def test_strategic_missing_column_and_bad_bool(tmp_path: Path) -> None:
    links = pd.read_csv(FIXTURES / osm.STRATEGIC_LINKS)
    links.drop(columns="free_flow_time_s").to_csv(tmp_path / "l.csv", index=False)
    with pytest.raises(SourceError, match=r"missing column.*free_flow_time_s"):
        osm.parse_strategic_links(tmp_path / "l.csv")
    nodes = pd.read_csv(FIXTURES / osm.STRATEGIC_NODES, dtype=str)
    nodes.loc[0, "is_zone_centroid"] = "maybe"
    nodes.to_csv(tmp_path / "n.csv", index=False)
    with pytest.raises(SourceError, match="not true/false"):
        osm.parse_strategic_nodes(tmp_path / "n.csv")


def test_strategic_negative_time_is_refused(tmp_path: Path) -> None:
    links = pd.read_csv(FIXTURES / osm.STRATEGIC_LINKS)
    links.loc[3, "free_flow_time_s"] = -1.0
    links.to_csv(tmp_path / "l.csv", index=False)
    with pytest.raises(SourceError, match="missing or negative"):
        osm.parse_strategic_links(tmp_path / "l.csv")


def test_live_sources_are_documented() -> None:
    names = {s.name: s for s in osm.LIVE_SOURCES}
    overpass = names["osm_drive_overpass"]
    assert overpass.url.startswith("https://overpass-api.de/api/interpreter?data=")
    assert overpass.raw_file == osm.OVERPASS_DRIVE
    assert "ref%3AINS" in overpass.url
    assert names["osm_matsim_network"].raw_file == osm.MATSIM_NETWORK


# --------------------------------------------------------------------------- rules


def test_walk_ignores_oneway_and_excludes_motorway_and_rail(network: osm.MatsimNetwork) -> None:
    edges = tg.walk_edges(network.links)
    pairs = _pairs(edges)
    # residential without the (broken) walk mode, one-way tertiary both ways, cycleway both
    assert {(1, 2), (2, 1), (2, 3), (3, 2), (3, 1), (1, 3), (4, 7), (7, 4)} <= pairs
    assert (4, 1) not in pairs and (1, 4) not in pairs  # motorway
    assert (2, 5) not in pairs and (5, 2) not in pairs  # rail, modes "pt"


def test_bike_and_car_respect_oneway(network: osm.MatsimNetwork, ways: osm.OverpassWays) -> None:
    bike = _pairs(tg.bike_edges(network.links))
    assert (4, 7) in bike and (7, 4) not in bike
    assert (3, 2) in bike  # contraflow cycling where MATSim has the reverse bike link
    car = _pairs(tg.car_edges(network.links, ways.ways))
    assert car == {(1, 2), (2, 1), (2, 3), (3, 1), (4, 1)}


def test_car_speeds_by_hand(network: osm.MatsimNetwork, ways: osm.OverpassWays) -> None:
    car = tg.car_edges(network.links, ways.ways).set_index(["from_id", "to_id"])
    assert car.loc[(1, 2), "time_s"] == pytest.approx(100 / (30 / 3.6))  # residential class
    assert car.loc[(2, 3), "time_s"] == pytest.approx(7.2)  # maxspeed 50
    assert car.loc[(3, 1), "time_s"] == pytest.approx(150 / (70 / 3.6))  # maxspeed 70
    assert car.loc[(4, 1), "time_s"] == pytest.approx(6.0)  # motorway maxspeed 120
    assert car.loc[(1, 2), "speed_source"] == "class"
    assert car.loc[(2, 3), "speed_source"] == "maxspeed"
    assert not car["against_oneway"].any()


def test_car_rural_zone_and_directional_maxspeed() -> None:
    links = pd.DataFrame(
        {
            "way_id": [1, 1, 2],
            "reverse": [False, True, False],
            "from_id": [10, 11, 12],
            "to_id": [11, 10, 13],
            "length_m": [1000.0, 1000.0, 700.0],
            "modes": ["car", "bike,car", "car"],
            "highway": ["secondary", "secondary", "unclassified"],
        }
    )
    ways = pd.DataFrame(
        {
            "way_id": [1, 2],
            "highway": ["secondary", "unclassified"],
            "maxspeed": ["50", None],
            "maxspeed_forward": [None, None],
            "maxspeed_backward": ["30", None],
            "oneway": [None, "yes"],
            "zone_traffic": [None, "BE-VLG:rural"],
        }
    )
    car = tg.car_edges(links, ways)
    assert car["speed_kmh"].tolist() == [50.0, 30.0, 70.0]
    assert car["time_s"].tolist() == pytest.approx([72.0, 120.0, 36.0])
    assert car["speed_source"].tolist() == ["maxspeed", "maxspeed", "rural_zone"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("50", 50.0),
        (" 30 ", 30.0),
        ("30 mph", 30 * 1.609344),
        ("50;30", 30.0),
        ("BE:urban", 50.0),
        ("BE-VLG:rural", 70.0),
        ("BE:zone30", 30.0),
        ("none", None),
        ("signals", None),
        (None, None),
        ("", None),
    ],
)
def test_parse_maxspeed(value: object, expected: float | None) -> None:
    assert tg.parse_maxspeed(value) == (pytest.approx(expected) if expected else None)


def test_merge_parallel_edges_keeps_fastest_and_drops_loops() -> None:
    edges = pd.DataFrame(
        {
            "from_id": [1, 1, 2, 3],
            "to_id": [2, 2, 2, 1],
            "length_m": [100.0, 90.0, 5.0, 10.0],
            "time_s": [10.0, 12.0, 1.0, 2.0],
        }
    )
    merged = tg.merge_parallel_edges(edges)
    assert merged[["from_id", "to_id", "time_s"]].values.tolist() == [[1, 2, 10.0], [3, 1, 2.0]]


def test_largest_scc_prunes_dead_ends() -> None:
    # 0 <-> 1 <-> 2 is strongly connected; 3 is only reachable, 4 only reaches
    keep, sizes = tg.largest_scc(np.array([0, 1, 1, 2, 2, 4]), np.array([1, 0, 2, 1, 3, 0]), 6)
    assert keep.tolist() == [True, True, True, False, False, False]
    assert sizes == [3, 1, 1]  # node 5 has no edge and is not counted


# --------------------------------------------------------------------------- stage


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mirror_layout(tmp_path_factory.mktemp("graphs_raw"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, source: Path) -> Path:
    out = tmp_path_factory.mktemp("graphs_out")
    results = run_pipeline(stage.STAGES, BuildContext(source, out))
    assert [r.status for r in results] == ["built"], results
    return out


def test_walk_graph_by_hand(built: Path) -> None:
    g = load_graph("walk", built)
    assert g["node_osm_id"].tolist() == [1, 2, 3, 4, 6, 7]
    pairs = list(zip(g["edge_from"].tolist(), g["edge_to"].tolist(), strict=True))
    assert pairs == [
        (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (2, 3), (3, 2), (3, 4), (3, 5),
        (4, 3), (5, 3),
    ]  # fmt: skip
    expected_s = [75, 112.5, 75, 75, 112.5, 75, 60, 60, 15, 37.5, 15, 37.5]
    assert g["edge_time_s"].tolist() == pytest.approx(expected_s)
    names = g["highway_names"][g["edge_highway"]].tolist()
    assert names[:2] == ["residential", "primary"] and names[8] == "steps"
    assert g["edge_from"].dtype == np.int32 and g["edge_time_s"].dtype == np.float32
    assert g["node_x"][0] == 173000.0


def test_bike_graph_by_hand(built: Path) -> None:
    g = load_graph("bike", built)
    assert g["node_osm_id"].tolist() == [1, 2, 3, 4]  # 7 behind a one-way cycleway: pruned
    pairs = list(zip(g["edge_from"].tolist(), g["edge_to"].tolist(), strict=True))
    assert pairs == [(0, 1), (1, 0), (1, 2), (2, 1), (2, 3), (3, 2)]
    assert g["edge_time_s"].tolist() == pytest.approx([24, 24, 24, 24, 28.8, 28.8])
    extra = load_manifest("graph:bike", built).extra
    assert extra["connectivity"]["nodes_dropped"] == 1
    assert extra["connectivity"]["scc_largest_sizes"] == [4, 1]


def test_car_graph_by_hand(built: Path) -> None:
    g = load_graph("car", built)
    assert g["node_osm_id"].tolist() == [1, 2, 3]  # 4 only leaves by the motorway: pruned
    pairs = list(zip(g["edge_from"].tolist(), g["edge_to"].tolist(), strict=True))
    assert pairs == [(0, 1), (1, 0), (1, 2), (2, 0)]
    assert g["edge_time_s"].tolist() == pytest.approx([12.0, 12.0, 7.2, 150 / (70 / 3.6)])
    manifest = load_manifest("graph:car", built)
    assert manifest.extra["share_edges_with_osm_maxspeed"] == 0.5
    assert manifest.data_date.endswith("2021-03-31 (maxspeed tags)")
    assert "ODbL" in manifest.licence


def test_strategic_graph_by_hand(built: Path) -> None:
    g = load_graph("strategic_car", built)
    assert g["node_id"].tolist() == [1, 2, 3, 4, 5]
    assert g["node_is_zone_centroid"].tolist() == [True, True, False, False, False]
    pairs = list(zip(g["edge_from"].tolist(), g["edge_to"].tolist(), strict=True))
    assert pairs == [(0, 2), (1, 4), (2, 0), (2, 3), (3, 2), (3, 4), (4, 1), (4, 3)]
    assert g["edge_time_s"].tolist() == pytest.approx([3, 3, 3, 72, 72, 41.1, 3, 41.1])
    assert g["edge_is_connector"].tolist() == [True, True, True, False, False, False, True, False]
    assert g["edge_link_type"].tolist() == [15, 15, 15, 7, 7, 3, 15, 3]
    extra = load_manifest("graph:strategic_car", built).extra
    assert extra["zone_centroids_dropped"] == 0 and extra["connectivity"]["nodes_dropped"] == 1


def test_detour_factor_by_hand() -> None:
    # A(0,0) - B(1000,0) - C(1000,1000): A->C is 2000 m on the network, 1414 m straight
    arrays = {
        "node_x": np.array([0.0, 1000.0, 1000.0]),
        "node_y": np.array([0.0, 0.0, 1000.0]),
        "edge_from": np.array([0, 1, 1, 2], dtype=np.int32),
        "edge_to": np.array([1, 0, 2, 1], dtype=np.int32),
        "edge_length_m": np.array([1000.0, 1000.0, 1000.0, 1000.0], dtype=np.float32),
    }
    result = tg.detour_factor(arrays, n_sources=3, targets_per_source=2)
    assert result["pairs"] == 6
    assert result["median"] == 1.0
    assert result["mean"] == pytest.approx((4 + 2 * 2 / np.sqrt(2)) / 6, abs=1e-3)


def test_detour_factor_follows_one_way_streets() -> None:
    """HAND-MADE one-way square of 1000 m sides: A->B is 1000 m, B->A 3000 m (round the
    square), A->C 2000 m against 1414 m straight; the measurement follows the directions."""
    arrays = {
        "node_x": np.array([0.0, 1000.0, 1000.0, 0.0]),
        "node_y": np.array([0.0, 0.0, 1000.0, 1000.0]),
        "edge_from": np.array([0, 1, 2, 3], dtype=np.int32),
        "edge_to": np.array([1, 2, 3, 0], dtype=np.int32),
        "edge_length_m": np.full(4, 1000.0, dtype=np.float32),
    }
    result = tg.detour_factor(arrays, n_sources=4, targets_per_source=3)
    # from every corner: the next one 1.0, the opposite one sqrt(2), the previous one 3.0
    assert result["pairs"] == 12
    assert result["mean"] == pytest.approx((1 + np.sqrt(2) + 3) / 3, abs=1e-3)
    assert result["p90"] == 3.0


def test_car_manifest_records_its_measured_detour_factor(built: Path) -> None:
    """The car graph's manifest measures its detour factor as walk and bike do (the engine
    reads it; there is no typed fallback)."""
    for mode in ("walk", "bike", "car"):
        recorded = load_manifest(f"graph:{mode}", built).extra["detour_factor"]
        assert recorded == tg.detour_factor(load_graph(mode, built))


def test_second_run_is_unchanged(built: Path, source: Path) -> None:
    results = run_pipeline(stage.STAGES, BuildContext(source, built))
    assert [r.status for r in results] == ["unchanged"]


def test_failed_build_keeps_previous_graphs(built: Path, tmp_path: Path) -> None:
    source = mirror_layout(tmp_path / "src")
    broken = source / osm.OVERPASS_DRIVE
    broken.write_text(json.dumps({"version": 0.6}), encoding="utf-8")
    before = (built / "graphs" / "car.npz").read_bytes()
    results = run_pipeline(stage.STAGES, BuildContext(source, built))
    assert results[0].status == "failed" and "no 'elements' list" in results[0].message
    assert (built / "graphs" / "car.npz").read_bytes() == before


@pytest.mark.slow
def test_full_mirror(tmp_path: Path) -> None:
    if not (MIRROR / osm.MATSIM_NETWORK).exists():
        pytest.skip("shared data mirror not available")
    results = run_pipeline(stage.STAGES, BuildContext(MIRROR, tmp_path))
    assert [r.status for r in results] == ["built"], results
    for mode in ("walk", "bike", "car", "strategic_car"):
        g = load_graph(mode, tmp_path)
        assert (tmp_path / "graphs" / f"{mode}.npz").stat().st_size < 3_000_000
        assert g["edge_from"].max() < len(g["node_lon"])
    walk = load_manifest("graph:walk", tmp_path).extra
    assert walk["nodes"] > 50_000
    assert 1.0 < walk["detour_factor"]["median"] < 2.0
    car = load_manifest("graph:car", tmp_path).extra["detour_factor"]
    assert car["pairs"] == 500 and 1.0 < car["median"] < 2.0


# --------------------------------------------------------------------------- coverage


def _ring_graph(side_m: float) -> dict[str, np.ndarray]:
    """Hand-made square of four edges, ``side_m`` long, with its lower left at (170000, 170000)."""
    x = 170_000 + np.array([0.0, side_m, side_m, 0.0])
    y = 170_000 + np.array([0.0, 0.0, side_m, side_m])
    return {
        "node_x": x,
        "node_y": y,
        "edge_from": np.array([0, 1, 2, 3], dtype=np.int32),
        "edge_to": np.array([1, 2, 3, 0], dtype=np.int32),
    }


def test_coverage_polygon_reaches_the_radius_around_an_edge() -> None:
    # hand-made: one 1,000 m edge; covered within 200 m (+ up to one 50 m cell), not beyond
    arrays = {
        "node_x": np.array([170_000.0, 171_000.0]),
        "node_y": np.array([170_010.0, 170_010.0]),
        "edge_from": np.array([0], dtype=np.int32),
        "edge_to": np.array([1], dtype=np.int32),
    }
    area, method = tg.coverage_polygon(arrays)
    assert area.contains(shapely.Point(170_500, 170_010 + 190))
    assert area.contains(shapely.Point(171_190, 170_010))
    assert not area.contains(shapely.Point(170_500, 170_010 + 300))
    assert not area.contains(shapely.Point(171_300, 170_010))
    stadium_m2 = 1000 * 400 + np.pi * 200**2  # exact 200 m buffer of the edge
    assert area.area == pytest.approx(stadium_m2, rel=0.15)
    assert "200 m" in method and "50 m grid" in method


def test_coverage_polygon_fills_small_holes_only() -> None:
    # inside a 1 km square the uncovered pocket is ~0.36 km²: filled;
    # inside a 2.5 km square it is ~4.4 km²: kept as a hole
    small, small_method = tg.coverage_polygon(_ring_graph(1000))
    assert small.contains(shapely.Point(170_500, 170_500))
    assert "1 hole(s)" in small_method
    large, large_method = tg.coverage_polygon(_ring_graph(2500))
    assert not large.contains(shapely.Point(171_250, 171_250))
    assert large.contains(shapely.Point(171_250, 170_100))
    assert "0 hole(s)" in large_method


def test_coverage_polygon_honours_edge_mask() -> None:
    arrays = _ring_graph(1000)
    area, _ = tg.coverage_polygon(arrays, edge_mask=np.array([True, False, False, False]))
    assert not area.contains(shapely.Point(170_500, 171_000))  # top edge left out
    with pytest.raises(ValueError, match="no edges"):
        tg.coverage_polygon(arrays, edge_mask=np.zeros(4, dtype=bool))


def test_coverage_polygon_is_simplified_to_the_vertex_limit() -> None:
    # hand-made zig-zag of 399 edges: its outline needs more than the 50 m tolerance,
    # so the tolerance is doubled until the vertex limit holds
    rng = np.random.default_rng(7)
    arrays = {
        "node_x": 170_000 + np.cumsum(rng.uniform(50, 400, 400)),
        "node_y": 170_000 + rng.uniform(-3000, 3000, 400),
        "edge_from": np.arange(399, dtype=np.int32),
        "edge_to": np.arange(1, 400, dtype=np.int32),
    }
    area, method = tg.coverage_polygon(arrays)
    assert shapely.get_num_coordinates(area) <= tg.COVERAGE_MAX_VERTICES
    assert area.is_valid
    assert "with a 50 m tolerance" not in method and "m tolerance" in method


def test_every_graph_manifest_has_its_coverage_area(built: Path) -> None:
    for mode in ("walk", "bike", "car", "strategic_car"):
        manifest = load_manifest(f"graph:{mode}", built)
        area = coverage_area(manifest, built)
        g = load_graph(mode, built)
        assert shapely.contains_xy(area, g["node_x"], g["node_y"]).all(), mode
        assert manifest.extra["coverage_area"]["method"].startswith("every edge")
    # the strategic graph's connectors (to the zone centroids) do not count as roads
    strategic = load_manifest("graph:strategic_car", built).extra["coverage_area"]
    assert "except the zone connectors" in strategic["method"]


def test_coverage_statement_counts_municipalities_from_the_area() -> None:
    # hand-made squares: "Leuven" lon 4.6-4.7, "Herent" lon 4.7-4.8 (lat 50.8-50.9)
    municipalities = parse_municipalities(HAND_MADE_MUNICIPALITIES)
    leuven = municipalities.to_crs("EPSG:31370").set_index("name").geometry["Leuven"]
    facts = stage.municipalities_covered(leuven.buffer(-10), municipalities)
    assert (facts["covered"], facts["partly"], facts["not_covered"]) == (["Leuven"], [], ["Herent"])
    assert facts["region_municipalities"] == 2
    assert facts["area_km2"] == pytest.approx(leuven.area / 1e6, rel=0.01)
    text = stage.coverage_statement(facts)
    assert "at least 90% of 1 of the 2 region municipalities (Leuven)" in text
    assert "part of 0 more, none of 1 (Herent)" in text
    half = stage.municipalities_covered(leuven.buffer(-2000), municipalities)
    assert (half["covered"], half["partly"]) == ([], ["Leuven"])


def test_manifest_coverage_text_is_measured(built: Path) -> None:
    for mode in ("walk", "bike", "car"):
        coverage = load_manifest(f"graph:{mode}", built).coverage
        assert coverage.startswith("Leuven municipality: ")
        assert "of the 2 region municipalities" in coverage  # the hand-made boundaries
        facts = load_manifest(f"graph:{mode}", built).extra["coverage_municipalities"]
        assert facts["region_municipalities"] == 2
    strategic = load_manifest("graph:strategic_car", built).coverage
    assert "of the 2 region municipalities" in strategic


def test_coverage_polygon_with_hundreds_of_holes_ends() -> None:
    # hand-made 18 x 18 grid of 2.5 km blocks: 289 holes of ~4.4 km² stay holes, and
    # every ring keeps 4+ vertices, so the limit cannot be met: the tolerance stops at
    # the 200 m reach instead of doubling forever
    side, count = 2500.0, 19
    xs, ys = np.meshgrid(np.arange(count) * side, np.arange(count) * side)
    index = np.arange(count * count).reshape(count, count)
    right = np.stack([index[:, :-1].ravel(), index[:, 1:].ravel()], axis=1)
    up = np.stack([index[:-1, :].ravel(), index[1:, :].ravel()], axis=1)
    pairs = np.concatenate([right, up])
    arrays = {
        "node_x": 150_000 + xs.ravel(),
        "node_y": 150_000 + ys.ravel(),
        "edge_from": pairs[:, 0].astype(np.int32),
        "edge_to": pairs[:, 1].astype(np.int32),
    }
    area, method = tg.coverage_polygon(arrays)
    assert shapely.get_num_interior_rings(area) == 18 * 18
    assert shapely.get_num_coordinates(area) > tg.COVERAGE_MAX_VERTICES
    assert "with a 200 m tolerance" in method
    assert not area.contains(shapely.Point(150_000 + side / 2, 150_000 + side / 2))
