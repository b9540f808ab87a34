"""Public transport (rail) arrive-by queries over a one-day timetable.

Model
-----
A :class:`Timetable` is built once from the processed rail timetable (one row per train
call where people may board or alight) and is read-only afterwards.  Consecutive calls
of a trip form a *connection* ``dep_stop -> arr_stop`` departing ``dep_s`` and arriving
``arr_s`` (seconds after midnight of the service day; may pass 86,400).

Trains after midnight: GTFS times past 24:00 belong to the previous service day (a
Tuesday train at 24:00 runs on Wednesday at 00:00).  A day's timetable therefore also
holds the previous service day's trips still running in the last
``PREVIOUS_DAY_LOOKBACK_S`` (4 h) before midnight or later, whole, with times shifted by
-24 h: their calls after midnight count for the morning of the query day and their calls
before midnight have negative times, so an arrive-by window that reaches back before
midnight (arrive by 00:30: deadlines from 23:30) uses the previous evening's trains too.
This is exact for windows up to 60 minutes with travel times up to 3 h (the defaults);
a longer look-back just after midnight misses the previous evening's trains that ended
before 20:00.  The feed holds one week and the engine maps dates onto the same weekday
of it, so the week wraps: the day before the feed's Monday is the feed's Sunday
(:func:`previous_service_date`).  A previous-day trip's ``trip_id`` carries the suffix
``@<previous date>``.

Rules of a valid journey (both algorithms below and the tests' brute force use them):

* board a connection only where its departing call allows pickup (``pickup_type != 1``),
  alight only where its arriving call allows drop-off (``drop_off_type != 1``); staying
  on the same trip through a call needs neither and no transfer time;
* changing trips at a station needs the station's minimum transfer time
  (``min_transfer_s``; 120 s where missing): arrive ``t``, board ``dep >= t + transfer``;
* footpaths join stations less than ``footpath_max_m`` of walking apart (straight line x
  1.2 at 4.8 km/h).  A footpath is walked right after alighting (it replaces the transfer
  time) or at the start of the journey; footpaths are not chained;
* the journey starts at an origin station (no transfer time before the first train) and
  ends by alighting at one of the target stations ``s`` at ``t`` with
  ``t + egress[s] <= deadline`` (no transfer time after the last train).  Being at a
  target station already counts: its latest departure is ``deadline - egress``.

Algorithms
----------
:func:`latest_departures` runs *rounds* over the whole connection array with numpy, like
RAPTOR: round ``r`` knows, per station, the latest time one may arrive there by train and
still reach a target with at most ``r - 1`` more trains; a reverse cumulative scan within
each trip marks every connection from which staying on leads to a usable alighting
point, and a grouped maximum gives each station's latest useful boarding.  Rounds stop
when nothing changes (the number of rounds is the largest number of trains any optimal
journey needs, plus one).  All arrival deadlines of a window are solved at once (one row
each).  :func:`latest_departures_scan` is the classic reverse Connection Scan Algorithm
(one pass over connections by decreasing departure); it gives the same answer and is
kept as a readable reference.

The travel time of a window (:func:`arrive_by_window`) is, for deadline ``D`` and origin
station ``s`` reached in ``access[s]`` seconds from home, ``D - (latest_departure[s] -
access[s])``: the time between leaving home at the latest and the deadline, including
any slack at the destination.  Over the deadlines of the window this gives a
distribution per station; its median and percentiles are reported, as R5 does for
departure windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.engine.errors import BadInputError
from dashboard.engine.network import lonlat_to_xy

#: Minimum transfer time where the timetable gives none (seconds).
DEFAULT_TRANSFER_S = 120
#: Longest footpath between stations (metres of walking).
FOOTPATH_MAX_M = 400.0
#: Walking distance / straight-line distance for footpaths.
FOOTPATH_DETOUR = 1.2
#: Walking speed for footpaths (km/h).
WALK_KMH = 4.8

NEG_INF = -np.inf

_COLUMNS = (
    "trip_id",
    "stop_sequence",
    "stop_id",
    "arrival_s",
    "departure_s",
    "pickup_type",
    "drop_off_type",
)


@dataclass(frozen=True, eq=False)
class Timetable:
    """Stations, connections and footpaths of one service day (read-only).

    Connections are stored trip by trip in stop order (what the numpy rounds need);
    :attr:`by_departure` gives the order of the classic reverse scan.

    Attributes
    ----------
    stop_ids, stop_names : ndarray of str
        Station id (``stop_id``) and name per station index ``0..n_stops-1``.
    stop_lon, stop_lat : ndarray
        WGS84 position per station.
    transfer_s : ndarray of float
        Minimum transfer time per station (seconds).
    dep_stop, arr_stop : ndarray of int
        Station index where each connection departs and arrives.
    dep_s, arr_s : ndarray of float
        Departure and arrival time of each connection (seconds after midnight; negative
        for the previous day's trains before midnight, past 86,400 for late trains).
    trip : ndarray of int
        Trip index of each connection.
    can_board, can_alight : ndarray of bool
        Pickup allowed at the departing call; drop-off allowed at the arriving call.
    trip_end : ndarray of int
        Index of the last connection of each connection's trip.
    by_departure : ndarray of int
        Connection indices by decreasing departure (then decreasing arrival, then
        later-in-trip first): the order of the reverse Connection Scan.
    trip_ids, trip_train, trip_route : ndarray of str
        Per trip: GTFS ``trip_id``, train number and route short name (``IC``, ``S1`` ...).
    trip_previous_day : ndarray of bool
        Per trip: a previous service day's trip running past midnight (times shifted by
        -24 h, see :func:`service_day_calls`).
    fp_from, fp_to : ndarray of int
        Footpaths between stations (both directions listed).
    fp_s : ndarray of float
        Walking time of each footpath (whole seconds, rounded up).
    """

    stop_ids: np.ndarray
    stop_names: np.ndarray
    stop_lon: np.ndarray
    stop_lat: np.ndarray
    transfer_s: np.ndarray
    dep_stop: np.ndarray
    arr_stop: np.ndarray
    dep_s: np.ndarray
    arr_s: np.ndarray
    trip: np.ndarray
    can_board: np.ndarray
    can_alight: np.ndarray
    trip_end: np.ndarray
    by_departure: np.ndarray
    trip_ids: np.ndarray
    trip_train: np.ndarray
    trip_route: np.ndarray
    trip_previous_day: np.ndarray
    fp_from: np.ndarray
    fp_to: np.ndarray
    fp_s: np.ndarray
    _index: dict[str, int] = field(repr=False)

    @classmethod
    def from_frame(
        cls,
        calls: pd.DataFrame,
        *,
        default_transfer_s: float = DEFAULT_TRANSFER_S,
        footpath_max_m: float = FOOTPATH_MAX_M,
    ) -> Timetable:
        """Build from the ``rail_timetable`` layer (one row per train call).

        Parameters
        ----------
        calls : DataFrame
            Columns ``trip_id, stop_sequence, stop_id, arrival_s, departure_s,
            pickup_type, drop_off_type``; optional ``stop_name, stop_lon, stop_lat,
            min_transfer_s, train, route_short_name, previous_day``.
        default_transfer_s : float
            Transfer time of stations without ``min_transfer_s``.
        footpath_max_m : float
            Longest footpath (walking metres = straight line x 1.2); 0 disables them.

        Raises
        ------
        BadInputError
            When a column is missing or times run backwards within a trip.
        """
        missing = [c for c in _COLUMNS if c not in calls.columns]
        if missing:
            msg = f"timetable lacks column(s) {', '.join(missing)}"
            raise BadInputError(msg)
        df = calls.sort_values(["trip_id", "stop_sequence"], kind="stable")
        df = df.reset_index(drop=True)

        stop_codes, stop_ids = pd.factorize(df["stop_id"].astype(str), sort=True)
        n_stops = len(stop_ids)
        first = pd.Series(np.arange(len(df))).groupby(stop_codes).first().to_numpy()
        stop_names = _column(df, "stop_name", "").to_numpy(dtype=object)[first].astype(str)
        stop_lon = _column(df, "stop_lon", np.nan).to_numpy(dtype=float)[first]
        stop_lat = _column(df, "stop_lat", np.nan).to_numpy(dtype=float)[first]
        transfer = pd.Series(_floats(_column(df, "min_transfer_s", np.nan)))
        transfer_s = transfer.groupby(stop_codes).max().reindex(range(n_stops)).to_numpy()
        transfer_s = transfer_s.astype(float)
        transfer_s[~np.isfinite(transfer_s)] = float(default_transfer_s)

        trip_codes, trip_ids = pd.factorize(df["trip_id"].astype(str), sort=False)
        arrival = _floats(df["arrival_s"])
        departure = _floats(df["departure_s"])
        # a call with one time missing: use the other
        arrival = np.where(np.isfinite(arrival), arrival, departure)
        departure = np.where(np.isfinite(departure), departure, arrival)
        pickup = df["pickup_type"].fillna(0).to_numpy(dtype=int) != 1
        drop_off = df["drop_off_type"].fillna(0).to_numpy(dtype=int) != 1

        nxt = np.flatnonzero(trip_codes[1:] == trip_codes[:-1])  # call i -> call i + 1
        dep_s, arr_s = departure[nxt], arrival[nxt + 1]
        if np.any(arr_s < dep_s) or np.any(departure < arrival):
            msg = "timetable times run backwards within a trip"
            raise BadInputError(msg)
        trip = trip_codes[nxt].astype(np.int64)
        last = np.ones(len(nxt), dtype=bool)
        last[:-1] = trip[1:] != trip[:-1]
        last_pos = np.flatnonzero(last)
        trip_end = last_pos[np.searchsorted(last_pos, np.arange(len(nxt)))]
        by_departure = np.lexsort((-np.arange(len(nxt)), -arr_s, -dep_s))

        first_call = pd.Series(np.arange(len(df))).groupby(trip_codes).first().to_numpy()
        trip_train = _column(df, "train", "").to_numpy(dtype=object)[first_call].astype(str)
        trip_route = _column(df, "route_short_name", "").to_numpy(dtype=object)[first_call]
        previous_day = _column(df, "previous_day", False).eq(True).to_numpy(dtype=bool)

        fp_from, fp_to, fp_s = _footpaths(stop_lon, stop_lat, footpath_max_m)
        return cls(
            stop_ids=np.asarray(stop_ids, dtype=str),
            stop_names=stop_names,
            stop_lon=stop_lon,
            stop_lat=stop_lat,
            transfer_s=transfer_s,
            dep_stop=stop_codes[nxt].astype(np.int64),
            arr_stop=stop_codes[nxt + 1].astype(np.int64),
            dep_s=dep_s,
            arr_s=arr_s,
            trip=trip,
            can_board=pickup[nxt],
            can_alight=drop_off[nxt + 1],
            trip_end=trip_end.astype(np.int64),
            by_departure=by_departure,
            trip_ids=np.asarray(trip_ids, dtype=str),
            trip_train=trip_train,
            trip_route=trip_route.astype(str),
            trip_previous_day=previous_day[first_call],
            fp_from=fp_from,
            fp_to=fp_to,
            fp_s=fp_s,
            _index={str(s): i for i, s in enumerate(stop_ids)},
        )

    @property
    def n_stops(self) -> int:
        """Number of stations."""
        return int(self.stop_ids.shape[0])

    @property
    def own_trip_ids(self) -> np.ndarray:
        """``trip_id`` of the service day's own trips (without the previous day's)."""
        return np.asarray(self.trip_ids[~self.trip_previous_day])

    @property
    def n_connections(self) -> int:
        """Number of connections."""
        return int(self.dep_s.shape[0])

    def stop_index(self, stop_id: str | int) -> int:
        """Station index of a GTFS ``stop_id``.

        Raises
        ------
        BadInputError
            When the timetable has no such station.
        """
        try:
            return self._index[str(stop_id)]
        except KeyError:
            msg = f"station {stop_id!r} has no train calls in the timetable"
            raise BadInputError(msg) from None


def _column(df: pd.DataFrame, name: str, default: object) -> pd.Series:
    """Return column ``name`` or a constant series when the frame lacks it."""
    if name in df.columns:
        return df[name]
    return pd.Series([default] * len(df), index=df.index)


def _floats(values: pd.Series) -> np.ndarray:
    """Numbers as float64 with ``nan`` for missing or unparsable values."""
    num = pd.to_numeric(values, errors="coerce").astype("Float64")
    return np.asarray(num.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _footpaths(
    lon: np.ndarray, lat: np.ndarray, max_walk_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Directed footpaths between stations within ``max_walk_m`` of walking."""
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, float))
    ok = np.isfinite(lon) & np.isfinite(lat)
    if max_walk_m <= 0 or ok.sum() < 2:
        return empty
    from scipy.spatial import cKDTree

    idx = np.flatnonzero(ok)
    x, y = lonlat_to_xy(lon[idx], lat[idx])
    pairs = cKDTree(np.column_stack([x, y])).query_pairs(
        max_walk_m / FOOTPATH_DETOUR, output_type="ndarray"
    )
    if len(pairs) == 0:
        return empty
    a, b = idx[pairs[:, 0]], idx[pairs[:, 1]]
    walk_s = np.hypot(x[pairs[:, 0]] - x[pairs[:, 1]], y[pairs[:, 0]] - y[pairs[:, 1]])
    walk_s = np.ceil(walk_s * FOOTPATH_DETOUR / (WALK_KMH / 3.6))  # whole seconds
    return np.r_[a, b].astype(np.int64), np.r_[b, a].astype(np.int64), np.r_[walk_s, walk_s]


