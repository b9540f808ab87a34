"""Door-to-door train commutes: access on foot or by bike, trains, egress on foot.

For every candidate place and every arrival deadline in a window before the arrive-by
time (every minute of 60 by default, as R5 does), the latest departure from home is

    max over access stations s of ( latest train departure at s - access time home -> s )

where the latest train departures come from :func:`dashboard.engine.transit.arrive_by_window`
with the stations near the workplace as targets (their walking egress subtracted).  The
travel time per deadline is the deadline minus that departure; the result reports the
median and the 10th/90th percentiles over the window.  A place from which going straight
to work by the access mode is faster keeps that time (method ``direct``).

Honest limits, reported with every result: the timetable is NMBS 2019 (the requested date
is mapped onto the same weekday of the feed's week), buses are not included, egress is on
foot (a bike at the destination is not modelled), access and egress outside Leuven
municipality are straight-line estimates.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path

import numpy as np

from dashboard.engine.base import CommuteTimes, StreetEngine
from dashboard.engine.errors import BadInputError
from dashboard.engine.inputs import LatLon
from dashboard.engine.network import lonlat_to_xy
from dashboard.engine.transit import (
    Timetable,
    arrive_by_window,
    journey,
    latest_departures,
    load_timetable,
    service_day_calls,
    summarize,
)
from geodata.catalog import layer_path, manifest_path
from geodata.io import SnapshotError, load_layer, load_manifest

#: Last travel date offered: the end of the century, the range the app's date input
#: offers (``dashboard.state.day_range()``).  The first is January 1 of the feed's year
#: (:meth:`FeedWeek.travel_dates`).  A date outside is a typo (0019, 2109, 9999) or a
#: question the feed's timetable cannot pretend to answer.
LAST_TRAVEL_DATE = date(2099, 12, 31)
#: Longest access leg considered (minutes) per access mode.  Walking: 30 minutes, because
#: with 20 most of Leuven's own centre (e.g. the Dijle neighbourhood, 24 minutes' walk from
#: Leuven station and 20.2 from Heverlee) had "no train" at all; a longer walk only counts
#: when the total trip still wins (each place takes its fastest station).
MAX_ACCESS_MIN = {"walk": 30.0, "bike": 20.0}
#: Longest walking egress from a station to the workplace (minutes).
MAX_EGRESS_MIN = 20.0
#: Column of the ``stations`` layer naming a station per interface language (the ETL
#: took them from the feed's ``translations.txt``).  English uses the Dutch names, as
#: the app does: they are the names on the signs in Flanders.
STATION_NAME_COLUMN = {"en": "name_nl", "nl": "name_nl", "fr": "name_fr"}
#: Interface language when none is asked for (``dashboard.i18n.DEFAULT_LANGUAGE``).
DEFAULT_LANG = "en"


@dataclass(frozen=True)
class FeedWeek:
    """The service week the ``rail_timetable`` layer holds (its manifest's ``data_date``).

    Attributes
    ----------
    monday : date
        First day of the week.
    """

    monday: date

    @property
    def dates(self) -> tuple[str, ...]:
        """The seven ISO dates of the week, Monday first."""
        return tuple((self.monday + timedelta(days=d)).isoformat() for d in range(7))

    @property
    def travel_dates(self) -> tuple[date, date]:
        """First and last travel date the week is used for."""
        return date(self.monday.year, 1, 1), LAST_TRAVEL_DATE


def feed_week(data_dir: Path | None = None) -> FeedWeek:
    """Read the feed's service week from the ``rail_timetable`` manifest of a snapshot.

    Raises
    ------
    SnapshotError
        When ``data_date`` is not ``YYYY-MM-DD/YYYY-MM-DD`` spanning Monday to Sunday.
    """
    data_date = load_manifest("rail_timetable", data_dir).data_date
    try:
        first, last = (date.fromisoformat(part) for part in str(data_date).split("/"))
    except ValueError:
        first = last = date.min  # refused below
    if first.weekday() != 0 or last - first != timedelta(days=6):
        msg = f"'data_date' is {data_date!r}, not a Monday-to-Sunday week 'YYYY-MM-DD/YYYY-MM-DD'"
        raise SnapshotError(manifest_path("rail_timetable", data_dir), msg)
    return FeedWeek(first)


@dataclass(frozen=True)
class ServiceDay:
    """The feed date used for a requested date, and a sentence saying so."""

    feed_date: str
    note: str


def check_travel_date(day: date, week: FeedWeek | None = None) -> date:
    """Return ``day`` if the feed's week is used for it, else raise :class:`BadInputError`.

    ``week`` defaults to the week of the default snapshot's ``rail_timetable``.
    """
    week = week or feed_week()
    first, last = week.travel_dates
    if not first <= day <= last:
        msg = (
            f"date {day.isoformat()} is outside {first.isoformat()}..{last.isoformat()}, "
            f"the dates the {week.monday.year} train timetable is used for"
        )
        raise BadInputError(msg)
    return day


def feed_date_for(requested: date | None, week: FeedWeek | None = None) -> ServiceDay:
    """Map a requested date onto the same weekday of the feed's week.

    No date means the week's Tuesday (a typical working day).  ``week`` defaults to the
    week of the default snapshot's ``rail_timetable`` (its manifest's ``data_date``).
    Raises :class:`BadInputError` for a date outside :attr:`FeedWeek.travel_dates`.
    """
    week = week or feed_week()
    day = check_travel_date(requested, week) if requested else week.monday + timedelta(days=1)
    feed = week.monday + timedelta(days=day.weekday())
    note = (
        f"train times: NMBS timetable of {feed:%A %Y-%m-%d} ({week.monday.year} feed) "
        f"used for {day:%A %Y-%m-%d}"
    )
    return ServiceDay(feed.isoformat(), note)


class TransitPlanner:
    """Timetables of the feed's week, built at creation, and access matrices per place set.

    Shared by every session like its engine.  Creating a planner reads the
    ``rail_timetable`` layer once and builds the timetable of every day of the feed's
    week, so the first train query pays no build.  A day that could not be built (no
    service that day) is tried again on request, once, under the planner's lock, and
    reported as a :class:`SnapshotError`.  Access matrices are memos of a pure
    computation, stored only when complete (two sessions asking at once may both compute
    one; neither sees a partial result).

    Parameters
    ----------
    engine : StreetEngine
        The engine whose street networks give the access and egress legs.
    """

    def __init__(self, engine: StreetEngine) -> None:
        self.engine = engine
        self.week = feed_week(engine.data_dir)
        self._access: dict[tuple[str, bytes, str], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._lock = threading.Lock()
        self._names: dict[str, dict[str, str]] = {}
        self._timetables: dict[str, Timetable] = self._build_week()

    def _build_week(self) -> dict[str, Timetable]:
        """Build the timetable of every day of the week that has service (one layer read)."""
        calls = load_layer("rail_timetable", self.engine.data_dir)
        days = set(calls["service_date"].astype(str)) if "service_date" in calls else None
        built = {}
        for day in self.week.dates:
            if days is not None and day not in days:
                continue  # no service: timetable() reports it when that day is asked for
            # the day's trains and the previous day's trains running past midnight
            rows = service_day_calls(calls, day)
            try:
                built[day] = Timetable.from_frame(rows)
            except BadInputError as exc:  # the layer's rows, not the user's input
                path = layer_path("rail_timetable", self.engine.data_dir)
                raise SnapshotError(path, str(exc)) from exc
        return built

    def timetable(self, feed_date: str) -> Timetable:
        """Return the timetable of one feed date (built at creation, or once on request).

        Raises
        ------
        SnapshotError
            When the ``rail_timetable`` layer is damaged or has no service on
            ``feed_date`` (always a day of the feed's week, so a data problem).
        """
        if feed_date in self._timetables:
            return self._timetables[feed_date]
        with self._lock:
            if feed_date not in self._timetables:
                self._timetables[feed_date] = self._load(feed_date)
            return self._timetables[feed_date]

    def station_names(self, lang: str) -> dict[str, str]:
        """Station name per GTFS ``stop_id`` in interface language ``lang``.

        From the ``stations`` layer (Dutch and French names from the feed's
        translations); stations outside it are missing here and keep the feed's own
        name (see :func:`transit_route`).

        Raises
        ------
        BadInputError
            When ``lang`` is not one of :data:`STATION_NAME_COLUMN`.
        SnapshotError
            When the ``stations`` layer is missing, damaged or lacks the name columns.
        """
        if lang not in STATION_NAME_COLUMN:
            msg = f"unknown language {lang!r}: use one of {', '.join(STATION_NAME_COLUMN)}"
            raise BadInputError(msg)
        column = STATION_NAME_COLUMN[lang]
        if column not in self._names:
            layer = load_layer("stations", self.engine.data_dir, columns=("id", column))
            names = layer[column].where(layer[column].notna(), None)
            self._names[column] = {
                str(i): str(n) for i, n in zip(layer["id"], names, strict=True) if n
            }
        return self._names[column]

    def _load(self, feed_date: str) -> Timetable:
        try:
            return load_timetable(feed_date, self.engine.data_dir)
        except BadInputError as exc:  # the layer's rows, not the user's input, are wrong
            path = layer_path("rail_timetable", self.engine.data_dir)
            raise SnapshotError(path, str(exc)) from exc

    def access(
        self, tt: Timetable, lon: np.ndarray, lat: np.ndarray, mode: str, feed_date: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Stations within reach of any place, and minutes/estimated flags place x station.

        Independent of the workplace, so cached per (mode, places).
        """
        key = (mode, np.ascontiguousarray(np.c_[lon, lat]).tobytes(), feed_date)
        if key not in self._access:
            self._access[key] = self._compute_access(tt, lon, lat, mode)
        return self._access[key]

    def _compute_access(
        self, tt: Timetable, lon: np.ndarray, lat: np.ndarray, mode: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        px, py = lonlat_to_xy(lon, lat)
        sx, sy = lonlat_to_xy(tt.stop_lon, tt.stop_lat)
        dist = np.hypot(sx[:, None] - px[None, :], sy[:, None] - py[None, :])  # station x place
        limit = MAX_ACCESS_MIN[mode]
        # Exact pruning: every street time (network or straight line x detour >= 1) is at
        # least the straight-line distance at the mode's speed, so a station farther than
        # the limit at that speed from every place would come back as nan anyway.
        reach_m = limit * 60.0 * self.engine.settings.speed_mps(mode)
        near = np.flatnonzero(np.min(dist, axis=1) <= reach_m)
        minutes = np.full((len(lon), len(near)), np.nan)
        estimated = np.zeros((len(lon), len(near)), dtype=bool)
        for j, s in enumerate(near):
            station = LatLon(float(tt.stop_lat[s]), float(tt.stop_lon[s]))
            rows = np.flatnonzero(dist[s] <= reach_m)
            if not len(rows):
                continue
            leg = self.engine.times(
                station, lon[rows], lat[rows], mode=mode, direction="to", max_minutes=limit
            )
            minutes[rows, j] = leg.minutes
            estimated[rows, j] = leg.estimated
        return near, minutes, estimated


def _latest_leave(latest: np.ndarray, access_s: np.ndarray) -> np.ndarray:
    """Latest time to leave each place per deadline: max over stations of train - access.

    ``latest`` is deadlines x stations, ``access_s`` places x stations (``inf`` where out
    of reach).  Only the reachable (place, station) pairs are visited, the few an access
    leg of 20 minutes allows, instead of the full deadlines x places x stations cube;
    places with none get ``-inf``.
    """
    place, station = np.nonzero(np.isfinite(access_s))  # row-major: grouped by place
    leave = np.full((latest.shape[0], access_s.shape[0]), -np.inf)
    if len(place):
        values = latest[:, station] - access_s[place, station][None, :]
        starts = np.flatnonzero(np.r_[True, place[1:] != place[:-1]])
        leave[:, place[starts]] = np.maximum.reduceat(values, starts, axis=1)
    return leave


def transit_commute(
    planner: TransitPlanner,
    workplace: LatLon,
    lon: np.ndarray,
    lat: np.ndarray,
    *,
    access_mode: str,
    arrive_by: time,
    day: date | None = None,
    max_minutes: float | None = None,
    window_min: int = 60,
) -> tuple[CommuteTimes, ServiceDay]:
    """Train commute minutes (median, p10, p90 over the window) from each place to work."""
    service = feed_date_for(day, planner.week)
    tt = planner.timetable(service.feed_date)
    engine = planner.engine
    egress = engine.times(
        workplace, tt.stop_lon, tt.stop_lat, mode="walk", max_minutes=MAX_EGRESS_MIN
    )
    targets = np.flatnonzero(np.isfinite(egress.minutes))
    arrive_s = arrive_by.hour * 3600 + arrive_by.minute * 60
    direct = engine.times(workplace, lon, lat, mode=access_mode, max_minutes=None)
    n = len(lon)
    travel = np.full((window_min + 1, n), np.inf)  # no train: no station at one end
    train_est = np.zeros(n, dtype=bool)
    near, acc_min, acc_est = planner.access(tt, lon, lat, access_mode, service.feed_date)
    if len(targets) and len(near):
        window = arrive_by_window(
            tt, targets, egress.minutes[targets] * 60.0, arrive_s, window_min=window_min
        )
        latest = window.latest_departure_s[:, near]  # deadlines x stations
        acc_s = np.where(np.isfinite(acc_min), acc_min * 60.0, np.inf)
        leave = _latest_leave(latest, acc_s)  # deadlines x places
        travel = window.deadlines_s[:, None] - leave
        best_station = np.argmax(latest[-1][None, :] - acc_s, axis=1)
        train_est = acc_est[np.arange(n), best_station] | bool(
            egress.estimated[targets[np.argmin(egress.minutes[targets])]]
        )
    direct_s = np.where(np.isfinite(direct.minutes), direct.minutes * 60.0, np.inf)
    use_direct = direct_s[None, :] <= travel
    travel = np.minimum(travel, direct_s[None, :])
    median, p10, p90 = (np.where(np.isfinite(v), v / 60.0, np.nan) for v in summarize(travel))
    direct_wins = use_direct.mean(axis=0) >= 0.5
    method = np.where(
        direct_wins,
        f"direct {access_mode} (faster than any train)",
        f"train + {access_mode} access ({service.note})",
    ).astype(str)
    estimated = np.where(direct_wins, direct.estimated, train_est)
    if max_minutes is not None:
        beyond = ~(median <= max_minutes)
        median, p10, p90 = (np.where(beyond, np.nan, v) for v in (median, p10, p90))
    return CommuteTimes(median, p10, p90, estimated, method), service


def _clock(seconds: float) -> str:
    """Clock time of seconds after the service day's midnight, wrapped to 00:00-23:59.

    Times past 24:00 (late trains) and before 00:00 (the previous evening's trains in an
    arrive-by query just after midnight) are shown as the clock reads them.
    """
    minutes = round(seconds / 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def transit_route(
    planner: TransitPlanner,
    origin: LatLon,
    destination: LatLon,
    *,
    access_mode: str,
    arrive_by: time,
    day: date | None = None,
    lang: str = DEFAULT_LANG,
) -> dict[str, object]:
    """One door-to-door train journey arriving by ``arrive_by``, with its legs.

    Returns a JSON-ready dict: minutes (leave home -> deadline), estimated, method,
    departure and arrival clock times, stations, transfers and legs; ``minutes`` is
    ``None`` when no journey arrives in time.  Station names are in language ``lang``
    (:meth:`TransitPlanner.station_names`); a station outside the ``stations`` layer
    (outside the region) keeps the feed's name, which is French in Wallonia and
    Brussels.  Clock times read 00:00-23:59 (a train at 24:10 of the previous service
    day shows 00:10).
    """
    service = feed_date_for(day, planner.week)
    tt = planner.timetable(service.feed_date)
    known = planner.station_names(lang)

    def name(stop: int) -> str:
        return known.get(str(tt.stop_ids[stop]), str(tt.stop_names[stop]))

    engine = planner.engine
    egress = engine.times(
        destination, tt.stop_lon, tt.stop_lat, mode="walk", max_minutes=MAX_EGRESS_MIN
    )
    targets = np.flatnonzero(np.isfinite(egress.minutes))
    # one forward search from home gives the access leg to every station
    access = engine.times(
        origin,
        tt.stop_lon,
        tt.stop_lat,
        mode=access_mode,
        direction="from",
        max_minutes=MAX_ACCESS_MIN[access_mode],
    )
    access_min = access.minutes
    deadline = float(arrive_by.hour * 3600 + arrive_by.minute * 60)
    base: dict[str, object] = {"mode": f"train_{access_mode}", "note": service.note}
    if not len(targets) or not np.isfinite(access_min).any():
        return {
            **base,
            "minutes": None,
            "estimated": False,
            "method": "no station within reach of one end",
        }
    latest = latest_departures(tt, targets, egress.minutes[targets] * 60.0, deadline)
    leave = latest - np.where(np.isfinite(access_min), access_min * 60.0, np.inf)
    start = int(np.argmax(leave))
    if not np.isfinite(leave[start]):
        return {**base, "minutes": None, "estimated": False, "method": "no train in time"}
    trip = journey(tt, start, targets, egress.minutes[targets] * 60.0, deadline)
    assert trip is not None  # latest_departures found one
    egress_min = float(egress.minutes[trip.target_stop])
    legs = [
        {"kind": "access", "mode": access_mode, "minutes": round(float(access_min[start]), 1)},
        *(
            {
                "kind": leg.kind,
                "from": name(leg.from_stop),
                "to": name(leg.to_stop),
                "departure": _clock(leg.dep_s),
                "arrival": _clock(leg.arr_s),
                "train": leg.train,
                "route": leg.route,
            }
            for leg in trip.legs
        ),
        {"kind": "egress", "mode": "walk", "minutes": round(egress_min, 1)},
    ]
    estimated = bool(access.estimated[start] or egress.estimated[trip.target_stop])
    return {
        **base,
        "minutes": round((deadline - float(leave[start])) / 60.0, 1),
        "estimated": estimated,
        "method": "train timetable + street legs",
        "leave_home": _clock(float(leave[start])),
        "departure": _clock(trip.departure_s),
        "arrival": _clock(trip.arrival_s),
        "from_station": name(start),
        "to_station": name(trip.target_stop),
        "transfers": trip.transfers,
        "legs": legs,
    }
