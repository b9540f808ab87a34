"""Childcare locations: OpenStreetMap objects and the official Opgroeien export.

Two sources feed the ``childcare`` layer:

* **OpenStreetMap** (always; the only source offline): childcare-related objects of the
  raw PBF extract, each classified by :data:`OSM_RULES` into a category or left out with
  a reason (family-support centres, residential care, schools are *not* childcare);
* **Opgroeien** (when available): an export of licensed childcare locations (CSV or
  XLSX), read with tolerant header matching by :func:`parse_opgroeien_export`.

It also reads the two aggregate tables of the mirror (Flanders-wide places per year and
dated facts) so the app can put the partial OSM coverage in context.

OSM tag-to-category table
-------------------------
Candidates are objects with ``amenity`` or ``construction:amenity`` = ``childcare`` /
``kindergarten``, ``social_facility:for`` = ``child``/``children``, or a name containing
a childcare or family-support word (whole words only, so the cycle path *Kribbepad* is
not a *kribbe*; objects with ``highway``/``railway``/``public_transport`` are never
candidates).  The first matching rule of :data:`OSM_RULES` decides:

======================================  ==============================================
evidence (tags, name)                   result
======================================  ==============================================
name "Huis van het Kind", "Kind en      left out: ``family_support`` (consultation,
Gezin", "consultatiebureau", "CKG"      parenting support; not childcare)
``social_facility=outreach`` for child  left out: ``family_support`` unless the name
                                        says kinderopvang/kinderdagverblijf/...
``social_facility`` = assisted_living,  left out: ``residential_care`` (children live
group_home, shelter, ... for child      there; not day care)
``amenity=kindergarten`` with           left out: ``school`` (a kleuterschool belongs
``school=*``/``isced:level=0``/name     in the schools layer)
kleuterschool, basisschool
name onthaalouder, gezinsopvang         ``gezinsopvang_0_3`` (family day care)
name buitenschoolse/naschoolse opvang,  ``buitenschoolse_opvang`` (school-age care)
IBO, BKO; ``after_school=yes``
name kinderdagverblijf, KDV, kribbe,    ``groepsopvang_0_3`` (day-care centre)
crèche, peutertuin; website path with
kinderdagverblijf/kribbe/creche
name baby/peuter on a childcare object  ``kinderopvang_0_3_unknown_type``
any other ``amenity=childcare`` or      ``kinderopvang_unknown_type``
name kinderopvang
any other ``amenity=kindergarten``      ``kindergarten_tag_unclear``: kept, but in
                                        Flanders the tag is used both for crèches
                                        (kribbe) and for kleuterscholen, so the type is
                                        unknown and it *may* be a school
======================================  ==============================================

``construction:amenity=childcare`` gives ``status = "under_construction"``; such objects
are left out of the layer (reason ``not_open``).  Where the mirror's curated table
(:data:`CURATED`) lists an object, its category, evidence and tariff win over the tag
rules (:func:`apply_curated`).  OSM has no
tag for the income-related tariff, so OSM rows have ``income_related_tariff="unknown"``;
``places`` comes from ``capacity``.

Official export (Opgroeien / De Sociale Kaart)
----------------------------------------------
See :data:`OPGROEIEN_COLUMNS` for the accepted headers (matched case- and
accent-insensitively, ignoring punctuation).  Required: a name, a type
(``vergunningstype``) and one coordinate pair (WGS84 lat/lon or Lambert 72 x/y);
rows without coordinates are left out and counted, because the ETL cannot geocode
offline.  When an official file is used, an OSM object is kept only if no official
location lies within :data:`MATCH_DISTANCE_M` metres with a similar name
(:func:`names_similar`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.settings import METRIC_CRS, STORAGE_CRS, LiveSource
from etl.sources import osm_pbf
from etl.sources.contracts import require_unique
from etl.sources.vector import read_csv
from etl.transform.region import BELGIUM, FLANDERS_BRUSSELS_LAMBERT, check_inside

# ------------------------------------------------------------------------ raw files

OSM_PBF: Final = "osm/leuven_core_2024-06.osm.pbf"
PLACES_FLANDERS: Final = "childcare/childcare_places_flanders_brussels_2018_2025.csv"
AGGREGATE_FACTS: Final = "childcare/childcare_aggregate_facts.csv"
#: The mirror's curated table of the extract's childcare objects: a category and the
#: evidence for it per object (web pages read by the curator), preferred to the tag rules.
CURATED: Final = "childcare/osm_childcare_leuven_core_2024-06.csv"
#: Where ``fetch`` (or an operator) puts the official export inside the raw folder; the
#: stage uses the first of these that exists.
OPGROEIEN_RAW_FILES: Final = (
    "childcare/opgroeien_locaties_kinderopvang.csv",
    "childcare/opgroeien_locaties_kinderopvang.xlsx",
)

#: Date of the OSM extract (``osm_data_date`` of the mirror README).
OSM_DATA_DATE: Final = "2024-06-25"
#: Area the OSM extract covers (lon_min, lat_min, lon_max, lat_max).
OSM_EXTRACT_BBOX: Final = (4.645, 50.850, 4.785, 50.940)

KINDEROPVANGZOEKER_URL: Final = "https://www.kinderopvangzoeker.be/"
LIVE_SOURCES = (
    LiveSource(
        "childcare_locations",
        OPGROEIEN_RAW_FILES[0],
        KINDEROPVANGZOEKER_URL,
        "https://pers.opgroeien.be/kinderopvangzoeker-is-cruciale-informatiebron-voor-"
        "ouders-van-babys-en-peuters-op-zoek-naar-opvangplek",
        "Opgroeien's Kinderopvangzoeker is the official list of every licensed childcare "
        "location in Flanders and Brussels, but no stable bulk-download URL of a "
        "location-level file could be verified (the Opgroeien 'cijfers op maat' page only "
        "offers municipality-level Excel files, e.g. b-p-aantal-plaatsen-en-locaties-naar-"
        "vergunningstype-en-inkomenstarief_<n>.xlsx). If this URL serves a web page, the "
        "build stops with a clear error: save the official export (CSV or XLSX) by hand as "
        "childcare/opgroeien_locaties_kinderopvang.csv/.xlsx or pass --childcare-file.",
    ),
)

# ------------------------------------------------------------------------ categories

#: Layer categories and their meaning (shown in the app's legend).
CATEGORIES: Final[dict[str, str]] = {
    "groepsopvang_0_3": "group day care for babies and toddlers (kinderdagverblijf, kribbe)",
    "gezinsopvang_0_3": "family day care for babies and toddlers (onthaalouder)",
    "buitenschoolse_opvang": "before/after-school care for school children (IBO, BKO)",
    "kinderopvang_0_3_unknown_type": "care for babies and toddlers, group or family unknown",
    "kinderopvang_unknown_type": "childcare of unknown type and age group",
    "kindergarten_tag_unclear": (
        "OSM amenity=kindergarten without other evidence: a crèche or possibly a kleuterschool"
    ),
}

#: Reasons for leaving an OSM candidate out (counted in the manifest).
EXCLUSION_REASONS: Final[dict[str, str]] = {
    "family_support": "family-support centre (Huis van het Kind, Kind en Gezin, outreach)",
    "residential_care": "residential care for children (they live there; not day care)",
    "school": "a kleuterschool/school tagged as kindergarten (belongs in the schools layer)",
    "not_open": "not open (under construction): offers no care yet",
}

OSM_COVERAGE: Final = "partial: OpenStreetMap, central Leuven only (2024-06)"
OFFICIAL_COVERAGE: Final = "official Opgroeien export"

#: Metres within which an official location hides an OSM object with a similar name.
MATCH_DISTANCE_M: Final = 50.0
#: Minimum :class:`difflib.SequenceMatcher` ratio of two core names to count as similar.
NAME_SIMILARITY: Final = 0.6

LAYER_COLUMNS: Final = (
    "id",
    "name",
    "category",
    "places",
    "income_related_tariff",
    "operator",
    "street",
    "housenumber",
    "postcode",
    "town",
    "address",
    "website",
    "phone",
    "source",
    "osm_id",
    "status",
    "category_evidence",
    "geometry",
)

# ------------------------------------------------------------------------ OSM rules

_GROUP_WORDS = r"kinderdagverblijf|kinderdagverblijven|kdv|kribbe|creche|minicreche|peutertuin"
_FAMILY_CARE_WORDS = r"onthaalouders?|onthaalmoeder|gezinsopvang"
_AFTER_SCHOOL_WORDS = (
    r"buitenschoolse opvang|naschoolse opvang|voorschoolse opvang|ibo|bko|kinderclub"
)
_GENERIC_WORDS = r"kinderopvang"
_YOUNG_WORDS = r"baby|babys|babies|peuter|peuters"
_FAMILY_SUPPORT_NAMES = (
    r"huis van het kind|kind en gezin|kind gezin|consultatiebureau|ckg|"
    r"centrum voor kinderzorg"
)
_SCHOOL_NAMES = r"kleuterschool|basisschool|school"
_CHILDCARE_NAME = re.compile(
    rf"\b({_GROUP_WORDS}|{_FAMILY_CARE_WORDS}|{_AFTER_SCHOOL_WORDS}|{_GENERIC_WORDS})\b"
)
_NOT_CANDIDATE_KEYS = ("highway", "railway", "public_transport", "route")
_CHILD = {"child", "children"}
_RESIDENTIAL = {"assisted_living", "group_home", "nursing_home", "shelter", "residential"}


@dataclass(frozen=True)
class OsmVerdict:
    """Outcome of :func:`classify_osm_tags`: a category, or a reason to leave it out."""

    category: str | None
    excluded: str | None
    evidence: str


@dataclass(frozen=True)
class OsmRule:
    """One row of the tag-to-category table: ``test(tags, name)`` -> verdict."""

    test: Callable[[Mapping[str, str], str], bool]
    category: str | None
    excluded: str | None
    evidence: str


def normalise_text(text: str) -> str:
    """Lower-case, strip accents and collapse punctuation to single spaces.

    ``"Crèche 't Kabouterke!"`` becomes ``"creche t kabouterke"``.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", plain.lower()).strip()


