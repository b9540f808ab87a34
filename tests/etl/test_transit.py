"""Tests of the transit sources (GTFS, iRail, OSM routes) and the ``transit`` stage."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
import pytest
from shapely.geometry import Point, box

from etl.errors import SourceError
from etl.pipeline import BuildContext, run_pipeline
from etl.sources import transit as src
from etl.stages import transit as stage
from geodata.io import LayerManifest, load_layer, load_manifest, save_layer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transit"
MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
TUESDAY = date(2019, 10, 15)


# --------------------------------------------------------------------------- helpers


def make_zip(folder: Path, target: Path, *, skip: tuple[str, ...] = (), **replace: str) -> Path:
    """Zip the GTFS tables of a fixture folder; ``replace`` swaps a table's text."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for table in sorted(folder.glob("*.txt")):
            if table.name in skip:
                continue
            text = replace.get(table.stem, table.read_text(encoding="utf-8"))
            zf.writestr(table.name, text)
    return target


@pytest.fixture
def nmbs(tmp_path: Path) -> Path:
    return make_zip(FIXTURES / "nmbs_gtfs", tmp_path / "nmbs.zip")


@pytest.fixture
def delijn(tmp_path: Path) -> Path:
    return make_zip(FIXTURES / "delijn_gtfs", tmp_path / "delijn.zip")


@pytest.fixture
def osm_pbf(tmp_path: Path) -> Path:
    """Convert the XML fixture to PBF, the format of the mirror's extract."""
    target = tmp_path / "routes.osm.pbf"
    with osmium.SimpleWriter(str(target)) as writer:
        for obj in osmium.FileProcessor(str(FIXTURES / "leuven_bus_routes.osm")):
            writer.add(obj)
    return target


@pytest.fixture
def region() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Two hand-made municipalities side by side and one wijk covering Leuven's box."""
    munis = gpd.GeoDataFrame(
        {"nis": ["24038", "24062"], "name": ["Herent", "Leuven"]},
        geometry=[box(4.60, 50.80, 4.69, 50.95), box(4.69, 50.80, 4.80, 50.95)],
        crs="EPSG:4326",
    )
    wijken = gpd.GeoDataFrame(
        {"code": ["240620"], "name": ["Leuven-Centrum"]},
        geometry=[box(4.69, 50.80, 4.80, 50.95)],
        crs="EPSG:4326",
    )
    return munis, wijken


# --------------------------------------------------------------------------- GTFS basics


def test_read_gtfs_table_strips_padding(nmbs: Path) -> None:
    stops = src.read_gtfs_table(nmbs, "stops.txt", ("stop_id", "stop_name"))
    assert "8833001_4" in set(stops["stop_id"])
    assert stops.loc[stops["stop_id"] == "8833001_4", "platform_code"].item() == "4"


def test_read_gtfs_table_missing_table(tmp_path: Path) -> None:
    feed = make_zip(FIXTURES / "nmbs_gtfs", tmp_path / "f.zip", skip=("stops.txt",))
    with pytest.raises(SourceError, match=r"stops\.txt is missing"):
        src.read_gtfs_table(feed, "stops.txt", ("stop_id",))


def test_read_gtfs_table_missing_column(nmbs: Path) -> None:
    with pytest.raises(SourceError, match="'wheelchair_boarding'") as err:
        src.read_gtfs_table(nmbs, "stops.txt", ("stop_id", "wheelchair_boarding"))
    assert "stops.txt" in str(err.value)


def test_read_gtfs_table_header_only(tmp_path: Path) -> None:
    feed = make_zip(FIXTURES / "nmbs_gtfs", tmp_path / "f.zip", routes="route_id,route_type\n")
    with pytest.raises(SourceError, match="no rows"):
        src.read_gtfs_table(feed, "routes.txt", ("route_id",))
    assert src.read_gtfs_table(feed, "routes.txt", ("route_id",), allow_empty=True).empty


def test_corrupt_zip_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"this is not a zip file at all")
    with pytest.raises(SourceError, match="not a readable zip") as err:
        src.read_gtfs_table(bad, "stops.txt", ("stop_id",))
    assert err.value.path == bad


