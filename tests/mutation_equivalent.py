"""Surviving mutants classified by hand as equivalent (no input can tell them apart).

Keys are :attr:`tests.mutation.Mutant.key` (``qualname: before -> after``); values say why
the change cannot alter behaviour. Used by ``python -m tests.mutation`` to report the score
over non-equivalent mutants.
"""

from __future__ import annotations

EQUIVALENT: dict[str, dict[str, str]] = {
    "dashboard/engine/street.py": {
        "<module>: _CHUNK = 256 -> _CHUNK = 257": (
            "the block size only splits the points into groups; each point's best node is "
            "found over the same nodes whatever its block"
        ),
        "_limit_s: query.max_minutes * 60.0 -> query.max_minutes * 61.0": (
            "a larger search limit only reaches nodes slower than max_minutes; every time "
            "through them (plus legs >= 0) exceeds max_minutes and the final "
            "`minutes > max_minutes` filter turns it into nan anyway"
        ),
    },
    "dashboard/engine/transit.py": {
        "_solve: tt.n_connections + 1 -> tt.n_connections + 0": (
            "a journey uses at most one train per connection, so n_connections rounds "
            "already reach the fixed point; the extra round only confirms it"
        ),
        "latest_departures_scan: strict=True -> strict=False": (
            "zip over arrays of one length: strict never fires"
        ),
        "latest_departures_scan: strict=True -> strict=False #2": (
            "zip over the three footpath arrays, always of one length"
        ),
        "latest_departures_scan: int(tt.trip.max()) + 1 if len(tt.trip) else 0 -> "
        "int(tt.trip.max()) + 1 if len(tt.trip) else 1": (
            "without connections the `on` list is never indexed"
        ),
        "latest_departures_scan: d > out[u] -> d >= out[u]": (
            "on equality the assignment writes the value already there"
        ),
        "latest_departures_scan: d - transfer[u] > need[u] -> d - transfer[u] >= need[u]": (
            "on equality the assignment writes the value already there"
        ),
        "latest_departures_scan: d - f > need[w] -> d - f >= need[w]": (
            "on equality the assignment writes the value already there"
        ),
        "latest_departures_scan: d - f > out[w] -> d - f >= out[w]": (
            "on equality the assignment writes the value already there"
        ),
        "journey: range(1, len(rounds)) -> range(0, len(rounds))": (
            "round 0 gives the best departure only when the origin is a target at that "
            "time, which returns earlier with an empty journey"
        ),
    },
    "dashboard/state.py": {
        "_int_in: value >= high -> value > high": (
            "at value == high the next lines return round(value), which is high"
        ),
        "_int_in: value <= low -> value < low": (
            "at value == low the last line returns round(value), which is low"
        ),
    },
    "dashboard/layers/candidates.py": {
        'rank_candidates: (frame["price_eur"] > filters.budget_max_eur).fillna(False) -> '
        "(frame['price_eur'] > filters.budget_max_eur).fillna(True)": (
            "price_eur is float64: `>` with nan gives False, never <NA>, so fillna is a no-op"
        ),
        'points_in: points["wijk"].astype("string").isin(wanted).fillna(False) -> '
        "points['wijk'].astype('string').isin(wanted).fillna(True)": (
            "Series.isin returns plain bool (no <NA>) even for the string dtype"
        ),
    },
}
