"""Stage ``transit``: railway stations and De Lijn bus stops of the region.

Stations come from the NMBS GTFS (names, train counts on one weekday) and iRail (Dutch
names as fallback); bus stops from the De Lijn GTFS, with
the lines serving them read from OSM route relations where the OSM extract covers them.
A compact one-week rail timetable for the commute engine (every boarding or alighting
train call, Monday 2019-10-14 to Sunday 2019-10-20) is built by :func:`rail_timetable_output`.
"""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import pandas as pd

from etl.pipeline import BuildContext, Output, Stage
from etl.settings import STORAGE_CRS
from etl.sources import transit as src
from etl.transform.region import assign_areas, keep_in_region, points_from_xy
from geodata.io import LayerManifest

#: Representative weekday of the 2019 NMBS feed (a Tuesday outside school holidays).
SERVICE_DAY = date(2019, 10, 15)

NMBS_SOURCE = "NMBS/SNCB GTFS static timetable (feed of 2019-10-12)"
NMBS_LICENCE = "NMBS/SNCB open data licence; attribution 'NMBS/SNCB'"
IRAIL_LICENCE = "iRail stations: CC0"
DELIJN_SOURCE = "De Lijn GTFS (feed of 2019-07-03); OpenStreetMap bus route relations (2024-06)"
DELIJN_LICENCE = (
    "De Lijn open data, attribution 'De Lijn'; lines: ODbL 1.0, '© OpenStreetMap contributors'"
)

STATION_COLUMNS = [
    "id",
    "name_nl",
    "name_fr",
    "trains_per_weekday",
    "routes",
    "train_types",
    "nis",
    "municipality",
    "wijk",
    "geometry",
]
BUS_STOP_COLUMNS = [
    "id",
    "stop_code",
    "name",
    "lines",
    "lines_known",
    "nis",
    "municipality",
    "wijk",
    "geometry",
]


def _in_region(
    frame: pd.DataFrame, munis: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Place ``lon``/``lat`` points, add nis/municipality/wijk, keep those in the region."""
    points = points_from_xy(frame, "lon", "lat", STORAGE_CRS)
    return keep_in_region(assign_areas(points, munis, wijken))


def _sorted_by_id(frame: gpd.GeoDataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    """Order rows by numeric id (ids are digit strings of varying length)."""
    out = frame[columns].sort_values("id", key=lambda s: s.str.zfill(12), kind="stable")
    return out.reset_index(drop=True)


def build_stations(
    gtfs: pd.DataFrame,
    service: pd.DataFrame,
    rail_ids: set[str],
    translations_nl: dict[str, str],
    irail: pd.DataFrame,
    munis: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Join GTFS stations, their service, names and iRail counts; keep the region's.

    Parameters
    ----------
    gtfs : DataFrame
        :func:`etl.sources.transit.parse_nmbs_stations`.
    service : DataFrame
        :func:`etl.sources.transit.station_service` for the service day.
    rail_ids : set of str
        Stop ids any train calls at in the feed; other NMBS stops (bus-only) are left out.
    translations_nl : dict
        French stop name -> Dutch name (from the feed's translations).
    irail : DataFrame
        :func:`etl.sources.transit.parse_irail_stations`.
    munis, wijken : GeoDataFrame
        Region polygons.

    Returns
    -------
    tuple
        The layer and counts of rows left out, for the manifest.
    """
    rail = gtfs[gtfs["id"].isin(rail_ids)]
    placed = _in_region(rail, munis, wijken)
    # iRail's avg_stop_times is not used: it gives neighbouring stations on one line the
    # same value (Nossegem 327 a day vs 64 trains in the timetable), so it is not per station.
    irail_cols = irail[["id", "name_nl"]].rename(columns={"name_nl": "irail_nl"})
    out = placed.merge(service, on="id", how="left").merge(irail_cols, on="id", how="left")
    # Dutch name: the feed's own translation first, iRail second, the French name last.
    out["name_nl"] = out["name_fr"].map(translations_nl).fillna(out["irail_nl"])
    out["name_nl"] = out["name_nl"].fillna(out["name_fr"])
    out["trains_per_weekday"] = out["trains_per_weekday"].fillna(0).astype("int64")
    out["routes"] = out["routes"].fillna(0).astype("int64")
    out["train_types"] = out["train_types"].fillna("")
    dropped = {
        "nmbs_stops_without_trains": int(len(gtfs) - len(rail)),
        "stations_outside_region": int(len(rail) - len(placed)),
        "stations_without_irail_match": int(out["irail_nl"].isna().sum()),
    }
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=placed.crs)
    return _sorted_by_id(out, STATION_COLUMNS), dropped


