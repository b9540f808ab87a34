"""Workplaces: presets (employers, campuses, stations), address search, coordinates.

A workplace is named in the URL and the session by a *reference*:

* ``wp:<id>``  a row of the ``workplaces`` layer (employers and campuses),
* ``st:<id>``  a railway station of the ``stations`` layer (NMBS stop id),
* ``addr:<id>`` a row of the offline ``addresses`` index: a street address
  (``osm:...``, ``school:...``) or a place (``station:<NMBS id>``,
  ``municipality:<NIS>``, ``deelgemeente:<code>``, ``workplace:<id>``; the id names
  the kind, so a shared link stays readable),
* ``<lat>,<lon>`` coordinates in decimal degrees (typed or clicked on the map).

The offline search (:func:`search_addresses`) matches accent- and case-insensitively on
every name of a row (NL/FR/DE/EN for stations); a curated workplace without a sourced
coordinate is returned with ``located`` False and cannot be resolved to a point
(:class:`LocationUnknownError`).
"""

from __future__ import annotations

import re
import unicodedata
import weakref
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from dashboard.engine.errors import BadInputError
from dashboard.engine.inputs import LatLon, parse_latlon

#: Leuven railway station (NMBS stop id): the default workplace, present in every snapshot.
DEFAULT_REF = "st:8833001"
#: Decimal places of coordinates in a reference (1e-5 degree is about 1 m).
COORD_DECIMALS = 5

PRESET_COLUMNS = ["ref", "label", "kind", "source", "lat", "lon"]

#: Columns of :func:`search_addresses`.
MATCH_COLUMNS = ["id", "ref", "label", "kind", "precision", "located"]

#: Precisions whose point is a coarse stand-in for an area (say "the centre of ...").
AREA_PRECISIONS = frozenset({"municipality_centre", "deelgemeente_centre"})


class LocationUnknownError(BadInputError):
    """A listed workplace has no sourced coordinate: it cannot be used as a workplace.

    Attributes
    ----------
    ref : str
        The reference asked for.
    label : str
        The workplace's name, for the message the app shows.
    """

    def __init__(self, ref: str, label: str) -> None:
        super().__init__(f"location unknown: {label!r} ({ref}) has no sourced coordinate")
        self.ref = ref
        self.label = label


@dataclass(frozen=True)
class Workplace:
    """A resolved workplace: where it is and how to name it.

    ``kind`` is ``"preset"``, ``"coords"`` or the address row's kind (``address``,
    ``station``, ``municipality``, ``deelgemeente``, ``workplace``); ``precision`` what
    the point stands for (see ``geodata/README.md``; ``municipality_centre`` and
    ``deelgemeente_centre`` are a point inside the area: "the centre of <label>").
    """

    ref: str
    label: str
    point: LatLon
    kind: str = "preset"
    precision: str = "exact"

    @property
    def is_area(self) -> bool:
        """True when the point stands for a whole municipality or deelgemeente."""
        return self.precision in AREA_PRECISIONS


def coords_ref(lat: float, lon: float) -> str:
    """Return the reference of a coordinate pair (rounded to about 1 m)."""
    return f"{lat:.{COORD_DECIMALS}f},{lon:.{COORD_DECIMALS}f}"


def ref_kind(ref: str) -> str:
    """Return ``"preset"``, ``"address"`` or ``"coords"`` for a reference."""
    if ref.startswith(("wp:", "st:")):
        return "preset"
    if ref.startswith("addr:"):
        return "address"
    return "coords"


