"""Tests of the place rows of the address index: stations, municipalities, workplaces.

Real data: the raw mirror (``../shared/data``) and the committed ``deelgemeenten`` layer.
Hand-made data: ``tests/fixtures/addresses/places`` (see its README) and the broken
files written below.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from dashboard.layers import workplaces as wp
from etl.errors import SourceError
from etl.pipeline import BuildContext
from etl.sources import places as src
from etl.stages import addresses as stage
from etl.stages import places
from geodata.io import load_layer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "addresses" / "places"
MIRROR = Path(__file__).resolve().parents[2].parent / "shared" / "data"
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason="raw mirror not available")


@pytest.fixture(scope="module")
def mirror_places() -> tuple[gpd.GeoDataFrame, dict[str, object], stage.PlaceSources]:
    if not MIRROR.is_dir():
        pytest.skip("raw mirror not available")
    sources = stage.read_place_sources(BuildContext(MIRROR, MIRROR))
    rows, facts = stage.build_places(sources, load_layer("deelgemeenten"))
    return rows, facts, sources


# --------------------------------------------------------------------------- sources


@needs_mirror
def test_irail_names_all_languages() -> None:
    stations = src.parse_irail_names(MIRROR / src.IRAIL_STATIONS).set_index("id")
    assert len(stations) == 729
    assert stations.loc["8813003", "names"] == [
        "Brussel-Centraal/Bruxelles-Central",
        "Brussel-Centraal",
        "Bruxelles-Central",
        "Brüssel-Central",
        "Brussels-Central",
    ]
    assert stations.loc["8833001", "country"] == "be"


@needs_mirror
def test_lookups_on_the_mirror() -> None:
    names = src.parse_municipality_names(MIRROR / src.MUNICIPALITY_NAMES)
    assert names["21004"] == ["Brussel", "Bruxelles"]
    assert names["24062"] == ["Leuven", "Louvain"]
    mergers = src.parse_mergers(MIRROR / src.MERGERS_2025)
    assert mergers["11007"] == "11002"  # Borsbeek -> Antwerpen
    assert mergers["23023"] == mergers["23024"] == "23106"  # Galmaarden, Gooik -> Pajottegem
    deel = src.parse_deelgemeenten(MIRROR / src.DEELGEMEENTE_LOOKUP)
    assert deel["code"].is_unique
    assert deel.set_index("code").loc["24062C", "name"] == "Kessel-Lo"
    munis = src.parse_municipality_polygons(MIRROR / src.MUNICIPALITIES_FLANDERS_BRUSSELS)
    assert len(munis) == 304


@needs_mirror
def test_major_workplaces_keep_rows_without_coordinates() -> None:
    rows = src.parse_major_workplaces(MIRROR / src.MAJOR_WORKPLACES).set_index("id")
    assert len(rows) == 36
    unknown = rows[rows["lat"].isna()]
    assert len(unknown) == 10
    assert "eurocontrol-hq" in unknown.index
    assert (unknown["coord_quality"] == "").all()
    berlaymont = rows.loc["eu-commission-berlaymont"]
    assert (berlaymont["lat"], berlaymont["lon"]) == (50.8437, 4.38266)


HEADER = "id,name,kind,municipality,address,lat,lon,coord_source,coord_quality\n"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("a,A,k,M,addr,50.8,,src,exact_building", "line 2: only one of lat/lon"),
        ("a,A,k,M,addr,fifty,4.3,src,exact_building", "line 2: lat 'fifty' is not a number"),
        ("a,A,k,M,addr,50.8,4.3,src,somewhere", "coord_quality 'somewhere'"),
        ("a,A,k,M,addr,40.0,4.3,src,exact_building", "outside"),
    ],
)
def test_bad_workplace_rows(tmp_path: Path, row: str, problem: str) -> None:
    """Hand-made broken workplace lists are refused, naming the line or value."""
    path = tmp_path / "major_workplaces.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(SourceError, match=problem):
        src.parse_major_workplaces(path)


def test_bad_lookups(tmp_path: Path) -> None:
    """Hand-made broken mergers and names files are refused with what is wrong."""
    mergers = tmp_path / "mergers.csv"
    mergers.write_text("header\nAalst + Gent, Brussel\n", encoding="utf-8")
    with pytest.raises(SourceError, match="line 2 is not"):
        src.parse_mergers(mergers)
    names = tmp_path / "names.json"
    names.write_text('[{"id": "21004"}]', encoding="utf-8")
    with pytest.raises(SourceError, match="item 1 lacks"):
        src.parse_municipality_names(names)
    names.write_text("[{", encoding="utf-8")
    with pytest.raises(SourceError, match="not valid JSON"):
        src.parse_municipality_names(names)


# --------------------------------------------------------------------------- rows


def test_fixture_places(tmp_path: Path) -> None:
    """Hand-made sources: what is kept, dropped, merged and left unplaced."""
    raw = tmp_path / "raw"
    shutil.copytree(FIXTURES, raw)
    deel = gpd.GeoDataFrame(
        {"code": ["24062A", "24062-Z"], "name": ["Leuven (Dg.)", "Heverlee (Leuven)"]},
        geometry=[box(4.69, 50.87, 4.72, 50.89), box(4.69, 50.85, 4.72, 50.87)],
        crs="EPSG:4326",
    )
    rows, facts = stage.build_places(stage.read_place_sources(BuildContext(raw, raw)), deel)
    by_id = rows.set_index("id")
    # Aachen (abroad), Brussel as deelgemeente of Brussel, the pseudo-area and Chastre
    # (Wallonia) are left out.
    assert len(rows) == 9
    assert facts["stations_abroad_left_out"] == 1
    assert by_id.loc["deelgemeente:24062-Z", "label"] == "Heverlee (deelgemeente of Leuven, centre)"
    assert deel.geometry[1].contains(by_id.loc["deelgemeente:24062-Z", "geometry"])
    merged = by_id.loc["deelgemeente:24999A"]
    assert merged["precision"] == "municipality_centre"
    assert merged["geometry"].equals(by_id.loc["municipality:24062", "geometry"])
    assert by_id.loc["station:8833001", "label"] == "Leuven / Louvain (station)"
    unknown = by_id.loc["workplace:eurocontrol-test"]
    assert unknown["geometry"] is None
    assert unknown["precision"] == "unknown"
    assert by_id.loc["workplace:imec-test", "precision"] == "exact_building"


def test_mirror_counts(mirror_places: tuple) -> None:  # type: ignore[type-arg]
    rows, facts, sources = mirror_places
    assert rows["id"].is_unique
    assert facts["stations_be"] == int((sources.stations["country"] == "be").sum()) == 579
    assert facts["municipalities"] == 304
    assert facts["workplaces"] == 36
    assert facts["workplaces_location_unknown"] == 10
    assert facts["deelgemeenten_with_own_polygon"] == 196
    assert set(rows["precision"]) <= set(places.PRECISIONS)


def test_points_lie_inside_their_areas(mirror_places: tuple) -> None:  # type: ignore[type-arg]
    rows, _, sources = mirror_places
    munis = sources.municipalities.set_index("nis")
    muni_rows = rows[rows["kind"] == "municipality"]
    nis = muni_rows["id"].str.removeprefix("municipality:")
    assert all(
        munis.loc[n, "geometry"].contains(p) for n, p in zip(nis, muni_rows.geometry, strict=True)
    )
    deel = load_layer("deelgemeenten").set_index("code")
    own = rows[rows["precision"] == "deelgemeente_centre"]
    codes = own["id"].str.removeprefix("deelgemeente:")
    assert len(own) == 196
    assert all(
        deel.loc[c, "geometry"].contains(p) for c, p in zip(codes, own.geometry, strict=True)
    )


def test_workplace_points_are_the_listed_coordinates(mirror_places: tuple) -> None:  # type: ignore[type-arg]
    rows, _, sources = mirror_places
    listed = sources.workplaces.set_index("id")
    work = rows[rows["kind"] == "workplace"].set_index("id")
    for wid, row in listed.iterrows():
        point = work.loc[f"workplace:{wid}", "geometry"]
        if math.isnan(row["lat"]):
            assert point is None
            assert work.loc[f"workplace:{wid}", "precision"] == "unknown"
        else:
            assert (point.y, point.x) == (row["lat"], row["lon"])


def test_snapshot_holds_the_places(mirror_places: tuple) -> None:  # type: ignore[type-arg]
    """The committed layer holds exactly the rows the mirror gives (build is current)."""
    rows, _, _ = mirror_places
    layer = load_layer("addresses")
    stored = layer[layer["kind"] != "address"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        pd.DataFrame(stored.drop(columns="geometry")),
        pd.DataFrame(rows.drop(columns="geometry")),
        check_dtype=False,
    )


def test_normalise_agrees_with_the_app() -> None:
    """The ETL's keys and the app's query normalisation must use the same rule."""
    layer = load_layer("addresses")
    texts = [
        *layer["label"].sample(2000, random_state=0),
        *layer.loc[layer["names"] != "", "names"],
        "Liège-Guillemins",
        "'s-Hertogenbosch",
        "Brüssel_Central",
        "ÉCOLE  Ste-Anne",
    ]
    assert [places.normalise(t) for t in texts] == [wp.normalise(t) for t in texts]
    assert places.normalise("Bruxelles-Central") == "bruxelles central"
