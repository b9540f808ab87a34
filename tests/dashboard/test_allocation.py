"""School allocation hint: straight-line distances on hand-made points and the real schools."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard.engine.core import CommuteEngine
from dashboard.engine.errors import BadInputError
from dashboard.engine.inputs import LatLon
from dashboard.layers import allocation
from geodata.io import load_layer

LEUVEN_STATION = LatLon(50.88228, 4.71587)


def _schools() -> gpd.GeoDataFrame:
    """Four hand-made schools (not real data): one secondary, one special-needs."""
    return gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "name": ["Near", "Far", "Secondary", "Special"],
            "address": ["x", "y", "z", "w"],
            "municipality": ["Leuven", "Tienen", "Leuven", "Leuven"],
            "levels": ["kleuter;lager", "lager", "secundair", "lager;buitengewoon"],
        },
        geometry=[
            Point(4.7005, 50.8800),
            Point(4.7300, 50.8900),
            Point(4.70, 50.88),
            Point(4.70, 50.88),
        ],
        crs="EPSG:4326",
    )


def test_distances_in_metres_from_home_and_each_workplace() -> None:
    home = LatLon(50.8800, 4.7000)
    table = allocation.distance_table(_schools(), home, [LEUVEN_STATION, home], near_m=5_000)
    assert table["name"].tolist() == ["Near", "Far"]  # primary only, nearest first
    # 0.0005 degrees of longitude at 50.88 N: about 35 m
    assert table.loc[0, "home_m"] == pytest.approx(35, abs=2)
    assert table.loc[0, "work_2_m"] == table.loc[0, "home_m"]  # the same point
    assert table.loc[1, "work_1_m"] < table.loc[1, "home_m"]  # Far lies east, toward the station
    assert table["in_system"].tolist() == [True, False]
    assert allocation.distance_table(_schools(), home, near_m=1_000)["name"].tolist() == ["Near"]


def test_straight_line_matches_a_known_distance() -> None:
    # Leuven station to Brussels-Central: 25.50 km on the sphere (haversine, R = 6371 km);
    # Lambert 72 distorts scale by under 0.5 % here
    brussels = allocation.straight_line_m(LEUVEN_STATION, np.array([4.35717]), np.array([50.84566]))
    assert brussels[0] == pytest.approx(25_502, rel=0.005)


def test_real_primary_schools_near_leuven_centre() -> None:
    schools = load_layer("schools")
    places = load_layer("neighbourhoods")
    centre = places.loc[places["municipality"] == "Leuven"].iloc[0]
    home = LatLon(float(centre["centroid_lat"]), float(centre["centroid_lon"]))
    table = allocation.distance_table(schools, home, [LEUVEN_STATION])
    assert len(table) > 0
    assert (table["home_m"] <= allocation.NEAR_M).all()
    assert table["home_m"].is_monotonic_increasing
    primary = allocation.primary_schools(schools)
    assert set(table["id"]) <= set(primary["id"].astype(str))
    assert not primary["levels"].str.contains("buitengewoon").any()


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine()


def _home(lat: float, lon: float) -> pd.DataFrame:
    """One hand-made place at ``lat, lon`` (a home), as the chain reads places."""
    return pd.DataFrame({"centroid_lat": [lat], "centroid_lon": [lon]})


def test_chain_adds_both_legs_and_the_dropoff(engine: CommuteEngine) -> None:
    """On the real bike network: home in Heverlee, work at Leuven station."""
    home = LatLon(50.8702, 4.6950)
    stops = allocation.primary_schools(load_layer("schools"))
    run = allocation.chain_columns(
        engine, _home(home.lat, home.lon), LEUVEN_STATION, "bike", 30, stops, dropoff_minutes=4
    ).iloc[0]
    assert run["chain_stop"] in set(stops["name"])
    assert run["chain_minutes"] == pytest.approx(
        run["chain_to_stop"] + 4 + run["chain_to_work"], abs=0.15
    )
    assert run["chain_minutes"] <= 30
    # the chain is never shorter than going straight to work
    direct = engine.times(
        LEUVEN_STATION, np.array([home.lon]), np.array([home.lat]), mode="bike", max_minutes=30
    )
    assert run["chain_minutes"] >= float(direct.minutes[0])


def test_chain_that_does_not_fit_and_no_stops(engine: CommuteEngine) -> None:
    home = _home(50.8702, 4.6950)
    stops = load_layer("childcare")
    none = allocation.chain_columns(engine, home, LEUVEN_STATION, "walk", 6, stops).iloc[0]
    assert np.isnan(none["chain_minutes"]) and none["chain_stop"] == ""
    empty = allocation.chain_columns(engine, home, LEUVEN_STATION, "bike", 30, stops.iloc[0:0])
    assert np.isnan(empty["chain_minutes"].iloc[0]) and empty["chain_stop"].iloc[0] == ""


def test_chain_columns_for_every_neighbourhood(engine: CommuteEngine) -> None:
    """For every neighbourhood at once: the same best chain as each home alone."""
    places = load_layer("neighbourhoods")
    stops = allocation.primary_schools(load_layer("schools"))
    columns = allocation.chain_columns(engine, places, LEUVEN_STATION, "bike", 20, stops)
    assert list(columns.index) == list(places.index)
    fits = columns["chain_minutes"].notna()
    assert 0 < fits.sum() < len(places)  # central wijken fit, far ones do not
    assert (columns.loc[fits, "chain_minutes"] <= 20).all()
    assert (columns.loc[~fits, "chain_stop"] == "").all()
    legs = columns.loc[fits, "chain_to_stop"] + 5 + columns.loc[fits, "chain_to_work"]
    assert np.allclose(legs, columns.loc[fits, "chain_minutes"], atol=0.15)
    row = places.loc[fits].iloc[0]
    alone = allocation.chain_columns(
        engine, _home(row["centroid_lat"], row["centroid_lon"]), LEUVEN_STATION, "bike", 20, stops
    ).iloc[0]
    assert alone["chain_minutes"] == pytest.approx(columns.loc[fits, "chain_minutes"].iloc[0])
    with pytest.raises(BadInputError):
        allocation.chain_columns(engine, places, LEUVEN_STATION, "train_bike", 20, stops)