def _has(pattern: str, text: str) -> bool:
    return re.search(rf"\b({pattern})\b", text) is not None


def _values(tags: Mapping[str, str], key: str) -> set[str]:
    """Values of a possibly semicolon-separated tag."""
    return {v.strip() for v in tags.get(key, "").split(";") if v.strip()}


def _amenity(tags: Mapping[str, str]) -> str:
    return tags.get("amenity") or tags.get("construction:amenity") or ""


def _for_children(tags: Mapping[str, str]) -> bool:
    return bool(_values(tags, "social_facility:for") & _CHILD)


def _website(tags: Mapping[str, str]) -> str:
    return normalise_text(tags.get("website") or tags.get("contact:website") or "")


def _is_school(tags: Mapping[str, str], name: str) -> bool:
    isced = _values(tags, "isced:level")
    return _amenity(tags) == "kindergarten" and (
        "school" in tags or "0" in isced or _has(_SCHOOL_NAMES, name)
    )


#: The ordered tag-to-category table (first match wins; see the module docstring).
OSM_RULES: Final[tuple[OsmRule, ...]] = (
    OsmRule(
        lambda t, n: _has(_FAMILY_SUPPORT_NAMES, n),
        None,
        "family_support",
        "name of a family-support service",
    ),
    OsmRule(
        lambda t, n: (
            t.get("social_facility") == "outreach"
            and _for_children(t)
            and _CHILDCARE_NAME.search(n) is None
        ),
        None,
        "family_support",
        "social_facility=outreach for children",
    ),
    OsmRule(
        lambda t, n: bool(_values(t, "social_facility") & _RESIDENTIAL) and _for_children(t),
        None,
        "residential_care",
        "residential social_facility for children",
    ),
    OsmRule(_is_school, None, "school", "amenity=kindergarten tagged or named as a school"),
    OsmRule(
        lambda t, n: _has(_FAMILY_CARE_WORDS, n),
        "gezinsopvang_0_3",
        None,
        "name says onthaalouder/gezinsopvang",
    ),
    OsmRule(
        lambda t, n: _has(_AFTER_SCHOOL_WORDS, n) or t.get("after_school") == "yes",
        "buitenschoolse_opvang",
        None,
        "name or after_school=yes says school-age care",
    ),
    OsmRule(
        lambda t, n: _has(_GROUP_WORDS, n),
        "groepsopvang_0_3",
        None,
        "name says kinderdagverblijf/kribbe/crèche",
    ),
    OsmRule(
        lambda t, n: _has(r"kinderdagverblij\w*|kribbe\w*|creche\w*", _website(t)),
        "groepsopvang_0_3",
        None,
        "website path says kinderdagverblijf/kribbe/crèche",
    ),
    OsmRule(
        lambda t, n: _amenity(t) == "childcare" and _has(_YOUNG_WORDS, n),
        "kinderopvang_0_3_unknown_type",
        None,
        "amenity=childcare, name says babies/toddlers",
    ),
    OsmRule(
        lambda t, n: _amenity(t) == "childcare" or _has(_GENERIC_WORDS, n),
        "kinderopvang_unknown_type",
        None,
        "amenity=childcare or name kinderopvang, no type or age information",
    ),
    OsmRule(
        lambda t, n: _amenity(t) == "kindergarten",
        "kindergarten_tag_unclear",
        None,
        "amenity=kindergarten, no other evidence (crèche or kleuterschool)",
    ),
)


