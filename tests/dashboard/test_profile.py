"""Neighbourhood profiles on the committed snapshot (dashboard/layers/profile.py).

Each figure is checked against an independent reading of the layers or the engine: the
commute of the person's own mode against the ranking's call, schools within reach against
an engine search over the whole layer (no preselection), direct trains against a brute
force over the timetable rows, prices and population against the layers, sources against
the manifests.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from dashboard.engine.core import COMMUTE_MODES, CommuteEngine
from dashboard.engine.inputs import LatLon
from dashboard.layers import profile as pf
from dashboard.layers.candidates import commute_columns
from dashboard.state import CommuteSpec
from geodata.catalog import default_data_dir
from geodata.io import SnapshotError, load_layer, load_manifest

HEVERLEE = "2406219"  # Heverlee Centrum: partial childcare data, population known
WIJGMAAL = "240621"  # no childcare data, population unknown, its own station
CENTRE = "240629"  # Centrum/station: the nearest station is Leuven itself
#: Person 1 cycles to a point near Leuven station (20 min); person 2 takes the train to
#: Brussels-Central, arriving 08:30 on a Tuesday (75 min): two modes, two limits.
SPECS = (
    CommuteSpec(50.8775, 4.7004, "bike", 20, "09:00", ""),
    CommuteSpec(50.8455, 4.3571, "train_walk", 75, "08:30", "2026-12-08"),
)


@pytest.fixture(scope="module")
def engine() -> CommuteEngine:
    return CommuteEngine(data_dir=default_data_dir())


@pytest.fixture(scope="module")
def profiles(engine: CommuteEngine) -> dict[str, pf.Profile]:
    found = pf.neighbourhood_profiles([HEVERLEE, WIJGMAAL, CENTRE], SPECS, lang="en", engine=engine)
    return {p.code: p for p in found}


def _wijk(code: str) -> pd.Series:
    places = load_layer("neighbourhoods", default_data_dir())
    return places.loc[places["code"] == code].iloc[0]


def test_unknown_code_is_a_typed_error_naming_it(engine: CommuteEngine) -> None:
    with pytest.raises(pf.UnknownNeighbourhoodError) as caught:
        pf.neighbourhood_profile("99999XX", SPECS, lang="en", engine=engine)
    assert caught.value.code == "99999XX"
    assert "99999XX" in str(caught.value)


def test_profiles_keep_the_order_asked(profiles: dict[str, pf.Profile]) -> None:
    assert list(profiles) == [HEVERLEE, WIJGMAAL, CENTRE]
    assert profiles[HEVERLEE].name == _wijk(HEVERLEE)["name"]
    assert profiles[HEVERLEE].municipality == "Leuven"


def test_own_mode_minutes_equal_the_rankings(
    engine: CommuteEngine, profiles: dict[str, pf.Profile]
) -> None:
    row = _wijk(HEVERLEE)
    places = pd.DataFrame(
        {"centroid_lon": [row["centroid_lon"]], "centroid_lat": [row["centroid_lat"]]}
    )
    ranked = commute_columns(engine, places, [spec.question() for spec in SPECS])
    for number, person in enumerate(profiles[HEVERLEE].commutes, start=1):
        own = person.chosen
        assert own.mode == SPECS[number - 1].mode and own.chosen
        expected = float(ranked[f"minutes_{number}"].iloc[0])
        assert not np.isnan(expected), "pick a wijk within both limits"
        assert own.minutes == pytest.approx(expected)
        assert own.estimated == bool(ranked.loc[0, f"estimated_{number}"])
        assert own.within_limit is True


def test_every_engine_mode_is_given_per_person(profiles: dict[str, pf.Profile]) -> None:
    for person in profiles[WIJGMAAL].commutes:
        assert [t.mode for t in person.times] == list(COMMUTE_MODES)
        assert sum(t.chosen for t in person.times) == 1
        for t in person.times:
            if t.minutes is not None:
                assert t.within_limit == (t.minutes <= person.max_minutes)
                assert t.method


def test_a_time_beyond_the_limit_is_kept_and_flagged(
    engine: CommuteEngine, profiles: dict[str, pf.Profile]
) -> None:
    # walking from Wijgmaal to the station area takes far more than 20 minutes: the
    # ranking drops it (nan), the profile still says how long it takes
    walk = profiles[WIJGMAAL].commutes[0].by_mode("walk")
    assert walk.minutes is not None and walk.minutes > SPECS[0].max_minutes
    assert walk.within_limit is False


def _reach_by_engine(engine: CommuteEngine, home: LatLon, points: pd.DataFrame) -> set[str]:
    found: set[str] = set()
    for mode, limit in pf.REACH_MINUTES.items():
        times = engine.times(
            home,
            points.geometry.x.to_numpy(),
            points.geometry.y.to_numpy(),
            mode=mode,
            direction="from",
            max_minutes=limit,
        )
        minutes = np.round(times.minutes, 1)
        found |= set(points.loc[minutes <= limit, "id"].astype(str))
    return found


def test_schools_within_reach_equal_a_search_over_the_whole_layer(
    engine: CommuteEngine, profiles: dict[str, pf.Profile]
) -> None:
    schools = load_layer("schools", default_data_dir())
    prof = profiles[WIJGMAAL]
    listed = {s.id for level in prof.schools for s in level.schools}
    reached = _reach_by_engine(engine, prof.centroid, schools)
    with_level = schools.loc[schools["id"].isin(reached), "levels"].fillna("")
    keep = with_level.str.contains("kleuter|lager|secundair")
    assert listed == set(schools.loc[keep.index[keep], "id"])
    assert listed, "the check needs schools within reach"
    for level in prof.schools:
        assert all(pf.SCHOOL_LEVELS[level.level] in s.kind.split(";") for s in level.schools)
        distances = [s.distance_m for s in level.schools]
        assert distances == sorted(distances)
        walkers = level.within("walk")
        assert all(s.minutes["walk"] is not None and s.minutes["walk"] <= 15 for s in walkers)


def test_childcare_without_data_is_unknown_not_zero(profiles: dict[str, pf.Profile]) -> None:
    none = profiles[WIJGMAAL].childcare
    assert none.coverage == _wijk(WIJGMAAL)["childcare_coverage"] == "none"
    assert none.count is None
    partial = profiles[HEVERLEE].childcare
    assert partial.coverage == "partial" and partial.lower_bound
    assert partial.count == len(partial.places)
    assert partial.mapped_share == pytest.approx(_wijk(HEVERLEE)["childcare_mapped_share"])


def test_childcare_within_reach_equals_a_search_over_the_layer(
    engine: CommuteEngine, profiles: dict[str, pf.Profile]
) -> None:
    care = load_layer("childcare", default_data_dir())
    prof = profiles[HEVERLEE]
    assert {p.id for p in prof.childcare.places} == _reach_by_engine(engine, prof.centroid, care)


def test_international_schools_within_driving_reach(
    engine: CommuteEngine, profiles: dict[str, pf.Profile]
) -> None:
    schools = load_layer("international_schools", default_data_dir())
    schools = schools.loc[schools["in_region"].astype(bool)]
    prof = profiles[HEVERLEE]
    mode, limit = pf.INTERNATIONAL_REACH
    times = engine.times(
        prof.centroid,
        schools.geometry.x.to_numpy(),
        schools.geometry.y.to_numpy(),
        mode=mode,
        direction="from",
        max_minutes=limit,
    )
    expected = set(schools.loc[np.round(times.minutes, 1) <= limit, "id"])
    assert {s.id for s in prof.international_schools} == expected


def _direct_trains_by_rows(station: str, targets: tuple[str, ...], day: str) -> int:
    calls = load_layer("rail_timetable", default_data_dir())
    calls = calls.loc[calls["service_date"] == day]
    board = calls.loc[(calls["stop_id"] == station) & (calls["pickup_type"] != 1)]
    alight = calls.loc[calls["stop_id"].isin(targets) & (calls["drop_off_type"] != 1)]
    pairs = board.merge(alight, on="trip_id", suffixes=("_b", "_a"))
    later = pairs.loc[pairs["stop_sequence_a"] > pairs["stop_sequence_b"]]
    return int(later["trip_id"].nunique())


def test_nearest_station_and_direct_trains(profiles: dict[str, pf.Profile]) -> None:
    stations = load_layer("stations", default_data_dir())
    prof = profiles[WIJGMAAL]
    here = gpd.GeoSeries([Point(prof.centroid.lon, prof.centroid.lat)], crs=4326).to_crs(31370)
    distance = gpd.GeoSeries(stations.geometry, crs=4326).to_crs(31370).distance(here.iloc[0])
    nearest = stations.iloc[int(np.argmin(distance.to_numpy()))]
    station = prof.station
    assert station is not None
    assert station.id == nearest["id"]
    assert station.distance_m == pytest.approx(distance.min(), abs=1.0)
    assert station.trains_per_weekday == nearest["trains_per_weekday"]
    day = load_manifest("stations", default_data_dir()).extra["service_day"]
    assert station.service_day == day
    for target, ids in pf.TRAIN_TARGETS.items():
        assert station.trains_to(target) == _direct_trains_by_rows(station.id, ids, day)
    assert (station.trains_to("leuven") or 0) > 0


def test_the_target_station_itself_has_no_count(profiles: dict[str, pf.Profile]) -> None:
    station = profiles[CENTRE].station
    assert station is not None and station.id in pf.TRAIN_TARGETS["leuven"]
    assert station.trains_to("leuven") is None
    assert station.trains_to("brussels") == _direct_trains_by_rows(
        station.id, pf.TRAIN_TARGETS["brussels"], station.service_day
    )


def test_station_names_follow_the_language(engine: CommuteEngine) -> None:
    # a Mechelen wijk: its nearest station's Dutch and French names differ
    stations = load_layer("stations", default_data_dir()).set_index("id")
    code = str(stations.loc["8822004", "wijk"])
    french = pf.neighbourhood_profile(code, (), lang="fr", engine=engine)
    dutch = pf.neighbourhood_profile(code, (), lang="nl", engine=engine)
    assert french.station is not None and dutch.station is not None
    assert french.station.id == dutch.station.id
    row = stations.loc[french.station.id]
    assert row["name_nl"] != row["name_fr"]
    assert (french.station.name, dutch.station.name) == (row["name_fr"], row["name_nl"])


def test_prices_are_the_municipal_medians_and_their_series(profiles: dict[str, pf.Profile]) -> None:
    prof = profiles[HEVERLEE]
    row = _wijk(HEVERLEE)
    prices = load_layer("housing_prices", default_data_dir())
    for kind in pf.PRICE_TYPES:
        price = prof.price(kind)
        assert price.latest_eur == row[f"median_{kind}_price_muni"]
        assert price.latest_year == row["price_year"]
        rows = prices.loc[(prices["nis"] == row["nis"]) & (prices["type"] == kind)]
        assert [p.year for p in price.series] == sorted(rows["year"])
        by_year = {p.year: p.median_eur for p in price.series}
        assert price.latest_year is not None
        assert by_year[price.latest_year] == price.latest_eur
        unknown = rows.loc[rows["median_price_eur"].isna(), "year"]
        assert all(by_year[y] is None for y in unknown)


def test_population_known_and_unknown(
    profiles: dict[str, pf.Profile], engine: CommuteEngine
) -> None:
    population = load_layer("population", default_data_dir()).set_index("nis")
    known = profiles[HEVERLEE].population
    assert known.wijk == _wijk(HEVERLEE)["population"]
    assert known.municipality == population.loc["24062", "population_2020"]
    assert known.households == population.loc["24062", "households_observed"]
    assert profiles[WIJGMAAL].population.wijk is None
    # Brussels municipalities are outside the Flemish household figures: unknown
    brussels = load_layer("neighbourhoods", default_data_dir())
    code = str(brussels.loc[brussels["nis"] == "21019", "code"].iloc[0])
    assert (
        pf.neighbourhood_profile(code, (), lang="en", engine=engine).population.households is None
    )


def test_population_says_why_unknown_and_its_years(profiles: dict[str, pf.Profile]) -> None:
    """The layer's note for an unknown wijk figure; the years are the manifests' dates."""
    unknown = profiles[WIJGMAAL].population
    note = _wijk(WIJGMAAL)["population_note"]
    assert note and unknown.wijk_note == note
    assert profiles[HEVERLEE].population.wijk_note == ""
    sector = load_manifest("sector_population", default_data_dir()).data_date
    municipal = load_manifest("population", default_data_dir()).data_date
    assert unknown.wijk_year == int(sector[:4])
    assert unknown.municipality_year == int(municipal[:4])


def test_sources_are_the_manifests(profiles: dict[str, pf.Profile]) -> None:
    prof = profiles[HEVERLEE]
    assert set(prof.sources) == set(pf.SECTION_LAYERS)
    for section, layers in pf.SECTION_LAYERS.items():
        for source, name in zip(prof.sources[section], layers, strict=True):
            manifest = load_manifest(name, default_data_dir())
            assert (source.layer, source.source, source.data_date) == (
                manifest.name,
                manifest.source,
                manifest.data_date,
            )


def test_no_commutes_gives_an_empty_commute_section(engine: CommuteEngine) -> None:
    prof = pf.neighbourhood_profile(HEVERLEE, (), lang="en", engine=engine)
    assert prof.commutes == ()


def test_adult_education_nearest_centres_with_times_from_home_and_work(
    engine: CommuteEngine, profiles: dict[str, pf.Profile]
) -> None:
    centres = load_layer("adult_education", default_data_dir())
    prof = profiles[WIJGMAAL]
    here = gpd.GeoSeries([Point(prof.centroid.lon, prof.centroid.lat)], crs=4326).to_crs(31370)
    metres = gpd.GeoSeries(centres.geometry, crs=4326).to_crs(31370).distance(here.iloc[0])
    nearest = centres.loc[metres.sort_values(kind="stable").index[: pf.ADULT_EDUCATION_COUNT]]
    listed = prof.adult_education
    assert [c.place.id for c in listed] == list(nearest["id"])
    assert [c.place.kind for c in listed] == list(nearest["kind"])
    limit = pf.ADULT_EDUCATION_MINUTES
    lon, lat = nearest.geometry.x.to_numpy(), nearest.geometry.y.to_numpy()
    for mode in ("bike", "car"):
        home = engine.times(prof.centroid, lon, lat, mode=mode, direction="from", max_minutes=limit)
        work = engine.times(
            prof.commutes[0].workplace, lon, lat, mode=mode, direction="from", max_minutes=limit
        )
        for centre, at_home, at_work in zip(listed, home.minutes, work.minutes, strict=True):
            assert centre.place.minutes[mode] == (None if np.isnan(at_home) else round(at_home, 1))
            assert centre.from_work[0].person == 1
            assert centre.from_work[0].minutes[mode] == (
                None if np.isnan(at_work) else round(at_work, 1)
            )
    assert len(listed[0].from_work) == len(SPECS)


@pytest.mark.parametrize("day", [None, "2019-10-22", "Tuesday"])
def test_a_stations_manifest_without_a_usable_service_day_is_named(
    engine: CommuteEngine, day: str | None
) -> None:
    # hand-made: the real data with the stations manifest's service day damaged
    data = pf.load_profile_data(default_data_dir())
    stations = data.manifests["stations"]
    extra = {k: v for k, v in stations.extra.items() if k != "service_day"}
    if day is not None:
        extra["service_day"] = day
    damaged = dataclasses.replace(stations, extra=extra)
    manifests = {**data.manifests, "stations": damaged}
    broken = dataclasses.replace(data, manifests=manifests)
    with pytest.raises(SnapshotError) as caught:
        pf.neighbourhood_profile(HEVERLEE, (), lang="en", engine=engine, data=broken)
    assert "stations.manifest.json" in str(caught.value)
    assert "service_day" in str(caught.value)
