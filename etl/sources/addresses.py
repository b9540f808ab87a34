r"""Addresses and workplace presets read from the raw OpenStreetMap extract.

Two readers over ``osm/leuven_core_2024-06.osm.pbf`` (central Leuven only: lon
4.645-4.785, lat 50.850-50.940), both built on :mod:`etl.sources.osm_pbf`:

* :func:`parse_osm_addresses` - every node, way or multipolygon with ``addr:street`` and
  ``addr:housenumber`` (ways and areas at their centroid), with the tagged
  ``addr:postcode`` and ``addr:city`` where present (about 40 % of the objects have them);
* :func:`find_workplaces` - the objects matching the :data:`WORKPLACE_RULES`.

Workplace search rules
----------------------
Every rule is a tag test plus a name pattern (Python regular expression, searched
case-insensitively in the ``name`` tag).  A *single* rule yields at most one preset: when
several objects match, areas win over points, then the lowest ``type/id`` (so the pick is
deterministic).  A *multi* rule yields one preset per matching object (objects sharing a
name are merged the same way).  A wanted preset whose rule matches nothing is reported,
never replaced by typed coordinates.

==============================  ========  ===============================  ====================
preset (slug)                   kind      tags                             name pattern
==============================  ========  ===============================  ====================
uz-leuven-gasthuisberg          hospital  amenity=hospital                 ``gasthuisberg``
heilig-hart-ziekenhuis          hospital  amenity=hospital                 ``heilig.hart``
ku-leuven-gasthuisberg          campus    amenity=university               ``gasthuisberg``
ku-leuven-universiteitsbib...   campus    amenity=library, KU Leuven op.   ``^universiteitsbib``
ku-leuven-universiteitshal      campus    amenity=university               ``^universiteitshal$``
ku-leuven-erasmushuis           campus    amenity=university               ``^erasmushuis$``
rega-instituut                  research  amenity=university               ``^rega instituut``
imec                            research  any ``building``                 ``^imec$``
wetenschapspark-arenberg        research  landuse=industrial/commercial    ``wetenschapspark``
                                                                           and ``arenberg``
researchpark-haasrode           research  landuse=industrial/commercial    ``haasrode``
stadhuis-leuven                 public    amenity=townhall                 ``^stadhuis``
stadskantoor-leuven             public    building=office or office=gov.   ``^stadskantoor$``
provinciehuis-vlaams-brabant    public    any ``building``                 ``^provinciehuis``
vlaams-administratief-centrum   public    office=government                ``vlaams admin...``
ab-inbev-stella-artois          company   landuse=industrial               ``stella artois|ab
                                                                           ?inbev``
(multi) campuses                campus    amenity=university               ``\bcampus\b``
(multi) other higher education  campus    amenity=university/college/      ``ucll|uc leuven-
                                          school                           limburg|^luca\b``
(multi) research institutes     research  amenity=research_institute or    any name
                                          office=research
==============================  ========  ===============================  ====================

KU Leuven objects (``operator`` containing "KU Leuven" or "Katholieke Universiteit
Leuven") whose name does not say so get the prefix "KU Leuven " in the preset name.
Railway stations are not read here: they come from the ``stations`` layer (see
:mod:`etl.stages.addresses`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from etl.errors import SourceError
from etl.settings import REGION_BBOX, LiveSource
from etl.sources import osm_pbf

#: The raw OSM extract (relative to the source folder).
OSM_PBF: Final = "osm/leuven_core_2024-06.osm.pbf"

#: Columns returned by :func:`parse_osm_addresses`.
OSM_ADDRESS_COLUMNS: Final = [
    "id",
    "street",
    "housenumber",
    "postcode",
    "town",
    "lon",
    "lat",
]

LIVE_SOURCES: Final = (
    LiveSource(
        "osm_belgium_pbf",
        OSM_PBF,
        "https://download.geofabrik.de/europe/belgium-latest.osm.pbf",
        "https://download.geofabrik.de/europe/belgium.html",
        "the live file is all of Belgium (~600 MB, updated daily), the mirror a 3.3 MB cut "
        "of central Leuven; cut it to the same box before building: `osmium extract -b "
        "4.645,50.850,4.785,50.940 belgium-latest.osm.pbf -o leuven_core_2024-06.osm.pbf` "
        "(a larger box gives more addresses and may find Haasrode research park)",
    ),
)

_KU_LEUVEN = re.compile(r"KU ?Leuven|Katholieke Universiteit Leuven", re.IGNORECASE)

TagTest = Callable[[Mapping[str, str]], bool]


@dataclass(frozen=True)
class WorkplaceRule:
    """How to find one preset (or a family of presets) in the OSM extract.

    Attributes
    ----------
    slug : str
        Preset id for a single rule; family prefix (unused in ids) for a multi rule.
    name : str
        Display name for a single rule; ``""`` means the OSM name (multi rules).
    kind : str
        ``campus``, ``hospital``, ``research``, ``public`` or ``company``.
    tags : callable
        Tag test an object must pass.
    pattern : str
        Regular expression searched case-insensitively in the ``name`` tag.
    multi : bool
        True: one preset per matching object; False: the best match only.
    """

    slug: str
    name: str
    kind: str
    tags: TagTest
    pattern: str
    multi: bool = False

    def matches(self, tags: Mapping[str, str]) -> bool:
        """Tell whether an object with ``tags`` satisfies the rule."""
        name = tags.get("name", "")
        return bool(name) and self.tags(tags) and re.search(self.pattern, name, re.I) is not None


def _tag_in(key: str, *values: str) -> TagTest:
    return lambda t: t.get(key) in values


def _has(key: str) -> TagTest:
    return lambda t: key in t


def _ku_leuven_library(t: Mapping[str, str]) -> bool:
    return t.get("amenity") == "library" and bool(_KU_LEUVEN.search(t.get("operator", "")))


def _office_building(t: Mapping[str, str]) -> bool:
    return t.get("building") == "office" or t.get("office") == "government"


def _research(t: Mapping[str, str]) -> bool:
    return t.get("amenity") == "research_institute" or t.get("office") == "research"


_PARK = ("industrial", "commercial")

#: The workplace search rules, in the order of the table in the module docstring.
WORKPLACE_RULES: Final[tuple[WorkplaceRule, ...]] = (
    WorkplaceRule(
        "uz-leuven-gasthuisberg",
        "UZ Leuven Gasthuisberg",
        "hospital",
        _tag_in("amenity", "hospital"),
        r"gasthuisberg",
    ),
    WorkplaceRule(
        "heilig-hart-ziekenhuis",
        "Heilig Hart Ziekenhuis Leuven",
        "hospital",
        _tag_in("amenity", "hospital"),
        r"heilig.hart",
    ),
    WorkplaceRule(
        "ku-leuven-gasthuisberg",
        "KU Leuven Campus Gasthuisberg",
        "campus",
        _tag_in("amenity", "university"),
        r"gasthuisberg",
    ),
    WorkplaceRule(
        "ku-leuven-universiteitsbibliotheek",
        "KU Leuven Universiteitsbibliotheek (city centre)",
        "campus",
        _ku_leuven_library,
        r"^universiteitsbib",
    ),
    WorkplaceRule(
        "ku-leuven-universiteitshal",
        "KU Leuven Universiteitshal (city centre)",
        "campus",
        _tag_in("amenity", "university"),
        r"^universiteitshal$",
    ),
    WorkplaceRule(
        "ku-leuven-erasmushuis",
        "KU Leuven Erasmushuis",
        "campus",
        _tag_in("amenity", "university"),
        r"^erasmushuis$",
    ),
    WorkplaceRule(
        "rega-instituut",
        "Rega Instituut (KU Leuven)",
        "research",
        _tag_in("amenity", "university"),
        r"^rega instituut",
    ),
    WorkplaceRule("imec", "imec", "research", _has("building"), r"^imec$"),
    WorkplaceRule(
        "wetenschapspark-arenberg",
        "Wetenschapspark Arenberg",
        "research",
        _tag_in("landuse", *_PARK),
        r"wetenschapspark.*arenberg|arenberg.*wetenschapspark",
    ),
    WorkplaceRule(
        "researchpark-haasrode",
        "Researchpark Haasrode",
        "research",
        _tag_in("landuse", *_PARK),
        r"haasrode",
    ),
    WorkplaceRule(
        "stadhuis-leuven",
        "Stadhuis Leuven",
        "public",
        _tag_in("amenity", "townhall"),
        r"^stadhuis",
    ),
    WorkplaceRule(
        "stadskantoor-leuven",
        "Stadskantoor Leuven",
        "public",
        _office_building,
        r"^stadskantoor$",
    ),
    WorkplaceRule(
        "provinciehuis-vlaams-brabant",
        "Provinciehuis Vlaams-Brabant",
        "public",
        _has("building"),
        r"^provinciehuis",
    ),
    WorkplaceRule(
        "vlaams-administratief-centrum",
        "Vlaams Administratief Centrum Leuven",
        "public",
        _tag_in("office", "government"),
        r"vlaams administratief centrum",
    ),
    WorkplaceRule(
        "ab-inbev-stella-artois",
        "AB InBev brewery (Stella Artois)",
        "company",
        _tag_in("landuse", "industrial"),
        r"stella artois|ab ?inbev",
    ),
    WorkplaceRule(
        "campus",
        "",
        "campus",
        _tag_in("amenity", "university"),
        r"\bcampus\b",
        multi=True,
    ),
    WorkplaceRule(
        "higher-education",
        "",
        "campus",
        _tag_in("amenity", "university", "college", "school"),
        r"ucll|uc leuven-limburg|^luca\b",
        multi=True,
    ),
    WorkplaceRule("research", "", "research", _research, r".", multi=True),
)

_SHAPE_RANK = {"multipolygon": 0, "polygon": 0, "line": 1, "point": 2}
_TYPE_RANK = {"way": 0, "relation": 1, "node": 2}


@dataclass(frozen=True)
class WorkplaceMatch:
    """One preset found in OSM: its rule, display name, slug and the chosen object."""

    rule: WorkplaceRule
    slug: str
    name: str
    feature: osm_pbf.OsmFeature
    candidates: int


def slugify(text: str) -> str:
    """Return a lowercase ASCII slug (``"Campus Groep T"`` -> ``"campus-groep-t"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _clean(value: str | None) -> str:
    """Collapse whitespace; ``None`` becomes ``""``."""
    return " ".join((value or "").split())


def _check_in_region(path: Path, lon: float, lat: float, what: str) -> None:
    """Refuse an extract whose objects lie outside the region box (wrong file)."""
    lon_min, lat_min, lon_max, lat_max = REGION_BBOX
    if not (lon_min <= lon <= lon_max and lat_min <= lat <= lat_max):
        msg = f"{what} at lon {lon:.5f}, lat {lat:.5f} lies outside the region {REGION_BBOX}"
        raise SourceError(path, msg)


def _has_address(tags: Mapping[str, str]) -> bool:
    return bool(_clean(tags.get("addr:street"))) and bool(_clean(tags.get("addr:housenumber")))


def parse_osm_addresses(path: Path) -> pd.DataFrame:
    """Read the street addresses of an OSM extract.

    Parameters
    ----------
    path : Path
        The ``.osm.pbf`` file.

    Returns
    -------
    DataFrame
        :data:`OSM_ADDRESS_COLUMNS`: ``id`` ``"osm:<type>/<id>"``, the cleaned
        ``addr:*`` values (whitespace collapsed; ``postcode``/``town`` ``""`` when not
        tagged) and the WGS84 point (centroid for ways and areas), in file order.

    Raises
    ------
    SourceError
        When the file is missing, empty or unreadable, holds no address at all, or an
        address lies outside the region box.
    """
    rows = []
    for feature in osm_pbf.iter_tagged_features(path, _has_address):
        _check_in_region(path, feature.lon, feature.lat, f"address {feature.osm_key}")
        tags = feature.tags
        rows.append(
            {
                "id": f"osm:{feature.osm_key}",
                "street": _clean(tags.get("addr:street")),
                "housenumber": _clean(tags.get("addr:housenumber")),
                "postcode": _clean(tags.get("addr:postcode")),
                "town": _clean(tags.get("addr:city")),
                "lon": feature.lon,
                "lat": feature.lat,
            }
        )
    if not rows:
        raise SourceError(path, "no object with addr:street and addr:housenumber")
    return pd.DataFrame(rows, columns=OSM_ADDRESS_COLUMNS)


def _preference(feature: osm_pbf.OsmFeature) -> tuple[int, int, int]:
    """Sort key: areas before lines before points, then ways, relations, nodes, then id."""
    return (
        _SHAPE_RANK.get(feature.geometry_type, 3),
        _TYPE_RANK[feature.osm_type],
        feature.osm_id,
    )


def display_name(feature: osm_pbf.OsmFeature) -> str:
    """OSM name, prefixed "KU Leuven " for a KU Leuven object whose name omits it."""
    name = _clean(feature.tags.get("name"))
    if _KU_LEUVEN.search(feature.tags.get("operator", "")) and not _KU_LEUVEN.search(name):
        return f"KU Leuven {name}"
    return name


def find_workplaces(
    path: Path, rules: tuple[WorkplaceRule, ...] = WORKPLACE_RULES
) -> tuple[list[WorkplaceMatch], list[WorkplaceRule]]:
    """Find the workplace presets of ``rules`` in an OSM extract.

    Parameters
    ----------
    path : Path
        The ``.osm.pbf`` file.
    rules : tuple of WorkplaceRule, optional
        Search rules (default :data:`WORKPLACE_RULES`).

    Returns
    -------
    tuple
        The matches (single rules first, in rule order, then multi rules; a multi-rule
        object whose slug a single rule or an earlier multi rule already produced is
        skipped) and the single rules that matched nothing.

    Raises
    ------
    SourceError
        When the file is missing, empty or unreadable, or a match lies outside the region.
    """
    hits: dict[int, list[osm_pbf.OsmFeature]] = {i: [] for i in range(len(rules))}

    def keep(tags: Mapping[str, str]) -> bool:
        return any(rule.matches(tags) for rule in rules)

    for feature in osm_pbf.iter_tagged_features(path, keep):
        _check_in_region(path, feature.lon, feature.lat, f"object {feature.osm_key}")
        for i, rule in enumerate(rules):
            if rule.matches(feature.tags):
                hits[i].append(feature)
    matches: list[WorkplaceMatch] = []
    missing: list[WorkplaceRule] = []
    taken: set[str] = set()
    for i, rule in enumerate(rules):
        if rule.multi:
            continue
        found = sorted(hits[i], key=_preference)
        if not found:
            missing.append(rule)
            continue
        matches.append(WorkplaceMatch(rule, rule.slug, rule.name, found[0], len(found)))
        taken.add(rule.slug)
        taken.update(f"osm:{f.osm_key}" for f in found[:1])
    for i, rule in enumerate(rules):
        if rule.multi:
            matches.extend(_multi_matches(rule, hits[i], taken))
    return matches, missing


def _multi_matches(
    rule: WorkplaceRule, found: list[osm_pbf.OsmFeature], taken: set[str]
) -> list[WorkplaceMatch]:
    """One match per distinct display name, skipping objects or slugs already used."""
    by_slug: dict[str, list[osm_pbf.OsmFeature]] = {}
    for feature in found:
        if f"osm:{feature.osm_key}" in taken:
            continue
        by_slug.setdefault(slugify(display_name(feature)), []).append(feature)
    out = []
    for slug, features in sorted(by_slug.items()):
        if slug in taken or not slug:
            continue
        best = sorted(features, key=_preference)[0]
        out.append(WorkplaceMatch(rule, slug, display_name(best), best, len(features)))
        taken.add(slug)
        taken.add(f"osm:{best.osm_key}")
    return out
