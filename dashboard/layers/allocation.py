"""School allocation hint: straight-line distances from home and work to primary schools.

In Leuven the free places of a primary school (basisonderwijs) are shared out by a
computer among the children registered for it.  Per school it ranks them by distance
to the school, measured as the crow flies from the child's official address and possibly
from the work address of one of the parents, and by preference (an extra chance for the
first three schools registered for); each school chooses how its places are split
between preference and distance (70/30, 50/50 or 30/70), after reserving places for
indicator pupils.  Source: City of Leuven, :data:`RULE_SOURCE_URL`; registration goes
through :data:`REGISTRATION_URL`, whose FAQ names the municipalities taking part
(:data:`SYSTEM_MUNICIPALITIES`).

This module only measures: for each primary school near a neighbourhood, the straight-
line distance from the neighbourhood's representative point and from each workplace.
It gives no chances: those depend on who else registers, the school's split and its
places, none of which is in the data.

The morning chain (:func:`chain_columns`) answers the related morning question: home ->
crèche or primary school -> work for the parent who drops the child off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import pandas as pd
from pyproj import Transformer

from dashboard.engine.chains import Commuter as ChainCommuter
from dashboard.engine.chains import morning_chain
from dashboard.engine.core import CommuteEngine
from dashboard.engine.errors import BadInputError
from dashboard.engine.inputs import LatLon
from dashboard.engine.settings import STREET_MODES

#: The City of Leuven's page stating how free places in primary school are allocated.
RULE_SOURCE_URL: Final = (
    "https://www.leuven.be/hoe-worden-de-vrije-plaatsen-het-basisonderwijs-verdeeld"
)
#: The official registration site (Meld je aan, Leuven and neighbouring municipalities).
REGISTRATION_URL: Final = "https://meldjeaan.leuven.be"
#: Municipalities whose schools its FAQ (meldjeaan.leuven.be/faq) lists in the system.
SYSTEM_MUNICIPALITIES: Final = ("Leuven", "Herent", "Bierbeek", "Oud-Heverlee")
#: Primary schools within this straight-line distance of the neighbourhood are listed.
NEAR_M: Final = 2_000.0
#: Schools carrying this level (in the ``levels`` column) teach primary classes.
PRIMARY_LEVEL: Final = "lager"
#: Special-needs schools register through their own system (naarschoolinregioleuven.be,
#: "bubao"): left out here.
SPECIAL_LEVEL: Final = "buitengewoon"

# WGS84 -> Belgian Lambert 72 (metres): distances are measured in a metric CRS.
_TO_LAMBERT: Final = Transformer.from_crs("EPSG:4326", "EPSG:31370", always_xy=True)


def _metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _TO_LAMBERT.transform(np.asarray(lon, dtype="float64"), np.asarray(lat, "float64"))
    return np.asarray(x), np.asarray(y)


def straight_line_m(point: LatLon, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the straight-line distance in metres from ``point`` to each lon/lat."""
    px, py = _metres(np.array([point.lon]), np.array([point.lat]))
    x, y = _metres(lon, lat)
    return np.asarray(np.hypot(x - px[0], y - py[0]), dtype="float64")


def primary_schools(schools: pd.DataFrame) -> pd.DataFrame:
    """Return the mainstream schools with primary classes (``lager``, not ``buitengewoon``)."""
    levels = schools["levels"].astype("string").fillna("").str.split(";")
    wanted = levels.map(lambda values: PRIMARY_LEVEL in values and SPECIAL_LEVEL not in values)
    return schools.loc[wanted.astype(bool)]


