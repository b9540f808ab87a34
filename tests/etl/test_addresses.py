"""Tests of the OSM address and workplace readers and the ``addresses`` stage."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
import pytest
from shapely.geometry import Point, box

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import addresses as src
from etl.stages import addresses as stage
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "addresses"
MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CRS = "EPSG:4326"


# --------------------------------------------------------------------------- fixtures


def to_pbf(xml: Path, target: Path) -> Path:
    """Convert OSM XML to PBF, the format of the mirror's extract."""
    with osmium.SimpleWriter(str(target)) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)
    return target


@pytest.fixture
def pbf(tmp_path: Path) -> Path:
    return to_pbf(FIXTURES / "leuven_addresses.osm", tmp_path / "leuven.osm.pbf")


@pytest.fixture
def deel() -> gpd.GeoDataFrame:
    """Two test areas stacked north-south, and Haasrode far south of the extract."""
    return gpd.GeoDataFrame(
        {
            "code": ["24062A", "24062-Z", "24086D"],
            "name": ["Leuven (Dg.)", "Heverlee (Leuven)", "Haasrode (Oud-Heverlee)"],
        },
        geometry=[
            box(4.69, 50.87, 4.72, 50.89),
            box(4.69, 50.85, 4.72, 50.87),
            box(4.70, 50.80, 4.74, 50.84),
        ],
        crs=CRS,
    )


@pytest.fixture
def wijken() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"code": ["240629", "2406219"], "name": ["Centrum", "Heverlee Centrum"]},
        geometry=[box(4.69, 50.87, 4.72, 50.89), box(4.69, 50.85, 4.72, 50.87)],
        crs=CRS,
    )


@pytest.fixture
def schools() -> gpd.GeoDataFrame:
    """One school address of its own, one with the label of OSM node 1."""
    return gpd.GeoDataFrame(
        {
            "id": ["501", "502"],
            "name": ["School A", "School B"],
            "street": ["Schoolstraat", "Bondgenotenlaan"],
            "housenumber": ["3", "10"],
            "postcode": ["3001", "3000"],
            "town": ["Leuven", "Leuven"],
        },
        geometry=[Point(4.705, 50.855), Point(4.7001, 50.8801)],
        crs=CRS,
    )


@pytest.fixture
def stations() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["8833001", "8833126", "8833308", "8822004"],
            "name_nl": ["Leuven", "Heverlee", "Tienen", "Mechelen"],
            "trains_per_weekday": [583, 62, 124, 566],
            "nis": ["24062", "24062", "24107", "12025"],
        },
        geometry=[
            Point(4.7159, 50.8823),
            Point(4.6952, 50.8625),
            Point(4.9377, 50.8083),
            Point(4.4828, 51.0177),
        ],
        crs=CRS,
    )


# --------------------------------------------------------------------------- sources


def test_parse_osm_addresses(pbf: Path) -> None:
    rows = src.parse_osm_addresses(pbf).set_index("id")
    assert list(rows.columns) == src.OSM_ADDRESS_COLUMNS[1:]
    # node 11 has no housenumber; every other address object is read
    assert len(rows) == 12
    assert "osm:node/11" not in rows.index
    node5 = rows.loc["osm:node/5"]
    assert [node5[c] for c in ("street", "housenumber", "postcode", "town")] == [
        "Naamsestraat",
        "5",
        "",
        "",
    ]
    way = rows.loc["osm:way/100"]
    assert way["lon"] == pytest.approx(4.7055) and way["lat"] == pytest.approx(50.8755)
    assert rows.loc["osm:node/3", "town"] == "leuven"  # spelling is unified by the stage


