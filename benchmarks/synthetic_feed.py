"""A SYNTHETIC full-size timetable for scale benchmarks (not real data, never shipped).

A live De Lijn + NMBS feed has millions of stop_times; the bundled 2019 feed has rail
only (46k calls a day).  To show the transit router copes with the full size, this module
generates a timetable of similar size and shape: stops scattered over Flanders, lines as
chains of nearby stops, trips every 10-30 minutes from 05:00 to 23:00.  Every row is
labelled ``synthetic`` in ``route_short_name``.  Deterministic for a given seed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Flanders, roughly (lon, lat box).
BOX = (2.55, 50.68, 5.90, 51.50)


def synthetic_timetable(
    n_stops: int = 36_000,
    n_lines: int = 1_100,
    stops_per_line: int = 28,
    seed: int = 2019,
) -> pd.DataFrame:
    """Return a rail_timetable-shaped frame with about 2 million synthetic calls.

    Parameters
    ----------
    n_stops, n_lines, stops_per_line : int
        Network size (defaults approximate De Lijn's 36k stops and a day's ~2M calls).
    seed : int
        Random seed.
    """
    rng = np.random.default_rng(seed)
    lon = rng.uniform(BOX[0], BOX[2], n_stops)
    lat = rng.uniform(BOX[1], BOX[3], n_stops)
    order = np.lexsort((lat, np.round(lon, 1)))  # stops near each other have near ranks
    trip_col, line_col, seq_col, stop_col, time_col = [], [], [], [], []
    trip_no = 0
    for line in range(n_lines):
        start = int(rng.integers(0, n_stops - stops_per_line * 3))
        step = int(rng.integers(1, 4))
        stops = order[start : start + stops_per_line * step : step][:stops_per_line]
        if rng.random() < 0.5:
            stops = stops[::-1]
        offsets = np.concatenate([[0], np.cumsum(rng.integers(60, 240, len(stops) - 1))])
        headway = int(rng.choice([600, 900, 1200, 1800]))
        firsts = np.arange(5 * 3600 + int(rng.integers(0, headway)), 23 * 3600, headway)
        times = firsts[:, None] + offsets[None, :]  # trips x stops
        n_trips = len(firsts)
        trip_col.append(np.repeat(np.arange(trip_no, trip_no + n_trips), len(stops)))
        line_col.append(np.full(times.size, line))
        seq_col.append(np.tile(np.arange(len(stops)), n_trips))
        stop_col.append(np.tile(stops, n_trips))
        time_col.append(times.ravel())
        trip_no += n_trips
    stop_idx = np.concatenate(stop_col)
    seconds = np.concatenate(time_col)
    lines = np.concatenate(line_col)
    table = pd.DataFrame(
        {
            "trip_id": pd.Series(np.concatenate(trip_col)).map("syn{}".format),
            "route_short_name": pd.Series(lines).map("synthetic {}".format),
            "stop_sequence": np.concatenate(seq_col).astype(np.int32),
            "stop_id": stop_idx.astype(str),
            "arrival_s": seconds,
            "departure_s": seconds,
            "stop_lon": lon[stop_idx],
            "stop_lat": lat[stop_idx],
        }
    )
    table["pickup_type"] = np.int16(0)
    table["drop_off_type"] = np.int16(0)
    table["min_transfer_s"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["route_id"] = table["route_short_name"]
    table["route_type"] = np.int16(3)
    return table
