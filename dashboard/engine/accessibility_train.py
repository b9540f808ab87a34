"""Batch accessibility by train: train + walk and train + bike, for places near a station.

For every origin with a station within access reach (30 minutes' walk or 20 minutes by
bike, :data:`~dashboard.engine.transit_commute.MAX_ACCESS_MIN`) and every facility, the
median door-to-door minutes over the arrive-by window, as a single train query
(:func:`~dashboard.engine.transit_commute.transit_commute` with the facility as
workplace) computes them, without running one query per facility:

* the access legs (origin -> station) are the planner's own access matrix, computed
  once for the origins, as every single query reads it;
* the egress legs (station -> facility, on foot, at most
  :data:`~dashboard.engine.transit_commute.MAX_EGRESS_MIN`) are the single query's own
  street call per facility, for the facilities with a station within walking reach
  (the others have no train: their time is the direct one);
* the trains: the latest departure from every station towards one target station,
  solved once per target station for every time a train may be left there
  (:func:`~dashboard.engine.transit.latest_departures_to_stop`); a facility's latest
  departures for a deadline are the maximum over its target stations of the row of the
  last arrival before ``deadline - egress``, exactly what the single query's
  multi-target search gives (journeys towards several targets are the union of the
  journeys towards each);
* per origin and deadline the latest time to leave home, and the median over the
  window (nearest rank, as the single query).

A single query then takes, per deadline, the faster of the train and going straight
there by the access mode.  The minimum commutes with the median (both are monotone), so
its median is ``min(direct, train median)``: this module returns the train median and
the batch takes the minimum with its own street time
(:func:`dashboard.engine.accessibility.batch_accessibility`).  The street time there is
the single street query from the origin; the train query's is from the facility; the
street model gives the same minutes both ways except where exactly one end lies outside
the street graphs' coverage area (see the closing note of issue 11).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from dashboard.engine.accessibility import (
    THRESHOLDS,
    Nearest,
    Places,
    StreetBatch,
    _side_by_side,
    minutes_matrix,
    street_batch,
    street_table,
    worker_count,
)
from dashboard.engine.core import CommuteEngine
from dashboard.engine.inputs import LatLon, check_mode
from dashboard.engine.modes import DEFAULT_ARRIVE_BY
from dashboard.engine.network import StreetNetwork, lonlat_to_xy
from dashboard.engine.settings import GRAPH_OF_MODE, STREET_MODES
from dashboard.engine.street import StreetQuery, inside_coverage
from dashboard.engine.transit import (
    Timetable,
    arrivals_at,
    latest_departures_to_stop,
    summarize,
)
from dashboard.engine.transit_commute import (
    MAX_EGRESS_MIN,
    ServiceDay,
    _latest_leave,
    feed_date_for,
)

#: Train modes of the batch: the access mode after ``train_``; egress is on foot.
TRAIN_MODES: tuple[str, ...] = ("train_walk", "train_bike")
#: Longest travel time the single query's window search considers (its default).
MAX_TRAVEL_S = 3 * 3600.0


@dataclass(frozen=True)
class TrainQuestion:
    """When the train batch travels: arrive by a time, over a window, on a day.

    Attributes
    ----------
    arrive_by : time
        Latest arrival at the facility (the app's default arrive-by time).
    day : date, optional
        Travel date, mapped onto the feed's week (``None``: its Tuesday).
    window_min : int
        Minutes of deadlines before ``arrive_by`` (one per minute, as the single query).
    """

    arrive_by: time = DEFAULT_ARRIVE_BY
    day: date | None = None
    window_min: int = 60


@dataclass(frozen=True)
class TrainMatrix:
    """Median train minutes from every origin to every facility.

    Attributes
    ----------
    minutes : ndarray, shape (origins, facilities)
        Median over the window of the door-to-door train time; ``inf`` where no train
        journey serves the pair for at least half of the deadlines.
    estimated : ndarray of bool, same shape
        The access leg to the origin's best station or the facility's shortest egress
        leg is estimated (as the single query flags a train time).
    reached : ndarray of bool, shape (origins,)
        A station lies within access reach of the origin.
    service : ServiceDay
        The feed date used and a sentence saying so.
    """

    minutes: np.ndarray
    estimated: np.ndarray
    reached: np.ndarray
    service: ServiceDay


@dataclass(frozen=True)
class _Egress:
    """Walking legs from stations to each facility (the single query's egress call)."""

    stops: list[np.ndarray]  # per facility: target station indices
    seconds: list[np.ndarray]  # per facility: egress seconds to each target
    estimated: np.ndarray  # per facility: its shortest egress leg is estimated


def _egress(engine: CommuteEngine, tt: Timetable, facilities: Places) -> _Egress:
    """Egress legs of every facility, as the single query's street call gives them.

    The single query asks the walking time from every station to the facility (anchor
    the facility, direction "to").  The walking graph has every street both ways (a
    test checks it), so that is the bounded search from the facility that
    :func:`~dashboard.engine.accessibility.minutes_matrix` runs, with the egress legs of
    the stations computed once for all facilities.  Stations no walk can reach in time
    are skipped: every street time is at least the straight line at the mode's speed.
    A leg is estimated unless both ends lie in the walking graph's coverage area.
    """
    sx, sy = lonlat_to_xy(tt.stop_lon, tt.stop_lat)
    fx, fy = lonlat_to_xy(facilities.lon, facilities.lat)
    reach_m = MAX_EGRESS_MIN * 60.0 * engine.settings.speed_mps("walk")
    tree = cKDTree(np.column_stack([sx, sy]))
    close = tree.query_ball_point(np.column_stack([fx, fy]), reach_m)
    stations = np.unique(np.concatenate([np.asarray(c, dtype=np.int64) for c in close] + [[]]))
    stations = stations.astype(np.int64)
    served = np.flatnonzero([len(c) > 0 for c in close])
    stops: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(facilities)
    seconds: list[np.ndarray] = [np.zeros(0)] * len(facilities)
    estimated = np.zeros(len(facilities), dtype=bool)
    if not len(served):
        return _Egress(stops, seconds, estimated)
    station_places = Places(tt.stop_ids[stations], tt.stop_lon[stations], tt.stop_lat[stations])
    place = Places(facilities.ids[served], facilities.lon[served], facilities.lat[served])
    walk = minutes_matrix(engine, "walk", place, station_places, MAX_EGRESS_MIN)
    net = engine.network(GRAPH_OF_MODE["walk"])
    query = engine.query_for("walk", LatLon(float(place.lat[0]), float(place.lon[0])), "to", None)
    covered_station = _covered(net, query, sx[stations], sy[stations])
    covered_place = _covered(net, query, fx[served], fy[served])
    for row, j in enumerate(served):
        ok = np.isfinite(walk[row])
        stops[j] = stations[ok]
        seconds[j] = walk[row, ok] * 60.0
        if ok.any():
            best = int(np.argmin(walk[row, ok]))
            estimated[j] = not (covered_place[row] and covered_station[ok][best])
    return _Egress(stops, seconds, estimated)


def _covered(net: StreetNetwork, query: StreetQuery, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Whether each point (Lambert 72) lies in the network's coverage area."""
    _, snap = net.snap(x, y)
    return inside_coverage(query, x, y, snap)


@dataclass(frozen=True)
class _Profiles:
    """Per target station: the times a train may be left there and the latest departures."""

    arrivals: dict[int, np.ndarray]
    latest: dict[int, np.ndarray]  # arrivals x access stations

    def latest_for(self, stop: int, deadlines_s: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Latest departures (deadlines x ``columns``) to reach ``stop`` by each deadline."""
        row = np.searchsorted(self.arrivals[stop], deadlines_s, side="right") - 1
        table = self.latest[stop]
        out = (
            np.where(row[:, None] >= 0, table[np.maximum(row, 0)], -np.inf)
            if len(table)
            else np.full((len(deadlines_s), len(columns)), -np.inf)
        )
        at_target = np.flatnonzero(columns == stop)
        out[:, at_target] = deadlines_s[:, None]  # standing at the target already
        return out


def _profiles(
    tt: Timetable, stops: set[int], columns: np.ndarray, lo: float, first: float, hi: float
) -> _Profiles:
    """Solve every target station once, for every time a train may be left there."""
    arrivals: dict[int, np.ndarray] = {}
    latest: dict[int, np.ndarray] = {}
    for stop in sorted(stops):
        times = arrivals_at(tt, stop, first, hi)
        arrivals[stop] = times
        latest[stop] = latest_departures_to_stop(tt, stop, times, lo)[:, columns]
    return _Profiles(arrivals, latest)


@dataclass(frozen=True)
class _Trains:
    """What every access mode shares: the day, its deadlines, egress legs and profiles."""

    service: ServiceDay
    tt: Timetable
    deadlines: np.ndarray
    egress: _Egress
    profiles: _Profiles


def _trains(
    engine: CommuteEngine, facilities: Places, question: TrainQuestion, columns: np.ndarray
) -> _Trains:
    """Egress legs and station profiles of ``facilities`` towards the stations ``columns``."""
    planner = engine.transit_planner()
    service = feed_date_for(question.day, planner.week)
    tt = planner.timetable(service.feed_date)
    arrive_s = question.arrive_by.hour * 3600.0 + question.arrive_by.minute * 60.0
    deadlines = arrive_s + 60.0 * np.arange(-int(question.window_min), 1, dtype=float)
    egress = _egress(engine, tt, facilities)
    used = {int(s) for stops in egress.stops for s in stops}
    longest = max((float(e.max()) for e in egress.seconds if len(e)), default=0.0)
    lo = float(deadlines.min()) - MAX_TRAVEL_S  # as the single query's window search
    profiles = _profiles(tt, used, columns, lo, float(deadlines.min()) - longest, arrive_s)
    return _Trains(service, tt, deadlines, egress, profiles)


def _access(
    engine: CommuteEngine, origins: Places, access_mode: str, question: TrainQuestion
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the planner's access matrix of the origins (stations, seconds, estimated)."""
    planner = engine.transit_planner()
    service = feed_date_for(question.day, planner.week)
    tt = planner.timetable(service.feed_date)
    near, acc_min, acc_est = planner.access(
        tt, origins.lon, origins.lat, access_mode, service.feed_date
    )
    return near, np.where(np.isfinite(acc_min), acc_min * 60.0, np.inf), acc_est


def train_matrices(
    engine: CommuteEngine,
    access_modes: tuple[str, ...],
    origins: Places,
    facilities: Places,
    question: TrainQuestion | None = None,
) -> dict[str, TrainMatrix]:
    """Median train minutes from every origin to every facility, per access mode.

    See the module docstring.  The egress legs and the station profiles do not depend on
    the access mode: they are computed once for all of ``access_modes``.

    Parameters
    ----------
    engine : CommuteEngine
        The engine (its train planner and street networks).
    access_modes : tuple of {"walk", "bike"}
        How the origin reaches its station; egress is on foot.
    origins, facilities : Places
        The batch's origins and the facilities (of one layer or of several at once).
    question : TrainQuestion, optional
        Arrive-by time, day and window (the app's defaults).
    """
    question = question or TrainQuestion()
    access = {mode: _access(engine, origins, mode, question) for mode in access_modes}
    columns = np.unique(np.concatenate([a[0] for a in access.values()] + [np.zeros(0, int)]))
    trains = _trains(engine, facilities, question, columns)
    out = {}
    for mode, (near, acc_s, acc_est) in access.items():
        out[mode] = _train_matrix(trains, origins, facilities, near, acc_s, acc_est, columns)
    return out


def _train_matrix(
    trains: _Trains,
    origins: Places,
    facilities: Places,
    near: np.ndarray,
    acc_s: np.ndarray,
    acc_est: np.ndarray,
    columns: np.ndarray,
) -> TrainMatrix:
    """Median train minutes of one access mode (origins x facilities)."""
    shape = (len(origins), len(facilities))
    minutes = np.full(shape, np.inf)
    estimated = np.zeros(shape, dtype=bool)
    reached = np.isfinite(acc_s).any(axis=1) if len(near) else np.zeros(len(origins), bool)
    rows = np.flatnonzero(reached)
    if not len(rows):
        return TrainMatrix(minutes, estimated, reached, trains.service)
    take = np.searchsorted(columns, near)  # this mode's stations among the profile columns
    deadlines, egress = trains.deadlines, trains.egress
    for j in range(len(facilities)):
        if not len(egress.stops[j]):
            continue
        latest = np.full((len(deadlines), len(columns)), -np.inf)
        for stop, leg_s in zip(egress.stops[j], egress.seconds[j], strict=True):
            at = trains.profiles.latest_for(int(stop), deadlines - leg_s, columns)
            np.maximum(latest, at, out=latest)
        latest = latest[:, take]
        leave = _latest_leave(latest, acc_s[rows])  # deadlines x reached origins
        minutes[rows, j] = summarize(deadlines[:, None] - leave, (50,))[0] / 60.0
        best = np.argmax(latest[-1][None, :] - acc_s[rows], axis=1)
        estimated[rows, j] = acc_est[rows, best] | egress.estimated[j]
    return TrainMatrix(minutes, estimated, reached, trains.service)


def train_matrix(
    engine: CommuteEngine,
    access_mode: str,
    origins: Places,
    facilities: Places,
    question: TrainQuestion | None = None,
) -> TrainMatrix:
    """Median train minutes of one access mode (:func:`train_matrices` for one mode)."""
    return train_matrices(engine, (access_mode,), origins, facilities, question)[access_mode]


def _layer_slices(layers: dict[str, Places]) -> tuple[Places, dict[str, slice]]:
    """All facilities of ``layers`` as one set, and each layer's columns in it."""
    names = list(layers)
    every = Places(
        np.concatenate([layers[k].ids for k in names] + [np.zeros(0, dtype=object)]),
        np.concatenate([layers[k].lon for k in names] + [np.zeros(0)]),
        np.concatenate([layers[k].lat for k in names] + [np.zeros(0)]),
    )
    bounds = np.cumsum([0] + [len(layers[k]) for k in names])
    return every, {k: slice(int(bounds[i]), int(bounds[i + 1])) for i, k in enumerate(names)}


def _best_train(by_train: np.ndarray) -> np.ndarray:
    """Column of each row's fastest train (0 when there are no columns)."""
    if not by_train.shape[1]:
        return np.zeros(by_train.shape[0], dtype=np.int64)
    return np.asarray(np.argmin(by_train, axis=1))


def train_rows(
    origins: Places,
    layers: dict[str, Places],
    trains: dict[str, TrainMatrix],
    street: StreetBatch,
    thresholds: Sequence[int],
) -> pd.DataFrame:
    """Rows of the batch table for :data:`TRAIN_MODES`, one per reached origin x layer x mode.

    Parameters
    ----------
    origins : Places
        The batch's origins; only those with a station within access reach get rows.
    layers : dict of str to Places
        Facility layers.
    trains : dict of str to TrainMatrix
        Access mode -> :func:`train_matrices` over the facilities of every layer, in the
        order of ``layers`` (:func:`_layer_slices`).
    street : StreetBatch
        The street batch of the access modes: nearest facility (unbounded) and minutes
        within the longest threshold.
    thresholds : sequence of int
        Minutes of the ``count_<t>`` columns.

    Returns
    -------
    DataFrame
        Columns of :data:`dashboard.engine.accessibility.COLUMNS`.  A time is the faster
        of the train and going straight there by the access mode, as a single query
        gives it; ``method`` says which, ``estimated`` follows the winner.
    """
    _, columns = _layer_slices(layers)
    frames = []
    for mode in TRAIN_MODES:
        access = mode.removeprefix("train_")
        if access not in trains:
            continue
        for name, cols in columns.items():
            frames.append(
                _layer_rows(
                    origins,
                    (name, mode),
                    trains[access],
                    cols,
                    street.nearest[access][name],
                    street.minutes[access][name],
                    thresholds,
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _layer_rows(
    origins: Places,
    layer_mode: tuple[str, str],
    matrix: TrainMatrix,
    cols: slice,
    direct_near: Nearest,
    direct_within: np.ndarray,
    thresholds: Sequence[int],
) -> pd.DataFrame:
    """Return the train rows of one layer and mode: the faster of train and direct."""
    layer, mode = layer_mode
    access = mode.removeprefix("train_")
    rows = np.flatnonzero(matrix.reached)
    by_train = matrix.minutes[np.ix_(rows, np.arange(cols.start, cols.stop))]
    best = _best_train(by_train)
    direct = np.where(np.isnan(direct_near.minutes[rows]), np.inf, direct_near.minutes[rows])
    if by_train.shape[1]:
        train_best = np.take_along_axis(by_train, best[:, None], axis=1)[:, 0]
        train_estimated = matrix.estimated[rows, cols.start + best]
    else:  # a layer without facilities: no train either
        train_best = np.full(len(rows), np.inf)
        train_estimated = np.zeros(len(rows), dtype=bool)
    limits = np.asarray(thresholds, dtype=float)
    within = (direct_within[rows][:, :, None] <= limits) | (by_train[:, :, None] <= limits)
    train_wins = train_best < direct  # a tie goes to the direct trip, as in a query
    near = np.minimum(direct, train_best)
    return pd.DataFrame(
        {
            "code": origins.ids[rows],
            "layer": layer,
            "mode": mode,
            "nearest_minutes": np.where(np.isfinite(near), near, np.nan),
            **{
                f"count_{t}": within[:, :, i].sum(axis=1).astype(np.int64)
                for i, t in enumerate(thresholds)
            },
            "estimated": np.where(train_wins, train_estimated, direct_near.estimated[rows]),
            "method": np.where(
                train_wins, f"train + {access} access", f"direct {access} (faster than any train)"
            ),
        }
    )


#: Every mode of the batch: the street modes, then the train modes.
BATCH_MODES: tuple[str, ...] = (*STREET_MODES, *TRAIN_MODES)


def region_batch(
    engine: CommuteEngine,
    origins: Places,
    layers: dict[str, Places],
    modes: Sequence[str] = BATCH_MODES,
    thresholds: Sequence[int] = THRESHOLDS,
    question: TrainQuestion | None = None,
    *,
    workers: int | None = None,
) -> pd.DataFrame:
    """Return the batch table for street and train modes (:data:`BATCH_MODES`).

    The street batch (:func:`~dashboard.engine.accessibility.street_batch`) runs once for
    the street modes asked for and the train modes' access modes; the train matrices
    (:func:`train_matrices`) run beside it in a forked process where ``workers``
    (:func:`~dashboard.engine.accessibility.worker_count`) allows more than one.

    Raises
    ------
    BadInputError
        For a mode that is not in :data:`BATCH_MODES`.
    """
    for mode in modes:
        check_mode(mode, BATCH_MODES)
    train_modes = [m for m in TRAIN_MODES if m in modes]
    access = tuple(m.removeprefix("train_") for m in train_modes)
    street_modes = [m for m in STREET_MODES if m in modes]
    needed = [m for m in STREET_MODES if m in street_modes or m in access]
    limit = float(max(thresholds))
    every, _ = _layer_slices(layers)

    def street() -> StreetBatch:
        return street_batch(engine, origins, layers, needed, limit, workers=workers)

    def trains() -> dict[str, TrainMatrix]:
        return train_matrices(engine, access, origins, every, question) if access else {}

    forked = bool(access) and worker_count(workers, len(origins)) > 1
    parts, by_train = _side_by_side(street, trains, fork=forked)
    frames = []
    if street_modes:
        frames.append(street_table(origins, layers, street_modes, parts, thresholds))
    if train_modes:
        frames.append(train_rows(origins, layers, by_train, parts, thresholds))
    table = pd.concat(frames, ignore_index=True)
    return table.astype({"code": "str", "layer": "str", "mode": "str", "method": "str"})
