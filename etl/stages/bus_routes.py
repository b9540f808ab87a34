"""Stage ``bus_routes``: stop order of De Lijn lines in central Leuven, with 2019 frequencies.

The 2019 De Lijn GTFS of the mirror has no usable stop_times, so neither stop order nor
times are known from it.  Stop order comes from the OpenStreetMap route relations of the
central Leuven extract (2024); frequency from the number of 2019 trips of the same line
number on one weekday.  Everything derived here is an ESTIMATE:

* a relation is matched to the GTFS routes with the same ``route_short_name`` whose long
  name or description shares a place name with the relation's ``name``/``from``/``to``/
  ``via`` tags (line numbers repeat across Flanders: line 3 also runs in Gent and
  Antwerp); night-bus routes ("Nachtbus ...") are left out, they run outside the service
  span below;
* the direction of a relation is the GTFS ``direction_id`` whose most frequent headsign
  ends in a place of the relation's ``to`` tag; when no single direction matches, the
  line's trips are shared evenly over its directions (``trips_basis``);
* ``headway_min`` spreads the day's trips evenly over an assumed service span of
  06:00-20:00 (:data:`SPAN_HOURS`), since trip times are unknown.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd

from etl.errors import EtlError
from etl.pipeline import BuildContext, Output, Stage
from etl.sources import transit as src
from geodata.io import LayerManifest

#: Representative weekday inside the feed's validity (2019-07-03..2019-09-16): a Tuesday
#: after the school year started (2 September 2019), so school buses run.
SERVICE_DAY = date(2019, 9, 10)

#: Assumed daily service span over which trips are spread (06:00-20:00), in hours.
SPAN_HOURS = 14.0

#: Words too generic to identify a place when matching OSM relations to GTFS routes.
GENERIC_WORDS = frozenset(
    {
        "bus",
        "lijn",
        "station",
        "perron",
        "campus",
        "kerk",
        "dorp",
        "centrum",
        "markt",
        "grote",
        "kliniek",
        "gare",
        "snelbus",
        "schoolbus",
        "nachtbus",
        "delijn",
    }
)

SOURCE = "De Lijn GTFS (feed of 2019-07-03: trips and calendar); OpenStreetMap route relations"
LICENCE = (
    "De Lijn open data, attribution 'De Lijn'; stop order: ODbL 1.0, '© OpenStreetMap contributors'"
)

COLUMNS = [
    "relation_id",
    "line",
    "name",
    "route_from",
    "route_to",
    "position",
    "stop_code",
    "stop_id",
    "stop_name",
    "stop_lon",
    "stop_lat",
    "gtfs_route_ids",
    "trips_per_weekday",
    "trips_basis",
    "headway_min",
]

BASIS_DIRECTION = "direction"
BASIS_SHARED = "shared over directions"
BASIS_NONE = "no 2019 route"


def place_words(*texts: str) -> set[str]:
    """Return the lower-case place words (4+ letters, hyphenated kept) of some texts.

    Generic words (:data:`GENERIC_WORDS`) and abbreviations like ``"Terv."`` (too short
    or cut) do not identify a place and are left out.
    """
    words: set[str] = set()
    for text in texts:
        words |= {w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text)}
    return {w for w in words if len(w) >= 4 and w not in GENERIC_WORDS}


def _last_stop(headsign: str) -> str:
    """Return the destination part of a De Lijn headsign ("Leuven - Aarschot" -> "Aarschot")."""
    return headsign.rsplit(" - ", 1)[-1]


def matching_routes(relation: pd.Series, counts: pd.DataFrame) -> pd.DataFrame:
    """Return the GTFS route-direction rows of ``counts`` that belong to one OSM relation.

    Parameters
    ----------
    relation : Series
        One row of :func:`etl.sources.transit.osm_bus_route_tags`.
    counts : DataFrame
        :func:`etl.sources.transit.delijn_trips_by_route_on`.
    """
    same = counts[counts["route_short_name"] == relation["line"]]
    same = same[~same["route_long_name"].str.lower().str.startswith("nachtbus")]
    places = place_words(relation["name"], relation["from"], relation["to"], relation["via"])
    shares = same.apply(
        lambda r: bool(place_words(r["route_long_name"], r["route_desc"]) & places), axis=1
    )
    return same[shares.astype(bool)] if len(same) else same


def relation_frequency(relation: pd.Series, counts: pd.DataFrame) -> dict[str, object]:
    """Estimate the weekday trips of one OSM relation (one direction of a line).

    Returns
    -------
    dict
        ``gtfs_route_ids`` (``;``-joined), ``trips_per_weekday`` (float, ``nan`` without a
        matching 2019 route), ``trips_basis`` (:data:`BASIS_DIRECTION`,
        :data:`BASIS_SHARED` or :data:`BASIS_NONE`).
    """
    routes = matching_routes(relation, counts)
    if routes.empty:
        return {
            "gtfs_route_ids": "",
            "trips_per_weekday": float("nan"),
            "trips_basis": BASIS_NONE,
        }
    ids = ";".join(sorted(set(routes["route_id"]), key=lambda s: s.zfill(12)))
    per_direction: dict[str, float] = {}
    words: dict[str, set[str]] = {}
    for direction, trips_n, headsign in zip(
        routes["direction_id"], routes["trips"], routes["headsign"], strict=True
    ):
        per_direction[direction] = per_direction.get(direction, 0.0) + float(trips_n)
        words.setdefault(direction, set()).update(place_words(_last_stop(headsign)))
    destination = place_words(relation["to"])
    matched = [d for d, w in words.items() if w & destination]
    if len(matched) == 1:
        trips, basis = per_direction[matched[0]], BASIS_DIRECTION
    else:
        # Either no headsign names the relation's end or several do: share the line evenly.
        trips, basis = sum(per_direction.values()) / max(2, len(per_direction)), BASIS_SHARED
    return {"gtfs_route_ids": ids, "trips_per_weekday": trips, "trips_basis": basis}


def _one_row_per_position(members: pd.DataFrame, stop_codes: set[str]) -> pd.DataFrame:
    """Keep one stop per (relation, position): a platform may carry two stop codes.

    The first code (sorted) that is a stop of the feed wins, else the first code.
    """
    ranked = members.assign(_missing=~members["stop_code"].isin(stop_codes))
    ranked = ranked.sort_values(["relation_id", "position", "_missing", "stop_code"])
    kept = ranked.drop_duplicates(["relation_id", "position"], keep="first")
    return kept.drop(columns="_missing").reset_index(drop=True)


def build_bus_routes(
    members: pd.DataFrame,
    relations: pd.DataFrame,
    counts: pd.DataFrame,
    bus_stops: pd.DataFrame,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Join OSM stop order, GTFS stops and 2019 trip counts into the ``bus_routes`` table.

    Parameters
    ----------
    members : DataFrame
        :attr:`etl.sources.transit.OsmBusRoutes.members`.
    relations : DataFrame
        :func:`etl.sources.transit.osm_bus_route_tags`.
    counts : DataFrame
        :func:`etl.sources.transit.delijn_trips_by_route_on`.
    bus_stops : GeoDataFrame
        The ``bus_stops`` layer (``id``, ``stop_code``, ``name``, point geometry).

    Returns
    -------
    tuple
        The table (one row per relation and stop position, sorted by ``relation_id``
        and ``position``) and counts for the manifest.
    """
    stops = bus_stops.sort_values("id", key=lambda s: s.str.zfill(12))
    stops = stops.drop_duplicates("stop_code")
    stop_table = pd.DataFrame(
        {
            "stop_code": stops["stop_code"],
            "stop_id": stops["id"],
            "stop_name": stops["name"],
            "stop_lon": stops.geometry.x,
            "stop_lat": stops.geometry.y,
        }
    )
    rows = _one_row_per_position(members, set(stop_table["stop_code"]))
    freq = pd.DataFrame(
        [
            {"relation_id": r["relation_id"], **relation_frequency(r, counts)}
            for _, r in relations.iterrows()
        ]
    )
    rel = relations.rename(columns={"from": "route_from", "to": "route_to"}).drop(columns="via")
    out = rows.merge(rel.drop(columns="line"), on="relation_id", how="left")
    out = out.merge(freq, on="relation_id", how="left")
    out = out.merge(stop_table, on="stop_code", how="left")
    for col in ("stop_id", "stop_name", "name", "route_from", "route_to", "gtfs_route_ids"):
        out[col] = out[col].fillna("").astype(str)
    out["trips_basis"] = out["trips_basis"].fillna(BASIS_NONE)
    trips = out["trips_per_weekday"].astype("float64")
    out["trips_per_weekday"] = trips
    out["headway_min"] = (SPAN_HOURS * 60.0 / trips).where(trips > 0)
    out["relation_id"] = out["relation_id"].astype("int64")
    out["position"] = out["position"].astype("int64")
    out = out[COLUMNS].sort_values(["relation_id", "position"]).reset_index(drop=True)
    facts = {
        "member_rows_in_extract": len(members),
        "second_stop_codes_dropped": len(members) - len(rows),
        "rows_without_feed_stop": int((out["stop_id"] == "").sum()),
        "relations": int(out["relation_id"].nunique()),
        "relations_with_frequency": int(
            out.loc[out["headway_min"].notna(), "relation_id"].nunique()
        ),
        "relations_direction_matched": int(
            out.loc[out["trips_basis"] == BASIS_DIRECTION, "relation_id"].nunique()
        ),
    }
    return out, facts