#: How far before midnight the previous service day's trips are kept in a day's
#: timetable (seconds): the default arrive-by window (60 min) plus the default longest
#: travel time (3 h), so default queries just after midnight are exact.
PREVIOUS_DAY_LOOKBACK_S = 4 * 3600
#: Seconds in a service day: GTFS times past it belong to the next calendar day.
DAY_S = 86_400


def previous_service_date(service_date: str, dates: Sequence[str]) -> str | None:
    """Return the service date before ``service_date`` among ``dates``.

    The layer holds one Monday-to-Sunday week and a requested date is mapped onto the
    same weekday of it, so the week wraps: the day before the feed week's Monday is the
    week's Sunday (the same weekday mapping the engine uses for dates).  ``None`` when
    neither the day before nor the same weekday a week later is in ``dates``.
    """
    day = date.fromisoformat(service_date)
    for candidate in (day - timedelta(days=1), day + timedelta(days=6)):
        if candidate.isoformat() in dates:
            return candidate.isoformat()
    return None


def service_day_calls(calls: pd.DataFrame, service_date: str) -> pd.DataFrame:
    """Return the calls of one service day and the previous day's trains running late.

    GTFS times past 24:00 belong to the previous service day: a Tuesday train leaving at
    24:00 runs on Wednesday at 00:00.  The previous service day's trips that arrive
    anywhere at or after ``24:00 - PREVIOUS_DAY_LOOKBACK_S`` are added whole, their times
    shifted by -24 h (so their calls before midnight get negative times, which lets an
    arrive-by window reaching back before midnight use them too).  Their ``trip_id``
    gets the suffix ``@<previous date>`` so that the same train number running on both
    days stays two trips, and column ``previous_day`` marks them
    (:attr:`Timetable.trip_previous_day`).  Frames without ``service_date`` are one day
    and returned as they are.
    """
    if "service_date" not in calls.columns:
        return calls
    day = calls[calls["service_date"] == service_date]
    dates = calls["service_date"].astype(str).unique().tolist()
    previous = previous_service_date(service_date, dates)
    if previous is None:
        return day
    before = calls[calls["service_date"] == previous]
    last_arrival = (
        pd.to_numeric(before["arrival_s"], errors="coerce")
        .groupby(before["trip_id"])
        .transform("max")
    )
    late = before[last_arrival >= DAY_S - PREVIOUS_DAY_LOOKBACK_S].copy()
    for col in ("arrival_s", "departure_s"):
        late[col] = pd.to_numeric(late[col], errors="coerce") - DAY_S
    late["trip_id"] = late["trip_id"].astype(str) + f"@{previous}"
    late["previous_day"] = True
    return pd.concat([day.assign(previous_day=False), late], ignore_index=True)