def is_osm_candidate(tags: Mapping[str, str]) -> bool:
    """Tell whether an object may be childcare or a look-alike that must be classified.

    See the module docstring; the predicate is deliberately wide, and
    :func:`classify_osm_tags` decides.
    """
    if any(key in tags for key in _NOT_CANDIDATE_KEYS):
        return False
    if _amenity(tags) in {"childcare", "kindergarten"} or _for_children(tags):
        return True
    name = normalise_text(tags.get("name", ""))
    return _CHILDCARE_NAME.search(name) is not None or _has(_FAMILY_SUPPORT_NAMES, name)


def classify_osm_tags(tags: Mapping[str, str]) -> OsmVerdict:
    """Apply :data:`OSM_RULES` to one candidate's tags.

    Returns
    -------
    OsmVerdict
        ``category`` for kept objects, ``excluded`` (a key of
        :data:`EXCLUSION_REASONS`) for left-out ones, and the evidence in words.
    """
    name = normalise_text(tags.get("name", ""))
    for rule in OSM_RULES:
        if rule.test(tags, name):
            return OsmVerdict(rule.category, rule.excluded, rule.evidence)
    # a name-only candidate that no rule claims (cannot happen with the current table)
    return OsmVerdict("kinderopvang_unknown_type", None, "name only")