def test_find_workplaces(pbf: Path) -> None:
    matches, missing = src.find_workplaces(pbf)
    found = {m.slug: m for m in matches}
    assert sorted(found) == [
        "flanders-make",
        "imec",
        "ku-leuven-campus-arenberg-iii",
        "uz-leuven-gasthuisberg",
        "vlaams-administratief-centrum",
    ]
    assert found["uz-leuven-gasthuisberg"].feature.osm_key == "way/200"
    assert found["uz-leuven-gasthuisberg"].name == "UZ Leuven Gasthuisberg"
    # area beats node, both counted; the KU Leuven prefix comes from the operator tag
    campus = found["ku-leuven-campus-arenberg-iii"]
    assert (campus.feature.osm_key, campus.candidates) == ("way/201", 2)
    assert campus.name == "KU Leuven Campus Arenberg III"
    assert campus.rule.kind == "campus"
    assert found["vlaams-administratief-centrum"].feature.osm_key == "way/203"
    assert found["imec"].feature.osm_key == "way/202"
    assert found["flanders-make"].rule.kind == "research"
    missing_slugs = {r.slug for r in missing}
    assert "researchpark-haasrode" in missing_slugs
    assert "heilig-hart-ziekenhuis" in missing_slugs


def test_rule_matching_and_slugs() -> None:
    imec = next(r for r in src.WORKPLACE_RULES if r.slug == "imec")
    assert imec.matches({"building": "yes", "name": "IMEC"})
    assert not imec.matches({"name": "IMEC"})  # no building
    assert not imec.matches({"building": "yes", "name": "imec employee entrance"})
    assert src.slugify("Campus Sint Rafaël / UZ") == "campus-sint-rafael-uz"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "not found"),
        (b"", "empty"),
        (b"\x00\x00\x00\x0dnot a pbf block", "not a readable OSM PBF"),
    ],
)
def test_bad_files(tmp_path: Path, content: bytes | None, problem: str) -> None:
    path = tmp_path / "bad.osm.pbf"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=problem):
        src.parse_osm_addresses(path)
    with pytest.raises(SourceError, match=problem):
        src.find_workplaces(path)


def test_no_addresses_and_outside_region(tmp_path: Path) -> None:
    path = tmp_path / "x.osm.pbf"
    with osmium.SimpleWriter(str(path)) as writer:
        writer.add_node(osmium.osm.mutable.Node(id=1, location=(4.70, 50.88), tags={"a": "b"}))
    with pytest.raises(SourceError, match="no object with addr:street"):
        src.parse_osm_addresses(path)
    far = tmp_path / "far.osm.pbf"
    with osmium.SimpleWriter(str(far)) as writer:
        tags = {"addr:street": "Rue", "addr:housenumber": "1", "amenity": "townhall"}
        writer.add_node(osmium.osm.mutable.Node(id=2, location=(3.0, 50.88), tags=tags))
    with pytest.raises(SourceError, match="outside the region"):
        src.parse_osm_addresses(far)
    townhall = osmium.osm.mutable.Node(
        id=3, location=(3.0, 50.88), tags={"amenity": "townhall", "name": "Stadhuis Gent"}
    )
    with osmium.SimpleWriter(str(far), overwrite=True) as writer:
        writer.add_node(townhall)
    with pytest.raises(SourceError, match="outside the region"):
        src.find_workplaces(far)


# --------------------------------------------------------------------------- transforms


EXPECTED_ADDRESSES = [
    ("Bondgenotenlaan 10, 3000 Leuven", "osm:node/1", False),
    ("Bondgenotenlaan 12, 3000 Leuven", "osm:node/2", False),
    ("Bondgenotenlaan 14, 3000 Leuven", "osm:node/3", False),
    ("Bondgenotenlaan 16, 3000 Leuven", "osm:node/4", True),
    ("Celestijnenlaan 200, 3001 Heverlee", "osm:node/6", False),
    ("Kapeldreef 75, 3001 Heverlee", "osm:node/7", True),
    ("Mgr. Ladeuzeplein 21, 3000 Leuven", "osm:node/9", False),
    ("Naamsestraat 5, 3000 Leuven", "osm:node/5", True),
    ("Schoolstraat 3, 3001 Leuven", "school:501", False),
    ("Tiensestraat 1, 3000 Leuven", "osm:node/8", False),
    ("Verre straat 1", "osm:node/12", False),
]