def load_timetable(service_date: str, data_dir: Path | None = None) -> Timetable:
    """Build the :class:`Timetable` of one service date of the committed ``rail_timetable``.

    The layer holds one week of the 2019 feed; see :func:`feed_date_for` to map a
    requested date onto it.  The timetable holds the day's trains and the previous
    service day's trains running past midnight (:func:`service_day_calls`).
    """
    from geodata.io import load_layer

    calls = load_layer("rail_timetable", data_dir)
    if "service_date" in calls.columns and not (calls["service_date"] == service_date).any():
        calls = calls.iloc[:0]
    if calls.empty:
        msg = f"the rail timetable has no service on {service_date}"
        raise BadInputError(msg)
    return Timetable.from_frame(service_day_calls(calls, service_date))


# --------------------------------------------------------------------------- queries


def _targets(
    tt: Timetable, target_stops: np.ndarray, target_egress_s: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Check targets; return unique station indices and their smallest egress."""
    stops = np.atleast_1d(np.asarray(target_stops, dtype=np.int64))
    egress = np.broadcast_to(np.asarray(target_egress_s, dtype=float), stops.shape)
    if stops.size == 0:
        msg = "no target station given"
        raise BadInputError(msg)
    if stops.min() < 0 or stops.max() >= tt.n_stops:
        msg = f"target station index out of range 0..{tt.n_stops - 1}"
        raise BadInputError(msg)
    if not np.all(np.isfinite(egress)) or np.any(egress < 0):
        msg = "egress times must be finite and >= 0 seconds"
        raise BadInputError(msg)
    best = np.full(tt.n_stops, np.inf)
    np.minimum.at(best, stops, egress)
    uniq = np.flatnonzero(np.isfinite(best))
    return uniq, best[uniq]


@dataclass(frozen=True)
class _Sub:
    """Connections that can matter for deadlines up to ``hi`` and departures from ``lo``."""

    idx: np.ndarray  # connection indices (trip-contiguous)
    dep_stop: np.ndarray
    arr_stop: np.ndarray
    dep_s: np.ndarray
    arr_s: np.ndarray
    can_alight: np.ndarray
    pos: np.ndarray  # 0..m-1
    sentinel: np.ndarray  # index of the first connection after the trip (within sub)
    trip_last: np.ndarray  # index of the last connection of the trip (within sub)
    board_order: np.ndarray  # boardable positions grouped by departure station
    board_starts: np.ndarray  # group starts in board_order
    board_stops: np.ndarray  # station of each group


def _subset(tt: Timetable, lo: float, hi: float) -> _Sub:
    """Select connections departing at or after ``lo`` and arriving by ``hi``.

    Times grow along a trip, so the kept connections of each trip stay contiguous.
    """
    idx = np.flatnonzero((tt.dep_s >= lo) & (tt.arr_s <= hi))
    trip = tt.trip[idx]
    m = len(idx)
    last = np.ones(m, dtype=bool)
    last[:-1] = trip[1:] != trip[:-1]
    last_pos = np.flatnonzero(last)
    trip_last = last_pos[np.searchsorted(last_pos, np.arange(m))] if m else last_pos
    board = np.flatnonzero(tt.can_board[idx])
    board = board[np.argsort(tt.dep_stop[idx][board], kind="stable")]
    stops_sorted = tt.dep_stop[idx][board]
    starts = np.flatnonzero(np.r_[True, stops_sorted[1:] != stops_sorted[:-1]]) if m else board
    return _Sub(
        idx=idx,
        dep_stop=tt.dep_stop[idx],
        arr_stop=tt.arr_stop[idx],
        dep_s=tt.dep_s[idx],
        arr_s=tt.arr_s[idx],
        can_alight=tt.can_alight[idx],
        pos=np.arange(m, dtype=np.int64),
        sentinel=trip_last + 1,
        trip_last=trip_last,
        board_order=board,
        board_starts=starts,
        board_stops=stops_sorted[starts] if len(board) else stops_sorted,
    )


@dataclass(frozen=True)
class _Round:
    """State after one round (rows = deadlines, columns = stations)."""

    need: np.ndarray  # latest train arrival at a station that still works
    board: np.ndarray  # latest useful boarding at a station
    walk: np.ndarray  # latest start of a footpath towards a useful boarding


def _on_trip(sub: _Sub, need: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (ok, on): alighting at the end of a connection works; staying on works.

    ``ok[j, c]``: drop-off allowed and arriving then is no later than ``need``;
    ``on[j, c]``: some connection of the same trip at or after ``c`` is ``ok``.
    """
    ok = sub.can_alight & (sub.arr_s <= need[:, sub.arr_stop])
    vals = np.where(ok, sub.pos, sub.sentinel)
    nxt = np.minimum.accumulate(vals[:, ::-1], axis=1)[:, ::-1]
    return ok, nxt <= sub.trip_last


def _relax(tt: Timetable, sub: _Sub, need0: np.ndarray, need: np.ndarray) -> _Round:
    """One round: best boarding per station given ``need``, then the new ``need``."""
    k, n = need.shape
    board = np.full((k, n), NEG_INF)
    if len(sub.board_order):
        _, on = _on_trip(sub, need)
        cand = np.where(on[:, sub.board_order], sub.dep_s[sub.board_order], NEG_INF)
        board[:, sub.board_stops] = np.maximum.reduceat(cand, sub.board_starts, axis=1)
    walk = np.full((k, n), NEG_INF)
    if len(tt.fp_s):
        np.maximum.at(walk.T, tt.fp_from, (board[:, tt.fp_to] - tt.fp_s).T)  # view: fills walk
    new_need = np.maximum(np.maximum(need0, board - tt.transfer_s), walk)
    return _Round(new_need, board, walk)


def _solve(
    tt: Timetable,
    target_stops: np.ndarray,
    target_egress_s: np.ndarray,
    deadlines: np.ndarray,
    lo: float,
    max_rounds: int | None = None,
) -> tuple[np.ndarray, list[_Round], _Sub]:
    """Run rounds to the fixed point; return start rows ``need0``, the rounds and subset."""
    stops, egress = _targets(tt, target_stops, target_egress_s)
    deadlines = np.asarray(deadlines, dtype=float)
    need0 = np.full((len(deadlines), tt.n_stops), NEG_INF)
    need0[:, stops] = deadlines[:, None] - egress[None, :]
    sub = _subset(tt, lo, float(deadlines.max()))
    rounds = [_Round(need0, np.full_like(need0, NEG_INF), np.full_like(need0, NEG_INF))]
    limit = tt.n_connections + 1 if max_rounds is None else max_rounds
    while len(rounds) <= limit:
        nxt = _relax(tt, sub, need0, rounds[-1].need)
        if np.array_equal(nxt.need, rounds[-1].need):
            break
        rounds.append(nxt)
    return need0, rounds, sub


def _departures(need0: np.ndarray, state: _Round) -> np.ndarray:
    """Latest departure from each station: board, walk, or already at a target."""
    return np.asarray(np.maximum(np.maximum(state.board, state.walk), need0))


def latest_departures(
    tt: Timetable,
    target_stops: np.ndarray,
    target_egress_s: np.ndarray,
    arrive_by_s: float,
    *,
    max_travel_s: float | None = None,
    max_trains: int | None = None,
) -> np.ndarray:
    """Latest departure from every station that still arrives by ``arrive_by_s``.

    Parameters
    ----------
    tt : Timetable
        The timetable.
    target_stops : array of int
        Station indices where the journey may end (see :meth:`Timetable.stop_index`).
    target_egress_s : array of float
        Seconds from each target station to the destination (scalar broadcasts).
    arrive_by_s : float
        Deadline at the destination, seconds after midnight.
    max_travel_s : float, optional
        Ignore connections departing before ``arrive_by_s - max_travel_s`` (faster);
        stations whose latest departure would be earlier get ``-inf``.  Results at or
        after that bound are exact.
    max_trains : int, optional
        Allow at most this many trains (``max_trains - 1`` transfers).

    Returns
    -------
    ndarray of float
        Per station index: latest time (seconds) one may stand at that station, ready to
        board, and still arrive in time; ``-inf`` where impossible.
    """
    deadlines = np.array([float(arrive_by_s)])
    lo = NEG_INF if max_travel_s is None else float(arrive_by_s) - float(max_travel_s)
    need0, rounds, _ = _solve(tt, target_stops, target_egress_s, deadlines, lo, max_trains)
    out = np.asarray(_departures(need0, rounds[-1])[0])
    out[out < lo] = NEG_INF
    return out


def latest_departures_scan(
    tt: Timetable,
    target_stops: np.ndarray,
    target_egress_s: np.ndarray,
    arrive_by_s: float,
) -> np.ndarray:
    """Compute :func:`latest_departures` by the classic reverse Connection Scan.

    One pass over connections by decreasing departure time; kept as a readable
    reference (slower: a Python loop).
    """
    stops, egress = _targets(tt, target_stops, target_egress_s)
    deadline = float(arrive_by_s)
    n = tt.n_stops
    need = [NEG_INF] * n  # latest train arrival at a station that still works
    out = [NEG_INF] * n  # latest departure (ready at the station)
    for s, e in zip(stops.tolist(), egress.tolist(), strict=True):
        need[s] = out[s] = deadline - e
    transfer = tt.transfer_s.tolist()
    walks_to: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for a, b, f in zip(tt.fp_from.tolist(), tt.fp_to.tolist(), tt.fp_s.tolist(), strict=True):
        walks_to[b].append((a, f))
    on = [False] * (int(tt.trip.max()) + 1 if len(tt.trip) else 0)
    dep_stop, arr_stop = tt.dep_stop.tolist(), tt.arr_stop.tolist()
    dep_s, arr_s, trip = tt.dep_s.tolist(), tt.arr_s.tolist(), tt.trip.tolist()
    board_ok, alight_ok = tt.can_board.tolist(), tt.can_alight.tolist()
    order = tt.by_departure[tt.arr_s[tt.by_departure] <= deadline].tolist()
    for c in order:
        t = trip[c]
        if not on[t]:
            if not (alight_ok[c] and arr_s[c] <= need[arr_stop[c]]):
                continue
            on[t] = True
        if board_ok[c]:
            u, d = dep_stop[c], dep_s[c]
            if d > out[u]:
                out[u] = d
            if d - transfer[u] > need[u]:
                need[u] = d - transfer[u]
            for w, f in walks_to[u]:
                if d - f > need[w]:
                    need[w] = d - f
                if d - f > out[w]:
                    out[w] = d - f
    return np.asarray(out, dtype=float)


# --------------------------------------------------------------------------- window


@dataclass(frozen=True)
class WindowResult:
    """Travel times over a window of arrival deadlines.

    Attributes
    ----------
    deadlines_s : ndarray
        The deadlines (seconds after midnight), oldest first.
    latest_departure_s : ndarray, shape (n_deadlines, n_stops)
        Latest departure per deadline and station (``-inf`` when impossible).
    travel_s : ndarray, shape (n_deadlines, n_stops)
        ``deadline - (latest departure - access)``: seconds between leaving home at the
        latest and the deadline (``inf`` when impossible or beyond ``max_travel_s``).
    median_s, p10_s, p90_s : ndarray, shape (n_stops,)
        Percentiles of ``travel_s`` over the deadlines (``inf`` when unreachable for too
        many of them).
    """

    deadlines_s: np.ndarray
    latest_departure_s: np.ndarray
    travel_s: np.ndarray
    median_s: np.ndarray
    p10_s: np.ndarray
    p90_s: np.ndarray


def summarize(travel_s: np.ndarray, percentiles: tuple[float, ...] = (50, 10, 90)) -> np.ndarray:
    """Percentiles over axis 0 of a (deadlines x places) travel-time array.

    Unreachable (``inf``) counts as longer than any time, as in R5: the 90th percentile
    is ``inf`` as soon as more than about 10 % of the deadlines are missed.  The
    ``nearest`` rank method is used (no interpolation, so ``inf`` never turns into
    ``nan``).  To summarise homes served by several stations, take the minimum over
    stations per deadline first, then call this.

    Returns
    -------
    ndarray, shape (len(percentiles), n_places)
    """
    values = np.asarray(travel_s, dtype=float)
    return np.asarray(np.percentile(values, percentiles, axis=0, method="nearest"))


def arrive_by_window(
    tt: Timetable,
    target_stops: np.ndarray,
    target_egress_s: np.ndarray,
    arrive_by_s: float,
    *,
    window_min: int = 60,
    step_min: int = 1,
    access_s: np.ndarray | None = None,
    max_travel_s: float | None = 3 * 3600.0,
) -> WindowResult:
    """Arrive-by travel times for every deadline in ``[arrive_by - window, arrive_by]``.

    Parameters
    ----------
    tt : Timetable
        The timetable.
    target_stops, target_egress_s : array
        As in :func:`latest_departures`.
    arrive_by_s : float
        Latest deadline of the window (seconds after midnight).
    window_min, step_min : int
        Window length and step in minutes; deadlines ``arrive_by - window_min`` to
        ``arrive_by`` inclusive (61 deadlines by default).
    access_s : array, optional
        Seconds from home to each station (default 0: travel time from the station).
    max_travel_s : float, optional
        Longest travel time considered (default 3 h; ``None``: no limit).  Longer
        ones are ``inf``.  Also limits the connections scanned, so it speeds queries.

    Returns
    -------
    WindowResult
    """
    if window_min < 0 or step_min <= 0:
        msg = "window_min must be >= 0 and step_min > 0"
        raise BadInputError(msg)
    offsets = np.arange(-int(window_min), 1, int(step_min))
    if offsets[-1] != 0:
        offsets = np.r_[offsets, 0]
    deadlines = float(arrive_by_s) + 60.0 * offsets.astype(float)
    access = np.zeros(tt.n_stops) if access_s is None else np.asarray(access_s, dtype=float)
    if access.shape != (tt.n_stops,):
        msg = f"access_s must have one value per station ({tt.n_stops})"
        raise BadInputError(msg)
    lo = NEG_INF if max_travel_s is None else float(deadlines.min()) - float(max_travel_s)
    need0, rounds, _ = _solve(tt, target_stops, target_egress_s, deadlines, lo)
    latest = _departures(need0, rounds[-1])
    travel = deadlines[:, None] - (latest - access[None, :])
    travel[~np.isfinite(travel)] = np.inf
    if max_travel_s is not None:
        travel[travel > max_travel_s] = np.inf
    median, p10, p90 = summarize(travel)
    return WindowResult(deadlines, latest, travel, median, p10, p90)


def arrivals_at(tt: Timetable, stop: int, lo: float, hi: float) -> np.ndarray:
    """Return the times a train may be left at ``stop``, from the last before ``lo`` to ``hi``.

    Sorted, distinct; the arrival times of connections arriving at ``stop`` with drop-off
    allowed, within ``[lo, hi]``, plus the latest one before ``lo`` (which still serves a
    deadline just after ``lo``).  These are the only times at which the latest departures
    towards ``stop`` can change (see :func:`latest_departures_to_stop`).
    """
    mask = (tt.arr_stop == int(stop)) & tt.can_alight & (tt.arr_s <= float(hi))
    times = np.unique(tt.arr_s[mask])
    first = max(int(np.searchsorted(times, float(lo), side="right")) - 1, 0)
    return np.asarray(times[first:], dtype=float)


def latest_departures_to_stop(
    tt: Timetable, stop: int, arrivals_s: np.ndarray, lo: float
) -> np.ndarray:
    """Latest departure from every station that reaches ``stop`` by each arrival time.

    One row per time of ``arrivals_s`` (the rows are solved at once, as the deadlines of
    a window are): :func:`latest_departures` with ``stop`` as the only target, egress 0,
    and connections departing before ``lo`` ignored.  For any deadline ``a`` the row of
    the latest arrival time ``b <= a`` from :func:`arrivals_at` is the answer for ``a``
    at every station but ``stop`` itself (whose latest departure is ``a``): a journey
    reaches ``stop`` by alighting there, at one of those times, so no journey tells ``a``
    from ``b``.  Journeys towards several target stations are the union of the
    journeys towards each, so their latest departures are the maximum of these rows
    (the rounds of :func:`_relax` distribute over a maximum): this is what lets a
    batch solve each station once instead of once per destination.

    Returns
    -------
    ndarray, shape (len(arrivals_s), n_stops)
    """
    arrivals = np.asarray(arrivals_s, dtype=float)
    if not len(arrivals):
        return np.full((0, tt.n_stops), NEG_INF)
    need0, rounds, _ = _solve(tt, np.array([int(stop)]), np.array([0.0]), arrivals, float(lo))
    return np.asarray(_departures(need0, rounds[-1]))


# --------------------------------------------------------------------------- journeys


@dataclass(frozen=True)
class Leg:
    """One leg of a journey.

    Attributes
    ----------
    kind : {"train", "walk"}
        Ride a train or walk a footpath between stations.
    from_stop, to_stop : int
        Station indices.
    dep_s, arr_s : float
        Departure and arrival (seconds after midnight).
    trip_id, train, route : str
        GTFS trip, train number and route short name (empty for walks).
    """

    kind: str
    from_stop: int
    to_stop: int
    dep_s: float
    arr_s: float
    trip_id: str = ""
    train: str = ""
    route: str = ""


@dataclass(frozen=True)
class Journey:
    """A latest-departure journey with the fewest trains among those.

    Attributes
    ----------
    departure_s : float
        Latest departure from the origin station.
    arrival_s : float
        Arrival at the final station (before egress).
    target_stop : int
        Final station.
    legs : list of Leg
        Train and walk legs in order (empty when the origin is a target).
    """

    departure_s: float
    arrival_s: float
    target_stop: int
    legs: list[Leg]

    @property
    def transfers(self) -> int:
        """Number of changes between trains."""
        return max(0, sum(leg.kind == "train" for leg in self.legs) - 1)


def journey(
    tt: Timetable,
    origin: int,
    target_stops: np.ndarray,
    target_egress_s: np.ndarray,
    arrive_by_s: float,
) -> Journey | None:
    """Reconstruct a journey from ``origin`` leaving as late as possible.

    Among journeys with the latest departure it uses the fewest trains; at each step it
    boards the earliest suitable train and alights at the first suitable station.

    Returns
    -------
    Journey or None
        ``None`` when no journey arrives in time.
    """
    if not 0 <= int(origin) < tt.n_stops:
        msg = f"origin station index {origin} out of range 0..{tt.n_stops - 1}"
        raise BadInputError(msg)
    origin = int(origin)
    deadlines = np.array([float(arrive_by_s)])
    need0, rounds, sub = _solve(tt, target_stops, target_egress_s, deadlines, NEG_INF)
    best = float(_departures(need0, rounds[-1])[0, origin])
    if not np.isfinite(best):
        return None
    need0_row = need0[0]
    if need0_row[origin] == best:
        return Journey(best, best, origin, [])
    # fewest rounds (= trains) reaching the best departure
    r = next(i for i in range(1, len(rounds)) if _departures(need0, rounds[i])[0, origin] == best)
    legs: list[Leg] = []
    here, ready = origin, best
    if rounds[r].board[0, origin] != best:  # start with a footpath
        here, ready = _walk_towards(tt, rounds[r].board[0], origin, best, legs)
    while True:
        on = _on_trip(sub, rounds[r - 1].need)
        ok_r, on_r = on[0][0], on[1][0]
        cand = np.flatnonzero(
            (sub.dep_stop == here) & tt.can_board[sub.idx] & on_r & (sub.dep_s >= ready)
        )
        c = int(cand[np.argmin(sub.dep_s[cand])])
        end = c + int(np.flatnonzero(ok_r[c : sub.trip_last[c] + 1])[0])
        conn = sub.idx[c]
        t = int(tt.trip[conn])
        legs.append(
            Leg(
                "train",
                here,
                int(sub.arr_stop[end]),
                float(sub.dep_s[c]),
                float(sub.arr_s[end]),
                str(tt.trip_ids[t]),
                str(tt.trip_train[t]),
                str(tt.trip_route[t]),
            )
        )
        here, arrived = int(sub.arr_stop[end]), float(sub.arr_s[end])
        r -= 1
        if arrived <= need0_row[here]:
            return Journey(best, arrived, here, legs)
        if arrived + tt.transfer_s[here] <= rounds[r].board[0, here]:
            ready = arrived + float(tt.transfer_s[here])
        else:
            here, ready = _walk_towards(tt, rounds[r].board[0], here, arrived, legs)


def _walk_towards(
    tt: Timetable, board: np.ndarray, start: int, t: float, legs: list[Leg]
) -> tuple[int, float]:
    """Append the footpath from ``start`` at ``t`` to a station where boarding works."""
    ok = np.flatnonzero((tt.fp_from == start) & (t + tt.fp_s <= board[tt.fp_to]))
    i = int(ok[0])
    to, end = int(tt.fp_to[i]), t + float(tt.fp_s[i])
    legs.append(Leg("walk", start, to, t, end))
    return to, end