@dataclass
class OsmChildcare:
    """Result of :func:`parse_osm_childcare`.

    Attributes
    ----------
    points : GeoDataFrame
        Kept objects, columns of :data:`LAYER_COLUMNS` (EPSG:4326).
    excluded : DataFrame
        Left-out candidates: ``osm_id``, ``name``, ``reason``, ``evidence``.
    """

    points: gpd.GeoDataFrame
    excluded: pd.DataFrame


def parse_osm_childcare(path: Path) -> OsmChildcare:
    """Extract and classify the childcare objects of an OSM PBF extract.

    Raises
    ------
    SourceError
        When the file is unreadable or holds no childcare object at all (a wrong or
        truncated extract).
    """
    kept: list[dict[str, Any]] = []
    excluded: list[dict[str, str]] = []
    for feature in osm_pbf.iter_tagged_features(path, is_osm_candidate):
        verdict = classify_osm_tags(feature.tags)
        if verdict.excluded is not None:
            excluded.append(
                {
                    "osm_id": feature.osm_key,
                    "name": feature.tags.get("name", ""),
                    "reason": verdict.excluded,
                    "evidence": verdict.evidence,
                }
            )
        else:
            kept.append(_osm_row(feature, verdict))
    if not kept:
        raise SourceError(path, "contains no childcare object (amenity=childcare/kindergarten)")
    frame = pd.DataFrame(kept)
    points = gpd.GeoDataFrame(
        frame.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs=STORAGE_CRS,
    )
    excluded_frame = pd.DataFrame(excluded, columns=["osm_id", "name", "reason", "evidence"])
    return OsmChildcare(points, excluded_frame.sort_values("osm_id", ignore_index=True))


def _osm_row(feature: osm_pbf.OsmFeature, verdict: OsmVerdict) -> dict[str, Any]:
    tags = feature.tags
    street, number = tags.get("addr:street"), tags.get("addr:housenumber")
    postcode, town = tags.get("addr:postcode"), tags.get("addr:city")
    under_construction = "amenity" not in tags and "construction:amenity" in tags
    return {
        "id": f"osm:{feature.osm_key}",
        "name": tags.get("name"),
        "category": verdict.category,
        "places": _capacity(tags.get("capacity")),
        "income_related_tariff": "unknown",
        "operator": tags.get("operator"),
        "street": street,
        "housenumber": number,
        "postcode": postcode,
        "town": town,
        "address": format_address(street, number, postcode, town),
        "website": tags.get("website") or tags.get("contact:website"),
        "phone": tags.get("phone") or tags.get("contact:phone"),
        "source": "osm",
        "osm_id": feature.osm_key,
        "status": "under_construction" if under_construction else "open",
        "category_evidence": verdict.evidence,
        "lon": feature.lon,
        "lat": feature.lat,
    }


def _capacity(value: str | None) -> int | None:
    """OSM ``capacity`` as an int; non-numeric values (``"ca. 20"``) become unknown."""
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


def format_address(
    street: str | None, number: str | None, postcode: str | None, town: str | None
) -> str | None:
    """``"Street 12, 3000 Leuven"`` from the parts present; ``None`` when all are missing."""
    first = " ".join(p.strip() for p in (street, number) if p and p.strip())
    second = " ".join(p.strip() for p in (postcode, town) if p and p.strip())
    text = ", ".join(p for p in (first, second) if p)
    return text or None


# ------------------------------------------------------------------ curated evidence

#: Curated categories of :data:`CURATED` -> layer category (``None``: not childcare).
#: ``_probable`` keeps the category; the evidence column says "probable".
CURATED_CATEGORIES: Final[dict[str, str | None]] = {
    "groepsopvang_0_3": "groepsopvang_0_3",
    "groepsopvang_0_3_probable": "groepsopvang_0_3",
    "gezinsopvang_0_3": "gezinsopvang_0_3",
    "buitenschoolse_opvang": "buitenschoolse_opvang",
    "childcare_unspecified": "kinderopvang_unknown_type",
    "unclear_kindergarten_tag": "kindergarten_tag_unclear",
    "family_support_not_childcare": None,
}


@dataclass
class CuratedChildcare:
    """Result of :func:`apply_curated`: the open objects and those that are not open."""

    points: gpd.GeoDataFrame
    not_open: pd.DataFrame
    overridden: int


def parse_curated(path: Path) -> pd.DataFrame:
    """Read the curated table: ``osm_id``, ``category``, ``evidence``, ``tariff``.

    ``category`` is the layer category (see :data:`CURATED_CATEGORIES`; an unknown
    curated category is an error naming it), ``open`` is false for a category that says
    ``under_construction``, ``tariff`` is ``yes``/``no``/``unknown`` from the first word of
    the curated ``income_related_tariff``.
    """
    frame = read_csv(path, ["osm_id", "category", "evidence", "income_related_tariff"])
    require_unique(frame["osm_id"], path, "osm_id")
    curated = frame["category"].fillna("").astype(str)
    base = curated.str.replace(r"_under_construction(_\d{4})?$", "", regex=True)
    unknown = sorted(set(base) - set(CURATED_CATEGORIES))
    if unknown:
        raise SourceError(path, f"unknown curated category {', '.join(map(repr, unknown))}")
    first_word = frame["income_related_tariff"].fillna("").astype(str).str.split().str[0]
    return pd.DataFrame(
        {
            "osm_id": frame["osm_id"].astype(str),
            "category": base.map(CURATED_CATEGORIES),
            "open": base == curated,
            "probable": curated.str.endswith("_probable"),
            "evidence": frame["evidence"].fillna("").astype(str),
            "tariff": first_word.where(first_word.isin(["yes", "no"]), "unknown"),
        }
    )


