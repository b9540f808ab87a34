"""Public transport sources: NMBS/SNCB and De Lijn GTFS, iRail stations, OSM bus routes.

GTFS tables are read straight from the feed's zip (no unpacking) with
:func:`read_gtfs_table`, which the commute engine can reuse for any table of any feed.
All values are read as strings and stripped (the NMBS feed pads platform ids with
spaces); callers convert.

How NMBS models a station: a parent ``S8833001`` (``location_type`` 1), one stop
``8833001`` without platform (the id ``stop_times.txt`` uses) and platform stops
``8833001_4`` that only ``stop_time_overrides.txt`` references.  A station here is the
platform-less stop, so its id is the 7-digit UIC-based code that iRail URIs end in.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from etl.errors import SourceError, require_columns
from etl.settings import REGION_BBOX, LiveSource
from etl.sources.contracts import check_row_lengths, decode_text, require_unique
from etl.sources.osm_pbf import iter_relations, iter_tagged_features
from etl.sources.vector import read_csv
from etl.transform.region import BELGIUM, BELGIUM_AND_NEIGHBOURS, EUROPE, Envelope, check_inside

NMBS_GTFS = "transit/nmbs_sncb_gtfs_2019-10-12.zip"
DELIJN_GTFS = "transit/delijn_gtfs_2019-07-03_no_timetable.zip"
IRAIL_STATIONS = "transit/irail_stations.csv"
OSM_PBF = "osm/leuven_core_2024-06.osm.pbf"

LIVE_SOURCES = (
    LiveSource(
        "nmbs_gtfs",
        NMBS_GTFS,
        "https://sncb-opendata.hafas.de/gtfs/static/c21ac6758dd25af84cca5b707f3cb3de",
        "https://www.belgiantrain.be/en/3rd-party-services/mobility-service-providers/public-data",
        "NMBS publishes the static GTFS behind a personal link after accepting the licence "
        "on the public-data page (the URL above is the form the link takes; replace the "
        "token with your own; the Belgian Mobility portal republishes it without a key as "
        "https://belgianmobility.blob.core.windows.net/gtfs/production/"
        "gtfs-nmbssncb-bmc-latest.zip).  The mirror copy (2019-10-12) has the old NMBS "
        "translations.txt (trans_id/lang/translation); read_translations also reads the "
        "standard GTFS form (table_name/field_name/language/field_value) in case a live "
        "feed uses it.",
    ),
    LiveSource(
        "delijn_gtfs",
        DELIJN_GTFS,
        "https://belgianmobility.blob.core.windows.net/gtfs/production/gtfs-delijn-bmc-latest.zip",
        "https://opendata-portal.api.production.belgianmobility.io/knowledge-base.html",
        "De Lijn's own portal (https://data.delijn.be, product 'De Lijn GTFS') needs a free "
        "account and a subscription key (header Ocp-Apim-Subscription-Key); the Belgian "
        "Mobility open-data portal republishes the same feed without a key (limit 10 "
        "downloads a day per IP).  A live feed has full stop_times (millions of rows); the "
        "mirror copy (2019-07-03) has stop_times truncated to 6 trips.",
    ),
    LiveSource(
        "irail_stations",
        IRAIL_STATIONS,
        "https://raw.githubusercontent.com/iRail/stations/master/stations.csv",
        "https://github.com/iRail/stations",
        "same format as the mirror copy (CC0)",
    ),
)

#: GTFS ``route_type`` values of buses (basic 3 and extended 700-799): not trains.
BUS_ROUTE_TYPES = frozenset({"3", *(str(t) for t in range(700, 800))})

_STOP_COLUMNS = ("stop_id", "stop_name", "stop_lat", "stop_lon")

#: Primary key of each GTFS table (GTFS reference): required, and unique in the table.
GTFS_KEYS: dict[str, tuple[str, ...]] = {
    "stops.txt": ("stop_id",),
    "routes.txt": ("route_id",),
    "trips.txt": ("trip_id",),
    "stop_times.txt": ("trip_id", "stop_sequence"),
    "calendar.txt": ("service_id",),
    "calendar_dates.txt": ("service_id", "date"),
}

#: Share of a feed's trips that may lack calls in ``stop_times.txt`` before the feed is
#: refused: a complete feed has calls for every trip (NMBS 2019: all 17,776), a
#: ``stop_times.txt`` cut short leaves most trips without any.
MAX_TRIPS_WITHOUT_CALLS_SHARE = 0.01


# --------------------------------------------------------------------------- GTFS basics


def read_gtfs_table(
    path: Path, name: str, required: Iterable[str], *, allow_empty: bool = False
) -> pd.DataFrame:
    """Read one table of a GTFS zip as strings, checking that it exists and has columns.

    Parameters
    ----------
    path : Path
        The GTFS zip file.
    name : str
        Table file inside the zip, e.g. ``"stops.txt"``.
    required : iterable of str
        Columns that must be present.
    allow_empty : bool, default False
        Accept a table with a header but no rows.

    Returns
    -------
    DataFrame
        Every column as ``str``, stripped of surrounding blanks; missing values are ``""``.
        The table's key columns (:data:`GTFS_KEYS`) are always required and unique.

    Raises
    ------
    SourceError
        When the zip is corrupt or truncated (the member's CRC is checked), the table is
        missing, not UTF-8, has a record shorter than its header (cut mid-row), is
        empty or lacks a required column; the message names the zip and the table.
    """
    where = member_path(path, name)
    text = decode_text(_read_zip_member(path, name), where)
    # A member cut mid-row still passes the zip's CRC when it was re-zipped after the cut.
    check_row_lengths(text, where)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(where, f"not a readable GTFS table ({exc})") from exc
    frame.columns = [c.strip() for c in frame.columns]
    key = GTFS_KEYS.get(name, ())
    require_columns(frame.columns, (*key, *(c for c in required if c not in key)), where)
    if frame.empty and not allow_empty:
        raise SourceError(where, "has a header but no rows")
    frame = frame.apply(lambda col: col.str.strip())
    if key:
        require_unique(frame[list(key)], where, "/".join(key))
    return frame


def member_path(path: Path, name: str) -> Path:
    """Name a zip member in errors: ``feed.zip!stops.txt``."""
    return Path(f"{path}!{name}")


def gtfs_has_table(path: Path, name: str) -> bool:
    """Return True when the GTFS zip holds the table ``name``."""
    return name in _zip_names(path)


def _zip_names(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(path, f"not a readable zip file ({exc})") from exc


def _read_zip_member(path: Path, name: str) -> bytes:
    if name not in _zip_names(path):
        raise SourceError(path, f"GTFS table {name} is missing from the zip")
    try:
        with zipfile.ZipFile(path) as zf:
            # read() goes to the member's end, so zipfile checks its CRC-32.
            return zf.read(name)
    # A truncated or damaged member shows up as a CRC, zlib or end-of-file error.
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        where = member_path(path, name)
        raise SourceError(where, f"zip member is truncated or corrupt ({exc})") from exc


def seconds_from_gtfs_time(values: pd.Series, where: Path) -> pd.Series:
    """Convert GTFS ``H:MM:SS`` times to seconds after the start of the service day.

    Hours may pass 24 (a train leaving at ``25:10:00`` runs after midnight).

    Raises
    ------
    SourceError
        When a non-empty value is not a GTFS time.
    """
    parts = values.str.extract(r"^(\d{1,3}):([0-5]\d):([0-5]\d)$")
    bad = values.ne("") & parts[0].isna()
    if bad.any():
        example = values[bad].iloc[0]
        raise SourceError(
            where, f"{int(bad.sum())} time value(s) are not H:MM:SS, e.g. {example!r}"
        )
    nums = parts.astype("float64")
    return (nums[0] * 3600 + nums[1] * 60 + nums[2]).astype("Int64")


def service_ids_on(path: Path, day: date) -> set[str]:
    """Return the ``service_id`` values running on ``day`` (calendar plus exceptions).

    Either ``calendar.txt`` or ``calendar_dates.txt`` may be absent, as GTFS allows, but
    not both.
    """
    stamp = day.strftime("%Y%m%d")
    active: set[str] = set()
    has_calendar = gtfs_has_table(path, "calendar.txt")
    has_dates = gtfs_has_table(path, "calendar_dates.txt")
    if not (has_calendar or has_dates):
        raise SourceError(path, "has neither calendar.txt nor calendar_dates.txt")
    if has_calendar:
        weekday = day.strftime("%A").lower()
        cal = read_gtfs_table(
            path,
            "calendar.txt",
            ("service_id", weekday, "start_date", "end_date"),
            allow_empty=True,
        )
        runs = (cal[weekday] == "1") & (cal["start_date"] <= stamp) & (cal["end_date"] >= stamp)
        active |= set(cal.loc[runs, "service_id"])
    if has_dates:
        exc = read_gtfs_table(
            path,
            "calendar_dates.txt",
            ("service_id", "date", "exception_type"),
            allow_empty=True,
        )
        today = exc[exc["date"] == stamp]
        active |= set(today.loc[today["exception_type"] == "1", "service_id"])
        active -= set(today.loc[today["exception_type"] == "2", "service_id"])
    return active


def _coordinates(frame: pd.DataFrame, where: Path, envelope: Envelope) -> pd.DataFrame:
    """Add float ``lon``/``lat`` from ``stop_lon``/``stop_lat``; refuse impossible values.

    More than :data:`etl.transform.region.MAX_OUTSIDE_SHARE` of the stops outside
    ``envelope`` (the feed's documented area) is an error; the few outside are kept
    (stations abroad), and the stages place stops in the region by polygon.
    """
    out = frame.copy()
    out["lon"] = pd.to_numeric(out["stop_lon"], errors="coerce")
    out["lat"] = pd.to_numeric(out["stop_lat"], errors="coerce")
    bad = out["lon"].isna() | out["lat"].isna() | ~out["lat"].between(-90, 90)
    bad |= ~out["lon"].between(-180, 180)
    if bad.any():
        example = out.loc[bad, "stop_id"].iloc[0]
        raise SourceError(
            where, f"{int(bad.sum())} stop(s) lack valid WGS84 coordinates, e.g. {example!r}"
        )
    labels = [f"stop_id {v!r}" for v in out["stop_id"]]
    check_inside(out["lon"], out["lat"], envelope, where, what="stops", labels=labels)
    lon_min, lat_min, lon_max, lat_max = REGION_BBOX
    inside = out["lon"].between(lon_min, lon_max) & out["lat"].between(lat_min, lat_max)
    # A national feed always has stops in the region; none means swapped axes or another CRS.
    if not inside.any():
        raise SourceError(where, "no stop lies in the region box; coordinates look wrong")
    return out


# --------------------------------------------------------------------------- NMBS


def parse_nmbs_stations(path: Path) -> pd.DataFrame:
    """Parse the NMBS stations (platform-less stops) of the feed.

    Returns
    -------
    DataFrame
        ``id`` (7-digit code), ``name_fr`` (the feed's stop name, French), ``lon``, ``lat``,
        sorted by ``id``.
    """
    stops = read_gtfs_table(path, "stops.txt", (*_STOP_COLUMNS, "location_type"))
    platform = stops["platform_code"] if "platform_code" in stops else pd.Series("", stops.index)
    stations = stops[(stops["location_type"].isin(["", "0"])) & (platform == "")]
    stations = stations[stations["stop_id"].str.fullmatch(r"\d{7}")]
    if stations.empty:
        raise SourceError(member_path(path, "stops.txt"), "has no 7-digit station stops")
    stations = _coordinates(stations, member_path(path, "stops.txt"), BELGIUM_AND_NEIGHBOURS)
    out = stations.rename(columns={"stop_id": "id", "stop_name": "name_fr"})
    return out[["id", "name_fr", "lon", "lat"]].sort_values("id").reset_index(drop=True)


def read_translations(path: Path, language: str) -> dict[str, str]:
    """Map the feed's stop names to their translation in ``language`` (e.g. ``"nl"``).

    Reads both the old NMBS format (``trans_id``, ``lang``, ``translation``, where
    ``trans_id`` is the original name) and the GTFS standard one (``table_name``,
    ``field_name``, ``language``, ``translation``, ``field_value``).  Returns an empty
    mapping when the feed has no ``translations.txt``.
    """
    if not gtfs_has_table(path, "translations.txt"):
        return {}
    table = read_gtfs_table(path, "translations.txt", ("translation",))
    where = member_path(path, "translations.txt")
    if {"trans_id", "lang"} <= set(table.columns):
        rows = table[table["lang"] == language]
        return dict(zip(rows["trans_id"], rows["translation"], strict=True))
    require_columns(table.columns, ("table_name", "field_name", "language", "field_value"), where)
    rows = table[
        (table["table_name"] == "stops")
        & (table["field_name"] == "stop_name")
        & (table["language"] == language)
        & (table["field_value"] != "")
    ]
    return dict(zip(rows["field_value"], rows["translation"], strict=True))


def rail_stop_times_on(path: Path, day: date) -> pd.DataFrame:
    """Return the calls of trains (not buses) running on ``day`` where people can get on or off.

    Rows where both ``pickup_type`` and ``drop_off_type`` are 1 are trains passing a
    station without stopping (40% of the NMBS stop_times); they are left out.

    Returns
    -------
    DataFrame
        ``trip_id``, ``route_id``, ``route_short_name``, ``route_type``, ``train``
        (trip_short_name), ``stop_sequence`` (int), ``stop_id``, ``arrival_s``,
        ``departure_s`` (seconds after midnight of ``day``; may pass 86,400),
        ``pickup_type``, ``drop_off_type``.
    """
    services = service_ids_on(path, day)
    trips = read_gtfs_table(path, "trips.txt", ("route_id", "service_id", "trip_id"))
    routes = read_gtfs_table(path, "routes.txt", ("route_id", "route_short_name", "route_type"))
    trips = trips[trips["service_id"].isin(services)]
    trips = trips.merge(routes[["route_id", "route_short_name", "route_type"]], on="route_id")
    trips = trips[~trips["route_type"].isin(BUS_ROUTE_TYPES)]
    trips["train"] = trips.get("trip_short_name", "")
    required = ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence")
    times = read_gtfs_table(path, "stop_times.txt", required)
    _check_trips_have_calls(trips["trip_id"], times["trip_id"], path)
    times = times[times["trip_id"].isin(trips["trip_id"])].copy()
    for col in ("pickup_type", "drop_off_type"):
        times[col] = times[col].replace("", "0") if col in times else "0"
    times = times[(times["pickup_type"] != "1") | (times["drop_off_type"] != "1")]
    where = member_path(path, "stop_times.txt")
    times["arrival_s"] = seconds_from_gtfs_time(times["arrival_time"], where)
    times["departure_s"] = seconds_from_gtfs_time(times["departure_time"], where)
    sequence = pd.to_numeric(times["stop_sequence"], errors="coerce")
    if sequence.isna().any() or (sequence % 1 != 0).any():
        bad = times.loc[sequence.isna() | (sequence % 1 != 0), "stop_sequence"].iloc[0]
        raise SourceError(where, f"stop_sequence {bad!r} is not a whole number")
    times["stop_sequence"] = sequence.astype("int64")
    cols = ["trip_id", "route_id", "route_short_name", "route_type", "train"]
    out = times.merge(trips[cols], on="trip_id")
    keep = [*cols, "stop_sequence", "stop_id", "arrival_s", "departure_s"]
    keep += ["pickup_type", "drop_off_type"]
    return out[keep].sort_values(["trip_id", "stop_sequence"]).reset_index(drop=True)


def station_service(calls: pd.DataFrame) -> pd.DataFrame:
    """Count trains, routes and train types per station from :func:`rail_stop_times_on`.

    Returns
    -------
    DataFrame
        ``id``, ``trains_per_weekday`` (distinct trips stopping), ``routes`` (distinct GTFS
        routes, i.e. NMBS relations), ``train_types`` (sorted ``route_short_name`` values
        joined with ``;``, e.g. ``"IC;L;P"``).
    """
    grouped = calls.groupby("stop_id")
    out = pd.DataFrame(
        {
            "trains_per_weekday": grouped["trip_id"].nunique(),
            "routes": grouped["route_id"].nunique(),
            "train_types": grouped["route_short_name"].agg(
                lambda s: ";".join(sorted(set(s) - {""}))
            ),
        }
    )
    return out.rename_axis("id").reset_index()


def rail_served_stop_ids(path: Path) -> set[str]:
    """Return the stop ids that any train (not bus) calls at on any day of the feed."""
    trips = read_gtfs_table(path, "trips.txt", ("route_id", "trip_id"))
    routes = read_gtfs_table(path, "routes.txt", ("route_id", "route_type"))
    rail_routes = routes.loc[~routes["route_type"].isin(BUS_ROUTE_TYPES), "route_id"]
    rail_trips = trips.loc[trips["route_id"].isin(rail_routes), "trip_id"]
    times = read_gtfs_table(path, "stop_times.txt", ("trip_id", "stop_id"))
    _check_trips_have_calls(rail_trips, times["trip_id"], path)
    return set(times.loc[times["trip_id"].isin(rail_trips), "stop_id"])


def _check_trips_have_calls(trip_ids: pd.Series, call_trip_ids: pd.Series, path: Path) -> None:
    """Refuse a ``stop_times.txt`` that leaves many of ``trip_ids`` without any call.

    A table cut at a line end passes every row check; the trips it lost give it away.
    At most :data:`MAX_TRIPS_WITHOUT_CALLS_SHARE` of the trips may lack calls.
    """
    missing = ~trip_ids.isin(set(call_trip_ids))
    if missing.sum() > MAX_TRIPS_WITHOUT_CALLS_SHARE * len(trip_ids):
        example = trip_ids[missing].iloc[0]
        msg = (
            f"{int(missing.sum())} of {len(trip_ids)} trips of trips.txt have no call here, "
            f"e.g. trip_id {example!r}; stop_times.txt truncated?"
        )
        raise SourceError(member_path(path, "stop_times.txt"), msg)


def min_transfer_seconds(path: Path) -> pd.Series:
    """Return the minimum same-station transfer time per stop id (``transfers.txt``).

    Only rows with ``from_stop_id == to_stop_id`` and no trip restriction are used (all
    rows of the NMBS feed are of that kind); the result is empty without the table.
    """
    if not gtfs_has_table(path, "transfers.txt"):
        return pd.Series(dtype="Int64", name="min_transfer_s")
    table = read_gtfs_table(
        path,
        "transfers.txt",
        ("from_stop_id", "to_stop_id", "min_transfer_time"),
        allow_empty=True,
    )
    same = table["from_stop_id"] == table["to_stop_id"]
    for col in ("from_trip_id", "to_trip_id"):
        if col in table:
            same &= table[col] == ""
    rows = table[same & (table["min_transfer_time"] != "")]
    secs = pd.to_numeric(rows["min_transfer_time"], errors="coerce")
    out = secs.groupby(rows["from_stop_id"]).min().astype("Int64")
    out.name = "min_transfer_s"
    return out


def rail_timetable_on(path: Path, day: date) -> pd.DataFrame:
    """Build the compact one-day rail timetable the commute engine routes over.

    One row per train call where people can board or alight, for every train running on
    ``day`` (all of Belgium, so commutes to Brussels or Antwerp work), with the station's
    coordinates and minimum transfer time, ready for RAPTOR (group by ``trip_id``) or the
    Connection Scan Algorithm (pair consecutive calls of a trip).

    Returns
    -------
    DataFrame
        Columns of :func:`rail_stop_times_on` plus ``stop_name`` (French), ``stop_lon``,
        ``stop_lat`` and ``min_transfer_s``; sorted by ``trip_id``, ``stop_sequence``.
    """
    calls = rail_stop_times_on(path, day)
    stops = read_gtfs_table(path, "stops.txt", _STOP_COLUMNS)
    stops = _coordinates(stops, member_path(path, "stops.txt"), BELGIUM_AND_NEIGHBOURS)
    stops = stops.drop(columns=["stop_lon", "stop_lat"])
    stops = stops.rename(columns={"lon": "stop_lon", "lat": "stop_lat"})
    out = calls.merge(stops[["stop_id", "stop_name", "stop_lon", "stop_lat"]], on="stop_id")
    if len(out) != len(calls):
        raise SourceError(member_path(path, "stop_times.txt"), "refers to stop_id not in stops.txt")
    transfers = min_transfer_seconds(path)
    out["min_transfer_s"] = out["stop_id"].map(transfers).astype("Int64")
    for col in ("route_type", "pickup_type", "drop_off_type"):
        out[col] = out[col].astype("int16")
    return out.sort_values(["trip_id", "stop_sequence"]).reset_index(drop=True)


# --------------------------------------------------------------------------- iRail


def read_irail_frame(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """Read iRail's stations.csv with its checks: ``columns`` plus ``id``, ``lon``, ``lat``.

    ``id`` is the URI's number without leading zeros (= the NMBS GTFS stop id).

    Raises
    ------
    SourceError
        For a missing column, a URI without station number, a repeated id, or a station
        without numeric coordinates or outside Europe.
    """
    frame = read_csv(path, list(columns))
    digits = frame["URI"].str.extract(r"/NMBS/(\d+)$")[0]
    if digits.isna().any():
        bad = frame.loc[digits.isna(), "URI"].iloc[0]
        raise SourceError(path, f"URI {bad!r} does not end in /NMBS/<digits>")
    frame["id"] = digits.astype("int64").astype(str)
    require_unique(frame["id"], path, "station id (URI number)")
    frame["lon"] = pd.to_numeric(frame["longitude"], errors="coerce")
    frame["lat"] = pd.to_numeric(frame["latitude"], errors="coerce")
    if frame[["lon", "lat"]].isna().any().any():
        raise SourceError(path, "has stations without numeric longitude/latitude")
    labels = [f"line {i + 2} (URI {u})" for i, u in enumerate(frame["URI"])]
    check_inside(frame["lon"], frame["lat"], EUROPE, path, what="stations", labels=labels)
    return frame


def parse_irail_stations(path: Path) -> pd.DataFrame:
    """Parse iRail's stations.csv: GTFS-compatible id, Dutch and French names, stop count.

    Returns
    -------
    DataFrame
        ``id`` (the URI's number without leading zeros, = NMBS GTFS stop id), ``name_nl``,
        ``name_fr`` (alternative name when given, else the official name),
        ``avg_stop_times`` (float), ``lon``, ``lat``; sorted by ``id``.
    """
    required = ["URI", "name", "alternative-fr", "alternative-nl", "longitude", "latitude"]
    frame = read_irail_frame(path, [*required, "avg_stop_times"])
    frame["name_nl"] = frame["alternative-nl"].fillna(frame["name"])
    frame["name_fr"] = frame["alternative-fr"].fillna(frame["name"])
    frame["avg_stop_times"] = pd.to_numeric(frame["avg_stop_times"], errors="coerce")
    cols = ["id", "name_nl", "name_fr", "avg_stop_times", "lon", "lat"]
    return frame[cols].sort_values("id").reset_index(drop=True)


# --------------------------------------------------------------------------- De Lijn


def parse_delijn_stops(path: Path) -> pd.DataFrame:
    """Parse De Lijn's stops.txt: ``stop_id``, ``stop_code``, ``name``, ``lon``, ``lat``."""
    stops = read_gtfs_table(path, "stops.txt", (*_STOP_COLUMNS, "stop_code"))
    where = member_path(path, "stops.txt")
    stops = _coordinates(stops, where, BELGIUM)
    out = stops.rename(columns={"stop_name": "name"})
    out = out[["stop_id", "stop_code", "name", "lon", "lat"]]
    return out.sort_values("stop_id").reset_index(drop=True)


# --------------------------------------------------------------------------- OSM bus routes


@dataclass(frozen=True)
class OsmBusRoutes:
    """Bus stops and route relations of De Lijn read from an OSM extract.

    Attributes
    ----------
    members : DataFrame
        One row per stop member of a De Lijn route relation whose node is in the
        extract: ``relation_id``, ``line`` (relation ``ref``), ``position`` (member order
        in the relation, i.e. stop order), ``stop_code`` (``ref:De_Lijn``).
    stop_codes : frozenset of str
        Every ``ref:De_Lijn`` of a node in the extract: the stops whose serving lines the
        extract can tell (empty lines for them mean no line in OSM).
    """

    members: pd.DataFrame
    stop_codes: frozenset[str]


def _is_delijn_route(tags: Mapping[str, str]) -> bool:
    """Accept bus or tram route relations of De Lijn (by operator or a ``DL*`` network)."""
    if tags.get("type") != "route" or tags.get("route") not in {"bus", "tram"}:
        return False
    return tags.get("operator") == "De Lijn" or tags.get("network", "").startswith("DL")


def parse_osm_bus_routes(path: Path) -> OsmBusRoutes:
    """Read De Lijn route relations and their stop codes from an OSM ``.pbf`` file.

    Members are matched to stops by the node's ``ref:De_Lijn`` (= GTFS ``stop_code``);
    ``position`` counts node members only, so it is the stop order of a PTv2 route.
    Relations without ``ref`` are ignored.  Reads the file with the shared
    :mod:`etl.sources.osm_pbf` reader.

    Raises
    ------
    SourceError
        When the file cannot be read as OSM data or holds no De Lijn route relation.
    """
    relations = [r for r in iter_relations(path, _is_delijn_route) if r.tags.get("ref")]
    codes_by_node = {
        feature.osm_id: _split_codes(feature.tags["ref:De_Lijn"])
        for feature in iter_tagged_features(path, lambda t: "ref:De_Lijn" in t, types=("node",))
    }
    if not relations:
        raise SourceError(path, "holds no De Lijn bus or tram route relation with a ref")
    rows = [
        (rel.osm_id, rel.tags["ref"], pos, code)
        for rel in relations
        for pos, member in enumerate(m for m in rel.members if m.type == "node")
        for code in codes_by_node.get(member.ref, [])
    ]
    members = pd.DataFrame(rows, columns=["relation_id", "line", "position", "stop_code"])
    members = members.sort_values(["relation_id", "position", "stop_code"])
    codes = frozenset(c for cs in codes_by_node.values() for c in cs)
    return OsmBusRoutes(members.reset_index(drop=True), codes)


def _split_codes(ref: str) -> list[str]:
    """Split a ``ref:De_Lijn`` value; a few platforms carry two codes ("308654;308882")."""
    return [code.strip() for code in ref.split(";") if code.strip()]


def _line_key(line: str) -> tuple[int, int, str]:
    """Sort numeric line numbers numerically, then the others ("R92", "N1") by text."""
    match = re.fullmatch(r"(\d+)(\D*)", line)
    return (0, int(match.group(1)), match.group(2)) if match else (1, 0, line)


def lines_by_stop_code(routes: OsmBusRoutes) -> pd.DataFrame:
    """Return ``stop_code`` -> ``lines`` (sorted, ``;``-joined) for every stop in the extract.

    Stops of the extract that no relation serves get an empty string.
    """
    served = routes.members.groupby("stop_code")["line"].agg(
        lambda s: ";".join(sorted(set(s), key=_line_key))
    )
    codes = sorted(routes.stop_codes)
    lines = [str(served.get(code, "")) for code in codes]
    return pd.DataFrame({"stop_code": codes, "lines": lines})


# --------------------------------------------------------------------------- bus frequencies


def delijn_trips_by_route_on(path: Path, day: date) -> pd.DataFrame:
    """Count the De Lijn trips of each GTFS route and direction running on ``day``.

    The 2019 mirror feed has trips and calendar_dates but no usable stop_times, so a
    trip count per route is all it can tell about frequency.

    Parameters
    ----------
    path : Path
        The De Lijn GTFS zip.
    day : date
        Service day (inside the feed's validity).

    Returns
    -------
    DataFrame
        ``route_id``, ``route_short_name``, ``route_long_name``, ``route_desc`` (``""``
        when the feed lacks it), ``direction_id`` (``""`` when the feed lacks it),
        ``headsign`` (the direction's most frequent ``trip_headsign``), ``trips`` (int),
        sorted by ``route_id`` and ``direction_id``; routes without a trip that day are
        left out.

    Raises
    ------
    SourceError
        When a table is missing, malformed or no trip at all runs on ``day``.
    """
    routes = read_gtfs_table(
        path, "routes.txt", ("route_id", "route_short_name", "route_long_name")
    )
    trips = read_gtfs_table(path, "trips.txt", ("route_id", "service_id", "trip_id"))
    services = service_ids_on(path, day)
    running = trips[trips["service_id"].isin(services)].copy()
    if running.empty:
        raise SourceError(
            member_path(path, "trips.txt"), f"no trip runs on {day.isoformat()} (outside the feed?)"
        )
    for col in ("direction_id", "trip_headsign"):
        if col not in running:
            running[col] = ""
    if "route_desc" not in routes:
        routes = routes.assign(route_desc="")
    grouped = running.groupby(["route_id", "direction_id"])
    counts = grouped["trip_id"].nunique().rename("trips")
    # The most frequent headsign names where that direction goes (ties: alphabetical).
    headsign = grouped["trip_headsign"].agg(lambda s: sorted(s.value_counts().nlargest(1).index)[0])
    out = pd.concat([counts, headsign.rename("headsign")], axis=1).reset_index()
    cols = ["route_id", "route_short_name", "route_long_name", "route_desc"]
    out = out.merge(routes[cols], on="route_id", how="inner")
    out["trips"] = out["trips"].astype("int64")
    order = [*cols, "direction_id", "headsign", "trips"]
    return out[order].sort_values(["route_id", "direction_id"]).reset_index(drop=True)


def osm_bus_route_tags(path: Path) -> pd.DataFrame:
    """Return the descriptive tags of the De Lijn route relations of an OSM extract.

    Same relations as :func:`parse_osm_bus_routes` (De Lijn bus or tram routes with a
    ``ref``).

    Returns
    -------
    DataFrame
        ``relation_id`` (int), ``line`` (``ref``), ``name``, ``from``, ``to``, ``via``
        (``""`` where the tag is absent), sorted by ``relation_id``.

    Raises
    ------
    SourceError
        When the file cannot be read as OSM data or holds no such relation.
    """
    rows = [
        (rel.osm_id, rel.tags["ref"], *(rel.tags.get(k, "") for k in ("name", "from", "to", "via")))
        for rel in iter_relations(path, _is_delijn_route)
        if rel.tags.get("ref")
    ]
    if not rows:
        raise SourceError(path, "holds no De Lijn bus or tram route relation with a ref")
    frame = pd.DataFrame(rows, columns=["relation_id", "line", "name", "from", "to", "via"])
    return frame.sort_values("relation_id").reset_index(drop=True)