def build(ctx: BuildContext) -> list[Output]:
    """Build the ``bus_routes`` table from the OSM extract, the De Lijn feed and bus_stops."""
    pbf = ctx.raw(src.OSM_PBF)
    gtfs = ctx.raw(src.DELIJN_GTFS)
    table, facts = build_bus_routes(
        src.parse_osm_bus_routes(pbf).members,
        src.osm_bus_route_tags(pbf),
        src.delijn_trips_by_route_on(gtfs, SERVICE_DAY),
        ctx.layer("bus_stops"),
    )
    if table.empty:
        raise EtlError("bus_routes: no OSM route member matched a stop of the extract")
    no_freq = sorted(set(table.loc[table["headway_min"].isna(), "line"]), key=src._line_key)
    manifest = LayerManifest(
        "bus_routes",
        "Bus lines with stop order (estimated frequencies)",
        SOURCE,
        src.LIVE_SOURCES[1].documented_at,
        LICENCE,
        f"stop order: OSM 2024-06; trips: {SERVICE_DAY.isoformat()}",
        "central Leuven only (the OSM extract: lon 4.645-4.785, lat 50.850-50.940): one row "
        "per De Lijn route relation and stop inside it; stop order from OSM 2024 and trip "
        f"counts from the 2019 feed on Tuesday {SERVICE_DAY.isoformat()} may not match "
        "(lines were renumbered or rerouted since); trips_per_weekday, trips_basis and "
        f"headway_min are ESTIMATES (headway = {SPAN_HOURS:g} h span 06:00-20:00 / trips, "
        "times unknown; no bus timetable in the 2019 feed); lines without a 2019 match have "
        "no frequency",
        extra={
            "service_day": SERVICE_DAY.isoformat(),
            "span_hours": SPAN_HOURS,
            "lines_without_2019_frequency": no_freq,
            **facts,
        },
    )
    return [Output(manifest, table)]


STAGES = [
    Stage(
        name="bus_routes",
        inputs=(src.OSM_PBF, src.DELIJN_GTFS),
        depends=("bus_stops",),
        outputs=("bus_routes",),
        build=build,
    )
]