def apply_curated(points: gpd.GeoDataFrame, curated: pd.DataFrame) -> CuratedChildcare:
    """Use the curated category, evidence and tariff; leave out what is not open.

    Objects the curator did not list keep their tag-rule result.  An object that is not
    open (under construction per the curator, or ``status`` not ``open`` from its tags)
    is left out of the layer: it offers no care today.
    """
    table = curated.set_index("osm_id")
    out = points.copy()
    listed = out["osm_id"].isin(table.index)
    rows = table.reindex(out["osm_id"]).set_axis(out.index)
    has_category = listed & rows["category"].notna()
    prefix = rows["probable"].map({True: "curated (probable): ", False: "curated: "})
    out.loc[has_category, "category"] = rows.loc[has_category, "category"]
    out.loc[listed, "category_evidence"] = (prefix + rows["evidence"])[listed]
    known_tariff = listed & (rows["tariff"] != "unknown")
    out.loc[known_tariff, "income_related_tariff"] = rows.loc[known_tariff, "tariff"]
    closed = listed & (rows["open"] == False)  # noqa: E712 (a nullable column)
    out.loc[closed, "status"] = "under_construction"
    not_open = out["status"] != "open"
    left_out = pd.DataFrame(
        {
            "osm_id": out.loc[not_open, "osm_id"].astype(str),
            "name": out.loc[not_open, "name"].fillna("").astype(str),
            "reason": "not_open",
            "evidence": "status " + out.loc[not_open, "status"].astype(str),
        }
    ).reset_index(drop=True)
    kept = gpd.GeoDataFrame(out.loc[~not_open], geometry="geometry", crs=points.crs)
    return CuratedChildcare(kept, left_out, int(has_category.sum()))


# ------------------------------------------------------------------- official export

#: Accepted headers of the official export per layer field (normalised with
#: :func:`normalise_text`).  The Opgroeien vocabulary is that of its published files
#: (``Vergunningstype``, ``Gemeente``, ``IKT``, ``Totaal plaatsen``); De Sociale Kaart
#: uses ``Naam``, ``Straat``, ``Huisnummer``, ``Postcode``, ``Gemeente``, ``Telefoon``.
OPGROEIEN_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "source_id": (
        "id",
        "dossiernummer",
        "locatienummer",
        "locatie id",
        "locatie nummer",
        "nummer locatie",
        "opvanglocatie id",
        "referentie",
    ),
    "name": (
        "naam",
        "naam locatie",
        "naam opvanglocatie",
        "locatienaam",
        "opvanglocatie",
        "naam kinderopvang",
        "name",
    ),
    "type": (
        "vergunningstype",
        "type vergunning",
        "type",
        "opvangtype",
        "opvangsoort",
        "soort opvang",
        "opvangvorm",
        "type opvang",
        "categorie",
    ),
    "operator": (
        "organisator",
        "naam organisator",
        "organisatie",
        "uitbater",
        "inrichtende macht",
        "operator",
    ),
    "street": ("straat", "straatnaam", "street"),
    "housenumber": ("huisnummer", "nummer", "nr", "huisnr", "housenumber"),
    "address": ("adres", "address", "volledig adres"),
    "postcode": ("postcode", "postnummer", "post code", "zip"),
    "town": ("gemeente", "plaats", "woonplaats", "stad", "town", "city", "hoofdgemeente"),
    "places": (
        "aantal plaatsen",
        "plaatsen",
        "capaciteit",
        "totaal plaatsen",
        "vergunde plaatsen",
        "aantal vergunde plaatsen",
        "places",
        "capacity",
    ),
    "income_related_tariff": (
        "inkomenstarief",
        "ikt",
        "ikt niet ikt",
        "inkomensgerelateerd tarief",
        "prijs volgens inkomen",
        "tarief",
        "subsidie inkomenstarief",
    ),
    "website": ("website", "url", "webadres", "website url"),
    "phone": ("telefoon", "telefoonnummer", "tel", "phone"),
    "lat": ("lat", "latitude", "breedtegraad", "wgs84 lat", "y wgs84"),
    "lon": ("lon", "lng", "long", "longitude", "lengtegraad", "wgs84 lon", "x wgs84"),
    "x": ("x", "lambert x", "x lambert", "x lambert72", "x coordinaat", "coord x", "xcoord"),
    "y": ("y", "lambert y", "y lambert", "y lambert72", "y coordinaat", "coord y", "ycoord"),
}


