"""Tests of the ``bus_routes`` stage: OSM stop order joined to 2019 De Lijn trip counts."""

from __future__ import annotations

import math
import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
import pytest
from shapely.geometry import Point

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import transit as src
from etl.stages import bus_routes as stage
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bus_routes"
MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TUESDAY = date(2019, 9, 10)


def make_zip(target: Path, *, skip: tuple[str, ...] = (), **replace: str) -> Path:
    """Zip the fixture GTFS tables; ``replace`` swaps a table's text."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in sorted((FIXTURES / "delijn_gtfs").glob("*.txt")):
            if table.name not in skip:
                zf.writestr(table.name, replace.get(table.stem, table.read_text("utf-8")))
    return target


@pytest.fixture
def delijn(tmp_path: Path) -> Path:
    return make_zip(tmp_path / "delijn.zip")


@pytest.fixture
def osm_pbf(tmp_path: Path) -> Path:
    """Convert the XML fixture to PBF, the format of the mirror's extract."""
    target = tmp_path / "routes.osm.pbf"
    with osmium.SimpleWriter(str(target)) as writer:
        for obj in osmium.FileProcessor(str(FIXTURES / "leuven_routes.osm")):
            writer.add(obj)
    return target


@pytest.fixture
def bus_stops() -> gpd.GeoDataFrame:
    """The bus_stops layer rows of the four fixture stops (real ids, codes, positions)."""
    rows = [
        ("12231", "303058", "Leuven J.Stasstraat", 4.7076334799642794, 50.879940738245665),
        ("12232", "303059", "Leuven J.Stasstraat", 4.7085021976513017, 50.8802079072642),
        ("9855", "300595", "Korbeek-Lo Vlinderlaan", 4.7469965534474294, 50.8661740948982),
        ("11219", "302010", "Herent Diependaal", 4.6709114931448985, 50.885839462608381),
    ]
    return gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "stop_code": [r[1] for r in rows],
            "name": [r[2] for r in rows],
        },
        geometry=[Point(r[3], r[4]) for r in rows],
        crs="EPSG:4326",
    )


# --------------------------------------------------------------------------- sources


def test_trips_by_route_counts_directions_on_the_day(delijn: Path) -> None:
    counts = src.delijn_trips_by_route_on(delijn, TUESDAY)
    leuven3 = counts[counts["route_id"] == "48749"].set_index("direction_id")
    assert leuven3["trips"].to_dict() == {"0": 4, "1": 3}  # the Wednesday trip is not counted
    assert leuven3.loc["0", "headsign"] == "Leuven - Pellenberg - Lubbeek"
    assert set(counts["route_id"]) == {"46210", "48749", "48918", "48882"}
    assert counts.loc[counts["route_id"] == "48882", "route_desc"].item() == ""


def test_trips_by_route_outside_feed_validity(delijn: Path) -> None:
    with pytest.raises(SourceError, match="no trip runs on 2020-01-07"):
        src.delijn_trips_by_route_on(delijn, date(2020, 1, 7))


def test_trips_by_route_missing_column(tmp_path: Path) -> None:
    feed = make_zip(tmp_path / "f.zip", trips="route_id,trip_id\n48749,1\n")
    with pytest.raises(SourceError, match="service_id"):
        src.delijn_trips_by_route_on(feed, TUESDAY)


def test_trips_by_route_missing_calendar(tmp_path: Path) -> None:
    feed = make_zip(tmp_path / "f.zip", skip=("calendar_dates.txt",))
    with pytest.raises(SourceError, match="neither calendar"):
        src.delijn_trips_by_route_on(feed, TUESDAY)


