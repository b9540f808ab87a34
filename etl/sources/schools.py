"""Recognised schools of the Flemish Community (Onderwijs Vlaanderen), with enrolments.

The official list has one row per school (``schoolnummer``) at its main seat
(``hoofdzetel``); extra campuses are not separate rows.  Coordinates are Belgian
Lambert 72 (``lx``/``ly``, EPSG:31370); ``0`` or an empty cell means "unknown".

Levels
------
``levels`` lists what a school offers, in the fixed vocabulary and order
``kleuter;lager;secundair;buitengewoon;dko;volwassenen;hoger``.  It is read from the
``ingerichte hoofdstructuren`` codes (the main structures a school runs).  A code has
three digits: level (1 kleuter, 2 lager, 3 secundair, 4 hoger), kind (1 gewoon,
2 buitengewoon) and programme (1 full-time, 2 part-time vocational secondary,
6 part-time arts, 7 adult education "sociale promotie"); see the Edison/Informat
explanation of instellingskenmerken.  Codes 314, 315, 511 and 618 fall outside that
scheme; their meaning below is read from the one ``instellingstype`` that uses each in
the June 2022 file, not from an official code table.

=====  ==============================================================  ======================
code   meaning                                                         levels
=====  ==============================================================  ======================
111    gewoon kleuteronderwijs                                         kleuter
121    buitengewoon kleuteronderwijs                                   kleuter, buitengewoon
211    gewoon lager onderwijs                                          lager
221    buitengewoon lager onderwijs                                    lager, buitengewoon
311    voltijds gewoon secundair onderwijs                             secundair
312    deeltijds beroepssecundair onderwijs (DBSO)                     secundair
314    deeltijdse vorming (only in "Centrum voor deeltijdse vorming")  secundair
315    leertijd (only in "Syntra")                                     secundair
316    deeltijds kunstonderwijs (DKO)                                  dko
317    secundair volwassenenonderwijs (CVO)                            volwassenen
321    buitengewoon secundair onderwijs                                secundair, buitengewoon
411    hoger onderwijs (hogeschool)                                    hoger
417    hoger beroepsonderwijs in adult education (only in CVOs)        hoger
511    university education (only in "Universiteit")                   hoger
618    basiseducatie (only in "Centrum voor Basiseducatie")            volwassenen
=====  ==============================================================  ======================

Two more rules complete ``levels``: the ``onderwijsniveau`` adds its own level (SO
secundair, DKO dko, VWO volwassenen, HO hoger; higher-education rows have no codes), and
an ``instellingstype`` mentioning "buitengewoon" adds buitengewoon.  A primary (BaO) row
without known codes falls back on its type: kleuterschool -> kleuter, lagere school ->
lager, basisschool -> kleuter and lager.

``level`` is one main level per school from ``onderwijsniveau`` and ``instellingstype``:
basis (kleuter + lager), kleuter, lager, buitengewoon basis, secundair, buitengewoon
secundair, dko, volwassenen or hoger.

The live list is served as ``;``-separated UTF-8 with a byte-order mark and CR-only line
ends; the mirror copy is ``,``-separated.  :func:`parse_school_list` reads both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from etl.errors import SourceError
from etl.settings import METRIC_CRS, LiveSource
from etl.sources.contracts import read_text, require_unique
from etl.sources.vector import read_csv
from etl.transform.region import FLANDERS_BRUSSELS_LAMBERT, check_inside, points_from_xy

#: Official list of recognised schools (June 2022 copy in the mirror).
OFFICIAL: Final[str] = "schools/onderwijsinstellingen_flanders_2022.csv"
#: Region extract with MapComplete's enrolment counts; read only for ``enrolments_2022``.
ENROLMENTS: Final[str] = "schools/schools_leuven_region_2022_with_enrolments.csv"
#: 2025 municipality mergers (old NIS -> new NIS); the school list uses pre-2025 codes.
MERGERS: Final[str] = "boundaries/lookups/municipality_mergers_2025.csv"

LISTS_PAGE = "https://data-onderwijs.vlaanderen.be/onderwijsaanbod/lijsten"
LIVE_SOURCES = (
    LiveSource(
        "schools",
        OFFICIAL,
        "https://data-onderwijs.vlaanderen.be/onderwijsaanbod/csv.ashx?s=01&hz=true",
        LISTS_PAGE,
        "current list, not June 2022. Download 'lijst onderwijsinstellingen' (s=01) of "
        "main seats only (hz=true); published per-level links add n=<niveau> and "
        "hs=<hoofdstructuur> (e.g. s=01&n=2&hz=true&hs=311 for secondary), so check on the "
        "lists page that the link without them still returns every level. Format: "
        "';'-separated, UTF-8 with BOM, CR-only line ends (the parser reads both this and "
        "the mirror's ',' format); same column names as the mirror copy.",
    ),
)

#: Columns of the official list that the parser needs.
REQUIRED: Final[tuple[str, ...]] = (
    "schoolnummer",
    "intern_vplnummer",
    "net",
    "naam",
    "adres",
    "straat",
    "huisnummer",
    "busnummer",
    "postcode",
    "gemeente",
    "niscode",
    "lx",
    "ly",
    "telefoon",
    "e-mail",
    "website",
    "onderwijsniveau",
    "instellingstype",
    "einddatum",
    "taalstelsel",
    "ingerichte hoofdstructuren",
)

#: Fixed vocabulary and order of ``levels``.
LEVELS: Final[tuple[str, ...]] = (
    "kleuter",
    "lager",
    "secundair",
    "buitengewoon",
    "dko",
    "volwassenen",
    "hoger",
)

#: ``ingerichte hoofdstructuren`` code -> levels (see the module docstring).
STRUCTURE_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "111": ("kleuter",),
    "121": ("kleuter", "buitengewoon"),
    "211": ("lager",),
    "221": ("lager", "buitengewoon"),
    "311": ("secundair",),
    "312": ("secundair",),
    "314": ("secundair",),
    "315": ("secundair",),
    "316": ("dko",),
    "317": ("volwassenen",),
    "321": ("secundair", "buitengewoon"),
    "411": ("hoger",),
    "417": ("hoger",),
    "511": ("hoger",),
    "618": ("volwassenen",),
}

#: ``instellingstype`` of adult-education centres -> ``kind`` in the adult_education
#: layer.  A CVO (centrum voor volwassenenonderwijs) teaches secondary adult education
#: (code 317) and often higher vocational education (417); a Centrum voor Basiseducatie
#: teaches basic education (618).  Centra voor deeltijdse vorming (youth in part-time
#: education) and Syntra (apprenticeships) are not adult-education centres.
ADULT_EDUCATION_KINDS: Final[dict[str, str]] = {
    "Centrum voor Volwassenenonderwijs": "cvo",
    "Centrum voor Basiseducatie": "basiseducatie",
}

#: Structure codes of adult-education centres -> the programme they name (the list
#: gives no courses: not which languages, not whether Dutch as a second language).
ADULT_PROGRAMMES: Final[dict[str, str]] = {
    "317": "secundair volwassenenonderwijs",
    "417": "hoger beroepsonderwijs",
    "618": "basiseducatie",
}

#: ``onderwijsniveau`` -> the level it implies (BaO depends on the institution type).
NIVEAU_LEVELS: Final[dict[str, tuple[str, ...]]] = {
    "BaO": (),
    "SO": ("secundair",),
    "DKO": ("dko",),
    "VWO": ("volwassenen",),
    "HO": ("hoger",),
}

#: Raw ``net`` -> readable label.  Officieel gesubsidieerd = schools of a municipality,
#: city or province; vrij gesubsidieerd = private boards (mostly Catholic).
NET_LABELS: Final[dict[str, str]] = {
    "Gemeenschapsonderwijs": "GO!",
    "Officieel gesubsidieerd onderwijs": "officieel gesubsidieerd",
    "Vrij gesubsidieerd onderwijs": "vrij gesubsidieerd",
    "Andere": "andere",
}

#: ``einddatum`` meaning "no end date".
OPEN_ENDED: Final[str] = "31/12/4444"

NO_COORDS = "no coordinates in source (lx/ly empty or 0)"
OUTSIDE_BELGIUM = "coordinates outside Flanders and Brussels (not valid Lambert 72)"

_TIDY_COLUMNS = [
    "schoolnummer",
    "vplnummer",
    "name",
    "level",
    "levels",
    "institution_type",
    "net",
    "net_raw",
    "language",
    "street",
    "housenumber",
    "postcode",
    "town",
    "address",
    "website",
    "phone",
    "email",
    "file_nis",
    "end_date",
    "unknown_codes",
    "structure_codes",
    "lx",
    "ly",
]


def parse_school_list(path: Path) -> pd.DataFrame:
    """Parse the official list into one tidy row per school, coordinates still raw.

    Parameters
    ----------
    path : Path
        The Onderwijs Vlaanderen CSV (mirror ``,`` format or live ``;`` format).

    Returns
    -------
    DataFrame
        Columns ``schoolnummer``, ``vplnummer``, ``name``, ``level``, ``levels``,
        ``institution_type``, ``net``, ``net_raw``, ``language``, ``street``,
        ``housenumber``, ``postcode``, ``town``, ``address``, ``website``, ``phone``,
        ``email``, ``file_nis``, ``end_date`` (``einddatum`` when one is set),
        ``unknown_codes`` (structure codes not in :data:`STRUCTURE_LEVELS`),
        ``structure_codes`` (every code, in file order), ``lx``, ``ly`` (floats, NaN
        when unknown).

    Raises
    ------
    SourceError
        When the file is unreadable, lacks a column, repeats a school, or a row has a
        malformed school number, an empty name, an unknown ``onderwijsniveau`` or
        non-numeric coordinates (a truncated last row fails one of these checks).
    """
    raw = _read_delimited(path)
    _check_rows(raw, path)
    return _tidy(raw)


def schools_to_points(
    schools: pd.DataFrame, path: Path
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, dict[str, int]]:
    """Turn Lambert 72 coordinates into EPSG:4326 points; set aside rows without them.

    Parameters
    ----------
    schools : DataFrame
        Output of :func:`parse_school_list`.
    path : Path
        The source file, named in errors.

    Returns
    -------
    points : GeoDataFrame
        Schools with valid coordinates, EPSG:4326.
    unplaced : DataFrame
        Schools left out, with a ``reason`` column.
    excluded : dict
        Count of left-out rows per reason.

    Raises
    ------
    SourceError
        When no row has coordinates, or more than
        :data:`etl.transform.region.MAX_OUTSIDE_SHARE` of them fall outside
        :data:`etl.transform.region.FLANDERS_BRUSSELS_LAMBERT` (swapped ``lx``/``ly``
        or another CRS); fewer are left out and counted.
    """
    has_xy = schools["lx"].gt(0) & schools["ly"].gt(0)
    if not has_xy.any():
        raise SourceError(path, "no row has coordinates in columns 'lx'/'ly'")
    placed = schools[has_xy]
    labels = [
        f"line {i + 2} (school {n})"
        for i, n in zip(placed.index, placed["schoolnummer"], strict=True)
    ]
    inside_mask = check_inside(
        placed["lx"], placed["ly"], FLANDERS_BRUSSELS_LAMBERT, path, what="schools", labels=labels
    )
    points = points_from_xy(placed, "lx", "ly", METRIC_CRS)
    inside = pd.Series(inside_mask, index=points.index)
    unplaced = pd.concat(
        [
            schools[~has_xy].assign(reason=NO_COORDS),
            pd.DataFrame(points[~inside].drop(columns="geometry")).assign(reason=OUTSIDE_BELGIUM),
        ]
    )
    excluded = {NO_COORDS: int((~has_xy).sum()), OUTSIDE_BELGIUM: int((~inside).sum())}
    return points[inside].drop(columns=["lx", "ly"]), unplaced, excluded


def parse_enrolments(path: Path) -> pd.DataFrame:
    """Parse the enrolment counts keyed by school number and internal seat number.

    The counts are pupils enrolled around school year 2021-22 as added by MapComplete
    to its amended copy of the list; they are not official capacities.

    Returns
    -------
    DataFrame
        ``schoolnummer``, ``vplnummer`` (str) and ``enrolments_2022`` (nullable Int64).

    Raises
    ------
    SourceError
        When a column is missing, a key repeats, or a count is not a whole number >= 0.
    """
    frame = read_csv(path, ["schoolnummer", "intern_vplnummer", "enrolments_2022"])
    keys = frame[["schoolnummer", "intern_vplnummer"]].apply(lambda s: s.str.strip())
    if keys.isna().any().any():
        line = int(keys.isna().any(axis=1).to_numpy().nonzero()[0][0]) + 2
        raise SourceError(path, f"line {line} has an empty schoolnummer or intern_vplnummer")
    require_unique(keys, path, "school (schoolnummer/intern_vplnummer)")
    counts = pd.to_numeric(frame["enrolments_2022"], errors="coerce")
    bad = frame["enrolments_2022"].notna() & (counts.isna() | counts.lt(0) | counts.mod(1).ne(0))
    if bad.any():
        first = frame.loc[bad, "enrolments_2022"].iloc[0]
        msg = f"column 'enrolments_2022' holds {int(bad.sum())} value(s) that are not whole "
        raise SourceError(path, msg + f"numbers >= 0, e.g. {first!r}")
    return pd.DataFrame(
        {
            "schoolnummer": keys["schoolnummer"],
            "vplnummer": keys["intern_vplnummer"],
            "enrolments_2022": counts.round().astype("Int64"),
        }
    )


def parse_mergers(path: Path) -> dict[str, str]:
    """Parse the 2025 municipality mergers: old NIS code -> new NIS code.

    Each line reads ``Old A (code) + Old B (code),<tab>New (code)``.

    Raises
    ------
    SourceError
        When a line does not have exactly one new code and at least one old code.
    """
    lines = read_text(path).splitlines()
    mapping: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        old_part, _, new_part = line.partition(",")
        old = re.findall(r"\((\d{5})\)", old_part)
        new = re.findall(r"\((\d{5})\)", new_part)
        if not old or len(new) != 1:
            raise SourceError(path, f"line {number} is not 'Old (code) + ...,<tab>New (code)'")
        mapping.update(dict.fromkeys(old, new[0]))
    if not mapping:
        raise SourceError(path, "lists no merger")
    return mapping


def adult_programmes(codes: list[str]) -> str:
    """Return the programmes (``;``-joined, sorted) that adult-education codes name.

    Codes of :data:`ADULT_PROGRAMMES` only; a code repeats once per structure the
    centre runs, so repeats are dropped.
    """
    return ";".join(sorted({ADULT_PROGRAMMES[c] for c in codes if c in ADULT_PROGRAMMES}))


def levels_of(niveau: str, institution_type: str, codes: list[str]) -> list[str]:
    """Return the levels a school offers, in :data:`LEVELS` order (see module docstring)."""
    found: set[str] = set(NIVEAU_LEVELS.get(niveau, ()))
    known = [c for c in codes if c in STRUCTURE_LEVELS]
    for code in known:
        found.update(STRUCTURE_LEVELS[code])
    kind = institution_type.lower()
    if "buitengewoon" in kind:
        found.add("buitengewoon")
    if niveau == "BaO" and not known:
        # Without codes the type says it: autonomous kindergarten/primary or both.
        if "kleuterschool" in kind:
            found.add("kleuter")
        elif "lagere school" in kind:
            found.add("lager")
        else:
            found.update(("kleuter", "lager"))
    return [level for level in LEVELS if level in found]


def main_level(niveau: str, institution_type: str) -> str:
    """Return the one main level of a school (see module docstring)."""
    kind = institution_type.lower()
    special = "buitengewoon" in kind
    if niveau == "BaO":
        if special:
            return "buitengewoon basis"
        if "kleuterschool" in kind:
            return "kleuter"
        if "lagere school" in kind:
            return "lager"
        return "basis"
    if niveau == "SO":
        return "buitengewoon secundair" if special else "secundair"
    return {"DKO": "dko", "VWO": "volwassenen", "HO": "hoger"}[niveau]


def net_label(raw: str | None) -> str | None:
    """Return the readable network label of a raw ``net`` value (unknown stays as is)."""
    if raw is None or pd.isna(raw):
        return None
    return NET_LABELS.get(raw, raw)


def _read_delimited(path: Path) -> pd.DataFrame:
    """Read the list with the delimiter its header uses (``,`` mirror, ``;`` live)."""
    header = re.split(r"\r\n|\r|\n", read_text(path), maxsplit=1)[0]
    sep = ";" if header.count(";") > header.count(",") else ","
    return read_csv(path, REQUIRED, sep=sep, encoding="utf-8-sig")


def _check_rows(raw: pd.DataFrame, path: Path) -> None:
    """Fail on the first malformed row, naming it (line = row index + 2)."""
    checks = [
        (~raw["schoolnummer"].fillna("").str.strip().str.fullmatch(r"\d+"), "'schoolnummer'"),
        (~raw["intern_vplnummer"].fillna("").str.strip().str.fullmatch(r"\d+"), "vplnummer"),
        (raw["naam"].fillna("").str.strip().eq(""), "an empty 'naam'"),
        (~raw["onderwijsniveau"].isin(list(NIVEAU_LEVELS)), "an unknown 'onderwijsniveau'"),
        (raw["instellingstype"].isna(), "an empty 'instellingstype'"),
    ]
    for column in ("lx", "ly"):
        bad = raw[column].notna() & pd.to_numeric(raw[column], errors="coerce").isna()
        checks.append((bad, f"a non-numeric {column!r}"))
    for bad, what in checks:
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            msg = f"line {row + 2} has {what} ({int(bad.sum())} row(s) in all); truncated file?"
            raise SourceError(path, msg)
    require_unique(
        raw[["schoolnummer", "intern_vplnummer"]], path, "school (schoolnummer/intern_vplnummer)"
    )


def _tidy(raw: pd.DataFrame) -> pd.DataFrame:
    """Rename and derive the layer's attribute columns from validated raw rows."""
    codes = (
        raw["ingerichte hoofdstructuren"]
        .fillna("")
        .map(lambda s: [c.strip() for c in s.split("-") if c.strip()])
    )
    niveau, kind = raw["onderwijsniveau"], raw["instellingstype"]
    out = pd.DataFrame(index=raw.index)
    out["schoolnummer"] = raw["schoolnummer"].str.strip()
    out["vplnummer"] = raw["intern_vplnummer"].str.strip()
    out["name"] = raw["naam"].str.strip()
    out["level"] = [main_level(n, k) for n, k in zip(niveau, kind, strict=True)]
    out["levels"] = [
        ";".join(levels_of(n, k, c)) for n, k, c in zip(niveau, kind, codes, strict=True)
    ]
    out["institution_type"] = kind
    out["net"] = raw["net"].map(net_label)
    out["net_raw"] = raw["net"]
    out["language"] = raw["taalstelsel"]
    out["street"] = _clean(raw["straat"])
    out["housenumber"] = _clean(raw["huisnummer"])
    out["postcode"] = _clean(raw["postcode"])
    out["town"] = _clean(raw["gemeente"])
    out["address"] = _clean(raw["adres"]).fillna(_address_from_parts(raw))
    out["website"] = _clean(raw["website"])
    out["phone"] = _clean(raw["telefoon"])
    out["email"] = _clean(raw["e-mail"])
    out["file_nis"] = _clean(raw["niscode"])
    out["end_date"] = raw["einddatum"].where(raw["einddatum"].ne(OPEN_ENDED))
    out["unknown_codes"] = codes.map(lambda cs: [c for c in cs if c not in STRUCTURE_LEVELS])
    out["structure_codes"] = codes
    out["lx"] = pd.to_numeric(raw["lx"])
    out["ly"] = pd.to_numeric(raw["ly"])
    return out[_TIDY_COLUMNS].reset_index(drop=True)


def _clean(values: pd.Series) -> pd.Series:
    """Strip blanks; an empty cell becomes missing."""
    stripped = values.str.strip()
    return stripped.where(stripped.ne(""))


def _address_from_parts(raw: pd.DataFrame) -> pd.Series:
    """Build ``street number[ bus b], postcode town`` where the file has no ``adres``."""
    bus = raw["busnummer"].fillna("").str.strip()
    number = raw["huisnummer"].fillna("").str.strip() + bus.map(lambda b: f" bus {b}" if b else "")
    street = (raw["straat"].fillna("").str.strip() + " " + number).str.strip()
    town = (raw["postcode"].fillna("") + " " + raw["gemeente"].fillna("")).str.strip()
    joined = (street + ", " + town).str.strip(", ")
    return joined.where(joined.ne(""))