def match_columns(columns: list[str], path: Path) -> dict[str, str]:
    """Map layer fields to the export's headers (see :data:`OPGROEIEN_COLUMNS`).

    Raises
    ------
    SourceError
        When two headers claim the same field, or a required field (name, type, and a
        lat/lon or x/y pair) has no header.
    """
    found: dict[str, str] = {}
    for column in columns:
        key = normalise_text(str(column))
        for field_name, synonyms in OPGROEIEN_COLUMNS.items():
            if key in synonyms:
                if field_name in found:
                    first = found[field_name]
                    msg = f"columns {first!r} and {column!r} both look like {field_name!r}"
                    raise SourceError(path, msg)
                found[field_name] = column
    _require_fields(found, path)
    return found


def _require_fields(found: Mapping[str, str], path: Path) -> None:
    missing = [f for f in ("name", "type") if f not in found]
    has_lonlat = {"lat", "lon"} <= set(found)
    has_xy = {"x", "y"} <= set(found)
    if not (has_lonlat or has_xy):
        missing.append("coordinates (lat+lon or Lambert x+y)")
    if missing:
        names = ", ".join(missing)
        msg = (
            f"missing required column(s): {names}; accepted headers are listed in "
            "etl.sources.childcare.OPGROEIEN_COLUMNS"
        )
        raise SourceError(path, msg)


@dataclass
class OfficialChildcare:
    """Result of :func:`parse_opgroeien_export`: points and rows left out (by reason)."""

    points: gpd.GeoDataFrame
    rows_read: int
    rows_without_coordinates: int


def parse_opgroeien_export(path: Path) -> OfficialChildcare:
    """Read an official Opgroeien / De Sociale Kaart childcare export (CSV or XLSX).

    Parameters
    ----------
    path : Path
        The export.  CSV may be comma- or semicolon-separated, UTF-8 or Windows-1252,
        with decimal commas in coordinates.  XLSX needs the ``openpyxl`` package.

    Returns
    -------
    OfficialChildcare
        Points with the columns of :data:`LAYER_COLUMNS` (``source="opgroeien"``).

    Raises
    ------
    SourceError
        For an empty, truncated (a row shorter than the header) or HTML file, bytes
        that are neither UTF-8 nor Windows-1252, a missing required column, no row with
        coordinates, coordinates outside Belgium (lat/lon) or outside Flanders and
        Brussels (Lambert x/y; swapped columns), or a repeated location id (naming the
        id and its lines).
    """
    raw = _read_table(path)
    columns = match_columns(list(raw.columns), path)
    frame = pd.DataFrame(
        {f: raw[columns[f]] if f in columns else pd.NA for f in OPGROEIEN_COLUMNS},
        index=raw.index,
    )
    frame = frame.apply(lambda s: s.astype("string").str.strip().replace("", pd.NA))
    points, without = _official_points(frame, path)
    rows = _official_rows(points)
    # The id keys the layer and the OSM de-duplication: a repeat is a damaged export.
    require_unique(rows["id"], path, "location id")
    return OfficialChildcare(rows, len(frame), without)


def _read_table(path: Path) -> pd.DataFrame:
    head = path.read_bytes()[:512] if path.is_file() else b""
    if not head:
        raise SourceError(path, "file is missing or empty")
    if head.lstrip().lower().startswith((b"<!doctype", b"<html")):
        msg = "is an HTML page, not a CSV/XLSX export; download the export file itself"
        raise SourceError(path, msg)
    if head.startswith(b"PK\x03\x04") or path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    return _read_delimited(path)


def _read_xlsx(path: Path) -> pd.DataFrame:
    try:
        import openpyxl  # noqa: F401  (pandas needs it for .xlsx)
    except ImportError as exc:
        msg = "reading .xlsx needs the openpyxl package (add it to requirements) or save as CSV"
        raise SourceError(path, msg) from exc
    try:
        frame = pd.read_excel(path, dtype=str)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/ValueError for bad files
        raise SourceError(path, f"not a readable XLSX file ({exc})") from exc
    if frame.empty:
        raise SourceError(path, "has a header but no rows")
    return frame


def _read_delimited(path: Path) -> pd.DataFrame:
    text = _decode(path)
    first_line = text.splitlines()[0] if text else ""
    sep = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return read_csv(path, [], sep=sep, encoding=_encoding_of(path))
    except SourceError:
        raise
    except ValueError as exc:  # pandas' tokenizer errors on ragged rows
        raise SourceError(path, f"not a readable CSV file ({exc})") from exc


def _encoding_of(path: Path) -> str:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"  # Excel's "CSV" on Belgian Windows machines
    return "utf-8-sig"


def _decode(path: Path) -> str:
    return path.read_bytes().decode(_encoding_of(path).replace("-sig", ""), errors="replace")