def distance_table(
    schools: pd.DataFrame,
    home: LatLon,
    workplaces: Sequence[LatLon] = (),
    *,
    near_m: float = NEAR_M,
) -> pd.DataFrame:
    """Primary schools within ``near_m`` of ``home`` with their straight-line distances.

    Parameters
    ----------
    schools : GeoDataFrame
        The ``schools`` layer (point geometry in WGS84, ``name``, ``address``,
        ``municipality``, ``levels``).
    home : LatLon
        The neighbourhood's representative point.
    workplaces : sequence of LatLon
        Each person's workplace, person 1 first.
    near_m : float
        Listing radius around ``home`` in metres.

    Returns
    -------
    DataFrame
        ``id``, ``name``, ``address``, ``municipality``, ``home_m`` and ``work_<i>_m``
        (whole metres) and ``in_system`` (the school's municipality takes part in the
        shared registration), sorted by distance from home, then name.
    """
    primary = primary_schools(schools)
    lon = primary.geometry.x.to_numpy()
    lat = primary.geometry.y.to_numpy()
    home_m = straight_line_m(home, lon, lat)
    out = pd.DataFrame(
        {
            "id": primary["id"].astype(str).to_numpy(),
            "name": primary["name"].astype(str).to_numpy(),
            "address": primary["address"].astype("string").fillna("").to_numpy(),
            "municipality": primary["municipality"].astype("string").fillna("").to_numpy(),
            "home_m": np.round(home_m),
        }
    )
    for number, place in enumerate(workplaces, start=1):
        out[f"work_{number}_m"] = np.round(straight_line_m(place, lon, lat))
    out["in_system"] = out["municipality"].isin(SYSTEM_MUNICIPALITIES)
    near = out.loc[out["home_m"] <= near_m]
    return near.sort_values(["home_m", "name"], kind="stable").reset_index(drop=True)


# -- the morning chain: home -> crèche or school -> work ----------------------------------
#: Minutes the chain allows for dropping the child off, between its two legs.
DROPOFF_MINUTES: Final = 5.0


def chain_columns(
    engine: CommuteEngine,
    places: pd.DataFrame,
    workplace: LatLon,
    mode: str,
    max_minutes: float,
    stops: pd.DataFrame,
    *,
    dropoff_minutes: float = DROPOFF_MINUTES,
) -> pd.DataFrame:
    """Return the best morning chain from every place through any of ``stops``.

    For a ranking: one :func:`~dashboard.engine.chains.morning_chain` call for all
    places, one search from work plus one per stop reachable within the limit, so the
    cost grows with the stops, not the places (a fraction of a second by bike, seconds
    by car over every primary school of the region: worth caching per question).

    Parameters
    ----------
    places : DataFrame
        With ``centroid_lon``/``centroid_lat`` (the neighbourhoods layer or a ranking).
    stops : GeoDataFrame
        Points with ``name`` (crèches, or :func:`primary_schools`).

    Returns
    -------
    DataFrame
        Indexed like ``places``: ``chain_minutes`` (NaN when no stop fits the limit),
        ``chain_to_stop``, ``chain_to_work``, ``chain_stop`` (name, "" when none) and
        ``chain_estimated``.

    Raises
    ------
    BadInputError
        For a mode that is not a street mode.
    """
    if mode not in STREET_MODES:
        msg = f"the morning chain needs a street mode ({', '.join(STREET_MODES)}), not {mode!r}"
        raise BadInputError(msg)
    out = pd.DataFrame(index=places.index)
    if stops.empty:
        out["chain_minutes"] = out["chain_to_stop"] = out["chain_to_work"] = np.nan
        out["chain_stop"] = ""
        out["chain_estimated"] = False
        return out
    chain = morning_chain(
        engine,
        ChainCommuter(workplace, mode, float(max_minutes)),
        places["centroid_lon"].to_numpy(dtype="float64"),
        places["centroid_lat"].to_numpy(dtype="float64"),
        stops.geometry.x.to_numpy(),
        stops.geometry.y.to_numpy(),
        dropoff_minutes=dropoff_minutes,
    )
    names = stops["name"].astype(str).to_numpy()
    out["chain_minutes"] = np.round(chain.total_minutes, 1)
    out["chain_to_stop"] = np.round(chain.first_leg_minutes, 1)
    out["chain_to_work"] = np.round(chain.second_leg_minutes, 1)
    out["chain_stop"] = [names[i] if i >= 0 else "" for i in chain.stop_index]
    out["chain_estimated"] = np.asarray(chain.estimated, dtype=bool)
    return out