def test_build_addresses(
    pbf: Path, schools: gpd.GeoDataFrame, deel: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame
) -> None:
    layer, counts = stage.build_addresses(src.parse_osm_addresses(pbf), schools, deel, wijken)
    assert list(layer.columns) == stage.ADDRESS_COLUMNS
    got = list(zip(layer["label"], layer["id"], layer["postcode_inferred"], strict=True))
    assert got == EXPECTED_ADDRESSES
    # way/100 (same label as node 8), node 10 (as node 9), school 502 (as node 1)
    assert counts["duplicate_labels_dropped"] == 3
    assert counts["postcode_or_town_inferred"] == 3
    assert counts["tagged_postcodes_equal_to_deelgemeente_majority"] == 1.0
    by_id = layer.set_index("id")
    assert by_id.loc["school:501", "source"] == "schools"
    assert by_id.loc["osm:node/3", "town"] == "Leuven"  # 'leuven' takes the usual spelling
    assert by_id.loc["osm:node/12", ["postcode", "town"]].tolist() == ["", ""]
    assert layer.crs.to_epsg() == 4326
    assert by_id.loc["osm:node/7"].geometry.distance(Point(4.71, 50.861)) < 1e-9


def test_street_postcode_needs_three_neighbours(
    deel: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame
) -> None:
    """A street's tagged postcode wins over its area's only with 3 tagged neighbours."""
    rows = [("Oudebaan", str(n), "3000", "Leuven", 4.70 + n / 10000, 50.86) for n in (1, 3)]
    rows += [("Andere", str(n), "3001", "Heverlee", 4.71, 50.855 + n / 10000) for n in (1, 2, 3, 4)]
    rows += [("Oudebaan", "5", "", "", 4.7005, 50.86)]
    osm = pd.DataFrame(rows, columns=src.OSM_ADDRESS_COLUMNS[1:])
    osm.insert(0, "id", [f"osm:node/{i}" for i in range(len(osm))])
    filled, agreement = stage.complete_osm_addresses(osm, deel, wijken)
    # two 3000 neighbours are not enough: the area's majority (3001) applies
    assert filled.iloc[-1][["postcode", "town"]].tolist() == ["3001", "Heverlee"]
    assert agreement == pytest.approx(4 / 6)
    third = osm.iloc[:1].assign(id="osm:node/9", housenumber="7")
    more = pd.concat([third, osm], ignore_index=True)
    filled, _ = stage.complete_osm_addresses(more, deel, wijken)
    assert filled.iloc[-1][["postcode", "town"]].tolist() == ["3000", "Leuven"]


def test_id_sort_key_is_natural() -> None:
    ids = pd.Series(["school:2", "osm:way/3", "osm:node/10", "osm:node/9"])
    assert list(ids.iloc[stage.id_sort_key(ids).argsort()]) == [
        "osm:node/9",
        "osm:node/10",
        "osm:way/3",
        "school:2",
    ]


def test_build_workplaces(pbf: Path, stations: gpd.GeoDataFrame, deel: gpd.GeoDataFrame) -> None:
    matches, missing = src.find_workplaces(pbf)
    layer = stage.build_workplaces(matches, stations)
    assert list(layer.columns) == stage.WORKPLACE_COLUMNS
    assert list(layer["id"]) == [
        "flanders-make",
        "imec",
        "ku-leuven-campus-arenberg-iii",
        "station-heverlee",
        "station-leuven",
        "station-mechelen",
        "uz-leuven-gasthuisberg",
        "vlaams-administratief-centrum",
    ]
    by_id = layer.set_index("id")
    assert by_id.loc["station-leuven", "source"] == "NMBS GTFS stop 8833001"
    assert by_id.loc["station-leuven", "kind"] == "station"
    assert by_id.loc["uz-leuven-gasthuisberg", "source"] == "OpenStreetMap way/200"
    assert by_id.loc["uz-leuven-gasthuisberg"].geometry.distance(Point(4.696, 50.88)) < 1e-9
    reasons = stage.missing_reasons(missing, deel)
    assert (
        "Haasrode (Oud-Heverlee) (lat 50.800-50.840) lies outside"
        in reasons["researchpark-haasrode"]
    )
    assert "lies" not in reasons["heilig-hart-ziekenhuis"]