def _number(series: pd.Series) -> pd.Series:
    """Numbers with a decimal comma or point; anything else becomes missing."""
    text = series.astype("string").str.replace(",", ".", regex=False)
    return pd.to_numeric(text, errors="coerce")


def _official_points(frame: pd.DataFrame, path: Path) -> tuple[gpd.GeoDataFrame, int]:
    """Place each row from lat/lon (preferred) or Lambert x/y; check they are in Belgium."""
    if frame["lat"].notna().any() and frame["lon"].notna().any():
        xs, ys, crs, box = _number(frame["lon"]), _number(frame["lat"]), STORAGE_CRS, BELGIUM
    else:
        xs, ys, crs = _number(frame["x"]), _number(frame["y"]), METRIC_CRS
        box = FLANDERS_BRUSSELS_LAMBERT
    has = xs.notna() & ys.notna()
    if not has.any():
        raise SourceError(path, "no row has usable coordinates")
    # Opgroeien licenses Flanders and Brussels only: no row may lie outside the envelope.
    labels = [f"line {i + 2}" for i in has[has].index]
    check_inside(xs[has], ys[has], box, path, what="locations", labels=labels, max_share=0.0)
    points = gpd.GeoDataFrame(
        frame.loc[has].copy(), geometry=gpd.points_from_xy(xs[has], ys[has]), crs=crs
    )
    return points.to_crs(STORAGE_CRS), int((~has).sum())


