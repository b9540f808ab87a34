"""Command line of the commute engine (for planners and advisors scripting).

``python -m dashboard.engine route --from LAT,LON --to LAT,LON
--mode walk|bike|ebike|car|transit|bus [--access walk|bike] [--arrive HH:MM]
[--date YYYY-MM-DD] [--lang en|nl|fr] [--json]`` and ``python -m dashboard.engine reach
--from LAT,LON --mode MODE --max-minutes N --layer schools|childcare|stations|
international_schools|neighbourhoods [--lang en|nl|fr] [--json]`` and ``python -m
dashboard.engine accessibility [--modes MODE ...] [--layers LAYER ...] [--codes CODE ...]
[--arrive HH:MM] [--date YYYY-MM-DD] [--csv FILE | --json | --store]`` (every
neighbourhood x facility layer x mode: minutes to the nearest facility and counts within
5-30 minutes by walk, bike, ebike, car, and by train_walk and train_bike for the
neighbourhoods with a station within reach, see :mod:`dashboard.engine.accessibility`
and :mod:`dashboard.engine.accessibility_train`; ``--store`` writes the snapshot's
``accessibility`` layer).

``--lang`` names stations as the app does in that language (default ``en``, the app's
default): Dutch names in English and Dutch ("Leuven"), French names in French
("Louvain"), from the feed's translations as the ``stations`` layer records them.
Stations outside that layer (outside the region) keep the feed's own name.  Train times
read 00:00-23:59; after midnight the previous evening's trains count (a Tuesday train
at 24:00 serves Wednesday 00:00).

Values use ASCII digits; N is a positive number of minutes up to 1440; ``--date`` lies
between January 1 of the train timetable's year and 2099-12-31 (its weekday is looked up
in the timetable's week: ``data_date`` of ``geodata/rail_timetable.manifest.json``).

Street modes run from ``--from`` to ``--to`` (reach: from ``--from`` to each feature).
Their answers say which share of the time is estimated (``estimated_share``: 0 on the
street network, 1 for a straight-line estimate; beyond the network's coverage area only
the remainder from the network's last useful node is estimated).
``bus`` is an estimated walk + bus model of central Leuven (OSM stop order, frequencies
of the De Lijn feed: see ``geodata/bus_routes.manifest.json``; for reach: from each
feature to ``--from``).  Transit answers the commute question, arrive-by: ``route``
arrives at ``--to`` by ``--arrive`` (default 09:00); ``reach`` lists the features from
which ``--from`` can be reached by ``--arrive`` within the limit (median over a 60-minute
window).

Exit status (every command and mode):

  0  an answer was printed (for ``reach``, possibly an empty list)
  1  no answer: a place is outside the covered region, or no route/train gets there
  2  bad input: a malformed or implausible argument (coordinates, mode, minutes,
     ``--arrive``, ``--date``, unknown options)
  3  data problem: a snapshot file is missing, damaged or not shaped as the catalog
     declares (rebuild it with ``python -m etl build``)

Every status other than 0 prints exactly one line, ``error: ...``, on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date, time
from pathlib import Path
from typing import Any, NoReturn

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.engine import accessibility as acc
from dashboard.engine import accessibility_train as acct
from dashboard.engine.batch_dask import batch_on_dask
from dashboard.engine.core import DEFAULT_ARRIVE_BY, CommuteEngine, CommuteTimes, commute_times
from dashboard.engine.errors import (
    BadInputError,
    EngineError,
    NoRouteError,
    OutsideCoverageError,
)
from dashboard.engine.inputs import (
    LatLon,
    check_mode,
    parse_date,
    parse_hhmm,
    parse_latlon,
    parse_minutes,
)
from dashboard.engine.settings import STREET_MODES
from dashboard.engine.street import METHOD_OUTSIDE, StreetTimes
from dashboard.engine.transit_commute import (
    DEFAULT_LANG,
    STATION_NAME_COLUMN,
    check_travel_date,
    transit_route,
)
from geodata.catalog import READER_COLUMNS
from geodata.io import SnapshotError, load_layer

#: Exit statuses (see the module docstring).
EXIT_ANSWER, EXIT_NO_ANSWER, EXIT_BAD_INPUT, EXIT_DATA = 0, 1, 2, 3
EXIT_CODES = (EXIT_ANSWER, EXIT_NO_ANSWER, EXIT_BAD_INPUT, EXIT_DATA)

REACH_LAYERS = ("schools", "childcare", "stations", "international_schools", "neighbourhoods")
ALL_MODES = (*STREET_MODES, "transit", "bus")


class _Parser(argparse.ArgumentParser):
    """Argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {one_line(message)}\n")