def test_truncated_zip(nmbs: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.zip"
    cut.write_bytes(nmbs.read_bytes()[: nmbs.stat().st_size // 2])
    with pytest.raises(SourceError) as err:
        src.read_gtfs_table(cut, "stops.txt", ("stop_id",))
    assert err.value.path == cut


def test_damaged_member(tmp_path: Path) -> None:
    """A member whose bytes were altered fails its CRC check with a clear message."""
    feed = tmp_path / "f.zip"
    with zipfile.ZipFile(feed, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("stops.txt", "stop_id,stop_name\n1,Louvain\n")
    data = bytearray(feed.read_bytes())
    at = data.index(b"Louvain")
    data[at : at + 7] = b"Leuven!"
    feed.write_bytes(bytes(data))
    with pytest.raises(SourceError, match="truncated or corrupt"):
        src.read_gtfs_table(feed, "stops.txt", ("stop_id",))


def test_seconds_from_gtfs_time() -> None:
    secs = src.seconds_from_gtfs_time(pd.Series(["07:26:00", "25:00:30", "5:01:02"]), Path("x"))
    assert secs.tolist() == [26760, 90030, 18062]
    with pytest.raises(SourceError, match="not H:MM:SS"):
        src.seconds_from_gtfs_time(pd.Series(["7h26"]), Path("x"))


def test_service_ids_on(nmbs: Path, tmp_path: Path) -> None:
    # 000001 by exception, 000002 by weekday; 000003 runs on Tuesdays but is removed.
    assert src.service_ids_on(nmbs, TUESDAY) == {"000001", "000002"}
    assert src.service_ids_on(nmbs, date(2019, 10, 14)) == {"000001"}
    assert src.service_ids_on(nmbs, date(2020, 1, 7)) == set()
    bare = make_zip(
        FIXTURES / "nmbs_gtfs", tmp_path / "b.zip", skip=("calendar.txt", "calendar_dates.txt")
    )
    with pytest.raises(SourceError, match="neither calendar"):
        src.service_ids_on(bare, TUESDAY)


# --------------------------------------------------------------------------- NMBS


def test_parse_nmbs_stations(nmbs: Path) -> None:
    stations = src.parse_nmbs_stations(nmbs)
    assert stations["id"].tolist() == ["8811676", "8833001", "8833126", "8833175"]
    row = stations.set_index("id").loc["8833001"]
    assert row["name_fr"] == "Louvain"
    assert (row["lon"], row["lat"]) == (4.715868, 50.88228)


def test_parse_nmbs_stations_bad_coordinates(tmp_path: Path) -> None:
    text = (FIXTURES / "nmbs_gtfs" / "stops.txt").read_text(encoding="utf-8")
    feed = make_zip(
        FIXTURES / "nmbs_gtfs", tmp_path / "f.zip", stops=text.replace("50.8625300", "north")
    )
    with pytest.raises(SourceError, match="valid WGS84"):
        src.parse_nmbs_stations(feed)


def test_stops_outside_region_are_refused(tmp_path: Path) -> None:
    """Swapped lat/lon puts every stop far from the region: refuse the file."""
    header = "stop_id,stop_name,stop_lat,stop_lon,location_type\n"
    feed = make_zip(
        FIXTURES / "nmbs_gtfs", tmp_path / "f.zip", stops=header + "8833001,Louvain,4.7,50.9,0\n"
    )
    with pytest.raises(SourceError, match="no stop lies in the region"):
        src.parse_nmbs_stations(feed)


def test_read_translations_old_and_standard_format(nmbs: Path, tmp_path: Path) -> None:
    assert src.read_translations(nmbs, "nl") == {
        "Louvain": "Leuven",
        "Louvain-La-Neuve": "Louvain-La-Neuve",
    }
    standard = (
        "table_name,field_name,language,translation,record_id,field_value\n"
        "stops,stop_name,nl,Leuven,,Louvain\n"
        "stops,stop_name,de,Löwen,,Louvain\n"
        "routes,route_long_name,nl,Leuven -- Brussel,1,\n"
    )
    feed = make_zip(FIXTURES / "nmbs_gtfs", tmp_path / "f.zip", translations=standard)
    assert src.read_translations(feed, "nl") == {"Louvain": "Leuven"}
    none = make_zip(FIXTURES / "nmbs_gtfs", tmp_path / "n.zip", skip=("translations.txt",))
    assert src.read_translations(none, "nl") == {}


def test_rail_stop_times_on(nmbs: Path) -> None:
    calls = src.rail_stop_times_on(nmbs, TUESDAY)
    # T4 is cancelled, B1 is a bus, T2 passes Heverlee without stopping.
    got = list(zip(calls["trip_id"], calls["stop_id"], strict=True))
    assert got == [
        ("T1", "8811676"),
        ("T1", "8833126"),
        ("T1", "8833001"),
        ("T2", "8811676"),
        ("T2", "8833001"),
        ("T3", "8833001"),
        ("T3", "8833126"),
        ("T3", "8811676"),
    ]
    t2 = calls[calls["trip_id"] == "T2"]
    assert t2["arrival_s"].tolist() == [90000, 91560]
    assert t2["train"].tolist() == ["2003", "2003"]


def test_station_service(nmbs: Path) -> None:
    service = src.station_service(src.rail_stop_times_on(nmbs, TUESDAY))
    expected = pd.DataFrame(
        {
            "id": ["8811676", "8833001", "8833126"],
            "trains_per_weekday": [3, 3, 2],
            "routes": [2, 2, 2],
            "train_types": ["IC;S20", "IC;S20", "IC;S20"],
        }
    )
    pd.testing.assert_frame_equal(service, expected, check_dtype=False)


def test_rail_served_stop_ids_excludes_bus_only_stops(nmbs: Path) -> None:
    assert src.rail_served_stop_ids(nmbs) == {"8811676", "8833001", "8833126"}


def test_rail_timetable_on(nmbs: Path) -> None:
    table = src.rail_timetable_on(nmbs, TUESDAY)
    assert len(table) == 8
    leuven = table[(table["trip_id"] == "T1") & (table["stop_id"] == "8833001")].iloc[0]
    assert leuven["arrival_s"] == 7 * 3600 + 26 * 60
    assert leuven["min_transfer_s"] == 300
    assert leuven["stop_name"] == "Louvain"
    assert leuven["route_type"] == 103
    assert table.loc[table["stop_id"] == "8811676", "min_transfer_s"].isna().all()
    assert table.columns.is_unique


# --------------------------------------------------------------------------- iRail


def test_parse_irail_stations() -> None:
    stations = src.parse_irail_stations(FIXTURES / "irail_stations.csv").set_index("id")
    assert list(stations.index) == ["8015345", "8811676", "8833001", "8833126"]
    assert stations.loc["8833001", ["name_nl", "name_fr"]].tolist() == ["Leuven", "Louvain"]
    assert stations.loc["8833126", ["name_nl", "name_fr"]].tolist() == ["Heverlee", "Heverlee"]
    assert stations.loc["8015345", "name_nl"] == "Aken Hbf"


def test_parse_irail_stations_bad_uri(tmp_path: Path) -> None:
    text = (FIXTURES / "irail_stations.csv").read_text(encoding="utf-8")
    bad = tmp_path / "stations.csv"
    bad.write_text(text.replace("NMBS/008833001", "NMBS/leuven"), encoding="utf-8")
    with pytest.raises(SourceError, match="does not end in"):
        src.parse_irail_stations(bad)


def test_parse_irail_stations_missing_column(tmp_path: Path) -> None:
    frame = pd.read_csv(FIXTURES / "irail_stations.csv", dtype=str)
    bad = tmp_path / "stations.csv"
    frame.drop(columns="alternative-nl").to_csv(bad, index=False)
    with pytest.raises(SourceError, match="'alternative-nl'"):
        src.parse_irail_stations(bad)


# --------------------------------------------------------------------------- De Lijn


def test_parse_delijn_stops(delijn: Path) -> None:
    stops = src.parse_delijn_stops(delijn)
    assert stops["stop_id"].tolist() == ["111245", "11219", "12231", "12232", "13504", "9855"]
    row = stops.set_index("stop_code").loc["304731"]
    assert row["name"] == "Steenokkerzeel Humelgem,7 Wegen"
    assert row["lat"] == pytest.approx(50.90349834360881)


def test_parse_delijn_stops_duplicate_ids(tmp_path: Path) -> None:
    text = (FIXTURES / "delijn_gtfs" / "stops.txt").read_text(encoding="utf-8")
    feed = make_zip(
        FIXTURES / "delijn_gtfs", tmp_path / "f.zip", stops=text.replace("12232,", "12231,")
    )
    with pytest.raises(SourceError, match=r"stop_id '12231' appears 2 times \(lines 4, 5\)"):
        src.parse_delijn_stops(feed)


# --------------------------------------------------------------------------- OSM


def test_parse_osm_bus_routes(osm_pbf: Path) -> None:
    routes = src.parse_osm_bus_routes(osm_pbf)
    expected = pd.DataFrame(
        {
            "relation_id": [100, 100, 100, 101, 102],
            "line": ["3", "3", "3", "R92", "284"],
            "position": [0, 0, 2, 0, 0],
            "stop_code": ["300595", "303059", "303058", "303058", "303058"],
        }
    )
    pd.testing.assert_frame_equal(routes.members, expected, check_dtype=False)
    assert routes.stop_codes == {"303058", "303059", "300595", "302010"}


def test_lines_by_stop_code(osm_pbf: Path) -> None:
    lines = src.lines_by_stop_code(src.parse_osm_bus_routes(osm_pbf))
    assert dict(zip(lines["stop_code"], lines["lines"], strict=True)) == {
        "300595": "3",
        "302010": "",
        "303058": "3;284;R92",
        "303059": "3",
    }


def test_parse_osm_bus_routes_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"\x00\x00\x00\x0dnot a pbf block")
    with pytest.raises(SourceError, match="not a readable OSM"):
        src.parse_osm_bus_routes(bad)


def test_parse_osm_bus_routes_without_relations(tmp_path: Path) -> None:
    xml = tmp_path / "empty.osm"
    xml.write_text(
        "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\">\n"
        '<node id="1" version="1" lat="50.88" lon="4.70"/>\n</osm>\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="no De Lijn"):
        src.parse_osm_bus_routes(xml)


# --------------------------------------------------------------------------- joins


def test_build_stations(nmbs: Path, region: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]) -> None:
    munis, wijken = region
    irail = src.parse_irail_stations(FIXTURES / "irail_stations.csv")
    stations, dropped = stage.build_stations(
        src.parse_nmbs_stations(nmbs),
        src.station_service(src.rail_stop_times_on(nmbs, TUESDAY)),
        src.rail_served_stop_ids(nmbs),
        src.read_translations(nmbs, "nl"),
        irail,
        munis,
        wijken,
    )
    expected = gpd.GeoDataFrame(
        {
            "id": ["8833001", "8833126"],
            "name_nl": ["Leuven", "Heverlee"],  # Heverlee: no translation, iRail's name
            "name_fr": ["Louvain", "Heverlee"],
            "trains_per_weekday": [3, 2],
            "routes": [2, 2],
            "train_types": ["IC;S20", "IC;S20"],
            "nis": ["24062", "24062"],
            "municipality": ["Leuven", "Leuven"],
            "wijk": ["240620", "240620"],
        },
        geometry=[Point(4.715868, 50.88228), Point(4.695201, 50.86253)],
        crs="EPSG:4326",
    )
    pd.testing.assert_frame_equal(
        stations.drop(columns="geometry"), expected.drop(columns="geometry"), check_dtype=False
    )
    assert stations.geometry.geom_equals_exact(expected.geometry, tolerance=1e-7).all()
    # Wijgmaal is only served by a bus; Louvain-la-Neuve lies outside the region.
    assert dropped == {
        "nmbs_stops_without_trains": 1,
        "stations_outside_region": 1,
        "stations_without_irail_match": 0,
    }


def test_build_bus_stops(
    delijn: Path, osm_pbf: Path, region: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    munis, wijken = region
    lines = src.lines_by_stop_code(src.parse_osm_bus_routes(osm_pbf))
    stops = stage.build_bus_stops(src.parse_delijn_stops(delijn), lines, munis, wijken)
    expected = pd.DataFrame(
        {
            "id": ["9855", "11219", "12231", "12232"],
            "stop_code": ["300595", "302010", "303058", "303059"],
            "name": [
                "Korbeek-Lo Vlinderlaan",
                "Herent Diependaal",
                "Leuven J.Stasstraat",
                "Leuven J.Stasstraat",
            ],
            "lines": ["3", "", "3;284;R92", "3"],
            "lines_known": [True, True, True, True],
            "nis": ["24062", "24038", "24062", "24062"],
            "municipality": ["Leuven", "Herent", "Leuven", "Leuven"],
            "wijk": ["240620", None, "240620", "240620"],
        }
    )
    got = pd.DataFrame(stops.drop(columns="geometry"))
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_build_bus_stops_unknown_lines(
    delijn: Path, region: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    munis, wijken = region
    no_lines = pd.DataFrame({"stop_code": ["303058"], "lines": ["3"]})
    stops = stage.build_bus_stops(src.parse_delijn_stops(delijn), no_lines, munis, wijken)
    assert stops.set_index("stop_code")["lines_known"].to_dict() == {
        "300595": False,
        "302010": False,
        "303058": True,
        "303059": False,
    }


# --------------------------------------------------------------------------- stage


def _source_dir(root: Path, osm_pbf: Path) -> Path:
    (root / "transit").mkdir(parents=True)
    (root / "osm").mkdir()
    make_zip(FIXTURES / "nmbs_gtfs", root / src.NMBS_GTFS)
    make_zip(FIXTURES / "delijn_gtfs", root / src.DELIJN_GTFS)
    (root / src.IRAIL_STATIONS).write_bytes((FIXTURES / "irail_stations.csv").read_bytes())
    (root / src.OSM_PBF).write_bytes(osm_pbf.read_bytes())
    return root


def test_stage_builds_then_is_unchanged(
    tmp_path: Path, osm_pbf: Path, region: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    munis, wijken = region
    out = tmp_path / "out"
    munis = munis.assign(arr_nis="24000", arr_name="Leuven", in_arr_leuven=True)
    save_layer(munis, LayerManifest("municipalities", "m", "s", "u", "l", "d", "c"), out)
    save_layer(wijken, LayerManifest("wijken", "w", "s", "u", "l", "d", "c"), out)
    ctx = BuildContext(_source_dir(tmp_path / "raw", osm_pbf), out)
    first = run_pipeline(stage.STAGES, ctx)
    assert [(r.status, r.message) for r in first] == [
        ("built", "stations=2, bus_stops=4, rail_timetable=14")
    ]
    week = load_layer("rail_timetable", out)
    per_day = week.groupby("service_date").size()
    assert per_day["2019-10-15"] == 8  # the fixture's Tuesday calls
    assert sorted(per_day.index)[0] == "2019-10-14" and sorted(per_day.index)[-1] <= "2019-10-20"
    assert [r.status for r in run_pipeline(stage.STAGES, ctx)] == ["unchanged"]
    stations = load_layer("stations", out)
    assert stations.crs.to_epsg() == 4326
    assert list(stations.columns) == stage.STATION_COLUMNS
    manifest = load_manifest("stations", out)
    assert manifest.extra["service_day"] == "2019-10-15"
    assert manifest.extra["leuven_trains_on_service_day"] == 3
    assert "NMBS/SNCB" in manifest.licence
    assert "OpenStreetMap" in load_manifest("bus_stops", out).licence


def test_stage_fails_cleanly_on_corrupt_feed(
    tmp_path: Path, osm_pbf: Path, region: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    munis, wijken = region
    out = tmp_path / "out"
    munis = munis.assign(arr_nis="24000", arr_name="Leuven", in_arr_leuven=True)
    save_layer(munis, LayerManifest("municipalities", "m", "s", "u", "l", "d", "c"), out)
    save_layer(wijken, LayerManifest("wijken", "w", "s", "u", "l", "d", "c"), out)
    raw = _source_dir(tmp_path / "raw", osm_pbf)
    (raw / src.NMBS_GTFS).write_bytes(b"PK\x03\x04 truncated")
    [result] = run_pipeline(stage.STAGES, BuildContext(raw, out))
    assert result.status == "failed"
    assert "nmbs_sncb_gtfs_2019-10-12.zip" in result.message


# --------------------------------------------------------------------------- full mirror


@pytest.mark.slow
def test_full_mirror(tmp_path: Path) -> None:
    if not (MIRROR / src.NMBS_GTFS).exists():
        pytest.skip("the shared data mirror is not available")
    feed = MIRROR / src.NMBS_GTFS
    service = src.station_service(src.rail_stop_times_on(feed, TUESDAY)).set_index("id")
    # The mirror README counts 587 calls at Leuven: 2 are replacement buses and 2 trains
    # pass without stopping.
    assert service.loc["8833001", "trains_per_weekday"] == 583
    routes = src.parse_osm_bus_routes(MIRROR / src.OSM_PBF)
    assert routes.members["relation_id"].nunique() > 100
    assert len(src.parse_delijn_stops(MIRROR / src.DELIJN_GTFS)) == 36016