def test_trips_by_route_corrupt_zip(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK not really a zip")
    with pytest.raises(SourceError, match="not a readable zip"):
        src.delijn_trips_by_route_on(bad, TUESDAY)


def test_osm_route_tags(osm_pbf: Path) -> None:
    tags = src.osm_bus_route_tags(osm_pbf)
    assert tags["relation_id"].tolist() == [10, 11, 12, 13]  # TEC relation 14 ignored
    first = tags.iloc[0]
    assert (first["line"], first["to"], first["via"]) == ("3", "Lubbeek Dorp", "Pellenberg Kliniek")
    assert tags.loc[tags["relation_id"] == 11, "via"].item() == ""


def test_osm_route_tags_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "none.osm"
    empty.write_text("<?xml version='1.0'?><osm version='0.6'></osm>", encoding="utf-8")
    with pytest.raises(SourceError, match="no De Lijn"):
        src.osm_bus_route_tags(empty)


def test_osm_route_tags_not_osm(tmp_path: Path) -> None:
    junk = tmp_path / "junk.osm.pbf"
    junk.write_bytes(b"\x00\x01 definitely not a pbf")
    with pytest.raises(SourceError):
        src.osm_bus_route_tags(junk)


# --------------------------------------------------------------------------- matching


def test_place_words_drop_generic_and_short_words() -> None:
    assert stage.place_words("Leuven Station Perron 11", "Terv. - Kessel-Lo") == {
        "leuven",
        "terv",
        "kessel-lo",
    }


def _relation(line: str, to: str, name: str = "") -> pd.Series:
    return pd.Series({"line": line, "name": name, "from": "Leuven Station", "to": to, "via": ""})


def test_relation_frequency_picks_the_leuven_route_and_its_direction(delijn: Path) -> None:
    counts = src.delijn_trips_by_route_on(delijn, TUESDAY)
    out = stage.relation_frequency(_relation("3", "Lubbeek Dorp"), counts)
    # Gent's line 3 (9 trips) and the night bus share the number but not a place.
    assert out == {"gtfs_route_ids": "48749", "trips_per_weekday": 4.0, "trips_basis": "direction"}
    back = stage.relation_frequency(_relation("3", "Leuven Gasthuisberg Campus"), counts)
    assert back["trips_per_weekday"] == 3.0


def test_relation_frequency_shares_when_no_headsign_names_the_end(delijn: Path) -> None:
    counts = src.delijn_trips_by_route_on(delijn, TUESDAY)
    out = stage.relation_frequency(_relation("601", "Heverlee Campus"), counts)
    assert out["trips_per_weekday"] == 1.0  # 2 trips shared over (at least) two directions
    assert out["trips_basis"] == stage.BASIS_SHARED


def test_relation_frequency_without_2019_route(delijn: Path) -> None:
    counts = src.delijn_trips_by_route_on(delijn, TUESDAY)
    out = stage.relation_frequency(_relation("32a", "Geel Station"), counts)
    assert out["trips_basis"] == stage.BASIS_NONE
    assert math.isnan(float(str(out["trips_per_weekday"])))


# --------------------------------------------------------------------------- the table


def test_build_bus_routes_by_hand(delijn: Path, osm_pbf: Path, bus_stops: gpd.GeoDataFrame) -> None:
    table, facts = stage.build_bus_routes(
        src.parse_osm_bus_routes(osm_pbf).members,
        src.osm_bus_route_tags(osm_pbf),
        src.delijn_trips_by_route_on(delijn, TUESDAY),
        bus_stops,
    )
    assert list(table.columns) == stage.COLUMNS
    rel10 = table[table["relation_id"] == 10]
    # Node 999 is missing from the extract (position 1); node 2 carries two codes: one kept.
    assert rel10["position"].tolist() == [0, 2, 3, 4]
    assert rel10["stop_code"].tolist() == ["303058", "300595", "302010", "399999"]
    assert rel10["stop_id"].tolist() == ["12231", "9855", "11219", ""]
    assert math.isnan(rel10["stop_lon"].iloc[3])
    assert rel10["stop_lat"].iloc[0] == pytest.approx(50.879940738245665)
    assert set(rel10["trips_per_weekday"]) == {4.0}
    assert set(rel10["headway_min"]) == {14 * 60 / 4}
    assert set(rel10["route_to"]) == {"Lubbeek Dorp"}
    rel11 = table[table["relation_id"] == 11]
    assert rel11["stop_code"].tolist() == ["302010", "303058"]
    assert set(rel11["headway_min"]) == {14 * 60 / 3}
    assert table.loc[table["relation_id"] == 12, "headway_min"].tolist() == [840.0, 840.0]
    assert table.loc[table["relation_id"] == 13, "headway_min"].isna().all()
    assert table[["relation_id", "position"]].duplicated().sum() == 0
    assert facts["second_stop_codes_dropped"] == 2  # node 2 is in relations 10 and 12
    assert facts["rows_without_feed_stop"] == 1
    assert facts["relations_with_frequency"] == 3


def test_stage_runs_and_second_run_is_unchanged(
    tmp_path: Path, delijn: Path, osm_pbf: Path, bus_stops: gpd.GeoDataFrame
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "transit").mkdir(parents=True)
    (raw / "osm").mkdir()
    (raw / src.DELIJN_GTFS).write_bytes(delijn.read_bytes())
    (raw / src.OSM_PBF).write_bytes(osm_pbf.read_bytes())
    save_layer(bus_stops, LayerManifest("bus_stops", "b", "s", "u", "l", "d", "c"), out)
    ctx = BuildContext(raw, out)
    [first] = run_pipeline(stage.STAGES, ctx)
    assert first.status == "built", first.message
    table = load_layer("bus_routes", out)
    assert len(table) == 9
    manifest = load_manifest("bus_routes", out)
    assert "ESTIMATE" in manifest.coverage and "central Leuven" in manifest.coverage
    assert manifest.extra["lines_without_2019_frequency"] == ["32a"]
    assert [r.status for r in run_pipeline(stage.STAGES, ctx)] == ["unchanged"]


def test_stage_fails_cleanly_on_a_broken_feed(
    tmp_path: Path, osm_pbf: Path, bus_stops: gpd.GeoDataFrame
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    (raw / "transit").mkdir(parents=True)
    (raw / "osm").mkdir()
    (raw / src.DELIJN_GTFS).write_bytes(b"truncated")
    (raw / src.OSM_PBF).write_bytes(osm_pbf.read_bytes())
    save_layer(bus_stops, LayerManifest("bus_stops", "b", "s", "u", "l", "d", "c"), out)
    [result] = run_pipeline(stage.STAGES, BuildContext(raw, out))
    assert result.status == "failed"
    assert "zip" in result.message


@pytest.mark.slow
def test_full_mirror(tmp_path: Path) -> None:
    """On the real mirror: most relations get a 2019 frequency; line 3 towards Lubbeek."""
    if not (MIRROR / src.DELIJN_GTFS).is_file():
        pytest.skip("mirror not available")
    pbf = MIRROR / src.OSM_PBF
    stops = src.parse_delijn_stops(MIRROR / src.DELIJN_GTFS)
    bus_stops = gpd.GeoDataFrame(
        stops.rename(columns={"stop_id": "id"}),
        geometry=gpd.points_from_xy(stops["lon"], stops["lat"]),
        crs="EPSG:4326",
    )
    table, facts = stage.build_bus_routes(
        src.parse_osm_bus_routes(pbf).members,
        src.osm_bus_route_tags(pbf),
        src.delijn_trips_by_route_on(MIRROR / src.DELIJN_GTFS, stage.SERVICE_DAY),
        bus_stops,
    )
    assert facts["relations_with_frequency"] >= 90
    line3 = table[(table["line"] == "3") & (table["route_to"] == "Lubbeek Dorp")]
    assert set(line3["trips_per_weekday"]) == {64.0}