def one_line(text: str) -> str:
    """Return ``text`` with line breaks and other unprintable characters escaped.

    Error messages quote what the user typed; a newline (or a stray surrogate from an
    undecodable argument) in it must neither split the line nor break the printing.
    """
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m dashboard.engine",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    route = sub.add_parser("route", help="travel time between two points")
    route.add_argument("--from", dest="origin", required=True, metavar="LAT,LON")
    route.add_argument("--to", dest="destination", required=True, metavar="LAT,LON")
    route.add_argument("--mode", required=True)
    route.add_argument("--arrive", metavar="HH:MM", help="arrive-by time (transit)")
    route.add_argument("--access", default="walk", help="transit access: walk or bike")
    route.add_argument("--date", metavar="YYYY-MM-DD", help="travel date (transit)")
    route.add_argument("--json", action="store_true")
    _lang_option(route)
    reach = sub.add_parser("reach", help="features of a layer reachable within a time")
    reach.add_argument("--from", dest="origin", required=True, metavar="LAT,LON")
    reach.add_argument("--mode", required=True)
    reach.add_argument("--max-minutes", required=True, metavar="N", help="time limit (minutes)")
    reach.add_argument("--layer", required=True, choices=REACH_LAYERS)
    reach.add_argument("--arrive", metavar="HH:MM", help="arrive-by time (transit)")
    reach.add_argument("--date", metavar="YYYY-MM-DD", help="travel date (transit)")
    reach.add_argument("--access", default="walk", help="transit access: walk or bike")
    reach.add_argument("--json", action="store_true")
    _lang_option(reach)
    batch = sub.add_parser(
        "accessibility",
        help="every neighbourhood x facility layer x mode: nearest and counts",
    )
    batch.add_argument(
        "--modes", nargs="+", metavar="MODE", help="street and train modes (default: all)"
    )
    batch.add_argument("--arrive", metavar="HH:MM", help="arrive-by time (train modes)")
    batch.add_argument("--date", metavar="YYYY-MM-DD", help="travel date (train modes)")
    batch.add_argument(
        "--layers", nargs="+", metavar="LAYER", help="facility layers (default: all)"
    )
    batch.add_argument("--codes", nargs="+", metavar="CODE", help="neighbourhoods (default: all)")
    batch.add_argument("--csv", type=Path, metavar="FILE", help="write the table as CSV")
    batch.add_argument("--json", action="store_true", help="print the rows as JSON")
    batch.add_argument(
        "--dask",
        nargs="?",
        const="local",
        metavar="ADDRESS",
        help="run on Dask: a local cluster (no ADDRESS) or the scheduler at ADDRESS "
        "(default from LEUVEN_ATLAS_DASK_SCHEDULER when set)",
    )
    batch.add_argument(
        "--store",
        action="store_true",
        help="store the full table as the snapshot's 'accessibility' layer (with its "
        "manifest, as `python -m etl build --only accessibility` does)",
    )
    return parser


def _lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=tuple(STATION_NAME_COLUMN),
        default=DEFAULT_LANG,
        help=f"language of station names (default {DEFAULT_LANG}, as the app)",
    )


def _transit_options(args: argparse.Namespace) -> tuple[time, date | None, str]:
    # ``is not None``: an empty --arrive or --date is a mistake to report, not the default
    arrive = parse_hhmm(args.arrive) if args.arrive is not None else DEFAULT_ARRIVE_BY
    day = check_travel_date(parse_date(args.date)) if args.date is not None else None
    access = check_mode(args.access, ("walk", "bike"))
    return arrive, day, access


def _route(engine: CommuteEngine, args: argparse.Namespace) -> dict[str, Any]:
    origin, destination = parse_latlon(args.origin), parse_latlon(args.destination)
    mode = check_mode(args.mode, ALL_MODES)
    arrive, day, access = _transit_options(args)
    if mode == "transit":
        return _answered(
            transit_route(
                engine.transit_planner(),
                origin,
                destination,
                access_mode=access,
                arrive_by=arrive,
                day=day,
                lang=args.lang,
            ),
            origin,
            destination,
        )
    if mode == "bus":  # estimated walk + bus model, from the origin to the destination
        bus = commute_times(
            engine, destination, np.array([origin.lon]), np.array([origin.lat]), mode="walk_bus"
        )
        return _answered(
            _route_row(mode, origin, destination, bus.minutes[0], bus.estimated[0], bus.method[0]),
            origin,
            destination,
        )
    result = engine.times(
        origin,
        np.array([destination.lon]),
        np.array([destination.lat]),
        mode=mode,
        direction="from",
    )
    if result.method[0] == METHOD_OUTSIDE:
        msg = (
            f"{destination.lat},{destination.lon} is more than "
            f"{engine.settings.max_distance_km:.0f} km from {origin.lat},{origin.lon}: "
            "outside the covered region"
        )
        raise OutsideCoverageError(msg)
    row = _route_row(
        mode, origin, destination, result.minutes[0], result.estimated[0], result.method[0]
    )
    share = _share(result.estimated_share[0])
    extra = {"estimated_share": share, "snap_m": round(float(result.snap_m[0]), 1)}
    return _answered({**row, **extra}, origin, destination)


