"""Unit tests of dashboard.layers on tiny hand-built frames (expected values by hand)."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from dashboard.engine.errors import BadInputError
from dashboard.layers import export
from dashboard.layers import workplaces as wp
from dashboard.layers.candidates import (
    PlaceFilters,
    count_by_wijk,
    matching_schools,
    points_in,
    rank_candidates,
    rank_with_removals,
    sort_candidates,
)


@pytest.fixture
def places() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": ["A", "B", "C", "D"],
            "name": ["Alpha", "Beta <img src=x onerror=alert(1)>", "Gamma", "Delta"],
            "municipality": ["Leuven", "Leuven", "Herent", "Bertem"],
            "median_house_price_muni": [455_000.0, 455_000.0, 390_000.0, np.nan],
            "median_apartment_price_muni": [272_500.0, 272_500.0, 250_000.0, np.nan],
            "price_year": pd.array([2024, 2024, 2024, pd.NA], dtype="Int64"),
            "childcare_coverage": ["partial", "partial", "none", "none"],
            "n_stations": [1, 0, 0, 0],
            "n_bus_stops": [5, 3, 2, 1],
            "centroid_lon": [4.70, 4.71, 4.66, 4.75],
            "centroid_lat": [50.88, 50.87, 50.90, 50.86],
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(4)],
        crs=4326,
    )


@pytest.fixture
def schools() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "wijk": ["A", "A", "B", "C", None],
            "levels": ["kleuter;lager", "secundair", "kleuter;lager", "lager", "lager"],
            "net": ["GO!", "vrij gesubsidieerd", "GO!", "vrij gesubsidieerd", "GO!"],
            "language": ["Nederlandstalig"] * 4 + ["Franstalig"],
        }
    )


@pytest.fixture
def international() -> pd.DataFrame:
    return pd.DataFrame({"wijk": ["C", None], "in_region": [True, False]})


@pytest.fixture
def childcare() -> pd.DataFrame:
    return pd.DataFrame({"wijk": ["A", "A"], "category": ["groepsopvang_0_3", "gezinsopvang_0_3"]})


def _commute(minutes_1: list[float], minutes_2: list[float] | None = None) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "minutes_1": minutes_1,
            "estimated_1": [False, False, True, True],
            "method_1": ["network", "network", "straight line x detour", "straight line x detour"],
        }
    )
    if minutes_2 is not None:
        out["minutes_2"] = minutes_2
        out["estimated_2"] = False
        out["method_2"] = "network"
    return out


def _rank(places, schools, international, childcare, commute, **filters):  # type: ignore[no-untyped-def]
    return rank_candidates(
        places, commute, schools, international, childcare, PlaceFilters(**filters)
    )


def test_matching_schools_by_level_net_language(schools: pd.DataFrame) -> None:
    assert len(matching_schools(schools, PlaceFilters(school_level="lager"))) == 4
    assert len(matching_schools(schools, PlaceFilters(school_level="secundair"))) == 1
    assert len(matching_schools(schools, PlaceFilters(school_level="lager", school_net="GO!"))) == 3
    assert len(matching_schools(schools, PlaceFilters(school_language="Franstalig"))) == 1


def test_count_by_wijk_aligns_and_fills_zero(schools: pd.DataFrame) -> None:
    counts = count_by_wijk(schools, pd.Series(["D", "A", "C"]))
    assert counts.tolist() == [0, 2, 1]


def test_rank_drops_unreached_and_sorts_by_worst(places, schools, international, childcare) -> None:  # type: ignore[no-untyped-def]
    ranked = _rank(
        places, schools, international, childcare, _commute([12, 5, np.nan, 20], [3, 25, 4, 10])
    )
    assert ranked["code"].tolist() == ["A", "D", "B"]  # worst: A 12, D 20, B 25; C unreached
    assert ranked["rank"].tolist() == [1, 2, 3]
    assert ranked["worst_minutes"].tolist() == [12, 20, 25]
    assert ranked["estimated"].tolist() == [False, True, False]
    assert isinstance(ranked, gpd.GeoDataFrame)
    assert ranked.crs.to_epsg() == 4326


def test_school_filter(places, schools, international, childcare) -> None:  # type: ignore[no-untyped-def]
    commute = _commute([1, 2, 3, 4])
    assert len(_rank(places, schools, international, childcare, commute)) == 4
    secondary = _rank(places, schools, international, childcare, commute, school_level="secundair")
    assert secondary["code"].tolist() == ["A"]
    intl = _rank(places, schools, international, childcare, commute, international_only=True)
    assert intl["code"].tolist() == ["C"]


def test_childcare_filter_keeps_unknown_on_request(
    places, schools, international, childcare
) -> None:  # type: ignore[no-untyped-def]
    commute = _commute([1, 2, 3, 4])
    kept = _rank(
        places, schools, international, childcare, commute, childcare_type="groepsopvang_0_3"
    )
    assert kept["code"].tolist() == ["A", "C", "D"]  # B: data but none; C, D: no data
    assert kept["n_childcare_match"].isna().tolist() == [False, True, True]
    strict = _rank(
        places,
        schools,
        international,
        childcare,
        commute,
        childcare_type="groepsopvang_0_3",
        childcare_keep_unknown=False,
    )
    assert strict["code"].tolist() == ["A"]


def test_budget_flags_by_default_and_removes_when_strict(  # type: ignore[no-untyped-def]
    places, schools, international, childcare
) -> None:
    # Hand-made: A, B in "Leuven" at 455k, C at 390k, D without a price.
    commute = _commute([1, 2, 3, 4])
    flagged = _rank(places, schools, international, childcare, commute, budget_max_eur=400_000)
    assert flagged["code"].tolist() == ["A", "B", "C", "D"]  # nothing removed
    assert flagged["median_over_budget"].tolist() == [True, True, False, False]  # D unknown
    houses = _rank(
        places,
        schools,
        international,
        childcare,
        commute,
        budget_max_eur=400_000,
        budget_strict=True,
    )
    assert houses["code"].tolist() == ["C", "D"]
    flats = _rank(
        places,
        schools,
        international,
        childcare,
        commute,
        budget_type="apartment",
        budget_max_eur=260_000,
        budget_strict=True,
    )
    assert flats["code"].tolist() == ["C", "D"]
    no_budget = _rank(places, schools, international, childcare, commute, budget_strict=True)
    assert not no_budget["median_over_budget"].any() and len(no_budget) == 4
    with pytest.raises(ValueError, match="budget type"):
        _rank(places, schools, international, childcare, commute, budget_type="castle")


def test_sort_by_budget_flag_then_commute(places, schools, international, childcare) -> None:  # type: ignore[no-untyped-def]
    commute = _commute([12, 5, 30, 20])
    kw = {"budget_max_eur": 400_000, "sort_by": "budget"}
    ranked = _rank(places, schools, international, childcare, commute, **kw)
    assert ranked["code"].tolist() == ["D", "C", "B", "A"]  # within budget/unknown: 20, 30
    assert ranked["rank"].tolist() == [1, 2, 3, 4]
    by_commute = _rank(places, schools, international, childcare, commute, budget_max_eur=4e5)
    assert by_commute["code"].tolist() == ["B", "A", "D", "C"]
    assert sort_candidates(by_commute, "budget")["code"].tolist() == ["D", "C", "B", "A"]


def _removals(places, schools, international, childcare, commute, **filters):  # type: ignore[no-untyped-def]
    ranking = rank_with_removals(
        places, commute, schools, international, childcare, PlaceFilters(**filters)
    )
    steps = [(r.constraint.value, r.person, r.before, r.removed) for r in ranking.removals]
    return ranking, steps


def test_removals_in_the_order_applied(places, schools, international, childcare) -> None:  # type: ignore[no-untyped-def]
    # person 1 misses C; person 2 misses nobody left; a group creche only in A (B has
    # data but none, D has no data and is dropped as strict); A is above 400k.
    ranking, steps = _removals(
        places,
        schools,
        international,
        childcare,
        _commute([12, 5, np.nan, 20], [3, 25, 4, 10]),
        childcare_type="groepsopvang_0_3",
        childcare_keep_unknown=False,
        budget_max_eur=400_000,
        budget_strict=True,
    )
    assert steps == [
        ("commute", 1, 4, 1),
        ("commute", 2, 3, 0),
        ("childcare", None, 3, 2),
        ("budget", None, 1, 1),
    ]
    assert ranking.candidates.empty and ranking.total == 4
    # Keeping unknown childcare keeps D (no data), and the budget no longer empties it.
    kept, steps = _removals(
        places,
        schools,
        international,
        childcare,
        _commute([12, 5, np.nan, 20], [3, 25, 4, 10]),
        childcare_type="gezinsopvang_0_3",
        budget_max_eur=400_000,
    )
    assert steps == [("commute", 1, 4, 1), ("commute", 2, 3, 0), ("childcare", None, 3, 1)]
    assert kept.candidates["code"].tolist() == ["A", "D"]
    assert kept.candidates["median_over_budget"].tolist() == [True, False]


def test_removals_of_the_school_rules(places, schools, international, childcare) -> None:  # type: ignore[no-untyped-def]
    commute = _commute([1, 2, 3, 4])
    # an international school of A outside the region counts for nothing
    intl = pd.DataFrame({"wijk": ["C", "A"], "in_region": [True, False]})
    _, steps = _removals(places, schools, intl, childcare, commute, international_only=True)
    assert steps == [("commute", 1, 4, 0), ("international", None, 4, 3)]
    _, steps = _removals(places, schools, intl, childcare, commute, school_level="secundair")
    assert steps == [("commute", 1, 4, 0), ("schools", None, 4, 3)]
    _, steps = _removals(places, schools, intl, childcare, commute, budget_max_eur=1.0)
    assert steps == [("commute", 1, 4, 0)]  # a budget that only flags removes nothing


def test_points_in(schools: pd.DataFrame) -> None:
    assert len(points_in(schools, pd.Series(["A", "C"]))) == 3


def test_exports_read_back(places, schools, international, childcare, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ranked = _rank(places, schools, international, childcare, _commute([12, 5, np.nan, 20]))
    csv = pd.read_csv(io.BytesIO(export.to_csv_bytes(ranked)))
    assert csv["code"].tolist() == ["B", "A", "D"]
    assert "Beta <img src=x onerror=alert(1)>" in csv["name"].tolist()
    geojson = tmp_path / "c.geojson"
    geojson.write_bytes(export.to_geojson_bytes(ranked))
    back = gpd.read_file(geojson)
    assert back["code"].tolist() == ["B", "A", "D"]
    assert back.geometry.geom_type.unique().tolist() == ["Polygon"]
    gpkg = tmp_path / "c.gpkg"
    gpkg.write_bytes(export.to_gpkg_bytes(ranked))
    back = gpd.read_file(gpkg, layer=export.GPKG_LAYER)
    assert back["rank"].tolist() == [1, 2, 3]
    assert back.crs.to_epsg() == 4326


def test_exports_of_an_empty_result(places, schools, international, childcare, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ranked = _rank(places, schools, international, childcare, _commute([np.nan] * 4))
    assert ranked.empty
    assert pd.read_csv(io.BytesIO(export.to_csv_bytes(ranked))).empty
    gpkg = tmp_path / "e.gpkg"
    gpkg.write_bytes(export.to_gpkg_bytes(ranked))
    assert gpd.read_file(gpkg).empty


# -- workplaces --------------------------------------------------------------------------
@pytest.fixture
def stations() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["8833001", "8833209"],
            "name_nl": ["Leuven", "Heverlee"],
            "trains_per_weekday": [583, 40],
        },
        geometry=[Point(4.71587, 50.88228), Point(4.69, 50.86)],
        crs=4326,
    )


@pytest.fixture
def addresses() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["1", "2", "3"],
            "label": [
                "Naamsestraat 22, 3000 Leuven",
                "Naamsestraat 100, 3000 Leuven",
                "Tiensestraat 1, 3000 Leuven",
            ],
        },
        geometry=[Point(4.70, 50.87), Point(4.701, 50.86), Point(4.705, 50.878)],
        crs=4326,
    )


def test_preset_table_workplaces_first_then_stations(stations: gpd.GeoDataFrame) -> None:
    places = gpd.GeoDataFrame(
        {"id": ["imec"], "name": ["imec"], "kind": ["research"], "source": ["OSM"]},
        geometry=[Point(4.67, 50.86)],
        crs=4326,
    )
    table = wp.preset_table(places, stations)
    assert table["ref"].tolist() == ["wp:imec", "st:8833001", "st:8833209"]
    assert wp.preset_table(None, stations)["ref"].iloc[0] == wp.DEFAULT_REF


def test_search_addresses(addresses: gpd.GeoDataFrame) -> None:
    hits = wp.search_addresses(addresses, "naamsestraat leuven")
    assert hits["id"].tolist() == ["1", "2"]
    assert wp.search_addresses(addresses, "na").empty  # too short
    assert wp.search_addresses(addresses, "nowhere street").empty


def test_resolve_workplace(stations, addresses) -> None:  # type: ignore[no-untyped-def]
    table = wp.preset_table(None, stations)
    station = wp.resolve_workplace("st:8833001", table, None)
    assert station.label == "Leuven (station)"
    assert station.point.lat == pytest.approx(50.88228)
    address = wp.resolve_workplace("addr:3", table, addresses)
    assert address.point.lon == pytest.approx(4.705)
    assert wp.resolve_workplace("50.9,4.7", table, None).ref == "50.9,4.7"
    with pytest.raises(BadInputError, match="unknown workplace preset"):
        wp.resolve_workplace("wp:nothing", table, None)
    with pytest.raises(BadInputError, match="not available"):
        wp.resolve_workplace("addr:3", table, None)
    with pytest.raises(BadInputError):
        wp.resolve_workplace("north pole", table, None)


def test_snapshot_export_has_site_counts_and_unknown_childcare() -> None:
    # Real snapshot: every wijk reached (a commute of 0 minutes for all, hand-made).
    from geodata.io import load_layer

    places = load_layer("neighbourhoods")
    commute = pd.DataFrame(
        {"minutes_1": 0.0, "method_1": "test", "estimated_1": False}, index=places.index
    )
    ranked = rank_candidates(
        places,
        commute,
        load_layer("schools"),
        load_layer("international_schools"),
        load_layer("childcare"),
        PlaceFilters(),
    )
    csv = pd.read_csv(io.BytesIO(export.to_csv_bytes(ranked)), dtype={"code": str})
    by_code = csv.set_index("code")
    heverlee = by_code.loc["2406219"]  # Heverlee Centrum: 9 school numbers at 2 sites
    assert (heverlee["n_schools_match"], heverlee["n_school_sites"]) == (9, 2)
    outside = by_code["childcare_coverage"] == "none"
    assert outside.sum() == 399
    assert by_code.loc[outside, "n_childcare_match"].isna().all()
    assert (by_code.loc[outside, "childcare_mapped_share"] == 0).all()
    assert by_code.loc["24009A02", "childcare_coverage"] == "none"  # Bertem centrum: no data