# --------------------------------------------------------------------------- stage


def _prepare(
    tmp_path: Path,
    pbf: Path,
    layers: dict[str, gpd.GeoDataFrame],
) -> BuildContext:
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES / "places", raw)
    (raw / "osm").mkdir(parents=True)
    (raw / src.OSM_PBF).write_bytes(pbf.read_bytes())
    out = tmp_path / "out"
    for name, frame in layers.items():
        save_layer(frame, LayerManifest(name, "t", "s", "u", "l", "d", "c"), out)
    return BuildContext(raw, out)


def test_stage_builds_then_is_unchanged(
    tmp_path: Path,
    pbf: Path,
    deel: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
) -> None:
    layers = {"deelgemeenten": deel, "wijken": wijken, "schools": schools, "stations": stations}
    ctx = _prepare(tmp_path, pbf, layers)
    first = run_pipeline(stage.STAGES, ctx)
    # 11 street addresses + 9 places of the hand-made place sources (see the README).
    assert [(r.status, r.message) for r in first] == [("built", "addresses=20, workplaces=8")]
    assert [r.status for r in run_pipeline(stage.STAGES, ctx)] == ["unchanged"]
    addresses = load_layer("addresses", ctx.out_dir)
    streets = addresses[addresses["kind"] == "address"]
    assert list(streets["id"]) == [e[1] for e in EXPECTED_ADDRESSES]
    assert sorted(addresses.loc[addresses["kind"] != "address", "id"]) == [
        "deelgemeente:24062-Z",
        "deelgemeente:24062A",
        "deelgemeente:24999A",
        "municipality:21004",
        "municipality:24062",
        "station:8813003",
        "station:8833001",
        "workplace:eurocontrol-test",
        "workplace:imec-test",
    ]
    manifest = load_manifest("workplaces", ctx.out_dir)
    assert "researchpark-haasrode" in manifest.extra["not_found"]
    assert manifest.extra["osm_candidates_per_preset"]["vlaams-administratief-centrum"] == 2
    assert "OpenStreetMap contributors" in manifest.licence
    assert "Onderwijs Vlaanderen" in load_manifest("addresses", ctx.out_dir).licence


def test_stage_fails_cleanly_on_corrupt_pbf(
    tmp_path: Path,
    pbf: Path,
    deel: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
) -> None:
    layers = {"deelgemeenten": deel, "wijken": wijken, "schools": schools, "stations": stations}
    ctx = _prepare(tmp_path, pbf, layers)
    (ctx.source_dir / src.OSM_PBF).write_bytes(b"\x00\x00\x00\x0dtruncated")
    [result] = run_pipeline(stage.STAGES, ctx)
    assert result.status == "failed"
    assert "leuven_core_2024-06.osm.pbf" in result.message


# --------------------------------------------------------------------------- full mirror


@pytest.mark.slow
def test_full_mirror() -> None:
    path = MIRROR / src.OSM_PBF
    if not path.exists():
        pytest.skip("the shared data mirror is not available")
    assert len(src.parse_osm_addresses(path)) > 19000
    matches, missing = src.find_workplaces(path)
    found = {m.slug: m.feature.osm_key for m in matches}
    assert found["uz-leuven-gasthuisberg"] == "way/1218298644"
    assert found["imec"] == "way/37342567"
    assert "ku-leuven-campus-arenberg-iii" in found
    assert [r.slug for r in missing] == ["researchpark-haasrode"]