def build_bus_stops(
    stops: pd.DataFrame,
    lines: pd.DataFrame,
    munis: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """Place De Lijn stops in the region and add the OSM lines where OSM knows them.

    Parameters
    ----------
    stops : DataFrame
        :func:`etl.sources.transit.parse_delijn_stops`.
    lines : DataFrame
        :func:`etl.sources.transit.lines_by_stop_code` (``stop_code``, ``lines``).
    munis, wijken : GeoDataFrame
        Region polygons.
    """
    placed = _in_region(stops.rename(columns={"stop_id": "id"}), munis, wijken)
    out = placed.merge(lines, on="stop_code", how="left")
    out["lines_known"] = out["lines"].notna()
    out["lines"] = out["lines"].fillna("")
    out = gpd.GeoDataFrame(out, geometry="geometry", crs=placed.crs)
    return _sorted_by_id(out, BUS_STOP_COLUMNS)


def _stations_output(ctx: BuildContext) -> Output:
    gtfs_path = ctx.raw(src.NMBS_GTFS)
    calls = src.rail_stop_times_on(gtfs_path, SERVICE_DAY)
    stations, dropped = build_stations(
        src.parse_nmbs_stations(gtfs_path),
        src.station_service(calls),
        src.rail_served_stop_ids(gtfs_path),
        src.read_translations(gtfs_path, "nl"),
        src.parse_irail_stations(ctx.raw(src.IRAIL_STATIONS)),
        ctx.layer("municipalities"),
        ctx.layer("wijken"),
    )
    leuven = stations.loc[stations["id"] == "8833001", "trains_per_weekday"]
    manifest = LayerManifest(
        "stations",
        "Railway stations",
        f"{NMBS_SOURCE}; iRail stations list",
        src.LIVE_SOURCES[0].documented_at,
        f"{NMBS_LICENCE}; {IRAIL_LICENCE}",
        SERVICE_DAY.isoformat(),
        "every NMBS station (stop with train calls in the 2019 feed) inside the 60 region "
        f"municipalities; trains_per_weekday counts trains stopping on Tuesday "
        f"{SERVICE_DAY.isoformat()} (2019 timetable, not today's); rail replacement buses "
        "and trains passing without stopping are not counted",
        extra={
            "service_day": SERVICE_DAY.isoformat(),
            "leuven_trains_on_service_day": int(leuven.iloc[0]) if len(leuven) else 0,
            **dropped,
        },
    )
    return Output(manifest, stations)


def _bus_stops_output(ctx: BuildContext) -> Output:
    stops = src.parse_delijn_stops(ctx.raw(src.DELIJN_GTFS))
    routes = src.parse_osm_bus_routes(ctx.raw(src.OSM_PBF))
    bus = build_bus_stops(
        stops, src.lines_by_stop_code(routes), ctx.layer("municipalities"), ctx.layer("wijken")
    )
    osm_codes = set(routes.stop_codes)
    manifest = LayerManifest(
        "bus_stops",
        "Bus and tram stops (De Lijn)",
        DELIJN_SOURCE,
        src.LIVE_SOURCES[1].documented_at,
        DELIJN_LICENCE,
        "2019-07-03",
        "all De Lijn stops of the 2019 feed inside the 60 region municipalities; the lines "
        "serving a stop are known only in central Leuven (lon 4.645-4.785, lat "
        "50.850-50.940), from OpenStreetMap route relations of 2024 (lines_known); "
        "elsewhere lines is empty; no timetable: the 2019 feed's stop_times are truncated",
        extra={
            "stops_in_feed": len(stops),
            "stops_outside_region": len(stops) - len(bus),
            "stops_with_lines_known": int(bus["lines_known"].sum()),
            "stops_with_lines": int((bus["lines"] != "").sum()),
            "osm_route_relations": int(routes.members["relation_id"].nunique()),
            "osm_stop_codes_not_in_feed": len(osm_codes - set(stops["stop_code"])),
        },
    )
    return Output(manifest, bus)


#: The week of rail timetables kept for the commute engine: Monday to Sunday around the
#: stations' service day, so a requested weekday maps onto the same weekday of the feed.
SERVICE_WEEK = tuple(date(2019, 10, 14 + i) for i in range(7))


def rail_timetable_output(ctx: BuildContext) -> Output:
    """Build the one-week rail timetable layer (``rail_timetable``) for the commute engine."""
    path = ctx.raw(src.NMBS_GTFS)
    days = []
    for day in SERVICE_WEEK:
        table = src.rail_timetable_on(path, day)
        table.insert(0, "service_date", day.isoformat())
        days.append(table)
    week = pd.concat(days, ignore_index=True)
    first, last = SERVICE_WEEK[0].isoformat(), SERVICE_WEEK[-1].isoformat()
    manifest = LayerManifest(
        "rail_timetable",
        "Rail timetable of one week",
        NMBS_SOURCE,
        src.LIVE_SOURCES[0].documented_at,
        NMBS_LICENCE,
        f"{first}/{last}",
        f"every train call where people can board or alight, Monday {first} to Sunday "
        f"{last} (one row per call and service_date), all of Belgium and cross-border "
        "trains; times in seconds after midnight of the service date (may pass 86,400); "
        "no buses",
        extra={
            "trips_per_day": {
                d: int(n) for d, n in week.groupby("service_date")["trip_id"].nunique().items()
            }
        },
    )
    return Output(manifest, week)


def build(ctx: BuildContext) -> list[Output]:
    """Build stations, bus stops and (when catalogued) the rail timetable."""
    return [_stations_output(ctx), _bus_stops_output(ctx), rail_timetable_output(ctx)]


OUTPUTS: tuple[str, ...] = ("stations", "bus_stops", "rail_timetable")

STAGES = [
    Stage(
        name="transit",
        inputs=(src.NMBS_GTFS, src.DELIJN_GTFS, src.IRAIL_STATIONS, src.OSM_PBF),
        depends=("municipalities", "wijken"),
        outputs=OUTPUTS,
        build=build,
    )
]