def _official_rows(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Shape official rows (every field of :data:`OPGROEIEN_COLUMNS` present) for the layer."""
    rows = pd.DataFrame(index=points.index)
    rows["name"] = points["name"]
    rows["category"] = points["type"].map(category_from_opgroeien_type)
    rows["places"] = _places(points["places"])
    rows["income_related_tariff"] = points["income_related_tariff"].map(tariff_from_opgroeien)
    for field_name in _TEXT_FIELDS:
        rows[field_name] = points[field_name]
    parts = points[["street", "housenumber", "postcode", "town", "address"]].astype(object)
    rows["address"] = [_official_address(*values) for values in parts.itertuples(index=False)]
    rows["source"] = "opgroeien"
    rows["osm_id"] = None
    rows["status"] = "licensed"
    rows["category_evidence"] = "Opgroeien type: " + points["type"].fillna("(empty)")
    keys = points[["source_id", "name", "street", "housenumber", "postcode"]].astype(object)
    rows["id"] = [_official_id(*values) for values in keys.itertuples(index=False)]
    return gpd.GeoDataFrame(rows, geometry=points.geometry, crs=STORAGE_CRS)


_TEXT_FIELDS: Final = ("operator", "street", "housenumber", "postcode", "town", "website", "phone")


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _official_address(
    street: object, number: object, postcode: object, town: object, address: object
) -> str | None:
    """Address from its parts; the export's own full address when the parts are absent."""
    built = format_address(_text(street), _text(number), _text(postcode), _text(town))
    return built if built is not None else _text(address)


def _places(series: pd.Series) -> pd.Series:
    numbers = _number(series)
    # capacities are whole numbers; a fraction or negative value means a misread column
    clean = numbers.where((numbers >= 0) & (numbers == numbers.round()))
    return clean.astype("Int64")


def _official_id(
    source_id: object, name: object, street: object, number: object, postcode: object
) -> str:
    """``opgroeien:<id>`` from the export's own id, else a digest of name and address."""
    own = _text(source_id)
    if own is not None:
        return f"opgroeien:{own}"
    key = "|".join(_text(v) or "" for v in (name, street, number, postcode))
    return "opgroeien:" + hashlib.sha1(key.encode()).hexdigest()[:12]


def category_from_opgroeien_type(value: object) -> str:
    """Map an Opgroeien ``Vergunningstype`` (or Sociale Kaart type) to a layer category.

    ``groepsopvang`` and ``groepsopvang samenwerking``/``samenwerkende onthaalouders``
    (Opgroeien counts both as group care) -> ``groepsopvang_0_3``; ``gezinsopvang``,
    ``onthaalouder`` -> ``gezinsopvang_0_3``; school-age care (``schoolkinderen``,
    ``buitenschoolse``, IBO, BKO, ``kleuteropvang``, without baby/peuter) ->
    ``buitenschoolse_opvang``;
    anything else -> ``kinderopvang_unknown_type``.
    """
    text = normalise_text(value) if isinstance(value, str) else ""
    school_age = r"schoolkinderen|buitenschoolse|naschoolse|ibo|bko|kleuteropvang"
    if _has(school_age, text) and not _has(_YOUNG_WORDS, text):
        return "buitenschoolse_opvang"
    if _has(r"samenwerking|samenwerkende", text) or _has(r"groepsopvang|kinderdagverblijf", text):
        return "groepsopvang_0_3"
    if _has(r"gezinsopvang|onthaalouders?", text):
        return "gezinsopvang_0_3"
    return "kinderopvang_unknown_type"


def tariff_from_opgroeien(value: object) -> str:
    """Map an income-related-tariff cell to ``yes``/``no``/``unknown``.

    ``IKT``, ``IKTMIX`` (some places with income-related tariff), ``ja``, ``met
    inkomenstarief`` -> ``yes``; ``Niet IKT``, ``vrije prijs``, ``nee``, ``zonder`` ->
    ``no``; empty or anything else -> ``unknown``.
    """
    text = normalise_text(value) if isinstance(value, str) else ""
    if _has(r"niet ikt|niet|geen|nee|no|false|0|vrije prijs|zonder", text):
        return "no"
    if _has(r"ikt|iktmix|ja|yes|true|1|met inkomenstarief|inkomenstarief", text):
        return "yes"
    return "unknown"


# ------------------------------------------------------------------ merge and facts


def core_name(name: object) -> str:
    """Name without generic childcare words and articles, for comparing two sources."""
    text = normalise_text(name) if isinstance(name, str) else ""
    generic = rf"{_GROUP_WORDS}|{_GENERIC_WORDS}|vzw|de|het|t|den|der"
    return " ".join(re.sub(rf"\b({generic})\b", " ", text).split())


def names_similar(a: object, b: object) -> bool:
    """Tell whether two names denote the same place.

    Generic words (kinderdagverblijf, kinderopvang, kribbe, vzw, articles) are dropped;
    the rest must be equal, one must contain the other, or their
    :class:`~difflib.SequenceMatcher` ratio must reach :data:`NAME_SIMILARITY`.  A
    missing name on either side counts as similar (position alone decides).
    """
    ca, cb = core_name(a), core_name(b)
    if not ca or not cb:
        return True
    if ca in cb or cb in ca:
        return True
    return SequenceMatcher(None, ca, cb).ratio() >= NAME_SIMILARITY


def osm_not_in_official(
    osm: gpd.GeoDataFrame, official: gpd.GeoDataFrame, distance_m: float = MATCH_DISTANCE_M
) -> tuple[gpd.GeoDataFrame, int]:
    """Keep the OSM rows that no official location within ``distance_m`` matches by name.

    Returns
    -------
    tuple
        The OSM rows kept and the number dropped as duplicates of official rows.
    """
    if osm.empty or official.empty:
        return osm, 0
    a = osm.to_crs(METRIC_CRS)
    b = official[["name", "geometry"]].to_crs(METRIC_CRS)
    pairs = gpd.sjoin_nearest(
        a[["name", "geometry"]], b, how="inner", max_distance=distance_m, rsuffix="official"
    )
    duplicate = {
        idx
        for idx, row in pairs.iterrows()
        if names_similar(row["name_left"], row["name_official"])
    }
    keep = [i not in duplicate for i in osm.index]
    return osm.loc[keep], len(duplicate)


def parse_places_flanders(path: Path) -> dict[str, Any]:
    """Latest year of the Flanders + Brussels places table, as facts for the manifest."""
    frame = read_csv(
        path,
        [
            "reference_date",
            "licensed_places_babies_toddlers",
            "places_income_related_tariff",
            "ikt_share_pct",
            "locations",
            "places_per_100_children_0_3",
            "source",
        ],
    )
    require_unique(frame["reference_date"], path, "reference_date")
    frame = frame.sort_values("reference_date")
    last = frame.iloc[-1]
    places = _number(pd.Series([last["licensed_places_babies_toddlers"]])).iloc[0]
    locations = _number(pd.Series([last["locations"]])).iloc[0]
    if pd.isna(places) or pd.isna(locations):
        raise SourceError(path, f"last row ({last['reference_date']}) lacks places or locations")
    return {
        "reference_date": last["reference_date"],
        "geography": "Flanders + Brussels (Flemish Community licences)",
        "licensed_places_babies_toddlers": int(places),
        "places_income_related_tariff": int(
            _number(pd.Series([last["places_income_related_tariff"]])).iloc[0]
        ),
        "income_related_share_pct": float(_number(pd.Series([last["ikt_share_pct"]])).iloc[0]),
        "locations": int(locations),
        "places_per_100_children_0_3": float(
            _number(pd.Series([last["places_per_100_children_0_3"]])).iloc[0]
        ),
        "source": "Opgroeien figures (sums in Eberger01/wachtlijsten-vlaanderen@76577053)",
    }


def parse_aggregate_facts(path: Path, geography_prefix: str = "Leuven") -> list[dict[str, str]]:
    """Dated, sourced facts whose geography starts with ``geography_prefix`` (e.g. Leuven)."""
    columns = [
        "geography",
        "level",
        "indicator",
        "value",
        "unit",
        "reference_date",
        "source_url",
        "source",
    ]
    frame = read_csv(path, [*columns, "note"])
    require_unique(frame[["geography", "level", "indicator", "reference_date"]], path, "fact")
    chosen = frame[frame["geography"].str.startswith(geography_prefix)]
    chosen = chosen.sort_values(["level", "indicator", "reference_date"], kind="stable")
    records = chosen[[*columns, "note"]].astype(object).to_dict("records")
    return [{str(k): (v if isinstance(v, str) else "") for k, v in r.items()} for r in records]
