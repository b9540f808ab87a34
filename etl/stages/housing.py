"""Stage ``housing``: Statbel median sale prices per region municipality, and a summary.

``housing_prices`` is the long table (municipality x year x property type);
``housing_summary`` has one row per municipality with the latest medians, sales counts,
five-year changes and the dwelling stock.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.errors import EtlError
from etl.pipeline import BuildContext, Output, Stage
from etl.sources import demography as demo_src
from etl.sources import housing as src
from geodata.io import LayerManifest

SOURCE = "Statbel, vastgoedprijzen (via gehuybre/data-blog); Statbel, gebouwenpark 2025"
LICENCE = "Statbel open data (Licence Open Data), 'Bron: Statbel'"
URL = src.STATBEL_IMMO_PAGE

#: Years between the latest year and the base of ``change_5y_pct_*``.
CHANGE_YEARS = 5
#: Property types in summary column order (``median_<type>``, ``sales_<type>``, ...).
TYPES: tuple[str, ...] = ("house", "house_2_3_facades", "house_4plus_facades", "apartment")


def prices_for_region(
    sales: pd.DataFrame, munis: pd.DataFrame, mergers: dict[str, list[str]]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Keep the region's municipalities, named as in the boundaries layer.

    A merged 2025 municipality that Statbel does not publish under its new code gets no
    rows: medians of the former municipalities cannot be combined into a median.

    Returns
    -------
    tuple
        The table (nis, name, year, type, median_price_eur, sales) sorted by nis, year,
        type; and nis -> reason for each region municipality left without prices.
    """
    names = munis.set_index("nis")["name"]
    region = sales[sales["nis"].isin(names.index)].copy()
    region["name"] = region["nis"].map(names)
    missing: dict[str, str] = {}
    for nis in sorted(set(names.index) - set(region["nis"])):
        if nis in mergers:
            formers = "+".join(mergers[nis])
            missing[nis] = f"merged 2025 from {formers}; Statbel publishes no data under the new "
            missing[nis] += "code and medians of former municipalities cannot be combined"
        else:
            missing[nis] = "not in the Statbel file"
    columns = ["nis", "name", "year", "type", "median_price_eur", "sales"]
    return region[columns].sort_values(["nis", "year", "type"]).reset_index(drop=True), missing


def summarise(prices: pd.DataFrame, stock: pd.DataFrame, munis: pd.DataFrame) -> pd.DataFrame:
    """Build one row per region municipality from the long price table and the stock.

    The latest year is the last year with any row for that municipality; medians are
    those of that year (missing where Statbel publishes none, with no fallback to older
    years); ``change_5y_pct_<type>`` compares it with the median five years earlier.
    """
    out = munis[["nis", "name"]].sort_values("nis").reset_index(drop=True)
    latest = prices.groupby("nis")["year"].max()
    # -1 never matches a year, so municipalities without prices get missing values.
    year = out["nis"].map(latest).fillna(-1).astype("int64")
    wide = prices.pivot(index=["nis", "year"], columns="type", values=["median_price_eur", "sales"])
    now = wide.reindex(pd.MultiIndex.from_arrays([out["nis"], year]))
    then = wide.reindex(pd.MultiIndex.from_arrays([out["nis"], year - CHANGE_YEARS]))
    out["latest_year"] = year.where(year > 0).astype("Int64")
    for type_code in TYPES:
        median = _column(now, "median_price_eur", type_code)
        base = _column(then, "median_price_eur", type_code)
        out[f"median_{type_code}"] = median
        out[f"sales_{type_code}"] = pd.array(_column(now, "sales", type_code), dtype="Int64")
        out[f"change_5y_pct_{type_code}"] = ((median / base - 1) * 100).round(1)
    out = out.merge(stock, on="nis", how="left")
    for column in ("stock_year", "dwellings_in_houses", "dwellings_in_apartment_buildings"):
        out[column] = out[column].astype("Int64")
    return out


def _column(wide: pd.DataFrame, value: str, type_code: str) -> np.ndarray:
    """One value column of the pivoted price table, NaN when the type never occurs."""
    if (value, type_code) not in wide.columns:
        return np.full(len(wide), np.nan)
    return wide[(value, type_code)].to_numpy(dtype="float64", na_value=np.nan)


def build(ctx: BuildContext) -> list[Output]:
    """Parse sales and stock, restrict to the region and summarise."""
    munis = ctx.layer("municipalities")
    mergers = demo_src.parse_mergers(ctx.raw(demo_src.MERGERS))
    sales = src.parse_sale_prices(ctx.raw(src.SALE_PRICES))
    stock = src.parse_building_stock(ctx.raw(src.BUILDING_STOCK))
    prices, missing = prices_for_region(sales, munis, mergers)
    if prices.empty:
        raise EtlError("no region municipality has Statbel sale prices")
    summary = summarise(prices, stock, munis)
    first, last = int(prices["year"].min()), int(prices["year"].max())
    no_median = int(prices["median_price_eur"].isna().sum())
    no_stock = sorted(summary.loc[summary["dwellings_in_houses"].isna(), "nis"])
    common = {
        "municipalities_without_prices": missing,
        "mergers_2025": "Statbel publishes the whole series on 2025 codes (e.g. "
        "Tessenderlo-Ham 71071 from 2010 on), so no pre-merger medians are combined",
    }
    return [
        Output(
            LayerManifest(
                "housing_prices",
                "Median sale prices per municipality",
                SOURCE,
                URL,
                LICENCE,
                str(last),
                f"the {summary['nis'].nunique()} region municipalities (2025 NIS), "
                f"{first}-{last}, yearly; houses (all, 2-3 facades, 4+ facades) and "
                "apartments; median_price_eur is missing where Statbel publishes no median "
                "(never below 16 sales in this file, plus a few suppressed cells)",
                extra={**common, "rows_without_median": no_median},
            ),
            prices,
        ),
        Output(
            LayerManifest(
                "housing_summary",
                "Housing market summary per municipality",
                SOURCE,
                URL,
                LICENCE,
                str(last),
                f"one row per region municipality: medians and sales of the latest year "
                f"({last}), change over {CHANGE_YEARS} years, dwellings by building type "
                "(Statbel building stock 1 Jan 2025, statistic T8; houses = R1-R3, "
                "apartment buildings = R4)",
                extra={
                    **common,
                    "municipalities_without_stock": no_stock,
                    "stock_source": "statbel_building_stock_2025_leuven_region.csv (the "
                    "gehuybre housing_stock file has identical values but lacks 71071)",
                },
            ),
            summary,
        ),
    ]


STAGES = [
    Stage(
        name="housing",
        inputs=(src.SALE_PRICES, src.BUILDING_STOCK, demo_src.MERGERS),
        depends=("municipalities",),
        outputs=("housing_prices", "housing_summary"),
        build=build,
    )
]
