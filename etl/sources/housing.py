"""Statbel real-estate sales (median prices per municipality) and the Statbel building stock.

The mirror holds the yearly municipal extract that gehuybre/data-blog derives from
Statbel's open-data file ``vastgoed_2010_9999`` (columns ``y, lvl, nis, type, n, p50,
name``).  :func:`parse_sale_prices` also reads Statbel's own open-data text file (a zip
holding a ``|``-separated ``.txt`` with ``CD_YEAR``, ``CD_REFNIS``, ``CD_TYPE_NL``, ...),
so a live download placed at the same path builds the same layer.

Statbel republishes the whole series on the 2025 municipality codes (Tessenderlo-Ham,
71071, has rows for every year since 2010), so no pre-merger medians ever have to be
combined: a median cannot be derived from the medians of its parts.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

import pandas as pd

from etl.errors import SourceError, require_columns
from etl.settings import LiveSource
from etl.sources.contracts import (
    check_row_lengths,
    decode_text,
    read_zip_member,
    require_unique,
    zip_text_members,
)

SALE_PRICES: Final[str] = "housing/statbel_sale_prices_median_by_municipality_2010_2024_belgium.csv"
BUILDING_STOCK: Final[str] = "housing/statbel_building_stock_2025_leuven_region.csv"

STATBEL_IMMO_PAGE = "https://statbel.fgov.be/nl/themas/bouwen-wonen/vastgoedprijzen"
LIVE_SOURCES = (
    LiveSource(
        "housing_sales",
        SALE_PRICES,
        "https://statbel.fgov.be/sites/default/files/files/opendata/immo/vastgoed_2010_9999.zip",
        STATBEL_IMMO_PAGE,
        "live file is a zip holding one '|'-separated latin-1 .txt for all of Belgium "
        "(CD_YEAR, CD_PERIOD Y/quarters, CD_niveau_refnis, CD_REFNIS, CD_REFNIS_NL, "
        "CD_TYPE_NL with long Dutch type labels, MS_TOTAL_TRANSACTIONS, MS_P_25, "
        "MS_P_50_median, MS_P_75; newer releases add CD_CLASS_SURFACE). The mirror is "
        "gehuybre/data-blog's yearly extract (y, lvl, nis, type, n, p50, name; short "
        "type codes; yearly rows only). parse_sale_prices reads both.",
    ),
    LiveSource(
        "housing_building_stock",
        BUILDING_STOCK,
        "https://statbel.fgov.be/sites/default/files/files/opendata/Buildstock/"
        "building_stock_open_data_2025.zip",
        "https://statbel.fgov.be/nl/themas/bouwen-wonen/gebouwenpark",
        "live file is a zip of one '|'-separated latin-1 text file for all of Belgium and "
        "every geographic level, with more label columns (French names, levels); the "
        "mirror (GitHub oliviervth/resiterra-statbel-data) is cut to the 60 region "
        "municipalities and saved as comma-separated CSV. parse_building_stock reads both.",
    ),
)

#: Statbel's short property-type codes (mirror) and Dutch labels (live) -> our codes.
TYPE_CODES: Final[dict[str, str]] = {
    "alle_huizen": "house",
    "huizen_23": "house_2_3_facades",
    "huizen_4plus": "house_4plus_facades",
    "appartementen": "apartment",
}
TYPE_LABELS_NL: Final[dict[str, str]] = {
    "Alle huizen met 2, 3, 4 of meer gevels (excl. appartementen)": "alle_huizen",
    "Huizen met 2 of 3 gevels (gesloten + halfopen bebouwing)": "huizen_23",
    "Huizen met 4 of meer gevels (open bebouwing)": "huizen_4plus",
    "Appartementen": "appartementen",
}

#: Statbel geographic level of a municipality in ``lvl`` / ``CD_niveau_refnis``.
MUNICIPALITY_LEVEL: Final[int] = 5

MIRROR_COLUMNS: Final[tuple[str, ...]] = ("y", "lvl", "nis", "type", "n", "p50", "name")
LIVE_COLUMNS: Final[tuple[str, ...]] = (
    "CD_YEAR",
    "CD_PERIOD",
    "CD_niveau_refnis",
    "CD_REFNIS",
    "CD_REFNIS_NL",
    "CD_TYPE_NL",
    "MS_TOTAL_TRANSACTIONS",
    "MS_P_50_median",
)

#: Statbel building types that are houses (closed, half-open, open) and apartment blocks.
HOUSE_BUILDINGS: Final[tuple[str, ...]] = ("R1", "R2", "R3")
APARTMENT_BUILDINGS: Final[tuple[str, ...]] = ("R4",)
#: Statistic "Aantal woongelegenheden" (dwellings) of the building stock.
DWELLINGS_STAT: Final[str] = "T8"


def parse_sale_prices(path: Path) -> pd.DataFrame:
    """Parse yearly median sale prices per municipality and property type.

    Parameters
    ----------
    path : Path
        The mirror's CSV extract, or Statbel's open-data zip / text file.

    Returns
    -------
    DataFrame
        ``nis`` (str), ``year`` (int), ``type`` (``house``, ``house_2_3_facades``,
        ``house_4plus_facades``, ``apartment``), ``sales`` (int), ``median_price_eur``
        (float, NaN where Statbel publishes no median), ``source_name``; municipalities
        only, sorted by nis, year, type.

    Raises
    ------
    SourceError
        For an unreadable file, missing columns, unknown types, bad codes or numbers,
        negative counts or duplicate rows.
    """
    raw = read_table(path)
    if set(MIRROR_COLUMNS) <= set(raw.columns):
        tidy = _from_mirror(raw, path)
    elif set(LIVE_COLUMNS) <= set(raw.columns):
        tidy = _from_statbel_open_data(raw, path)
    else:
        require_columns(raw.columns, MIRROR_COLUMNS, path)  # names the mirror's columns
        raise AssertionError("unreachable")  # pragma: no cover
    return _validate_sales(tidy, path)


def read_table(path: Path) -> pd.DataFrame:
    """Read a mirror CSV, or a Statbel open-data ``|``-separated text file (zipped or not).

    Every column is read as text; callers convert and validate.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"unreadable ({exc})") from exc
    if not data:
        raise SourceError(path, "file is empty")
    where = path
    if data[:2] == b"PK":
        member = _text_member(data, path)
        where = Path(f"{path}!{member}")
        data = read_zip_member(data, member, path)
    first_line = data.split(b"\n", 1)[0]
    sep = "|" if b"|" in first_line else ","
    # Statbel's own text files are latin-1; the mirror is UTF-8 (names are ASCII upper case).
    text = decode_text(data, where, "utf-8-sig" if sep == "," else "latin-1")
    check_row_lengths(text, where, sep)
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""]
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(where, f"not a readable CSV file ({exc})") from exc
    if frame.empty:
        raise SourceError(where, "has a header but no rows")
    return frame