def preset_table(workplaces: gpd.GeoDataFrame | None, stations: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the preset choices: workplaces layer rows first, then railway stations.

    Parameters
    ----------
    workplaces : GeoDataFrame or None
        The ``workplaces`` layer (id, name, kind, source, geometry); None when missing.
    stations : GeoDataFrame
        The ``stations`` layer (id, name_nl, geometry).

    Returns
    -------
    DataFrame
        Columns ``ref, label, kind, source, lat, lon``; refs are unique.
    """
    parts = []
    if workplaces is not None and len(workplaces):
        parts.append(
            pd.DataFrame(
                {
                    "ref": "wp:" + workplaces["id"].astype(str),
                    "label": workplaces["name"].astype(str),
                    "kind": workplaces["kind"].astype(str),
                    "source": workplaces["source"].astype(str),
                    "lat": workplaces.geometry.y.to_numpy(),
                    "lon": workplaces.geometry.x.to_numpy(),
                }
            )
        )
    ordered = stations.sort_values("trains_per_weekday", ascending=False, kind="stable")
    parts.append(
        pd.DataFrame(
            {
                "ref": "st:" + ordered["id"].astype(str),
                "label": ordered["name_nl"].astype(str) + " (station)",
                "kind": "station",
                "source": "NMBS/SNCB GTFS 2019",
                "lat": ordered.geometry.y.to_numpy(),
                "lon": ordered.geometry.x.to_numpy(),
            }
        )
    )
    table = pd.concat(parts, ignore_index=True)
    return table.drop_duplicates("ref").reset_index(drop=True)[PRESET_COLUMNS]


def normalise(text: str) -> str:
    """Return the matching form of a text: no accents, case folded, punctuation as spaces.

    Same rule as the ETL's ``etl.stages.places.normalise``, which wrote the layer's
    ``search_key``/``name_keys`` (a test checks that both agree).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def _column(frame: pd.DataFrame, column: str, default: str) -> pd.Series:
    """Return a text column, or ``default`` everywhere when the layer lacks it (old snapshot)."""
    if column in frame:
        return frame[column].fillna(default).astype(str)
    return pd.Series(default, index=frame.index)


@dataclass(frozen=True)
class _SearchIndex:
    """Plain arrays of one address layer, built once per loaded frame (searches are hot)."""

    keys: list[str]
    names: list[str]
    ids: np.ndarray
    labels: np.ndarray
    kinds: np.ndarray
    precisions: np.ndarray
    located: np.ndarray
    street: np.ndarray
    label_len: np.ndarray

    @classmethod
    def of(cls, addresses: gpd.GeoDataFrame) -> _SearchIndex:
        labels = addresses["label"].astype(str)
        if "search_key" in addresses:
            keys = addresses["search_key"].fillna("").astype(str)
        else:
            keys = labels.map(normalise)
        # Each name alone, "|"-delimited; an address row's one name is its search key.
        stored = _column(addresses, "name_keys", "")
        names = stored.where(stored != "", "|" + keys + "|")
        kinds = _column(addresses, "kind", "address")
        return cls(
            keys=keys.tolist(),
            names=names.tolist(),
            ids=addresses["id"].astype(str).to_numpy(dtype=object),
            labels=labels.to_numpy(dtype=object),
            kinds=kinds.to_numpy(dtype=object),
            precisions=_column(addresses, "precision", "address").to_numpy(dtype=object),
            located=~addresses.geometry.isna().to_numpy(dtype=bool),
            street=(kinds == "address").to_numpy(dtype=np.int8),
            label_len=labels.str.len().to_numpy(),
        )


#: Search index per loaded layer frame (by ``id``; dropped when the frame is collected).
_INDEXES: dict[int, tuple[int, _SearchIndex]] = {}


def _search_index(addresses: gpd.GeoDataFrame) -> _SearchIndex:
    """Return the frame's :class:`_SearchIndex`, built on first use (~15 ms for 21k rows)."""
    key = id(addresses)
    cached = _INDEXES.get(key)
    if cached is not None and cached[0] == len(addresses):
        return cached[1]
    index = _SearchIndex.of(addresses)
    if cached is None:
        weakref.finalize(addresses, _INDEXES.pop, key, None)
    _INDEXES[key] = (len(addresses), index)
    return index


def _tier(name_keys: str, query: str) -> int:
    """Rank of a match (lower first).

    0: a name equals the query; 1: a name starts with it as whole words ("NATO
    headquarters" for "nato"); 2: a name starts with it ("Natoye"); 3: a word of a
    name starts with it; 4: it occurs elsewhere.
    """
    if f"|{query}|" in name_keys:
        return 0
    if f"|{query} " in name_keys:
        return 1
    if f"|{query}" in name_keys:
        return 2
    if f" {query}" in name_keys:
        return 3
    return 4


def search_addresses(addresses: gpd.GeoDataFrame, query: str, limit: int = 25) -> pd.DataFrame:
    """Return up to ``limit`` rows of the address index whose names hold every query word.

    Matching ignores accents, case, hyphens and punctuation (``"bruxelles central"``
    finds ``Bruxelles-Central``).  Order: a name equal to the query, then a name that
    starts with it as whole words, then a name that starts with it, then a name with a
    word starting with it, then the rest (see :func:`_tier`); places
    before street addresses within each; then shorter labels.  Queries under 3
    characters return nothing (too many matches to be useful).

    Returns
    -------
    DataFrame
        :data:`MATCH_COLUMNS`: ``id`` (the ref is ``"addr:" + id``), ``ref``,
        ``label``, ``kind`` (``address``, ``station``, ``municipality``,
        ``deelgemeente``, ``workplace``), ``precision`` and ``located`` (False for a
        workplace whose location is unknown: list it, never use it as a workplace).
    """
    q = normalise(query)
    if len(q.replace(" ", "")) < 3:
        return pd.DataFrame({c: [] for c in MATCH_COLUMNS})
    index = _search_index(addresses)
    rows: list[int] | range = range(len(index.keys))
    for word in q.split():
        rows = [i for i in rows if word in index.keys[i]]
    hits = np.asarray(rows, dtype=np.int64)
    tiers = np.fromiter((_tier(index.names[i], q) for i in hits), dtype=np.int8, count=len(hits))
    # lexsort sorts by the last key first.
    order = np.lexsort((index.label_len[hits], index.street[hits], tiers))[:limit]
    chosen = hits[order]
    ids = index.ids[chosen]
    return pd.DataFrame(
        {
            "id": ids,
            "ref": ["addr:" + i for i in ids],
            "label": index.labels[chosen],
            "kind": index.kinds[chosen],
            "precision": index.precisions[chosen],
            "located": index.located[chosen],
        },
        columns=MATCH_COLUMNS,
    )


def resolve_workplace(
    ref: str, presets: pd.DataFrame, addresses: gpd.GeoDataFrame | None
) -> Workplace:
    """Turn a reference into a :class:`Workplace`.

    Raises
    ------
    LocationUnknownError
        For a listed workplace without a sourced coordinate (a :class:`BadInputError`).
    BadInputError
        When the reference is unknown or malformed; the message names it.
    """
    kind = ref_kind(ref)
    if kind == "preset":
        row = presets.loc[presets["ref"] == ref]
        if row.empty:
            msg = f"unknown workplace preset {ref!r}"
            raise BadInputError(msg)
        first = row.iloc[0]
        return Workplace(ref, str(first["label"]), LatLon(float(first["lat"]), float(first["lon"])))
    if kind == "address":
        if addresses is None:
            msg = "the address index is not available"
            raise BadInputError(msg)
        return _resolve_address(ref, addresses)
    point = parse_latlon(ref)
    return Workplace(ref, coords_ref(point.lat, point.lon), point, kind="coords")


def _resolve_address(ref: str, addresses: gpd.GeoDataFrame) -> Workplace:
    """Resolve an ``addr:`` reference (see :func:`resolve_workplace`)."""
    found = addresses.loc[addresses["id"].astype(str) == ref.removeprefix("addr:")]
    if found.empty:
        msg = f"unknown address {ref!r}"
        raise BadInputError(msg)
    label = str(found["label"].iloc[0])
    geom = found.geometry.iloc[0]
    if geom is None or geom.is_empty:
        raise LocationUnknownError(ref, label)
    return Workplace(
        ref,
        label,
        LatLon(float(geom.y), float(geom.x)),
        kind=str(_column(found, "kind", "address").iloc[0]),
        precision=str(_column(found, "precision", "address").iloc[0]),
    )