def _share(value: float) -> float | None:
    """Round an estimated share for printing (``None`` where there is no time)."""
    return None if np.isnan(value) else round(float(value), 2)


def _answered(row: dict[str, Any], origin: LatLon, destination: LatLon) -> dict[str, Any]:
    """Return ``row`` if it holds a time; raise :class:`NoRouteError` saying why if not."""
    if row["minutes"] is None:
        msg = (
            f"no {row['mode']} route from {origin.lat},{origin.lon} to "
            f"{destination.lat},{destination.lon} ({row['method']})"
        )
        raise NoRouteError(msg)
    return row


def _route_row(
    mode: str, origin: LatLon, destination: LatLon, minutes: float, estimated: bool, method: str
) -> dict[str, Any]:
    return {
        "mode": mode,
        "from": [origin.lat, origin.lon],
        "to": [destination.lat, destination.lon],
        "minutes": None if np.isnan(minutes) else round(float(minutes), 1),
        "estimated": bool(estimated),
        "method": str(method),
    }


def _layer_points(
    engine: CommuteEngine, name: str, extra: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    columns = (*READER_COLUMNS.get(name, ()), *extra)
    layer = load_layer(name, engine.data_dir, columns=columns)
    assert isinstance(layer, gpd.GeoDataFrame)  # every REACH_LAYERS entry has geometry
    if "centroid_lon" in layer.columns:
        return layer, layer["centroid_lon"].to_numpy(), layer["centroid_lat"].to_numpy()
    points = layer.geometry.representative_point()
    return layer, points.x.to_numpy(), points.y.to_numpy()


def _reach(engine: CommuteEngine, args: argparse.Namespace) -> list[dict[str, Any]]:
    origin = parse_latlon(args.origin)
    mode = check_mode(args.mode, ALL_MODES)
    max_minutes = parse_minutes(args.max_minutes)
    arrive, day, access = _transit_options(args)
    # stations are named in the asked language (the other layers have one name)
    station_name = STATION_NAME_COLUMN[args.lang]
    extra = (station_name,) if args.layer == "stations" else ()
    layer, lon, lat = _layer_points(engine, args.layer, extra)
    if mode == "bus":
        result: StreetTimes | CommuteTimes = commute_times(
            engine, origin, lon, lat, mode="walk_bus", max_minutes=max_minutes
        )
    elif mode == "transit":
        result = commute_times(
            engine,
            origin,
            lon,
            lat,
            mode=f"train_{access}",
            max_minutes=max_minutes,
            arrive_by=arrive,
            day=day,
        )
    else:
        result = engine.times(
            origin, lon, lat, mode=mode, direction="from", max_minutes=max_minutes
        )
    shares = getattr(result, "estimated_share", None)  # street modes only
    label = station_name if args.layer == "stations" else "name"
    label = label if label in layer.columns else "name_nl"
    ident = "id" if "id" in layer.columns else "code"
    rows = []
    for i in np.argsort(result.minutes, kind="stable"):
        if np.isnan(result.minutes[i]):
            continue
        row = {
            "id": str(layer[ident].iloc[i]),
            "name": str(layer[label].iloc[i]),
            "minutes": round(float(result.minutes[i]), 1),
            "estimated": bool(result.estimated[i]),
            "method": str(result.method[i]),
        }
        if shares is not None:
            row["estimated_share"] = _share(shares[i])
        rows.append(row)
    return rows


def _print_route(row: dict[str, Any]) -> None:
    minutes = "unreachable" if row["minutes"] is None else f"{row['minutes']} min"
    flag = " (estimated)" if row["estimated"] else ""
    if row["estimated"] and row.get("estimated_share") is not None:
        flag = f" (estimated: {row['estimated_share']:.0%} of the time)"
    snap = f"; snap {row['snap_m']} m" if "snap_m" in row else ""
    print(f"{row['mode']}: {minutes}{flag} [{row['method']}{snap}]")
    if "note" in row:
        print(f"  {row['note']}")
    for leg in row.get("legs", []):
        if leg["kind"] in {"access", "egress"}:
            print(f"  {leg['kind']}: {leg['mode']} {leg['minutes']} min")
        else:
            print(
                f"  {leg['departure']} {leg['from']} -> {leg['arrival']} {leg['to']} "
                f"({leg['kind']} {leg['route']} {leg['train']})".rstrip()
            )


def _print_reach(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        flag = " *" if row["estimated"] else ""
        if row["estimated"] and row.get("estimated_share") is not None:
            flag = f" * {row['estimated_share']:.0%}"
        print(f"{row['minutes']:6.1f} min{flag}  {row['name']}  ({row['id']})")
    print(
        f"{len(rows)} reachable; * = estimated (with the estimated share of the time, "
        "where the mode says)"
    )


def main(argv: Sequence[str] | None = None, *, engine: CommuteEngine | None = None) -> int:
    """Run the CLI and return the exit status (see :data:`EXIT_CODES`).

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments (default: ``sys.argv[1:]``).
    engine : CommuteEngine, optional
        An engine to reuse (tests run many commands on one); a fresh one by default.

    Raises
    ------
    SystemExit
        From argument parsing: status 2 after one error line, or 0 after ``--help``.
    """
    args = _parser().parse_args(argv)
    engine = engine or CommuteEngine()
    try:
        if args.command == "route":
            row = _route(engine, args)
            print(json.dumps(row)) if args.json else _print_route(row)
        elif args.command == "accessibility":
            return _accessibility(engine, args)
        else:
            rows = _reach(engine, args)
            print(json.dumps(rows, ensure_ascii=False)) if args.json else _print_reach(rows)
    except BadInputError as exc:
        return _fail(EXIT_BAD_INPUT, exc)
    except EngineError as exc:  # outside coverage, no route
        return _fail(EXIT_NO_ANSWER, exc)
    except SnapshotError as exc:
        return _fail(EXIT_DATA, exc)
    return EXIT_ANSWER


def _accessibility(engine: CommuteEngine, args: argparse.Namespace) -> int:
    """Run the batch (or store it as a layer) and print or write the table."""
    if args.store:
        if args.modes or args.layers or args.codes or args.arrive or args.date:
            msg = "--store builds the full layer: no --modes, --layers, --codes, --arrive or --date"
            raise BadInputError(msg)
        return _store_accessibility(engine)
    modes = list(args.modes or acct.BATCH_MODES)
    for mode in modes:
        check_mode(mode, acct.BATCH_MODES)
    question = acct.TrainQuestion(
        arrive_by=parse_hhmm(args.arrive) if args.arrive else DEFAULT_ARRIVE_BY,
        day=check_travel_date(parse_date(args.date)) if args.date else None,
    )
    layers = acc.facility_points(engine.data_dir)
    unknown = sorted(set(args.layers or ()) - set(layers))
    if unknown:
        msg = f"unknown facility layer(s) {', '.join(unknown)}: use {', '.join(layers)}"
        raise BadInputError(msg)
    if args.layers:
        layers = {k: v for k, v in layers.items() if k in args.layers}
    origins = acc.neighbourhood_points(engine.data_dir)
    if args.codes:
        missing = sorted(set(args.codes) - set(origins.ids))
        if missing:
            raise BadInputError(f"unknown neighbourhood code(s) {', '.join(missing)}")
        keep = np.isin(origins.ids, args.codes)
        origins = acc.Places(origins.ids[keep], origins.lon[keep], origins.lat[keep])
    if args.dask is not None:
        if args.codes or args.arrive or args.date:
            msg = "--dask runs every neighbourhood, default question: no --codes, --arrive, --date"
            raise BadInputError(msg)
        assert engine.data_dir is not None  # set by CommuteEngine.__post_init__
        address = None if args.dask == "local" else args.dask
        table = batch_on_dask(engine.data_dir, modes, list(layers), scheduler=address)
    else:
        table = acct.region_batch(engine, origins, layers, modes, question=question)
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
        print(f"wrote {len(table)} rows to {args.csv}")
    elif args.json:
        print(table.to_json(orient="records", force_ascii=False))
    else:
        print(table.to_string(index=False, max_rows=60))
    return EXIT_ANSWER


def _store_accessibility(engine: CommuteEngine) -> int:
    """Build the ``accessibility`` layer into the engine's snapshot through the ETL."""
    from etl.pipeline import BuildContext, run_pipeline
    from etl.stages.accessibility import STAGES

    assert engine.data_dir is not None  # set by CommuteEngine.__post_init__
    results = run_pipeline(STAGES, BuildContext(engine.data_dir, engine.data_dir))
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise SnapshotError(engine.data_dir, failed[0].message)
    for result in results:
        print(f"{result.name}: {result.status} ({result.seconds:.1f} s)")
    return EXIT_ANSWER


def _fail(status: int, exc: Exception) -> int:
    print(f"error: {one_line(str(exc))}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
