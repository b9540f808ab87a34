"""Surviving mutants classified by hand as equivalent (no input can tell them apart).

Keys are :attr:`tests.mutation.Mutant.key` (``qualname: before -> after``); values say why
the change cannot alter behaviour. Used by ``python -m tests.mutation`` to report the score
over non-equivalent mutants.
"""

from __future__ import annotations

EQUIVALENT: dict[str, dict[str, str]] = {
    "dashboard/engine/street.py": {
        "street_times: query.max_minutes * 60.0 -> query.max_minutes * 61.0": (
            "a larger search limit only reaches nodes slower than max_minutes, which the "
            "final `minutes > max_minutes` filter turns into nan anyway"
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