def _text_member(data: bytes, path: Path) -> str:
    """Name of the first ``.txt`` member of a zipped Statbel file."""
    members = zip_text_members(data, path)
    if not members:
        raise SourceError(path, "zip archive holds no .txt file")
    return members[0]


def _from_mirror(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Tidy the gehuybre/data-blog extract (already yearly, short type codes)."""
    raw = raw[_as_int(raw["lvl"], "lvl", path) == MUNICIPALITY_LEVEL]
    return pd.DataFrame(
        {
            "nis": raw["nis"].str.strip(),
            "year": raw["y"],
            "type_source": raw["type"].str.strip(),
            "sales": raw["n"],
            "median_price_eur": raw["p50"],
            "source_name": raw["name"],
        }
    )


def _from_statbel_open_data(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Tidy Statbel's open-data text: yearly municipal rows, total surface class only."""
    raw = raw[raw["CD_PERIOD"].str.strip() == "Y"]
    raw = raw[_as_int(raw["CD_niveau_refnis"], "CD_niveau_refnis", path) == MUNICIPALITY_LEVEL]
    if "CD_CLASS_SURFACE" in raw.columns:
        # Newer releases split sales by plot-surface class; keep the all-classes total.
        total = raw["CD_CLASS_SURFACE"].str.lower().str.contains("tota", na=False)
        if not total.any():
            raise SourceError(path, "column 'CD_CLASS_SURFACE' has no total class")
        raw = raw[total]
    unknown = sorted(set(raw["CD_TYPE_NL"].str.strip()) - set(TYPE_LABELS_NL))
    if unknown:
        raise SourceError(path, f"unknown property type label(s): {', '.join(unknown)}")
    return pd.DataFrame(
        {
            "nis": raw["CD_REFNIS"].str.strip().str.zfill(5),
            "year": raw["CD_YEAR"],
            "type_source": raw["CD_TYPE_NL"].str.strip().map(TYPE_LABELS_NL),
            "sales": raw["MS_TOTAL_TRANSACTIONS"],
            "median_price_eur": raw["MS_P_50_median"],
            "source_name": raw["CD_REFNIS_NL"],
        }
    )


def _validate_sales(tidy: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Check codes, types and numbers; convert to final dtypes and sort."""
    if tidy.empty:
        raise SourceError(path, "has no municipality rows (level 5)")
    if not tidy["nis"].str.fullmatch(r"\d{5}").all():
        raise SourceError(path, "has municipality codes that are not 5-digit NIS codes")
    unknown = sorted(set(tidy["type_source"]) - set(TYPE_CODES))
    if unknown:
        raise SourceError(path, f"unknown property type(s): {', '.join(map(str, unknown))}")
    out = tidy.assign(
        year=_as_int(tidy["year"], "year", path),
        type=tidy["type_source"].map(TYPE_CODES),
        sales=_as_int(tidy["sales"], "sales (n)", path),
        median_price_eur=_as_float(tidy["median_price_eur"], "median price (p50)", path),
    ).drop(columns="type_source")
    if (out["sales"] < 0).any() or (out["median_price_eur"] <= 0).any():
        raise SourceError(path, "has negative sales counts or non-positive median prices")
    require_unique(out[["nis", "year", "type"]], path, "municipality/year/type")
    return out.sort_values(["nis", "year", "type"]).reset_index(drop=True)


def parse_building_stock(path: Path) -> pd.DataFrame:
    """Parse Statbel's building stock into dwellings in houses and in apartment buildings.

    Parameters
    ----------
    path : Path
        Long-format building stock (``CD_YEAR, CD_REFNIS, CD_STAT_TYPE,
        CD_BUILDING_TYPE, MS_VALUE``).

    Returns
    -------
    DataFrame
        ``nis``, ``stock_year``, ``dwellings_in_houses`` (building types R1-R3) and
        ``dwellings_in_apartment_buildings`` (R4), from statistic T8 (dwellings).

    Raises
    ------
    SourceError
        For missing columns, no dwelling rows, a repeated row (naming its key and
        lines), missing or non-numeric values.
    """
    required = ("CD_YEAR", "CD_REFNIS", "CD_STAT_TYPE", "CD_BUILDING_TYPE", "MS_VALUE")
    frame = read_table(path)
    require_columns(frame.columns, required, path)
    dwellings = frame[frame["CD_STAT_TYPE"].str.strip() == DWELLINGS_STAT].copy()
    if dwellings.empty:
        raise SourceError(path, f"has no dwelling rows (CD_STAT_TYPE {DWELLINGS_STAT})")
    # The pivot below sums, so a repeated row would silently double a count.
    key = ["CD_YEAR", "CD_REFNIS", "CD_STAT_TYPE", "CD_BUILDING_TYPE"]
    require_unique(dwellings[key], path, "year/municipality/statistic/building type")
    dwellings["value"] = _as_float(dwellings["MS_VALUE"], "MS_VALUE", path)
    wide = dwellings.pivot_table(
        index=["CD_REFNIS", "CD_YEAR"], columns="CD_BUILDING_TYPE", values="value", aggfunc="sum"
    )
    needed = [*HOUSE_BUILDINGS, *APARTMENT_BUILDINGS]
    require_columns(wide.columns, needed, path)
    if wide[needed].isna().any().any():
        raise SourceError(path, "has missing dwelling counts for houses or apartment buildings")
    wide = wide.reset_index()
    out = pd.DataFrame(
        {
            "nis": wide["CD_REFNIS"].str.strip().str.zfill(5),
            "stock_year": _as_int(wide["CD_YEAR"], "CD_YEAR", path),
            "dwellings_in_houses": wide[list(HOUSE_BUILDINGS)].sum(axis=1).astype("int64"),
            "dwellings_in_apartment_buildings": wide["R4"].astype("int64"),
        }
    )
    if out["nis"].duplicated().any():
        nis = out.loc[out["nis"].duplicated(), "nis"].iloc[0]
        raise SourceError(path, f"holds more than one year for municipality {nis}")
    return out.sort_values("nis").reset_index(drop=True)


def _as_int(values: pd.Series, column: str, path: Path) -> pd.Series:
    """Convert a text column of whole numbers (``"12"`` or ``"12.0"``) to int64."""
    numbers = _as_float(values, column, path)
    if numbers.isna().any() or (numbers % 1 != 0).any():
        raise SourceError(path, f"column {column!r} has missing or non-integer values")
    return numbers.astype("int64")


def _as_float(values: pd.Series, column: str, path: Path) -> pd.Series:
    """Convert a text column to float; empty cells become NaN, anything else non-numeric fails."""
    numbers = pd.to_numeric(values, errors="coerce")
    if (numbers.isna() & values.notna()).any():
        bad = values[numbers.isna() & values.notna()].iloc[0]
        raise SourceError(path, f"column {column!r} holds a non-numeric value {bad!r}")
    return numbers.astype("float64")
